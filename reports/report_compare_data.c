/* Chart data of a comparison report, from its bench.comparison/1 document. */
#include "reports/report_compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static int history_of(const json_t *m, struct history_chart *h)
{
	const json_t *hist = json_object_get(m, "history");
	const json_t *pts = json_object_get(hist, "points");
	const json_t *cps = json_object_get(hist, "change_points");
	const json_t *seg = json_object_get(hist, "segment");
	memset(h, 0, sizeof(*h));
	snprintf(h->env, sizeof(h->env), "%s", str(m, "env"));
	snprintf(h->workload, sizeof(h->workload), "%s", str(m, "workload"));
	snprintf(h->metric, sizeof(h->metric), "%s", str(m, "metric"));
	snprintf(h->unit, sizeof(h->unit), "%s", str(m, "unit"));
	snprintf(h->label, sizeof(h->label), "%s/%s:%s", h->env, h->workload, h->metric);
	h->n = json_array_size(pts);
	h->n_cps = json_array_size(cps);
	h->mean = calloc(h->n + 1, sizeof(double));
	h->low = calloc(h->n + 1, sizeof(double));
	h->high = calloc(h->n + 1, sizeof(double));
	h->cps = calloc(h->n_cps + 1, sizeof(size_t));
	if (h->mean == NULL || h->low == NULL || h->high == NULL || h->cps == NULL)
		return -1;
	for (size_t i = 0; i < h->n; i++) {
		const json_t *p = json_array_get(pts, i);
		h->mean[i] = num(p, "mean");
		h->low[i] = num(p, "ci95_low");
		h->high[i] = num(p, "ci95_high");
	}
	for (size_t k = 0; k < h->n_cps; k++)
		h->cps[k] =
		    (size_t)json_integer_value(json_object_get(json_array_get(cps, k), "index"));
	h->seg_start = (size_t)json_integer_value(json_array_get(seg, 0));
	h->seg_end = (size_t)json_integer_value(json_array_get(seg, 1));
	h->new_mean = num(m, "new_mean");
	return 0;
}

int compare_charts_data(const json_t *doc, struct compare_charts_data *d, struct bench_error **err)
{
	memset(d, 0, sizeof(*d));
	const char *schema = json_string_value(json_object_get(doc, "schema"));
	if (schema == NULL || strcmp(schema, "bench.comparison/1") != 0)
		return bench_error_set(err, 0, "not a bench.comparison/1 document (schema %s)",
		                       schema ? schema : "missing");
	const json_t *metrics = json_object_get(doc, "metrics");
	if (!json_is_array(metrics))
		return bench_error_set(err, 0, "metrics: expected an array");
	size_t n = json_array_size(metrics);
	d->rows = calloc(n + 1, sizeof(*d->rows));
	d->hist = calloc(n + 1, sizeof(*d->hist));
	if (d->rows == NULL || d->hist == NULL)
		return bench_error_set(err, ENOMEM, "report");
	for (size_t i = 0; i < n; i++) {
		const json_t *m = json_array_get(metrics, i);
		if (!json_is_object(m))
			return bench_error_set(err, 0, "metrics[%zu]: expected an object", i);
		double sign = strcmp(str(m, "better"), "lower") == 0 ? -1 : 1;
		struct forest_row *r = &d->rows[d->n_rows];
		snprintf(r->label, sizeof(r->label), "%s/%s:%s", str(m, "env"), str(m, "workload"),
		         str(m, "metric"));
		r->change = sign * num(m, "change_pct");
		double lo = sign * num(m, "change_ci95_low_pct"),
		       hi = sign * num(m, "change_ci95_high_pct");
		r->low = sign > 0 ? lo : hi;
		r->high = sign > 0 ? hi : lo;
		r->tolerance = num(m, "tolerance_pct");
		r->verdict = str(m, "verdict");
		if (isfinite(r->change))
			d->n_rows++;
		if (json_is_true(json_object_get(m, "gated")) && json_object_get(m, "history") &&
		    history_of(m, &d->hist[d->n_hist++]) < 0)
			return bench_error_set(err, ENOMEM, "report");
	}
	return 0;
}

void compare_charts_data_free(struct compare_charts_data *d)
{
	for (size_t i = 0; i < d->n_hist; i++) {
		free(d->hist[i].mean);
		free(d->hist[i].low);
		free(d->hist[i].high);
		free(d->hist[i].cps);
	}
	free(d->hist);
	free(d->rows);
	memset(d, 0, sizeof(*d));
}
