/* Unit tests for reports/hypotest.c against hand-computed values and
 * published tables. Data are built so that the statistic lands exactly on a
 * tabulated Student t quantile (R: qt(0.975, 4) = 2.776445, qt(0.975, 3) =
 * 3.182446, qt(0.95, 2) = 2.919986, qt(0.975, 2) = 4.302653), so the
 * expected p-value is the table's tail probability. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "reports/hypotest.h"

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

static void mwu_exact_distribution(void **state)
{
	(void)state;
	/* m = n = 3: counts 1,1,2,3,3,3,3,2,1,1 over C(6,3) = 20 */
	NEAR(mwu_exact_cdf(3, 3, 0), 0.05, 1e-12);
	NEAR(mwu_exact_cdf(3, 3, 2), 0.20, 1e-12);
	NEAR(mwu_exact_cdf(3, 3, 3), 0.35, 1e-12);
	NEAR(mwu_exact_cdf(3, 3, 9), 1.0, 1e-12);
	NEAR(mwu_exact_cdf(4, 4, 1), 2.0 / 70, 1e-12);
	NEAR(mwu_exact_cdf(3, 5, 3), 0.125, 1e-12);
	/* published critical value: n1 = n2 = 8, two-sided 0.05 -> U <= 13 */
	assert_true(mwu_exact_cdf(8, 8, 13) <= 0.025);
	assert_true(mwu_exact_cdf(8, 8, 14) > 0.025);
	NEAR(mwu_exact_cdf(8, 8, 13), 0.024942, 1e-6);
	assert_true(mwu_exact_cdf(30, 30, 10) < 0); /* beyond the exact limit */
}

static void mwu_p_and_interval(void **state)
{
	(void)state;
	double x[] = {5, 6, 7, 8}, y[] = {1, 2, 3, 4};
	struct ratio_test t;
	assert_int_equal(ratio_test_init(&t, RATIO_MANN_WHITNEY, x, 4, y, 4, NULL), 0);
	/* every new value above every base value: U = 16, P(U >= 16) = 1/70 */
	NEAR(ratio_test_p(&t, 1.0, +1), 1.0 / 70, 1e-12);
	NEAR(ratio_test_p(&t, 1.0, -1), 1.0, 1e-12);
	double est, lo, hi;
	ratio_test_interval(&t, 0.95, &est, &lo, &hi);
	/* k = 1 (P(U <= 0) = 0.0143 <= 0.025 < P(U <= 1)): the extreme ratios */
	NEAR(lo, 5.0 / 4, 1e-12);
	NEAR(hi, 8.0 / 1, 1e-12);
	ratio_test_free(&t);

	/* ties: normal approximation with the tie correction, by hand:
	 * U = 2, mu = 4.5, sigma^2 = 9/12 (7 - 12/30) = 4.95,
	 * z = (2 - 4.5 + 0.5) / 2.224860 = -0.898933, Phi(z) = 0.184344 */
	double a[] = {1, 2, 3}, b[] = {2, 3, 4};
	assert_int_equal(ratio_test_init(&t, RATIO_MANN_WHITNEY, a, 3, b, 3, NULL), 0);
	NEAR(ratio_test_p(&t, 1.0, -1), 0.18434413, 1e-7);
	ratio_test_free(&t);

	struct bench_error *err = NULL;
	double neg[] = {1, -2};
	assert_int_equal(ratio_test_init(&t, RATIO_MANN_WHITNEY, neg, 2, b, 3, &err), -1);
	assert_non_null(err);
	bench_error_free(&err);
}

static void welch_at_table_quantile(void **state)
{
	(void)state;
	/* equal n and variances: df = 2n - 2 = 4, se = sqrt(2/3) */
	double d = 2.7764451051977987 * sqrt(2.0 / 3);
	double x[] = {1 + d, 2 + d, 3 + d}, y[] = {1, 2, 3};
	struct ratio_test t;
	assert_int_equal(ratio_test_init(&t, RATIO_WELCH, x, 3, y, 3, NULL), 0);
	NEAR(ratio_test_p(&t, 1.0, +1), 0.025, 1e-9);
	NEAR(ratio_test_p(&t, 1.0, -1), 0.975, 1e-9);
	ratio_test_free(&t);

	/* Fieller with a constant new side: df = n_base - 1 at every r0, and
	 * the interval is mx / (my -+ q sqrt(vy / ny)) = [1.336159, 3.974780] */
	double c[] = {10, 10}, b[] = {4, 5, 6};
	assert_int_equal(ratio_test_init(&t, RATIO_WELCH, c, 2, b, 3, NULL), 0);
	double est, lo, hi;
	ratio_test_interval(&t, 0.95, &est, &lo, &hi);
	NEAR(est, 2.0, 1e-12);
	NEAR(lo, 1.33615927, 1e-7);
	NEAR(hi, 3.97478036, 1e-7);
	/* the test does not reject at the interval's ends (inversion) */
	NEAR(ratio_test_p(&t, lo, +1), 0.025, 1e-9);
	NEAR(ratio_test_p(&t, hi, -1), 0.025, 1e-9);
	ratio_test_free(&t);
}

static void paired_at_table_quantile(void **state)
{
	(void)state;
	/* differences {0.554, 1.554, 2.554, 3.554}: sd = 1.290994, se =
	 * 0.645497, t = qt(0.975, 3) */
	double m = 3.182446305284263 * sqrt(1.6666666666666667 / 4);
	double y[] = {10, 20, 30, 40}, x[4];
	for (int i = 0; i < 4; i++)
		x[i] = y[i] + m + (i - 1.5);
	struct ratio_test t;
	assert_int_equal(ratio_test_init(&t, RATIO_PAIRED, x, 4, y, 4, NULL), 0);
	NEAR(ratio_test_p(&t, 1.0, +1), 0.025, 1e-9);
	double est, lo, hi;
	ratio_test_interval(&t, 0.95, &est, &lo, &hi);
	NEAR(ratio_test_p(&t, lo, +1), 0.025, 1e-9); /* exact inversion: fixed df */
	NEAR(ratio_test_p(&t, hi, -1), 0.025, 1e-9);
	assert_true(lo < est && est < hi);
	ratio_test_free(&t);
	struct bench_error *err = NULL;
	assert_int_equal(ratio_test_init(&t, RATIO_PAIRED, x, 4, y, 3, &err), -1);
	bench_error_free(&err);
}

static void runs_prediction(void **state)
{
	(void)state;
	/* base run means 98, 100, 102 (sd 2); new 93.2566 puts t at
	 * -qt(0.95, 2) with se = 2 sqrt(1 + 1/3) */
	double y[] = {100, 102, 98}, x[] = {100 - 2.919985580355516 * 2 * sqrt(4.0 / 3)};
	struct ratio_test t;
	assert_int_equal(ratio_test_init(&t, RATIO_RUNS, x, 1, y, 3, NULL), 0);
	NEAR(ratio_test_p(&t, 1.0, -1), 0.05, 1e-9);
	double est, lo, hi;
	ratio_test_interval(&t, 0.90, &est, &lo, &hi);
	NEAR(hi, 1.0, 1e-9); /* the 90% interval ends where the one-sided 5% test does */
	NEAR(ratio_test_p(&t, lo, +1), 0.05, 1e-9);
	/* more base runs cannot shrink the new run's own spread below s: with
	 * a distance smaller than z * s the answer is "unreachable" */
	assert_int_equal(reps_to_decide(&t, 0.001, 0.05, 0.8, 100000), -1);
	ratio_test_free(&t);
}

static void bh_by_hand(void **state)
{
	(void)state;
	/* sorted 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.02, 0.04, 0.04 */
	double p[] = {0.01, 0.04, 0.03, NAN, 0.005}, q[5];
	bh_qvalues(p, 5, q);
	NEAR(q[0], 0.02, 1e-12);
	NEAR(q[1], 0.04, 1e-12);
	NEAR(q[2], 0.04, 1e-12);
	assert_true(isnan(q[3]));
	NEAR(q[4], 0.02, 1e-12);
	/* monotone step-up: a large p early cannot lower a later q */
	double p2[] = {0.5, 0.001}, q2[2];
	bh_qvalues(p2, 2, q2);
	NEAR(q2[1], 0.002, 1e-12);
	NEAR(q2[0], 0.5, 1e-12);
}

static void mde_and_reps(void **state)
{
	(void)state;
	/* (z(0.95) + z(0.80)) * 0.01 with df -> infinity */
	NEAR(mde_relative(0.01, 1e9, 0.05, 0.8), 0.0248647486, 1e-8);
	/* se = sqrt(2/3)/100 at n = 4 per side; a 1% distance needs
	 * ceil(4 (2.486475 * 0.816497)^2) = ceil(16.49) = 17 per side */
	double y[] = {99, 101, 99, 101};
	struct ratio_test t;
	assert_int_equal(ratio_test_init(&t, RATIO_WELCH, y, 4, y, 4, NULL), 0);
	double se, df;
	ratio_test_se(&t, &se, &df);
	NEAR(se, sqrt(2.0 / 3) / 100, 1e-12);
	NEAR(df, 6, 1e-12);
	assert_int_equal(reps_to_decide(&t, 0.01, 0.05, 0.8, 100000), 17);
	assert_int_equal(reps_to_decide(&t, 0.0, 0.05, 0.8, 100000), -1);
	ratio_test_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(mwu_exact_distribution),
	    cmocka_unit_test(mwu_p_and_interval),
	    cmocka_unit_test(welch_at_table_quantile),
	    cmocka_unit_test(paired_at_table_quantile),
	    cmocka_unit_test(runs_prediction),
	    cmocka_unit_test(bh_by_hand),
	    cmocka_unit_test(mde_and_reps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
