/* The tables of a fleet report: who delivered and who did not, the hosts'
 * fingerprints and declared groups, the spread of each figure across hosts,
 * the bare figures per host, per-host overhead and per-host density. */
#include "reports/fleet_table.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"
#include "reports/fleet_stats.h"
#include "reports/overhead.h"
#include "reports/report_table.h"

static const char *hstr(const struct fleet_host *h, const char *key)
{
	const char *s = json_string_value(json_object_get(h->run.host, key));
	return s != NULL ? s : "?";
}

static void host_memory(const struct fleet_host *h, char *buf, size_t len)
{
	json_t *m = json_object_get(h->run.host, "memory_bytes");
	if (json_is_integer(m))
		report_fmt_bytes((double)json_integer_value(m), buf, len);
	else
		snprintf(buf, len, "?");
}

static int build_hosts(const struct fleet *f, struct fleet_tables *t)
{
	t->hosts = (struct rtable){
	    .n_cols = 8,
	    .head = {"host", "group", "fingerprint", "CPU", "kernel", "memory", "bench exit",
	             "samples ok/failed"},
	    .align = "lllllrrr",
	};
	t->hosts.title = strdup("Hosts");
	for (size_t i = 0; i < f->n_hosts; i++) {
		const struct fleet_host *h = &f->hosts[i];
		char mem[32], exit_s[16] = "?", samples[48];
		size_t failed = 0;
		for (size_t k = 0; k < h->run.n_samples; k++)
			failed += h->run.samples[k].failed;
		host_memory(h, mem, sizeof(mem));
		if (h->exit_status >= 0)
			snprintf(exit_s, sizeof(exit_s), "%d", h->exit_status);
		snprintf(samples, sizeof(samples), "%zu/%zu", h->run.n_samples - failed, failed);
		if (rtable_row(&t->hosts, h->name, h->group ? h->group : "-", h->fingerprint,
		               hstr(h, "cpu_model"), hstr(h, "kernel"), mem, exit_s, samples) < 0)
			return -1;
	}
	return t->hosts.title != NULL ? 0 : -1;
}

static int build_absent(const struct fleet *f, struct fleet_tables *t)
{
	t->absent = (struct rtable){
	    .n_cols = 5, .head = {"host", "group", "status", "step", "reason"}, .align = "lllll"};
	for (size_t i = 0; i < f->n_absent; i++) {
		const struct fleet_absent *a = &f->absent[i];
		if (rtable_row(&t->absent, a->name, a->group ? a->group : "-", a->status,
		               a->step ? a->step : "(unknown)",
		               a->reason ? a->reason : "(no reason given)") < 0)
			return -1;
	}
	if (t->absent.n_rows > 0 && (t->absent.title = strdup("Hosts without results")) == NULL)
		return -1;
	return 0;
}

/* "P#0: 2 cores; node 0: 24 GiB; 2 PUs" */
static void topology(const struct fleet_host *h, char *buf, size_t len)
{
	json_t *host = h->run.host;
	size_t n = json_array_size(json_object_get(host, "packages")),
	       nodes = json_array_size(json_object_get(host, "numa_nodes"));
	snprintf(buf, len, "%zu package%s, %zu NUMA node%s, %lld cores, %lld PUs", n,
	         n == 1 ? "" : "s", nodes, nodes == 1 ? "" : "s",
	         (long long)json_integer_value(json_object_get(host, "cores")),
	         (long long)json_integer_value(json_object_get(host, "pus")));
}

static int build_fingerprints(const struct fleet *f, struct fleet_tables *t)
{
	t->fingerprints = (struct rtable){
	    .n_cols = 8,
	    .head = {"fingerprint", "hosts", "CPU", "kernel", "memory", "governor / SMT / THP",
	             "hypervisor", "topology"},
	    .align = "llllrlll",
	};
	t->fingerprints.title = strdup("Hosts by fingerprint");
	for (size_t i = 0; i < f->n_hosts; i++) {
		const struct fleet_host *h = &f->hosts[i];
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(f->hosts[j].fingerprint, h->fingerprint) == 0;
		if (seen)
			continue;
		char *names = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&names, &len);
		if (m == NULL)
			return -1;
		for (size_t j = i, k = 0; j < f->n_hosts; j++)
			if (strcmp(f->hosts[j].fingerprint, h->fingerprint) == 0)
				fprintf(m, "%s%s", k++ ? ", " : "", f->hosts[j].name);
		if (fclose(m) != 0) {
			free(names);
			return -1;
		}
		char mem[32], knobs[128], topo[128];
		host_memory(h, mem, sizeof(mem));
		snprintf(knobs, sizeof(knobs), "%s / %s / %s", hstr(h, "governor"), hstr(h, "smt"),
		         hstr(h, "thp"));
		topology(h, topo, sizeof(topo));
		int rc = rtable_row(&t->fingerprints, h->fingerprint, names, hstr(h, "cpu_model"),
		                    hstr(h, "kernel"), mem, knobs, hstr(h, "hypervisor"), topo);
		free(names);
		if (rc < 0)
			return -1;
	}
	return t->fingerprints.title != NULL ? 0 : -1;
}

static int build_groups(const struct fleet *f, struct fleet_tables *t)
{
	t->groups = (struct rtable){
	    .n_cols = 4, .head = {"group", "hosts", "fingerprints", "verdict"}, .align = "lrrl"};
	for (size_t i = 0; i < f->n_groups; i++) {
		const struct fleet_group *g = &f->groups[i];
		char hosts[32], fps[32], verdict[512] = "alike";
		snprintf(hosts, sizeof(hosts), "%zu", g->n_hosts);
		snprintf(fps, sizeof(fps), "%zu", g->n_fingerprints);
		if (g->mixed) {
			cleanup_free char *d = json_dumps(g->differs, JSON_COMPACT);
			snprintf(verdict, sizeof(verdict), "MIXED: hosts differ in %s",
			         d ? d : "?");
		} else if (g->n_hosts == 0) {
			snprintf(verdict, sizeof(verdict), "no host delivered results");
		}
		if (rtable_row(&t->groups, g->name, hosts, fps, verdict) < 0)
			return -1;
	}
	if (t->groups.n_rows > 0 && (t->groups.title = strdup("Declared groups")) == NULL)
		return -1;
	return 0;
}

static int build_spread(const struct fleet *f, const struct fleet_spread *sp, size_t n,
                        struct fleet_tables *t)
{
	t->spread = (struct rtable){
	    .n_cols = 8,
	    .head = {"env", "workload / metric", "unit", "hosts", "median of host means",
	             "range (max - min) / median", "worst vs best host", "hosts differ?"},
	    .align = "llllrrrl",
	};
	for (size_t i = 0; i < n; i++) {
		const struct fleet_spread *s = &sp[i];
		char wm[256], hosts[16], median[48], range[48], wb[320], verdict[160];
		snprintf(wm, sizeof(wm), "%s / %s", s->workload, s->metric);
		snprintf(hosts, sizeof(hosts), "%zu", s->n);
		snprintf(median, sizeof(median), "%.6g", s->median);
		if (s->median != 0)
			snprintf(range, sizeof(range), "%.2f%%",
			         100 * (s->max - s->min) / fabs(s->median));
		else
			snprintf(range, sizeof(range), "-");
		if (s->n > 1 && isfinite(s->worst_vs_best))
			snprintf(wb, sizeof(wb), "%.3fx (%s vs %s)", s->worst_vs_best,
			         f->hosts[s->hosts[s->worst]].name,
			         f->hosts[s->hosts[s->best]].name);
		else
			snprintf(wb, sizeof(wb), "-");
		if (s->n < 2)
			snprintf(verdict, sizeof(verdict), "one host");
		else if (!s->tested)
			snprintf(verdict, sizeof(verdict),
			         "not tested (a host has fewer than 2 values or none vary)");
		else
			snprintf(verdict, sizeof(verdict), "%s (Welch ANOVA p = %.3g)",
			         s->differ ? "yes" : "within noise", s->p);
		if (rtable_row(&t->spread, s->env, wm, s->unit, hosts, median, range, wb, verdict) <
		    0)
			return -1;
	}
	if (t->spread.n_rows > 0 &&
	    (t->spread.title = strdup("Spread across hosts (each host's mean)")) == NULL)
		return -1;
	return 0;
}

static int build_bare(const struct fleet *f, const struct fleet_spread *sp, size_t n,
                      struct fleet_tables *t)
{
	t->bare = (struct rtable){
	    .n_cols = 7,
	    .head = {"host", "workload / metric", "mean ± 95% CI", "unit", "n", "CV%",
	             "vs fleet median"},
	    .align = "llrlrrr",
	};
	for (size_t h = 0; h < f->n_hosts; h++)
		for (size_t i = 0; i < n; i++) {
			const struct fleet_spread *s = &sp[i];
			if (strcmp(s->env, "bare") != 0)
				continue;
			for (size_t k = 0; k < s->n; k++) {
				if (s->hosts[k] != h)
					continue;
				const struct sample *x = s->samples[k];
				char wm[256], mean[96], nn[16], cv[32], rel[32];
				snprintf(wm, sizeof(wm), "%s / %s", s->workload, s->metric);
				report_fmt_mean_ci(x->stats.mean, x->stats.ci_half, mean,
				                   sizeof(mean));
				snprintf(nn, sizeof(nn), "%zu", x->stats.n);
				snprintf(cv, sizeof(cv), "%.2f", 100 * x->stats.cv);
				if (s->median != 0)
					snprintf(rel, sizeof(rel), "%.3f",
					         x->stats.mean / s->median);
				else
					snprintf(rel, sizeof(rel), "-");
				if (rtable_row(&t->bare, f->hosts[h].name, wm, mean, x->unit, nn,
				               cv, rel) < 0)
					return -1;
			}
		}
	if (t->bare.n_rows > 0 && (t->bare.title = strdup("Bare-metal figures per host")) == NULL)
		return -1;
	return 0;
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *jstr(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s != NULL && *s ? s : dflt;
}

static int build_overhead(const struct fleet *f, struct fleet_tables *t)
{
	t->overhead = (struct rtable){
	    .n_cols = 7,
	    .head = {"host", "env", "workload / metric", "slowdown [95% CI]", "p", "test",
	             "verdict"},
	    .align = "lllrrll",
	};
	for (size_t h = 0; h < f->n_hosts; h++) {
		json_auto_t *oh = overhead_for_run(&f->hosts[h].run, "bare");
		size_t i;
		json_t *o;
		json_array_foreach(oh, i, o)
		{
			char wm[256], slow[96], p[32];
			const char *verdict;
			snprintf(wm, sizeof(wm), "%s / %s",
			         json_string_value(json_object_get(o, "workload")),
			         json_string_value(json_object_get(o, "metric")));
			report_overhead_cells(o, slow, sizeof(slow), p, sizeof(p), &verdict);
			if (rtable_row(&t->overhead, f->hosts[h].name,
			               json_string_value(json_object_get(o, "env")), wm, slow, p,
			               jstr(o, "test", "?"), verdict) < 0)
				return -1;
		}
	}
	if (t->overhead.n_rows > 0 &&
	    (t->overhead.title = strdup("Overhead against bare, per host")) == NULL)
		return -1;
	return 0;
}

static int build_density(const struct fleet *f, struct fleet_tables *t)
{
	t->density = (struct rtable){
	    .n_cols = 7,
	    .head = {"host", "env", "mode", "workload", "max instances meeting QoS",
	             "instances per GiB", "stop reason"},
	    .align = "llllrrl",
	};
	for (size_t h = 0; h < f->n_hosts; h++) {
		size_t i;
		json_t *st;
		json_array_foreach(f->hosts[h].run.density, i, st)
		{
			if (!json_is_object(st))
				continue;
			char max_ok[32], per_gib[32];
			snprintf(max_ok, sizeof(max_ok), "%lld",
			         (long long)json_integer_value(json_object_get(st, "max_ok")));
			double g = num(st, "instances_per_gib");
			snprintf(per_gib, sizeof(per_gib), isnan(g) ? "-" : "%.3g", g);
			if (rtable_row(&t->density, f->hosts[h].name, jstr(st, "env", "?"),
			               jstr(st, "mode", "?"), jstr(st, "workload", "-"), max_ok,
			               per_gib, jstr(st, "stop_reason", "?")) < 0)
				return -1;
		}
	}
	if (t->density.n_rows > 0 && (t->density.title = strdup("Density per host")) == NULL)
		return -1;
	return 0;
}

static int build_warnings(const struct fleet *f, struct fleet_tables *t)
{
	t->warnings = (struct rtable){.n_cols = 1, .head = {"warning"}, .align = "l"};
	size_t i;
	json_t *w;
	json_array_foreach(f->warnings, i, w)
	{
		if (rtable_row(&t->warnings, json_string_value(w)) < 0)
			return -1;
	}
	return 0;
}

int fleet_tables_build(const struct fleet *f, struct fleet_tables *t, struct bench_error **err)
{
	memset(t, 0, sizeof(*t));
	size_t n_fp = 0;
	for (size_t i = 0; i < f->n_hosts; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(f->hosts[j].fingerprint, f->hosts[i].fingerprint) == 0;
		n_fp += !seen;
	}
	snprintf(t->summary, sizeof(t->summary),
	         "%zu host%s delivered results, %zu did not; %zu distinct host fingerprint%s",
	         f->n_hosts, f->n_hosts == 1 ? "" : "s", f->n_absent, n_fp, n_fp == 1 ? "" : "s");
	struct fleet_spread *sp = NULL;
	size_t n = 0;
	if (fleet_spreads(f, &sp, &n, err) < 0)
		return -1;
	int rc = build_hosts(f, t) < 0 || build_absent(f, t) < 0 || build_fingerprints(f, t) < 0 ||
	                 build_groups(f, t) < 0 || build_spread(f, sp, n, t) < 0 ||
	                 build_bare(f, sp, n, t) < 0 || build_overhead(f, t) < 0 ||
	                 build_density(f, t) < 0 || build_warnings(f, t) < 0
	             ? bench_error_set(err, ENOMEM, "fleet tables")
	             : 0;
	fleet_spreads_free(sp, n);
	return rc;
}

void fleet_tables_free(struct fleet_tables *t)
{
	struct rtable *all[] = {&t->warnings,     &t->absent,   &t->hosts,
	                        &t->fingerprints, &t->groups,   &t->spread,
	                        &t->bare,         &t->overhead, &t->density};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		rtable_free(all[i]);
}
