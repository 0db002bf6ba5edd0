/* Overhead against the baseline: Fieller interval, Welch t-test, the paired
 * t-test over interleaved blocks and the orientation of the slowdown,
 * against hand-computed values. */
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
	assert_string_equal(json_string_value(json_object_get(e, "test")),
	                    "Welch t, Fieller interval");
	assert_string_equal(json_string_value(json_object_get(e, "interval")), "fieller");
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

/* Log ratios ln2, ln2, ln4: mean (4/3) ln2, sd ln2 / sqrt(3), se ln2 / 3,
 * so t = 4 on 2 degrees of freedom; for 2 dof the two-sided p is
 * 1 - t / sqrt(t^2 + 2) = 1 - 4 / sqrt(18) = 0.0571909584; the ratio is
 * 2^(4/3) = 2.5198421 and its CI exp((4/3) ln2 +- 4.302652729911275 ln2 / 3)
 * = [0.932461, 6.809510]. */
static void paired_by_hand(void **state)
{
	(void)state;
	const double env[] = {2, 4, 8}, base[] = {1, 2, 2};
	struct overhead o;
	assert_int_equal(overhead_paired(env, base, 3, BETTER_LOWER, &o), 0);
	double l2 = log(2.0), half = 4.302652729911275 * l2 / 3;
	NEAR(o.ratio, pow(2.0, 4.0 / 3));
	NEAR(o.ci_low, exp(4 * l2 / 3 - half));
	NEAR(o.ci_high, exp(4 * l2 / 3 + half));
	assert_true(fabs(o.ci_low - 0.932461) < 1e-6 && fabs(o.ci_high - 6.809510) < 1e-6);
	NEAR(o.p_value, 1 - 4 / sqrt(18.0));
	NEAR(o.df, 2.0);
	assert_int_equal(o.pairs, 3);
	NEAR(o.slowdown, o.ratio);   /* lower is better */
	assert_false(o.significant); /* p = 0.057 */
	assert_int_equal(overhead_paired(env, base, 3, BETTER_HIGHER, &o), 0);
	NEAR(o.slowdown, pow(2.0, -4.0 / 3));
	NEAR(o.slowdown_low, 1 / exp(4 * l2 / 3 + half));
}

/* Drift shared by both sides (the baseline climbs 10 -> 40) hides a steady
 * 5% slowdown from Welch's test but not from the paired one. */
static void pairing_removes_shared_drift(void **state)
{
	(void)state;
	const double base[] = {10, 20, 30, 40}, env[] = {10.5, 21, 31.5, 42};
	struct overhead welch, paired;
	assert_int_equal(overhead_compute(env, 4, base, 4, BETTER_LOWER, &welch), 0);
	assert_false(welch.significant);
	assert_int_equal(overhead_paired(env, base, 4, BETTER_LOWER, &paired), 0);
	NEAR(paired.ratio, 1.05);
	NEAR(paired.ci_low, 1.05); /* no spread: the interval is the point */
	NEAR(paired.p_value, 0.0);
	assert_true(paired.significant);
	const double same[] = {10, 20, 30, 40};
	assert_int_equal(overhead_paired(same, base, 4, BETTER_LOWER, &paired), 0);
	NEAR(paired.p_value, 1.0);
	assert_false(paired.significant);
	/* what it cannot do */
	assert_int_equal(overhead_paired(env, base, 1, BETTER_LOWER, &paired), -1);
	const double zero[] = {0, 1};
	assert_int_equal(overhead_paired(zero, base, 2, BETTER_LOWER, &paired), -1);
}

static void add_ordered(struct run *run, const char *env, const double *v, size_t n,
                        const json_int_t *blocks)
{
	json_t *block = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(block, json_integer(blocks[i]));
	json_t *order = json_pack("{s:b, s:s, s:i, s:o}", "interleaved", 1, "scheme", "abba",
	                          "seed", 1, "block", block);
	struct sample s = {
	    .env = (char *)env,
	    .workload = "w",
	    .metric = "m",
	    .unit = "u",
	    .better = BETTER_HIGHER,
	    .values = (double *)v,
	    .n_values = n,
	    .order = order,
	};
	assert_int_equal(run_add_sample(run, &s, NULL), 0);
	json_decref(order);
}

/* Interleaved samples are compared block by block, over the blocks both
 * have; the entry names the paired test. */
static void run_uses_the_pairing(void **state)
{
	(void)state;
	const double base[] = {10, 20, 30, 99}, env[] = {15, 5, 10};
	const json_int_t base_blocks[] = {0, 1, 2, 3}, env_blocks[] = {2, 0, 1};
	struct run run;
	run_init(&run, "t");
	add_ordered(&run, "bare", base, 4, base_blocks);
	add_ordered(&run, "container", env, 3, env_blocks);
	json_t *o = overhead_for_run(&run, "bare");
	json_t *e = json_array_get(o, 0);
	assert_string_equal(json_string_value(json_object_get(e, "test")),
	                    "paired t over 3 blocks (log ratio)");
	assert_int_equal(json_integer_value(json_object_get(e, "pairs")), 3);
	/* by block: 5/10, 10/20, 15/30 (by position it would be 15/10, 5/20,
	 * 10/30; block 3 of the baseline has no partner) */
	NEAR(json_real_value(json_object_get(e, "ratio")), 0.5);
	NEAR(json_real_value(json_object_get(e, "slowdown")), 2.0);
	assert_string_equal(json_string_value(json_object_get(e, "interval")), "paired_log_t");
	json_decref(o);
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
	    cmocka_unit_test(paired_by_hand),
	    cmocka_unit_test(pairing_removes_shared_drift),
	    cmocka_unit_test(run_uses_the_pairing),
	};
	return cmocka_run_group_tests_name("overhead", tests, NULL, NULL);
}
