/* Descriptive statistics over repetitions, computed with GSL. */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/core/error.h"

struct stats {
	size_t n;
	double mean;
	double median;
	double stddev;  /* sample standard deviation (n-1); 0 when n < 2 */
	double cv;      /* stddev / |mean|; 0 when mean == 0 */
	double ci_low;  /* 95% CI of the mean, Student t with n-1 dof */
	double ci_high; /* equal to mean when n < 2 */
	double ci_half; /* half-width of that interval */
	double ci_rel;  /* ci_half / |mean| (a fraction, 0.02 = 2%); 0 when mean == 0 */
	double min;
	double max;
	size_t n_outliers; /* values outside [Q1 - 1.5 IQR, Q3 + 1.5 IQR] */
};

/* Computes *out over values[0..n). n must be >= 1; values are not modified.
 * If outliers is non-NULL it must hold n entries and receives, per value,
 * whether it is a Tukey outlier (kept, only flagged). Returns 0, or -1 with
 * *err set (n == 0, non-finite value, allocation failure). */
int stats_compute(const double *values, size_t n, struct stats *out, bool *outliers,
                  struct bench_error **err);

/* True when the run can stop: n >= min_reps and the relative CI half-width
 * is within target_rel (a fraction), or n >= max_reps. */
bool stats_converged(const struct stats *s, size_t min_reps, size_t max_reps, double target_rel);

#endif
