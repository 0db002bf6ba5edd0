/* bench report's library entry: finding gnuplot, and rendering every file
 * of a report into a temporary directory that is then renamed into place. */
#include "reports/report.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/core/agent.h"
#include "harness/core/cleanup.h"
#include "reports/report_data.h"
#include "reports/report_html.h"
#include "reports/report_plot.h"
#include "reports/report_table.h"
#include "harness/core/spawn.h"

int report_files_add(struct report_files *files, const char *name)
{
	if (files->n == files->cap) {
		size_t cap = files->cap ? 2 * files->cap : 16;
		char **names = realloc(files->names, cap * sizeof(*names));
		if (names == NULL)
			return -1;
		files->names = names;
		files->cap = cap;
	}
	if ((files->names[files->n] = strdup(name)) == NULL)
		return -1;
	files->n++;
	return 0;
}

void report_files_free(struct report_files *files)
{
	for (size_t i = 0; i < files->n; i++)
		free(files->names[i]);
	free(files->names);
	memset(files, 0, sizeof(*files));
}

int report_files_add_charts(struct report_files *files, const struct report_charts *charts,
                            struct bench_error **err)
{
	for (size_t i = 0; i < charts->n; i++) {
		char name[200];
		for (int k = 0; k < 2; k++) {
			snprintf(name, sizeof(name), "%s.%s", charts->v[i].name, k ? "png" : "svg");
			if (report_files_add(files, name) < 0)
				return bench_error_set(err, ENOMEM, "report");
		}
	}
	return 0;
}

/* Arguments of the file writers below (report_write_file passes one pointer). */
struct writer {
	const struct run *run;
	const struct report_tools *tools;
	const struct report_tables *tables;
	const struct report_charts *charts;
	const char *dir;
	struct bench_error **err;
};

static int write_csv(FILE *out, const void *arg)
{
	return report_csv(out, ((const struct writer *)arg)->run);
}

static int write_md(FILE *out, const void *arg)
{
	const struct writer *w = arg;
	return report_markdown(out, w->run, w->tables);
}

static int write_html(FILE *out, const void *arg)
{
	const struct writer *w = arg;
	return report_html(out, w->run, w->tables, w->charts, w->dir, w->err);
}

/* Removes dir and the plain files in it. */
static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (d != NULL) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(dir);
}

int report_write_pages(const struct report_pages *p, const char *tmp, struct report_charts *charts,
                       struct report_files *names, struct bench_error **err)
{
	static const char *const fixed[] = {"samples.csv", "summary.md", "report.html"};
	int (*const writers[])(FILE *, const void *) = {p->csv, p->md, p->html};
	int rc = 0;
	for (int i = 0; i < 3 && rc == 0; i++) {
		if (i == 2) /* the page inlines the charts */
			rc = p->plot(p->arg, tmp, charts, err);
		cleanup_free char *path = NULL;
		if (rc == 0 && asprintf(&path, "%s/%s", tmp, fixed[i]) < 0)
			rc = bench_error_set(err, ENOMEM, "report");
		if (rc == 0)
			rc = report_write_file(path, writers[i], p->arg, err);
	}
	if (rc == 0)
		rc = report_files_add_charts(names, charts, err);
	/* the pages last: what they refer to is in place before them */
	for (int i = 0; i < 3 && rc == 0; i++)
		if (report_files_add(names, fixed[i]) < 0)
			rc = bench_error_set(err, ENOMEM, "report");
	return rc;
}

struct run_render {
	const struct run *run;
	const struct report_tools *tools;
	const struct report_links *links; /* or NULL */
};

static int plot_run(const void *arg, const char *tmp, struct report_charts *charts,
                    struct bench_error **err)
{
	const struct writer *w = arg;
	return report_plot(w->run, tmp, w->tools, charts, err);
}

/* Writes every file into tmp; their names go into *names, in the order they
 * are to be renamed. */
static int render_run(const char *tmp, struct report_files *names, const void *arg,
                      struct bench_error **err)
{
	const struct run_render *r = arg;
	struct report_tables tables;
	struct report_charts charts = {0};
	struct writer w = {.run = r->run,
	                   .tools = r->tools,
	                   .tables = &tables,
	                   .charts = &charts,
	                   .dir = tmp,
	                   .err = err};
	struct report_pages pages = {
	    .csv = write_csv, .md = write_md, .html = write_html, .plot = plot_run, .arg = &w};
	int rc = report_tables_build(r->run, &tables, err);
	if (rc == 0 && r->links != NULL && r->links->tco_json != NULL)
		rc =
		    report_answer_cost(&tables.answer, r->links->tco_json, r->links->tco_href, err);
	if (rc == 0)
		rc = report_write_pages(&pages, tmp, &charts, names, err);
	free(charts.v);
	report_tables_free(&tables);
	return rc;
}

int report_dir_render(const char *out_dir,
                      int (*fill)(const char *tmp, struct report_files *names, const void *arg,
                                  struct bench_error **err),
                      const void *arg, struct report_files *files, struct bench_error **err)
{
	memset(files, 0, sizeof(*files));
	bool made = mkdir(out_dir, 0755) == 0;
	if (!made && errno != EEXIST)
		return bench_error_set(err, errno, "%s", out_dir);
	cleanup_free char *tmp = NULL;
	if (asprintf(&tmp, "%s/.report.XXXXXX", out_dir) < 0)
		return bench_error_set(err, ENOMEM, "report");
	if (mkdtemp(tmp) == NULL) {
		bench_error_set(err, errno, "%s: cannot create a temporary directory", out_dir);
		if (made)
			rmdir(out_dir);
		return -1;
	}
	struct report_files names = {0};
	int rc = fill(tmp, &names, arg, err);
	/* A signal (bench report installs handlers that only record it) ends
	 * the render here: nothing is renamed into place, the temp dir goes. */
	if (agent_interrupted) {
		bench_error_free(err);
		rc = bench_error_set(err, 0, "interrupted by signal %d: nothing written to %s",
		                     (int)agent_interrupted, out_dir);
	}
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		cleanup_free char *from = NULL, *to = NULL;
		if (asprintf(&from, "%s/%s", tmp, names.names[i]) < 0 ||
		    asprintf(&to, "%s/%s", out_dir, names.names[i]) < 0)
			rc = bench_error_set(err, ENOMEM, "report");
		else if (rename(from, to) < 0)
			rc = bench_error_set(err, errno, "rename %s to %s", from, to);
		else if (report_files_add(files, names.names[i]) < 0)
			rc = bench_error_set(err, ENOMEM, "report");
	}
	report_files_free(&names);
	remove_tree(tmp);
	if (rc < 0 && made && files->n == 0)
		rmdir(out_dir);
	return rc;
}

int report_render_linked(const struct run *run, const char *out_dir,
                         const struct report_tools *tools, const struct report_links *links,
                         struct report_files *files, struct bench_error **err)
{
	struct run_render r = {.run = run, .tools = tools, .links = links};
	return report_dir_render(out_dir, render_run, &r, files, err);
}

int report_render(const struct run *run, const char *out_dir, const struct report_tools *tools,
                  struct report_files *files, struct bench_error **err)
{
	return report_render_linked(run, out_dir, tools, NULL, files, err);
}
