/* Tables of strings: summary.md and report.html render the same tables, so
 * both show the same numbers. */
#ifndef BENCH_RTABLE_H
#define BENCH_RTABLE_H

#include <stddef.h>
#include <stdio.h>

#define RTABLE_MAX_COLS 16

/* A table of strings. summary.md and report.html render the same tables, so
 * both show the same numbers. */
struct rtable {
	char *title; /* heading above the table, or NULL */
	size_t n_cols;
	const char *head[RTABLE_MAX_COLS]; /* static strings */
	const char *align;                 /* one 'l' or 'r' per column */
	char **cells;                      /* n_rows * n_cols owned strings */
	size_t n_rows, cap_rows;
};

/* Appends one row: exactly n_cols strings (copied; NULL is ""). Returns 0, or
 * -1 when out of memory. */
int rtable_row(struct rtable *t, const char *first, ...);
/* The same with the n_cols strings in an array. */
int rtable_row_v(struct rtable *t, const char *const *cells);
void rtable_free(struct rtable *t);

/* The table as aligned text columns for a terminal (title, header, a rule,
 * rows; widths in UTF-8 code points). */
void rtable_print_text(FILE *out, const struct rtable *t);

/* Shortest "%.15g"/"%.17g" text that reads back as v. */
void report_fmt_exact(double v, char *buf, size_t len);

/* Appends printf-style to buf (NUL-terminated, len bytes), truncating. */
void report_cat(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "mean ± half", both with the decimals of the half-width's second
 * significant digit ("mean ± 0" when half is 0). */
void report_fmt_mean_ci(double mean, double half, char *buf, size_t len);

/* b bytes as "512 B", "1.5 KiB", ... "24 GiB". */
void report_fmt_bytes(double b, char *buf, size_t len);

#endif
