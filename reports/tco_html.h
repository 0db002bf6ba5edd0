/* bench tco's HTML: the TCO section (tables, charts inline, the published
 * figures and what they rest on) apart from the page around it, so the run
 * report can hold the same section. */
#ifndef BENCH_TCO_HTML_H
#define BENCH_TCO_HTML_H

#include <stdio.h>

#include "harness/core/error.h"
#include "reports/gnuplot.h"
#include "reports/tco.h"
#include "reports/tco_table.h"

/* <section id="tco">: the model, the tables of t, the charts (their SVGs
 * read from dir and inlined; chart ids numbered from first_chart so several
 * sections can share a page). Returns 0, or -1 with *err. */
int tco_html_section(FILE *out, const struct tco_results *r, const struct tco_tables *t,
                     const struct report_charts *charts, const char *dir, size_t first_chart,
                     struct bench_error **err);

/* tco.html: a self-contained page holding tco_html_section. */
int tco_html_page(FILE *out, const struct tco_results *r, const struct tco_tables *t,
                  const struct report_charts *charts, const char *dir, struct bench_error **err);

#endif
