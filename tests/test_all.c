/* Integration: bench all, end to end on this host with a small selection:
 * matched runs, density, the run file and the rendered report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/core/result.h"
#include "testrun.h"
#include "testutil.h"

static char bench[PATH_MAX];

static bool file_nonempty(const char *dir, const char *name)
{
	char path[PATH_MAX + 64];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 && st.st_size > 0;
}

static void quick_bare(void **state)
{
	(void)state;
	char dir[PATH_MAX], report[PATH_MAX + 16];
	build_path("all-XXXXXX", dir);
	assert_non_null(mkdtemp(dir));
	/* a 20 s budget with no costs measured yet (a costs directory of its
	 * own): two density studies of at least 10 s each cannot fit with the
	 * workloads, so the plan cuts repetitions and warm-ups, says it is
	 * still over, and the run measures the costs for the next one */
	char costs[PATH_MAX + 16], costs_file[PATH_MAX + 32];
	snprintf(costs, sizeof(costs), "%s/costs", dir);
	snprintf(costs_file, sizeof(costs_file), "%s/costs.json", costs);
	setenv("BENCH_COSTS_DIR", costs, 1);
	char *argv[] = {bench,      "all",  "--profile",   "quick",
	                "--envs",   "bare", "--workloads", "os.syscall,cpu.int,disk.rand_read",
	                "--budget", "20",   "--out",       dir,
	                "--quiet",  NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 0)
		fail_msg("bench all exited %d: %s", r.status, r.err);
	assert_non_null(strstr(r.out, "report.html"));
	struct run run = read_run(dir);
	assert_true(run.n_samples >= 5);
	assert_int_equal(json_array_size(run.density), 2); /* idle + cpu.int */
	json_t *envs = json_object_get(run.invocation, "environments");
	assert_true(json_array_size(envs) >= 1);
	assert_string_equal(json_string_value(json_object_get(run.invocation, "profile")), "quick");
	/* the time split: bare's phases, bench all's steps, printed at the end */
	json_t *timing = json_object_get(run.invocation, "timing");
	double wall = json_real_value(json_object_get(timing, "wall_s"));
	json_t *bare = json_object_get(json_object_get(timing, "by_env"), "bare");
	assert_true(json_real_value(json_object_get(bare, "measure_s")) > 0);
	assert_true(json_real_value(json_object_get(bare, "setup_s")) > 0);
	assert_true(json_real_value(json_object_get(bare, "total_s")) <= wall);
	json_t *steps = json_object_get(timing, "steps");
	assert_true(json_real_value(json_object_get(steps, "workloads_s")) >=
	            json_real_value(json_object_get(bare, "total_s")));
	assert_true(json_real_value(json_object_get(steps, "density_s")) > 0);
	assert_true(
	    json_real_value(json_object_get(json_object_get(steps, "density_by_env"), "bare")) > 0);
	json_t *budget = json_object_get(timing, "budget");
	const char *duration = json_string_value(json_object_get(budget, "duration"));
	assert_non_null(duration);
	assert_string_equal(duration, "0.10"); /* the first cut: the shortest repetitions */
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(run.samples[0].config, "asked"), "duration")),
	                    duration);
	assert_int_equal(json_integer_value(json_object_get(budget, "costs_known")), 0);
	assert_false(json_is_true(json_object_get(budget, "fits")));
	json_t *cuts = json_object_get(budget, "cuts");
	assert_true(json_array_size(cuts) >= 2);
	assert_non_null(
	    strstr(json_string_value(json_array_get(cuts, 0)), "warm-ups at most 3 -> 1"));
	assert_non_null(strstr(r.out, "budget cut: even so the plan needs about"));
	/* per workload, and the costs kept for the next plan */
	json_t *by_wl = json_object_get(timing, "by_workload");
	assert_true(
	    json_real_value(json_object_get(
	        json_object_get(json_object_get(by_wl, "disk.rand_read"), "bare"), "setup_s")) > 0);
	json_t *kept = json_load_file(costs_file, 0, NULL);
	assert_non_null(kept);
	assert_non_null(json_object_get(json_object_get(kept, "starts"), "bare"));
	assert_true(json_object_size(json_object_get(kept, "workloads")) >= 3);
	json_decref(kept);
	unsetenv("BENCH_COSTS_DIR");
	assert_non_null(strstr(r.out, "time: "));
	assert_non_null(strstr(r.out, "budget 20 s"));
	assert_non_null(strstr(r.out, "warmup"));
	run_free(&run);
	snprintf(report, sizeof(report), "%s/report", dir);
	assert_true(file_nonempty(report, "report.html"));
	assert_true(file_nonempty(report, "summary.md"));
	assert_true(file_nonempty(report, "samples.csv"));
	assert_true(file_nonempty(report, "bars-os.syscall-ns_call.png"));
	cmd_result_free(&r);
	remove_tree(dir);
}

static void usage_errors(void **state)
{
	(void)state;
	char *bad_profile[] = {bench, "all", "--profile", "huge", NULL};
	struct cmd_result r = run_cmd(bad_profile);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "quick, standard, full"));
	cmd_result_free(&r);
	char *bad_opt[] = {bench, "all", "--frob", NULL};
	r = run_cmd(bad_opt);
	assert_int_equal(r.status, 2);
	cmd_result_free(&r);
	char *help[] = {bench, "all", "--help", NULL};
	r = run_cmd(help);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "standard"));
	cmd_result_free(&r);
}

int main(void)
{
	build_path("bench", bench);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(quick_bare),
	    cmocka_unit_test(usage_errors),
	};
	return cmocka_run_group_tests_name("bench all", tests, NULL, NULL);
}
