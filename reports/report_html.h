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

/* The page frame every report page shares: the stylesheet, text escaped
 * for HTML, and a chart's SVG (dir/name.svg) inline with its ids made
 * unique by k (several inline SVGs share one id space). */
extern const char html_style[];
void html_text(FILE *out, const char *s);
int html_inline_svg(FILE *out, const char *dir, const char *name, size_t k,
                    struct bench_error **err);

#endif
