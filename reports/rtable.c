/* Tables of strings that summary.md and report.html render alike, and the
 * exact number format they share. */
#include "reports/rtable.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rtable_row(struct rtable *t, const char *first, ...)
{
	if (t->n_rows == t->cap_rows) {
		size_t cap = t->cap_rows ? 2 * t->cap_rows : 16;
		char **cells = realloc(t->cells, cap * t->n_cols * sizeof(*cells));
		if (cells == NULL)
			return -1;
		t->cells = cells;
		t->cap_rows = cap;
	}
	char **row = t->cells + t->n_rows * t->n_cols;
	va_list ap;
	va_start(ap, first);
	const char *cell = first;
	int rc = 0;
	for (size_t c = 0; c < t->n_cols; c++) {
		if (c > 0)
			cell = va_arg(ap, const char *);
		row[c] = strdup(cell != NULL ? cell : "");
		if (row[c] == NULL)
			rc = -1;
	}
	va_end(ap);
	t->n_rows++;
	return rc;
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
