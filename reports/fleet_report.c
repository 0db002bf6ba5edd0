/* The files of a fleet report; the tables come from fleet_table.c, the
 * charts from fleet_charts.c, the page pieces from report_html.c. */
#include "reports/fleet_report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"
#include "reports/fleet_charts.h"
#include "reports/fleet_table.h"
#include "reports/report_data.h"
#include "reports/html.h"
#include "reports/md.h"

struct fleet_writer {
	const struct fleet *fleet;
	const struct report_tools *tools;
	const struct fleet_tables *tables;
	const struct report_charts *charts;
	const char *dir;
	struct bench_error **err;
};

static int write_csv(FILE *out, const void *arg)
{
	const struct fleet *f = ((const struct fleet_writer *)arg)->fleet;
	report_csv_header(out, true);
	for (size_t i = 0; i < f->n_hosts; i++)
		if (report_csv_rows(out, &f->hosts[i].run, f->hosts[i].name) < 0)
			return -1;
	return 0;
}

static const char how_to_read[] =
    "Each host's figures are the means of its own repetitions (the hosts ran bench with "
    "the same arguments unless a warning above says otherwise). The spread table compares the "
    "hosts' means of each figure: the range "
    "relative to the median host, the worst host against the best (> 1 = worse, oriented "
    "by the metric's direction), and Welch's one-way ANOVA on the hosts' repetitions: "
    "\"yes\" when p < 0.05, i.e. the hosts differ by more than their own run-to-run noise. "
    "Overhead is computed per host against that host's own bare-metal run (slowdown > 1 = "
    "worse; Fieller 95% CI; Welch's t-test). Hosts with equal fingerprints have the same "
    "CPU, kernel, memory, governor, SMT, THP, hypervisor and topology.";

static const struct rtable *body_tables(const struct fleet_tables *t, size_t i)
{
	const struct rtable *v[] = {&t->fingerprints, &t->groups,   &t->spread,
	                            &t->bare,         &t->overhead, &t->density};
	return i < sizeof(v) / sizeof(v[0]) ? v[i] : NULL;
}

static int write_md(FILE *out, const void *arg)
{
	const struct fleet_writer *w = arg;
	const struct fleet_tables *t = w->tables;
	fputs("## bench fleet report: ", out);
	md_text(out, w->fleet->campaign);
	fputs("\n\nMerged ", out);
	md_text(out, w->fleet->created != NULL ? w->fleet->created : "(unknown)");
	fputs(". ", out);
	md_text(out, t->summary);
	fputs(".\n\n", out);
	for (size_t r = 0; r < t->warnings.n_rows; r++) {
		fputs("- **Warning:** ", out);
		md_text(out, t->warnings.cells[r]);
		fputc('\n', out);
	}
	if (t->warnings.n_rows > 0)
		fputc('\n', out);
	if (t->absent.n_rows > 0)
		md_table(out, &t->absent, "###");
	md_table(out, &t->hosts, "###");
	for (size_t i = 0; body_tables(t, i) != NULL; i++)
		if (body_tables(t, i)->n_rows > 0)
			md_table(out, body_tables(t, i), "###");
	fputs(how_to_read, out);
	fputs("\n\nEvery repetition of every host is in `samples.csv`; charts in `report.html`.\n",
	      out);
	return 0;
}

static int write_html(FILE *out, const void *arg)
{
	const struct fleet_writer *w = arg;
	const struct fleet_tables *t = w->tables;
	char title[512];
	snprintf(title, sizeof(title), "bench fleet report: %s", w->fleet->campaign);
	html_begin(out, title);
	fputs("<p>Merged ", out);
	html_text(out, w->fleet->created != NULL ? w->fleet->created : "(unknown)");
	fputs(". ", out);
	html_text(out, t->summary);
	fputs(".</p>\n", out);
	if (t->warnings.n_rows > 0) {
		fputs("<ul id=\"warnings\">\n", out);
		for (size_t r = 0; r < t->warnings.n_rows; r++) {
			fputs("<li><strong>Warning:</strong> ", out);
			html_text(out, t->warnings.cells[r]);
			fputs("</li>\n", out);
		}
		fputs("</ul>\n", out);
	}
	if (t->absent.n_rows > 0)
		html_table(out, &t->absent, "h2", "absent");
	html_table(out, &t->hosts, "h2", "hosts");
	fputs("<p class=\"note\"><strong>How to read:</strong> ", out);
	html_text(out, how_to_read);
	fputs("</p>\n", out);
	static const char *const ids[] = {"fingerprints", "groups",   "spread",
	                                  "bare",         "overhead", "density"};
	for (size_t i = 0; body_tables(t, i) != NULL; i++)
		if (body_tables(t, i)->n_rows > 0)
			html_table(out, body_tables(t, i), "h2", ids[i]);
	if (html_charts(out, w->charts, w->dir, w->err) < 0)
		return -1;
	fputs("</body>\n</html>\n", out);
	return 0;
}

struct fleet_render {
	const struct fleet *fleet;
	const struct report_tools *tools;
};

static int plot_fleet(const void *arg, const char *tmp, struct report_charts *charts,
                      struct bench_error **err)
{
	const struct fleet_writer *w = arg;
	return fleet_plot(w->fleet, tmp, w->tools, charts, err);
}

static int render(const char *tmp, struct report_files *names, const void *arg,
                  struct bench_error **err)
{
	const struct fleet_render *r = arg;
	struct fleet_tables tables;
	struct report_charts charts = {0};
	struct fleet_writer w = {.fleet = r->fleet,
	                         .tools = r->tools,
	                         .tables = &tables,
	                         .charts = &charts,
	                         .dir = tmp,
	                         .err = err};
	struct report_pages pages = {
	    .csv = write_csv, .md = write_md, .html = write_html, .plot = plot_fleet, .arg = &w};
	int rc = fleet_tables_build(r->fleet, &tables, err);
	if (rc == 0)
		rc = report_write_pages(&pages, tmp, &charts, names, err);
	free(charts.v);
	fleet_tables_free(&tables);
	return rc;
}

int fleet_report_render(const struct fleet *f, const char *out_dir,
                        const struct report_tools *tools, struct report_files *files,
                        struct bench_error **err)
{
	struct fleet_render r = {.fleet = f, .tools = tools};
	return report_dir_render(out_dir, render, &r, files, err);
}
