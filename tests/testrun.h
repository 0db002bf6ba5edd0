/* For integration tests: reading the run file a real bench wrote. Include
 * after cmocka.h. */
#ifndef BENCH_TESTRUN_H
#define BENCH_TESTRUN_H

#include <limits.h>
#include <stdio.h>

#include "harness/core/catalog.h"
#include "harness/core/result.h"
#include "harness/core/run_options.h"
#include "harness/core/topo.h"
#include "harness/env/env.h"
#include "harness/run/conditions.h"
#include "harness/run/runner.h"
#include "harness/run/sizes.h"
#include "testutil.h"

/* dir/run.json, read and validated; the test fails with the reader's
 * message when it is rejected. The caller frees it with run_free. */
static inline struct run read_run(const char *dir)
{
	char file[PATH_MAX + 16];
	snprintf(file, sizeof(file), "%s/run.json", dir);
	struct run run;
	struct bench_error *err = NULL;
	if (run_read(file, &run, &err) < 0)
		fail_msg("%s rejected: %s", file, err->msg);
	return run;
}

/* Results a nested test bed brought back (test_xen, test_numa_bed): skips
 * the calling test, naming the make target that produces them, when dir
 * (from the environment) is unset. */
#define NEED_BED_RESULTS(dir, target)                                                              \
	do {                                                                                       \
		if ((dir) == NULL || (dir)[0] == '\0') {                                           \
			print_message("skipped: no results of the test bed (run make %s)\n",       \
			              target);                                                     \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

/* The whole of the small file dir/name, NUL-terminated, into buf; the test
 * fails when it is missing. Returns buf. */
static inline const char *bed_slurp(const char *dir, const char *name, char *buf, size_t len)
{
	char path[2 * PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		fail_msg("%s is missing", path);
	size_t n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* o[key] as a string, "" when it is not one. */
static inline const char *json_str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "";
}

/* "" when `bench list` says environment name can run here, else its
 * reason, into reason[0..len). */
static inline void env_unavailable(const char *bench, const char *name, char *reason, size_t len)
{
	char *argv[] = {(char *)bench, "list", "--json", NULL};
	struct cmd_result r = run_cmd(argv);
	json_t *doc = json_loads(r.out, 0, NULL);
	json_t *envs = json_object_get(doc, "environments");
	snprintf(reason, len, "%s is not in `bench list`", name);
	for (size_t i = 0; i < json_array_size(envs); i++) {
		json_t *e = json_array_get(envs, i);
		if (strcmp(json_string_value(json_object_get(e, "name")), name) != 0)
			continue;
		if (json_is_true(json_object_get(e, "available")))
			reason[0] = '\0';
		else
			snprintf(reason, len, "%s",
			         json_string_value(json_object_get(e, "reason")));
	}
	json_decref(doc);
	cmd_result_free(&r);
}

/* Runs one workload in environment env_name through the library with a
 * size plan the rule would never make: the instance gets memory bytes and
 * the workload size bytes (the rule refuses a size that cannot fit before
 * anything starts; tests of what happens when an instance does run out of
 * memory need this path). CPU 0, one measured repetition. The caller
 * frees the run with run_free. */
static inline struct run run_with_forced_size(const char *env_name, uint64_t memory,
                                              const char *workload, uint64_t size)
{
	struct bench_error *err = NULL;
	signal(SIGPIPE, SIG_IGN); /* as bench does: a dead agent's pipe is an error */
	char rel[PATH_MAX], wl[PATH_MAX];
	if (realpath(build_path("wl", rel), wl) == NULL)
		fail_msg("%s: %s", rel, strerror(errno));
	setenv("BENCH_WL", wl, 1); /* backends find wl (and the guest image) from it */
	struct catalog cat;
	struct topo topo;
	struct topo_binding binding;
	if (catalog_load(wl, &cat, &err) < 0 || topo_open(&topo, &err) < 0 ||
	    topo_resolve(&topo, "0", -1, 1, &binding, &err) < 0)
		fail_msg("%s", err->msg);
	char *argv[] = {"run",    "--env", (char *)env_name, "--workload", (char *)workload,
	                "--reps", "1",     "--quiet",        NULL};
	struct run_options opts;
	if (run_options_parse(8, argv, &opts, &err) < 0)
		fail_msg("%s", err->msg);
	struct size_plan plan = {.n_envs = 1, .n_choices = 1, .llc_bytes = topo_llc_bytes(&topo)};
	plan.env[0] = (struct size_env_plan){.memory = memory};
	snprintf(plan.env[0].name, sizeof(plan.env[0].name), "%s", env_name);
	snprintf(plan.env[0].reason, sizeof(plan.env[0].reason), "forced by the test");
	plan.choice[0] = (struct size_choice){
	    .kind = size_kind_of(workload, true, false), .size = size, .below_4x_llc = true};
	snprintf(plan.choice[0].workload, sizeof(plan.choice[0].workload), "%s", workload);
	snprintf(plan.choice[0].reason, sizeof(plan.choice[0].reason), "forced by the test");
	struct env_choice env;
	if (env_choose(env_name, NULL, &env, &err) < 0)
		fail_msg("%s", err->msg);
	struct run_conditions cond = {.quiet_warnings = true, .sizes = &plan};
	if (run_conditions_resolve(&opts, &env, 1, &topo, &binding, false, &cond, &err) < 0)
		fail_msg("conditions: %s", err->msg);
	struct runner_setup setup = {.opts = &opts,
	                             .envs = &env,
	                             .n_envs = 1,
	                             .cat = &cat,
	                             .topo = &topo,
	                             .binding = &binding,
	                             .wl_path = wl};
	struct run run;
	run_init(&run, "forced-size");
	struct runner_totals totals;
	if (runner_run(&setup, &cond, &run, &totals, &err) < 0)
		fail_msg("runner_run: %s", err->msg);
	run_conditions_free(&cond);
	topo_close(&topo);
	catalog_free(&cat);
	return run;
}

#endif
