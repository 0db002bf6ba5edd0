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
	double ratio;  /* env over baseline: mean(env) / mean(baseline) (Welch), or the
	                * geometric mean of the per-block ratios (paired) */
	double ci_low; /* 95% CI of that ratio (Fieller, or t on the log ratios); NAN when
	                * unbounded */
	double ci_high;
	double slowdown; /* oriented: > 1 always means the environment is worse
	                  * (baseline/env for higher-is-better, env/baseline else) */
	double slowdown_low, slowdown_high;
	double p_value;  /* Welch's two-sample t-test or the paired t-test, two-sided */
	double df;       /* Welch-Satterthwaite degrees of freedom, or pairs - 1 */
	size_t pairs;    /* paired: the number of blocks; 0 for Welch */
	int significant; /* p < 0.05 and the slowdown CI excludes 1 */
};

/* Compares env's values with the baseline's. Needs n >= 2 on both sides
 * and a baseline mean that is not 0; returns -1 otherwise. The interval is
 * Fieller's for a ratio of two independent means, with Student t on the
 * Welch degrees of freedom (GSL quantiles); it is unbounded (NAN) when the
 * baseline mean is not significantly different from zero. */
int overhead_compute(const double *env, size_t n_env, const double *base, size_t n_base,
                     enum better better, struct overhead *out);

/* Pairs the values of s and b that ran in the same interleaving block
 * (s_blocks and b_blocks: their `order.block` arrays; NULL pairs nothing),
 * into x (s) and y (b), room for s->n_values each. Returns the pairs. */
size_t overhead_pair_by_block(const struct sample *s, const json_t *s_blocks,
                              const struct sample *b, const json_t *b_blocks, double *x, double *y);

/* Compares env with the baseline block by block: env[i] and base[i] ran
 * in the same interleaved block. d_i = ln(env[i] / base[i]); the ratio is
 * exp(mean d), its 95% CI exp(mean d +- t(0.975, n-1) sd(d) / sqrt(n)),
 * and p the paired t-test's on d (two-sided, n-1 degrees of freedom; GSL).
 * With sd(d) = 0 the interval is the point and p is 1 when mean d = 0,
 * else 0. Needs n >= 2 and every value > 0 (a ratio of logs); returns -1
 * otherwise. Fills the same struct as overhead_compute, with pairs = n. */
int overhead_paired(const double *env, const double *base, size_t n, enum better better,
                    struct overhead *out);

/* Builds the run's "overhead" array: one entry for every ok sample of a
 * non-baseline environment that has an ok baseline sample with the same
 * workload and metric. When both were interleaved (their `order` blocks
 * pair up, at least 2 pairs, positive values) the entry uses
 * overhead_paired over the common blocks, else overhead_compute; `test`
 * names which. Returns NULL when there is nothing to compare. */
json_t *overhead_for_run(const struct run *run, const char *baseline_env);

/* Prints the overhead array as a table: env, workload, metric, slowdown with
 * its 95% CI, p-value, verdict. */
void overhead_print_table(FILE *out, const json_t *overhead);

#endif
