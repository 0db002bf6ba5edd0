/* Checking figures a document printed (a scenario's `published` block)
 * against the model's arithmetic. A figure that disagrees is explained, when
 * one of a fixed list of slips reproduces it to its printed precision: a
 * cost counted for another number of years, left out or counted twice, a
 * figure per period instead of per year, per host instead of per guest, a
 * difference of rounded figures. The list is in reports/models/README.md. */
#ifndef BENCH_TCO_CHECK_H
#define BENCH_TCO_CHECK_H

#include "reports/tco_calc.h"
#include "reports/tco_model.h"

enum tco_check_status {
	TCO_CHECK_AGREES,     /* the model's arithmetic gives the printed figure */
	TCO_CHECK_FOLLOWS,    /* it follows from the document's other printed figures */
	TCO_CHECK_IMPLIED,    /* a named assumption reproduces it */
	TCO_CHECK_UNEXPLAINED /* nothing on the list reproduces it */
};
extern const char *const tco_check_status_names[4]; /* "agrees", "follows", ... */

/* How a cost per instance was worked out from a TCO. */
struct tco_convention {
	enum { TCO_CONV_PER_YEAR, TCO_CONV_PER_PERIOD, TCO_CONV_PER_SERVER_YEAR } kind;
	struct q years; /* PER_YEAR: the years divided by (the period, or another) */
};

struct tco_check {
	bool present;
	enum tco_check_status status;
	struct q published;   /* currency units */
	struct q consistent;  /* the model's own figure */
	struct q reproduced;  /* the value that gives the printed figure (agrees: consistent) */
	char assumption[512]; /* follows / implied: what the printed figure rests on, with
	                       * this scenario's numbers */
	char general[256];    /* the same, without them: equal across scenarios that share it */
	int alternatives;     /* other listed slips that reproduce it as well */
};

/* What the checks of one scenario need. */
struct tco_check_in {
	const struct tco_model *m;
	const struct tco_scenario *s;
	const struct tco_figures *fig;
	struct q saving_year; /* the model's saving against the baseline */
	const struct tco_scenario *base;
	const struct tco_figures *base_fig;
	struct tco_convention base_conv; /* how the baseline's printed cost per instance was made */
};

/* Checks every published figure of in->s into check[] (present = false for
 * figures not published). *conv gets the convention of its cost per
 * instance (the standard per year when not published or unexplained).
 * Check the baseline first: its convention feeds every saving. */
void tco_check_scenario(const struct tco_check_in *in, struct tco_check check[TCO_N_FIGURES],
                        struct tco_convention *conv);

/* The baseline's convention for checking itself: call with base_conv from
 * this (per year over the model's period). */
struct tco_convention tco_convention_default(const struct tco_model *m);

/* True when v, in the published unit and rounded to the printed decimals,
 * is the printed figure k of p. */
bool tco_published_matches(const struct tco_published *p, int k, struct q v);

#endif
