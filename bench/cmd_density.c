/* bench density: instances per host that still meet a quality-of-service
 * bar, with per-instance footprint and start time. */
#include <errno.h>
#include <limits.h>
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
    "usage: bench density --env ENV [--workload NAME | --idle] [--qos F] [--max N]\n"
    "                     [--step-reps N] [--duration SEC] [--size BYTES] [--cpus LIST]\n"
    "                     [--numa NODE] [--spread cpus|nodes] [--runtime NAME] [--net MODE]\n"
    "                     [--out DIR] [--json] [--quiet]\n\n"
    "Starts 1, 2, 4, ... instances of ENV (then refines between the last count\n"
    "that met QoS and the first that did not), all running NAME at once\n"
    "(default cpu.int), until an instance's result falls below F times the\n"
    "single-instance result (default 0.9), memory runs short, an instance fails\n"
    "to start, or N instances (default 16). --idle starts instances without a\n"
    "workload to measure pure footprint and start time. Instances take --threads\n"
    "CPUs each of --cpus (default all), round robin (--spread cpus, the default),\n"
    "or node by node (--spread nodes: instance k on the (k mod N)-th NUMA node of\n"
    "those CPUs, its CPUs and memory on that node; the steps then show per-node\n"
    "results). Network workloads are not supported here yet. Writes\n"
    "results/<run-id>/run.json with a \"density\" block.\n";

struct density_flags {
	double qos;
	unsigned max, step_reps;
	bool idle;
	enum spread_mode spread;
};

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
	struct density_flags flags = {.qos = 0.9, .max = 16, .step_reps = 3};
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
	if (!flags.idle && (w == NULL || wl_info_takes(w, "peer"))) {
		char names[1024];
		catalog_names(&cat, names, sizeof(names));
		bench_error_set(&err, 0, "--workload %s: one non-network workload (valid: %s)",
		                opts.workloads, names);
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
	struct scratch scratch;
	scratch_prepare(&scratch, dir, opts.disk_dir, w && wl_info_takes(w, "disk_dir"));
	env_reclaim_stale(); /* what killed runs left goes first */
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
		    .max = flags.max,
		    .step_reps = flags.step_reps,
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
		for (size_t i = 0; i < json_array_size(run.density) && !opts.json; i++) {
			json_t *d = json_array_get(run.density, i);
			bool idle =
			    strcmp(json_string_value(json_object_get(d, "mode")), "idle") == 0;
			printf("%-10s %s: %lld instance(s) %s (%.2f per GiB of host memory); "
			       "stopped: %s\n",
			       json_string_value(json_object_get(d, "env")),
			       idle ? "idle" : json_string_value(json_object_get(d, "workload")),
			       (long long)json_integer_value(json_object_get(d, "max_ok")),
			       idle ? "started" : "met QoS",
			       json_real_value(json_object_get(d, "instances_per_gib")),
			       json_string_value(json_object_get(d, "stop_reason")));
		}
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
