/* The comparison's terminal table and JSON document. */
#include "reports/compare_out.h"

#include <math.h>
#include <string.h>

const char *compare_status_name(enum compare_status s)
{
	switch (s) {
	case COMPARE_OK:
		return "ok";
	case COMPARE_REGRESSION:
		return "regression";
	case COMPARE_INVALID:
		return "invalid";
	case COMPARE_INCONCLUSIVE:
		return "inconclusive";
	}
	return "?";
}

double change_pct(double ratio)
{
	return 100 * (ratio - 1);
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *metric_json(const struct metric_cmp *m)
{
	json_t *o = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:s, s:b, s:I, s:I, s:o, s:o, s:o, s:o, s:o, "
	    "s:o, s:o, s:o}",
	    "env", m->env, "base_env", m->base_env, "workload", m->workload, "metric", m->metric,
	    "unit", m->unit, "better", m->better == BETTER_HIGHER ? "higher" : "lower", "gated",
	    m->gated, "tolerance_pct", num(100 * m->tolerance), "test", ratio_test_name(m->test),
	    "tested", m->tested, "n_base", (json_int_t)m->n_base, "n_new", (json_int_t)m->n_new,
	    "base_mean", num(m->base_mean), "new_mean", num(m->new_mean), "ratio", num(m->ratio),
	    "ratio_ci95_low", num(m->ratio_low), "ratio_ci95_high", num(m->ratio_high),
	    "change_pct", num(change_pct(m->ratio)), "change_ci95_low_pct",
	    num(change_pct(m->ratio_low)), "change_ci95_high_pct", num(change_pct(m->ratio_high)));
	json_object_set_new(o, "p_worse", num(m->p_worse));
	json_object_set_new(o, "q_worse", num(m->q_worse));
	json_object_set_new(o, "p_better", num(m->p_better));
	json_object_set_new(o, "q_better", num(m->q_better));
	json_object_set_new(o, "p_equivalence", num(m->p_equiv));
	json_object_set_new(o, "mde_pct", num(100 * m->mde));
	json_object_set_new(o, "reps_needed",
	                    m->reps_needed > 0 ? json_integer(m->reps_needed) : json_null());
	json_object_set_new(o, "verdict", json_string(verdict_name(m->verdict)));
	json_object_set_new(o, "note", json_string(m->note));
	json_object_set_new(o, "base_values", json_incref(m->base_values));
	json_object_set_new(o, "new_values", json_incref(m->new_values));
	if (m->history != NULL)
		json_object_set_new(o, "history", json_incref(m->history));
	if (m->between != NULL)
		json_object_set_new(o, "between_runs", json_incref(m->between));
	return o;
}

json_t *compare_to_json(const struct comparison *c)
{
	const struct compare_policy *p = &c->policy;
	json_t *expect = json_array();
	for (size_t i = 0; i < p->n_expect; i++)
		json_array_append_new(expect, json_string(p->expect[i]));
	json_t *diffs = json_array();
	for (size_t i = 0; i < c->validity.n; i++) {
		const struct difference *d = &c->validity.d[i];
		json_array_append_new(diffs, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "key",
		                                       d->key, "where", d->where, "path", d->path,
		                                       "base", d->base, "new", d->new_, "count",
		                                       (json_int_t)d->count, "effect",
		                                       diff_effect_name(d->effect)));
	}
	json_t *metrics = json_array();
	for (size_t i = 0; i < c->n; i++)
		json_array_append_new(metrics, metric_json(&c->m[i]));
	json_t *counts = json_object();
	for (int v = 0; v < N_VERDICTS; v++)
		json_object_set_new(counts, verdict_name(v),
		                    json_integer((json_int_t)c->counts[v]));
	return json_pack(
	    "{s:s, s:s, s:{s:s, s:O}, s:{s:s, s:O}, s:{s:o, s:f, s:f, s:s, s:o, s:b, s:s?, "
	    "s:s?, s:b}, s:{s:b, s:o}, s:o, s:o, s:O, s:s}",
	    "schema", COMPARE_SCHEMA, "created", c->created, "base", "label", c->base_label, "runs",
	    c->base_info ? c->base_info : json_null(), "new", "label", c->new_label, "runs",
	    c->new_info ? c->new_info : json_null(), "policy", "tolerance_pct",
	    num(100 * p->tolerance), "alpha", p->alpha, "power", p->power, "inconclusive",
	    p->inconclusive_fails ? "fail" : "pass", "expect", expect, "force", p->force,
	    "base_env", p->base_env, "new_env", p->new_env, "gate", p->gate != NULL, "validity",
	    "valid", c->validity.valid, "differences", diffs, "metrics", metrics, "counts", counts,
	    "notes", c->notes, "verdict", compare_status_name(c->status));
}

/* "-18.0% [-25.1, -10.2]" */
static void change_text(const struct metric_cmp *m, char *buf, size_t len)
{
	if (!isfinite(m->ratio)) {
		snprintf(buf, len, "-");
		return;
	}
	char lo[16] = "-inf", hi[16] = "+inf";
	if (isfinite(m->ratio_low))
		snprintf(lo, sizeof(lo), "%+.1f", change_pct(m->ratio_low));
	if (isfinite(m->ratio_high))
		snprintf(hi, sizeof(hi), "%+.1f", change_pct(m->ratio_high));
	snprintf(buf, len, "%+.1f%% [%s, %s]", change_pct(m->ratio), lo, hi);
}

/* The q of the direction the change went. */
static double q_shown(const struct metric_cmp *m)
{
	bool worse = m->better == BETTER_HIGHER ? m->ratio < 1 : m->ratio > 1;
	return worse ? m->q_worse : m->q_better;
}

static void print_validity(FILE *out, const struct comparison *c)
{
	size_t refusing = 0;
	for (size_t i = 0; i < c->validity.n; i++)
		refusing += c->validity.d[i].effect == DIFF_REFUSES;
	if (c->validity.n == 0)
		fprintf(out, "validity: ok (host fingerprints and conditions match)\n");
	else if (refusing > 0)
		fprintf(out,
		        "validity: REFUSED: %zu undeclared difference(s) (declare with --expect "
		        "KEY, or --force)\n",
		        refusing);
	else
		fprintf(out, "validity: ok with %zu declared or informational difference(s)\n",
		        c->validity.n);
	for (size_t i = 0; i < c->validity.n; i++) {
		const struct difference *d = &c->validity.d[i];
		fprintf(out, "  %-9s %s %s: %s -> %s", diff_effect_name(d->effect), d->where,
		        d->path, d->base, d->new_);
		if (d->count > 1)
			fprintf(out, " (x%zu)", d->count);
		if (d->effect == DIFF_REFUSES)
			fprintf(out, "  [--expect %s]", d->key);
		fputc('\n', out);
	}
}

void compare_print(FILE *out, const struct comparison *c)
{
	fprintf(out, "bench compare: %s -> %s\n", c->base_label, c->new_label);
	fprintf(out,
	        "tolerance +-%g%% (per metric with a gate file); significance %g after "
	        "Benjamini-Hochberg over %zu metric(s)\n",
	        100 * c->policy.tolerance, c->policy.alpha, c->n);
	print_validity(out, c);
	fprintf(out, "\n%-10s %-15s %-14s %12s %12s %-27s %-20s %8s  %s\n", "env", "workload",
	        "metric", "base", "new", "change [95% CI]", "test", "q", "verdict");
	for (size_t i = 0; i < c->n; i++) {
		const struct metric_cmp *m = &c->m[i];
		char change[64];
		change_text(m, change, sizeof(change));
		fprintf(out, "%-10s %-15s %-14s %12.5g %12.5g %-27s %-20s %8.2g  %s%s\n", m->env,
		        m->workload, m->metric, m->base_mean, m->new_mean, change,
		        m->tested ? ratio_test_name(m->test) : "-", q_shown(m),
		        m->verdict == VERDICT_REGRESSION ? "REGRESSION" : verdict_name(m->verdict),
		        m->gated ? "" : " (not gated)");
	}
	bool header = false;
	for (size_t i = 0; i < c->n; i++) {
		const struct metric_cmp *m = &c->m[i];
		if (m->verdict != VERDICT_INCONCLUSIVE && m->note[0] == '\0')
			continue;
		if (!header)
			fprintf(out, "\n");
		header = true;
		fprintf(out, "%s/%s:%s:", m->env, m->workload, m->metric);
		if (m->verdict == VERDICT_INCONCLUSIVE && isfinite(m->mde)) {
			fprintf(out,
			        " inconclusive: detectable change %.1f%% at n=%zu/%zu (tolerance "
			        "%g%%)",
			        100 * m->mde, m->n_base, m->n_new, 100 * m->tolerance);
			if (m->reps_needed > 0)
				fprintf(out, "; about %ld %s would decide", m->reps_needed,
				        m->test == RATIO_RUNS ? "baseline runs"
				                              : "repetitions per side");
			else
				fprintf(out, "; more repetitions would not decide it soon (the "
				             "change sits at the tolerance's edge, or run-to-run "
				             "variation dominates)");
		}
		if (m->note[0])
			fprintf(out, " (%s)", m->note);
		fputc('\n', out);
	}
	for (size_t i = 0; i < json_array_size(c->notes); i++)
		fprintf(out, "note: %s\n", json_string_value(json_array_get(c->notes, i)));
	fprintf(out,
	        "\n%zu regression, %zu improvement, %zu equivalent, %zu inconclusive (gated "
	        "metrics)\nverdict: %s\n",
	        c->counts[VERDICT_REGRESSION], c->counts[VERDICT_IMPROVEMENT],
	        c->counts[VERDICT_EQUIVALENT], c->counts[VERDICT_INCONCLUSIVE],
	        compare_status_name(c->status));
}
