/* Tables of strings that summary.md and report.html render alike, the
 * exact number format they share, and appending to a text buffer. */
#include "reports/rtable.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rtable_row_v(struct rtable *t, const char *const *cells)
{
	if (t->n_rows == t->cap_rows) {
		size_t cap = t->cap_rows ? 2 * t->cap_rows : 16;
		char **grown = realloc(t->cells, cap * t->n_cols * sizeof(*grown));
		if (grown == NULL)
			return -1;
		t->cells = grown;
		t->cap_rows = cap;
	}
	char **row = t->cells + t->n_rows * t->n_cols;
	int rc = 0;
	for (size_t c = 0; c < t->n_cols; c++) {
		row[c] = strdup(cells[c] != NULL ? cells[c] : "");
		if (row[c] == NULL)
			rc = -1;
	}
	t->n_rows++;
	return rc;
}

int rtable_row(struct rtable *t, const char *first, ...)
{
	const char *cells[RTABLE_MAX_COLS];
	va_list ap;
	va_start(ap, first);
	for (size_t c = 0; c < t->n_cols && c < RTABLE_MAX_COLS; c++)
		cells[c] = c == 0 ? first : va_arg(ap, const char *);
	va_end(ap);
	return rtable_row_v(t, cells);
}

/* Width in UTF-8 code points. */
static size_t text_width(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void cell(FILE *out, const char *s, size_t width, char align, bool last)
{
	size_t pad = width - text_width(s);
	if (align == 'r')
		fprintf(out, "%*s", (int)pad, "");
	fputs(s, out);
	if (align != 'r' && !last)
		fprintf(out, "%*s", (int)pad, "");
}

void rtable_print_text(FILE *out, const struct rtable *t)
{
	size_t w[RTABLE_MAX_COLS] = {0};
	for (size_t c = 0; c < t->n_cols; c++) {
		w[c] = text_width(t->head[c]);
		for (size_t r = 0; r < t->n_rows; r++) {
			size_t k = text_width(t->cells[r * t->n_cols + c]);
			w[c] = k > w[c] ? k : w[c];
		}
	}
	if (t->title != NULL)
		fprintf(out, "%s\n", t->title);
	size_t total = 0;
	for (size_t c = 0; c < t->n_cols; c++) {
		fputs(c ? "  " : "", out);
		cell(out, t->head[c], w[c], t->align[c], c + 1 == t->n_cols);
		total += w[c] + (c ? 2 : 0);
	}
	fputc('\n', out);
	for (size_t i = 0; i < total; i++)
		fputc('-', out);
	fputc('\n', out);
	for (size_t r = 0; r < t->n_rows; r++) {
		for (size_t c = 0; c < t->n_cols; c++) {
			fputs(c ? "  " : "", out);
			cell(out, t->cells[r * t->n_cols + c], w[c], t->align[c],
			     c + 1 == t->n_cols);
		}
		fputc('\n', out);
	}
}

void rtable_free(struct rtable *t)
{
	for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->title);
	memset(t, 0, sizeof(*t));
}

void report_fmt_exact(double v, char *buf, size_t len)
{
	snprintf(buf, len, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, len, "%.17g", v);
}

void report_cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	if (n + 1 >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* "mean ± half", both with the decimals of the half-width's second
 * significant digit. */
void report_fmt_mean_ci(double mean, double half, char *buf, size_t len)
{
	if (!(half > 0) || !isfinite(half)) {
		snprintf(buf, len, "%.6g ± 0", mean);
		return;
	}
	int dec = 1 - (int)floor(log10(half));
	dec = dec < 0 ? 0 : dec > 12 ? 12 : dec;
	snprintf(buf, len, "%.*f ± %.*f", dec, mean, dec, half);
}

void report_fmt_bytes(double b, char *buf, size_t len)
{
	static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	size_t u = 0;
	while (b >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		b /= 1024;
		u++;
	}
	snprintf(buf, len, u == 0 ? "%.0f %s" : "%.4g %s", b, units[u]);
}
