/* Writing one gnuplot script that draws every chart of a report, each as SVG
 * and PNG: the script context, datablocks, chart bodies and their names. */
#ifndef BENCH_GNUPLOT_H
#define BENCH_GNUPLOT_H

#include <stdbool.h>
#include <stdio.h>
#include "harness/core/result.h"
#include <limits.h>

#include "harness/core/error.h"

/* The external programs a report needs. */
struct report_tools {
	char gnuplot[PATH_MAX]; /* gnuplot's path, found on PATH */
	char png_terminal[16];  /* "pngcairo", or "png" when gnuplot lacks cairo */
};

/* Finds gnuplot on PATH and the PNG terminal it offers. Returns 0, or -1 with
 * *err saying that gnuplot is required and how to install it. */
int report_tools_find(struct report_tools *tools, struct bench_error **err);

/* One chart: <name>.svg and <name>.png in the report directory. */
struct report_chart {
	char name[160];  /* file name without extension: letters, digits, . _ - */
	char title[256]; /* caption (unescaped) */
};

struct report_charts {
	struct report_chart *v;
	size_t n, cap;
	size_t omitted; /* bar charts left out past REPORT_MAX_BAR_CHARTS */
};

/* At most this many per-workload bar charts: a run with thousands of
 * workloads keeps its figures in the tables and samples.csv, and the report
 * stays seconds to render (each chart is an SVG and a PNG). */
#define REPORT_MAX_BAR_CHARTS 64

/* Building the gnuplot script (report_plot.c) for the chart families
 * (report_charts.c). */
struct plot_ctx {
	const struct run *run; /* the run's report; NULL for other pages (tco) */
	const char *dir;       /* where the charts go; no control characters */
	const struct report_tools *tools;
	FILE *gp; /* the script */
	struct report_charts *charts;
	const char **envs; /* report_envs(run) */
	size_t n_envs;
	int n_blocks; /* datablocks defined so far */
};

/* Writes the script ctx->dir/charts.gp with draw(ctx, arg) (which adds its
 * charts with gp_body_chart), runs gnuplot on it (argument vector, bounded
 * time), removes it and checks that every chart's SVG and PNG is there.
 * ctx needs dir, tools and charts (caller frees charts->v); draw returns
 * -1 when out of memory. Returns 0, or -1 with *err (gnuplot's output). */
int gp_draw(struct plot_ctx *ctx, int (*draw)(struct plot_ctx *ctx, const void *arg),
            const void *arg, struct bench_error **err);

/* Writes s as a gnuplot single-quoted string: quotes doubled, control
 * characters as spaces (terminals run noenhanced, so nothing else is
 * special). */
void gp_str(FILE *gp, const char *s);

/* "set title" and "set ylabel" (when ylabel is not NULL) lines, quoted. */
void gp_titles(FILE *f, const char *title, const char *ylabel);

/* Starts a datablock in the script ("$dN << EOD" line) and returns N; the
 * caller writes numeric rows and then ends it with gp_block_end. */
int gp_block(struct plot_ctx *ctx);
void gp_block_end(struct plot_ctx *ctx);

#define CHART_W 900 /* default chart size, pixels */
#define CHART_H 500

/* The gnuplot commands of one chart, drawn after a `reset`. */
struct gp_body {
	char *text;
	size_t len;
	FILE *f;
};

/* Opens b->f with the settings every chart shares already written; NULL
 * when out of memory. */
FILE *gp_body_open(struct gp_body *b);

/* Closes b, adds a chart named from prefix, p1 and p2 (made file-name safe
 * and unique; p1 and p2 may be NULL) and writes b's commands into the script
 * twice: once for the SVG, once for the PNG. Frees b's text. Returns 0, or
 * -1 when out of memory. */
int gp_body_chart(struct plot_ctx *ctx, struct gp_body *b, const char *prefix, const char *p1,
                  const char *p2, const char *title, int width, int height);

/* Closes b and frees its text without drawing anything. */
void gp_body_drop(struct gp_body *b);

/* `set xtics ('label' 0, 'label' 1, ...)`, rotated when the labels would not
 * fit side by side in width pixels. */
void gp_xtics(FILE *f, const char *const *labels, size_t n, int width);

/* Index of s in v[0..n), or n. */
size_t gp_index_of(const char *const *v, size_t n, const char *s);

/* The colour of env (stable across charts), "#rrggbb". */
const char *gp_env_color(const struct plot_ctx *ctx, const char *env);

/* Runs gnuplot on script (argument vector, bounded time). Returns 0, or
 * -1 with *err holding the end of gnuplot's output. */
int gp_run_script(const struct report_tools *tools, const char *script, struct bench_error **err);

#endif
