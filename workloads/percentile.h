/* Percentiles over latency samples. Shared by wl (per-operation latencies)
 * and the harness (wire-level request/response times). */
#ifndef BENCH_PERCENTILE_H
#define BENCH_PERCENTILE_H

#include <stddef.h>

/* Sorts v[0..n) ascending in place. */
void percentile_sort(double *v, size_t n);

/* The p-th percentile (0 <= p <= 100) of sorted[0..n), n >= 1, by linear
 * interpolation between closest ranks (rank (n-1)*p/100, the method of R's
 * type 7 and numpy's default). p outside [0,100] is clamped. */
double percentile_sorted(const double *sorted, size_t n, double p);

#endif
