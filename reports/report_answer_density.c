/* The density part of the answer: an environment's density limit and what
 * binds it (the study's stop reason, the CPUs its instances ran on, a
 * projection when the study has one), and start time and footprint per
 * instance (the idle study's largest step, else the run's samples). */
#include "reports/report_answer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"
#include "harness/core/cpulist.h"
#include "reports/report_density.h"

static void fmt_seconds(double s, char *buf, size_t len)
{
	if (s < 1)
		snprintf(buf, len, "%.3g ms", s * 1000);
	else
		snprintf(buf, len, "%.3g s", s);
}

static void fmt_mib(double bytes, char *buf, size_t len)
{
	if (bytes >= 1024.0 * 1048576)
		snprintf(buf, len, "%.3g GiB", bytes / (1024.0 * 1048576));
	else
		snprintf(buf, len, "%.3g MiB", bytes / 1048576);
}

/* Host CPUs the instances of step ran on (the union of their lists). */
static int step_cpus(json_t *step)
{
	bool all[CPULIST_MAX] = {0}, one[CPULIST_MAX];
	json_t *c;
	size_t i;
	int n = 0;
	json_array_foreach(json_object_get(step, "cpus"), i, c)
	{
		if (!json_is_string(c) || cpulist_parse(json_string_value(c), one, NULL) < 0)
			continue;
		for (int k = 0; k < CPULIST_MAX; k++)
			if (one[k] && !all[k]) {
				all[k] = true;
				n++;
			}
	}
	return n;
}

/* The step of study with `instances` == count, or NULL. */
static json_t *step_at(json_t *study, json_int_t count)
{
	json_t *s;
	size_t i;
	json_array_foreach(json_object_get(study, "steps"), i, s)
	{
		if (json_integer_value(json_object_get(s, "instances")) == count)
			return s;
	}
	return NULL;
}

/* A projection's resource name in words: "cpu" -> "CPU",
 * "memory_bandwidth" -> "memory bandwidth", "start_time" -> "start time". */
static const char *resource_name(const char *r)
{
	static const char *const names[][2] = {
	    {"cpu", "CPU"},         {"memory_bandwidth", "memory bandwidth"},
	    {"memory", "memory"},   {"start_time", "start time"},
	    {"qos", "the QoS bar"}, {"disk", "disk"},
	    {"network", "network"},
	};
	while (*r == ' ')
		r++;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(r, names[i][0]) == 0)
			return names[i][1];
	return r;
}

/* The count from a study's projection, its interval, what binds it and
 * where; or why there is none. */
static void projected(json_t *study, char *buf, size_t len)
{
	json_t *p = json_object_get(study, "projected"), *t;
	json_t *inst = json_object_get(p, "instances");
	if (!json_is_number(inst)) {
		if (*report_json_str(study, "projection_error"))
			report_cat(buf, len, "No projection: %s. ",
			           report_json_str(study, "projection_error"));
		return;
	}
	report_cat(buf, len, "Projected: %.0f instances", floor(json_number_value(inst)));
	json_t *lo = json_object_get(p, "low"), *hi = json_object_get(p, "high"),
	       *bound = json_object_get(p, "low_bound");
	if (json_is_number(lo) && json_is_number(hi))
		report_cat(buf, len, " (95%% interval %.0f\u2013%.0f)",
		           floor(json_number_value(lo)), floor(json_number_value(hi)));
	else if (json_is_number(bound))
		report_cat(buf, len, " (95%% interval from %.0f, unbounded above)",
		           floor(json_number_value(bound)));
	if (*report_json_str(p, "binding"))
		report_cat(buf, len, ", bound by %s", resource_name(report_json_str(p, "binding")));
	if (*report_json_str(p, "binding_close")) {
		char close[256];
		snprintf(close, sizeof(close), "%s", report_json_str(p, "binding_close"));
		report_cat(buf, len, " (");
		char *save = NULL;
		for (char *r = strtok_r(close, ",", &save); r; r = strtok_r(NULL, ",", &save))
			report_cat(buf, len, "%s%s", r == close ? "" : ", ", resource_name(r));
		report_cat(buf, len, " close)");
	}
	t = json_object_get(p, "target_host");
	if (json_is_string(t))
		report_cat(buf, len, ", on %s", json_string_value(t));
	else if (*report_json_str(t, "spec"))
		report_cat(buf, len, ", on the target host %s", report_json_str(t, "spec"));
	else if (json_is_object(t))
		report_cat(buf, len, ", on a host of %" JSON_INTEGER_FORMAT " cores and %.0f GiB",
		           json_integer_value(json_object_get(t, "cores")),
		           json_number_value(json_object_get(t, "memory_bytes")) /
		               (1024.0 * 1048576));
	else if (strcmp(report_json_str(p, "host"), "measured") == 0)
		report_cat(buf, len, ", on this host");
	report_cat(buf, len, ". ");
}

/* The limit of a workload study: how many met QoS and what stopped it. */
static void limit(json_t *study, char *buf, size_t len)
{
	json_int_t max_ok = json_integer_value(json_object_get(study, "max_ok"));
	double qos = json_number_value(json_object_get(study, "qos"));
	const char *w = report_json_str(study, "workload"),
	           *stop = report_json_str(study, "stop_reason");
	int cpus = step_cpus(step_at(study, max_ok));
	char on[48] = "";
	if (cpus > 0)
		snprintf(on, sizeof(on), " on %d CPU%s", cpus, cpus > 1 ? "s" : "");
	size_t bad = 0;
	if (sscanf(stop, "QoS: %zu instances", &bad) == 1)
		report_cat(buf, len,
		           "Density limit: %" JSON_INTEGER_FORMAT
		           " instance%s running %s%s met the %.2f "
		           "QoS bar, %zu did not: bound by %s.",
		           max_ok, max_ok == 1 ? "" : "s", w, on, qos, bad,
		           report_families[report_family_of(w)].resource);
	else if (strncmp(stop, "memory", 6) == 0 || strncmp(stop, "instance", 8) == 0)
		report_cat(buf, len,
		           "Density limit: %" JSON_INTEGER_FORMAT
		           " instances running %s%s: bound by %s (%s).",
		           max_ok, w, on, *stop == 'm' ? "host memory" : "starting instances",
		           stop);
	else if (strncmp(stop, "reached --max", 13) == 0)
		report_cat(buf, len,
		           "Density: all %" JSON_INTEGER_FORMAT
		           " instances running %s%s met the %.2f QoS "
		           "bar; the study stopped at its --max, so the limit is higher.",
		           max_ok, w, on, qos);
	else
		report_cat(buf, len,
		           "Density: %" JSON_INTEGER_FORMAT " instances running %s%s (%s).", max_ok,
		           w, on, stop);
}

static bool is_env_study(json_t *study, const char *env, const char *mode)
{
	return strcmp(report_json_str(study, "env"), env) == 0 &&
	       strcmp(report_json_str(study, "mode"), mode) == 0;
}

/* Median of config.instance.<key> over env's samples; NAN when none. */
static double samples_median(const struct run *run, const char *env, const char *key)
{
	json_t *a = json_array();
	for (size_t i = 0; i < run->n_samples; i++) {
		json_t *v =
		    json_object_get(json_object_get(run->samples[i].config, "instance"), key);
		if (strcmp(run->samples[i].env, env) == 0 && json_is_number(v))
			json_array_append(a, v);
	}
	double m = report_density_median(a);
	json_decref(a);
	return m;
}

void report_answer_density(const struct run *run, struct answer_env *e)
{
	json_t *s, *work = NULL, *idle = NULL;
	size_t i;
	json_array_foreach(run->density, i, s)
	{
		if (work == NULL && is_env_study(s, e->env, "workload"))
			work = s;
		if (idle == NULL && is_env_study(s, e->env, "idle"))
			idle = s;
	}
	if (work != NULL) {
		projected(work, e->density, sizeof(e->density));
		limit(work, e->density, sizeof(e->density));
	}
	if (idle != NULL)
		report_cat(e->density, sizeof(e->density),
		           "%sIdle: %" JSON_INTEGER_FORMAT " instances started (%s).",
		           *e->density ? " " : "",
		           json_integer_value(json_object_get(idle, "max_ok")),
		           report_json_str(idle, "stop_reason"));
	/* per instance: the idle study's largest step, else the samples' */
	json_t *from = idle != NULL ? idle : work;
	size_t n_steps = 0;
	cleanup_free json_t **steps = from ? report_density_steps(from, &n_steps) : NULL;
	double start = NAN, mem = NAN;
	json_int_t count = 0;
	if (steps != NULL) {
		json_t *last = steps[n_steps - 1];
		start = report_density_median(json_object_get(last, "start_s"));
		mem = report_density_median(json_object_get(last, "mem_bytes"));
		count = json_integer_value(json_object_get(last, "instances"));
	}
	const char *source = "median of %" JSON_INTEGER_FORMAT " %s instances";
	if (isnan(start) && isnan(mem)) {
		start = samples_median(run, e->env, "start_s");
		mem = samples_median(run, e->env, "mem_bytes");
		source = "median over this run's samples";
	}
	if (isnan(start) && isnan(mem))
		return;
	char a[32], b[32], why[96];
	snprintf(why, sizeof(why), source, count, from == idle ? "idle" : "busy");
	fmt_seconds(start, a, sizeof(a));
	fmt_mib(mem, b, sizeof(b));
	snprintf(e->instance, sizeof(e->instance), "Per instance: ");
	if (!isnan(start))
		report_cat(e->instance, sizeof(e->instance), "starts in %s", a);
	if (!isnan(mem))
		report_cat(e->instance, sizeof(e->instance), "%s%s of host memory",
		           isnan(start) ? "" : ", ", b);
	report_cat(e->instance, sizeof(e->instance), " (%s).", why);
	/* the projection may count another figure: say which, so the count
	 * and the footprint shown agree */
	json_t *fp = json_object_get(json_object_get(from, "projected"), "footprint");
	const char *method = json_string_value(json_object_get(fp, "method"));
	double used = json_number_value(json_object_get(fp, "bytes"));
	if (from != NULL && method != NULL && strcmp(method, "memavailable_slope") == 0 &&
	    used > 0) {
		char c[32];
		fmt_mib(used, c, sizeof(c));
		report_cat(e->instance, sizeof(e->instance),
		           " The projection counts %s each: the fall in MemAvailable per instance, "
		           "which also holds the kernel's memory for it.",
		           c);
	}
}
