/* bench density: instances per host that still meet a quality-of-service
 * bar, with per-instance footprint and start time. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/commands.h"
#include "harness/core/cleanup.h"
#include "harness/core/hostlock.h"
#include "harness/run/density.h"
#include "harness/core/fingerprint.h"
#include "harness/core/run_options.h"

static const char usage[] =
    "usage: bench density --env ENV [--workload NAME | --idle] [--qos F] [--qos-metric NAME]\n"
    "                     [--max N] [--spread cpus|nodes]\n"
    "                     [--time-budget SEC] [--start-factor F] [--settle SEC]\n"
    "                     [--target-host cores=N,memory=SIZE[,threads=N][,base=SIZE]]\n"
    "                     [--step-reps N] [--duration SEC] [--size BYTES] [--memory SIZE]\n"
    "                     [--cpus LIST] [--numa NODE] [--runtime NAME] [--net MODE]\n"
    "                     [--out DIR] [--json] [--quiet]\n\n"
    "Starts 1, 2, 4, ... instances of ENV (then refines between the last count\n"
    "that met QoS and the first that did not), all running NAME at once\n"
    "(default cpu.int), until an instance's result falls below F times the\n"
    "single-instance result (--qos, default 0.9), memory runs short (MemAvailable\n"
    "under 10% of MemTotal, or the next step would take it there at the footprint\n"
    "measured so far), an instance fails to start or takes more than --start-factor\n"
    "times the first one's start (default 10; and over 1 s), the next step would end after\n"
    "--time-budget seconds (default 300), or --max instances (default: no cap but\n"
    "4096). --idle starts instances without a workload: footprint, idle CPU and\n"
    "start time. After each step memory settles, then every instance's footprint\n"
    "(PSS of its processes, the backend's own figure such as the cgroup's usage),\n"
    "MemAvailable and its CPU demand are recorded, with the KSM state (--settle:\n"
    "the longest wait for MemAvailable to stop moving, default 5 s).\n"
    "From these it projects the count this host holds (and with --target-host, a\n"
    "host you do not have) with a 95% interval and the binding resource (cpu or\n"
    "memory bandwidth under QoS, memory, start time); the assumptions are written\n"
    "into the run file. Instances take --threads CPUs each of --cpus (default all),\n"
    "round robin (--spread cpus, the default), or node by node (--spread nodes:\n"
    "instance k on the (k mod N)-th NUMA node of those CPUs, its CPUs and memory on\n"
    "that node; the steps then show per-node results). QoS is judged on the\n"
    "workload's first metric, or --qos-metric NAME; the request/response workloads\n"
    "(net.tcp_rr, net.udp_rr) default to lat_p99_us, a latency bar (--qos 0.5: p99\n"
    "within 2x one instance's). Network workloads share one host-side peer (wl serve).\n"
    "Writes results/<run-id>/run.json with a \"density\" block.\n";

struct density_flags {
	double qos, time_budget, start_factor, settle;
	unsigned max, step_reps;
	bool idle;
	enum spread_mode spread;
	const char *target_text, *qos_metric;
	struct density_host target;
};

/* --time-budget, --start-factor, --settle, --target-host into f. Returns 0
 * or -1. */
static int real_flag(const char *a, const char *v, struct density_flags *f,
                     struct bench_error **err)
{
	char *end;
	errno = 0;
	if (strcmp(a, "--target-host") == 0) {
		f->target_text = v;
		return density_host_parse(v, &f->target, err);
	}
	double x = strtod(v, &end);
	bool budget = strcmp(a, "--time-budget") == 0, settle = strcmp(a, "--settle") == 0;
	double lo = settle ? 0 : 1, hi = budget ? 86400 : settle ? 600 : 1000;
	if (*v == '\0' || *end || errno || !(x >= lo && x <= hi))
		return bench_error_set(err, 0, "%s: '%s' is not in %g..%g", a, v, lo, hi);
	*(budget ? &f->time_budget : settle ? &f->settle : &f->start_factor) = x;
	return 0;
}

/* Takes the density-only flags out of argv (into f) and leaves the rest,
 * which are `bench run` options, in rest[]. Returns the count of rest or -1. */
static int split_flags(int argc, char *argv[], struct density_flags *f, char **rest,
                       struct bench_error **err)
{
	int n = 0;
	rest[n++] = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char *end;
		if (strcmp(a, "--idle") == 0) {
			f->idle = true;
		} else if (strcmp(a, "--spread") == 0) {
			if (i + 1 >= argc)
				return bench_error_set(err, 0, "option '%s' needs a value", a);
			if (spread_parse(argv[++i], &f->spread, err) < 0)
				return -1;
		} else if (strcmp(a, "--qos-metric") == 0) {
			if (i + 1 >= argc)
				return bench_error_set(err, 0, "option '%s' needs a value", a);
			f->qos_metric = argv[++i];
		} else if (strcmp(a, "--time-budget") == 0 || strcmp(a, "--start-factor") == 0 ||
		           strcmp(a, "--target-host") == 0 || strcmp(a, "--settle") == 0) {
			if (i + 1 >= argc)
				return bench_error_set(err, 0, "option '%s' needs a value", a);
			if (real_flag(a, argv[++i], f, err) < 0)
				return -1;
		} else if ((strcmp(a, "--qos") == 0 || strcmp(a, "--max") == 0 ||
		            strcmp(a, "--step-reps") == 0)) {
			if (i + 1 >= argc)
				return bench_error_set(err, 0, "option '%s' needs a value", a);
			const char *v = argv[++i];
			errno = 0;
			if (strcmp(a, "--qos") == 0) {
				f->qos = strtod(v, &end);
				if (*end || errno || !(f->qos > 0 && f->qos <= 1))
					return bench_error_set(err, 0,
					                       "--qos: '%s' is not in (0, 1]", v);
			} else {
				long x = strtol(v, &end, 10);
				if (*end || errno || x < 1 || x > 4096)
					return bench_error_set(err, 0, "%s: '%s' is not in 1..4096",
					                       a, v);
				*(strcmp(a, "--max") == 0 ? &f->max : &f->step_reps) = (unsigned)x;
			}
		} else {
			rest[n++] = argv[i];
		}
	}
	return n;
}

int cmd_density(int argc, char *argv[])
{
	struct density_flags flags = {.qos = 0.9,
	                              .max = 0,
	                              .step_reps = 3,
	                              .time_budget = 300,
	                              .start_factor = 10,
	                              .settle = 5};
	struct bench_error *err = NULL;
	char **rest = calloc((size_t)argc + 3, sizeof(char *));
	if (rest == NULL)
		return EXIT_FAILED;
	int n = split_flags(argc, argv, &flags, rest, &err);
	bool has_workload = false;
	for (int i = 1; i < n; i++)
		has_workload = has_workload || strncmp(rest[i], "--workload", 10) == 0;
	if (n >= 0 && !has_workload) {
		rest[n++] = "--workload";
		rest[n++] = "cpu.int";
	}
	struct run_options opts;
	if (n < 0 || run_options_parse(n, rest, &opts, &err) < 0) {
		free(rest);
		return command_usage_error("density", &err);
	}
	free(rest);
	if (opts.help) {
		printf("%s", usage);
		return EXIT_OK;
	}
	struct env_choice envs[MAX_ENVS];
	size_t n_envs = 0;
	int status = resolve_envs(opts.env, opts.runtime, envs, &n_envs);
	if (status != EXIT_OK)
		return status;
	char wl[PATH_MAX];
	wl_path_resolve(wl, sizeof(wl));
	struct catalog cat;
	if (load_catalog(wl, &cat) < 0)
		return EXIT_FAILED;
	const struct wl_info *w = flags.idle ? NULL : catalog_find(&cat, opts.workloads);
	if (!flags.idle && w == NULL) {
		char names[1024];
		catalog_names(&cat, names, sizeof(names));
		bench_error_set(&err, 0, "--workload %s: one workload (valid: %s)", opts.workloads,
		                names);
		catalog_free(&cat);
		return command_usage_error("density", &err);
	}
	struct topo topo;
	struct topo_binding binding;
	if (topo_open(&topo, &err) < 0) {
		fprintf(stderr, "bench density: %s\n", err->msg);
		bench_error_free(&err);
		catalog_free(&cat);
		return EXIT_FAILED;
	}
	char run_id[128], created[32], dir[PATH_MAX];
	make_run_id(run_id, sizeof(run_id), created, sizeof(created));
	run_dir_choose(opts.out_dir, run_id, dir);
	bool own_dir = false;
	/* Instances share the CPUs; --threads stays per instance. A --spread
	 * that cannot place the first instance is a usage error. */
	struct topo_binding first;
	if (topo_resolve(&topo, opts.cpus, opts.numa, opts.threads, &binding, &err) < 0 ||
	    spread_instance(&topo, &binding, flags.spread, 0, &first, &err) < 0 ||
	    prepare_run_dir(dir, &own_dir, &err) < 0) {
		topo_close(&topo);
		catalog_free(&cat);
		return command_usage_error("density", &err);
	}
	install_signal_handlers();
	/* Held until return: closing the fd releases the host lock. */
	cleanup_close int lock = hostlock_acquire(argc, argv, stderr, &err);
	if (lock < 0) {
		fprintf(stderr, "bench density: %s\n", err->msg);
		bench_error_free(&err);
		if (own_dir)
			rmdir(dir);
		topo_close(&topo);
		catalog_free(&cat);
		return agent_interrupted ? EXIT_INTERRUPTED : EXIT_FAILED;
	}
	env_reclaim_stale(); /* what killed runs left goes first */
	/* request/response workloads: a latency bar on p99 by default */
	const char *qos_metric = flags.qos_metric;
	if (qos_metric == NULL && w != NULL &&
	    (strcmp(w->name, "net.tcp_rr") == 0 || strcmp(w->name, "net.udp_rr") == 0))
		qos_metric = "lat_p99_us";
	struct size_plan sizes;
	if (w != NULL) {
		/* an instance holds what the size rule gives one instance */
		const char *workloads = opts.workloads;
		opts.workloads = w->name;
		status = resolve_sizes("density", &opts, envs, n_envs, &cat, &topo, &binding, wl,
		                       &sizes);
		opts.workloads = workloads;
		if (status != EXIT_OK) {
			if (own_dir)
				rmdir(dir);
			topo_close(&topo);
			catalog_free(&cat);
			return status;
		}
	}
	struct scratch scratch;
	scratch_prepare(&scratch, dir, opts.disk_dir, w && wl_info_takes(w, "disk_dir"));
	struct run run;
	run_init(&run, run_id);
	run.created = strdup(created);
	run.host = fingerprint_collect(&topo);
	run.density = json_array();
	status = EXIT_OK;
	for (size_t i = 0; i < n_envs && status == EXIT_OK; i++) {
		struct density_options o = {
		    .env = &envs[i],
		    .workload = w,
		    .run = &opts,
		    .topo = &topo,
		    .binding = &binding,
		    .spread = flags.spread,
		    .wl_path = wl,
		    .scratch_dir = scratch.path[0] ? scratch.path : NULL,
		    .qos = flags.qos,
		    .qos_metric = qos_metric,
		    .max = flags.max,
		    .step_reps = flags.step_reps,
		    .time_budget_s = flags.time_budget,
		    .start_factor = flags.start_factor,
		    .settle_max_s = flags.settle,
		    .sizes = w != NULL ? &sizes : NULL,
		    .target = flags.target_text ? &flags.target : NULL,
		    .target_text = flags.target_text,
		    .quiet = opts.quiet,
		};
		json_t *result = NULL;
		if (density_run(&o, &result, &err) < 0) {
			fprintf(stderr, "bench density: %s: %s\n", envs[i].name, err->msg);
			bench_error_free(&err);
			status = agent_interrupted ? EXIT_INTERRUPTED : EXIT_FAILED;
		} else {
			json_array_append_new(run.density, result);
		}
	}
	scratch_release(&scratch);
	if (status == EXIT_OK && run_write(&run, dir, &err) < 0) {
		fprintf(stderr,
		        "bench density: the results could not be written: %s; the "
		        "measurements are lost (exit %d)\n",
		        err->msg, EXIT_UNWRITTEN);
		bench_error_free(&err);
		status = EXIT_UNWRITTEN;
	} else if (status == EXIT_OK) {
		if (opts.json) {
			json_dumpf(run.density, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
			printf("\n");
		}
		for (size_t i = 0; i < json_array_size(run.density) && !opts.json; i++)
			density_print_study(stdout, json_array_get(run.density, i));
		if (!opts.json)
			printf("run file: %s/run.json\n", dir);
	} else if (own_dir) {
		rmdir(dir);
	}
	run_free(&run);
	topo_close(&topo);
	catalog_free(&cat);
	return status;
}

static void print_projection(FILE *out, const char *where, json_t *p)
{
	json_t *lo = json_object_get(p, "low"), *hi = json_object_get(p, "high");
	if (lo == NULL)
		lo = json_object_get(p, "low_bound");
	fprintf(out, "           projected %s: %.0f instances (95%% interval %.0f .. %s%.0f), ",
	        where, floor(json_number_value(json_object_get(p, "instances"))),
	        floor(json_number_value(lo)), json_is_number(hi) ? "" : "unbounded ",
	        json_is_number(hi) ? floor(json_number_value(hi)) : 0.0);
	const char *close = json_string_value(json_object_get(p, "binding_close"));
	fprintf(out, "binding %s%s%s%s, %.2f per GiB\n",
	        json_string_value(json_object_get(p, "binding")),
	        close && *close ? " (within the interval: " : "", close && *close ? close : "",
	        close && *close ? ")" : "",
	        json_number_value(json_object_get(p, "instances_per_gib")));
}

void density_print_study(FILE *out, json_t *d)
{
	bool idle = strcmp(json_string_value(json_object_get(d, "mode")), "idle") == 0;
	fprintf(out, "%-10s %s: %lld instance(s) %s (tried up to %lld); stopped: %s\n",
	        json_string_value(json_object_get(d, "env")),
	        idle ? "idle" : json_string_value(json_object_get(d, "workload")),
	        (long long)json_integer_value(json_object_get(d, "max_ok")),
	        idle ? "started" : "met QoS",
	        (long long)json_integer_value(json_object_get(d, "tried_max")),
	        json_string_value(json_object_get(d, "stop_reason")));
	json_t *here = json_object_get(d, "projected_here");
	json_t *p = json_object_get(d, "projected");
	if (!json_is_object(p)) {
		fprintf(out, "           no projection: %s\n",
		        json_string_value(json_object_get(d, "projection_error")));
		return;
	}
	json_t *fp = json_object_get(json_is_object(here) ? here : p, "footprint");
	json_t *cpu = json_object_get(d, "cpu_demand");
	fprintf(out,
	        "           per instance: %.2f MiB (%s; %.2f .. %.2f MiB), %.3g CPUs of demand\n",
	        json_number_value(json_object_get(fp, "bytes")) / (1024.0 * 1024),
	        json_string_value(json_object_get(fp, "method")),
	        json_number_value(json_object_get(fp, "low")) / (1024.0 * 1024),
	        json_number_value(json_object_get(fp, "high")) / (1024.0 * 1024),
	        json_number_value(json_object_get(cpu, "cpus")));
	if (json_is_object(here))
		print_projection(out, "on this host", here);
	char where[160];
	json_t *t = json_object_get(p, "target_host");
	snprintf(where, sizeof(where), "%s%s", t ? "on " : "on this host",
	         t ? json_string_value(json_object_get(t, "spec")) : "");
	print_projection(out, where, p);
	json_t *knee = json_object_get(d, "knee");
	json_t *at = json_object_get(knee, "instances");
	if (json_is_object(knee))
		fprintf(out, "           aggregate: %s %.0f instances, peak %.4g %s at %.0f\n",
		        json_is_number(at) ? "knee at" : "no knee up to",
		        json_is_number(at)
		            ? json_number_value(at)
		            : (double)json_integer_value(json_object_get(d, "max_ok")),
		        json_number_value(json_object_get(knee, "peak_aggregate")),
		        json_string_value(json_object_get(d, "unit")),
		        json_number_value(json_object_get(knee, "peak_instances")));
}
