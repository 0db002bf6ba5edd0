/* The comparison report's page (comparison.html) and its rendering: the
 * verdict, the validity, the metrics table and the charts inline, in the
 * frame report.html uses (reports/report_html.h). */
#include "reports/report_compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"
#include "reports/report_data.h"
#include "reports/html.h"

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static void cell_num(FILE *out, const json_t *o, const char *key, const char *fmt)
{
	const json_t *v = json_object_get(o, key);
	fputs("<td class=\"r\">", out);
	if (json_is_number(v))
		fprintf(out, fmt, json_number_value(v));
	else
		fputs("-", out);
	fputs("</td>", out);
}

static void cell(FILE *out, const char *text)
{
	fputs("<td>", out);
	html_text(out, text);
	fputs("</td>", out);
}

struct page {
	const json_t *doc;
	const struct report_charts *charts;
	const char *dir;
	struct bench_error **err;
};

static void validity_table(FILE *out, const json_t *validity)
{
	const json_t *diffs = json_object_get(validity, "differences");
	fprintf(out, "<h2>Validity: %s</h2>\n",
	        json_is_true(json_object_get(validity, "valid")) ? "matched conditions"
	                                                         : "REFUSED");
	if (json_array_size(diffs) == 0) {
		fputs("<p>Host fingerprints and every metric's conditions match.</p>\n", out);
		return;
	}
	fputs("<table>\n<tr><th>effect</th><th>key</th><th>where</th><th>what</th><th>base</th>"
	      "<th>new</th></tr>\n",
	      out);
	for (size_t i = 0; i < json_array_size(diffs); i++) {
		const json_t *d = json_array_get(diffs, i);
		fputs("<tr>", out);
		const char *keys[] = {"effect", "key", "where", "path", "base", "new"};
		for (size_t k = 0; k < 6; k++)
			cell(out, str(d, keys[k]));
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void metrics_table(FILE *out, const json_t *metrics)
{
	fputs("<h2>Metrics</h2>\n<table>\n<tr><th>env</th><th>workload</th><th>metric</th>"
	      "<th>base</th><th>new</th><th>change %</th><th>95% CI</th><th>tolerance %</th>"
	      "<th>test</th><th>q (worse)</th><th>detectable %</th><th>verdict</th><th>note</th>"
	      "</tr>\n",
	      out);
	for (size_t i = 0; i < json_array_size(metrics); i++) {
		const json_t *m = json_array_get(metrics, i);
		fputs("<tr>", out);
		cell(out, str(m, "env"));
		cell(out, str(m, "workload"));
		cell(out, str(m, "metric"));
		cell_num(out, m, "base_mean", "%.5g");
		cell_num(out, m, "new_mean", "%.5g");
		cell_num(out, m, "change_pct", "%+.2f");
		char ci[80] = "-";
		const json_t *lo = json_object_get(m, "change_ci95_low_pct"),
		             *hi = json_object_get(m, "change_ci95_high_pct");
		if (json_is_number(lo) || json_is_number(hi))
			snprintf(ci, sizeof(ci), "[%s, %s]", json_is_number(lo) ? "" : "-inf",
			         json_is_number(hi) ? "" : "+inf");
		if (json_is_number(lo) && json_is_number(hi))
			snprintf(ci, sizeof(ci), "[%+.2f, %+.2f]", json_number_value(lo),
			         json_number_value(hi));
		cell(out, ci);
		cell_num(out, m, "tolerance_pct", "%g");
		cell(out, str(m, "test"));
		cell_num(out, m, "q_worse", "%.3g");
		cell_num(out, m, "mde_pct", "%.1f");
		cell(out, str(m, "verdict"));
		cell(out, str(m, "note"));
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

static int page(FILE *out, const void *arg)
{
	const struct page *p = arg;
	const json_t *doc = p->doc;
	fprintf(out,
	        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	        "<title>bench comparison</title>\n<style>\n%s</style>\n</head>\n<body>\n",
	        html_style);
	fputs("<h1>bench comparison: ", out);
	html_text(out, str(doc, "verdict"));
	fputs("</h1>\n<p>Base <code>", out);
	html_text(out, str(json_object_get(doc, "base"), "label"));
	fputs("</code> &rarr; new <code>", out);
	html_text(out, str(json_object_get(doc, "new"), "label"));
	fputs("</code>; created ", out);
	html_text(out, str(doc, "created"));
	const json_t *pol = json_object_get(doc, "policy");
	fprintf(out,
	        ".</p>\n<p class=\"note\">A regression is a change worse than the tolerance, "
	        "significant at %g after Benjamini-Hochberg over every metric; equivalent means "
	        "the interval lies inside the tolerance (two one-sided tests); improvements never "
	        "fail; inconclusive metrics show the change their noise could detect.</p>\n",
	        json_number_value(json_object_get(pol, "alpha")));
	validity_table(out, json_object_get(doc, "validity"));
	metrics_table(out, json_object_get(doc, "metrics"));
	for (size_t i = 0; i < p->charts->n; i++) {
		fputs("<figure>\n", out);
		if (html_inline_svg(out, p->dir, p->charts->v[i].name, i, p->err) < 0)
			return -1;
		fputs("<figcaption>", out);
		html_text(out, p->charts->v[i].title);
		fputs("</figcaption>\n</figure>\n", out);
	}
	const json_t *notes = json_object_get(doc, "notes");
	if (json_array_size(notes) > 0) {
		fputs("<h2>Notes</h2>\n<ul>\n", out);
		for (size_t i = 0; i < json_array_size(notes); i++) {
			fputs("<li>", out);
			html_text(out, json_string_value(json_array_get(notes, i)));
			fputs("</li>\n", out);
		}
		fputs("</ul>\n", out);
	}
	fputs("</body>\n</html>\n", out);
	return ferror(out) ? -1 : 0;
}

struct render_args {
	const json_t *doc;
	const struct report_tools *tools;
};

static int render(const char *tmp, struct report_files *names, const void *arg,
                  struct bench_error **err)
{
	const struct render_args *a = arg;
	struct compare_charts_data data;
	struct report_charts charts = {0};
	int rc = compare_charts_data(a->doc, &data, err);
	if (rc == 0)
		rc = compare_charts_draw(&data, tmp, a->tools, &charts, err);
	cleanup_free char *path = NULL;
	if (rc == 0 && asprintf(&path, "%s/comparison.html", tmp) < 0)
		rc = bench_error_set(err, ENOMEM, "report");
	struct page p = {a->doc, &charts, tmp, err};
	if (rc == 0)
		rc = report_write_file(path, page, &p, err);
	if (rc == 0)
		rc = report_files_add_charts(names, &charts, err);
	if (rc == 0 && report_files_add(names, "comparison.html") < 0)
		rc = bench_error_set(err, ENOMEM, "report");
	free(charts.v);
	compare_charts_data_free(&data);
	return rc;
}

int report_compare_render(const char *comparison_json, const char *out_dir,
                          const struct report_tools *tools, struct report_files *files,
                          struct bench_error **err)
{
	memset(files, 0, sizeof(*files));
	json_error_t jerr;
	json_t *doc = json_load_file(comparison_json, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL)
		return bench_error_set(err, 0, "%s:%d:%d: %s", comparison_json, jerr.line,
		                       jerr.column, jerr.text);
	struct render_args a = {doc, tools};
	int rc = report_dir_render(out_dir, render, &a, files, err);
	if (rc < 0)
		bench_error_wrap(err, "%s", comparison_json);
	json_decref(doc);
	return rc;
}
