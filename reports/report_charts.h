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

#endif
