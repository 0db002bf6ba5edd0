/* Markdown for summary.md: escaped text and tables of strings. */
#ifndef BENCH_MD_H
#define BENCH_MD_H

#include <stdio.h>

#include "reports/rtable.h"

/* A table cell's text as markdown: no line breaks, no table, code or
 * emphasis syntax, no HTML. */
void md_text(FILE *out, const char *s);

/* t as a markdown table under a heading of level ("###") when it has a
 * title; "(no results)" when it has no rows. */
void md_table(FILE *out, const struct rtable *t, const char *level);

#endif
