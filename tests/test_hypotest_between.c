/* Unit tests for the between-run variance component and the
 * welch_t+between_runs test (reports/hypotest.c) against hand-computed
 * values, Student t table quantiles (R: qt(0.975, 2) = 4.302653) and
 * numpy/scipy (Debian's python3-numpy, python3-scipy; the one-liners are
 * in the comments). */
#include <string.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "reports/hypotest.h"

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

static void estimate_by_hand(void **state)
{
	(void)state;
	/* run means 100, 104, 97, 101 (grand mean 100.5; squared deviations
	 * 0.25 + 12.25 + 12.25 + 0.25 = 25, var = 25 / 3); within = mean of
	 * 4/10, 9/10, 6.25/5, 1/4 = 2.8 / 4 = 0.7; s_b^2 = 8.3333 - 0.7.
	 * numpy: m = np.array([100,104,97,101]); v = np.array([4,9,6.25,1]);
	 * n = np.array([10,10,5,4]); sb2 = m.var(ddof=1) - (v/n).mean()
	 * -> 7.633333333333334; sb2 / m.mean()**2 -> 0.00075575687 */
	double means[] = {100, 104, 97, 101}, vars[] = {4, 9, 6.25, 1};
	size_t n[] = {10, 10, 5, 4};
	struct between_runs e;
	assert_int_equal(between_runs_estimate(means, vars, n, 4, &e, NULL), 0);
	assert_int_equal(e.k, 4);
	NEAR(e.grand_mean, 100.5, 1e-12);
	NEAR(e.var_means, 25.0 / 3, 1e-12);
	NEAR(e.within, 0.7, 1e-12);
	NEAR(e.s_b2, 25.0 / 3 - 0.7, 1e-12);
	NEAR(e.cv_b2, 7.633333333333333 / (100.5 * 100.5), 1e-15);
	NEAR(e.cv_b2, 7.5575687e-4, 1e-11);
	NEAR(e.df, 3, 0);

	/* the run means agree better than the repetitions predict: 0, not
	 * negative (var(means) = 0.01 < within = 25 / 5) */
	double m2[] = {100, 100.1, 99.9}, v2[] = {25, 25, 25};
	size_t n2[] = {5, 5, 5};
	assert_int_equal(between_runs_estimate(m2, v2, n2, 3, &e, NULL), 0);
	NEAR(e.var_means, 0.01, 1e-12);
	NEAR(e.within, 5, 1e-12);
	assert_true(e.s_b2 == 0 && e.cv_b2 == 0);

	struct bench_error *err = NULL;
	assert_int_equal(between_runs_estimate(means, vars, n, 2, &e, &err), -1);
	assert_non_null(strstr(err->msg, "at least 3"));
	bench_error_free(&err);
	size_t one[] = {10, 1, 10};
	assert_int_equal(between_runs_estimate(means, vars, one, 3, &e, &err), -1);
	bench_error_free(&err);
	double zero[] = {1, -1, 0};
	assert_int_equal(between_runs_estimate(zero, vars, n, 3, &e, &err), -1);
	assert_non_null(strstr(err->msg, "mean of the runs is 0"));
	bench_error_free(&err);
}

/* Constant sides: only the between-run term is left, so var =
 * cv_b2 (mx^2 + r0^2 my^2) and df = df_b exactly. With mx = 80, my = 100
 * and cv_b2 = (20 / qt(0.975, 2))^2 / 16400, t at r0 = 1 is
 * -qt(0.975, 2): p = 0.025, and the 95% Fieller interval ends at 1. */
static void between_only_at_table_quantile(void **state)
{
	(void)state;
	const double q = 4.302652729911275;
	double cv_b2 = pow(20 / q, 2) / 16400;
	double x[] = {80, 80, 80}, y[] = {100, 100, 100};
	struct ratio_test t;
	assert_int_equal(ratio_test_init(&t, RATIO_WELCH, x, 3, y, 3, NULL), 0);
	/* without the term: no spread, the sign decides (a false certainty) */
	NEAR(ratio_test_p(&t, 1.0, -1), 0, 0);
	assert_int_equal(ratio_test_add_between(&t, cv_b2, 2, NULL), 0);
	assert_int_equal(t.kind, RATIO_WELCH_BETWEEN);
	assert_string_equal(ratio_test_name(t.kind), "welch_t+between_runs");
	NEAR(ratio_test_p(&t, 1.0, -1), 0.025, 1e-9);
	NEAR(ratio_test_p(&t, 1.0, +1), 0.975, 1e-9);
	double est, lo, hi, se, df;
	ratio_test_interval(&t, 0.95, &est, &lo, &hi);
	NEAR(est, 0.8, 1e-12);
	NEAR(hi, 1.0, 1e-9);
	NEAR(ratio_test_p(&t, lo, +1), 0.025, 1e-9);
	ratio_test_se(&t, &se, &df);
	NEAR(df, 2, 1e-12);
	/* at R = 0.8: sqrt(cv_b2 (6400 + 0.64 * 10000)) / 100 */
	NEAR(se, sqrt(cv_b2 * 12800) / 100, 1e-12);
	NEAR(ratio_test_between_se(&t), se, 1e-12);
	/* all of se is between runs: no number of repetitions decides a
	 * distance below what the term alone allows */
	assert_int_equal(reps_to_decide(&t, 0.05, 0.05, 0.8, 100000), -1);
	ratio_test_free(&t);

	struct bench_error *err = NULL;
	assert_int_equal(ratio_test_init(&t, RATIO_PAIRED, x, 3, y, 3, NULL), 0);
	assert_int_equal(ratio_test_add_between(&t, cv_b2, 2, &err), -1);
	bench_error_free(&err);
	assert_int_equal(ratio_test_init(&t, RATIO_WELCH, x, 3, y, 3, NULL), 0);
	assert_int_equal(ratio_test_add_between(&t, -1, 2, &err), -1);
	bench_error_free(&err);
	assert_int_equal(ratio_test_add_between(&t, 0.01, 0, &err), -1);
	bench_error_free(&err);
}

/* Both within-run terms and the between-run term, by hand at r0 = 1:
 * new 11, 12, 13 (mean 12, var 1), base 9, 10, 11, 12 (mean 10.5, var
 * 5/3), cv_b2 = 0.0004 on 4 df:
 *   a = 1/3, b = (5/3)/4 = 5/12, c = 0.0004 (144 + 110.25) = 0.1017
 *   var = 0.8517, df = var^2 / (a^2/2 + b^2/3 + c^2/4) = 6.252759
 *   t = 1.5 / sqrt(0.8517) = 1.625354
 * scipy: stats.t.sf(1.625354, 6.252759) = 0.0766060 (p of "ratio > 1").
 * At r0 = 1.1 the base terms scale by 1.21: b = 0.504167,
 *   c = 0.0004 (144 + 133.4025) = 0.110961, var = 0.948461,
 *   df = 0.899578 / (0.055556 + 0.084729 + 0.003078) = 6.274888,
 *   t = (12 - 11.55) / 0.973890 = 0.462065, scipy: stats.t.sf -> 0.3298118
 * The interval's quantile is at the estimate R = 12/10.5, df 6.253614:
 * stats.t.ppf(0.975, 6.253614) = 2.4230574. */
static void combined_by_hand(void **state)
{
	(void)state;
	double x[] = {11, 12, 13}, y[] = {9, 10, 11, 12};
	struct ratio_test t;
	assert_int_equal(ratio_test_init(&t, RATIO_MANN_WHITNEY, x, 3, y, 4, NULL), 0);
	assert_int_equal(ratio_test_add_between(&t, 0.0004, 4, NULL), 0);
	NEAR(ratio_test_p(&t, 1.0, +1), 0.0766060, 1e-6);
	NEAR(ratio_test_p(&t, 1.1, +1), 0.3298118, 1e-6);
	double se, df;
	ratio_test_se(&t, &se, &df);
	/* at R = 12 / 10.5 */
	double R = 12 / 10.5, a = 1.0 / 3, b = R * R * 5.0 / 12,
	       c = 0.0004 * (144 + R * R * 110.25);
	double var = a + b + c;
	NEAR(df, var * var / (a * a / 2 + b * b / 3 + c * c / 4), 1e-9);
	NEAR(se, sqrt(var) / 10.5, 1e-12);
	NEAR(ratio_test_between_se(&t), sqrt(c) / 10.5, 1e-12);
	/* Fieller with vxx = 1/3 + 0.0004 * 144, vyy = 5/12 + 0.0004 * 110.25:
	 * at the interval's ends the two-sided test sits at 2.5% (with the df
	 * of the estimate, which the interval uses) */
	double est, lo, hi;
	ratio_test_interval(&t, 0.95, &est, &lo, &hi);
	NEAR(est, R, 1e-12);
	double vxx = 1.0 / 3 + 0.0004 * 144, vyy = 5.0 / 12 + 0.0004 * 110.25;
	double q_lo = (12 - lo * 10.5) / sqrt(vxx + lo * lo * vyy);
	double q_hi = (hi * 10.5 - 12) / sqrt(vxx + hi * hi * vyy);
	NEAR(q_lo, 2.4230574, 1e-6);
	NEAR(q_hi, 2.4230574, 1e-6);
	/* repetitions shrink only a and b: with the term the answer is
	 * larger than plain Welch's for the same distance */
	long with = reps_to_decide(&t, 0.2, 0.05, 0.8, 100000);
	struct ratio_test w;
	assert_int_equal(ratio_test_init(&w, RATIO_WELCH, x, 3, y, 4, NULL), 0);
	long without = reps_to_decide(&w, 0.2, 0.05, 0.8, 100000);
	assert_true(with > without && without > 0);
	/* a distance inside what the term alone hides: unreachable.
	 * between se = sqrt(c)/10.5 = 0.0329; z = 2.4865; 2.4865 * 0.0329 =
	 * 0.0818 > 0.08 */
	assert_int_equal(reps_to_decide(&t, 0.08, 0.05, 0.8, 100000), -1);
	ratio_test_free(&w);
	ratio_test_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(estimate_by_hand),
	    cmocka_unit_test(between_only_at_table_quantile),
	    cmocka_unit_test(combined_by_hand),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
