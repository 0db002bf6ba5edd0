/* What the HTML pages of bench share (report.html, tco.html): the style,
 * text escaping, a table of strings, a gnuplot SVG inlined. */
#ifndef BENCH_HTML_H
#define BENCH_HTML_H

#include <stdio.h>

#include "harness/core/error.h"
#include "reports/gnuplot.h"
#include "reports/rtable.h"

/* The pages' CSS (the body of a <style> element). */
extern const char html_style[];

/* A page's start: doctype, <head> with title (escaped) and html_style,
 * <body> and an <h1> of title. The page ends with "</body></html>". */
void html_begin(FILE *out, const char *title);

/* s with & < > " ' escaped. */
void html_text(FILE *out, const char *s);

/* t under an <h> heading (its title, with id) as an HTML table; "(no
 * results)" when it has no rows. Headers are written as they are (static
 * text), cells escaped. */
void html_table(FILE *out, const struct rtable *t, const char *h, const char *id);

/* Copies dir/name.svg from its <svg> element on, with the ids of chart k
 * made unique in the page (several inline SVGs share one id space) and the
 * xlink namespace declaration dropped (HTML knows xlink:href). Returns 0,
 * or -1 with *err. */
int html_inline_svg(FILE *out, const char *dir, const char *name, size_t k,
                    struct bench_error **err);

/* <figure id="ID"> with dir/name.svg inline (chart k of the page) and a
 * caption naming its .svg and .png. Returns 0, or -1 with *err. */
int html_figure(FILE *out, const char *dir, const char *name, const char *caption, const char *id,
                size_t k, struct bench_error **err);

/* A "Charts" heading (id "charts") and every chart as an html_figure with
 * ids chart-0, chart-1, ...; nothing without charts. Returns 0, or -1 with
 * *err. */
int html_charts(FILE *out, const struct report_charts *charts, const char *dir,
                struct bench_error **err);

#endif
