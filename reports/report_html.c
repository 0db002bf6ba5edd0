/* report.html: one self-contained page (no external assets): the answer
 * first (report_answer_out.c), the overview forest plot, the per-workload
 * charts by family, density and instance charts, then the detailed tables
 * folded away in <details> and sortable, failed samples. */
#include "reports/report_html.h"

#include "reports/html.h"
#include "reports/report_answer.h"
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

/* Clicking a column heading of a detailed table sorts it (numbers by value,
 * text otherwise; again to reverse). */
static const char sort_script[] =
    "document.querySelectorAll('details table').forEach(function(t){"
    "t.querySelectorAll('tr:first-child th').forEach(function(th,c){"
    "th.classList.add('sort');th.addEventListener('click',function(){"
    "var rows=Array.prototype.slice.call(t.rows,1),up=th.dataset.up!=='1';"
    "th.dataset.up=up?'1':'0';"
    "function key(r){var s=r.cells[c]?r.cells[c].textContent:'',n=parseFloat(s);"
    "return isNaN(n)?s:n;}"
    "rows.sort(function(a,b){var x=key(a),y=key(b),d=(typeof x===typeof y)?"
    "(x<y?-1:x>y?1:0):(typeof x==='number'?-1:1);return up?d:-d;});"
    "rows.forEach(function(r){t.tBodies[0].appendChild(r);});});});});\n";

/* The chart whose name is name (or starts with prefix "name-"), or NULL. */
static bool chart_is(const struct report_chart *c, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(c->name, prefix, n) == 0 && (c->name[n] == '\0' || c->name[n] == '-');
}

/* The family of a per-workload chart ("bars-cpu.int-ops_s"), or
 * REPORT_N_FAMILIES for charts of other kinds. */
static size_t chart_family(const struct report_chart *c)
{
	if (chart_is(c, "bars"))
		return report_family_of(c->name + 5);
	if (chart_is(c, "latency"))
		return report_family_of(c->name + 8);
	return REPORT_N_FAMILIES;
}

static int figure(FILE *out, const char *dir, const struct report_charts *charts, size_t i,
                  struct bench_error **err)
{
	char id[32];
	snprintf(id, sizeof(id), "chart-%zu", i);
	return html_figure(out, dir, charts->v[i].name, charts->v[i].title, id, i, err);
}

static int per_family(FILE *out, const struct report_charts *charts, const char *dir,
                      struct bench_error **err)
{
	bool any = false;
	for (size_t f = 0; f < REPORT_N_FAMILIES; f++) {
		bool heading = false;
		for (size_t i = 0; i < charts->n; i++) {
			if (chart_family(&charts->v[i]) != f)
				continue;
			if (!any)
				fputs("<h2 id=\"workloads\">Workloads by family</h2>\n", out);
			if (!heading)
				fprintf(out, "<h3 id=\"family-%zu\">%s</h3>\n", f,
				        report_families[f].noun);
			any = heading = true;
			if (figure(out, dir, charts, i, err) < 0)
				return -1;
		}
	}
	if (charts->omitted > 0)
		fprintf(out,
		        "<p class=\"note\">Bar charts of %zu more workload(s) and unit(s) left "
		        "out (at most %d are drawn); their figures are in the tables and in "
		        "samples.csv.</p>\n",
		        charts->omitted, REPORT_MAX_BAR_CHARTS);
	return 0;
}

static int density_charts(FILE *out, const struct report_tables *t,
                          const struct report_charts *charts, const char *dir,
                          struct bench_error **err)
{
	bool any = t->density.n_rows > 0;
	for (size_t i = 0; i < charts->n && !any; i++)
		any = chart_is(&charts->v[i], "density") || chart_is(&charts->v[i], "instance");
	if (!any)
		return 0;
	fputs("<h2 id=\"density-charts\">Density and instances</h2>\n", out);
	if (t->density.n_rows > 0)
		fputs("<p class=\"note\">Density: instances started 1, 2, 4, ... (then refined) "
		      "until an instance fell below the QoS bar (qos &times; the single-instance "
		      "result; baseline / qos when lower is better), memory ran short or the next "
		      "step would have taken it there, a start failed or took 10&times; the first, "
		      "or the study's time budget ran out; projected beyond from the per-instance "
		      "footprint (MemAvailable slope, PSS, cgroup usage) and CPU demand, with a "
		      "95% interval and the resource that binds first. Instances per GiB is "
		      "capacity: projected instances / GiB of host memory.</p>\n",
		      out);
	if (t->density_nodes.n_rows > 0) {
		html_table(out, &t->density_nodes, "h3", "density-nodes");
		fputs("<p class=\"note\">Instances spread node by node (--spread nodes): each "
		      "instance's CPUs and memory on one NUMA node; per node at the largest step "
		      "that met QoS.</p>\n",
		      out);
	}
	if (t->shape.n_rows > 0) {
		html_table(out, &t->shape, "h3", "density-shape");
		fputs("<p class=\"note\">Memory-bound count on a 16 GiB host: 16 GiB less 10% "
		      "kept free, divided by the idle footprint measured here (its 95% interval); "
		      "the seed claims 536 LXD containers against 47 KVM guests on 16 GB.</p>\n",
		      out);
	}
	for (size_t i = 0; i < charts->n; i++)
		if ((chart_is(&charts->v[i], "density") || chart_is(&charts->v[i], "instance")) &&
		    figure(out, dir, charts, i, err) < 0)
			return -1;
	return 0;
}

/* Everything else folded away: tables (sortable), the heatmap, failures. */
static int details(FILE *out, const struct run *run, const struct report_tables *t,
                   const struct report_charts *charts, const char *dir, struct bench_error **err)
{
	fputs("<h2 id=\"details\">Details</h2>\n<p class=\"note\">Click a section to open it; "
	      "click a column heading to sort.</p>\n",
	      out);
	fputs("<details><summary>Host</summary>\n", out);
	html_table(out, &t->host, "h3", "host");
	fputs("</details>\n<details><summary>Results per environment</summary>\n", out);
	how_to_read(out, run);
	for (size_t i = 0; i < t->n_envs; i++) {
		char id[32];
		snprintf(id, sizeof(id), "env-%zu", i);
		html_table(out, &t->envs[i], "h3", id);
	}
	fputs("</details>\n", out);
	if (t->sizes.n_rows > 0) {
		fputs("<details><summary>Sizes</summary>\n", out);
		html_table(out, &t->sizes, "h3", "sizes");
		fputs("<p class=\"note\">Sizes are chosen once per run and are the same in every "
		      "environment; a memory workload whose working set is below 4x the last-level "
		      "cache is marked <em>(below 4x LLC)</em> in the results: its figure partly "
		      "measures cache.</p>\n</details>\n",
		      out);
	}
	if (t->overhead.n_rows > 0) {
		fputs("<details><summary>Overhead table and heatmap</summary>\n", out);
		html_table(out, &t->overhead, "h3", "overhead");
		for (size_t i = 0; i < charts->n; i++)
			if (chart_is(&charts->v[i], "overhead") &&
			    figure(out, dir, charts, i, err) < 0)
				return -1;
		fputs("</details>\n", out);
	}
	if (t->density.n_rows > 0) {
		fputs("<details><summary>Density studies</summary>\n", out);
		html_table(out, &t->density, "h3", "density");
		fputs("</details>\n", out);
	}
	if (t->failed.n_rows > 0) {
		fputs("<details open><summary>Failed samples</summary>\n", out);
		html_table(out, &t->failed, "h3", "failed");
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
		fputs("</details>\n", out);
	}
	return 0;
}

int report_html(FILE *out, const struct run *run, const struct report_tables *t,
                const struct report_charts *charts, const char *dir, struct bench_error **err)
{
	head(out, run, t);
	report_answer_html(out, &t->answer);
	for (size_t i = 0; i < charts->n; i++)
		if (chart_is(&charts->v[i], "overview")) {
			fputs("<h2 id=\"overview\">Every metric against the baseline</h2>\n", out);
			if (figure(out, dir, charts, i, err) < 0)
				return -1;
		}
	if (per_family(out, charts, dir, err) < 0 || density_charts(out, t, charts, dir, err) < 0 ||
	    details(out, run, t, charts, dir, err) < 0)
		return -1;
	fprintf(out, "<script>\n%s</script>\n</body>\n</html>\n", sort_script);
	return 0;
}
