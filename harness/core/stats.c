#include "harness/core/stats.h"

#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"

/* Tukey's fences: values below Q1 - k*IQR or above Q3 + k*IQR are outliers. */
#define TUKEY_K 1.5

/* Two-sided 95% interval: the 0.975 quantile of Student's t. */
#define CI_UPPER_P 0.975

int stats_compute(const double *values, size_t n, struct stats *out, bool *outliers,
                  struct bench_error **err)
{
	if (values == NULL || n == 0)
		return bench_error_set(err, 0, "statistics need at least one value (got none)");
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(values[i]))
			return bench_error_set(err, 0, "value %zu is not a finite number (%g)", i,
			                       values[i]);
	}

	cleanup_free double *sorted = calloc(n, sizeof(*sorted));
	if (sorted == NULL)
		return bench_error_set(err, errno, "allocating %zu values for statistics", n);
	memcpy(sorted, values, n * sizeof(*sorted));
	gsl_sort(sorted, 1, n);

	struct stats s = {.n = n};
	s.mean = gsl_stats_mean(sorted, 1, n);
	s.median = gsl_stats_median_from_sorted_data(sorted, 1, n);
	s.min = sorted[0];
	s.max = sorted[n - 1];
	s.stddev = n > 1 ? gsl_stats_sd(sorted, 1, n) : 0.0;
	if (n > 1) {
		double t = gsl_cdf_tdist_Pinv(CI_UPPER_P, (double)(n - 1));
		s.ci_half = t * s.stddev / sqrt((double)n);
	}
	s.ci_low = s.mean - s.ci_half;
	s.ci_high = s.mean + s.ci_half;
	if (s.mean != 0.0) {
		s.cv = s.stddev / fabs(s.mean);
		s.ci_rel = s.ci_half / fabs(s.mean);
	}
	/* Finite inputs near DBL_MAX can still overflow the sums of squares. */
	const double derived[] = {s.mean, s.stddev, s.ci_half, s.ci_low, s.ci_high, s.cv, s.ci_rel};
	for (size_t i = 0; i < sizeof(derived) / sizeof(derived[0]); i++) {
		if (!isfinite(derived[i]))
			return bench_error_set(err, 0, "statistics of %zu values overflow a double",
			                       n);
	}

	/* Quartiles with gsl_stats_quantile_from_sorted_data: linear
	 * interpolation between order statistics at rank (n-1)*f, i.e.
	 * Hyndman & Fan type 7 (R's default, numpy's "linear"). */
	double q1 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.25);
	double q3 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.75);
	double iqr = q3 - q1;
	double lo = q1 - TUKEY_K * iqr, hi = q3 + TUKEY_K * iqr;
	for (size_t i = 0; i < n; i++) {
		bool out_of_fence = values[i] < lo || values[i] > hi;
		if (out_of_fence)
			s.n_outliers++;
		if (outliers != NULL)
			outliers[i] = out_of_fence;
	}

	*out = s;
	return 0;
}

bool stats_converged(const struct stats *s, size_t min_reps, size_t max_reps, double target_rel)
{
	if (s->n >= max_reps)
		return true;
	if (s->n < min_reps)
		return false;
	return s->ci_rel <= target_rel;
}
