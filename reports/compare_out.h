/* What a comparison prints and writes: the terminal table, the JSON
 * document (comparison.json, schema bench.comparison/1 in results/SCHEMA.md),
 * JUnit XML for CI and markdown for a pull-request comment. */
#ifndef BENCH_COMPARE_OUT_H
#define BENCH_COMPARE_OUT_H

#include <jansson.h>
#include <stdio.h>

#include "reports/compare.h"

/* "ok", "regression", "invalid", "inconclusive". */
const char *compare_status_name(enum compare_status s);

/* The comparison as a bench.comparison/1 document (caller owns it). */
json_t *compare_to_json(const struct comparison *c);

/* The terminal table: validity, one row per metric, inconclusive metrics
 * with what would decide them, the counts and the verdict. */
void compare_print(FILE *out, const struct comparison *c);

/* JUnit XML: one <testsuite> per environment (name = environment), one
 * <testcase> per metric (classname = workload, name = metric), <failure>
 * for a regression (change, interval, q, tolerance in its message),
 * <skipped> for inconclusive, <properties> with both sides' kernels,
 * hypervisors and commits. A refused comparison is one failing testcase
 * "validity" listing the differences. Returns 0, or -1 on a write error. */
int junit_write(FILE *out, const struct comparison *c);

/* Markdown fit for a pull-request comment: the verdict first, the
 * validity, regressions and inconclusive metrics in a table, everything
 * else folded in <details>. Returns 0 or -1. */
int compare_markdown(FILE *out, const struct comparison *c);

/* The change in percent, oriented as measured: 100 (ratio - 1). */
double change_pct(double ratio);

#endif
