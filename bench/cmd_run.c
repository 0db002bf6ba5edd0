/* bench run: one environment, some workloads, one run file. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "env.h"
#include "fingerprint.h"
#include "overhead.h"
#include "run_options.h"
#include "run_table.h"
#include "runner.h"

/* True when a selected workload takes a scratch directory (disk). */
static bool needs_scratch(const struct catalog *cat, const char *list)
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

static void install_signal_handlers(void)
{
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: waits wake up */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* "20261124-193000-host-1234" and "2026-11-24T19:30:00Z". */
static void make_run_id(char *id, size_t id_len, char *created, size_t created_len)
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

static json_t *invocation(int argc, char *argv[], const struct runner_totals *t)
{
	json_t *args = json_array();
	json_array_append_new(args, json_string("bench"));
	for (int i = 0; i < argc; i++)
		json_array_append_new(args, json_string(argv[i]));
	double harness = t->wall_s - t->in_workload_s;
	return json_pack("{s:o, s:{s:f, s:f, s:f, s:f, s:f}}", "argv", args, "timing", "wall_s",
	                 t->wall_s, "in_workload_s", t->in_workload_s, "timed_s", t->timed_s,
	                 "harness_s", harness, "harness_fraction",
	                 t->wall_s > 0 ? harness / t->wall_s : 0.0);
}

static int usage_error(struct bench_error **err)
{
	fprintf(stderr, "bench run: %s\n(see bench run --help)\n", (*err)->msg);
	bench_error_free(err);
	return EXIT_USAGE;
}

#define MAX_ENVS     8
#define BASELINE_ENV "bare"

/* --env LIST: every name known (else exit 2 with the valid ones) and able
 * to run here (else exit 3 with its reason). */
static int resolve_envs(const char *list, const struct env_ops *envs[MAX_ENVS], size_t *n)
{
	char copy[256], *save = NULL;
	snprintf(copy, sizeof(copy), "%s", list);
	*n = 0;
	for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		const struct env_ops *env = env_find(name);
		if (env == NULL) {
			char names[256];
			struct bench_error *err = NULL;
			env_names(names, sizeof(names));
			bench_error_set(&err, 0, "unknown environment '%s' (valid: %s)", name,
			                names);
			return usage_error(&err);
		}
		char reason[512] = "";
		if (env->probe(reason, sizeof(reason)) < 0) {
			fprintf(stderr, "bench run: environment '%s' is not available here: %s\n",
			        env->name, reason);
			return EXIT_UNAVAILABLE;
		}
		if (*n == MAX_ENVS) {
			fprintf(stderr, "bench run: at most %d environments\n", MAX_ENVS);
			return EXIT_USAGE;
		}
		envs[(*n)++] = env;
	}
	if (*n == 0) {
		fprintf(stderr, "bench run: --env names no environment\n");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* Runs the workloads in each environment in turn, adding up the totals. */
static int run_envs(const struct run_options *opts, const struct env_ops *const *envs,
                    size_t n_envs, const struct catalog *cat, const struct topo *topo,
                    const struct topo_binding *binding, const char *wl, const char *scratch,
                    struct run *run, struct runner_totals *totals, struct bench_error **err)
{
	memset(totals, 0, sizeof(*totals));
	for (size_t i = 0; i < n_envs; i++) {
		struct runner_totals t;
		if (runner_run(opts, envs[i], cat, topo, binding, wl, scratch, run, &t, err) < 0)
			return -1;
		totals->wall_s += t.wall_s;
		totals->in_workload_s += t.in_workload_s;
		totals->timed_s += t.timed_s;
		totals->failed += t.failed;
	}
	return 0;
}

int cmd_run(int argc, char *argv[])
{
	struct run_options opts;
	struct bench_error *err = NULL;
	if (run_options_parse(argc, argv, &opts, &err) < 0)
		return usage_error(&err);
	if (opts.help) {
		printf(run_options_usage);
		return EXIT_OK;
	}
	const struct env_ops *envs[MAX_ENVS];
	size_t n_envs = 0;
	int env_status = resolve_envs(opts.env, envs, &n_envs);
	if (env_status != EXIT_OK)
		return env_status;
	char wl[PATH_MAX];
	wl_path_resolve(wl, sizeof(wl));
	struct catalog cat;
	if (load_catalog(wl, &cat) < 0)
		return EXIT_FAILED;
	size_t *sel = NULL, n_sel = 0;
	if (catalog_select(&cat, opts.workloads, &sel, &n_sel, &err) < 0) {
		catalog_free(&cat);
		return usage_error(&err);
	}
	free(sel);
	struct topo topo;
	if (topo_open(&topo, &err) < 0) {
		fprintf(stderr, "bench run: %s\n", err->msg);
		bench_error_free(&err);
		catalog_free(&cat);
		return EXIT_FAILED;
	}
	struct topo_binding binding;
	if (topo_resolve(&topo, opts.cpus, opts.numa, opts.threads, &binding, &err) < 0) {
		topo_close(&topo);
		catalog_free(&cat);
		return usage_error(&err);
	}
	char run_id[128], created[32], dir[PATH_MAX];
	make_run_id(run_id, sizeof(run_id), created, sizeof(created));
	if (opts.out_dir != NULL) {
		snprintf(dir, sizeof(dir), "%s", opts.out_dir);
	} else {
		if (mkdir("results", 0755) < 0 && errno != EEXIST)
			fprintf(stderr, "bench run: cannot create results/: %s\n", strerror(errno));
		snprintf(dir, sizeof(dir), "results/%s", run_id);
	}
	/* The run directory exists (or is made) before anything runs, so a bad
	 * --out fails in a second, not after the whole run. */
	bool own_dir = false;
	struct stat st;
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
		bench_error_set(&err, 0, "--out %s exists and is not a directory", dir);
	} else if (stat(dir, &st) < 0) {
		if (mkdir(dir, 0755) < 0)
			bench_error_set(&err, errno, "cannot create the run directory %s", dir);
		else
			own_dir = true;
	}
	if (err != NULL) {
		topo_close(&topo);
		catalog_free(&cat);
		return usage_error(&err);
	}
	struct run run;
	run_init(&run, run_id);
	run.created = strdup(created);
	run.host = fingerprint_collect(&topo);
	install_signal_handlers();
	struct runner_totals totals;
	int status = EXIT_OK;
	char scratch[PATH_MAX + 16] = "";
	bool own_scratch = false;
	if (opts.disk_dir != NULL) {
		snprintf(scratch, sizeof(scratch), "%s", opts.disk_dir);
	} else if (needs_scratch(&cat, opts.workloads)) {
		snprintf(scratch, sizeof(scratch), "%s/scratch", dir);
		own_scratch = mkdir(scratch, 0700) == 0;
		if (!own_scratch && errno != EEXIST)
			fprintf(stderr, "bench run: cannot create %s: %s\n", scratch,
			        strerror(errno));
	}
	/* Absolute, because the workload may see it from inside a container. */
	char scratch_abs[PATH_MAX] = "";
	if (scratch[0] != '\0' && realpath(scratch, scratch_abs) == NULL)
		snprintf(scratch_abs, sizeof(scratch_abs), "%s", scratch);
	int rc = run_envs(&opts, envs, n_envs, &cat, &topo, &binding, wl,
	                  scratch_abs[0] ? scratch_abs : NULL, &run, &totals, &err);
	if (own_scratch)
		rmdir(scratch); /* wl unlinks its files as soon as it creates them */
	if (rc < 0) {
		if (own_dir)
			rmdir(dir);
		fprintf(stderr, "bench run: %s\n", err->msg);
		status = agent_interrupted ? EXIT_INTERRUPTED : EXIT_FAILED;
		bench_error_free(&err);
	} else {
		run.invocation = invocation(argc, argv, &totals);
		if (n_envs > 1)
			run.overhead = overhead_for_run(&run, BASELINE_ENV);
		if (run_write(&run, dir, &err) < 0) {
			fprintf(stderr, "bench run: %s\n", err->msg);
			bench_error_free(&err);
			status = EXIT_FAILED;
		} else {
			if (opts.json) {
				json_t *doc = run_to_json(&run);
				json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
				printf("\n");
				json_decref(doc);
			} else {
				run_print_table(stdout, &run);
				if (run.overhead != NULL)
					overhead_print_table(stdout, run.overhead);
				printf(
				    "\nrun file: %s/run.json (harness overhead %.1f%% of %.1f s)\n",
				    dir,
				    totals.wall_s > 0
				        ? 100 * (totals.wall_s - totals.in_workload_s) /
				              totals.wall_s
				        : 0.0,
				    totals.wall_s);
			}
			if (totals.failed > 0) {
				fprintf(stderr,
				        "bench run: %u workload(s) failed; see the run file\n",
				        totals.failed);
				status = EXIT_FAILED;
			}
		}
	}
	run_free(&run);
	topo_close(&topo);
	catalog_free(&cat);
	return status;
}
