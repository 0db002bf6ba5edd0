/* The files of bench tco --out. */
#include "reports/tco_render.h"

#include <errno.h>
#include <stdlib.h>

#include "harness/core/cleanup.h"
#include "reports/report_data.h"
#include "reports/tco_charts.h"
#include "reports/tco_export.h"
#include "reports/tco_html.h"
#include "reports/tco_table.h"

struct page {
	const struct tco_results *r;
	const struct tco_tables *t;
	const struct report_charts *charts;
	const char *dir;
	struct bench_error **err;
};

static int write_json(FILE *out, const void *arg)
{
	const struct page *p = arg;
	return tco_json_print(out, p->r, p->err);
}

static int write_scenarios(FILE *out, const void *arg)
{
	return tco_csv_scenarios(out, ((const struct page *)arg)->r);
}

static int write_sensitivity(FILE *out, const void *arg)
{
	return tco_csv_sensitivity(out, ((const struct page *)arg)->r);
}

static int write_break_even(FILE *out, const void *arg)
{
	return tco_csv_break_even(out, ((const struct page *)arg)->r);
}

static int write_published(FILE *out, const void *arg)
{
	return tco_csv_published(out, ((const struct page *)arg)->r);
}

static int write_page(FILE *out, const void *arg)
{
	const struct page *p = arg;
	return tco_html_page(out, p->r, p->t, p->charts, p->dir, p->err);
}

struct fill_arg {
	const struct tco_results *r;
	const struct report_tools *tools;
};

static int fill(const char *tmp, struct report_files *names, const void *arg,
                struct bench_error **err)
{
	const struct fill_arg *a = arg;
	static const char *const data[] = {"tco.json", "tco.csv", "tco-sensitivity.csv",
	                                   "tco-break-even.csv", "tco-published.csv"};
	static int (*const writers[])(FILE *, const void *) = {
	    write_json, write_scenarios, write_sensitivity, write_break_even, write_published};
	struct tco_tables t;
	struct report_charts charts = {0};
	struct page p = {a->r, &t, &charts, tmp, err};
	int rc = tco_tables_build(a->r, 0, &t, err);
	cleanup_free const char **platforms = tco_chart_platforms(a->r->m);
	if (rc == 0 && platforms == NULL)
		rc = bench_error_set(err, ENOMEM, "tco");
	if (rc == 0) {
		struct plot_ctx ctx = {.dir = tmp,
		                       .tools = a->tools,
		                       .charts = &charts,
		                       .envs = platforms,
		                       .n_envs = a->r->m->n_platforms};
		rc = gp_draw(&ctx, tco_charts_draw, a->r, err);
	}
	for (size_t i = 0; i < sizeof(data) / sizeof(data[0]) && rc == 0; i++) {
		cleanup_free char *path = NULL;
		if (asprintf(&path, "%s/%s", tmp, data[i]) < 0)
			rc = bench_error_set(err, ENOMEM, "tco");
		else
			rc = report_write_file(path, writers[i], &p, err);
		if (rc == 0 && report_files_add(names, data[i]) < 0)
			rc = bench_error_set(err, ENOMEM, "tco");
	}
	if (rc == 0)
		rc = report_files_add_charts(names, &charts, err);
	cleanup_free char *page = NULL;
	if (rc == 0 && asprintf(&page, "%s/tco.html", tmp) < 0)
		rc = bench_error_set(err, ENOMEM, "tco");
	if (rc == 0)
		rc = report_write_file(page, write_page, &p, err);
	if (rc == 0 && report_files_add(names, "tco.html") < 0)
		rc = bench_error_set(err, ENOMEM, "tco");
	free(charts.v);
	tco_tables_free(&t);
	return rc;
}

int tco_render(const struct tco_results *r, const char *out_dir, const struct report_tools *tools,
               struct report_files *files, struct bench_error **err)
{
	struct fill_arg a = {r, tools};
	return report_dir_render(out_dir, fill, &a, files, err);
}
