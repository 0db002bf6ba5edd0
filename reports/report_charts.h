/* The chart families of a report (report_charts.c: results; report_charts_env.c:
 * across environments; report_charts_density.c: density). */
#ifndef BENCH_REPORT_CHARTS_H
#define BENCH_REPORT_CHARTS_H

#include "reports/gnuplot.h"

/* Chart families; each adds zero or more charts. Returns 0 or -1 (memory). */
int report_chart_forest(struct plot_ctx *ctx); /* report_charts_forest.c */
int report_chart_bars(struct plot_ctx *ctx);
int report_chart_overhead(struct plot_ctx *ctx);
int report_chart_latency(struct plot_ctx *ctx);
int report_chart_instance(struct plot_ctx *ctx);
int report_chart_density(struct plot_ctx *ctx);

/* One cell of a slowdown heatmap. */
struct heat_cell {
	size_t col, row;
	double slowdown; /* > 0; > 1 = worse */
	bool significant;
};

/* A heatmap chart named name: rows x cols, colour log2(slowdown) clipped to
 * 0.5x .. 2x, each cell labelled with its slowdown ("~" when not
 * significant). Draws nothing without cells. Returns 0 or -1 (memory). */
int report_heatmap(struct plot_ctx *ctx, const char *const *rows, size_t n_rows,
                   const char *const *cols, size_t n_cols, const struct heat_cell *cells,
                   size_t n_cells, const char *name, const char *title);

#endif
