/* The tables of bench tco's results, built once so that the terminal and
 * the HTML page show the same cells. */
#ifndef BENCH_TCO_TABLE_H
#define BENCH_TCO_TABLE_H

#include <stdio.h>

#include "harness/core/error.h"
#include "reports/rtable.h"
#include "reports/tco.h"

struct tco_tables {
	char unit[32];        /* "kUSD" */
	struct rtable inputs; /* scenario | servers | guests | each input priced somewhere */
	struct rtable
	    results; /* # | scenario | ... | TCO | cost / instance / yr | saving | ratio */
	struct rtable sources;     /* run-fed scenarios: where their guests per server come from */
	struct rtable break_even;  /* guests per server to match each other scenario */
	struct rtable sensitivity; /* the widest swings of each scenario */
	struct rtable published;   /* printed figure | bench tco's | reproduced | status */
	struct rtable assumptions; /* [n] | what the printed figures rest on | where */
	char *heads[RTABLE_MAX_COLS * 2]; /* headers made at run time (owned) */
	size_t n_heads;
};

/* Builds every table; sensitivity keeps the `top` widest swings of each
 * scenario (0: all). Returns 0, or -1 with *err (out of memory). Free with
 * tco_tables_free, also after a failure. */
int tco_tables_build(const struct tco_results *r, size_t top, struct tco_tables *t,
                     struct bench_error **err);
void tco_tables_free(struct tco_tables *t);

/* The terminal report: the model line, then the tables with a line saying
 * how to read each. */
void tco_print_text(FILE *out, const struct tco_results *r, const struct tco_tables *t);

/* Money in the model's display unit, 2 decimals ("25.02"). */
void tco_fmt_money(const struct tco_model *m, struct q v, char *buf, size_t len);

#endif
