/* The report of a comparison (bench report DIR with DIR/comparison.json):
 * chart data taken from the bench.comparison/1 document (forest rows,
 * history series), the gnuplot charts drawn from that data, and the page.
 * The three are kept apart so the page frame can be restyled without
 * touching the charts, and the charts without touching the data. */
#ifndef BENCH_REPORT_COMPARE_H
#define BENCH_REPORT_COMPARE_H

#include <jansson.h>
#include <stddef.h>

#include "harness/core/error.h"
#include "reports/gnuplot.h"
#include "reports/report.h"

/* One row of the forest plot: the change oriented so that > 0 is better,
 * in percent, with its 95% interval (NAN = unbounded) and tolerance. */
struct forest_row {
	char label[200]; /* env/workload:metric */
	double change, low, high, tolerance;
	const char *verdict;
};

/* One gated metric's history: run means with their 95% CIs, change
 * points, the baseline segment [seg_start, seg_end) and the new run. */
struct history_chart {
	char label[200], env[64], workload[64], metric[64], unit[32];
	size_t n;
	double *mean, *low, *high;
	size_t *cps, n_cps;
	size_t seg_start, seg_end;
	double new_mean;
};

struct compare_charts_data {
	struct forest_row *rows;
	size_t n_rows;
	struct history_chart *hist;
	size_t n_hist;
};

/* Chart data from a comparison document (checked: schema and the members
 * used). Returns 0 or -1 with *err. Free with compare_charts_data_free. */
int compare_charts_data(const json_t *doc, struct compare_charts_data *d, struct bench_error **err);
void compare_charts_data_free(struct compare_charts_data *d);

/* Draws the forest plot and the history charts into dir (SVG and PNG);
 * the charts drawn are in *charts (caller frees charts->v). */
int compare_charts_draw(const struct compare_charts_data *d, const char *dir,
                        const struct report_tools *tools, struct report_charts *charts,
                        struct bench_error **err);

/* Renders DIR/comparison.json into out_dir: comparison.html and the charts
 * (temporary directory, then renamed into place, as report_render).
 * Fills *files. Returns 0 or -1 with *err. */
int report_compare_render(const char *comparison_json, const char *out_dir,
                          const struct report_tools *tools, struct report_files *files,
                          struct bench_error **err);

#endif
