/* E-divisive means with a permutation test (see changepoint.h). */
#include "reports/changepoint.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct cp_options cp_defaults(void)
{
	return (struct cp_options){.min_size = 3, .permutations = 199, .p_max = 0.05, .seed = 1};
}

/* |x_a - x_b| through the permutation perm (positions -> original index). */
static inline double dist(const double *x, const size_t *perm, size_t a, size_t b)
{
	return fabs(x[perm[a]] - x[perm[b]]);
}

/* The best split of [s, e) and its statistic; tau = 0 when none fits. O(len^2). */
static double best_split(const double *x, const size_t *perm, size_t s, size_t e, size_t min_size,
                         size_t *tau_out)
{
	*tau_out = 0;
	size_t len = e - s;
	if (len < 2 * min_size)
		return -INFINITY;
	/* left within-sum W_L(tau) over [s, tau), right W_R over [tau, e),
	 * cross sum C(tau) between them; updated as tau moves right. */
	double wl = 0, wr = 0, cross = 0;
	for (size_t i = s; i < e; i++)
		for (size_t j = i + 1; j < e; j++)
			wr += dist(x, perm, i, j);
	double best = -INFINITY;
	for (size_t tau = s + 1; tau < e; tau++) {
		/* move point tau - 1 from the right part to the left part */
		size_t p = tau - 1;
		double to_left = 0, to_right = 0;
		for (size_t i = s; i < p; i++)
			to_left += dist(x, perm, i, p);
		for (size_t j = p + 1; j < e; j++)
			to_right += dist(x, perm, p, j);
		wr -= to_right;
		cross += to_right - to_left;
		wl += to_left;
		size_t m = tau - s, k = e - tau;
		if (m < min_size || k < min_size)
			continue;
		double md = (double)m, kd = (double)k;
		double e_xy = cross / (md * kd);
		double e_xx = wl / (md * (md - 1) / 2), e_yy = wr / (kd * (kd - 1) / 2);
		double q = md * kd / (md + kd) * (2 * e_xy - e_xx - e_yy);
		if (q > best) {
			best = q;
			*tau_out = tau;
		}
	}
	return best;
}

/* The best split over all segments (bounds[0..nb] cut points). */
static double best_over(const double *x, const size_t *perm, const size_t *bounds, size_t nb,
                        size_t min_size, size_t *tau)
{
	double best = -INFINITY;
	*tau = 0;
	for (size_t b = 0; b + 1 < nb; b++) {
		size_t t;
		double q = best_split(x, perm, bounds[b], bounds[b + 1], min_size, &t);
		if (t != 0 && q > best) {
			best = q;
			*tau = t;
		}
	}
	return best;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

static double segment_mean(const double *x, size_t s, size_t e)
{
	double sum = 0;
	for (size_t i = s; i < e; i++)
		sum += x[i];
	return sum / (double)(e - s);
}

int cp_find(const double *x, size_t n, const struct cp_options *o, struct change_point *out,
            size_t max_out)
{
	size_t min_size = o->min_size < 2 ? 2 : o->min_size;
	if (n < 2 * min_size || max_out == 0)
		return 0;
	size_t *ident = malloc(n * sizeof(*ident)), *perm = malloc(n * sizeof(*perm));
	size_t *bounds = malloc((max_out + 2) * sizeof(*bounds));
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	int found = -1;
	if (ident == NULL || perm == NULL || bounds == NULL || rng == NULL)
		goto out;
	gsl_rng_set(rng, o->seed);
	for (size_t i = 0; i < n; i++)
		ident[i] = i;
	bounds[0] = 0;
	bounds[1] = n;
	size_t nb = 2;
	found = 0;
	while ((size_t)found < max_out) {
		size_t tau;
		double q = best_over(x, ident, bounds, nb, min_size, &tau);
		if (tau == 0)
			break;
		/* permutation test: shuffle within the current segments */
		size_t reach = 0;
		for (size_t r = 0; r < o->permutations; r++) {
			memcpy(perm, ident, n * sizeof(*perm));
			for (size_t b = 0; b + 1 < nb; b++)
				gsl_ran_shuffle(rng, perm + bounds[b], bounds[b + 1] - bounds[b],
				                sizeof(*perm));
			size_t t2;
			if (best_over(x, perm, bounds, nb, min_size, &t2) >= q)
				reach++;
		}
		double p = (double)(reach + 1) / (double)(o->permutations + 1);
		if (p > o->p_max)
			break;
		bounds[nb++] = tau;
		qsort(bounds, nb, sizeof(*bounds), cmp_size);
		out[found].index = tau;
		out[found++].p = p;
	}
	/* sort by index, then the means either side in the final segmentation */
	for (int i = 1; i < found; i++)
		for (int j = i; j > 0 && out[j].index < out[j - 1].index; j--) {
			struct change_point t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	for (int i = 0; i < found; i++) {
		size_t s = i > 0 ? out[i - 1].index : 0, e = i + 1 < found ? out[i + 1].index : n;
		out[i].before = segment_mean(x, s, out[i].index);
		out[i].after = segment_mean(x, out[i].index, e);
	}
out:
	free(ident);
	free(perm);
	free(bounds);
	if (rng != NULL)
		gsl_rng_free(rng);
	return found;
}

size_t cp_segment_end(const struct change_point *cps, int n_cps, size_t start, size_t n)
{
	for (int k = 0; k < n_cps; k++)
		if (cps[k].index > start && cps[k].index < n)
			return cps[k].index; /* sorted by index */
	return n;
}
