/* Markdown for summary.md: cell text escaped, tables of strings. */
#include "reports/md.h"

#include <string.h>

void md_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n' || *s == '\r' || *s == '\t')
			fputc(' ', out);
		else if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else if (*s == '&')
			fputs("&amp;", out);
		else if (strchr("\\`*|#", *s) != NULL)
			fprintf(out, "\\%c", *s);
		else
			fputc(*s, out);
	}
}

void md_table(FILE *out, const struct rtable *t, const char *level)
{
	if (t->title != NULL) {
		fprintf(out, "%s ", level);
		md_text(out, t->title);
		fputs("\n\n", out);
	}
	if (t->n_rows == 0) {
		fputs("(no results)\n\n", out);
		return;
	}
	for (size_t c = 0; c < t->n_cols; c++)
		fprintf(out, "| %s ", t->head[c]);
	fputs("|\n", out);
	for (size_t c = 0; c < t->n_cols; c++)
		fputs(t->align[c] == 'r' ? "| --: " : "| :-- ", out);
	fputs("|\n", out);
	for (size_t r = 0; r < t->n_rows; r++) {
		for (size_t c = 0; c < t->n_cols; c++) {
			fputs("| ", out);
			md_text(out, t->cells[r * t->n_cols + c]);
			fputc(' ', out);
		}
		fputs("|\n", out);
	}
	fputc('\n', out);
}
