#include "harness/run/density.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>

#include "harness/core/fingerprint.h"
#include "harness/core/meminfo.h"
#include "harness/run/spread.h"
#include "harness/run/wl_args.h"

#define REPLY_TIMEOUT_MS 600000

struct fleet {
	const struct density_options *o;
	struct env_spec spec;
	struct env_instance **inst;
	size_t n;
	double *start_s; /* per instance */
	int *node;       /* per instance: its memory node, -1 = not bound */
	char stop_reason[2200];
};

/* MemAvailable / MemTotal from /proc/meminfo, or 1 when unknown. */
static double memory_available_fraction(void)
{
	uint64_t total, avail;
	if (meminfo_read(&total, &avail) < 0)
		return 1;
	return (double)avail / (double)total;
}

static double memory_total_gib(void)
{
	struct sysinfo si;
	if (sysinfo(&si) < 0)
		return 0;
	return (double)si.totalram * (double)si.mem_unit / (1024.0 * 1024.0 * 1024.0);
}

static int open_workload(struct fleet *f, struct env_instance *inst, struct bench_error **err)
{
	struct wl_open_facts facts = {.llc_bytes = topo_llc_bytes(f->o->topo),
	                              .disk_dir = f->o->scratch_dir,
	                              .disk_path = inst->disk_path[0] ? inst->disk_path : NULL};
	struct wl_open_cmd cmd;
	wl_open_cmd_build(&cmd, f->o->run, f->o->workload, &facts);
	json_t *reply = NULL;
	if (agent_send(&inst->agent, cmd.argc, cmd.argv, err) < 0 ||
	    agent_expect(&inst->agent, "opened", REPLY_TIMEOUT_MS, &reply, err) < 0)
		return -1;
	json_decref(reply);
	return 0;
}

/* Grows the fleet to n instances. On a start failure or low memory it stops
 * growing, records why, and returns -1 (the fleet keeps what it has). */
static int grow(struct fleet *f, size_t n)
{
	while (f->n < n) {
		if (memory_available_fraction() < 0.10) {
			snprintf(f->stop_reason, sizeof(f->stop_reason),
			         "memory: MemAvailable under 10%% with %zu instances", f->n);
			return -1;
		}
		struct bench_error *err = NULL;
		struct env_instance *inst = NULL;
		struct env_spec spec = f->spec;
		if (spread_instance(f->o->topo, f->o->binding, f->o->spread, f->n, &spec.binding,
		                    &err) < 0 ||
		    f->o->env->ops->start(&spec, &inst, &err) < 0 ||
		    f->o->env->ops->pin(inst, &spec, &err) < 0 ||
		    (f->o->workload != NULL && open_workload(f, inst, &err) < 0)) {
			snprintf(f->stop_reason, sizeof(f->stop_reason), "instance %zu failed: %s",
			         f->n + 1, err ? err->msg : "?");
			bench_error_free(&err);
			if (inst != NULL)
				f->o->env->ops->stop(inst);
			return -1;
		}
		f->start_s[f->n] = inst->start_s;
		f->node[f->n] = spec.binding.numa_node;
		f->inst[f->n++] = inst;
	}
	return 0;
}

static void shrink(struct fleet *f, size_t n)
{
	while (f->n > n)
		f->o->env->ops->stop(f->inst[--f->n]);
}

/* One round: "rep" to every instance, then every reply's first metric. */
static int round_all(struct fleet *f, double *values, struct bench_error **err)
{
	const char *rep[] = {"rep"};
	for (size_t i = 0; i < f->n; i++)
		if (agent_send(&f->inst[i]->agent, 1, rep, err) < 0)
			return -1;
	for (size_t i = 0; i < f->n; i++) {
		json_t *reply = NULL;
		if (agent_expect(&f->inst[i]->agent, "rep", REPLY_TIMEOUT_MS, &reply, err) < 0)
			return bench_error_wrap(err, "instance %zu", i + 1);
		json_t *m = json_array_get(json_object_get(reply, "metrics"), 0);
		values[i] = json_number_value(json_object_get(m, "value"));
		json_decref(reply);
	}
	return 0;
}

/* Each node's share of a step with instances spread node by node:
 * {"<node>": {instances, aggregate, worst}}, aggregated as the step is. */
static json_t *per_node(const struct fleet *f, const double *sum, bool higher)
{
	json_t *by = json_object();
	for (size_t i = 0; i < f->n; i++) {
		char key[16];
		snprintf(key, sizeof(key), "%d", f->node[i]);
		if (json_object_get(by, key) != NULL)
			continue;
		size_t count = 0;
		double total = 0, worst = NAN;
		for (size_t j = i; j < f->n; j++) {
			if (f->node[j] != f->node[i])
				continue;
			count++;
			total += sum[j];
			if (isnan(worst) || (higher ? sum[j] < worst : sum[j] > worst))
				worst = sum[j];
		}
		json_object_set_new(by, key,
		                    json_pack("{s:I, s:f, s:f}", "instances", (json_int_t)count,
		                              "aggregate", higher ? total : total / (double)count,
		                              "worst", worst));
	}
	return by;
}

/* Measures the current fleet: a warm-up round, then step_reps rounds; each
 * instance's result is its mean. Returns the step object or NULL (*err). */
static json_t *measure_step(struct fleet *f, double baseline, struct bench_error **err)
{
	size_t n = f->n;
	double *v = calloc(n, sizeof(double)), *sum = calloc(n, sizeof(double));
	json_t *step = NULL;
	if (v == NULL || sum == NULL) {
		bench_error_set(err, ENOMEM, "density step");
		goto out;
	}
	if (f->o->workload != NULL) {
		if (round_all(f, v, err) < 0)
			goto out;
		for (unsigned r = 0; r < f->o->step_reps; r++) {
			if (round_all(f, v, err) < 0)
				goto out;
			for (size_t i = 0; i < n; i++)
				sum[i] += v[i] / f->o->step_reps;
		}
	}
	json_t *per = json_array(), *mem = json_array(), *start = json_array(),
	       *cpus = json_array(), *mem_nodes = json_array(), *nodes = json_array();
	double total = 0, worst = NAN;
	bool higher = f->o->workload == NULL || f->o->workload->better == BETTER_HIGHER;
	for (size_t i = 0; i < n; i++) {
		struct env_account a = {
		    .cpu_s = -1, .mem_bytes = -1, .start_s = -1, .backend_cpu_s = -1};
		f->o->env->ops->account(f->inst[i], &a, NULL);
		json_array_append_new(mem, json_integer(a.mem_bytes));
		json_array_append_new(mem_nodes, numa_mem_to_json(&a.mem_nodes));
		json_array_append_new(start, json_real(f->start_s[i]));
		json_t *asked = json_object_get(f->inst[i]->pinning, "binding");
		json_array_append(cpus, asked ? json_object_get(asked, "cpus") : json_null());
		json_array_append_new(nodes,
		                      f->node[i] >= 0 ? json_integer(f->node[i]) : json_null());
		if (f->o->workload == NULL)
			continue;
		json_array_append_new(per, json_real(sum[i]));
		total += sum[i];
		if (isnan(worst) || (higher ? sum[i] < worst : sum[i] > worst))
			worst = sum[i];
	}
	step = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}", "instances", (json_int_t)n, "mem_bytes",
	                 mem, "start_s", start, "cpus", cpus, "numa_nodes", nodes, "mem_node_bytes",
	                 mem_nodes);
	if (f->o->workload != NULL) {
		double ref = baseline > 0 ? baseline : total;
		bool ok = higher ? worst >= f->o->qos * ref : worst <= ref / f->o->qos;
		json_object_set_new(step, "per_instance", per);
		json_object_set_new(step, "aggregate", json_real(higher ? total : total / n));
		json_object_set_new(step, "worst", json_real(worst));
		json_object_set_new(step, "qos_ok", json_boolean(ok));
		if (f->o->spread == SPREAD_NODES)
			json_object_set_new(step, "per_node", per_node(f, sum, higher));
	} else {
		json_decref(per);
		json_object_set_new(step, "qos_ok", json_true());
	}
out:
	free(v);
	free(sum);
	return step;
}

static bool step_ok(json_t *step)
{
	return json_is_true(json_object_get(step, "qos_ok"));
}

int density_run(const struct density_options *o, json_t **out, struct bench_error **err)
{
	struct fleet f = {.o = o};
	if (env_spec_init(&f.spec, o->run, o->topo, o->binding, o->wl_path, o->scratch_dir, err) <
	    0)
		return -1;
	env_spec_choose(&f.spec, o->env);
	f.inst = calloc(o->max, sizeof(*f.inst));
	f.start_s = calloc(o->max, sizeof(double));
	f.node = calloc(o->max, sizeof(int));
	if (f.inst == NULL || f.start_s == NULL || f.node == NULL) {
		free(f.inst);
		free(f.start_s);
		free(f.node);
		return bench_error_set(err, ENOMEM, "density");
	}
	if (o->env->ops->prepare(&f.spec, err) < 0) {
		if (o->env->ops->release != NULL)
			o->env->ops->release(&f.spec);
		free(f.inst);
		free(f.start_s);
		free(f.node);
		return -1;
	}
	json_t *steps = json_array();
	double baseline = 0;
	size_t good = 0, bad = 0, n = 1;
	int rc = 0;
	while (n <= o->max && !agent_interrupted) {
		if (grow(&f, n) < 0 && f.n < n)
			break;
		shrink(&f, n);
		json_t *step = measure_step(&f, baseline, err);
		if (step == NULL) {
			rc = -1;
			break;
		}
		if (n == 1 && o->workload != NULL)
			baseline = json_real_value(json_object_get(step, "aggregate"));
		json_array_append_new(steps, step);
		if (!o->quiet)
			fprintf(stderr, "density: %s %zu instance(s): %s\n", o->env->name, n,
			        step_ok(step) ? "ok" : "below QoS");
		if (step_ok(step))
			good = n;
		else
			bad = n;
		size_t next =
		    bad ? (good + bad) / 2 : (n * 2 > o->max && n < o->max ? o->max : n * 2);
		if (bad && (bad - good <= 1 || next <= good))
			break;
		if (!bad && n == o->max) {
			snprintf(f.stop_reason, sizeof(f.stop_reason), "reached --max %u", o->max);
			break;
		}
		n = next;
	}
	if (bad && f.stop_reason[0] == '\0')
		snprintf(f.stop_reason, sizeof(f.stop_reason), "QoS: %zu instances fell below %.2f",
		         bad, o->qos);
	if (agent_interrupted) {
		bench_error_set(err, 0, "interrupted by signal %d", (int)agent_interrupted);
		rc = -1;
	}
	shrink(&f, 0);
	if (o->env->ops->release != NULL)
		o->env->ops->release(&f.spec);
	free(f.inst);
	free(f.start_s);
	free(f.node);
	if (rc < 0 || json_array_size(steps) == 0) {
		json_decref(steps);
		if (rc == 0)
			bench_error_set(err, 0, "no instance could be measured: %s", f.stop_reason);
		return -1;
	}
	double host_gib = memory_total_gib();
	*out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:I, s:f, s:s, s:s, s:o}", "env",
	                 o->env->name, "mode", o->workload ? "workload" : "idle", "workload",
	                 o->workload ? o->workload->name : "", "unit",
	                 o->workload ? o->workload->unit : "", "better",
	                 !o->workload || o->workload->better == BETTER_HIGHER ? "higher" : "lower",
	                 "qos", o->qos, "baseline", baseline, "max_ok", (json_int_t)good,
	                 "instances_per_gib", host_gib > 0 ? (double)good / host_gib : 0.0,
	                 "stop_reason", f.stop_reason[0] ? f.stop_reason : "none", "spread",
	                 spread_name(o->spread), "steps", steps);
	return 0;
}
