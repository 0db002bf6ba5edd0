/* What the HTML pages of bench share: the style, escaping, tables and
 * inline gnuplot SVGs. */
#include "reports/html.h"

#include <errno.h>
#include <string.h>

#include "harness/core/cleanup.h"

const char html_style[] =
    "body{font-family:system-ui,sans-serif;max-width:1100px;margin:1em auto;padding:0 1em;"
    "color:#222}\n"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}\n"
    "th,td{border:1px solid #ccc;padding:.2em .6em;text-align:left;vertical-align:top}\n"
    "th{background:#f0f0f0}td.r{text-align:right;font-variant-numeric:tabular-nums}\n"
    "figure{margin:1em 0 2em}svg{max-width:100%;height:auto}\n"
    "figcaption{color:#555;font-size:.9em}p.note{background:#f6f6f6;padding:.5em}\n"
    "pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}\n"
    "#answer{border:2px solid #444;border-radius:6px;padding:.2em 1em .8em;margin:1em 0}\n"
    "#answer .headline{font-size:1.1em}\n"
    ".answer-env{border-left:6px solid #999;padding:.1em .8em;margin:.8em 0;"
    "background:#fafafa}\n"
    ".answer-env h3{margin:.3em 0}.answer-env p,.answer-env ul{margin:.3em 0}\n"
    ".tone-noise,.tone-better{border-color:#1a9850}.tone-worse{border-color:#d73027}\n"
    ".tone-mixed{border-color:#fc8d59}.tone-failed{border-color:#000;background:#fee}\n"
    ".tone-base{border-color:#4575b4}.tone-unclear{border-color:#bbb}\n"
    ".verdict{font-weight:600;font-size:1.05em}.answer-env p.failed{color:#a50026}"
    ".top-head{color:#555;font-size:.9em}details{margin:.5em 0}summary{cursor:pointer;"
    "font-weight:600}\nth.sort{cursor:pointer}th.sort:after{content:' \\2195';"
    "color:#999}\n";

void html_begin(FILE *out, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
	      out);
	html_text(out, title);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", html_style);
	html_text(out, title);
	fputs("</h1>\n", out);
}

void html_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

void html_table(FILE *out, const struct rtable *t, const char *h, const char *id)
{
	if (t->title != NULL) {
		fprintf(out, "<%s id=\"%s\">", h, id);
		html_text(out, t->title);
		fprintf(out, "</%s>\n", h);
	}
	if (t->n_rows == 0) {
		fputs("<p>(no results)</p>\n", out);
		return;
	}
	fputs("<table>\n<tr>", out);
	for (size_t c = 0; c < t->n_cols; c++)
		fprintf(out, "<th>%s</th>", t->head[c]);
	fputs("</tr>\n", out);
	for (size_t r = 0; r < t->n_rows; r++) {
		fputs("<tr>", out);
		for (size_t c = 0; c < t->n_cols; c++) {
			fputs(t->align[c] == 'r' ? "<td class=\"r\">" : "<td>", out);
			html_text(out, t->cells[r * t->n_cols + c]);
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

int html_inline_svg(FILE *out, const char *dir, const char *name, size_t k,
                    struct bench_error **err)
{
	cleanup_free char *path = NULL, *text = NULL;
	size_t len = 0;
	if (asprintf(&path, "%s/%s.svg", dir, name) < 0)
		return bench_error_set(err, ENOMEM, "report.html");
	cleanup_fclose FILE *f = fopen(path, "r");
	if (f == NULL)
		return bench_error_set(err, errno, "%s", path);
	if (getdelim(&text, &len, '\0', f) < 0)
		return bench_error_set(err, errno ? errno : EIO, "reading %s", path);
	const char *p = strstr(text, "<svg");
	if (p == NULL)
		return bench_error_set(err, 0, "%s: no <svg> element", path);
	static const char *const ids[] = {"id='", "id=\"", "href='#", "href=\"#", "url(#"};
	const char *xlink = " xmlns:xlink=\"http://www.w3.org/1999/xlink\"";
	while (*p) {
		size_t i = 0, n;
		if (strncmp(p, xlink, strlen(xlink)) == 0 ||
		    strncmp(p, xlink + 1, strlen(xlink) - 1) == 0) {
			p += *p == ' ' ? strlen(xlink) : strlen(xlink) - 1;
			continue;
		}
		while (i < sizeof(ids) / sizeof(ids[0]) && strncmp(p, ids[i], strlen(ids[i])) != 0)
			i++;
		if (i < sizeof(ids) / sizeof(ids[0])) {
			n = strlen(ids[i]);
			fprintf(out, "%.*sc%zu-", (int)n, p, k);
			p += n;
		} else {
			fputc(*p++, out);
		}
	}
	return 0;
}

int html_figure(FILE *out, const char *dir, const char *name, const char *caption, const char *id,
                size_t k, struct bench_error **err)
{
	fprintf(out, "<figure id=\"%s\">\n", id);
	if (html_inline_svg(out, dir, name, k, err) < 0)
		return -1;
	fputs("<figcaption>", out);
	html_text(out, caption);
	fprintf(out, " (<code>%s.svg</code>, <code>%s.png</code>)</figcaption>\n</figure>\n", name,
	        name);
	return 0;
}

int html_charts(FILE *out, const struct report_charts *charts, const char *dir,
                struct bench_error **err)
{
	if (charts->n > 0)
		fputs("<h2 id=\"charts\">Charts</h2>\n", out);
	for (size_t i = 0; i < charts->n; i++) {
		char id[32];
		snprintf(id, sizeof(id), "chart-%zu", i);
		if (html_figure(out, dir, charts->v[i].name, charts->v[i].title, id, i, err) < 0)
			return -1;
	}
	return 0;
}
