/* Every scenario of a cost model: figures, comparison with the baseline,
 * break-even guest counts, sensitivity, published-figure checks. */
#include "reports/tco.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int cmp_swing(const void *a, const void *b)
{
	const struct tco_swing *x = a, *y = b;
	int c = q_cmp(y->width, x->width);
	return c != 0 ? c : x->param - y->param;
}

/* Each parameter lowered and raised by swing, the others held. */
static void sensitivity(const struct tco_model *m, const struct tco_scenario *s,
                        const struct q base[TCO_N_PARAMS], struct q swing, struct tco_result *r)
{
	r->n_swing = 0;
	for (int i = 0; i < TCO_N_PARAMS; i++) {
		/* what is not an input of this scenario: a slowdown where the run
		 * has no overhead figure, guests on a physical platform */
		if (q_is_zero(base[i]) || (i == TCO_P_SLOWDOWN && !s->overhead_applies) ||
		    (i == TCO_P_GUESTS && m->platforms[s->platform].physical))
			continue;
		struct q p[TCO_N_PARAMS];
		struct tco_figures lo, hi;
		memcpy(p, base, sizeof(p));
		p[i] = q_mul(base[i], q_sub(q_int(1), swing));
		tco_eval(p, &lo);
		p[i] = q_mul(base[i], q_add(q_int(1), swing));
		tco_eval(p, &hi);
		struct q w = q_sub(hi.cost_year, lo.cost_year);
		if (q_is_neg(w))
			w = q_sub(q_int(0), w);
		if (w.bad || lo.cost_year.bad || hi.cost_year.bad || q_is_zero(w))
			continue;
		r->swing[r->n_swing++] = (struct tco_swing){i, lo.cost_year, hi.cost_year, w};
	}
	qsort(r->swing, r->n_swing, sizeof(r->swing[0]), cmp_swing);
}

/* The cost per instance at the favourable and unfavourable ends of the
 * run's intervals (more guests and less slowdown, and the reverse). */
static void interval(const struct tco_scenario *s, const struct q base[TCO_N_PARAMS],
                     struct tco_result *r)
{
	if (!s->has_guest_interval && !s->has_slowdown_interval)
		return;
	struct q p[TCO_N_PARAMS];
	struct tco_figures f;
	memcpy(p, base, sizeof(p));
	if (s->has_guest_interval)
		p[TCO_P_GUESTS] = s->guests_high;
	if (s->has_slowdown_interval)
		p[TCO_P_SLOWDOWN] = s->slowdown_low;
	tco_eval(p, &f);
	r->cost_low = f.cost_year;
	if (s->has_guest_interval)
		p[TCO_P_GUESTS] = s->guests_low;
	if (s->has_slowdown_interval)
		p[TCO_P_SLOWDOWN] = s->slowdown_high;
	tco_eval(p, &f);
	r->cost_high = f.cost_year;
	r->has_interval = !r->cost_low.bad && !r->cost_high.bad;
}

static bool all_good(const struct tco_result *r)
{
	bool ok =
	    !r->fig.cost_year.bad && !r->saving_year.bad && !r->ratio.bad && !r->overhead_year.bad;
	for (int t = 0; t < TCO_N_TERMS; t++)
		ok &= !r->fig.term[t].bad;
	return ok;
}

static void checks(const struct tco_model *m, struct tco_results *out)
{
	const struct tco_scenario *base = &m->scenarios[m->baseline];
	struct tco_result *rb = &out->r[m->baseline];
	struct tco_check_in in = {
	    m, base, &rb->fig, rb->saving_year, base, &rb->fig, tco_convention_default(m)};
	struct tco_convention conv;
	/* the baseline first, twice: its saving against itself uses its own
	 * convention, which the first pass finds */
	tco_check_scenario(&in, rb->check, &conv);
	in.base_conv = conv;
	tco_check_scenario(&in, rb->check, &conv);
	for (size_t i = 0; i < out->n; i++) {
		if (i != m->baseline) {
			in.s = &m->scenarios[i];
			in.fig = &out->r[i].fig;
			in.saving_year = out->r[i].saving_year;
			tco_check_scenario(&in, out->r[i].check, &conv);
		}
		for (int k = 0; k < TCO_N_FIGURES; k++) {
			const struct tco_check *c = &out->r[i].check[k];
			if (!c->present)
				continue;
			out->n_published++;
			out->n_status[c->status]++;
		}
	}
}

int tco_compute(const struct tco_model *m, struct q swing, struct tco_results *out,
                struct bench_error **err)
{
	memset(out, 0, sizeof(*out));
	out->m = m;
	out->swing = swing;
	out->r = calloc(m->n_scenarios, sizeof(*out->r));
	if (out->r == NULL)
		return bench_error_set(err, ENOMEM, "tco");
	out->n = m->n_scenarios;
	for (size_t i = 0; i < out->n; i++) {
		struct q p[TCO_N_PARAMS];
		tco_params(m, &m->scenarios[i], p);
		tco_eval(p, &out->r[i].fig);
		struct q one[TCO_N_PARAMS];
		struct tco_figures plain;
		memcpy(one, p, sizeof(one));
		one[TCO_P_SLOWDOWN] = q_int(1);
		tco_eval(one, &plain);
		out->r[i].overhead_year = q_sub(out->r[i].fig.cost_year, plain.cost_year);
		sensitivity(m, &m->scenarios[i], p, swing, &out->r[i]);
		interval(&m->scenarios[i], p, &out->r[i]);
		if ((out->r[i].break_even = calloc(out->n, sizeof(long long))) == NULL)
			return bench_error_set(err, ENOMEM, "tco");
	}
	const struct tco_figures *base = &out->r[m->baseline].fig;
	for (size_t i = 0; i < out->n; i++) {
		struct tco_result *r = &out->r[i];
		const struct tco_scenario *s = &m->scenarios[i];
		r->saving_year = q_sub(base->cost_year, r->fig.cost_year);
		r->ratio = q_div(r->fig.cost_year, base->cost_year);
		for (size_t j = 0; j < out->n; j++)
			r->break_even[j] = i == j || m->platforms[s->platform].physical
			                       ? -1
			                       : tco_break_even(&r->fig, s->slowdown, m->period,
			                                        out->r[j].fig.cost_year);
		if (!all_good(r))
			return bench_error_set(
			    err, 0,
			    "scenario '%s': the figures overflow the exact "
			    "arithmetic (amounts or counts too large) or it has no "
			    "instances",
			    s->name);
	}
	checks(m, out);
	out->n_unexplained = out->n_status[TCO_CHECK_UNEXPLAINED];
	return 0;
}

void tco_results_free(struct tco_results *r)
{
	for (size_t i = 0; r->r != NULL && i < r->n; i++)
		free(r->r[i].break_even);
	free(r->r);
	memset(r, 0, sizeof(*r));
}
