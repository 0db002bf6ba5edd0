/* Pieces every command that runs workloads shares: signals, run ids, the
 * run directory, the --env list. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "bench/commands.h"
#include "harness/core/cpu_steal.h"
#include "harness/env/env.h"
#include "harness/core/fingerprint.h"
#include "harness/core/hostlock.h"
#include "harness/run/conditions.h"
#include "harness/run/runner.h"
#include "harness/run/size_plan.h"
#include "reports/overhead.h"

/* True when a selected workload takes a scratch directory (disk). */
bool needs_scratch(const struct catalog *cat, const char *list)
{
	size_t *sel = NULL, n = 0;
	bool needed = false;
	if (catalog_select(cat, list, &sel, &n, NULL) < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		needed = needed || wl_info_takes(&cat->items[sel[i]], "disk_dir");
	free(sel);
	return needed;
}

static void on_signal(int sig)
{
	agent_interrupted = sig;
}

void install_signal_handlers(void)
{
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: waits wake up */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* "20261124-193000-host-1234" and "2026-11-24T19:30:00Z". */
void make_run_id(char *id, size_t id_len, char *created, size_t created_len)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char host[64] = "host";
	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	for (char *p = host; *p; p++)
		if (*p == '/' || *p == '.' || *p == ' ')
			*p = '_';
	char stamp[32];
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(id, id_len, "%s-%s-%d", stamp, host, (int)getpid());
	strftime(created, created_len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* --env LIST: every name known (else exit 2 with the valid ones) and able
 * to run here (else exit 3 with its reason). */
int resolve_envs(const char *list, const char *runtime, struct env_choice *envs, size_t *n)
{
	char copy[256], *save = NULL;
	snprintf(copy, sizeof(copy), "%s", list);
	*n = 0;
	for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		struct bench_error *err = NULL;
		if (*n == MAX_ENVS) {
			fprintf(stderr, "bench run: at most %d environments\n", MAX_ENVS);
			return EXIT_USAGE;
		}
		struct env_choice *c = &envs[*n];
		if (env_choose(name, runtime, c, &err) < 0)
			return command_usage_error("run", &err);
		for (size_t i = 0; i < *n; i++)
			if (strcmp(envs[i].name, c->name) == 0) {
				bench_error_set(&err, 0, "--env names %s twice", c->name);
				return command_usage_error("run", &err);
			}
		char reason[512] = "";
		int rc = env_choice_probe(c, reason, sizeof(reason));
		if (rc == -2) {
			bench_error_set(&err, 0, "%s: %s", c->name, reason);
			return command_usage_error("run", &err);
		}
		if (rc == -3) {
			fprintf(stderr, "bench run: --env %s %s: run as root or with sudo\n",
			        c->name, reason);
			return EXIT_UNAVAILABLE;
		}
		if (rc < 0) {
			fprintf(stderr, "bench run: environment '%s' is not available here: %s\n",
			        c->name, reason);
			return EXIT_UNAVAILABLE;
		}
		(*n)++;
	}
	if (*n == 0) {
		fprintf(stderr, "bench run: --env names no environment\n");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int prepare_run_dir(const char *dir, bool *own_dir, struct bench_error **err)
{
	struct stat st;
	*own_dir = false;
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
		return bench_error_set(err, 0, "--out %s exists and is not a directory", dir);
	if (stat(dir, &st) == 0)
		return 0;
	if (mkdir(dir, 0755) < 0)
		return bench_error_set(err, errno, "cannot create the run directory %s", dir);
	*own_dir = true;
	return 0;
}

int run_envs(const struct run_options *opts, const struct env_choice *envs, size_t n_envs,
             const struct catalog *cat, const struct topo *topo, const struct topo_binding *binding,
             const char *wl, const char *scratch, struct run_conditions *cond, struct run *run,
             struct runner_totals *totals, struct bench_error **err)
{
	struct runner_setup setup = {
	    .opts = opts,
	    .envs = envs,
	    .n_envs = n_envs,
	    .cat = cat,
	    .topo = topo,
	    .binding = binding,
	    .wl_path = wl,
	    .scratch_dir = scratch,
	};
	return runner_run(&setup, cond, run, totals, err);
}

int resolve_sizes(const char *command, const struct run_options *opts,
                  const struct env_choice *envs, size_t n_envs, const struct catalog *cat,
                  const struct topo *topo, const struct topo_binding *binding, const char *wl,
                  struct size_plan *plan)
{
	struct bench_error *err = NULL;
	int rc = size_plan_resolve(opts, envs, n_envs, cat, topo, binding, wl, plan, &err);
	if (rc == SIZES_USAGE)
		return command_usage_error(command, &err);
	if (rc < 0) {
		fprintf(stderr, "bench %s: choosing sizes: %s\n", command, err->msg);
		bench_error_free(&err);
		return agent_interrupted ? EXIT_INTERRUPTED : EXIT_FAILED;
	}
	if (!opts->quiet)
		size_plan_print(stderr, plan);
	return EXIT_OK;
}

void run_dir_choose(const char *out, const char *run_id, char dir[PATH_MAX])
{
	if (out != NULL) {
		snprintf(dir, PATH_MAX, "%s", out);
		return;
	}
	if (mkdir("results", 0755) < 0 && errno != EEXIST)
		fprintf(stderr, "bench: cannot create results/: %s\n", strerror(errno));
	snprintf(dir, PATH_MAX, "results/%s", run_id);
}

void scratch_prepare(struct scratch *s, const char *run_dir, const char *user_dir, bool needed)
{
	char path[PATH_MAX + 16];
	s->path[0] = '\0';
	s->owned = false;
	if (user_dir != NULL) {
		snprintf(path, sizeof(path), "%s", user_dir);
	} else if (needed) {
		snprintf(path, sizeof(path), "%s/scratch", run_dir);
		s->owned = mkdir(path, 0700) == 0;
		if (!s->owned && errno != EEXIST)
			fprintf(stderr, "bench: cannot create %s: %s\n", path, strerror(errno));
	} else {
		return;
	}
	/* Absolute, because the workload may see it from inside a container. */
	if (realpath(path, s->path) == NULL)
		snprintf(s->path, sizeof(s->path), "%.*s", (int)sizeof(s->path) - 1, path);
}

int scratch_room_check(const struct size_plan *plan, const char *scratch, size_t n_envs,
                       struct bench_error **err)
{
	struct statvfs fs;
	if (scratch == NULL || statvfs(scratch, &fs) != 0)
		return 0; /* no scratch directory (or not ours to judge): wl says */
	uint64_t room = (uint64_t)fs.f_bavail * fs.f_frsize;
	for (size_t i = 0; i < plan->n_choices; i++) {
		const struct size_choice *c = &plan->choice[i];
		if (c->kind != SIZE_DISK || c->size == 0)
			continue;
		/* Each environment's instance writes its own file in full. */
		uint64_t need = c->size * (n_envs ? n_envs : 1);
		if (need <= room)
			continue;
		char n[32], r[32];
		topo_fmt_bytes(need, n, sizeof(n));
		topo_fmt_bytes(room, r, sizeof(r));
		return bench_error_set(err, 0,
		                       "%s needs %s in %s (its span, written in full, once per "
		                       "environment) but only %s is free there: lower --size, or "
		                       "give --disk-dir on a larger file system",
		                       c->workload, n, scratch, r);
	}
	return 0;
}

void scratch_release(struct scratch *s)
{
	if (s->owned)
		rmdir(s->path); /* wl unlinks its files as soon as it creates them */
	s->owned = false;
}

json_t *timing_json(const struct runner_totals *t, const struct run_timing *split, double wall_s)
{
	double harness = wall_s - t->in_workload_s - t->env_s;
	json_t *doc =
	    json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}", "wall_s", wall_s, "in_workload_s",
	              t->in_workload_s, "timed_s", t->timed_s, "env_s", t->env_s, "harness_s",
	              harness, "harness_fraction", wall_s > 0 ? harness / wall_s : 0.0);
	json_t *by_phase = run_timing_to_json(split);
	json_object_update(doc, by_phase);
	json_decref(by_phase);
	return doc;
}

static json_t *invocation(int argc, char *argv[], const struct runner_totals *t,
                          const struct run_conditions *cond)
{
	json_t *args = json_array();
	json_array_append_new(args, json_string("bench"));
	for (int i = 0; i < argc; i++)
		json_array_append_new(args, json_string(argv[i]));
	return json_pack("{s:o, s:o, s:o}", "argv", args, "timing",
	                 timing_json(t, &t->timing, t->wall_s), "conditions",
	                 run_conditions_to_json(cond));
}

#define STEAL_WARN_LINES 3

void steal_warn(const char *cmd, const struct run *run)
{
	size_t n = 0;
	double worst = 0;
	const struct sample *worst_s = NULL;
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *s = &run->samples[i];
		double pct = json_number_value(json_object_get(s->steal, "pct"));
		if (s->failed || s->steal == NULL || pct < STEAL_NOTABLE_PCT ||
		    (i > 0 && strcmp(run->samples[i - 1].env, s->env) == 0 &&
		     strcmp(run->samples[i - 1].workload, s->workload) == 0))
			continue;
		if (pct > worst) {
			worst = pct;
			worst_s = s;
		}
		if (n++ >= STEAL_WARN_LINES)
			continue;
		double most = 0;
		json_t *per_rep = json_object_get(s->steal, "per_rep"), *v;
		size_t k;
		json_array_foreach(per_rep, k, v)
		{
			if (json_number_value(v) > most)
				most = json_number_value(v);
		}
		fprintf(
		    stderr,
		    "bench %s: warning: %s %s lost %.1f%% of CPU(s) %s's time to the hypervisor "
		    "under this host (steal, %.0f%% in its worst repetition): its figures include "
		    "that; compare them with runs of similar steal (samples[].steal)\n",
		    cmd, s->env, s->workload, pct,
		    json_string_value(json_object_get(s->steal, "cpus")), most);
	}
	if (n > STEAL_WARN_LINES)
		fprintf(stderr,
		        "bench %s: warning: steal reached %.0f%% in %zu (environment, workload) "
		        "pairs in all, at worst %.1f%% in %s %s; the report's notes list them\n",
		        cmd, STEAL_NOTABLE_PCT, n, worst, worst_s->env, worst_s->workload);
}

int run_session(const struct run_options *opts, int argc, char *argv[], struct run_session *s)
{
	memset(s, 0, sizeof(*s));
	const char *cmd = argv[0];
	struct bench_error *err = NULL;
	struct env_choice envs[MAX_ENVS];
	size_t n_envs = 0;
	int env_status = resolve_envs(opts->env, opts->runtime, envs, &n_envs);
	if (env_status != EXIT_OK)
		return env_status;
	char wl[PATH_MAX];
	wl_path_resolve(wl, sizeof(wl));
	struct catalog cat;
	if (load_catalog(wl, &cat) < 0)
		return EXIT_FAILED;
	size_t *sel = NULL, n_sel = 0;
	if (catalog_select(&cat, opts->workloads, &sel, &n_sel, &err) < 0) {
		catalog_free(&cat);
		return command_usage_error(cmd, &err);
	}
	free(sel);
	struct topo topo;
	if (topo_open(&topo, &err) < 0) {
		fprintf(stderr, "bench %s: %s\n", cmd, err->msg);
		bench_error_free(&err);
		catalog_free(&cat);
		return EXIT_FAILED;
	}
	/* The instance's CPUs first (--cpus, else a compact set that leaves the
	 * others to the peer and I/O threads), the same for every environment. */
	struct topo_binding binding;
	if (placement_instance(&topo, opts->cpus, opts->numa, opts->threads, &s->cond.instance,
	                       &err) < 0 ||
	    topo_resolve(&topo, placement_instance_cpus(&s->cond.instance), opts->numa,
	                 opts->threads, &binding, &err) < 0) {
		topo_close(&topo);
		catalog_free(&cat);
		return command_usage_error(cmd, &err);
	}
	if (binding.memory_locality != NULL && strcmp(binding.memory_locality, "local") != 0)
		fprintf(stderr,
		        "bench %s: note: memory on NUMA node %d, CPUs %s on node(s) %s: %s "
		        "placement (recorded in pinning.asked.memory_locality)\n",
		        cmd, binding.numa_node, binding.cpus_text, binding.cpu_nodes,
		        binding.memory_locality);
	/* Sizes and instance memory first (a --size no instance can hold is a
	 * usage error), then placements, interleaving and the warm-up rule,
	 * decided once for every environment; a bad --peer-cpus or --io-cpus is
	 * a usage error. */
	install_signal_handlers();
	env_reclaim_stale(); /* what killed runs left goes before anything starts */
	int sized = resolve_sizes(cmd, opts, envs, n_envs, &cat, &topo, &binding, wl, &s->sizes);
	if (sized != EXIT_OK) {
		topo_close(&topo);
		catalog_free(&cat);
		return sized;
	}
	s->cond.sizes = &s->sizes;
	if (run_conditions_resolve(opts, envs, n_envs, &topo, &binding,
	                           runner_networked(&cat, opts->workloads), &s->cond, &err) < 0) {
		topo_close(&topo);
		catalog_free(&cat);
		return command_usage_error(cmd, &err);
	}
	char run_id[128], created[32];
	make_run_id(run_id, sizeof(run_id), created, sizeof(created));
	run_dir_choose(opts->out_dir, run_id, s->dir);
	/* The run directory exists (or is made) before anything runs, so a bad
	 * --out fails in a second, not after the whole run. */
	bool own_dir = false;
	prepare_run_dir(s->dir, &own_dir, &err);
	if (err != NULL) {
		topo_close(&topo);
		catalog_free(&cat);
		return command_usage_error(cmd, &err);
	}
	run_init(&s->run, run_id);
	s->run.created = strdup(created);
	s->run.host = fingerprint_collect(&topo);
	int status = EXIT_OK;
	/* Everything is checked: wait for any other measuring bench. */
	int lock = hostlock_acquire(argc, argv, stderr, &err);
	if (lock < 0) {
		if (own_dir)
			rmdir(s->dir);
		fprintf(stderr, "bench %s: %s\n", cmd, err->msg);
		bench_error_free(&err);
		topo_close(&topo);
		catalog_free(&cat);
		return agent_interrupted ? EXIT_INTERRUPTED : EXIT_FAILED;
	}
	struct scratch scratch;
	scratch_prepare(&scratch, s->dir, opts->disk_dir, needs_scratch(&cat, opts->workloads));
	if (opts->disk_path == NULL &&
	    scratch_room_check(&s->sizes, scratch.path[0] ? scratch.path : NULL, n_envs, &err) <
	        0) {
		scratch_release(&scratch);
		hostlock_release(lock);
		if (own_dir)
			rmdir(s->dir);
		topo_close(&topo);
		catalog_free(&cat);
		return command_usage_error(cmd, &err);
	}
	int rc =
	    run_envs(opts, envs, n_envs, &cat, &topo, &binding, wl,
	             scratch.path[0] ? scratch.path : NULL, &s->cond, &s->run, &s->totals, &err);
	scratch_release(&scratch);
	hostlock_release(lock);
	if (rc < 0) {
		if (own_dir)
			rmdir(s->dir);
		fprintf(stderr, "bench %s: %s\n", cmd, err->msg);
		status = agent_interrupted ? EXIT_INTERRUPTED : EXIT_FAILED;
		bench_error_free(&err);
	} else {
		s->run.invocation = invocation(argc, argv, &s->totals, &s->cond);
		steal_warn(cmd, &s->run);
		if (n_envs > 1)
			s->run.overhead = overhead_for_run(&s->run, BASELINE_ENV);
		if (run_write(&s->run, s->dir, &err) < 0) {
			/* Nothing half-written stays: run_write removed its temp
			 * file, and the directory goes when this run made it. */
			if (own_dir)
				rmdir(s->dir);
			fprintf(stderr,
			        "bench %s: the results could not be written: %s; the "
			        "measurements are lost (exit %d)\n",
			        cmd, err->msg, EXIT_UNWRITTEN);
			bench_error_free(&err);
			status = EXIT_UNWRITTEN;
		} else {
			s->written = true;
			if (s->totals.failed > 0)
				status = EXIT_FAILED;
		}
	}
	topo_close(&topo);
	catalog_free(&cat);
	return status;
}

void run_session_free(struct run_session *s)
{
	run_conditions_free(&s->cond);
	run_free(&s->run);
}
