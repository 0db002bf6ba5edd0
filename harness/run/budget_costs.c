#include "harness/run/budget_costs.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "harness/core/json_file.h"

#define COSTS_VERSION 1

json_t *budget_costs_load(const char *dir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, BUDGET_COSTS_NAME);
	struct bench_error *err = NULL;
	json_t *doc = json_file_read(path, &err);
	bench_error_free(&err);
	if (json_is_object(doc) &&
	    json_integer_value(json_object_get(doc, "version")) == COSTS_VERSION &&
	    json_is_object(json_object_get(doc, "starts")) &&
	    json_is_object(json_object_get(doc, "workloads")))
		return doc;
	json_decref(doc);
	return json_pack("{s:i, s:{}, s:{}}", "version", COSTS_VERSION, "starts", "workloads");
}

static void key(char *buf, size_t len, const char *env, const char *workload, uint64_t size,
                unsigned threads)
{
	snprintf(buf, len, "%s|%s|%llu|%u", env, workload, (unsigned long long)size, threads);
}

static double number(const json_t *o, const char *name)
{
	double v = json_number_value(json_object_get(o, name));
	return v > 0 ? v : 0;
}

size_t budget_costs_fill(const json_t *costs, const struct budget_shape *shape,
                         struct budget_input *in)
{
	size_t found = 0;
	char k[512];
	json_t *starts = json_object_get(costs, "starts"),
	       *wls = json_object_get(costs, "workloads");
	if (number(costs, "report_s") > 0)
		in->report_s = number(costs, "report_s");
	json_t *over = json_object_get(costs, "density_over");
	for (size_t e = 0; e < in->n_envs; e++) {
		in->env[e].start_s = number(starts, in->env[e].name);
		in->env[e].density_over_s = number(over, in->env[e].name);
		for (size_t w = 0; w < in->n_workloads; w++) {
			key(k, sizeof(k), in->env[e].name, in->workload[w], shape->size[w],
			    shape->threads);
			json_t *c = json_object_get(wls, k);
			struct budget_cost *out = &in->cost[w][e];
			*out = (struct budget_cost){.fixed_length = shape->fixed_length[w]};
			if (!json_is_object(c))
				continue;
			out->known = true;
			out->setup_s = number(c, "setup_s");
			out->teardown_s = number(c, "teardown_s");
			out->rep_over_s = number(c, "rep_over_s");
			out->rep_own_s = number(c, "rep_own_s");
			out->rep_at_s = number(c, "rep_at_s");
			found++;
		}
	}
	return found;
}

void budget_costs_update(json_t *costs, const struct run_timing *t, const struct budget_input *in,
                         const struct budget_shape *shape, double duration_s, double report_s)
{
	char k[512];
	json_t *starts = json_object_get(costs, "starts"),
	       *wls = json_object_get(costs, "workloads");
	if (report_s >= 0)
		json_object_set_new(costs, "report_s", json_real(report_s));
	for (size_t e = 0; e < t->n_envs; e++)
		if (t->starts[e] > 0)
			json_object_set_new(starts, t->env[e],
			                    json_real(t->s[e][RUN_PHASE_START] / t->starts[e]));
	for (size_t e = 0; e < in->n_envs; e++)
		for (size_t w = 0; w < in->n_workloads; w++) {
			const char *env = in->env[e].name, *wl = in->workload[w];
			unsigned warm_n, meas_n;
			double setup = run_timing_workload_s(t, env, wl, RUN_PHASE_SETUP, NULL);
			double warm = run_timing_workload_s(t, env, wl, RUN_PHASE_WARMUP, &warm_n);
			double meas = run_timing_workload_s(t, env, wl, RUN_PHASE_MEASURE, &meas_n);
			double down = run_timing_workload_s(t, env, wl, RUN_PHASE_TEARDOWN, NULL);
			unsigned reps = warm_n + meas_n;
			if (reps == 0) /* not run (cut, or failed at its set-up) */
				continue;
			double timed = 0;
			for (size_t i = 0; i < t->n_envs; i++)
				for (size_t j = 0; j < t->n_workloads; j++)
					if (strcmp(t->env[i], env) == 0 &&
					    strcmp(t->workload[j], wl) == 0)
						timed = t->wl_timed_s[j][i];
			double own = timed / reps, over = (warm + meas - timed) / reps;
			key(k, sizeof(k), env, wl, shape->size[w], shape->threads);
			json_object_set_new(wls, k,
			                    json_pack("{s:f, s:f, s:f, s:f, s:f, s:i}", "setup_s",
			                              setup, "teardown_s", down, "rep_over_s",
			                              over > 0 ? over : 0.0, "rep_own_s", own,
			                              "rep_at_s", duration_s, "reps", (int)reps));
		}
}

void budget_costs_density(json_t *costs, const char *env, double over_s)
{
	json_t *over = json_object_get(costs, "density_over");
	if (!json_is_object(over)) {
		over = json_object();
		json_object_set_new(costs, "density_over", over);
	}
	json_object_set_new(over, env, json_real(over_s > 0 ? over_s : 0));
}

int budget_costs_save(const json_t *costs, const char *dir, struct bench_error **err)
{
	return json_file_write(costs, dir, BUDGET_COSTS_NAME, err);
}
