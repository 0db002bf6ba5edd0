/* Drawing every chart of a report with gnuplot. */
#ifndef BENCH_REPORT_PLOT_H
#define BENCH_REPORT_PLOT_H

#include "harness/core/error.h"
#include "harness/core/result.h"
#include "reports/gnuplot.h"

/* Writes a gnuplot script into dir, runs it with tools->gnuplot (argument
 * vector, bounded time) and removes it; every chart it drew is in *charts
 * (caller frees charts->v). Returns 0, or -1 with *err (gnuplot's output). */
int report_plot(const struct run *run, const char *dir, const struct report_tools *tools,
                struct report_charts *charts, struct bench_error **err);

#endif
