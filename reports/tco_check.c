/* Published figures against the model's arithmetic, and the slips that
 * reproduce the ones that disagree. */
#include "reports/tco_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const tco_check_status_names[4] = {"agrees", "follows", "implied", "unexplained"};

/* The search for one figure: the first slip that reproduces it wins, the
 * others that also do are counted. */
struct search {
	const struct tco_published *pub;
	int fig;
	struct tco_check *c;
	bool found;
	int kind; /* the winning candidate's tag (conventions) */
	struct q years;
};

bool tco_published_matches(const struct tco_published *p, int k, struct q v)
{
	struct q r = q_round(q_div(v, p->unit), p->decimals[k]);
	return !r.bad && q_cmp(r, q_div(p->value[k], p->unit)) == 0;
}

static bool candidate(struct search *s, struct q v, int kind, struct q years, const char *general,
                      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static bool candidate(struct search *s, struct q v, int kind, struct q years, const char *general,
                      const char *fmt, ...)
{
	if (v.bad || !tco_published_matches(s->pub, s->fig, v))
		return false;
	if (s->found) {
		s->c->alternatives++;
		return true;
	}
	s->found = true;
	s->kind = kind;
	s->years = years;
	s->c->status = TCO_CHECK_IMPLIED;
	s->c->reproduced = v;
	snprintf(s->c->general, sizeof(s->c->general), "%s", general);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->c->assumption, sizeof(s->c->assumption), fmt, ap);
	va_end(ap);
	return true;
}

/* An amount in the unit the figures were printed in, to their decimals
 * and at least 2 ("0.42" for 420 printed in thousands). */
static const char *money(const struct tco_published *p, struct q v, char *buf, size_t len)
{
	int d = p->decimals[TCO_FIG_TCO] > 2 ? p->decimals[TCO_FIG_TCO] : 2;
	q_format(q_div(v, p->unit), d, buf, len);
	return buf;
}

static const char *num(struct q v, char *buf, size_t len)
{
	q_format(v, q_cmp(q_round(v, 0), v) == 0 ? 0 : 2, buf, len);
	return buf;
}

struct tco_convention tco_convention_default(const struct tco_model *m)
{
	return (struct tco_convention){TCO_CONV_PER_YEAR, m->period};
}

static struct q convention_apply(struct tco_convention c, struct q tco, struct q effective,
                                 long long servers, struct q period)
{
	switch (c.kind) {
	case TCO_CONV_PER_PERIOD:
		return q_div(tco, effective);
	case TCO_CONV_PER_SERVER_YEAR:
		return q_div(tco, q_mul(q_int(servers), period));
	default:
		return q_div(tco, q_mul(effective, c.years));
	}
}

static const char *convention_text(struct tco_convention c, struct q period, char *buf, size_t len)
{
	char y[32], p[32];
	num(c.years, y, sizeof(y));
	num(period, p, sizeof(p));
	switch (c.kind) {
	case TCO_CONV_PER_PERIOD:
		snprintf(buf, len, "per instance over the %s-year period, not per year", p);
		break;
	case TCO_CONV_PER_SERVER_YEAR:
		snprintf(buf, len, "per server and year, not per instance");
		break;
	default:
		if (q_cmp(c.years, period) == 0)
			snprintf(buf, len, "per instance and year");
		else
			snprintf(buf, len, "per instance and year over %s years instead of %s", y,
			         p);
	}
	return buf;
}

static void slips_tco(struct search *s, const struct tco_check_in *in)
{
	const struct tco_figures *f = in->fig;
	struct q period = in->m->period, tco = f->tco, servers = q_int(in->s->servers);
	char a[64], b[64], p[32], g[256];
	num(period, p, sizeof(p));
	bool whole_years = q_cmp(q_round(period, 0), period) == 0;
	long long years = whole_years ? q_floor(period) : 0;
	/* 1: a yearly cost counted one year more or less; 2: a cost left out or
	 * counted twice; 3: a yearly cost over other whole years; 4: every
	 * yearly cost over another period; 5: per server for per instance */
	for (int pass = 1; pass <= 5 && !s->found; pass++) {
		for (int t = 0; t < TCO_N_TERMS && pass != 4; t++) {
			const struct tco_term_info *ti = &tco_terms[t];
			struct q term = f->term[t];
			if (q_is_zero(term))
				continue;
			struct q per_unit = q_div(term, ti->per_instance ? f->instances : servers);
			const char *unit = ti->per_instance ? "instance" : "server";
			if (ti->annual && (pass == 1 || pass == 3) && whole_years) {
				for (long long y = 0; y <= 2 * years; y++) {
					bool near = y == years - 1 || y == years + 1;
					if (y == years || (pass == 1) != near)
						continue;
					struct q v = q_add(
					    tco, q_mul(term, q_div(q_int(y - years), period)));
					snprintf(
					    g, sizeof(g),
					    "%s counted for %lld years instead of the period's %s",
					    ti->label, y, p);
					candidate(
					    s, v, 0, q_int(0), g,
					    "%s (%s a year per %s) counted for %lld years "
					    "instead of the period's %s",
					    ti->label,
					    money(s->pub, q_div(per_unit, period), a, sizeof(a)),
					    unit, y, p);
				}
			}
			if (pass == 2) {
				snprintf(g, sizeof(g), "%s left out", ti->label);
				candidate(s, q_sub(tco, term), 0, q_int(0), g,
				          "%s (%s over the period) left out", ti->label,
				          money(s->pub, term, a, sizeof(a)));
				snprintf(g, sizeof(g), "%s counted twice", ti->label);
				candidate(s, q_add(tco, term), 0, q_int(0), g,
				          "%s (%s over the period) counted twice", ti->label,
				          money(s->pub, term, a, sizeof(a)));
			}
			if (pass == 5 && q_cmp(f->instances, servers) != 0) {
				struct q other = ti->per_instance ? servers : f->instances;
				snprintf(g, sizeof(g), "%s counted per %s instead of per %s",
				         ti->label, ti->per_instance ? "server" : "instance", unit);
				candidate(s, q_add(q_sub(tco, term), q_mul(per_unit, other)), 0,
				          q_int(0), g, "%s counted per %s instead of per %s (%s)",
				          ti->label, ti->per_instance ? "server" : "instance", unit,
				          num(other, b, sizeof(b)));
			}
		}
		if (pass == 4 && whole_years) {
			struct q yearly = q_int(0);
			for (int t = 0; t < TCO_N_TERMS; t++)
				if (tco_terms[t].annual)
					yearly = q_add(yearly, q_div(f->term[t], period));
			for (long long y = 1; y <= 2 * years; y++) {
				if (y == years)
					continue;
				struct q v = q_add(q_sub(tco, q_mul(yearly, period)),
				                   q_mul(yearly, q_int(y)));
				snprintf(g, sizeof(g),
				         "every yearly cost counted over %lld years instead of %s",
				         y, p);
				candidate(s, v, 0, q_int(0), g, "%s", g);
			}
		}
	}
}

enum { CONV_TAG_NONE, CONV_TAG_PERIOD, CONV_TAG_SERVER_YEAR, CONV_TAG_YEARS };

/* The cost per instance and year worked out another way from tco (the
 * published one when there is one). */
static void slips_cost(struct search *s, const struct tco_check_in *in, struct q tco)
{
	struct q period = in->m->period, e = in->fig->effective;
	char n[32], p[32], g[256];
	num(e, n, sizeof(n));
	num(period, p, sizeof(p));
	snprintf(g, sizeof(g), "cost per instance over the %s-year period, not per year", p);
	candidate(s, q_div(tco, e), CONV_TAG_PERIOD, q_int(0), g,
	          "the period's total per instance (TCO / %s instances), not divided by the %s "
	          "years: a %s-year figure, not a yearly one",
	          n, p, p);
	snprintf(g, sizeof(g), "cost per server and year, not per instance");
	candidate(s, q_div(tco, q_mul(q_int(in->s->servers), period)), CONV_TAG_SERVER_YEAR,
	          q_int(0), g,
	          "per server and year (TCO / %lld servers / %s years), not per instance",
	          in->s->servers, p);
	if (q_cmp(q_round(period, 0), period) != 0)
		return;
	for (long long y = 1; y <= 2 * q_floor(period); y++) {
		if (q_cmp(q_int(y), period) == 0)
			continue;
		snprintf(g, sizeof(g), "cost per instance annualised over %lld years instead of %s",
		         y, p);
		candidate(s, q_div(tco, q_mul(e, q_int(y))), CONV_TAG_YEARS, q_int(y), g, "%s", g);
	}
}

/* The saving against the baseline worked out another way. unit_b and
 * unit_t are the baseline's and this scenario's TCO per instance over the
 * period. */
static void slips_saving(struct search *s, const struct tco_check_in *in, struct q unit_b,
                         struct q unit_t, struct q tco)
{
	struct q period = in->m->period, e = in->fig->effective;
	const struct tco_published *pb = &in->base->published, *pt = &in->s->published;
	char n[32], p[32], g[256], x[64], y[64];
	num(e, n, sizeof(n));
	num(period, p, sizeof(p));
	if (pb->has[TCO_FIG_COST_YEAR] && pt->has[TCO_FIG_COST_YEAR]) {
		snprintf(g, sizeof(g),
		         "the difference of the printed (rounded) costs per instance");
		candidate(s, q_sub(pb->value[TCO_FIG_COST_YEAR], pt->value[TCO_FIG_COST_YEAR]),
		          CONV_TAG_NONE, q_int(0), g,
		          "the difference of the printed (rounded) costs per instance, %s - %s",
		          pb->text[TCO_FIG_COST_YEAR], pt->text[TCO_FIG_COST_YEAR]);
	}
	struct q whole = q_sub(q_mul(unit_b, e), tco);
	snprintf(g, sizeof(g),
	         "the whole host's saving per year (all its instances against as many baseline "
	         "instances), not per instance");
	candidate(s, q_div(whole, period), CONV_TAG_NONE, q_int(0), g,
	          "(%s instances x the baseline's %s per instance - this TCO %s) / %s years: the "
	          "saving of all %s instances per year, not per instance",
	          n, money(s->pub, unit_b, x, sizeof(x)), money(s->pub, tco, y, sizeof(y)), p, n);
	snprintf(g, sizeof(g),
	         "the whole host's saving over the period, not per instance and year");
	candidate(s, whole, CONV_TAG_NONE, q_int(0), g,
	          "%s instances x the baseline's %s per instance - this TCO %s: the saving of all "
	          "%s instances over the %s years",
	          n, money(s->pub, unit_b, x, sizeof(x)), money(s->pub, tco, y, sizeof(y)), n, p);
	snprintf(g, sizeof(g), "a ratio of the costs per instance, not a difference");
	candidate(s, q_div(unit_b, unit_t), CONV_TAG_NONE, q_int(0), g,
	          "the baseline's cost per instance over this one's (a ratio, not a difference)");
}

static void check_one(struct search *s, int fig, struct q consistent, struct q follows,
                      const char *follows_general, const char *follows_text)
{
	struct tco_check *c = s->c;
	c->present = true;
	c->published = s->pub->value[fig];
	c->consistent = consistent;
	c->reproduced = consistent;
	if (tco_published_matches(s->pub, fig, consistent)) {
		c->status = TCO_CHECK_AGREES;
		return;
	}
	if (follows_text != NULL && tco_published_matches(s->pub, fig, follows)) {
		c->status = TCO_CHECK_FOLLOWS;
		c->reproduced = follows;
		snprintf(c->general, sizeof(c->general), "%s", follows_general);
		snprintf(c->assumption, sizeof(c->assumption), "%s", follows_text);
		return;
	}
	c->status = TCO_CHECK_UNEXPLAINED;
	snprintf(c->general, sizeof(c->general), "not reproduced by any listed slip");
	snprintf(c->assumption, sizeof(c->assumption),
	         "no listed slip reproduces it (the list: reports/TCO.md)");
}

void tco_check_scenario(const struct tco_check_in *in, struct tco_check check[TCO_N_FIGURES],
                        struct tco_convention *conv)
{
	const struct tco_published *pub = &in->s->published;
	const struct tco_figures *f = in->fig;
	struct q period = in->m->period;
	char a[64], b[64], text[512], general[256];
	memset(check, 0, sizeof(struct tco_check) * TCO_N_FIGURES);
	*conv = tco_convention_default(in->m);
	/* the TCO the document's other figures were worked out from */
	struct q tco = pub->has[TCO_FIG_TCO] ? pub->value[TCO_FIG_TCO] : f->tco;
	const struct tco_published *pb = &in->base->published;
	struct q tco_b = pb->has[TCO_FIG_TCO] ? pb->value[TCO_FIG_TCO] : in->base_fig->tco;

	if (pub->has[TCO_FIG_TCO]) {
		struct search s = {pub, TCO_FIG_TCO, &check[TCO_FIG_TCO], false, 0, {0, 1, false}};
		check_one(&s, TCO_FIG_TCO, f->tco, f->tco, NULL, NULL);
		if (s.c->status == TCO_CHECK_UNEXPLAINED)
			slips_tco(&s, in);
	}
	if (pub->has[TCO_FIG_COST_YEAR]) {
		struct search s = {pub, TCO_FIG_COST_YEAR, &check[TCO_FIG_COST_YEAR], false,
		                   0,   {0, 1, false}};
		snprintf(text, sizeof(text), "the printed TCO %s / (%s instances x %s years)",
		         pub->text[TCO_FIG_TCO], num(f->effective, a, sizeof(a)),
		         num(period, b, sizeof(b)));
		check_one(&s, TCO_FIG_COST_YEAR, f->cost_year,
		          q_div(tco, q_mul(f->effective, period)), "follows from the printed TCO",
		          pub->has[TCO_FIG_TCO] ? text : NULL);
		if (s.c->status == TCO_CHECK_UNEXPLAINED) {
			slips_cost(&s, in, tco);
			if (!s.found && pub->has[TCO_FIG_TCO] && q_cmp(tco, f->tco) != 0)
				slips_cost(&s, in, f->tco);
		}
		if (s.found && s.kind == CONV_TAG_PERIOD)
			conv->kind = TCO_CONV_PER_PERIOD;
		else if (s.found && s.kind == CONV_TAG_SERVER_YEAR)
			conv->kind = TCO_CONV_PER_SERVER_YEAR;
		else if (s.found && s.kind == CONV_TAG_YEARS)
			conv->years = s.years;
	}
	if (pub->has[TCO_FIG_SAVING_YEAR]) {
		struct search s = {pub, TCO_FIG_SAVING_YEAR, &check[TCO_FIG_SAVING_YEAR], false,
		                   0,   {0, 1, false}};
		/* each side's cost per instance worked out as the printed column was */
		struct q cb = convention_apply(in->base_conv, tco_b, in->base_fig->effective,
		                               in->base->servers, period);
		struct q ct = convention_apply(*conv, tco, f->effective, in->s->servers, period);
		char how[128];
		convention_text(*conv, period, how, sizeof(how));
		snprintf(
		    general, sizeof(general),
		    "the difference of the costs per instance as the table works them out (%s)",
		    how);
		snprintf(text, sizeof(text),
		         "the baseline's cost per instance minus this one's, %s - %s, each worked "
		         "out from the printed TCO as the cost column is (%s)",
		         money(pub, cb, a, sizeof(a)), money(pub, ct, b, sizeof(b)), how);
		check_one(&s, TCO_FIG_SAVING_YEAR, in->saving_year, q_sub(cb, ct), general, text);
		if (s.c->status == TCO_CHECK_UNEXPLAINED)
			slips_saving(&s, in, q_div(tco_b, in->base_fig->effective),
			             q_div(tco, f->effective), tco);
	}
}
