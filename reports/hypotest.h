/* Tests on the ratio of two locations, new over base, for the verdicts of a
 * comparison (reports/compare.h). Every test answers the same one-sided
 * questions, "is the ratio below r0?" and "is it above r0?", for any r0, so
 * that regression (beyond the tolerance), improvement and equivalence (two
 * one-sided tests at the tolerance's edges) are decided the same way
 * whatever the test. Distribution functions are GSL's.
 *
 * - welch_t: two independent samples; t = (mean_new - r0 mean_base) /
 *   sqrt(v_new + r0^2 v_base) on Welch-Satterthwaite degrees of freedom;
 *   the interval is Fieller's (the set of r0 the test does not reject).
 * - mann_whitney_u: two independent samples of positive values; U counts
 *   pairs with new_i > r0 base_j (ties count 1/2). Exact null distribution
 *   (Harding's generating function) when there are no ties and
 *   n_new + n_base <= MWU_EXACT_MAX_N, else the normal approximation with
 *   tie and continuity corrections. The estimate is Hodges-Lehmann's on the
 *   log scale (median of the pairwise ratios) with its distribution-free
 *   interval (order statistics of the pairwise ratios).
 * - paired_t: pairs (new_i, base_i) from one interleaved run; t on the
 *   differences new_i - r0 base_i, n - 1 degrees of freedom; the interval
 *   is Fieller's with the covariance.
 * - runs_t: the base side is k run means from the history, the new side one
 *   run's mean: a prediction test, t = (m_new - r0 m_base) /
 *   (r0 s sqrt(1 + 1/k)), k - 1 degrees of freedom, s the standard deviation
 *   of the base run means. It counts run-to-run variation, which the
 *   repetitions of one run do not see.
 * - welch_t+between_runs: welch_t for two separate runs (base and new are
 *   different run files) with a between-run variance component added to
 *   each side's mean: t = (m_new - r0 m_base) / sqrt(v_new/n_new +
 *   r0^2 v_base/n_base + CV_b^2 (m_new^2 + r0^2 m_base^2)), CV_b^2 the
 *   relative between-run variance estimated from k earlier runs of the same
 *   conditions (between_runs_estimate); Welch-Satterthwaite df with the
 *   between term as one component on k - 1 df (both sides share the one
 *   estimate, so it is one term, not two); Fieller's interval with the
 *   enlarged variances. Repetitions shrink only the within-run terms.
 *   Mann-Whitney U cannot carry such a term, so this replaces it too. */
#ifndef BENCH_HYPOTEST_H
#define BENCH_HYPOTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/core/error.h"

#define MWU_EXACT_MAX_N 50 /* exact U distribution up to n_new + n_base */

enum ratio_test_kind {
	RATIO_WELCH,
	RATIO_MANN_WHITNEY,
	RATIO_PAIRED,
	RATIO_RUNS,
	RATIO_WELCH_BETWEEN,
};

/* "welch_t", "mann_whitney_u", "paired_t", "runs_t", "welch_t+between_runs". */
const char *ratio_test_name(enum ratio_test_kind kind);

struct ratio_test {
	enum ratio_test_kind kind;
	size_t nx, ny; /* new and base sizes (runs_t: nx = 1, ny = k) */
	double mx, my; /* means */
	double vx, vy; /* sample variances (n - 1) */
	double cov;    /* paired_t: covariance of the pairs */
	double *x, *y; /* copies of the values (mann_whitney_u) */
	double *logr;  /* mann_whitney_u: sorted log(x_i / y_j), nx * ny */
	bool ties;     /* mann_whitney_u: ties in the pooled sample at r0 = 1 */
	double cv_b2;  /* welch_t+between_runs: relative between-run variance */
	double df_b;   /* its degrees of freedom (k - 1) */
};

/* The between-run variance component of one metric from k runs of the same
 * conditions (one-way random effects, method of moments): run i has mean
 * means[i], sample variance vars[i] over n[i] repetitions;
 * s_b^2 = max(0, var(means) - mean(vars[i] / n[i])) on k - 1 df, and
 * relative to the grand mean, cv_b2 = s_b^2 / mean(means)^2. */
struct between_runs {
	size_t k;
	double grand_mean; /* mean of the run means */
	double var_means;  /* sample variance of the run means (k - 1) */
	double within;     /* mean of vars[i] / n[i]: what the repetitions explain */
	double s_b2;       /* the between-run component */
	double cv_b2;      /* s_b2 / grand_mean^2 */
	double df;         /* k - 1 */
};

/* Fills *out from k >= 3 runs, each with n[i] >= 2 and a finite mean;
 * the grand mean must not be 0. Returns 0, or -1 with *err saying why. */
int between_runs_estimate(const double *means, const double *vars, const size_t *n, size_t k,
                          struct between_runs *out, struct bench_error **err);

/* Prepares a test of new values x[0..nx) against base values y[0..ny).
 * welch_t and mann_whitney_u need nx, ny >= 2; paired_t nx == ny >= 3 (x[i]
 * and y[i] a pair); runs_t nx == 1 (the new run's mean) and ny >= 3 (base
 * run means); mann_whitney_u needs every value > 0. The base mean must not
 * be 0. Returns 0, or -1 with *err saying which condition failed. Free with
 * ratio_test_free. */
int ratio_test_init(struct ratio_test *t, enum ratio_test_kind kind, const double *x, size_t nx,
                    const double *y, size_t ny, struct bench_error **err);
void ratio_test_free(struct ratio_test *t);

/* Turns a prepared welch_t or mann_whitney_u test into
 * welch_t+between_runs with relative between-run variance cv_b2 >= 0 on
 * df_b > 0 degrees of freedom. Returns 0, or -1 with *err. */
int ratio_test_add_between(struct ratio_test *t, double cv_b2, double df_b,
                           struct bench_error **err);

/* welch_t+between_runs: the between-run share of the ratio's standard
 * error (relative), which no number of repetitions removes; 0 for the
 * other tests. */
double ratio_test_between_se(const struct ratio_test *t);

/* One-sided p-value at the boundary r0 > 0: dir < 0 for H1 "ratio < r0",
 * dir > 0 for H1 "ratio > r0". */
double ratio_test_p(const struct ratio_test *t, double r0, int dir);

/* The test's estimate of the ratio and its two-sided interval at level
 * (0.95); *lo or *hi is NAN when the interval is unbounded on that side. */
void ratio_test_interval(const struct ratio_test *t, double level, double *est, double *lo,
                         double *hi);

/* Standard error of the ratio estimate (relative to 1) and its degrees of
 * freedom, for the minimum detectable effect (mann_whitney_u uses Welch's). */
void ratio_test_se(const struct ratio_test *t, double *se, double *df);

/* The smallest relative change a one-sided test at alpha detects with the
 * given power: (t(1 - alpha) + t(power)) * se. */
double mde_relative(double se, double df, double alpha, double power);

/* Repetitions per side (runs_t: base runs) after which, with the present
 * noise, a true difference `distance` (relative) would be decided at alpha
 * with the given power; se scales as 1/sqrt(n) from n_now (runs_t: only the
 * base's share shrinks; welch_t+between_runs: only the within-run terms
 * shrink, so -1 when the between-run share alone is too wide). 0 when
 * already enough; -1 when no n up to limit would do. Normal quantiles. */
long reps_to_decide(const struct ratio_test *t, double distance, double alpha, double power,
                    long limit);

/* Benjamini-Hochberg adjusted p-values (q-values) of p[0..n); entries that
 * are NAN are left out of the family and get NAN. */
void bh_qvalues(const double *p, size_t n, double *q);

/* Exact lower-tail probability P(U <= u) of the Mann-Whitney statistic for
 * sizes m, n with no ties (u may be fractional: floor is used). -1 when
 * m + n > MWU_EXACT_MAX_N. */
double mwu_exact_cdf(size_t m, size_t n, double u);

#endif
