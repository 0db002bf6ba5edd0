/* bench tco --out DIR: every output of a TCO evaluation in one directory,
 * written into a temporary directory and renamed into place. */
#ifndef BENCH_TCO_RENDER_H
#define BENCH_TCO_RENDER_H

#include "harness/core/error.h"
#include "reports/gnuplot.h"
#include "reports/report.h"
#include "reports/tco.h"

/* Writes out_dir/: tco.json, tco.csv, tco-sensitivity.csv, tco-break-even.csv,
 * tco-published.csv, the charts (.svg, .png) and tco.html (last). Fills
 * *files with the names written (caller frees with report_files_free).
 * Returns 0, or -1 with *err. */
int tco_render(const struct tco_results *r, const char *out_dir, const struct report_tools *tools,
               struct report_files *files, struct bench_error **err);

#endif
