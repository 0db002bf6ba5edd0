/* The answer first: per environment a verdict written from its overhead
 * figures family by family, its largest significant overheads, density
 * limit, per-instance start time and footprint, and what failed. The
 * validity notes are in report_answer_notes.c, the HTML and markdown in
 * report_answer_out.c. */
#include "reports/report_answer.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"
#include "reports/run_view.h"

void report_fmt_slowdown(double s, char *buf, size_t len)
{
	double f = s >= 1 ? s : 1 / s;
	const char *way = s >= 1 ? "slower" : "faster";
	if (fabs(f - 1) < 0.0005)
		snprintf(buf, len, "the same");
	else if (f >= 1.995)
		snprintf(buf, len, "%.1f\u00d7 %s", f, way);
	else if (f < 1.01)
		snprintf(buf, len, "%.1f%% %s", 100 * (f - 1), way);
	else
		snprintf(buf, len, "%.0f%% %s", 100 * (f - 1), way);
}

const char *report_failure_cause(const char *error)
{
	if (error == NULL)
		return "failed";
	static const struct {
		const char *needle, *cause;
	} causes[] = {
	    {"OOM-killed", "out of memory"},
	    {"OOM killer", "out of memory"},
	    {"out of memory", "out of memory"},
	    {"panicked", "kernel panic"},
	    {"no reply within", "timeout"},
	    {"stopped answering", "timeout"},
	    {"timed out", "timeout"},
	    {"killed by signal", "killed by a signal"},
	    {"killed by SIG", "killed by a signal"},
	    {"exited with status", "exited with an error"},
	    {"unsupported option", "rejected its options"},
	};
	for (size_t i = 0; i < sizeof(causes) / sizeof(causes[0]); i++)
		if (strstr(error, causes[i].needle) != NULL)
			return causes[i].cause;
	return "failed";
}

/* What a family's overhead entries came to. */
struct family_sum {
	size_t n, worse, better;
	struct overhead_view worst, best; /* largest significant slowdown, gain */
	double spread;                    /* widest interval edge from 1, as a fraction */
	bool unbounded;                   /* an interval was unbounded */
};

static void add_view(struct family_sum *f, const struct overhead_view *v)
{
	f->n++;
	if (v->significant && v->slowdown > 1) {
		if (f->worse++ == 0 || v->slowdown > f->worst.slowdown)
			f->worst = *v;
	} else if (v->significant && v->slowdown < 1) {
		if (f->better++ == 0 || v->slowdown < f->best.slowdown)
			f->best = *v;
	} else if (isnan(v->low)) {
		f->unbounded = true;
	} else {
		double edge = fmax(v->high - 1, 1 - v->low);
		f->spread = fmax(f->spread, edge);
	}
}

/* Where env's network traffic went, from a network sample's backend
 * record: " on the bridge path", " over virtio-net on a tap (no vhost)". */
static const char *net_path(const struct run *run, const char *env, char *buf, size_t len)
{
	*buf = '\0';
	for (size_t i = 0; i < run->n_samples && !*buf; i++) {
		const struct sample *s = &run->samples[i];
		if (strcmp(s->env, env) != 0 || strncmp(s->workload, "net.", 4) != 0)
			continue;
		json_t *net = json_object_get(json_object_get(s->pinning, "backend"), "net");
		if (json_is_string(net))
			snprintf(buf, len, "%s",
			         strcmp(json_string_value(net), "host") == 0
			             ? " on the host's network stack"
			             : " on the bridge path");
		else if (json_object_get(net, "tap") != NULL)
			snprintf(buf, len, " over virtio-net on a tap (%s)",
			         json_is_true(json_object_get(net, "vhost")) ? "vhost"
			                                                     : "no vhost");
		else if (json_object_get(net, "vif") != NULL)
			snprintf(buf, len, " over Xen's netback");
	}
	return buf;
}

static void name_of(const struct overhead_view *v, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s", v->workload, v->metric);
}

/* "CPU, memory and OS paths" */
static void join_nouns(char *buf, size_t len, const size_t *idx, size_t n)
{
	for (size_t i = 0; i < n; i++)
		report_cat(buf, len, "%s%s",
		           i == 0       ? ""
		           : i + 1 == n ? " and "
		                        : ", ",
		           report_families[idx[i]].noun);
}

static void family_clause(const struct run *run, const char *env, size_t fi,
                          const struct family_sum *f, char *buf, size_t len)
{
	char what[200], amount[64], other[200], amount2[64], path[96] = "";
	if (fi == report_family_of("net."))
		net_path(run, env, path, sizeof(path));
	if (f->worse > 0 && f->better > 0) {
		name_of(&f->worst, what, sizeof(what));
		name_of(&f->best, other, sizeof(other));
		report_fmt_slowdown(f->worst.slowdown, amount, sizeof(amount));
		report_fmt_slowdown(f->best.slowdown, amount2, sizeof(amount2));
		report_cat(buf, len,
		           "%s mixed%s: %s %s, %s %s (%zu worse and %zu better of %zu metrics)",
		           report_families[fi].noun, path, what, amount, other, amount2, f->worse,
		           f->better, f->n);
		return;
	}
	const struct overhead_view *v = f->worse > 0 ? &f->worst : &f->best;
	size_t k = f->worse > 0 ? f->worse : f->better;
	name_of(v, what, sizeof(what));
	report_fmt_slowdown(v->slowdown, amount, sizeof(amount));
	report_cat(buf, len, "%s %s%s%s (%s", report_families[fi].noun, k > 1 ? "up to " : "",
	           amount, path, what);
	if (f->n > 1)
		report_cat(buf, len, "; %zu of %zu metrics significantly %s", k, f->n,
		           f->worse > 0 ? "worse" : "better");
	report_cat(buf, len, ")");
}

/* The verdict in one sentence (e->lead): where env differs significantly
 * from the baseline, family by family. */
static void lead(const char *baseline, const struct family_sum *fam, struct answer_env *e)
{
	size_t slow[REPORT_N_FAMILIES], fast[REPORT_N_FAMILIES], n_slow = 0, n_fast = 0, n = 0;
	for (size_t f = 0; f < REPORT_N_FAMILIES; f++) {
		n += fam[f].n > 0;
		if (fam[f].worse > 0)
			slow[n_slow++] = f;
		if (fam[f].better > 0)
			fast[n_fast++] = f;
	}
	char *l = e->lead;
	size_t len = sizeof(e->lead);
	if (e->emulated)
		report_cat(l, len, "Emulated (TCG), not hardware virtualisation. ");
	if (n_slow > 0) {
		report_cat(l, len, "Significantly slower than %s in ", baseline);
		join_nouns(l, len, slow, n_slow);
	}
	if (n_fast > 0) {
		if (n_slow > 0)
			report_cat(l, len, "; faster in ");
		else
			report_cat(l, len, "Significantly faster than %s in ", baseline);
		join_nouns(l, len, fast, n_fast);
	}
	if (n_slow + n_fast == 0)
		report_cat(l, len, "%s",
		           e->tone == ANSWER_UNCLEAR
		               ? "No significant difference from the baseline, but the intervals "
		                 "are too wide to rule one out"
		               : "Within noise of the baseline in everything measured");
	report_cat(l, len, " (%zu famil%s compared).", n, n == 1 ? "y" : "ies");
}

/* The verdict from env's overhead entries; sets e->tone. */
static void verdict(const struct run *run, const char *baseline, struct answer_env *e)
{
	struct family_sum fam[REPORT_N_FAMILIES] = {0};
	json_t *o;
	size_t i, n = 0;
	json_array_foreach(run->overhead, i, o)
	{
		struct overhead_view v;
		if (!report_overhead_view(o, &v) || strcmp(v.env, e->env) != 0)
			continue;
		add_view(&fam[report_family_of(v.workload)], &v);
		n++;
	}
	char *buf = e->verdict;
	size_t len = sizeof(e->verdict);
	if (e->emulated)
		report_cat(buf, len,
		           "Emulated (TCG): these figures measure QEMU's CPU emulator, not "
		           "hardware virtualisation. ");
	if (n == 0) {
		e->tone = ANSWER_ALONE;
		report_cat(buf, len,
		           "Not compared: no %s result matches its workloads and metrics.",
		           baseline);
		return;
	}
	/* families without a significant difference: within noise when their
	 * intervals are tight, else not distinguishable (too wide to tell) */
	size_t tight[REPORT_N_FAMILIES], wide[REPORT_N_FAMILIES], n_tight = 0, n_wide = 0;
	size_t worse = 0, better = 0;
	double spread_tight = 0, spread_wide = 0;
	bool unbounded = false;
	for (size_t f = 0; f < REPORT_N_FAMILIES; f++) {
		if (fam[f].n > 0 && fam[f].worse == 0 && fam[f].better == 0) {
			if (fam[f].unbounded || fam[f].spread > ANSWER_NOISE_MAX) {
				wide[n_wide++] = f;
				spread_wide = fmax(spread_wide, fam[f].spread);
				unbounded |= fam[f].unbounded;
			} else {
				tight[n_tight++] = f;
				spread_tight = fmax(spread_tight, fam[f].spread);
			}
		}
		worse += fam[f].worse;
		better += fam[f].better;
	}
	char clauses[1200] = "";
	size_t starts[REPORT_N_FAMILIES + 2], n_starts = 0; /* where each clause begins */
	if (n_tight > 0) {
		starts[n_starts++] = 0;
		join_nouns(clauses, sizeof(clauses), tight, n_tight);
		report_cat(clauses, sizeof(clauses),
		           " within noise of %s (95%% intervals within \u00b1%.*f%%)", baseline,
		           spread_tight < 0.01 ? 1 : 0, 100 * spread_tight);
	}
	if (n_wide > 0) {
		report_cat(clauses, sizeof(clauses), "%s", *clauses ? "; " : "");
		starts[n_starts++] = strlen(clauses);
		join_nouns(clauses, sizeof(clauses), wide, n_wide);
		report_cat(clauses, sizeof(clauses), " not distinguishable from %s (", baseline);
		if (unbounded)
			report_cat(clauses, sizeof(clauses), "some intervals unbounded");
		else
			report_cat(clauses, sizeof(clauses), "95%% intervals up to \u00b1%.0f%%",
			           100 * spread_wide);
		report_cat(clauses, sizeof(clauses), ": too wide to rule out a difference)");
	}
	for (size_t f = 0; f < REPORT_N_FAMILIES; f++) {
		if (fam[f].worse + fam[f].better == 0)
			continue;
		report_cat(clauses, sizeof(clauses), "%s", *clauses ? "; " : "");
		starts[n_starts++] = strlen(clauses);
		family_clause(run, e->env, f, &fam[f], clauses + strlen(clauses),
		              sizeof(clauses) - strlen(clauses));
	}
	/* each clause alone, capitalised, for the page's list */
	for (size_t k = 0; k < n_starts && k < sizeof(e->clauses) / sizeof(e->clauses[0]); k++) {
		size_t end = k + 1 < n_starts ? starts[k + 1] - 2 : strlen(clauses);
		snprintf(e->clauses[k], sizeof(e->clauses[k]), "%.*s.", (int)(end - starts[k]),
		         clauses + starts[k]);
		e->clauses[k][0] = (char)toupper((unsigned char)e->clauses[k][0]);
		e->n_clauses++;
	}
	clauses[0] = (char)toupper((unsigned char)clauses[0]);
	report_cat(buf, len, "%s.", clauses);
	e->tone = worse && better ? ANSWER_MIXED
	          : worse         ? ANSWER_WORSE
	          : better        ? ANSWER_BETTER
	          : n_wide        ? ANSWER_UNCLEAR
	                          : ANSWER_NOISE;
	lead(baseline, fam, e);
}

static int cmp_slowdown_desc(const void *a, const void *b)
{
	double x = ((const struct overhead_view *)a)->slowdown,
	       y = ((const struct overhead_view *)b)->slowdown;
	return (x < y) - (x > y);
}

/* A slowdown as text: 3 significant digits, whole numbers from 1000 on. */
static void fmt_ratio(double v, char *buf, size_t len)
{
	snprintf(buf, len, v >= 1000 ? "%.0f" : "%.3g", v);
}

static void top_line(const struct overhead_view *v, char *buf, size_t len)
{
	char amount[64];
	report_fmt_slowdown(v->slowdown, amount, sizeof(amount));
	char s[32], lo[32], hi[32];
	fmt_ratio(v->slowdown, s, sizeof(s));
	fmt_ratio(v->low, lo, sizeof(lo));
	fmt_ratio(v->high, hi, sizeof(hi));
	snprintf(buf, len, "%s %s: %s (slowdown %s, 95%% CI ", v->workload, v->metric, amount, s);
	if (isnan(v->low))
		report_cat(buf, len, "unbounded");
	else
		report_cat(buf, len, "%s\u2013%s", lo, hi);
	size_t t = strcspn(v->test, "(");
	while (t > 0 && v->test[t - 1] == ' ')
		t--;
	if (t > 0)
		report_cat(buf, len, "; %.*s", (int)t, v->test);
	report_cat(buf, len, ")");
}

/* The largest significant slowdowns of env, then its largest gain. */
static int top(const struct run *run, struct answer_env *e)
{
	size_t n = json_array_size(run->overhead), k = 0, i;
	cleanup_free struct overhead_view *worse = calloc(n + 1, sizeof(*worse));
	if (worse == NULL)
		return -1;
	struct overhead_view best = {.slowdown = 1};
	json_t *o;
	json_array_foreach(run->overhead, i, o)
	{
		struct overhead_view v;
		if (!report_overhead_view(o, &v) || strcmp(v.env, e->env) != 0 || !v.significant)
			continue;
		if (v.slowdown > 1)
			worse[k++] = v;
		else if (v.slowdown < best.slowdown)
			best = v;
	}
	qsort(worse, k, sizeof(*worse), cmp_slowdown_desc);
	for (i = 0; i < k && i < ANSWER_TOP; i++)
		top_line(&worse[i], e->top[e->n_top++], sizeof(e->top[0]));
	if (best.slowdown < 1)
		top_line(&best, e->top[e->n_top++], sizeof(e->top[0]));
	return 0;
}

/* Failed samples of env into e->failures; returns how many ok samples it has. */
static int failures(const struct run *run, struct answer_env *e, size_t *n_ok)
{
	e->failures =
	    (struct rtable){.n_cols = 3, .head = {"workload", "cause", "error"}, .align = "lll"};
	*n_ok = 0;
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *s = &run->samples[i];
		if (strcmp(s->env, e->env) != 0)
			continue;
		if (!s->failed) {
			*n_ok += 1;
			continue;
		}
		if (rtable_row(&e->failures, s->workload, report_failure_cause(s->error),
		               s->error) < 0)
			return -1;
	}
	return 0;
}

static int build_env(const struct run *run, const char *baseline, const char *env,
                     bool has_baseline, size_t n_envs, struct answer_env *e)
{
	e->env = env;
	report_env_label(run, env, e->label, sizeof(e->label));
	e->emulated = report_env_is_tcg(run, env);
	size_t n_ok;
	if (failures(run, e, &n_ok) < 0 || top(run, e) < 0)
		return -1;
	report_answer_density(run, e);
	if (n_ok == 0) {
		e->tone = ANSWER_FAILED;
		snprintf(e->verdict, sizeof(e->verdict),
		         "Nothing measured: every workload failed (%zu failed sample%s, below).",
		         e->failures.n_rows, e->failures.n_rows == 1 ? "" : "s");
		return 0;
	}
	if (strcmp(env, baseline) == 0) {
		e->tone = ANSWER_BASELINE;
		snprintf(e->verdict, sizeof(e->verdict),
		         "The baseline: every other environment is compared with it%s.",
		         json_array_size(run->overhead) > 0 ? ""
		         : n_envs == 1                      ? " (no other environment ran)"
		                                            : " (none could be)");
	} else if (!has_baseline) {
		e->tone = ANSWER_ALONE;
		snprintf(e->verdict, sizeof(e->verdict),
		         "%sNot compared: the run has no %s results (run it with --env %s,%s for "
		         "overhead figures).",
		         e->emulated ? "Emulated (TCG): these figures measure QEMU's CPU emulator. "
		                     : "",
		         baseline, baseline, env);
	} else {
		verdict(run, baseline, e);
	}
	if (e->failures.n_rows > 0) {
		char *f = e->failed_line;
		size_t len = sizeof(e->failed_line);
		report_cat(f, len, "%zu workload%s failed:", e->failures.n_rows,
		           e->failures.n_rows == 1 ? "" : "s");
		for (size_t r = 0; r < e->failures.n_rows && r < 4; r++)
			report_cat(f, len, "%s %s (%s)", r ? "," : "", e->failures.cells[r * 3],
			           e->failures.cells[r * 3 + 1]);
		report_cat(f, len, "%s.", e->failures.n_rows > 4 ? ", ..." : "");
		report_cat(e->verdict, sizeof(e->verdict), " %s", f);
	}
	return 0;
}

/* "bare, container and qemu (TCG emulation) on node7 (...): N samples". */
static void headline(const struct run *run, struct answer *a)
{
	char *h = a->headline;
	size_t len = sizeof(a->headline), failed = 0;
	for (size_t i = 0; i < run->n_samples; i++)
		failed += run->samples[i].failed;
	for (size_t i = 0; i < a->n_envs; i++)
		report_cat(h, len, "%s%s",
		           i == 0               ? ""
		           : i + 1 == a->n_envs ? " and "
		                                : ", ",
		           a->envs[i].label);
	if (a->n_envs == 0)
		report_cat(h, len, "No samples");
	json_t *host = run->host;
	report_cat(h, len, " on %s",
	           json_is_string(json_object_get(host, "hostname"))
	               ? json_string_value(json_object_get(host, "hostname"))
	               : "an unnamed host");
	json_t *pus = json_object_get(host, "pus"), *mem = json_object_get(host, "memory_bytes");
	const char *hv = report_json_str(host, "hypervisor");
	if (json_is_integer(pus) || json_is_integer(mem) || *hv) {
		report_cat(h, len, " (");
		if (json_is_integer(pus))
			report_cat(h, len, "%" JSON_INTEGER_FORMAT " CPUs, ",
			           json_integer_value(pus));
		if (json_is_integer(mem))
			report_cat(h, len, "%.0f GiB, ",
			           (double)json_integer_value(mem) / (1024.0 * 1048576));
		if (*hv && strcmp(hv, "none") != 0 && strcmp(hv, "unavailable") != 0)
			report_cat(h, len, "itself a %s guest", hv);
		else if (strcmp(hv, "none") == 0)
			report_cat(h, len, "bare metal");
		size_t n = strlen(h);
		if (n >= 2 && strcmp(h + n - 2, ", ") == 0)
			h[n - 2] = '\0';
		report_cat(h, len, ")");
	}
	const char *profile = report_json_str(run->invocation, "profile");
	if (*profile)
		report_cat(h, len, ", profile %s", profile);
	report_cat(h, len, ": %zu sample%s", run->n_samples, run->n_samples == 1 ? "" : "s");
	if (failed > 0)
		report_cat(h, len, ", %zu failed", failed);
	report_cat(h, len, ".");
}

/* invocation.environments that were not available, and density studies
 * that failed (invocation.density_failed). */
static int not_run(const struct run *run, struct rtable *t)
{
	*t = (struct rtable){.n_cols = 2, .head = {"what", "why"}, .align = "ll"};
	json_t *e;
	size_t i;
	json_array_foreach(json_object_get(run->invocation, "environments"), i, e)
	{
		if (!json_is_true(json_object_get(e, "available")) && *report_json_str(e, "name") &&
		    rtable_row(t, report_json_str(e, "name"),
		               *report_json_str(e, "reason") ? report_json_str(e, "reason")
		                                             : "(no reason given)") < 0)
			return -1;
	}
	json_array_foreach(json_object_get(run->invocation, "density_failed"), i, e)
	{
		char what[256];
		snprintf(what, sizeof(what), "density in %s%s%s", report_json_str(e, "env"),
		         *report_json_str(e, "workload") ? ", " : ", idle",
		         report_json_str(e, "workload"));
		if (rtable_row(t, what, report_json_str(e, "error")) < 0)
			return -1;
	}
	return 0;
}

int report_answer_build(const struct run *run, const char *baseline, struct answer *a,
                        struct bench_error **err)
{
	memset(a, 0, sizeof(*a));
	size_t n;
	cleanup_free const char **envs = report_envs(run, &n);
	if (envs == NULL && run->n_samples > 0)
		return bench_error_set(err, ENOMEM, "report answer");
	if (n > 0 && (a->envs = calloc(n, sizeof(*a->envs))) == NULL)
		return bench_error_set(err, ENOMEM, "report answer");
	/* the baseline first, then the others in run order */
	size_t b = 0;
	while (b < n && strcmp(envs[b], baseline) != 0)
		b++;
	bool has_baseline = b < n;
	bool ok_baseline = false;
	for (size_t i = 0; has_baseline && i < run->n_samples; i++)
		ok_baseline |=
		    strcmp(run->samples[i].env, baseline) == 0 && !run->samples[i].failed;
	for (size_t k = 0; k < n; k++) {
		size_t i = !has_baseline ? k : k == 0 ? b : k <= b ? k - 1 : k;
		a->n_envs++;
		if (build_env(run, baseline, envs[i], ok_baseline, n, &a->envs[k]) < 0)
			return bench_error_set(err, ENOMEM, "report answer");
	}
	headline(run, a);
	if (report_answer_notes(run, baseline, &a->notes) < 0 || not_run(run, &a->not_run) < 0)
		return bench_error_set(err, ENOMEM, "report answer");
	return 0;
}

void report_answer_free(struct answer *a)
{
	for (size_t i = 0; i < a->n_envs; i++)
		rtable_free(&a->envs[i].failures);
	free(a->envs);
	rtable_free(&a->notes);
	rtable_free(&a->not_run);
	memset(a, 0, sizeof(*a));
}
