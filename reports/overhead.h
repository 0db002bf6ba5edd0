/* Overhead: each environment's result against the baseline environment
 * (bare metal) for the same workload and metric, as a ratio with a 95%
 * confidence interval and a significance test. */
#ifndef BENCH_OVERHEAD_H
#define BENCH_OVERHEAD_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "harness/core/result.h"

struct overhead {
	double ratio;  /* mean(env) / mean(baseline) */
	double ci_low; /* 95% CI of that ratio (Fieller); NAN when unbounded */
	double ci_high;
	double slowdown; /* oriented: > 1 always means the environment is worse
	                  * (baseline/env for higher-is-better, env/baseline else) */
	double slowdown_low, slowdown_high;
	double p_value;  /* Welch's two-sample t-test, two-sided */
	double df;       /* Welch-Satterthwaite degrees of freedom */
	int significant; /* p < 0.05 and the slowdown CI excludes 1 */
};

/* Compares env's values with the baseline's. Needs n >= 2 on both sides
 * and a baseline mean that is not 0; returns -1 otherwise. The interval is
 * Fieller's for a ratio of two independent means, with Student t on the
 * Welch degrees of freedom (GSL quantiles); it is unbounded (NAN) when the
 * baseline mean is not significantly different from zero. */
int overhead_compute(const double *env, size_t n_env, const double *base, size_t n_base,
                     enum better better, struct overhead *out);

/* Builds the run's "overhead" array: one entry for every ok sample of a
 * non-baseline environment that has an ok baseline sample with the same
 * workload and metric. Returns NULL when there is nothing to compare. */
json_t *overhead_for_run(const struct run *run, const char *baseline_env);

/* Prints the overhead array as a table: env, workload, metric, slowdown with
 * its 95% CI, p-value, verdict. */
void overhead_print_table(FILE *out, const json_t *overhead);

#endif
