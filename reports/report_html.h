/* report.html: one self-contained page. */
#ifndef BENCH_REPORT_HTML_H
#define BENCH_REPORT_HTML_H

#include <stdio.h>
#include "harness/core/error.h"
#include "harness/core/result.h"
#include "reports/gnuplot.h"
#include "reports/report_table.h"

/* report.html: the tables and the charts' SVGs (read from dir) inline. */
int report_html(FILE *out, const struct run *run, const struct report_tables *t,
                const struct report_charts *charts, const char *dir, struct bench_error **err);

#endif
