#include "percentile.h"

#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void percentile_sort(double *v, size_t n)
{
	qsort(v, n, sizeof(double), cmp_double);
}

double percentile_sorted(const double *sorted, size_t n, double p)
{
	if (p < 0)
		p = 0;
	if (p > 100)
		p = 100;
	double rank = (double)(n - 1) * p / 100.0;
	size_t lo = (size_t)rank;
	if (lo + 1 >= n)
		return sorted[n - 1];
	double frac = rank - (double)lo;
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}
