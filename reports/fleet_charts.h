/* The charts of a fleet report (gnuplot, SVG and PNG). */
#ifndef BENCH_FLEET_CHARTS_H
#define BENCH_FLEET_CHARTS_H

#include "harness/core/error.h"
#include "reports/gnuplot.h"
#include "reports/report_plot.h"

struct fleet;

/* Draws into dir: fleet-spread-bare (each host's bare means over the fleet
 * median), fleet-overhead-<env> (heatmap of each host's slowdown against its
 * own bare, one per environment), fleet-density (largest instance count per
 * host and study); each only when there is something to draw. Fills *charts
 * (caller frees charts->v). Returns 0 or -1 with *err. */
int fleet_plot(const struct fleet *f, const char *dir, const struct report_tools *tools,
               struct report_charts *charts, struct bench_error **err);

#endif
