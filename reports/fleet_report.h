/* bench report of a fleet file: samples.csv with a host column, summary.md,
 * the fleet charts and report.html. */
#ifndef BENCH_FLEET_REPORT_H
#define BENCH_FLEET_REPORT_H

#include "harness/core/error.h"
#include "reports/fleet.h"
#include "reports/report.h"

/* Renders f into out_dir like report_render does a run (temporary
 * directory, then renamed into place). Fills *files (caller frees with
 * report_files_free). Returns 0, or -1 with *err. */
int fleet_report_render(const struct fleet *f, const char *out_dir,
                        const struct report_tools *tools, struct report_files *files,
                        struct bench_error **err);

#endif
