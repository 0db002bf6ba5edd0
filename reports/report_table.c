/* The tables of a report (host, results per environment, overhead, failed
 * samples), built once and rendered as markdown and as HTML. */
#include "reports/report_table.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"
#include "reports/report_density.h"
#include "reports/run_view.h"

static json_int_t ival(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char *sval(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s != NULL ? s : "?";
}

/* One host member as text; arrays of packages, nodes and caches summarised. */
static char *host_value(const char *key, json_t *v)
{
	char *text = NULL, size[32];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f == NULL)
		return NULL;
	if (json_is_string(v)) {
		fputs(json_string_value(v), f);
	} else if (json_is_integer(v) && strstr(key, "bytes") != NULL) {
		report_fmt_bytes((double)json_integer_value(v), size, sizeof(size));
		fprintf(f, "%s (%" JSON_INTEGER_FORMAT " bytes)", size, json_integer_value(v));
	} else if (json_is_array(v) && strcmp(key, "packages") == 0) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			json_t *p = json_array_get(v, i);
			fprintf(
			    f,
			    "%sP#%" JSON_INTEGER_FORMAT ": %" JSON_INTEGER_FORMAT " cores, PUs %s",
			    i ? "; " : "", ival(p, "os_index"), ival(p, "cores"), sval(p, "cpus"));
		}
	} else if (json_is_array(v) && strcmp(key, "numa_nodes") == 0) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			json_t *n = json_array_get(v, i);
			report_fmt_bytes((double)ival(n, "memory_bytes"), size, sizeof(size));
			fprintf(f, "%snode %" JSON_INTEGER_FORMAT ": %s, PUs %s", i ? "; " : "",
			        ival(n, "os_index"), size, sval(n, "cpus"));
		}
	} else if (json_is_array(v) && strcmp(key, "caches") == 0) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			json_t *c = json_array_get(v, i);
			report_fmt_bytes((double)ival(c, "size_bytes"), size, sizeof(size));
			fprintf(f, "%sL%" JSON_INTEGER_FORMAT " %s %s x%" JSON_INTEGER_FORMAT,
			        i ? "; " : "", ival(c, "level"), sval(c, "type"), size,
			        ival(c, "count"));
		}
	} else {
		cleanup_free char *dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		fputs(dump != NULL ? dump : "?", f);
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static int build_host(const struct run *run, struct report_tables *t)
{
	t->host = (struct rtable){.n_cols = 2, .head = {"field", "value"}, .align = "ll"};
	t->host.title = strdup("Host");
	const char *key;
	json_t *v;
	json_object_foreach(run->host, key, v)
	{
		cleanup_free char *text = host_value(key, v);
		if (text == NULL || rtable_row(&t->host, key, text) < 0)
			return -1;
	}
	char mem[32] = "unknown memory";
	json_t *m = json_object_get(run->host, "memory_bytes");
	if (json_is_integer(m))
		report_fmt_bytes((double)json_integer_value(m), mem, sizeof(mem));
	snprintf(t->host_line, sizeof(t->host_line), "%s: %s, kernel %s, hypervisor %s, %s memory",
	         sval(run->host, "hostname"), sval(run->host, "cpu_model"),
	         sval(run->host, "kernel"), sval(run->host, "hypervisor"), mem);
	return t->host.title != NULL ? 0 : -1;
}

static int build_env(const struct run *run, const char *env, struct rtable *t)
{
	char label[256], mean[96], n[32], cv[32];
	report_env_label(run, env, label, sizeof(label));
	*t = (struct rtable){
	    .n_cols = 6,
	    .head = {"workload", "metric", "mean ± 95% CI", "unit", "n", "CV%"},
	    .align = "llrlrr",
	};
	if ((t->title = strdup(label)) == NULL)
		return -1;
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *s = &run->samples[i];
		if (s->failed || s->n_values == 0 || strcmp(s->env, env) != 0)
			continue;
		report_fmt_mean_ci(s->stats.mean, s->stats.ci_half, mean, sizeof(mean));
		snprintf(n, sizeof(n), "%zu", s->stats.n);
		snprintf(cv, sizeof(cv), "%.2f", 100 * s->stats.cv);
		char workload[96];
		snprintf(workload, sizeof(workload), "%s%s", s->workload,
		         report_sample_below_llc(s) ? " (below 4x LLC)" : "");
		if (rtable_row(t, workload, s->metric, mean, s->unit, n, cv) < 0)
			return -1;
	}
	return 0;
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

void report_overhead_cells(json_t *o, char *slow, size_t slow_len, char *p, size_t p_len,
                           const char **verdict)
{
	double sd = num(o, "slowdown"), lo = num(o, "slowdown_ci95_low"),
	       hi = num(o, "slowdown_ci95_high");
	if (isnan(lo) || isnan(hi))
		snprintf(slow, slow_len, "%.3f [unbounded]", sd);
	else
		snprintf(slow, slow_len, "%.3f [%.3f, %.3f]", sd, lo, hi);
	snprintf(p, p_len, "%.3g", num(o, "p_value"));
	*verdict = !json_is_true(json_object_get(o, "significant")) ? "within noise"
	           : sd > 1                                         ? "significant, worse"
	                                                            : "significant, better";
}

static int build_overhead(const struct run *run, struct rtable *t)
{
	*t = (struct rtable){
	    .n_cols = 7,
	    .head = {"env", "workload", "metric", "slowdown [95% CI]", "p", "test", "verdict"},
	    .align = "lllrrll",
	};
	json_t *o;
	size_t i;
	char label[256] = "", label_env[128] = "";
	json_array_foreach(run->overhead, i, o)
	{
		char slow[96], p[32];
		const char *env = sval(o, "env"), *verdict;
		/* The label scans the run's samples: once per run of rows of
		 * one environment, not once per row. */
		if (i == 0 || strcmp(label_env, env) != 0) {
			report_env_label(run, env, label, sizeof(label));
			snprintf(label_env, sizeof(label_env), "%s", env);
		}
		report_overhead_cells(o, slow, sizeof(slow), p, sizeof(p), &verdict);
		if (rtable_row(t, label, sval(o, "workload"), sval(o, "metric"), slow, p,
		               sval(o, "test"), verdict) < 0)
			return -1;
	}
	if (t->n_rows > 0) {
		char title[256];
		snprintf(title, sizeof(title), "Overhead against %s",
		         sval(json_array_get(run->overhead, 0), "baseline"));
		if ((t->title = strdup(title)) == NULL)
			return -1;
	}
	return 0;
}

static int build_failed(const struct run *run, struct rtable *t)
{
	*t = (struct rtable){
	    .n_cols = 4, .head = {"env", "workload", "metric", "error"}, .align = "llll"};
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *s = &run->samples[i];
		if (!s->failed)
			continue;
		char label[256]; /* a scan of the run: only for the failed ones */
		report_env_label(run, s->env, label, sizeof(label));
		if (rtable_row(t, label, s->workload, s->metric, s->error) < 0)
			return -1;
	}
	if (t->n_rows > 0 && (t->title = strdup("Failed samples")) == NULL)
		return -1;
	return 0;
}

/* One row per workload whose samples carry config.size_reason (the first
 * one seen: sizes are the same in every environment of a run). */
static int build_sizes(const struct run *run, struct rtable *t)
{
	*t = (struct rtable){
	    .n_cols = 4, .head = {"workload", "size", "4x LLC", "why this size"}, .align = "lrll"};
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *s = &run->samples[i];
		const char *why = json_string_value(json_object_get(s->config, "size_reason"));
		bool seen = false;
		for (size_t r = 0; r < t->n_rows && !seen; r++)
			seen = strcmp(t->cells[r * t->n_cols], s->workload) == 0;
		if (why == NULL || seen)
			continue;
		char size[32] = "its default";
		json_t *b = json_object_get(s->config, "size");
		if (json_is_integer(b))
			report_fmt_bytes((double)json_integer_value(b), size, sizeof(size));
		json_t *below = json_object_get(s->config, "size_below_4x_llc");
		const char *rule = !json_is_boolean(below) ? ""
		                   : json_is_true(below)   ? "below: partly cache"
		                                           : "met";
		if (rtable_row(t, s->workload, size, rule, why) < 0)
			return -1;
	}
	if (t->n_rows > 0 && (t->title = strdup("Sizes")) == NULL)
		return -1;
	return 0;
}

static const char *reason_of(json_t *e)
{
	const char *s = json_string_value(json_object_get(e, "reason"));
	return s != NULL && *s ? s : "(no reason given)";
}

/* invocation.environments: {name, available, reason} each. */
static int build_survey(const struct run *run, struct report_tables *t)
{
	t->ran = (struct rtable){.n_cols = 2, .head = {"env", "reason"}, .align = "ll"};
	t->not_run = (struct rtable){.n_cols = 2, .head = {"env", "reason"}, .align = "ll"};
	json_t *envs = json_object_get(run->invocation, "environments"), *e;
	size_t i;
	json_array_foreach(envs, i, e)
	{
		const char *name = json_string_value(json_object_get(e, "name"));
		if (name == NULL)
			continue;
		bool ok = json_is_true(json_object_get(e, "available"));
		if (rtable_row(ok ? &t->ran : &t->not_run, name, ok ? "" : reason_of(e)) < 0)
			return -1;
	}
	return 0;
}

/* The environment the overhead entries compare with ("bare" when none
 * says). */
static const char *baseline_of(const struct run *run)
{
	const char *b =
	    json_string_value(json_object_get(json_array_get(run->overhead, 0), "baseline"));
	return b != NULL ? b : "bare";
}

int report_tables_build(const struct run *run, struct report_tables *t, struct bench_error **err)
{
	memset(t, 0, sizeof(*t));
	size_t n_envs;
	cleanup_free const char **envs = report_envs(run, &n_envs);
	if (envs == NULL)
		return bench_error_set(err, ENOMEM, "report tables");
	if (n_envs > 0 && (t->envs = calloc(n_envs, sizeof(*t->envs))) == NULL)
		return bench_error_set(err, ENOMEM, "report tables");
	for (size_t i = 0; i < n_envs; i++) {
		t->n_envs++;
		if (build_env(run, envs[i], &t->envs[i]) < 0)
			return bench_error_set(err, ENOMEM, "report tables");
	}
	if (build_host(run, t) < 0 || build_overhead(run, &t->overhead) < 0 ||
	    build_failed(run, &t->failed) < 0 || build_sizes(run, &t->sizes) < 0 ||
	    report_density_tables(run, &t->density) < 0 ||
	    report_density_node_table(run, &t->density_nodes) < 0 ||
	    report_density_shape(run, &t->shape) < 0 || build_survey(run, t) < 0)
		return bench_error_set(err, ENOMEM, "report tables");
	return report_answer_build(run, baseline_of(run), &t->answer, err);
}

void report_tables_free(struct report_tables *t)
{
	for (size_t i = 0; i < t->n_envs; i++)
		rtable_free(&t->envs[i]);
	free(t->envs);
	rtable_free(&t->host);
	rtable_free(&t->overhead);
	rtable_free(&t->failed);
	rtable_free(&t->sizes);
	rtable_free(&t->density);
	rtable_free(&t->density_nodes);
	rtable_free(&t->shape);
	rtable_free(&t->ran);
	rtable_free(&t->not_run);
	report_answer_free(&t->answer);
	memset(t, 0, sizeof(*t));
}
