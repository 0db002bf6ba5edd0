/* The TCO section and the tco.html page around it. */
#include "reports/tco_html.h"

#include <string.h>

#include "reports/html.h"

static int figure(FILE *out, const struct report_charts *charts, const char *prefix,
                  const char *dir, size_t first, struct bench_error **err)
{
	for (size_t i = 0; i < charts->n; i++) {
		if (strncmp(charts->v[i].name, prefix, strlen(prefix)) != 0)
			continue;
		char id[32];
		snprintf(id, sizeof(id), "tco-chart-%zu", first + i);
		if (html_figure(out, dir, charts->v[i].name, charts->v[i].title, id, first + i,
		                err) < 0)
			return -1;
	}
	return 0;
}

static void note(FILE *out, const char *text)
{
	fputs("<p class=\"note\">", out);
	html_text(out, text);
	fputs("</p>\n", out);
}

int tco_html_section(FILE *out, const struct tco_results *r, const struct tco_tables *t,
                     const struct report_charts *charts, const char *dir, size_t first_chart,
                     struct bench_error **err)
{
	const struct tco_model *m = r->m;
	char period[32], pct[16], text[1024];
	q_format(m->period, q_cmp(q_round(m->period, 0), m->period) == 0 ? 0 : 2, period,
	         sizeof(period));
	q_format(q_mul(r->swing, q_int(100)), 0, pct, sizeof(pct));
	fputs("<section id=\"tco\">\n<h2>Cost model: ", out);
	html_text(out, m->title[0] ? m->title : m->name);
	fputs("</h2>\n<p>Model <code>", out);
	html_text(out, m->path);
	snprintf(text, sizeof(text),
	         "</code>: %zu scenarios over %s years, amounts in %s, baseline: ", m->n_scenarios,
	         period, t->unit);
	fputs(text, out);
	html_text(out, m->scenarios[m->baseline].name);
	fputs(".", out);
	if (m->source[0]) {
		fputs(" Source: ", out);
		html_text(out, m->source);
		fputs(".", out);
	}
	fputs("</p>\n", out);
	html_table(out, &t->results, "h3", "tco-results");
	snprintf(
	    text, sizeof(text),
	    "TCO: every cost of a scenario's servers and instances over the %s years, exact "
	    "(rounded to the cent only here). Cost per instance and year = TCO / (instances x "
	    "%s), instances counted bare-equivalent (instances / slowdown against bare) when a "
	    "run gives an overhead. Saving = the baseline's cost per instance and year minus "
	    "this one's (> 0: cheaper).",
	    period, period);
	note(out, text);
	if (t->published.n_rows > 0) {
		fputs("<h3 id=\"tco-published\">Published figures against this arithmetic</h3>\n",
		      out);
		snprintf(text, sizeof(text),
		         "%zu printed figures: %zu agree with the model's arithmetic, %zu follow "
		         "from the document's other figures, %zu hold only under an assumption "
		         "listed below, %zu are unexplained. The \"bench tco\" column is the "
		         "consistent value; \"reproduced\" is the figure recomputed under the "
		         "assumption, which gives the printed one to its last digit.",
		         r->n_published, r->n_status[TCO_CHECK_AGREES],
		         r->n_status[TCO_CHECK_FOLLOWS], r->n_status[TCO_CHECK_IMPLIED],
		         r->n_status[TCO_CHECK_UNEXPLAINED]);
		note(out, text);
		html_table(out, &t->published, "h3", "tco-published-table");
		html_table(out, &t->assumptions, "h3", "tco-assumptions");
	}
	if (figure(out, charts, "tco-cost", dir, first_chart, err) < 0 ||
	    figure(out, charts, "tco-components", dir, first_chart, err) < 0)
		return -1;
	fprintf(out, "<h3 id=\"tco-inputs\">Inputs (%s; one-off unless / yr)</h3>\n", t->unit);
	html_table(out, &t->inputs, "h3", "tco-inputs-table");
	if (t->sources.n_rows > 0) {
		fputs("<h3 id=\"tco-sources\">Guests per server from runs</h3>\n", out);
		html_table(out, &t->sources, "h3", "tco-sources-table");
	}
	if (t->break_even.n_rows > 0) {
		fputs("<h3 id=\"tco-break-even\">Break-even guests per server</h3>\n", out);
		note(out,
		     "The least guests per server at which a scenario's configuration (its "
		     "server, licences, SAN and maintenance) costs no more per instance and year "
		     "than the scenario of the column (#, as in the first table). never: at no "
		     "guest count; -: not applicable.");
		html_table(out, &t->break_even, "h3", "tco-break-even-table");
		if (figure(out, charts, "tco-break-even", dir, first_chart, err) < 0)
			return -1;
	}
	fprintf(out,
	        "<h3 id=\"tco-sensitivity\">Sensitivity (each input %s%% lower and higher)</h3>\n",
	        pct);
	html_table(out, &t->sensitivity, "h3", "tco-sensitivity-table");
	if (figure(out, charts, "tco-tornado", dir, first_chart, err) < 0)
		return -1;
	fputs("</section>\n", out);
	return 0;
}

int tco_html_page(FILE *out, const struct tco_results *r, const struct tco_tables *t,
                  const struct report_charts *charts, const char *dir, struct bench_error **err)
{
	char title[512];
	snprintf(title, sizeof(title), "bench tco: %s", r->m->name);
	html_begin(out, title);
	if (tco_html_section(out, r, t, charts, dir, 0, err) < 0)
		return -1;
	fputs("</body>\n</html>\n", out);
	return 0;
}
