/* The notes that change how a run's figures are read, each from what the
 * run file records: emulation, a host that is itself a guest, working sets
 * under 4x the LLC, conditions that could not be matched and the warnings
 * about them, comparisons that were not paired block by block, warm-ups
 * that never settled, steal by the hypervisor under the host, and a file
 * too old to say what was matched. */
#include "reports/report_answer.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cpu_steal.h"
#include "reports/run_view.h"

static int note(struct rtable *t, const char *topic, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int note(struct rtable *t, const char *topic, const char *fmt, ...)
{
	char text[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return rtable_row(t, topic, text);
}

/* Whether word is an item of the comma-separated list in buf. */
static bool list_has(const char *buf, const char *word)
{
	size_t w = strlen(word);
	for (const char *p = buf; (p = strstr(p, word)) != NULL; p += w)
		if ((p == buf || p[-1] == ' ') && (p[w] == ',' || p[w] == '\0'))
			return true;
	return false;
}

/* Appends word to a comma-separated list in buf unless it is there. */
static void list_add(char *buf, size_t len, const char *word)
{
	if (list_has(buf, word))
		return;
	size_t n = strlen(buf);
	snprintf(buf + n, len - n, "%s%s", n ? ", " : "", word);
}

static const char *accelerator_reason(const struct run *run, const char *env)
{
	for (size_t i = 0; i < run->n_samples; i++) {
		json_t *b = json_object_get(run->samples[i].pinning, "backend");
		if (strcmp(run->samples[i].env, env) == 0 &&
		    *report_json_str(b, "accelerator_reason"))
			return report_json_str(b, "accelerator_reason");
	}
	return "";
}

static int emulation(const struct run *run, const char **envs, size_t n, struct rtable *t)
{
	for (size_t i = 0; i < n; i++) {
		if (!report_env_is_tcg(run, envs[i]))
			continue;
		const char *why = accelerator_reason(run, envs[i]);
		if (note(t, "TCG emulation",
		         "%s ran on QEMU's TCG emulator%s%s%s: its figures measure the emulator, "
		         "not hardware virtualisation; do not size KVM or Xen hosts from them.",
		         envs[i], *why ? " (" : "", why, *why ? ")" : "") < 0)
			return -1;
	}
	return 0;
}

static int host_is_guest(const struct run *run, const char *baseline, struct rtable *t)
{
	const char *hv = report_json_str(run->host, "hypervisor");
	if (!*hv || strcmp(hv, "none") == 0 || strcmp(hv, "unavailable") == 0)
		return 0;
	return note(t, "Host",
	            "This host is itself a %s guest: %s is a process in that guest, and every "
	            "other environment runs nested in it.",
	            hv, baseline);
}

/* Samples marked config.size_below_4x_llc, per workload. */
static int small_sizes(const struct run *run, struct rtable *t)
{
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *s = &run->samples[i];
		if (!report_sample_below_llc(s))
			continue;
		bool seen = false; /* one note per workload, at its first marked sample */
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(run->samples[j].workload, s->workload) == 0 &&
			       report_sample_below_llc(&run->samples[j]);
		if (seen)
			continue;
		char envs[512] = "";
		for (size_t j = i; j < run->n_samples; j++)
			if (strcmp(run->samples[j].workload, s->workload) == 0 &&
			    report_sample_below_llc(&run->samples[j]))
				list_add(envs, sizeof(envs), run->samples[j].env);
		const char *why = report_json_str(s->config, "size_reason");
		if (note(t, "Below 4\u00d7 LLC",
		         "%s in %s: the working set is under 4\u00d7 the last-level cache, so the "
		         "figure partly measures cache%s%s%s.",
		         s->workload, envs, *why ? " (" : "", why, *why ? ")" : "") < 0)
			return -1;
	}
	return 0;
}

static int conditions(const struct run *run, size_t n_envs, struct rtable *t)
{
	json_t *cond = json_object_get(run->invocation, "conditions"), *u, *w, *e;
	size_t i, k;
	if (cond == NULL) {
		if (n_envs > 1 &&
		    note(t, "Conditions",
		         "The run file does not record its conditions (written before bench "
		         "recorded them): whether the network peer, the I/O threads and the order "
		         "were the same for every environment is unknown.") < 0)
			return -1;
		return 0;
	}
	json_t *cuts = json_object_get(
	    json_object_get(json_object_get(run->invocation, "timing"), "budget"), "cuts");
	json_array_foreach(cuts, i, u)
	{
		if (json_is_string(u) && note(t, "Budget cut",
		                              "%s (bench all --budget; the run file's "
		                              "invocation.timing.budget)",
		                              json_string_value(u)) < 0)
			return -1;
	}
	json_t *unmatched = json_object_get(cond, "unmatched");
	json_array_foreach(unmatched, i, u)
	{
		char envs[256] = "";
		json_array_foreach(json_object_get(u, "envs"), k, e)
		{
			if (json_is_string(e))
				list_add(envs, sizeof(envs), json_string_value(e));
		}
		if (note(t, "Unmatched condition", "%s%s%s%s: %s", report_json_str(u, "condition"),
		         *envs ? " (" : "", envs, *envs ? ")" : "",
		         report_json_str(u, "detail")) < 0)
			return -1;
	}
	json_array_foreach(json_object_get(cond, "warnings"), i, w)
	{
		const char *text = json_string_value(w);
		bool dup = text == NULL;
		json_array_foreach(unmatched, k, u)
		{
			dup |= *report_json_str(u, "detail") &&
			       strstr(text, report_json_str(u, "detail")) != NULL;
		}
		if (!dup && note(t, "Warning", "%s", text) < 0)
			return -1;
	}
	return 0;
}

/* Why env's samples were not interleaved: a sample's order.reason, the
 * run's conditions, or the file's age. */
static const char *order_reason(const struct run *run, const char *env)
{
	for (size_t i = 0; i < run->n_samples; i++)
		if (strcmp(run->samples[i].env, env) == 0 &&
		    *report_json_str(run->samples[i].order, "reason"))
			return report_json_str(run->samples[i].order, "reason");
	json_t *il = json_object_get(json_object_get(run->invocation, "conditions"), "interleave");
	if (*report_json_str(il, "reason"))
		return report_json_str(il, "reason");
	if (json_is_true(json_object_get(il, "interleaved")))
		return "interleaved, but fewer than two blocks pair up";
	return "the run file records no interleaving";
}

static int unpaired(const struct run *run, const char **envs, size_t n, struct rtable *t)
{
	for (size_t e = 0; e < n; e++) {
		size_t total = 0, welch = 0, i;
		json_t *o;
		json_array_foreach(run->overhead, i, o)
		{
			struct overhead_view v;
			if (!report_overhead_view(o, &v) || strcmp(v.env, envs[e]) != 0)
				continue;
			total++;
			welch += !v.paired;
		}
		if (welch == 0)
			continue;
		if (note(t, "Not interleaved",
		         "%zu of %zu comparisons of %s were not paired block by block (%s): drift "
		         "between its repetitions and the baseline's is not cancelled; those use "
		         "Welch's test and Fieller's interval.",
		         welch, total, envs[e], order_reason(run, envs[e])) < 0)
			return -1;
	}
	return 0;
}

/* The workloads of env whose warm-up hit its cap without settling, into
 * list; returns how many, *n_all the env's workloads, *reps the cap. */
static size_t unsettled_in(const struct run *run, const char *env, char *list, size_t len,
                           size_t *n_all, json_int_t *reps)
{
	char all[2048] = "";
	size_t n = 0;
	*n_all = 0;
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *s = &run->samples[i];
		if (strcmp(s->env, env) != 0 || s->failed)
			continue;
		if (!list_has(all, s->workload)) {
			list_add(all, sizeof(all), s->workload);
			*n_all += 1;
		}
		if (!json_is_false(json_object_get(s->warmup, "settled")) ||
		    list_has(list, s->workload))
			continue;
		list_add(list, len, s->workload);
		*reps = json_integer_value(json_object_get(s->warmup, "reps"));
		n++;
	}
	return n;
}

/* "every workload", "every workload but a, b" (when most did not settle)
 * or the list of those that did not. */
static const char *what_unsettled(const struct run *run, const char *env, const char *list,
                                  size_t count, size_t all, char *buf, size_t len)
{
	if (count == all)
		return "every workload";
	if (2 * count <= all)
		return list;
	snprintf(buf, len, "every workload but ");
	char settled[1024] = "";
	for (size_t i = 0; i < run->n_samples; i++)
		if (strcmp(run->samples[i].env, env) == 0 && !run->samples[i].failed &&
		    !list_has(list, run->samples[i].workload))
			list_add(settled, sizeof(settled), run->samples[i].workload);
	size_t n = strlen(buf);
	snprintf(buf + n, len - n, "%s", settled);
	return buf;
}

/* Workloads whose warm-up hit its cap without settling: one note when that
 * is every workload everywhere, else one per environment. */
static int unsettled(const struct run *run, const char **envs, size_t n, struct rtable *t)
{
	char lists[n + 1][1024];
	size_t counts[n + 1], alls[n + 1], everywhere = 0;
	json_int_t reps = 0;
	char buf[1100];
	for (size_t e = 0; e < n; e++) {
		lists[e][0] = '\0';
		counts[e] = unsettled_in(run, envs[e], lists[e], sizeof(lists[e]), &alls[e], &reps);
		everywhere += counts[e] > 0 && counts[e] == alls[e];
	}
	if (n > 0 && everywhere == n)
		return note(
		    t, "Warm-up",
		    "In every environment the warm-up of every workload stopped at its cap "
		    "(%" JSON_INTEGER_FORMAT " repetitions) without settling: the measured "
		    "repetitions may still drift (raise --max-warmup, or a longer profile).",
		    reps);
	for (size_t e = 0; e < n; e++)
		if (counts[e] > 0 &&
		    note(t, "Warm-up",
		         "In %s the warm-up of %s did not settle (it stopped at its cap, "
		         "%" JSON_INTEGER_FORMAT " repetitions): the measured repetitions may "
		         "still drift.",
		         envs[e],
		         what_unsettled(run, envs[e], lists[e], counts[e], alls[e], buf,
		                        sizeof(buf)),
		         reps) < 0)
			return -1;
	return 0;
}

/* Steal of STEAL_NOTABLE_PCT or more (samples[].steal.pct) is noted: the
 * figures carry the host's load. */
static int steal(const struct run *run, const char **envs, size_t n, struct rtable *t)
{
	char text[1024] = "";
	for (size_t e = 0; e < n; e++) {
		double most = 0;
		const char *where = NULL;
		for (size_t i = 0; i < run->n_samples; i++) {
			const struct sample *s = &run->samples[i];
			double pct = json_number_value(json_object_get(s->steal, "pct"));
			if (!s->failed && strcmp(s->env, envs[e]) == 0 && pct > most) {
				most = pct;
				where = s->workload;
			}
		}
		size_t len = strlen(text);
		if (most >= STEAL_NOTABLE_PCT)
			snprintf(text + len, sizeof(text) - len, "%s%s up to %.1f%% (%s)",
			         len ? ", " : "", envs[e], most, where);
	}
	if (!*text)
		return 0;
	return note(t, "Steal",
	            "The hypervisor under this host took CPU time from it while bench measured "
	            "(steal, per sample in the run file: other tenants, or the hypervisor's own "
	            "device work for this host's disk and network): %s. Figures measured "
	            "meanwhile include that; compare them only with runs of similar steal, or "
	            "rerun when the host is quiet.",
	            text);
}

int report_answer_notes(const struct run *run, const char *baseline, struct rtable *t)
{
	*t = (struct rtable){.n_cols = 2, .head = {"topic", "note"}, .align = "ll"};
	size_t n = 0;
	const char **envs = report_envs(run, &n);
	if (envs == NULL && run->n_samples > 0)
		return -1;
	int rc = emulation(run, envs, n, t);
	if (rc == 0)
		rc = host_is_guest(run, baseline, t);
	if (rc == 0)
		rc = small_sizes(run, t);
	if (rc == 0)
		rc = conditions(run, n, t);
	if (rc == 0)
		rc = unpaired(run, envs, n, t);
	if (rc == 0)
		rc = unsettled(run, envs, n, t);
	if (rc == 0)
		rc = steal(run, envs, n, t);
	free(envs);
	return rc;
}
