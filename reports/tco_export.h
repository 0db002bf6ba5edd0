/* bench tco's results as JSON (schema bench.tco/1, reports/TCO.md) and CSV.
 * Money is in currency units, rounded half away from zero to the cent: exact
 * decimal text in the CSV, a JSON number written with 15 significant digits
 * (so 7315.5 stays 7315.5). */
#ifndef BENCH_TCO_EXPORT_H
#define BENCH_TCO_EXPORT_H

#include <jansson.h>
#include <stdio.h>

#include "harness/core/error.h"
#include "reports/tco.h"

#define TCO_SCHEMA "bench.tco/1"

/* The results as a new JSON object (caller owns it), NULL when out of memory. */
json_t *tco_json(const struct tco_results *r);
/* Writes tco_json's document, indented, with a final newline. */
int tco_json_print(FILE *out, const struct tco_results *r, struct bench_error **err);

/* CSV files (RFC 4180, CRLF). Return 0, or -1 when a write failed. */
int tco_csv_scenarios(FILE *out, const struct tco_results *r);   /* tco.csv */
int tco_csv_sensitivity(FILE *out, const struct tco_results *r); /* tco-sensitivity.csv */
int tco_csv_break_even(FILE *out, const struct tco_results *r);  /* tco-break-even.csv */
int tco_csv_published(FILE *out, const struct tco_results *r);   /* tco-published.csv */

#endif
