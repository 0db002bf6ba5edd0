/* What a fleet report computes across hosts: for every (environment,
 * workload, metric), the spread of the hosts' means and whether the hosts
 * differ by more than their repetitions' noise (Welch's one-way ANOVA). */
#ifndef BENCH_FLEET_STATS_H
#define BENCH_FLEET_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/core/error.h"
#include "reports/fleet.h"

/* Welch's one-way ANOVA (Welch 1951) over k groups of values (group i has
 * n[i] values): the test for equal means that does not assume equal
 * variances. Needs k >= 2, every n[i] >= 2 and every variance > 0; returns
 * -1 otherwise. *F, *df1 = k - 1, *df2 and *p (upper tail of the F
 * distribution, GSL). */
int welch_anova(const double *const *values, const size_t *n, size_t k, double *F, double *df1,
                double *df2, double *p);

/* One (environment, workload, metric) across the hosts that have an ok
 * sample of it. */
struct fleet_spread {
	const char *env, *workload, *metric, *unit; /* borrowed from the fleet */
	int better;                                 /* BETTER_HIGHER or BETTER_LOWER */
	size_t n;                                   /* hosts */
	size_t *hosts;                              /* n indexes into fleet->hosts */
	const struct sample **samples;              /* n: each host's sample */
	double median;                              /* of the hosts' means */
	double min, max;                            /* of the hosts' means */
	size_t best, worst;                         /* positions (0..n-1) by better */
	double worst_vs_best; /* slowdown of the worst host against the best: >= 1 */
	bool tested;          /* Welch's ANOVA could be computed */
	double F, df1, df2, p;
	bool differ; /* tested and p < 0.05 */
};

/* Every (env, workload, metric) with an ok sample on at least one host, in
 * order of first appearance (bare first). The fleet must outlive them.
 * Returns 0 with *out (free with fleet_spreads_free), or -1 with *err. */
int fleet_spreads(const struct fleet *f, struct fleet_spread **out, size_t *n,
                  struct bench_error **err);
void fleet_spreads_free(struct fleet_spread *v, size_t n);

#endif
