/* bench tco's results: every scenario of a cost model evaluated, compared
 * with the baseline, its break-even guest counts against the others, the
 * sensitivity of its cost per instance to each input, and the checks of
 * its published figures. Pure data: the outputs are in tco_out.h,
 * tco_charts.h and tco_html.h. */
#ifndef BENCH_TCO_H
#define BENCH_TCO_H

#include "harness/core/error.h"
#include "reports/tco_calc.h"
#include "reports/tco_check.h"
#include "reports/tco_model.h"

/* Cost per instance and year with one parameter lowered and raised. */
struct tco_swing {
	int param;          /* enum tco_input or tco_param */
	struct q low, high; /* the cost at value x (1 - swing) and x (1 + swing) */
	struct q width;     /* |high - low| */
};

struct tco_result {
	struct tco_figures fig;
	struct q saving_year;   /* the baseline's cost per instance and year minus this one's */
	struct q ratio;         /* this cost per instance over the baseline's */
	struct q overhead_year; /* what the slowdown adds to the cost per instance and year */
	bool has_interval;      /* from the run's intervals (density, slowdown) */
	struct q cost_low, cost_high;
	/* per scenario of the model: the least guests per server at which this
	 * scenario's configuration costs at most that scenario's cost per
	 * instance; 0 when none does, -1 when it does not apply (itself, or a
	 * physical platform: one instance per server) */
	long long *break_even;
	struct tco_swing swing[TCO_N_PARAMS]; /* widest first, zero swings left out */
	size_t n_swing;
	struct tco_check check[TCO_N_FIGURES];
};

struct tco_results {
	const struct tco_model *m;
	struct q swing;       /* the sensitivity's +- fraction (0.1) */
	struct tco_result *r; /* one per scenario, in the model's order */
	size_t n;
	size_t n_published;   /* published figures checked */
	size_t n_status[4];   /* of them, by enum tco_check_status */
	size_t n_unexplained; /* n_status[TCO_CHECK_UNEXPLAINED] */
};

/* Evaluates every scenario of m (whose run-fed scenarios tco_density_apply
 * has filled). swing is the sensitivity's fraction (0 < swing < 1).
 * Returns 0, or -1 with *err (an overflow of the exact arithmetic, a
 * scenario with no instances). Free with tco_results_free. */
int tco_compute(const struct tco_model *m, struct q swing, struct tco_results *out,
                struct bench_error **err);
void tco_results_free(struct tco_results *r);

#endif
