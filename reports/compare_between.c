/* Run-to-run variation for comparisons of two separate runs: earlier runs
 * of the base's conditions from the history database give each metric's
 * between-run variance component (reports/hypotest.h: welch_t+between_runs). */
#include "reports/compare.h"

#include <errno.h>
#include <gsl/gsl_statistics_double.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* host as a GLOB pattern that matches only itself */
static void glob_literal(const char *s, char *out, size_t len)
{
	size_t k = 0;
	for (; *s && k + 4 < len; s++) {
		if (*s == '*' || *s == '?' || *s == '[') {
			out[k++] = '[';
			out[k++] = *s;
			out[k++] = ']';
		} else {
			out[k++] = *s;
		}
	}
	out[k] = '\0';
}

/* No difference at all between the two host fingerprints. */
static bool same_host(const json_t *a, const json_t *b)
{
	struct validity v = {0};
	validity_hosts(&v, a, b);
	bool same = v.n == 0;
	validity_free(&v);
	return same;
}

static int keep_run(struct calibration *cal, struct run *run, struct bench_error **err)
{
	struct run *v = realloc(cal->runs, (cal->n + 1) * sizeof(*v));
	if (v == NULL) {
		run_free(run);
		return bench_error_set(err, ENOMEM, "history calibration runs");
	}
	cal->runs = v;
	cal->runs[cal->n++] = *run;
	return 0;
}

int calibration_load(struct calibration *cal, const char *db, const struct run *base,
                     const char *new_run_id, struct bench_error **err)
{
	memset(cal, 0, sizeof(*cal));
	snprintf(cal->db, sizeof(cal->db), "%s", db ? db : HISTORY_DEFAULT_DB);
	struct stat st;
	if (stat(cal->db, &st) < 0)
		return 0; /* no history: nothing measured, not an error */
	cal->present = true;
	struct history_selector sel = {0};
	const char *host = json_string_value(json_object_get(base->host, "hostname"));
	glob_literal(host ? host : "unavailable", sel.host, sizeof(sel.host));
	struct history h;
	struct history_run *runs = NULL;
	size_t n = 0;
	int rc = history_open(&h, cal->db, err);
	if (rc == 0)
		rc = history_runs(&h, &sel, &runs, &n, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (new_run_id != NULL && strcmp(runs[i].run_id, new_run_id) == 0)
			continue;
		struct run r;
		rc = history_load(&h, runs[i].id, &r, NULL, err);
		if (rc < 0)
			break;
		if (same_host(base->host, r.host))
			rc = keep_run(cal, &r, err);
		else
			run_free(&r);
	}
	free(runs);
	history_close(&h);
	if (rc < 0) {
		bench_error_wrap(err, "run-to-run variation from the history");
		calibration_free(cal);
	}
	return rc;
}

void calibration_free(struct calibration *cal)
{
	for (size_t i = 0; i < cal->n; i++)
		run_free(&cal->runs[i]);
	free(cal->runs);
	cal->runs = NULL;
	cal->n = 0;
}

/* The calibration run's sample of b's (env, workload, metric) when it was
 * taken under b's conditions (validity_samples: no refusing difference;
 * the repetition policy may differ) with 2 or more values. */
static const struct sample *matching_sample(const struct run *r, const struct sample *b)
{
	for (size_t i = 0; i < r->n_samples; i++) {
		const struct sample *s = &r->samples[i];
		if (s->failed || s->n_values < 2 || strcmp(s->env, b->env) != 0 ||
		    strcmp(s->workload, b->workload) != 0 || strcmp(s->metric, b->metric) != 0)
			continue;
		struct validity v = {0};
		validity_samples(&v, s, b, "calibration");
		validity_finish(&v, NULL, 0, false);
		bool ok = v.valid;
		validity_free(&v);
		return ok ? s : NULL;
	}
	return NULL;
}

size_t calibration_between(const struct calibration *cal, const struct sample *b,
                           struct between_runs *est, json_t **ids)
{
	memset(est, 0, sizeof(*est));
	*ids = json_array();
	size_t k = 0;
	double *means = malloc((cal->n ? cal->n : 1) * sizeof(double));
	double *vars = malloc((cal->n ? cal->n : 1) * sizeof(double));
	size_t *n = malloc((cal->n ? cal->n : 1) * sizeof(size_t));
	if (means == NULL || vars == NULL || n == NULL)
		goto out;
	for (size_t i = 0; i < cal->n; i++) {
		const struct sample *s = matching_sample(&cal->runs[i], b);
		if (s == NULL)
			continue;
		means[k] = gsl_stats_mean(s->values, 1, s->n_values);
		vars[k] = gsl_stats_variance(s->values, 1, s->n_values);
		n[k++] = s->n_values;
		json_array_append_new(*ids, json_string(cal->runs[i].run_id));
	}
	struct bench_error *err = NULL;
	if (k >= 3 && between_runs_estimate(means, vars, n, k, est, &err) < 0) {
		bench_error_free(&err);
		memset(est, 0, sizeof(*est));
	}
out:
	free(means);
	free(vars);
	free(n);
	return k;
}
