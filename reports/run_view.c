/* What a report reads off a run beyond its samples: the environments in
 * order, which of them ran under emulation, workload families, and the
 * overhead entries with the fallbacks older files need. */
#include "reports/run_view.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char **report_envs(const struct run *run, size_t *n)
{
	*n = 0;
	const char **envs = calloc(run->n_samples + 1, sizeof(*envs));
	if (envs == NULL)
		return NULL;
	for (size_t i = 0; i < run->n_samples; i++) {
		size_t j = 0;
		while (j < *n && strcmp(envs[j], run->samples[i].env) != 0)
			j++;
		if (j == *n)
			envs[(*n)++] = run->samples[i].env;
	}
	return envs;
}

bool report_env_is_tcg(const struct run *run, const char *env)
{
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *s = &run->samples[i];
		json_t *acc =
		    json_object_get(json_object_get(s->pinning, "backend"), "accelerator");
		if (strcmp(s->env, env) == 0 && json_is_string(acc) &&
		    strcmp(json_string_value(acc), "tcg") == 0)
			return true;
	}
	return false;
}

bool report_sample_below_llc(const struct sample *s)
{
	return json_is_true(json_object_get(s->config, "size_below_4x_llc"));
}

void report_env_label(const struct run *run, const char *env, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", env, report_env_is_tcg(run, env) ? " (TCG emulation)" : "");
}

const struct report_family report_families[REPORT_N_FAMILIES] = {
    {"cpu", "CPU", "CPU"},        {"mem", "memory", "memory bandwidth"},
    {"os", "OS paths", "CPU"},    {"net", "network", "the network path"},
    {"disk", "disk", "disk I/O"}, {NULL, "other", "what its workload loads"},
};

size_t report_family_of(const char *workload)
{
	const char *dot = strchr(workload, '.');
	size_t n = dot != NULL ? (size_t)(dot - workload) : strlen(workload);
	for (size_t i = 0; i + 1 < REPORT_N_FAMILIES; i++)
		if (strlen(report_families[i].prefix) == n &&
		    strncmp(report_families[i].prefix, workload, n) == 0)
			return i;
	return REPORT_N_FAMILIES - 1;
}

const char *report_json_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s != NULL ? s : "";
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

bool report_overhead_view(json_t *o, struct overhead_view *v)
{
	*v = (struct overhead_view){
	    .env = json_string_value(json_object_get(o, "env")),
	    .workload = json_string_value(json_object_get(o, "workload")),
	    .metric = json_string_value(json_object_get(o, "metric")),
	    .test = json_string_value(json_object_get(o, "test")),
	    .slowdown = num(o, "slowdown"),
	    .low = num(o, "slowdown_ci95_low"),
	    .high = num(o, "slowdown_ci95_high"),
	};
	if (v->env == NULL || v->workload == NULL || v->metric == NULL)
		return false;
	if (v->test == NULL)
		v->test = "";
	if (isnan(v->slowdown)) { /* before slowdown was written: from the ratio */
		const char *better = json_string_value(json_object_get(o, "better"));
		bool higher = better == NULL || strcmp(better, "lower") != 0;
		double r = num(o, "ratio"), lo = num(o, "ci95_low"), hi = num(o, "ci95_high");
		v->slowdown = higher ? 1 / r : r;
		v->low = higher ? 1 / hi : lo;
		v->high = higher ? 1 / lo : hi;
	}
	if (!(v->slowdown > 0) || !isfinite(v->slowdown))
		return false;
	if (!(v->low > 0) || !isfinite(v->low) || !(v->high > 0) || !isfinite(v->high))
		v->low = v->high = NAN;
	json_t *sig = json_object_get(o, "significant");
	if (json_is_boolean(sig))
		v->significant = json_is_true(sig);
	else
		v->significant =
		    num(o, "p_value") < 0.05 && !isnan(v->low) && (v->low > 1 || v->high < 1);
	v->paired = strncmp(v->test, "paired", 6) == 0;
	return true;
}
