/* Overhead against the baseline: Fieller interval, Welch t-test and the
 * orientation of the slowdown, against hand-computed values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "reports/overhead.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-6 * (fabs(b) + 1e-12))

/* Baseline without variance: g = 0, df = n_env - 1 = 2,
 * t(0.975, 2) = 4.302652729911275, se(env) = sqrt(0.04/3).
 * CI = 2 +- 4.302652729911275 * 0.11547005383792516 = 2 +- 0.496827;
 * Welch t = 1 / 0.11547 = 8.660254, two-sided p with 2 dof
 * = 1 - t / sqrt(t^2 + 2) = 0.0130718. */
static void fieller_and_welch_by_hand(void **state)
{
	(void)state;
	const double env[] = {2.0, 2.2, 1.8}, base[] = {1.0, 1.0, 1.0};
	struct overhead o;
	assert_int_equal(overhead_compute(env, 3, base, 3, BETTER_LOWER, &o), 0);
	NEAR(o.ratio, 2.0);
	NEAR(o.df, 2.0);
	double half = 4.302652729911275 * sqrt(0.04 / 3);
	NEAR(o.ci_low, 2.0 - half);
	NEAR(o.ci_high, 2.0 + half);
	double t = 1 / sqrt(0.04 / 3);
	NEAR(o.p_value, 1 - t / sqrt(t * t + 2));
	/* lower is better: slowdown is the ratio itself */
	NEAR(o.slowdown, 2.0);
	NEAR(o.slowdown_low, 2.0 - half);
	assert_true(o.significant);

	/* higher is better: the same numbers mean the environment is faster */
	assert_int_equal(overhead_compute(env, 3, base, 3, BETTER_HIGHER, &o), 0);
	NEAR(o.slowdown, 0.5);
	NEAR(o.slowdown_low, 1 / (2.0 + half));
	NEAR(o.slowdown_high, 1 / (2.0 - half));
	assert_true(o.significant);
}

static void identical_samples_are_noise(void **state)
{
	(void)state;
	const double a[] = {10, 11, 9, 10.5, 9.5}, b[] = {10.2, 10.8, 9.1, 10.4, 9.5};
	struct overhead o;
	assert_int_equal(overhead_compute(a, 5, b, 5, BETTER_HIGHER, &o), 0);
	assert_true(o.ci_low < 1 && o.ci_high > 1);
	assert_true(o.p_value > 0.5);
	assert_false(o.significant);
}

/* A baseline indistinguishable from zero has no bounded ratio interval. */
static void unbounded_interval(void **state)
{
	(void)state;
	const double a[] = {1, 1.1, 0.9}, b[] = {-1, 1, 0.3};
	struct overhead o;
	assert_int_equal(overhead_compute(a, 3, b, 3, BETTER_HIGHER, &o), 0);
	assert_true(isnan(o.ci_low) && isnan(o.ci_high));
	assert_false(o.significant);
}

static void refuses_what_it_cannot_compare(void **state)
{
	(void)state;
	const double a[] = {1, 2}, zero[] = {0, 0};
	struct overhead o;
	assert_int_equal(overhead_compute(a, 1, a, 2, BETTER_HIGHER, &o), -1);
	assert_int_equal(overhead_compute(a, 2, zero, 2, BETTER_HIGHER, &o), -1);
}

static void add(struct run *run, const char *env, const char *workload, const double *v, size_t n,
                bool failed)
{
	struct sample s = {
	    .env = (char *)env,
	    .workload = (char *)workload,
	    .metric = "m",
	    .unit = "u",
	    .better = BETTER_HIGHER,
	    .values = (double *)v,
	    .n_values = failed ? 0 : n,
	    .failed = failed,
	    .error = failed ? "boom" : NULL,
	};
	assert_int_equal(run_add_sample(run, &s, NULL), 0);
}

/* Pairs every non-baseline sample with the baseline's, skipping failed
 * samples and workloads the baseline lacks. */
static void run_pairing(void **state)
{
	(void)state;
	const double base[] = {10, 10.1, 9.9}, slow[] = {5, 5.1, 4.9};
	struct run run;
	run_init(&run, "t");
	add(&run, "bare", "w1", base, 3, false);
	add(&run, "container", "w1", slow, 3, false);
	add(&run, "container", "w2", slow, 3, false); /* no baseline */
	add(&run, "bare", "w3", base, 3, false);
	add(&run, "container", "w3", slow, 3, true); /* failed */
	assert_null(overhead_for_run(&run, "qemu"));
	json_t *o = overhead_for_run(&run, "bare");
	assert_int_equal(json_array_size(o), 1);
	json_t *e = json_array_get(o, 0);
	assert_string_equal(json_string_value(json_object_get(e, "workload")), "w1");
	assert_string_equal(json_string_value(json_object_get(e, "test")), "welch_t");
	NEAR(json_real_value(json_object_get(e, "slowdown")), 2.0);
	assert_true(json_is_true(json_object_get(e, "significant")));
	/* it survives the run file round trip */
	run.overhead = o;
	json_t *doc = run_to_json(&run);
	struct run back;
	assert_int_equal(run_from_json(doc, &back, NULL), 0);
	assert_true(json_equal(back.overhead, o));
	run_free(&back);
	json_decref(doc);
	run_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fieller_and_welch_by_hand),
	    cmocka_unit_test(identical_samples_are_noise),
	    cmocka_unit_test(unbounded_interval),
	    cmocka_unit_test(refuses_what_it_cannot_compare),
	    cmocka_unit_test(run_pairing),
	};
	return cmocka_run_group_tests_name("overhead", tests, NULL, NULL);
}
