/* Change points in a series (one value per run, in time order) by
 * E-divisive means (Matteson and James, 2014) with a permutation test of
 * significance: the split that maximises the energy-distance statistic
 *   Q(tau) = m k / (m + k) * (2 E|X - Y| - E|X - X'| - E|Y - Y'|)
 * (exponent 1, the right end fixed at the segment's end, as in Hunter/Otava)
 * is kept when fewer than p_max of `permutations` shuffles within the
 * current segments reach it; segments are then split again (hierarchical
 * bisection) until no split is significant. Non-parametric: it sees changes
 * in location and in spread without assuming normal noise, which run means
 * on shared machines do not have. Deterministic: the shuffles use a fixed
 * seed, so the same series always gives the same answer. */
#ifndef BENCH_CHANGEPOINT_H
#define BENCH_CHANGEPOINT_H

#include <stddef.h>

struct cp_options {
	size_t min_size;     /* shortest segment, >= 2 (default 3) */
	size_t permutations; /* default 199 */
	double p_max;        /* significance, default 0.05 */
	unsigned long seed;  /* default 1 */
};

/* The defaults above. */
struct cp_options cp_defaults(void);

struct change_point {
	size_t index;         /* first point of the new segment */
	double p;             /* permutation p-value when it was accepted */
	double before, after; /* means of the segments either side (final segmentation) */
};

/* Finds change points of x[0..n) into out (at most max_out, sorted by
 * index). Returns how many, or -1 on allocation failure. Series shorter
 * than 2 * min_size have none. */
int cp_find(const double *x, size_t n, const struct cp_options *o, struct change_point *out,
            size_t max_out);

/* The end (exclusive) of the stable segment that starts at start: the
 * first change point after start, or n. */
size_t cp_segment_end(const struct change_point *cps, int n_cps, size_t start, size_t n);

#endif
