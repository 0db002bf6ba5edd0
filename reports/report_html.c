/* report.html: one self-contained page (no external assets): host, how to
 * read it, the result tables, the charts' SVGs inline, failed samples. */
#include "reports/report_html.h"

#include "reports/html.h"
#include "reports/run_view.h"

#include <errno.h>
#include <string.h>

#include "harness/core/cleanup.h"

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
	      "whatever the metric's direction; its 95% CI and p come from a paired t-test over "
	      "the interleaved blocks (on log ratios) when the environments ran side by side, "
	      "else from Fieller's interval for a ratio of means and Welch's t-test (the test "
	      "column says which), and a difference is significant when p &lt; 0.05 and the "
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
	if (t->sizes.n_rows > 0) {
		html_table(out, &t->sizes, "h2", "sizes");
		fputs("<p class=\"note\">Sizes are chosen once per run and are the same in every "
		      "environment; a memory workload whose working set is below 4x the last-level "
		      "cache is marked <em>(below 4x LLC)</em> in the results: its figure partly "
		      "measures cache.</p>\n",
		      out);
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
		char id[32];
		snprintf(id, sizeof(id), "chart-%zu", i);
		if (html_figure(out, dir, charts->v[i].name, charts->v[i].title, id, i, err) < 0)
			return -1;
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
