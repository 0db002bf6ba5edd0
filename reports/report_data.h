/* The text files of a report: samples.csv and summary.md. */
#ifndef BENCH_REPORT_DATA_H
#define BENCH_REPORT_DATA_H

#include <stdbool.h>
#include <stdio.h>
#include "harness/core/error.h"
#include "harness/core/result.h"
#include "reports/report_table.h"

/* Creates path, writes with fn and closes it, checking every write.
 * Returns 0, or -1 with *err naming path. */
int report_write_file(const char *path, int (*fn)(FILE *out, const void *arg), const void *arg,
                      struct bench_error **err);

/* One CSV field then sep ("," or "\r\n"): RFC 4180, quoted when it holds a
 * comma, quote, CR or LF, quotes doubled; NULL is empty. */
void report_csv_field(FILE *out, const char *s, const char *sep);

/* samples.csv: one row per repetition value, failed samples with their error. */
int report_csv(FILE *out, const struct run *run);
/* Its header line, with a first column "host" when with_host. */
void report_csv_header(FILE *out, bool with_host);
/* Its rows for run, each starting with host when host is not NULL. */
int report_csv_rows(FILE *out, const struct run *run, const char *host);

/* summary.md from the tables. */
int report_markdown(FILE *out, const struct run *run, const struct report_tables *t);

#endif
