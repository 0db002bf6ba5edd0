/* Reports of a run (bench report): every repetition as CSV, a markdown
 * summary, gnuplot charts as SVG and PNG, and one self-contained HTML page. */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <limits.h>
#include <stddef.h>

#include "harness/core/error.h"
#include "harness/core/result.h"
#include "reports/gnuplot.h"

/* Names of the files a report wrote, relative to its directory. */
struct report_files {
	char **names;
	size_t n, cap;
};

void report_files_free(struct report_files *files);

/* Renders run into out_dir (created, one level, if missing): samples.csv,
 * summary.md, the charts (<name>.svg and <name>.png) and report.html.
 * Everything is written into out_dir/.report.XXXXXX first and then renamed
 * into place, so a failure leaves no partial report behind (best effort: a
 * rename that fails halfway leaves a mix of old and new files, and
 * names the earlier renames are in *files). Fills *files (caller frees with
 * report_files_free). Returns 0, or -1 with *err. */
int report_render(const struct run *run, const char *out_dir, const struct report_tools *tools,
                  struct report_files *files, struct bench_error **err);

/* Adds a copy of name to files. Returns 0 or -1 (out of memory). */
int report_files_add(struct report_files *files, const char *name);

/* The publishing half of report_render, for every kind of report: makes
 * out_dir (one level) and out_dir/.report.XXXXXX, calls render to write
 * its files there and list them in *names (in rename order: pages last),
 * renames them into out_dir and removes the temporary directory. Fills
 * *files with what was renamed. Returns 0, or -1 with *err. */
int report_publish(const char *out_dir,
                   int (*render)(const char *tmp, struct report_files *names, void *arg,
                                 struct bench_error **err),
                   void *arg, struct report_files *files, struct bench_error **err);

#endif
