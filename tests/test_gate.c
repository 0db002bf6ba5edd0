/* Integration: the regression gate on this host with real runs.
 * - a true regression: NEW in a container with --cpu-limit 0.8 (bare and
 *   container, cpu.int and os.syscall) against BASE, with the run-to-run
 *   variation of CALIBRATION_RUNS runs of the same build (BASE among them)
 *   in a history: the test is welch_t+between_runs, container cpu.int is a
 *   regression (exit 4, a JUnit failure), bare's metrics (which the limit
 *   cannot touch) are not; without declaring cpu_limit the comparison is
 *   refused;
 * - refusal: THP madvise for BASE, never for NEW (set through sysfs and
 *   restored afterwards, also when the test fails or is signalled);
 * - bench gate end to end: no baseline yet (exit 5), history seeded, the
 *   gate run compared with it, outputs written, run added, the comparison
 *   report drawn, --bisect exits 0, 1 or 125.
 * Skipped, with the reason, where the container environment cannot run. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "harness/core/fingerprint.h"
#include "testrun.h"
#include "testutil.h"

#define THP "/sys/kernel/mm/transparent_hugepage/enabled"

/* Runs of the base build in the history for the between-run term: its t
 * quantile has CALIBRATION_RUNS - 1 df, so this sets the smallest
 * regression the check can see (README, regression gate). */
#define CALIBRATION_RUNS 5

static char bench[PATH_MAX], unavailable[512], dir[PATH_MAX];
static char thp_saved[32];

static void thp_restore(void)
{
	if (thp_saved[0] == '\0')
		return;
	FILE *f = fopen(THP, "w");
	if (f != NULL) {
		fputs(thp_saved, f);
		fclose(f);
	}
}

static void on_signal(int sig)
{
	thp_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int thp_set(const char *mode)
{
	FILE *f = fopen(THP, "w");
	if (f == NULL)
		return -1;
	int rc = fputs(mode, f) < 0 ? -1 : 0;
	return fclose(f) != 0 ? -1 : rc;
}

static int setup(void **state)
{
	(void)state;
	build_path("bench", bench);
	env_unavailable(bench, "container", unavailable, sizeof(unavailable));
	if (make_build_tmpdir("gate-", dir) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	thp_restore();
	remove_tree(dir);
	return 0;
}

static struct cmd_result bench_run(const char *out, const char *envs, const char *extra)
{
	char *argv[32] = {
	    bench,    "run",       "--env",      (char *)envs, "--workload", "cpu.int,os.syscall",
	    "--reps", "10",        "--duration", "0.2",        "--cpus",     "0",
	    "--out",  (char *)out, "--quiet"};
	int n = 15;
	if (extra != NULL) {
		argv[n++] = "--cpu-limit";
		argv[n++] = (char *)extra;
	}
	argv[n] = NULL;
	return run_cmd(argv);
}

static double mean_of(const struct run *run, const char *env, const char *workload)
{
	for (size_t i = 0; i < run->n_samples; i++)
		if (strcmp(run->samples[i].env, env) == 0 &&
		    strcmp(run->samples[i].workload, workload) == 0 && !run->samples[i].failed)
			return run->samples[i].stats.mean;
	fail_msg("no %s/%s sample", env, workload);
	return 0;
}

/* The verdict can only show the limit when the host gave the container
 * more than 0.8 CPU to begin with and its load did not change between the
 * runs: bare cpu.int, which the limit cannot touch, is the control. NULL
 * when both hold, else why not. */
static const char *uncontended(const char *base, const char *new_, char *why, size_t len)
{
	struct run b = read_run(base), n = read_run(new_);
	double bare_b = mean_of(&b, "bare", "cpu.int"), bare_n = mean_of(&n, "bare", "cpu.int");
	double ct_b = mean_of(&b, "container", "cpu.int");
	run_free(&b);
	run_free(&n);
	if (ct_b < 0.9 * bare_b)
		snprintf(why, len,
		         "the unlimited container got %.0f%% of bare's cpu.int: the host is "
		         "contended, a 0.8 CPU limit cannot show",
		         100 * ct_b / bare_b);
	else if (bare_n < 0.95 * bare_b || bare_n > 1.05 * bare_b)
		snprintf(why, len,
		         "bare cpu.int (the control) moved %+.1f%% between the runs: the "
		         "host's load changed",
		         100 * (bare_n / bare_b - 1));
	else
		return NULL;
	return why;
}

/* The limit's effect (about -20% to -26% of container cpu.int) can only
 * be flagged when the run-to-run variation measured by the calibration
 * leaves it detectable: the change the comparison can see (mde_pct) plus
 * the tolerance must stay under 20%. NULL when it does, else why not. */
static const char *detectable(const char *cmpdir, char *why, size_t len)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%.4000s/comparison.json", cmpdir);
	json_t *doc = json_load_file(path, 0, NULL);
	assert_non_null(doc);
	const char *reason = NULL;
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(doc, "metrics"), i, m)
	{
		if (strcmp(json_string_value(json_object_get(m, "env")), "container") != 0 ||
		    strcmp(json_string_value(json_object_get(m, "workload")), "cpu.int") != 0)
			continue;
		assert_string_equal(json_string_value(json_object_get(m, "test")),
		                    "welch_t+between_runs");
		double mde = json_number_value(json_object_get(m, "mde_pct"));
		double tol = json_number_value(json_object_get(m, "tolerance_pct"));
		double cv = json_number_value(
		    json_object_get(json_object_get(m, "between_runs"), "cv_pct"));
		if (!(mde + tol < 20)) {
			snprintf(why, len,
			         "the calibration measured a run-to-run CV of %.1f%% for container "
			         "cpu.int: a change under %.0f%% (detectable %.1f%% + tolerance) "
			         "cannot be told from host drift",
			         cv, mde + tol, mde);
			reason = why;
		}
	}
	json_decref(doc);
	return reason;
}

static void true_regression(void **state)
{
	(void)state;
	if (unavailable[0]) {
		print_message("skipped: container unavailable: %s\n", unavailable);
		skip();
	}
	char base[PATH_MAX], new_[PATH_MAX], junit[PATH_MAX], db[PATH_MAX];
	snprintf(base, sizeof(base), "%.4000s/base", dir);
	snprintf(new_, sizeof(new_), "%.4000s/new", dir);
	snprintf(junit, sizeof(junit), "%.4000s/j.xml", dir);
	snprintf(db, sizeof(db), "%.4000s/cal.sqlite", dir);
	struct cmd_result r;
	for (int i = CALIBRATION_RUNS - 1; i >= 0; i--) { /* BASE last */
		char cal[PATH_MAX + 16];
		snprintf(cal, sizeof(cal), "%.4000s/cal-%d", dir, i);
		r = bench_run(i == 0 ? base : cal, "bare,container", NULL);
		assert_int_equal(r.status, 0);
		cmd_result_free(&r);
		char *add[] = {bench, "history", "add", i == 0 ? base : cal, "--db", db, NULL};
		r = run_cmd(add);
		assert_int_equal(r.status, 0);
		cmd_result_free(&r);
	}
	r = bench_run(new_, "bare,container", "0.8");
	if (r.status != 0)
		fail_msg("bench run --cpu-limit 0.8: %s", r.err);
	cmd_result_free(&r);
	struct run run = read_run(new_);
	for (size_t i = 0; i < run.n_samples; i++) {
		json_t *limit = json_object_get(json_object_get(run.samples[i].pinning, "backend"),
		                                "cpu_limit");
		if (strcmp(run.samples[i].env, "container") == 0)
			assert_int_equal(json_integer_value(json_object_get(limit, "quota_us")),
			                 80000);
	}
	run_free(&run);
	/* undeclared: refused */
	char *refused[] = {bench, "compare", base, new_, "--db", db, NULL};
	r = run_cmd(refused);
	assert_int_equal(r.status, 5);
	assert_non_null(strstr(r.out, "pinning.backend.cpu_limit"));
	assert_non_null(strstr(r.out, "--expect cpu_limit"));
	cmd_result_free(&r);
	char cmpdir[PATH_MAX + 16];
	snprintf(cmpdir, sizeof(cmpdir), "%.4000s/cmp", dir);
	char *argv[] = {bench, "compare", base, new_,    "--expect", "cpu_limit", "--junit",
	                junit, "--db",    db,   "--out", cmpdir,     NULL};
	r = run_cmd(argv);
	print_message("%s", r.out);
	assert_non_null(strstr(r.out, "welch_t+between_runs"));
	assert_null(strstr(r.out, "not measured"));
	char why[256];
	if (uncontended(base, new_, why, sizeof(why)) != NULL ||
	    detectable(cmpdir, why, sizeof(why)) != NULL) {
		cmd_result_free(&r);
		print_message("skipped the verdict check: %s (rerun on a quiet host)\n", why);
		skip();
	}
	assert_int_equal(r.status, 4);
	cmd_result_free(&r);
	char *check[] = {"/usr/bin/python3", "tests/junit_check.py", junit, NULL};
	r = run_cmd(check);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "case container cpu.int ops failure regression"));
	assert_null(strstr(r.out, "case bare cpu.int ops failure"));
	assert_null(strstr(r.out, "case bare os.syscall ns_per_call failure"));
	cmd_result_free(&r);
}

static void thp_refusal(void **state)
{
	(void)state;
	char line[128] = "";
	if (read_first_line(THP, line, sizeof(line)) < 0 || access(THP, W_OK) < 0) {
		print_message("skipped: %s cannot be changed here\n", THP);
		skip();
	}
	/* the bracketed mode is the one in force */
	char *open_ = strchr(line, '['), *close_ = open_ ? strchr(open_, ']') : NULL;
	assert_non_null(close_);
	snprintf(thp_saved, sizeof(thp_saved), "%.*s", (int)(close_ - open_ - 1), open_ + 1);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGSEGV, on_signal);
	signal(SIGABRT, on_signal);
	char a[PATH_MAX + 8], b[PATH_MAX + 8];
	snprintf(a, sizeof(a), "%s/thp-a", dir);
	snprintf(b, sizeof(b), "%s/thp-b", dir);
	char *run_a[] = {bench,    "run", "--env",      "bare", "--workload", "cpu.int",
	                 "--reps", "3",   "--duration", "0.1",  "--cpus",     "0",
	                 "--out",  a,     "--quiet",    NULL};
	assert_int_equal(thp_set("madvise"), 0);
	struct cmd_result r = run_cmd(run_a);
	assert_int_equal(r.status, 0);
	cmd_result_free(&r);
	assert_int_equal(thp_set("never"), 0);
	run_a[13] = b;
	r = run_cmd(run_a);
	thp_restore();
	assert_int_equal(r.status, 0);
	cmd_result_free(&r);
	char *cmp[] = {bench, "compare", a, b, NULL};
	r = run_cmd(cmp);
	assert_int_equal(r.status, 5);
	assert_non_null(strstr(r.out, "host.thp: madvise -> never"));
	assert_non_null(strstr(r.out, "[--expect thp]"));
	cmd_result_free(&r);
	char *declared[] = {bench, "compare", a, b, "--expect", "thp", NULL};
	r = run_cmd(declared);
	assert_int_not_equal(r.status, 5);
	assert_non_null(strstr(r.out, "declared"));
	cmd_result_free(&r);
}

static void gate_end_to_end(void **state)
{
	(void)state;
	char gatefile[PATH_MAX + 16], db[PATH_MAX + 16], out1[PATH_MAX + 8], out2[PATH_MAX + 8];
	snprintf(gatefile, sizeof(gatefile), "%s/gate.yaml", dir);
	snprintf(db, sizeof(db), "%s/h.sqlite", dir);
	snprintf(out1, sizeof(out1), "%s/g1", dir);
	snprintf(out2, sizeof(out2), "%s/g2", dir);
	FILE *f = fopen(gatefile, "w");
	fprintf(f,
	        "envs: [bare]\nworkloads: [cpu.int]\nrun: {reps: 5, duration: 0.1, cpus: '0'}\n"
	        "tolerance: 10\ndb: %s\nbaseline: 'history:'\n",
	        db);
	fclose(f);
	char *gate1[] = {bench, "gate", gatefile, "--out", out1, "--quiet", NULL};
	struct cmd_result r = run_cmd(gate1);
	assert_int_equal(r.status, 5); /* nothing to compare with yet */
	assert_non_null(strstr(r.err, "bench history add"));
	cmd_result_free(&r);
	char *add[] = {bench, "history", "add", out1, "--db", db, NULL};
	r = run_cmd(add);
	assert_int_equal(r.status, 0);
	cmd_result_free(&r);
	char *gate2[] = {bench, "gate", gatefile, "--out", out2, "--quiet", NULL};
	r = run_cmd(gate2);
	print_message("%s", r.out);
	assert_true(r.status == 0 || r.status == 4);
	bool passed = r.status == 0;
	cmd_result_free(&r);
	const char *files[] = {"run.json", "comparison.json", "junit.xml", "comparison.md"};
	for (size_t i = 0; i < 4; i++) {
		char p[PATH_MAX + 32];
		struct stat st;
		snprintf(p, sizeof(p), "%s/%s", out2, files[i]);
		assert_int_equal(stat(p, &st), 0);
	}
	char *list[] = {bench, "history", "list", "--db", db, "--json", NULL};
	r = run_cmd(list);
	json_t *runs = json_loads(r.out, 0, NULL);
	assert_int_equal(json_array_size(runs), passed ? 2 : 1);
	json_decref(runs);
	cmd_result_free(&r);
	char *report[] = {bench, "report", out2, NULL};
	r = run_cmd(report);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "comparison.html"));
	assert_non_null(strstr(r.out, "forest.svg"));
	assert_non_null(strstr(r.out, "history-cpu.int-ops.svg"));
	cmd_result_free(&r);
	char out3[PATH_MAX + 8];
	snprintf(out3, sizeof(out3), "%s/g3", dir);
	char *bisect[] = {bench, "gate", gatefile, "--bisect", "--out", out3, "--quiet", NULL};
	r = run_cmd(bisect);
	assert_true(r.status == 0 || r.status == 1 || r.status == 125);
	cmd_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(true_regression),
	    cmocka_unit_test(thp_refusal),
	    cmocka_unit_test(gate_end_to_end),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
