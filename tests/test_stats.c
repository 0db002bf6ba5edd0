/* Unit tests for harness/core/stats.c against hand-computed values. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "harness/core/stats.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Student t quantiles t(0.975, dof) from published tables (R: qt(0.975, dof)). */
#define T975_1 12.7062047361747
#define T975_7 2.36462425159278

static void test_textbook_set(void **state)
{
	(void)state;
	/* Sorted already; mean 5, sum of squared deviations 32, so the
	 * sample sd is sqrt(32/7); the median is (4+5)/2. */
	const double v[] = {2, 4, 4, 4, 5, 5, 7, 9};
	bool flags[N(v)];
	struct stats s;
	struct bench_error *err = NULL;
	assert_int_equal(stats_compute(v, N(v), &s, flags, &err), 0);
	assert_null(err);
	double sd = sqrt(32.0 / 7.0);
	assert_int_equal(s.n, 8);
	assert_float_equal(s.mean, 5.0, 1e-12);
	assert_float_equal(s.median, 4.5, 1e-12);
	assert_float_equal(s.stddev, sd, 1e-12);
	assert_float_equal(s.stddev, 2.138089935299395, 1e-12);
	assert_float_equal(s.cv, sd / 5.0, 1e-12);
	assert_float_equal(s.min, 2.0, 0);
	assert_float_equal(s.max, 9.0, 0);
	double half = T975_7 * sd / sqrt(8.0);
	assert_float_equal(s.ci_half, half, 1e-9);
	assert_float_equal(s.ci_half, 1.787487918236207, 1e-9);
	assert_float_equal(s.ci_low, 5.0 - half, 1e-9);
	assert_float_equal(s.ci_high, 5.0 + half, 1e-9);
	assert_float_equal(s.ci_rel, half / 5.0, 1e-9);
	/* Type 7 quartiles: Q1 at rank 1.75 = 4, Q3 at rank 5.25 = 5 + 0.25*2
	 * = 5.5; IQR 1.5; fences [1.75, 7.75]: 9 is an outlier, 2 is not. */
	assert_int_equal(s.n_outliers, 1);
	for (size_t i = 0; i < N(v); i++)
		assert_int_equal(flags[i], i == 7);
}

static void test_single_value(void **state)
{
	(void)state;
	const double v[] = {3.5};
	bool flag = true;
	struct stats s;
	struct bench_error *err = NULL;
	assert_int_equal(stats_compute(v, 1, &s, &flag, &err), 0);
	assert_int_equal(s.n, 1);
	assert_float_equal(s.mean, 3.5, 0);
	assert_float_equal(s.median, 3.5, 0);
	assert_float_equal(s.stddev, 0, 0);
	assert_float_equal(s.cv, 0, 0);
	assert_float_equal(s.ci_half, 0, 0);
	assert_float_equal(s.ci_rel, 0, 0);
	assert_float_equal(s.ci_low, 3.5, 0);
	assert_float_equal(s.ci_high, 3.5, 0);
	assert_float_equal(s.min, 3.5, 0);
	assert_float_equal(s.max, 3.5, 0);
	assert_int_equal(s.n_outliers, 0);
	assert_false(flag);
}

static void test_two_values(void **state)
{
	(void)state;
	/* mean 2, sd sqrt(2), half-width t(0.975,1) * sqrt(2)/sqrt(2). */
	const double v[] = {3, 1};
	struct stats s;
	struct bench_error *err = NULL;
	assert_int_equal(stats_compute(v, 2, &s, NULL, &err), 0);
	assert_float_equal(s.mean, 2.0, 1e-12);
	assert_float_equal(s.median, 2.0, 1e-12);
	assert_float_equal(s.stddev, sqrt(2.0), 1e-12);
	assert_float_equal(s.ci_half, T975_1, 1e-9);
	assert_float_equal(s.ci_low, 2.0 - T975_1, 1e-9);
	assert_float_equal(s.ci_high, 2.0 + T975_1, 1e-9);
	assert_float_equal(s.ci_rel, T975_1 / 2.0, 1e-9);
	assert_float_equal(s.min, 1.0, 0);
	assert_float_equal(s.max, 3.0, 0);
	assert_int_equal(s.n_outliers, 0);
}

static void test_zero_mean(void **state)
{
	(void)state;
	const double v[] = {-1, 1};
	struct stats s;
	struct bench_error *err = NULL;
	assert_int_equal(stats_compute(v, 2, &s, NULL, &err), 0);
	assert_float_equal(s.mean, 0, 0);
	assert_float_equal(s.cv, 0, 0);
	assert_float_equal(s.ci_rel, 0, 0);
	assert_true(s.ci_half > 0);
}

static void test_one_obvious_outlier(void **state)
{
	(void)state;
	/* The outlier is in the middle of the input: flags follow the input
	 * order, and the input is left unsorted. */
	double v[] = {10.0, 10.1, 9.9, 50.0, 10.2, 9.8, 10.0, 10.1};
	const double copy[] = {10.0, 10.1, 9.9, 50.0, 10.2, 9.8, 10.0, 10.1};
	bool flags[N(v)];
	struct stats s;
	struct bench_error *err = NULL;
	assert_int_equal(stats_compute(v, N(v), &s, flags, &err), 0);
	assert_int_equal(s.n_outliers, 1);
	for (size_t i = 0; i < N(v); i++)
		assert_int_equal(flags[i], i == 3);
	assert_memory_equal(v, copy, sizeof(v));
	/* Flagged, not dropped: the mean still includes it. */
	assert_float_equal(s.mean, (10.0 + 10.1 + 9.9 + 50.0 + 10.2 + 9.8 + 10.0 + 10.1) / 8,
	                   1e-12);
	assert_float_equal(s.max, 50.0, 0);

	const double low[] = {100, 101, 99, 100, 1, 100.5};
	assert_int_equal(stats_compute(low, N(low), &s, flags, &err), 0);
	assert_int_equal(s.n_outliers, 1);
	assert_true(flags[4]);
}

static void test_tight_set_has_no_outliers(void **state)
{
	(void)state;
	const double v[] = {10.0, 10.1, 9.9, 10.2, 9.8, 10.0};
	bool flags[N(v)];
	memset(flags, 1, sizeof(flags));
	struct stats s;
	struct bench_error *err = NULL;
	assert_int_equal(stats_compute(v, N(v), &s, flags, &err), 0);
	assert_int_equal(s.n_outliers, 0);
	for (size_t i = 0; i < N(v); i++)
		assert_false(flags[i]);
	/* Identical values: IQR 0, nothing outside [x, x]. */
	const double same[] = {7, 7, 7, 7, 7};
	assert_int_equal(stats_compute(same, N(same), &s, NULL, &err), 0);
	assert_int_equal(s.n_outliers, 0);
	assert_float_equal(s.stddev, 0, 0);
	assert_float_equal(s.ci_half, 0, 0);
}

static void test_rejects_bad_input(void **state)
{
	(void)state;
	struct stats s;
	struct bench_error *err = NULL;
	const double v[] = {1, 2, 3};
	assert_int_equal(stats_compute(v, 0, &s, NULL, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "at least one value"));
	bench_error_free(&err);

	assert_int_equal(stats_compute(NULL, 3, &s, NULL, &err), -1);
	assert_non_null(err);
	bench_error_free(&err);

	const double with_nan[] = {1, NAN, 3};
	assert_int_equal(stats_compute(with_nan, 3, &s, NULL, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "value 1 is not a finite number"));
	bench_error_free(&err);

	const double with_inf[] = {1, 2, -INFINITY};
	assert_int_equal(stats_compute(with_inf, 3, &s, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "value 2"));
	bench_error_free(&err);

	/* Finite, but the variance overflows. */
	const double huge[] = {1e308, -1e308};
	assert_int_equal(stats_compute(huge, 2, &s, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "overflow"));
	bench_error_free(&err);

	/* A NULL err is allowed: the caller only gets -1. */
	assert_int_equal(stats_compute(with_nan, 3, &s, NULL, NULL), -1);
}

static void test_converged(void **state)
{
	(void)state;
	struct stats s = {.n = 3, .ci_rel = 0.001};
	/* Below min_reps: never, however tight. */
	assert_false(stats_converged(&s, 5, 30, 0.02));
	/* At or above max_reps: always, however loose. */
	s.ci_rel = 0.5;
	s.n = 30;
	assert_true(stats_converged(&s, 5, 30, 0.02));
	s.n = 31;
	assert_true(stats_converged(&s, 5, 30, 0.02));
	/* In between: tight stops, loose continues; the bound is inclusive. */
	s.n = 10;
	s.ci_rel = 0.01;
	assert_true(stats_converged(&s, 5, 30, 0.02));
	s.ci_rel = 0.02;
	assert_true(stats_converged(&s, 5, 30, 0.02));
	s.ci_rel = 0.05;
	assert_false(stats_converged(&s, 5, 30, 0.02));
	s.n = 5;
	s.ci_rel = 0.01;
	assert_true(stats_converged(&s, 5, 30, 0.02));

	/* End to end with stats_compute: a tight and a loose set. */
	const double tight[] = {100.0, 100.1, 99.9, 100.05, 99.95};
	const double loose[] = {100, 140, 60, 120, 80};
	struct bench_error *err = NULL;
	assert_int_equal(stats_compute(tight, N(tight), &s, NULL, &err), 0);
	assert_true(stats_converged(&s, 3, 100, 0.02));
	assert_int_equal(stats_compute(loose, N(loose), &s, NULL, &err), 0);
	assert_false(stats_converged(&s, 3, 100, 0.02));
	assert_true(stats_converged(&s, 3, 5, 0.02));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_textbook_set),
	    cmocka_unit_test(test_single_value),
	    cmocka_unit_test(test_two_values),
	    cmocka_unit_test(test_zero_mean),
	    cmocka_unit_test(test_one_obvious_outlier),
	    cmocka_unit_test(test_tight_set_has_no_outliers),
	    cmocka_unit_test(test_rejects_bad_input),
	    cmocka_unit_test(test_converged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
