/* The human-readable table of a run's samples. */
#ifndef BENCH_RUN_TABLE_H
#define BENCH_RUN_TABLE_H

#include <stdio.h>

#include "harness/core/result.h"

/* Prints one line per sample: env, workload, metric, mean ± CI half-width
 * (and as a percentage), unit, n, CV, outlier count; failed samples show
 * their error. */
void run_print_table(FILE *out, const struct run *run);

#endif
