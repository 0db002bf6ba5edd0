/* report.html: one self-contained page (no external assets): host, how to
 * read it, the result tables, the charts' SVGs inline, failed samples. */
#include "reports/report_html.h"

#include "reports/run_view.h"

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
    "pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}\n";

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

static void html_table(FILE *out, const struct rtable *t, const char *h, const char *id)
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

/* Copies gnuplot's SVG from its <svg> element on, with the ids of chart k
 * made unique in the page (several inline SVGs share one id space) and the
 * xlink namespace declaration dropped (HTML knows xlink:href). */
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

static void head(FILE *out, const struct run *run, const struct report_tables *t)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>bench "
	      "report: ",
	      out);
	html_text(out, run->run_id);
	fprintf(out,
	        "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>bench report: ", html_style);
	html_text(out, run->run_id);
	fputs("</h1>\n<p>Run started ", out);
	html_text(out, run->created != NULL ? run->created : "(unknown)");
	fputs(". ", out);
	html_text(out, t->host_line);
	fputs(".", out);
	if (t->failed.n_rows > 0)
		fprintf(out,
		        " <strong>%zu failed sample%s</strong>: see <a href=\"#failed\">failed "
		        "samples</a>.",
		        t->failed.n_rows, t->failed.n_rows > 1 ? "s" : "");
	fputs("</p>\n", out);
	if (t->ran.n_rows > 0) {
		fputs("<p>Ran here: ", out);
		for (size_t r = 0; r < t->ran.n_rows; r++) {
			fputs(r ? ", " : "", out);
			html_text(out, t->ran.cells[r * t->ran.n_cols]);
		}
		fputs(".</p>\n", out);
	}
	if (t->not_run.n_rows > 0)
		fputs("<ul id=\"not-run\">\n", out);
	for (size_t r = 0; r < t->not_run.n_rows; r++) {
		fputs("<li>Not run here: <strong>", out);
		html_text(out, t->not_run.cells[r * t->not_run.n_cols]);
		fputs("</strong> — ", out);
		html_text(out, t->not_run.cells[r * t->not_run.n_cols + 1]);
		fputs("</li>\n", out);
	}
	if (t->not_run.n_rows > 0)
		fputs("</ul>\n", out);
}

static void how_to_read(FILE *out, const struct run *run)
{
	fputs("<p class=\"note\"><strong>How to read:</strong> results are the mean over the "
	      "measured repetitions with the 95% confidence interval of that mean (Student t). "
	      "Overhead compares each environment with the baseline: slowdown &gt; 1 means worse "
	      "whatever the metric's direction, its 95% CI is Fieller's for a ratio of means, p "
	      "comes from Welch's t-test, and a difference is significant when p &lt; 0.05 and the "
	      "CI excludes 1 (~ in the heatmap marks the others).",
	      out);
	size_t n;
	cleanup_free const char **envs = report_envs(run, &n);
	bool tcg = false;
	for (size_t i = 0; envs != NULL && i < n; i++)
		tcg |= report_env_is_tcg(run, envs[i]);
	if (tcg)
		fputs(
		    " Environments marked <strong>(TCG emulation)</strong> ran on a CPU emulated "
		    "by "
		    "QEMU's TCG: their numbers measure the emulator, not virtualisation overhead.",
		    out);
	fputs("</p>\n", out);
}

int report_html(FILE *out, const struct run *run, const struct report_tables *t,
                const struct report_charts *charts, const char *dir, struct bench_error **err)
{
	head(out, run, t);
	html_table(out, &t->host, "h2", "host");
	how_to_read(out, run);
	fputs("<h2 id=\"results\">Results</h2>\n", out);
	for (size_t i = 0; i < t->n_envs; i++) {
		char id[32];
		snprintf(id, sizeof(id), "env-%zu", i);
		html_table(out, &t->envs[i], "h3", id);
	}
	if (t->overhead.n_rows > 0)
		html_table(out, &t->overhead, "h2", "overhead");
	if (t->density.n_rows > 0) {
		html_table(out, &t->density, "h2", "density");
		fputs("<p class=\"note\">Density: instances started 1, 2, 4, ... (then refined) "
		      "until an instance fell below the QoS bar (qos &times; the single-instance "
		      "result; baseline / qos when lower is better), memory ran short or --max was "
		      "reached.</p>\n",
		      out);
	}
	if (charts->n > 0)
		fputs("<h2 id=\"charts\">Charts</h2>\n", out);
	for (size_t i = 0; i < charts->n; i++) {
		fprintf(out, "<figure id=\"chart-%zu\">\n", i);
		if (html_inline_svg(out, dir, charts->v[i].name, i, err) < 0)
			return -1;
		fputs("<figcaption>", out);
		html_text(out, charts->v[i].title);
		fprintf(out,
		        " (<code>%s.svg</code>, <code>%s.png</code>)</figcaption>\n</figure>\n",
		        charts->v[i].name, charts->v[i].name);
	}
	if (t->failed.n_rows > 0) {
		html_table(out, &t->failed, "h2", "failed");
		for (size_t i = 0; i < run->n_samples; i++) {
			const struct sample *s = &run->samples[i];
			if (!s->failed || s->stderr_text == NULL || !*s->stderr_text)
				continue;
			fputs("<details><summary>stderr of ", out);
			html_text(out, s->env);
			fputs(" ", out);
			html_text(out, s->workload);
			fputs("</summary><pre>", out);
			html_text(out, s->stderr_text);
			fputs("</pre></details>\n", out);
		}
	}
	fputs("</body>\n</html>\n", out);
	return 0;
}
