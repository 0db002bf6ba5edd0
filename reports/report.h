/* Reports of a run (bench report): every repetition as CSV, a markdown
 * summary, gnuplot charts as SVG and PNG, and one self-contained HTML page. */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "harness/core/error.h"
#include "harness/core/result.h"
#include "reports/gnuplot.h"

/* Names of the files a report wrote, relative to its directory. */
struct report_files {
	char **names;
	size_t n, cap;
};

void report_files_free(struct report_files *files);
/* Appends a copy of name. Returns 0, or -1 when out of memory. */
int report_files_add(struct report_files *files, const char *name);

/* Writes a directory of files all at once, as far as a file system allows:
 * fill writes them into a new temporary directory inside out_dir (created,
 * one level, if missing) and lists their names in *names in the order they
 * are to be renamed into out_dir (what a page refers to before the page);
 * then the temporary directory is removed. A failure leaves no partial set
 * behind (best effort: a rename that fails halfway leaves a mix of old and
 * new files, the renamed ones named in *files). Fills *files (caller frees
 * with report_files_free). Returns 0, or -1 with *err. */
int report_dir_render(const char *out_dir,
                      int (*fill)(const char *tmp, struct report_files *names, const void *arg,
                                  struct bench_error **err),
                      const void *arg, struct report_files *files, struct bench_error **err);

/* Appends <chart>.svg and <chart>.png for every chart. Returns 0 or -1 with *err. */
int report_files_add_charts(struct report_files *files, const struct report_charts *charts,
                            struct bench_error **err);

/* The three files every report has and how to draw its charts; arg is
 * passed to each. */
struct report_pages {
	int (*csv)(FILE *out, const void *arg);  /* samples.csv */
	int (*md)(FILE *out, const void *arg);   /* summary.md */
	int (*html)(FILE *out, const void *arg); /* report.html, after the charts */
	int (*plot)(const void *arg, const char *tmp, struct report_charts *charts,
	            struct bench_error **err);
	const void *arg;
};

/* Writes samples.csv and summary.md into tmp, draws the charts into *charts
 * (caller frees charts->v), writes report.html, and lists every file in
 * *names, the pages last. Returns 0 or -1 with *err. */
int report_write_pages(const struct report_pages *p, const char *tmp, struct report_charts *charts,
                       struct report_files *names, struct bench_error **err);

/* Renders run into out_dir (created, one level, if missing): samples.csv,
 * summary.md, the charts (<name>.svg and <name>.png) and report.html.
 * Everything is written into out_dir/.report.XXXXXX first and then renamed
 * into place, so a failure leaves no partial report behind (best effort: a
 * rename that fails halfway leaves a mix of old and new files, and
 * names the earlier renames are in *files). Fills *files (caller frees with
 * report_files_free). Returns 0, or -1 with *err. */
int report_render(const struct run *run, const char *out_dir, const struct report_tools *tools,
                  struct report_files *files, struct bench_error **err);

/* What a report shows beside the run's own figures. */
struct report_links {
	const char *tco_json; /* a bench tco evaluation of this run (tco.json), or NULL */
	const char *tco_href; /* its tco.html relative to report.html, or NULL */
};

/* report_render with links (NULL: none): the answer summarises tco_json
 * and links tco_href. */
int report_render_linked(const struct run *run, const char *out_dir,
                         const struct report_tools *tools, const struct report_links *links,
                         struct report_files *files, struct bench_error **err);

#endif
