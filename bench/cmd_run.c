/* bench run: some environments, some workloads, one run file. */
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

#include "bench/commands.h"
#include "harness/env/env.h"
#include "harness/core/fingerprint.h"
#include "reports/overhead.h"
#include "harness/core/run_options.h"
#include "reports/run_table.h"
#include "harness/run/conditions.h"
#include "harness/run/runner.h"

static json_t *invocation(int argc, char *argv[], const struct runner_totals *t,
                          const struct run_conditions *cond)
{
	json_t *args = json_array();
	json_array_append_new(args, json_string("bench"));
	for (int i = 0; i < argc; i++)
		json_array_append_new(args, json_string(argv[i]));
	double harness = runner_harness_s(t);
	return json_pack("{s:o, s:{s:f, s:f, s:f, s:f, s:f, s:f}, s:o}", "argv", args, "timing",
	                 "wall_s", t->wall_s, "in_workload_s", t->in_workload_s, "timed_s",
	                 t->timed_s, "env_s", t->env_s, "harness_s", harness, "harness_fraction",
	                 t->wall_s > 0 ? harness / t->wall_s : 0.0, "conditions",
	                 run_conditions_to_json(cond));
}

int cmd_run(int argc, char *argv[])
{
	struct run_options opts;
	struct bench_error *err = NULL;
	if (run_options_parse(argc, argv, &opts, &err) < 0)
		return command_usage_error("run", &err);
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
		return command_usage_error("run", &err);
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
		return command_usage_error("run", &err);
	}
	/* Placements, interleaving and the warm-up rule, decided once for every
	 * environment; a bad --peer-cpus or --io-cpus is a usage error. */
	struct run_conditions cond = {0};
	if (run_conditions_resolve(&opts, envs, n_envs, &topo, &binding,
	                           runner_networked(&cat, opts.workloads), &cond, &err) < 0) {
		run_conditions_free(&cond);
		topo_close(&topo);
		catalog_free(&cat);
		return command_usage_error("run", &err);
	}
	char run_id[128], created[32], dir[PATH_MAX];
	make_run_id(run_id, sizeof(run_id), created, sizeof(created));
	run_dir_choose(opts.out_dir, run_id, dir);
	/* The run directory exists (or is made) before anything runs, so a bad
	 * --out fails in a second, not after the whole run. */
	bool own_dir = false;
	prepare_run_dir(dir, &own_dir, &err);
	if (err != NULL) {
		run_conditions_free(&cond);
		topo_close(&topo);
		catalog_free(&cat);
		return command_usage_error("run", &err);
	}
	struct run run;
	run_init(&run, run_id);
	run.created = strdup(created);
	run.host = fingerprint_collect(&topo);
	install_signal_handlers();
	struct runner_totals totals;
	int status = EXIT_OK;
	struct scratch scratch;
	scratch_prepare(&scratch, dir, opts.disk_dir, needs_scratch(&cat, opts.workloads));
	int rc = run_envs(&opts, envs, n_envs, &cat, &topo, &binding, wl,
	                  scratch.path[0] ? scratch.path : NULL, &cond, &run, &totals, &err);
	scratch_release(&scratch);
	if (rc < 0) {
		if (own_dir)
			rmdir(dir);
		fprintf(stderr, "bench run: %s\n", err->msg);
		status = agent_interrupted ? EXIT_INTERRUPTED : EXIT_FAILED;
		bench_error_free(&err);
	} else {
		run.invocation = invocation(argc, argv, &totals, &cond);
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
				printf("\nrun file: %s/run.json (%.1f s; instances' start/stop "
				       "%.1f s; "
				       "harness overhead %.1f%%)\n",
				       dir, totals.wall_s, totals.env_s,
				       totals.wall_s > 0
				           ? 100 * runner_harness_s(&totals) / totals.wall_s
				           : 0.0);
			}
			run_conditions_print_warnings(stderr, &cond);
			if (totals.failed > 0) {
				fprintf(stderr,
				        "bench run: %u workload(s) failed; see the run file\n",
				        totals.failed);
				status = EXIT_FAILED;
			}
		}
	}
	run_conditions_free(&cond);
	run_free(&run);
	topo_close(&topo);
	catalog_free(&cat);
	return status;
}
