/* Density studies (results/SCHEMA.md, "density") and the environments a
 * report table; the density charts are in report_charts_density.c. */
#include "reports/report_density.h"

#include "reports/run_view.h"

#include <stdio.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double report_density_median(json_t *a)
{
	size_t n = 0, i;
	json_t *v;
	double *vals = calloc(json_array_size(a) + 1, sizeof(*vals));
	if (vals == NULL)
		return NAN;
	json_array_foreach(a, i, v)
	{
		if (json_is_number(v) && json_number_value(v) >= 0)
			vals[n++] = json_number_value(v);
	}
	double m = NAN;
	if (n > 0) {
		qsort(vals, n, sizeof(*vals), cmp_double);
		m = n % 2 ? vals[n / 2] : (vals[n / 2 - 1] + vals[n / 2]) / 2;
	}
	free(vals);
	return m;
}

static json_int_t instances(json_t *step)
{
	return json_integer_value(json_object_get(step, "instances"));
}

static int cmp_step(const void *a, const void *b)
{
	json_int_t x = instances(*(json_t *const *)a), y = instances(*(json_t *const *)b);
	return (x > y) - (x < y);
}

json_t **report_density_steps(json_t *study, size_t *n)
{
	json_t *steps = json_object_get(study, "steps");
	*n = 0;
	json_t **v = calloc(json_array_size(steps) + 1, sizeof(*v));
	if (v == NULL)
		return NULL;
	size_t i;
	json_t *s;
	json_array_foreach(steps, i, s)
	{
		if (json_is_object(s) && instances(s) > 0)
			v[(*n)++] = s;
	}
	if (*n == 0) {
		free(v);
		return NULL;
	}
	qsort(v, *n, sizeof(*v), cmp_step);
	return v;
}

static const char *str(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s != NULL && *s ? s : dflt;
}

static void fmt_num(double v, const char *fmt, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, fmt, v);
}

/* "71 (64 .. 96)" for a projection, "-" without one. */
static void fmt_projection(json_t *p, char *buf, size_t len)
{
	json_t *v = json_object_get(p, "instances"), *hi = json_object_get(p, "high");
	if (!json_is_number(v)) {
		snprintf(buf, len, "-");
		return;
	}
	char high[32] = "unbounded";
	if (json_is_number(hi))
		snprintf(high, sizeof(high), "%.0f", floor(json_number_value(hi)));
	snprintf(buf, len, "%.0f (%.0f .. %s)", floor(json_number_value(v)),
	         floor(json_number_value(json_object_get(p, "low"))), high);
}

static void fmt_target(json_t *study, char *buf, size_t len)
{
	json_t *p = json_object_get(study, "projected");
	json_t *t = json_object_get(p, "target_host");
	if (!json_is_object(t)) {
		snprintf(buf, len, "-");
		return;
	}
	char proj[96];
	fmt_projection(p, proj, sizeof(proj));
	snprintf(buf, len, "%s on %s, %s", proj, str(t, "spec", "?"), str(p, "binding", "?"));
}

static int density_row(const struct run *run, json_t *study, struct rtable *t)
{
	char label[256], max_ok[48], per_gib[32], mem[96], start[32], cpu[32], proj[96],
	    target[200], knee[64];
	const char *env = str(study, "env", "?");
	report_env_label(run, env, label, sizeof(label));
	json_t *here = json_object_get(study, "projected_here");
	if (!json_is_object(here))
		here = json_object_get(study, "projected");
	json_t *g = json_object_get(study, "instances_per_gib");
	snprintf(max_ok, sizeof(max_ok), "%" JSON_INTEGER_FORMAT,
	         json_integer_value(json_object_get(study, "max_ok")));
	if (json_is_integer(json_object_get(study, "tried_max")))
		snprintf(max_ok + strlen(max_ok), sizeof(max_ok) - strlen(max_ok),
		         " (tried %" JSON_INTEGER_FORMAT ")",
		         json_integer_value(json_object_get(study, "tried_max")));
	fmt_num(json_is_number(g) ? json_number_value(g) : NAN, "%.3g", per_gib, sizeof(per_gib));
	size_t n;
	json_t **steps = report_density_steps(study, &n);
	json_t *last = steps != NULL ? steps[n - 1] : NULL;
	free(steps);
	json_t *fp = json_object_get(here, "footprint");
	if (json_is_number(json_object_get(fp, "bytes")))
		snprintf(mem, sizeof(mem), "%.2f (%.2f .. %.2f, %s)",
		         json_number_value(json_object_get(fp, "bytes")) / 1048576,
		         json_number_value(json_object_get(fp, "low")) / 1048576,
		         json_number_value(json_object_get(fp, "high")) / 1048576,
		         strcmp(str(fp, "method", ""), "memavailable_slope") == 0 ? "MemAvailable"
		                                                                  : "PSS/cgroup");
	else
		fmt_num(report_density_median(json_object_get(last, "mem_bytes")) / 1048576, "%.1f",
		        mem, sizeof(mem));
	fmt_num(report_density_median(json_object_get(last, "start_s")) * 1000, "%.1f", start,
	        sizeof(start));
	json_t *demand = json_object_get(json_object_get(study, "cpu_demand"), "cpus");
	fmt_num(json_is_number(demand) ? json_number_value(demand) : NAN, "%.3g", cpu, sizeof(cpu));
	fmt_projection(here, proj, sizeof(proj));
	fmt_target(study, target, sizeof(target));
	json_t *k = json_object_get(study, "knee");
	if (json_is_number(json_object_get(k, "instances")))
		snprintf(knee, sizeof(knee), "%.0f",
		         json_number_value(json_object_get(k, "instances")));
	else
		snprintf(knee, sizeof(knee), json_is_object(k) ? "none seen" : "-");
	return rtable_row(t, label, str(study, "mode", "?"), str(study, "workload", "-"), max_ok,
	                  str(study, "stop_reason", "?"), mem, cpu, start, proj,
	                  str(here, "binding", "-"), per_gib, target, knee);
}

int report_density_tables(const struct run *run, struct rtable *density)
{
	*density = (struct rtable){
	    .n_cols = 13,
	    .head = {"env", "mode", "workload", "measured: instances meeting QoS", "stop reason",
	             "per-instance memory (MiB, 95% interval, method)",
	             "CPU demand per instance (CPUs)", "start (median, ms)",
	             "projected on this host (95% interval)", "binding resource",
	             "capacity: instances per GiB", "projected on the target host",
	             "aggregate knee"},
	    .align = "lllrlrrrrlrll",
	};
	json_t *study;
	size_t i;
	json_array_foreach(run->density, i, study)
	{
		if (json_is_object(study) && density_row(run, study, density) < 0)
			return -1;
	}
	if (density->n_rows > 0 && (density->title = strdup("Density")) == NULL)
		return -1;
	return 0;
}

int report_density_shape(const struct run *run, struct rtable *shape)
{
	*shape = (struct rtable){
	    .n_cols = 5,
	    .head = {"env", "idle footprint (MiB, 95% interval)", "instances per 16 GiB (memory)",
	             "binding here", "the seed (16 GB)"},
	    .align = "lrrll",
	};
	const double usable = 16.0 * 1024 * 1024 * 1024 * 0.9;
	json_t *study;
	size_t i;
	json_array_foreach(run->density, i, study)
	{
		const char *env = str(study, "env", "?");
		bool ct = strcmp(env, "container") == 0, vm = strcmp(env, "qemu") == 0;
		if (!(ct || vm) || strcmp(str(study, "mode", ""), "idle") != 0)
			continue;
		json_t *p = json_object_get(study, "projected_here");
		if (!json_is_object(p))
			p = json_object_get(study, "projected");
		json_t *fp = json_object_get(p, "footprint");
		double b = json_number_value(json_object_get(fp, "bytes")),
		       lo = json_number_value(json_object_get(fp, "low")),
		       hi = json_number_value(json_object_get(fp, "high"));
		if (!(b > 0 && lo > 0 && hi > 0))
			continue;
		char label[256], mem[96], count[96];
		report_env_label(run, env, label, sizeof(label));
		snprintf(mem, sizeof(mem), "%.2f (%.2f .. %.2f)", b / 1048576, lo / 1048576,
		         hi / 1048576);
		snprintf(count, sizeof(count), "%.0f (%.0f .. %.0f)", floor(usable / b),
		         floor(usable / hi), floor(usable / lo));
		if (rtable_row(shape, label, mem, count, str(p, "binding", "-"),
		               ct ? "536 LXD containers" : "47 KVM guests") < 0)
			return -1;
	}
	if (shape->n_rows > 0 &&
	    (shape->title = strdup("Density: the published shape (per 16 GiB)")) == NULL)
		return -1;
	return 0;
}

/* The step a per-node table shows: the largest that met QoS, else the
 * smallest. */
static json_t *node_step(json_t *study)
{
	size_t n;
	json_t **steps = report_density_steps(study, &n);
	json_t *pick = n > 0 ? steps[0] : NULL;
	for (size_t i = 0; i < n; i++)
		if (json_is_true(json_object_get(steps[i], "qos_ok")))
			pick = steps[i];
	free(steps);
	return pick;
}

static int node_rows(const struct run *run, json_t *study, struct rtable *t)
{
	json_t *step = node_step(study);
	json_t *by = json_object_get(step, "per_node");
	if (!json_is_object(by))
		return 0;
	char label[256], total[32], count[32], agg[32], worst[32];
	report_env_label(run, str(study, "env", "?"), label, sizeof(label));
	snprintf(total, sizeof(total), "%" JSON_INTEGER_FORMAT,
	         json_integer_value(json_object_get(step, "instances")));
	const char *node;
	json_t *v;
	json_object_foreach(by, node, v)
	{
		snprintf(count, sizeof(count), "%" JSON_INTEGER_FORMAT,
		         json_integer_value(json_object_get(v, "instances")));
		fmt_num(json_number_value(json_object_get(v, "aggregate")), "%.4g", agg,
		        sizeof(agg));
		fmt_num(json_number_value(json_object_get(v, "worst")), "%.4g", worst,
		        sizeof(worst));
		if (rtable_row(t, label, str(study, "workload", "-"), total, node, count, agg,
		               worst, str(study, "unit", "")) < 0)
			return -1;
	}
	return 0;
}

int report_density_node_table(const struct run *run, struct rtable *nodes)
{
	*nodes = (struct rtable){
	    .n_cols = 8,
	    .head = {"env", "workload", "instances (step)", "NUMA node", "instances on it",
	             "aggregate", "worst instance", "unit"},
	    .align = "llrrrrrl",
	};
	json_t *study;
	size_t i;
	json_array_foreach(run->density, i, study)
	{
		if (json_is_object(study) && strcmp(str(study, "spread", "cpus"), "nodes") == 0 &&
		    node_rows(run, study, nodes) < 0)
			return -1;
	}
	if (nodes->n_rows > 0 && (nodes->title = strdup("Density per NUMA node")) == NULL)
		return -1;
	return 0;
}
