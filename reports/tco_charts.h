/* bench tco's gnuplot charts: cost per instance and year by scenario, its
 * components, cost against guests per server (break-even) and one tornado
 * chart of sensitivity per scenario. */
#ifndef BENCH_TCO_CHARTS_H
#define BENCH_TCO_CHARTS_H

#include "reports/gnuplot.h"
#include "reports/tco.h"

/* A gp_draw callback: arg is the struct tco_results. ctx->envs should be
 * the platforms' names (their colours). Returns 0, or -1 when out of memory. */
int tco_charts_draw(struct plot_ctx *ctx, const void *arg);

/* The platforms' names in model order, for ctx->envs (malloc'd array of
 * borrowed strings; NULL when out of memory). */
const char **tco_chart_platforms(const struct tco_model *m);

#endif
