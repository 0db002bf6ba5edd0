/* Across hosts: the spread of each figure and Welch's ANOVA. */
#include "reports/fleet_stats.h"

#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int welch_anova(const double *const *values, const size_t *n, size_t k, double *F, double *df1,
                double *df2, double *p)
{
	if (k < 2)
		return -1;
	double sum_w = 0, sum_wm = 0;
	double *mean = calloc(k, sizeof(*mean)), *w = calloc(k, sizeof(*w));
	int rc = -1;
	if (mean == NULL || w == NULL)
		goto out;
	for (size_t i = 0; i < k; i++) {
		if (n[i] < 2)
			goto out;
		double m = 0, ss = 0;
		for (size_t j = 0; j < n[i]; j++)
			m += values[i][j];
		m /= (double)n[i];
		for (size_t j = 0; j < n[i]; j++)
			ss += (values[i][j] - m) * (values[i][j] - m);
		double var = ss / (double)(n[i] - 1);
		if (!(var > 0) || !isfinite(var))
			goto out;
		mean[i] = m;
		w[i] = (double)n[i] / var;
		sum_w += w[i];
		sum_wm += w[i] * m;
	}
	double grand = sum_wm / sum_w, a = 0, lambda = 0, kk = (double)k;
	for (size_t i = 0; i < k; i++) {
		a += w[i] * (mean[i] - grand) * (mean[i] - grand);
		double r = 1 - w[i] / sum_w;
		lambda += r * r / (double)(n[i] - 1);
	}
	a /= kk - 1;
	double b = 1 + 2 * (kk - 2) / (kk * kk - 1) * lambda;
	*F = a / b;
	*df1 = kk - 1;
	*df2 = lambda > 0 ? (kk * kk - 1) / (3 * lambda) : INFINITY;
	*p = gsl_cdf_fdist_Q(*F, *df1, *df2);
	rc = isfinite(*F) && isfinite(*p) ? 0 : -1;
out:
	free(mean);
	free(w);
	return rc;
}

static bool ok(const struct sample *s)
{
	return !s->failed && s->n_values > 0;
}

static bool same(const struct sample *a, const struct sample *b)
{
	return strcmp(a->env, b->env) == 0 && strcmp(a->workload, b->workload) == 0 &&
	       strcmp(a->metric, b->metric) == 0 && strcmp(a->unit, b->unit) == 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The host's sample of key's (env, workload, metric, unit), or NULL. */
static const struct sample *find(const struct run *run, const struct sample *key)
{
	for (size_t i = 0; i < run->n_samples; i++)
		if (ok(&run->samples[i]) && same(&run->samples[i], key))
			return &run->samples[i];
	return NULL;
}

static int spread_fill(const struct fleet *f, const struct sample *key, struct fleet_spread *sp)
{
	*sp = (struct fleet_spread){.env = key->env,
	                            .workload = key->workload,
	                            .metric = key->metric,
	                            .unit = key->unit,
	                            .better = key->better};
	sp->hosts = calloc(f->n_hosts, sizeof(*sp->hosts));
	sp->samples = calloc(f->n_hosts, sizeof(*sp->samples));
	const double **vals = calloc(f->n_hosts, sizeof(*vals));
	size_t *nv = calloc(f->n_hosts, sizeof(*nv));
	double *means = calloc(f->n_hosts, sizeof(*means));
	int rc = -1;
	if (sp->hosts == NULL || sp->samples == NULL || vals == NULL || nv == NULL || means == NULL)
		goto out;
	for (size_t h = 0; h < f->n_hosts; h++) {
		const struct sample *s = find(&f->hosts[h].run, key);
		if (s == NULL)
			continue;
		sp->hosts[sp->n] = h;
		sp->samples[sp->n] = s;
		vals[sp->n] = s->values;
		nv[sp->n] = s->n_values;
		means[sp->n] = s->stats.mean;
		sp->n++;
	}
	for (size_t i = 0; i < sp->n; i++) {
		double m = sp->samples[i]->stats.mean;
		double best = sp->samples[sp->best]->stats.mean,
		       worst = sp->samples[sp->worst]->stats.mean;
		if (key->better == BETTER_HIGHER ? m > best : m < best)
			sp->best = i;
		if (key->better == BETTER_HIGHER ? m < worst : m > worst)
			sp->worst = i;
	}
	qsort(means, sp->n, sizeof(*means), cmp_double);
	sp->min = means[0];
	sp->max = means[sp->n - 1];
	sp->median = sp->n % 2 ? means[sp->n / 2] : (means[sp->n / 2 - 1] + means[sp->n / 2]) / 2;
	double b = sp->samples[sp->best]->stats.mean, w = sp->samples[sp->worst]->stats.mean;
	sp->worst_vs_best =
	    key->better == BETTER_HIGHER ? (w != 0 ? b / w : NAN) : (b != 0 ? w / b : NAN);
	sp->tested = welch_anova(vals, nv, sp->n, &sp->F, &sp->df1, &sp->df2, &sp->p) == 0;
	sp->differ = sp->tested && sp->p < 0.05;
	rc = 0;
out:
	free(vals);
	free(nv);
	free(means);
	return rc;
}

void fleet_spreads_free(struct fleet_spread *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++) {
		free(v[i].hosts);
		free(v[i].samples);
	}
	free(v);
}

static bool listed(const struct fleet_spread *v, size_t n, const struct sample *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].env, s->env) == 0 && strcmp(v[i].workload, s->workload) == 0 &&
		    strcmp(v[i].metric, s->metric) == 0 && strcmp(v[i].unit, s->unit) == 0)
			return true;
	return false;
}

int fleet_spreads(const struct fleet *f, struct fleet_spread **out, size_t *n,
                  struct bench_error **err)
{
	*out = NULL;
	*n = 0;
	size_t cap = 0;
	struct fleet_spread *v = NULL;
	/* bare first, then every other environment */
	for (int pass = 0; pass < 2; pass++)
		for (size_t h = 0; h < f->n_hosts; h++) {
			const struct run *run = &f->hosts[h].run;
			for (size_t i = 0; i < run->n_samples; i++) {
				const struct sample *s = &run->samples[i];
				if (!ok(s) || (strcmp(s->env, "bare") == 0) != (pass == 0) ||
				    listed(v, *n, s))
					continue;
				if (*n == cap) {
					cap = cap ? 2 * cap : 16;
					struct fleet_spread *g = realloc(v, cap * sizeof(*g));
					if (g == NULL)
						goto oom;
					v = g;
				}
				if (spread_fill(f, s, &v[*n]) < 0) {
					(*n)++;
					goto oom;
				}
				(*n)++;
			}
		}
	*out = v;
	return 0;
oom:
	fleet_spreads_free(v, *n);
	*n = 0;
	return bench_error_set(err, ENOMEM, "fleet spreads");
}
