/* The comparison: matching metrics, choosing and running a test, FDR
 * control, verdicts, validity. */
#include "reports/compare.h"

#include <errno.h>
#include <fnmatch.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/core/cpu_steal.h"
#include "reports/changepoint.h"
#include "reports/overhead.h"

#define MWU_MIN_N  8 /* both sides: Mann-Whitney U instead of Welch's t */
#define REPS_LIMIT 100000

const char *verdict_name(enum verdict v)
{
	static const char *const names[] = {"regression", "improvement", "equivalent",
	                                    "inconclusive"};
	return v < N_VERDICTS ? names[v] : "?";
}

struct compare_policy compare_policy_default(void)
{
	return (struct compare_policy){.tolerance = 0.05, .alpha = 0.05, .power = 0.8};
}

static const struct sample *find_sample(const struct run *run, const char *env,
                                        const char *workload, const char *metric)
{
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *s = &run->samples[i];
		if (!s->failed && s->n_values > 0 && strcmp(s->env, env) == 0 &&
		    strcmp(s->workload, workload) == 0 && strcmp(s->metric, metric) == 0) {
			return s;
		}
	}
	return NULL;
}

static json_t *values_json(const double *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_real(v[i]));
	return a;
}

/* The interleaving blocks of sample s (its order.block), or NULL when the
 * run was not interleaved. */
static const json_t *order_blocks(const struct sample *s)
{
	const json_t *blocks = json_object_get(s->order, "block");
	if (!json_is_true(json_object_get(s->order, "interleaved")) || !json_is_array(blocks) ||
	    json_array_size(blocks) != s->n_values)
		return NULL;
	return blocks;
}

/* What the base side offers for one metric. */
struct base_data {
	double *values; /* pooled values, or run means for runs_t */
	size_t n;
	bool runs;       /* values are run means of a history segment */
	double *px, *py; /* paired values */
	size_t n_pairs;
	const struct calibration *cal; /* separate runs: the history's calibration */
	size_t between_k;              /* calibration runs under this metric's conditions */
	struct between_runs between;   /* when between_k >= 3 */
	json_t *between_ids;           /* their run ids */
};

static void note_add(struct metric_cmp *m, const char *fmt, const char *a)
{
	size_t len = strlen(m->note);
	snprintf(m->note + len, sizeof(m->note) - len, "%s", len ? "; " : "");
	len = strlen(m->note);
	snprintf(m->note + len, sizeof(m->note) - len, fmt, a);
}

/* History base: the series of run means, its change points, the segment
 * that starts at the latest recorded baseline move and ends at the next
 * change point; the segment's runs are marked used. */
static int history_base(struct comparison *c, struct compare_side *base, struct metric_cmp *m,
                        const struct sample *s, const char *where, struct base_data *bd)
{
	size_t n = base->n_runs, np = 0;
	const struct sample **samples = calloc(n ? n : 1, sizeof(*samples));
	size_t *run_of = calloc(n ? n : 1, sizeof(*run_of));
	double *means = calloc(n ? n : 1, sizeof(*means));
	const char **ids = calloc(n ? n : 1, sizeof(*ids));
	int rc = -1;
	if (samples == NULL || run_of == NULL || means == NULL || ids == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct sample *b =
		    find_sample(&base->runs[i].run, m->base_env, s->workload, s->metric);
		if (b == NULL)
			continue;
		samples[np] = b;
		run_of[np] = i;
		means[np] = b->stats.mean;
		ids[np++] = base->runs[i].run.run_id;
	}
	rc = 0;
	if (np == 0)
		goto out;
	struct cp_options o = cp_defaults();
	struct change_point cps[16];
	int n_cp = cp_find(means, np, &o, cps, 16);
	const char *reason = NULL;
	size_t start = history_move_index(base->moves, base->n_moves, ids, np, m->base_env,
	                                  s->workload, s->metric, &reason);
	size_t end = cp_segment_end(cps, n_cp, start, np);
	json_t *cpj = json_array();
	for (int k = 0; k < n_cp; k++) {
		json_array_append_new(cpj, json_pack("{s:I, s:s, s:f, s:f, s:f}", "index",
		                                     (json_int_t)cps[k].index, "run_id",
		                                     ids[cps[k].index], "p", cps[k].p, "before",
		                                     cps[k].before, "after", cps[k].after));
		if (cps[k].index == end) {
			char text[300];
			snprintf(text, sizeof(text),
			         "%s/%s:%s: the history changed at run %s (%+.1f%%) after the "
			         "baseline; it stays at runs %zu..%zu until moved (bench history "
			         "baseline --from %s --reason TEXT)",
			         m->base_env, s->workload, s->metric, ids[cps[k].index],
			         100 * (cps[k].after / cps[k].before - 1), start, end - 1,
			         ids[cps[k].index]);
			json_array_append_new(c->notes, json_string(text));
		}
	}
	json_t *pts = json_array();
	for (size_t i = 0; i < np; i++) {
		const json_t *host = base->runs[run_of[i]].run.host;
		json_array_append_new(
		    pts,
		    json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:I}", "run_id", ids[i],
		              "created", base->runs[run_of[i]].run.created, "kernel",
		              json_string_value(json_object_get(host, "kernel"))
		                  ? json_string_value(json_object_get(host, "kernel"))
		                  : "?",
		              "commit",
		              json_string_value(json_object_get(host, "git_commit"))
		                  ? json_string_value(json_object_get(host, "git_commit"))
		                  : "?",
		              "mean", means[i], "ci95_low", samples[i]->stats.ci_low, "ci95_high",
		              samples[i]->stats.ci_high, "n", (json_int_t)samples[i]->n_values));
	}
	m->history =
	    json_pack("{s:o, s:o, s:[I, I], s:s?}", "points", pts, "change_points", cpj, "segment",
	              (json_int_t)start, (json_int_t)end, "baseline_reason", reason);
	size_t seg = end - start;
	bd->runs = seg >= 3;
	size_t total = 0;
	for (size_t i = start; i < end; i++)
		total += bd->runs ? 1 : samples[i]->n_values;
	bd->values = malloc((total ? total : 1) * sizeof(double));
	if (bd->values == NULL) {
		rc = -1;
		goto out;
	}
	for (size_t i = start; i < end; i++) {
		base->runs[run_of[i]].used = true;
		if (strcmp(samples[i]->env, s->env) != 0)
			validity_samples_across(&c->validity, samples[i], s, where);
		else
			validity_samples(&c->validity, samples[i], s, where);
		if (bd->runs)
			bd->values[bd->n++] = means[i];
		else
			for (size_t k = 0; k < samples[i]->n_values; k++)
				bd->values[bd->n++] = samples[i]->values[k];
	}
	if (!bd->runs)
		note_add(m, "%s",
		         seg == 1 ? "baseline segment of one run: run-to-run variation "
		                    "not measured"
		                  : "baseline segment of two runs: values pooled");
out:
	free(samples);
	free(run_of);
	free(means);
	free(ids);
	return rc;
}

/* The steal (results/SCHEMA.md) of the two sides differs by
 * STEAL_NOTABLE_PCT points or more: the comparison says so once per
 * environment and workload. */
static void note_steal(struct comparison *c, const struct sample *b, const struct sample *s)
{
	json_t *bp = json_object_get(b->steal, "pct"), *np = json_object_get(s->steal, "pct");
	if (!json_is_number(bp) || !json_is_number(np) ||
	    fabs(json_number_value(np) - json_number_value(bp)) < STEAL_NOTABLE_PCT)
		return;
	char text[300];
	snprintf(text, sizeof(text),
	         "steal differs on %s %s: the hypervisor under the host took %.1f%% of the "
	         "instance CPUs' time in base, %.1f%% in new; a change there may be the host's "
	         "neighbours, not the software",
	         s->env, s->workload, json_number_value(bp), json_number_value(np));
	size_t i;
	json_t *v;
	json_array_foreach(c->notes, i, v) if (strcmp(json_string_value(v), text) == 0) return;
	json_array_append_new(c->notes, json_string(text));
}

/* File base: the one run's sample, paired with the new one when both come
 * from one interleaved run. */
static int file_base(struct comparison *c, struct compare_side *base,
                     const struct compare_side *new_, const struct calibration *cal,
                     struct metric_cmp *m, const struct sample *s, const char *where,
                     struct base_data *bd)
{
	struct side_run *r = &base->runs[0];
	const struct sample *b = find_sample(&r->run, m->base_env, s->workload, s->metric);
	if (b == NULL)
		return 0;
	r->used = true;
	note_steal(c, b, s);
	if (strcmp(b->env, s->env) != 0)
		validity_samples_across(&c->validity, b, s, where);
	else
		validity_samples(&c->validity, b, s, where);
	bd->values = malloc(b->n_values * sizeof(double));
	if (bd->values == NULL)
		return -1;
	memcpy(bd->values, b->values, b->n_values * sizeof(double));
	bd->n = b->n_values;
	if (cal != NULL) {
		bd->cal = cal;
		bd->between_k = calibration_between(cal, b, &bd->between, &bd->between_ids);
	}
	const struct side_run *nr = &new_->runs[0];
	if (strcmp(r->run.run_id, nr->run.run_id) != 0 || strcmp(b->env, s->env) == 0)
		return 0;
	const json_t *nb = order_blocks(s), *bb = order_blocks(b);
	if (nb == NULL || bb == NULL)
		return 0;
	bd->px = malloc(s->n_values * sizeof(double));
	bd->py = malloc(s->n_values * sizeof(double));
	if (bd->px == NULL || bd->py == NULL)
		return -1;
	bd->n_pairs = overhead_pair_by_block(s, nb, b, bb, bd->px, bd->py);
	return 0;
}

static bool all_positive(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(v[i] > 0))
			return false;
	return true;
}

/* Separate runs: where the between-run term came from (m->between), and
 * the note saying so or that it was not measured. */
static void between_record(struct metric_cmp *m, const struct base_data *bd)
{
	const struct between_runs *e = &bd->between;
	bool applied = e->k >= 3;
	m->between = json_pack("{s:b, s:s, s:I, s:O}", "applied", applied, "db", bd->cal->db, "k",
	                       (json_int_t)bd->between_k, "run_ids", bd->between_ids);
	char text[300];
	if (applied) {
		json_object_set_new(m->between, "df", json_real(e->df));
		json_object_set_new(m->between, "cv_pct", json_real(100 * sqrt(e->cv_b2)));
		json_object_set_new(m->between, "grand_mean", json_real(e->grand_mean));
		json_object_set_new(m->between, "var_run_means", json_real(e->var_means));
		json_object_set_new(m->between, "within_var_of_mean", json_real(e->within));
		snprintf(text, sizeof(text),
		         "run-to-run variation %.2f%% (CV) from %zu runs in %.160s, %g df",
		         100 * sqrt(e->cv_b2), e->k, bd->cal->db, e->df);
	} else {
		snprintf(
		    text, sizeof(text),
		    "run-to-run variation not measured (%zu runs of this host in %.160s; add >= 3 "
		    "with `bench history add`)",
		    bd->between_k, bd->cal->db);
	}
	note_add(m, "%s", text);
}

/* welch_t+between_runs that more repetitions cannot decide: the change
 * that run-to-run variation alone leaves undetectable, in the note. */
static void between_floor_note(struct metric_cmp *m, const struct ratio_test *t, double df,
                               const struct compare_policy *p)
{
	if (t->kind != RATIO_WELCH_BETWEEN || m->reps_needed >= 0)
		return;
	double floor = mde_relative(ratio_test_between_se(t), df, p->alpha, p->power);
	if (!isfinite(floor) || floor <= 0)
		return;
	char text[200];
	snprintf(text, sizeof(text),
	         "run-to-run variation alone hides changes under %.1f%%: more repetitions "
	         "cannot decide, more history runs narrow it",
	         100 * floor);
	note_add(m, "%s", text);
}

/* Runs the chosen test and fills the metric's figures (not the verdict). */
static void test_metric(struct metric_cmp *m, const struct sample *s, const struct base_data *bd,
                        const struct compare_policy *p)
{
	struct ratio_test t;
	const double *x = s->values, *y = bd->values;
	size_t nx = s->n_values, ny = bd->n;
	double mean_new = gsl_stats_mean(s->values, 1, s->n_values);
	if (bd->n_pairs >= 3) {
		m->test = RATIO_PAIRED;
		x = bd->px;
		y = bd->py;
		nx = ny = bd->n_pairs;
	} else if (bd->runs) {
		m->test = RATIO_RUNS;
		x = &mean_new;
		nx = 1;
	} else if (bd->between.k >= 3) {
		m->test = RATIO_WELCH_BETWEEN; /* Mann-Whitney cannot carry the term */
	} else if (nx >= MWU_MIN_N && ny >= MWU_MIN_N && all_positive(x, nx) &&
	           all_positive(y, ny)) {
		m->test = RATIO_MANN_WHITNEY;
	} else {
		m->test = RATIO_WELCH;
	}
	m->n_new = nx;
	m->n_base = ny;
	m->new_mean = mean_new;
	m->base_mean = gsl_stats_mean(bd->values, 1, bd->n);
	m->new_values = values_json(s->values, s->n_values);
	m->base_values = values_json(bd->values, bd->n);
	if (bd->cal != NULL && bd->n_pairs < 3)
		between_record(m, bd);
	struct bench_error *err = NULL;
	bool between = m->test == RATIO_WELCH_BETWEEN;
	if (ratio_test_init(&t, between ? RATIO_WELCH : m->test, x, nx, y, ny, &err) < 0 ||
	    (between && ratio_test_add_between(&t, bd->between.cv_b2, bd->between.df, &err) < 0)) {
		ratio_test_free(&t);
		note_add(m, "%s", err->msg);
		bench_error_free(&err);
		m->ratio = m->base_mean != 0 ? m->new_mean / m->base_mean : NAN;
		m->ratio_low = m->ratio_high = NAN;
		m->p_worse = m->p_better = m->p_equiv = NAN;
		m->mde = NAN;
		m->reps_needed = nx < 2 || ny < 2 ? 3 : -1;
		return;
	}
	m->tested = true;
	ratio_test_interval(&t, 0.95, &m->ratio, &m->ratio_low, &m->ratio_high);
	double lo = 1 - m->tolerance, hi = 1 + m->tolerance;
	bool higher = m->better == BETTER_HIGHER;
	m->p_worse = higher ? ratio_test_p(&t, lo, -1) : ratio_test_p(&t, hi, +1);
	m->p_better = higher ? ratio_test_p(&t, hi, +1) : ratio_test_p(&t, lo, -1);
	m->p_equiv = fmax(ratio_test_p(&t, lo, +1), ratio_test_p(&t, hi, -1));
	double se, df;
	ratio_test_se(&t, &se, &df);
	m->mde = mde_relative(se, df, p->alpha, p->power);
	double distance = fabs(fabs(m->ratio - 1) - m->tolerance);
	m->reps_needed = reps_to_decide(&t, distance, p->alpha, p->power, REPS_LIMIT);
	between_floor_note(m, &t, df, p);
	ratio_test_free(&t);
}

static void base_data_free(struct base_data *bd)
{
	free(bd->values);
	free(bd->px);
	free(bd->py);
	json_decref(bd->between_ids);
}

static bool gate_lists(const struct gate_file *g, const char *workload)
{
	for (size_t i = 0; i < g->n_workloads; i++)
		if (strcmp(g->workloads[i], workload) == 0 || strcmp(g->workloads[i], "all") == 0)
			return true;
	return false;
}

static int add_metric(struct comparison *c, struct metric_cmp **out)
{
	struct metric_cmp *v = realloc(c->m, (c->n + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	c->m = v;
	*out = &v[c->n++];
	memset(*out, 0, sizeof(**out));
	return 0;
}

static json_t *run_info(const struct side_run *r)
{
	const json_t *h = r->run.host;
	const char *k = json_string_value(json_object_get(h, "kernel"));
	const char *hv = json_string_value(json_object_get(h, "hypervisor"));
	const char *cm = json_string_value(json_object_get(h, "git_commit"));
	const char *hn = json_string_value(json_object_get(h, "hostname"));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "run_id", r->run.run_id, "created",
	                 r->run.created ? r->run.created : "", "source", r->source, "hostname",
	                 hn ? hn : "?", "kernel", k ? k : "?", "hypervisor", hv ? hv : "?",
	                 "commit", cm ? cm : "?");
}

/* BH over the tested metrics, then each verdict. */
static void decide(struct comparison *c)
{
	double *pw = malloc((c->n ? c->n : 1) * sizeof(double));
	double *pb = malloc((c->n ? c->n : 1) * sizeof(double));
	double *qw = malloc((c->n ? c->n : 1) * sizeof(double));
	double *qb = malloc((c->n ? c->n : 1) * sizeof(double));
	if (pw == NULL || pb == NULL || qw == NULL || qb == NULL) {
		free(pw);
		free(pb);
		free(qw);
		free(qb);
		return;
	}
	for (size_t i = 0; i < c->n; i++) {
		pw[i] = c->m[i].tested ? c->m[i].p_worse : NAN;
		pb[i] = c->m[i].tested ? c->m[i].p_better : NAN;
	}
	bh_qvalues(pw, c->n, qw);
	bh_qvalues(pb, c->n, qb);
	double a = c->policy.alpha;
	for (size_t i = 0; i < c->n; i++) {
		struct metric_cmp *m = &c->m[i];
		m->q_worse = qw[i];
		m->q_better = qb[i];
		if (m->tested && m->q_worse < a)
			m->verdict = VERDICT_REGRESSION;
		else if (m->tested && m->q_better < a)
			m->verdict = VERDICT_IMPROVEMENT;
		else if (m->tested && m->p_equiv < a)
			m->verdict = VERDICT_EQUIVALENT;
		else
			m->verdict = VERDICT_INCONCLUSIVE;
		if (m->gated)
			c->counts[m->verdict]++;
	}
	free(pw);
	free(pb);
	free(qw);
	free(qb);
}

static int compare_metric(struct comparison *c, struct compare_side *base,
                          const struct compare_side *new_, const struct calibration *cal,
                          const struct sample *s)
{
	const struct compare_policy *p = &c->policy;
	double tol = p->tolerance;
	bool gated = true;
	if (p->gate != NULL) {
		if (!gate_lists(p->gate, s->workload))
			return 0;
		gated = gate_lookup(p->gate, s->env, s->workload, s->metric, &tol);
	}
	struct metric_cmp *m;
	if (add_metric(c, &m) < 0)
		return -1;
	snprintf(m->env, sizeof(m->env), "%s", s->env);
	snprintf(m->base_env, sizeof(m->base_env), "%s", p->base_env ? p->base_env : s->env);
	snprintf(m->workload, sizeof(m->workload), "%s", s->workload);
	snprintf(m->metric, sizeof(m->metric), "%s", s->metric);
	snprintf(m->unit, sizeof(m->unit), "%s", s->unit);
	m->better = s->better;
	m->tolerance = tol;
	m->gated = gated;
	m->reps_needed = -1;
	char where[200];
	snprintf(where, sizeof(where), "%s/%s:%s", s->env, s->workload, s->metric);
	struct base_data bd = {0};
	int rc = base->history ? history_base(c, base, m, s, where, &bd)
	                       : file_base(c, base, new_, cal, m, s, where, &bd);
	if (rc == 0 && bd.n == 0) {
		/* nothing to compare with: listed, never deciding */
		c->n--;
		json_decref(m->history);
		char text[300];
		snprintf(text, sizeof(text), "only in new: %s (no base sample)", where);
		json_array_append_new(c->notes, json_string(text));
		if (gated && p->gate != NULL) {
			/* a gated metric without a base is inconclusive */
			c->n++;
			m->history = NULL;
			m->tested = false;
			m->verdict = VERDICT_INCONCLUSIVE;
			m->ratio = m->ratio_low = m->ratio_high = NAN;
			m->p_worse = m->p_better = m->p_equiv = m->mde = NAN;
			m->new_mean = gsl_stats_mean(s->values, 1, s->n_values);
			m->base_mean = NAN;
			m->n_new = s->n_values;
			m->new_values = values_json(s->values, s->n_values);
			m->base_values = json_array();
			note_add(m, "%s", "no baseline for this metric");
		}
	} else if (rc == 0) {
		test_metric(m, s, &bd, p);
	}
	base_data_free(&bd);
	return rc;
}

/* Base samples the new run does not have (file bases). */
static void note_only_in_base(struct comparison *c, const struct compare_side *base,
                              const struct run *nr)
{
	if (base->history)
		return;
	const struct run *br = &base->runs[0].run;
	for (size_t i = 0; i < br->n_samples; i++) {
		const struct sample *b = &br->samples[i];
		if (b->failed)
			continue;
		if (c->policy.base_env != NULL && strcmp(b->env, c->policy.base_env) != 0)
			continue;
		const char *env = c->policy.new_env ? c->policy.new_env : b->env;
		if (find_sample(nr, env, b->workload, b->metric) != NULL)
			continue;
		if (c->policy.gate != NULL && !gate_lists(c->policy.gate, b->workload))
			continue;
		char text[300];
		snprintf(text, sizeof(text), "only in base: %s/%s:%s", b->env, b->workload,
		         b->metric);
		json_array_append_new(c->notes, json_string(text));
	}
}

/* Two separate runs (base one file, new another run): the history's runs
 * of the base host into *cal, and a note on what it holds. false when the
 * term does not apply (a history base, the same run on both sides). */
static int calibration_for(struct comparison *c, const struct compare_side *base,
                           const struct run *nr, struct calibration *cal, bool *use,
                           struct bench_error **err)
{
	*use = false;
	if (base->history || base->n_runs != 1 || strcmp(base->runs[0].run.run_id, nr->run_id) == 0)
		return 0;
	if (calibration_load(cal, c->policy.db, &base->runs[0].run, nr->run_id, err) < 0)
		return -1;
	*use = true;
	char text[2 * PATH_MAX + 400];
	if (!cal->present) {
		snprintf(text, sizeof(text),
		         "run-to-run variation not measured: no history database %s (bench history "
		         "add --db %s: 3 or more runs of the base's build on this host; see bench "
		         "compare --help)",
		         cal->db, cal->db);
	} else {
		int len = snprintf(text, sizeof(text),
		                   "run-to-run variation from %s: %zu run(s) with the base's host "
		                   "fingerprint, used where a metric's conditions match",
		                   cal->db, cal->n);
		for (size_t i = 0; i < cal->n && i < 8 && len > 0 && (size_t)len < sizeof(text);
		     i++)
			len += snprintf(text + len, sizeof(text) - (size_t)len, "%s%s",
			                i ? ", " : ": ", cal->runs[i].run_id);
		if (cal->n > 8 && len > 0 && (size_t)len < sizeof(text))
			snprintf(text + len, sizeof(text) - (size_t)len, ", ...");
	}
	json_array_append_new(c->notes, json_string(text));
	return 0;
}

int compare_run(const struct compare_side *base_in, const struct compare_side *new_,
                const struct compare_policy *policy, struct comparison *out,
                struct bench_error **err)
{
	struct compare_side *base = (struct compare_side *)base_in; /* marks runs used */
	memset(out, 0, sizeof(*out));
	out->policy = *policy;
	out->notes = json_array();
	snprintf(out->base_label, sizeof(out->base_label), "%s", base->label);
	snprintf(out->new_label, sizeof(out->new_label), "%s", new_->label);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out->created, sizeof(out->created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (new_->n_runs != 1)
		return bench_error_set(err, 0, "the new side must be one run (%s holds %zu)",
		                       new_->label, new_->n_runs);
	const struct run *nr = &new_->runs[0].run;
	for (size_t i = 0; i < base->n_runs; i++)
		base->runs[i].used = false;
	struct calibration cal = {0};
	bool use_cal;
	if (calibration_for(out, base, nr, &cal, &use_cal, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < nr->n_samples && rc == 0; i++) {
		const struct sample *s = &nr->samples[i];
		if (s->failed || s->n_values == 0)
			continue;
		if (policy->new_env != NULL && strcmp(s->env, policy->new_env) != 0)
			continue;
		if (compare_metric(out, base, new_, use_cal ? &cal : NULL, s) < 0)
			rc = bench_error_set(err, ENOMEM, "comparison");
	}
	calibration_free(&cal);
	if (rc < 0)
		return -1;
	note_only_in_base(out, base, nr);
	decide(out);
	out->base_info = json_array();
	for (size_t i = 0; i < base->n_runs; i++) {
		if (!base->runs[i].used)
			continue;
		validity_hosts(&out->validity, base->runs[i].run.host, nr->host);
		json_array_append_new(out->base_info, run_info(&base->runs[i]));
	}
	out->new_info = json_pack("[o]", run_info(&new_->runs[0]));
	validity_finish(&out->validity, policy->expect, policy->n_expect, policy->force);
	size_t compared = 0;
	for (size_t i = 0; i < out->n; i++)
		compared += out->m[i].tested;
	if (!out->validity.valid)
		out->status = COMPARE_INVALID;
	else if (compared == 0)
		out->status = COMPARE_INVALID;
	else if (out->counts[VERDICT_REGRESSION] > 0)
		out->status = COMPARE_REGRESSION;
	else if (out->counts[VERDICT_INCONCLUSIVE] > 0 && policy->inconclusive_fails)
		out->status = COMPARE_INCONCLUSIVE;
	else
		out->status = COMPARE_OK;
	if (compared == 0)
		json_array_append_new(out->notes,
		                      json_string("no metric could be compared: nothing in common "
		                                  "with at least two values on each side"));
	return 0;
}

void comparison_free(struct comparison *c)
{
	for (size_t i = 0; i < c->n; i++) {
		json_decref(c->m[i].base_values);
		json_decref(c->m[i].new_values);
		json_decref(c->m[i].history);
		json_decref(c->m[i].between);
	}
	free(c->m);
	json_decref(c->base_info);
	json_decref(c->new_info);
	json_decref(c->notes);
	validity_free(&c->validity);
	memset(c, 0, sizeof(*c));
}
