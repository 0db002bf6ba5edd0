/* Unit tests for run-to-run variation in comparisons of two separate runs
 * (reports/compare_between.c, welch_t+between_runs): the calibration runs
 * taken from a history database (host fingerprint and per-metric
 * conditions must match the base; the new run never counts), the estimate
 * against a hand computation, host drift that the repetitions do not see
 * no longer called a regression while a large one still is, and the note
 * when the history has no such runs. Runs are built in memory
 * (tests/fakerun.h). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "reports/compare_out.h"
#include "fakecompare.h"
#include "fakerun.h"
#include "testutil.h"

static char dir[PATH_MAX], db[PATH_MAX + 32];

static int setup(void **state)
{
	(void)state;
	if (make_build_tmpdir("cmpb-", dir) < 0)
		return -1;
	snprintf(db, sizeof(db), "%s/h.sqlite", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	remove_tree(dir);
	return 0;
}

/* A run of bare cpu.int at level (10 values, 0.3% spread: far tighter
 * than the drift between runs) and bare os.syscall at 50 ns. */
static void make_run(struct run *r, const char *id, const char *created, const char *thp,
                     double level)
{
	static const double z[] = {-1.2, 0.3, 1.1, -0.4, 0.8, -0.9, 0.2, 0.6, -0.5, -0.1};
	fake_run(r, id, created, fake_host("6.1.0-28-amd64", thp));
	double v[10], w[10];
	for (size_t i = 0; i < 10; i++) {
		v[i] = level * (1 + 0.003 * z[i]);
		w[i] = 50 * (1 + 0.003 * z[(i + 3) % 10]);
	}
	fake_sample(r, "bare", "cpu.int", "ops", BETTER_HIGHER, v, 10);
	fake_sample(r, "bare", "os.syscall", "ns_per_call", BETTER_LOWER, w, 10);
}

static void add(const struct run *r)
{
	struct history h;
	struct bench_error *err = NULL;
	bool added;
	if (history_open(&h, db, &err) < 0 || history_add(&h, r, "cal", "test", &added, &err) < 0)
		fail_msg("history: %s", err->msg);
	history_close(&h);
}

static void add_level(const char *id, const char *created, const char *thp, double level)
{
	struct run r;
	make_run(&r, id, created, thp, level);
	add(&r);
	run_free(&r);
}

static void compare_two(struct run *b, struct run *n, const char *dbpath, struct comparison *c)
{
	struct compare_policy p = compare_policy_default();
	p.db = dbpath;
	fake_compare(b, n, &p, c);
}

static bool has_note(const struct comparison *c, const char *text)
{
	for (size_t i = 0; i < json_array_size(c->notes); i++)
		if (strstr(json_string_value(json_array_get(c->notes, i)), text) != NULL)
			return true;
	return false;
}

/* No history: the present test, and a note that says so (the database is
 * not created by looking). */
static void history_absent(void **state)
{
	(void)state;
	struct run b, n;
	make_run(&b, "base", "2026-01-01T01:00:00Z", "madvise", 1000);
	make_run(&n, "new", "2026-01-01T01:05:00Z", "madvise", 920);
	struct comparison c;
	char missing[PATH_MAX + 32];
	snprintf(missing, sizeof(missing), "%s/none.sqlite", dir);
	compare_two(&b, &n, missing, &c);
	const struct metric_cmp *cpu = fake_find(&c, "cpu.int");
	assert_int_equal(cpu->test, RATIO_MANN_WHITNEY);
	/* -8% with 0.3% noise: called a regression, which is why the term exists */
	assert_int_equal(cpu->verdict, VERDICT_REGRESSION);
	char want[PATH_MAX + 128];
	snprintf(want, sizeof(want),
	         "run-to-run variation not measured (0 runs of this host in %s; add >= 3 with "
	         "`bench history add`)",
	         missing);
	assert_non_null(strstr(cpu->note, want));
	assert_true(has_note(&c, "no history database"));
	assert_false(json_is_true(json_object_get(cpu->between, "applied")));
	struct stat st;
	assert_int_equal(stat(missing, &st), -1);
	comparison_free(&c);

	/* the same run on both sides is not two runs: no term, no note */
	struct compare_policy p = compare_policy_default();
	p.db = missing;
	struct compare_side side;
	compare_side_of_run(&side, "one", &b);
	assert_int_equal(compare_run(&side, &side, &p, &c, NULL), 0);
	assert_null(fake_find(&c, "cpu.int")->between);
	assert_null(strstr(fake_find(&c, "cpu.int")->note, "run-to-run"));
	comparison_free(&c);
	compare_side_free(&side);
	run_free(&b);
	run_free(&n);
}

/* Which history runs calibrate: the base host's, the base sample's
 * conditions, never the new run; the estimate by hand. */
static void calibration_filter(void **state)
{
	(void)state;
	/* two matching runs only: not enough, and the note counts them */
	add_level("c1", "2026-01-01T00:00:00Z", "madvise", 1000);
	add_level("c2", "2026-01-01T00:01:00Z", "madvise", 1050);
	add_level("other-thp", "2026-01-01T00:02:00Z", "never", 2000); /* another host */
	struct run b, n;
	make_run(&b, "base", "2026-01-01T01:00:00Z", "madvise", 1000);
	make_run(&n, "new", "2026-01-01T01:05:00Z", "madvise", 920);
	add(&n); /* the new run in the history: it must not calibrate itself */
	struct comparison c;
	compare_two(&b, &n, db, &c);
	const struct metric_cmp *cpu = fake_find(&c, "cpu.int");
	assert_int_not_equal(cpu->test, RATIO_WELCH_BETWEEN);
	assert_non_null(strstr(cpu->note, "not measured (2 runs of this host in"));
	comparison_free(&c);

	/* a third matching run, and one whose cpu.int ran under other
	 * conditions (a longer duration): counts for os.syscall only */
	add_level("c3", "2026-01-01T00:03:00Z", "madvise", 960);
	struct run other;
	make_run(&other, "c-other-size", "2026-01-01T00:04:00Z", "madvise", 3000);
	json_object_set_new(json_object_get(other.samples[0].config, "asked"), "duration",
	                    json_string("1.0"));
	add(&other);
	run_free(&other);
	compare_two(&b, &n, db, &c);
	cpu = fake_find(&c, "cpu.int");
	assert_int_equal(cpu->test, RATIO_WELCH_BETWEEN);
	assert_true(json_is_true(json_object_get(cpu->between, "applied")));
	json_t *ids = json_object_get(cpu->between, "run_ids");
	assert_int_equal(json_array_size(ids), 3);
	assert_string_equal(json_string_value(json_array_get(ids, 0)), "c1");
	assert_string_equal(json_string_value(json_array_get(ids, 1)), "c2");
	assert_string_equal(json_string_value(json_array_get(ids, 2)), "c3");
	assert_int_equal(json_integer_value(json_object_get(cpu->between, "k")), 3);
	/* by hand: z sums to -0.1, so a run's mean is level * f with
	 * f = 1 - 0.003 * 0.01; var of the means = var(1000, 1050, 960) f^2;
	 * a run's var(values) = (0.003 level)^2 var(z), within = the mean
	 * over the runs of var(values) / 10 */
	double f = 1 - 0.003 * 0.01;
	double zv[] = {-1.2, 0.3, 1.1, -0.4, 0.8, -0.9, 0.2, 0.6, -0.5, -0.1}, zs = 0, zz = 0;
	for (int i = 0; i < 10; i++) {
		zs += zv[i];
		zz += zv[i] * zv[i];
	}
	double var_z = (zz - zs * zs / 10) / 9;
	double gm = (1000 + 1050 + 960) / 3.0 * f;
	double var_means = (pow(1000 - 1003.3333333, 2) + pow(1050 - 1003.3333333, 2) +
	                    pow(960 - 1003.3333333, 2)) /
	                   2 * f * f;
	double within = (1000 * 1000 + 1050 * 1050 + 960 * 960) / 3.0 * 0.003 * 0.003 * var_z / 10;
	double cv = sqrt((var_means - within) / (gm * gm));
	assert_true(fabs(json_real_value(json_object_get(cpu->between, "cv_pct")) - 100 * cv) <
	            1e-6);
	assert_true(fabs(json_real_value(json_object_get(cpu->between, "df")) - 2) < 1e-12);
	assert_non_null(strstr(cpu->note, "run-to-run variation"));
	assert_non_null(strstr(cpu->note, "from 3 runs in"));
	const struct metric_cmp *sys = fake_find(&c, "os.syscall");
	assert_int_equal(json_array_size(json_object_get(sys->between, "run_ids")), 4);
	assert_true(has_note(&c, "4 run(s) with the base's host fingerprint"));
	/* the JSON carries it */
	json_t *doc = compare_to_json(&c);
	json_t *m0 = json_array_get(json_object_get(doc, "metrics"), 0);
	assert_string_equal(json_string_value(json_object_get(m0, "test")), "welch_t+between_runs");
	assert_non_null(json_object_get(m0, "between_runs"));
	json_decref(doc);
	comparison_free(&c);
	run_free(&b);
	run_free(&n);
}

/* Host drift between runs (means 1000 +- 4% over 5 runs, repetitions
 * 0.3%): -8% between two single runs is not a regression with the term;
 * -26% (a CPU quota of 0.74) still is. */
static void drift_and_true_regression(void **state)
{
	(void)state;
	const double levels[] = {1000, 1050, 960, 1010, 990};
	char drift_db[PATH_MAX + 32];
	snprintf(drift_db, sizeof(drift_db), "%s/h.sqlite", dir);
	struct run b, n;
	/* only the d* runs: a fresh database */
	snprintf(db, sizeof(db), "%s/drift.sqlite", dir);
	for (int i = 0; i < 5; i++) {
		char id[16], created[32];
		snprintf(id, sizeof(id), "d%d", i);
		snprintf(created, sizeof(created), "2026-02-01T00:0%d:00Z", i);
		add_level(id, created, "madvise", levels[i]);
	}
	make_run(&b, "base", "2026-02-01T01:00:00Z", "madvise", 1000);
	make_run(&n, "new", "2026-02-01T01:05:00Z", "madvise", 920);
	struct comparison c;
	compare_two(&b, &n, db, &c);
	const struct metric_cmp *cpu = fake_find(&c, "cpu.int");
	assert_int_equal(cpu->test, RATIO_WELCH_BETWEEN);
	assert_int_not_equal(cpu->verdict, VERDICT_REGRESSION);
	assert_true(cpu->ratio_low < 0.95 && cpu->ratio_high > 0.95);
	assert_true(cpu->mde > 0.08); /* what a 4% run-to-run CV on 4 df can see */
	assert_int_not_equal(c.status, COMPARE_REGRESSION);
	comparison_free(&c);
	run_free(&n);

	make_run(&n, "new", "2026-02-01T01:05:00Z", "madvise", 740);
	compare_two(&b, &n, db, &c);
	cpu = fake_find(&c, "cpu.int");
	assert_int_equal(cpu->test, RATIO_WELCH_BETWEEN);
	assert_int_equal(cpu->verdict, VERDICT_REGRESSION);
	assert_true(cpu->q_worse < 0.05);
	assert_int_not_equal(fake_find(&c, "os.syscall")->verdict, VERDICT_REGRESSION);
	assert_int_equal(c.status, COMPARE_REGRESSION);
	comparison_free(&c);
	run_free(&b);
	run_free(&n);
	snprintf(db, sizeof(db), "%s", drift_db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(history_absent),
	    cmocka_unit_test(calibration_filter),
	    cmocka_unit_test(drift_and_true_regression),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
