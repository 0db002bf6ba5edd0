#include "harness/run/density.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "harness/core/clock.h"
#include "harness/core/meminfo.h"
#include "harness/core/stats.h"
#include "harness/run/density_host.h"
#include "harness/run/spread.h"
#include "harness/run/wl_args.h"

#define REPLY_TIMEOUT_MS 600000
#define MAX_STEPS        64
#define IDLE_WINDOW_S    1.0  /* CPU demand window of an idle step */
#define HEADROOM_MARGIN  1.25 /* the next step may take this much more per instance */

struct fleet {
	const struct density_options *o;
	struct env_spec spec;
	struct env_instance **inst;
	size_t n, cap, peak;
	double *start_s; /* per slot: latency of the instance started with slot instances up */
	int *node;       /* per slot: its memory node, -1 = not bound */
	double t0, step_s;
	uint64_t mem_total, avail_before;
	double footprint; /* bytes per instance, the largest estimate so far */
	unsigned start_fail;
	bool memory_stop;
	struct netpath net; /* the peer network workloads share */
	bool metric_higher; /* direction of the QoS metric (from the replies) */
	char metric[48];    /* its name */
	const char *unit;
	/* MemAvailable after each step, against its instance count */
	double avail_n[MAX_STEPS + 1], avail_b[MAX_STEPS + 1];
	size_t n_avail;
	char stop_reason[2200];
};

static uint64_t mem_available(uint64_t *total)
{
	uint64_t t = 0, a = 0;
	meminfo_read(&t, &a);
	if (total != NULL)
		*total = t;
	return a;
}

/* Statistics (harness/core/stats.h) of the finite non-negative values of
 * v; n == 0 in *st when there are none. */
static void finite_stats(const double *v, size_t n, struct stats *st)
{
	double *c = malloc((n ? n : 1) * sizeof(double));
	size_t k = 0;
	for (size_t i = 0; c != NULL && i < n; i++)
		if (isfinite(v[i]) && v[i] >= 0)
			c[k++] = v[i];
	memset(st, 0, sizeof(*st));
	if (k == 0 || stats_compute(c, k, st, NULL, NULL) < 0)
		st->n = 0;
	free(c);
}

/* Median of the finite non-negative values of v (n of them); NAN if none. */
static double median_of(const double *v, size_t n)
{
	struct stats st;
	finite_stats(v, n, &st);
	return st.n > 0 ? st.median : NAN;
}

static int open_workload(struct fleet *f, struct env_instance *inst, struct bench_error **err)
{
	const struct size_choice *sized = size_plan_find(f->o->sizes, f->o->workload->name);
	struct wl_open_facts facts = {.llc_bytes = f->o->sizes ? f->o->sizes->llc_bytes
	                                                       : topo_llc_bytes(f->o->topo),
	                              .size = sized ? sized->size : 0,
	                              .disk_dir = f->o->scratch_dir,
	                              .disk_path = inst->disk_path[0] ? inst->disk_path : NULL};
	if (wl_info_takes(f->o->workload, "peer")) {
		if (netpath_ensure(&f->net, f->o->wl_path, f->o->env->ops, inst, err) < 0)
			return -1;
		facts.peer_addr = f->net.server.address;
		facts.tcp_port = f->net.server.tcp_port;
		facts.udp_port = f->net.server.udp_port;
	}
	struct wl_open_cmd cmd;
	wl_open_cmd_build(&cmd, f->o->run, f->o->workload, &facts);
	json_t *reply = NULL;
	if (agent_send(&inst->agent, cmd.argc, cmd.argv, err) < 0 ||
	    agent_expect(&inst->agent, "opened", REPLY_TIMEOUT_MS, &reply, err) < 0)
		return -1;
	json_decref(reply);
	return 0;
}

static size_t allowed_cpus(const struct density_options *o)
{
	size_t n = 0;
	for (int i = 0; i < CPULIST_MAX; i++)
		n += o->binding->cpus[i];
	return n;
}

/* Grows the fleet to n instances. On a start failure, a start over the
 * start-time bar or low memory it stops growing, records why, and returns
 * -1 (the fleet keeps what it has). */
static int grow(struct fleet *f, size_t n)
{
	while (f->n < n) {
		uint64_t total = 0, avail = mem_available(&total);
		if (total > 0 && (double)avail < DENSITY_RESERVE * (double)total) {
			f->memory_stop = true;
			snprintf(f->stop_reason, sizeof(f->stop_reason),
			         "memory: MemAvailable under %.0f%% of MemTotal with %zu instances",
			         100 * DENSITY_RESERVE, f->n);
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
			f->start_fail = (unsigned)f->n + 1;
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
		if (f->n > f->peak)
			f->peak = f->n;
		double bar = fmax(f->o->start_factor * f->start_s[0], DENSITY_START_FLOOR_S);
		if (f->n > 1 && f->o->start_factor > 0 && inst->start_s > bar) {
			snprintf(
			    f->stop_reason, sizeof(f->stop_reason),
			    "start time: instance %zu took %.3g s to start, over the bar %.3g s "
			    "(%.3g x the first's)",
			    f->n, inst->start_s, bar, f->o->start_factor);
			return -1;
		}
	}
	return 0;
}

static void shrink(struct fleet *f, size_t n)
{
	while (f->n > n)
		f->o->env->ops->stop(f->inst[--f->n]);
}

/* The QoS metric of a reply (o->qos_metric, else the first); its
 * direction and name go into f. NULL when the reply lacks it. */
static json_t *qos_metric_of(struct fleet *f, json_t *reply)
{
	size_t i;
	json_t *m, *metrics = json_object_get(reply, "metrics");
	json_array_foreach(metrics, i, m)
	{
		const char *name = json_string_value(json_object_get(m, "name"));
		if (f->o->qos_metric != NULL &&
		    (name == NULL || strcmp(name, f->o->qos_metric) != 0))
			continue;
		const char *better = json_string_value(json_object_get(m, "better"));
		f->metric_higher = better == NULL || strcmp(better, "lower") != 0;
		snprintf(f->metric, sizeof(f->metric), "%s", name ? name : "");
		return m;
	}
	return NULL;
}

/* One round: "rep" to every instance, then every reply's QoS metric. */
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
		json_t *m = qos_metric_of(f, reply);
		if (m == NULL) {
			json_decref(reply);
			return bench_error_set(err, 0, "instance %zu: the reply has no metric %s",
			                       i + 1, f->o->qos_metric);
		}
		values[i] = json_number_value(json_object_get(m, "value"));
		json_decref(reply);
	}
	return 0;
}

/* CPU seconds of every instance into cpu[] (-1 unknown); the backend's
 * memory figure into mem[] and its memory by NUMA node into the JSON array
 * mem_nodes when they are not NULL. */
static void account_all(struct fleet *f, double *cpu, double *mem, json_t *mem_nodes)
{
	for (size_t i = 0; i < f->n; i++) {
		struct env_account a = {
		    .cpu_s = -1, .mem_bytes = -1, .start_s = -1, .backend_cpu_s = -1};
		f->o->env->ops->account(f->inst[i], &a, NULL);
		cpu[i] = a.cpu_s;
		if (mem != NULL)
			mem[i] = (double)a.mem_bytes;
		if (mem_nodes != NULL)
			json_array_append_new(mem_nodes, numa_mem_to_json(&a.mem_nodes));
	}
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

/* The rounds of a workload step (a warm-up, then step_reps), each
 * instance's mean into mean[]. */
static int run_rounds(struct fleet *f, double *v, double *mean, struct bench_error **err)
{
	if (round_all(f, v, err) < 0)
		return -1;
	for (unsigned r = 0; r < f->o->step_reps; r++) {
		if (round_all(f, v, err) < 0)
			return -1;
		for (size_t i = 0; i < f->n; i++)
			mean[i] += v[i] / f->o->step_reps;
	}
	return 0;
}

static json_t *array_of(const double *v, size_t n, bool integer)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, !isfinite(v[i]) || v[i] < 0 ? json_null()
		                         : integer ? json_integer((json_int_t)v[i])
		                                   : json_real(v[i]));
	return a;
}

/* The per-instance memory estimate the next step is planned with. */
static void update_footprint(struct fleet *f, const double *mem, const double *pss)
{
	double e = fmax(median_of(mem, f->n), median_of(pss, f->n));
	double drop = ((double)f->avail_before - f->avail_b[f->n_avail - 1]) / (double)f->n;
	if (isfinite(drop))
		e = isfinite(e) ? fmax(e, drop) : drop;
	if (isfinite(e) && e > f->footprint)
		f->footprint = e;
}

/* Measures the current fleet: settles, then (workload) a warm-up round and
 * step_reps rounds, or (idle) a quiet window, with every instance's CPU time
 * around it; then the footprints. Returns the step object or NULL (*err). */
static json_t *measure_step(struct fleet *f, double baseline, struct bench_error **err)
{
	size_t n = f->n;
	double *v = calloc(n, sizeof(double)), *sum = calloc(n, sizeof(double)),
	       *cpu0 = calloc(n, sizeof(double)), *cpu1 = calloc(n, sizeof(double)),
	       *mem = calloc(n, sizeof(double)), *pss = calloc(n, sizeof(double));
	json_t *step = NULL;
	double began = monotonic_seconds(), settle_s = 0;
	int settled = 0;
	if (!v || !sum || !cpu0 || !cpu1 || !mem || !pss) {
		bench_error_set(err, ENOMEM, "density step");
		goto out;
	}
	uint64_t avail = density_settle(f->o->settle_max_s, &settle_s, &settled);
	if (f->n_avail < MAX_STEPS + 1) {
		f->avail_n[f->n_avail] = (double)n;
		f->avail_b[f->n_avail++] = (double)avail;
	}
	account_all(f, cpu0, NULL, NULL);
	double t0 = monotonic_seconds();
	if (f->o->workload != NULL) {
		if (run_rounds(f, v, sum, err) < 0)
			goto out;
	} else {
		struct timespec ts = {(time_t)IDLE_WINDOW_S, 0};
		nanosleep(&ts, NULL);
	}
	json_t *mem_nodes = json_array();
	account_all(f, cpu1, mem, mem_nodes);
	double wall = monotonic_seconds() - t0;
	for (size_t i = 0; i < n; i++) {
		pss[i] = (double)density_tree_pss(f->inst[i]->agent.pid);
		v[i] = cpu0[i] >= 0 && cpu1[i] >= 0 && wall > 0 ? (cpu1[i] - cpu0[i]) / wall : NAN;
	}
	json_t *cpus = json_array(), *nodes = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *asked = json_object_get(f->inst[i]->pinning, "binding");
		json_array_append(cpus, asked ? json_object_get(asked, "cpus") : json_null());
		json_array_append_new(nodes,
		                      f->node[i] >= 0 ? json_integer(f->node[i]) : json_null());
	}
	step = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:f, s:b}", "instances",
	                 (json_int_t)n, "mem_bytes", array_of(mem, n, true), "pss_bytes",
	                 array_of(pss, n, true), "start_s", array_of(f->start_s, n, false),
	                 "cpu_demand", array_of(v, n, false), "cpus", cpus, "numa_nodes", nodes,
	                 "mem_node_bytes", mem_nodes, "mem_available_bytes", (json_int_t)avail,
	                 "settle_s", settle_s, "settled", settled);
	update_footprint(f, mem, pss);
	if (f->o->workload != NULL) {
		double total = 0, worst = NAN;
		bool higher = f->metric_higher;
		for (size_t i = 0; i < n; i++) {
			total += sum[i];
			if (isnan(worst) || (higher ? sum[i] < worst : sum[i] > worst))
				worst = sum[i];
		}
		double ref = baseline > 0 ? baseline : total;
		bool ok = higher ? worst >= f->o->qos * ref : worst <= ref / f->o->qos;
		json_object_set_new(step, "per_instance", array_of(sum, n, false));
		json_object_set_new(step, "aggregate", json_real(higher ? total : total / n));
		json_object_set_new(step, "worst", json_real(worst));
		json_object_set_new(step, "qos_ok", json_boolean(ok));
		if (f->o->spread == SPREAD_NODES)
			json_object_set_new(step, "per_node", per_node(f, sum, higher));
	} else {
		json_object_set_new(step, "qos_ok", json_true());
	}
	f->step_s = monotonic_seconds() - began;
	json_object_set_new(step, "wall_s", json_real(f->step_s));
out:
	free(v);
	free(sum);
	free(cpu0);
	free(cpu1);
	free(mem);
	free(pss);
	return step;
}

static bool step_ok(json_t *step)
{
	return json_is_true(json_object_get(step, "qos_ok"));
}

/* The largest count memory headroom allows at the footprint seen so far. */
static size_t memory_allows(const struct fleet *f)
{
	if (!(f->footprint > 0))
		return SIZE_MAX;
	double spare = (double)mem_available(NULL) - DENSITY_RESERVE * (double)f->mem_total;
	double extra = floor(spare / (f->footprint * HEADROOM_MARGIN));
	return f->n + (extra > 0 ? (size_t)extra : 0);
}

/* The largest count whose step still ends within the time budget. */
static size_t time_allows(const struct fleet *f)
{
	if (!(f->o->time_budget_s > 0))
		return SIZE_MAX;
	double start = median_of(f->start_s, f->peak);
	double left = f->o->time_budget_s - (monotonic_seconds() - f->t0) - f->step_s;
	if (left <= 0)
		return f->n;
	if (!(start > 0))
		return SIZE_MAX;
	return f->n + (size_t)floor(left / start);
}

/* Clamps *n to what memory headroom and time allow; false (with the stop
 * reason) when nothing beyond `good` can be learnt. *capped says a limit
 * applied (the loop ends after that step). */
static bool plan_step(struct fleet *f, size_t *n, size_t good, const char **capped)
{
	size_t mem = memory_allows(f), time = time_allows(f);
	size_t lim = mem < time ? mem : time;
	*capped = NULL;
	if (*n <= lim)
		return true;
	const char *what = mem <= time ? "memory headroom" : "time budget";
	if (lim <= good || lim < 1) {
		if (mem <= time)
			snprintf(f->stop_reason, sizeof(f->stop_reason),
			         "memory headroom: %zu instances would leave MemAvailable under "
			         "%.0f%% of MemTotal at %.1f MiB per instance",
			         *n, 100 * DENSITY_RESERVE, f->footprint / (1024.0 * 1024));
		else
			snprintf(f->stop_reason, sizeof(f->stop_reason),
			         "time budget: %zu instances would end after %.0f s", *n,
			         f->o->time_budget_s);
		return false;
	}
	*n = lim;
	*capped = what;
	return true;
}

static const char *qos_resource(const struct wl_info *w)
{
	if (w == NULL || strncmp(w->name, "cpu.", 4) == 0)
		return "cpu";
	if (strncmp(w->name, "mem.", 4) == 0)
		return "memory_bandwidth";
	if (strncmp(w->name, "disk.", 5) == 0)
		return "disk";
	if (strncmp(w->name, "net.", 4) == 0)
		return "network";
	return "qos";
}

/* Per-instance values of member `key` over the steps that pass `use`
 * (NULL: the largest step only), into a malloc'd array (*n). */
static double *collect(json_t *steps, const char *key, size_t max_instances, size_t *n)
{
	size_t total = 0, i;
	json_t *s;
	json_array_foreach(steps, i, s) total += json_array_size(json_object_get(s, key));
	double *v = malloc((total ? total : 1) * sizeof(double));
	*n = 0;
	json_array_foreach(steps, i, s)
	{
		size_t k = (size_t)json_integer_value(json_object_get(s, "instances"));
		if (v == NULL || (max_instances > 0 && k > max_instances))
			continue;
		size_t j;
		json_t *x;
		json_array_foreach(json_object_get(s, key), j, x) if (json_is_number(x)) v[(*n)++] =
		    json_number_value(x);
	}
	return v;
}

static json_t *largest_step(json_t *steps)
{
	json_t *best = NULL, *s;
	size_t i;
	json_array_foreach(
	    steps, i, s) if (best == NULL ||
	                     json_integer_value(json_object_get(s, "instances")) >
	                         json_integer_value(json_object_get(best, "instances"))) best = s;
	return best;
}

static double json_median(json_t *a)
{
	size_t n = json_array_size(a), k = 0;
	double *v = malloc((n ? n : 1) * sizeof(double));
	for (size_t i = 0; v != NULL && i < n; i++)
		if (json_is_number(json_array_get(a, i)))
			v[k++] = json_number_value(json_array_get(a, i));
	double m = v ? median_of(v, k) : NAN;
	free(v);
	return m;
}

static void min_max(const double *v, size_t n, double *lo, double *hi)
{
	struct stats st;
	finite_stats(v, n, &st);
	*lo = st.n > 0 ? st.min : NAN;
	*hi = st.n > 0 ? st.max : NAN;
}

/* The knee of the aggregate (higher is better workloads). */
static json_t *knee_json(json_t *steps, double baseline)
{
	size_t k = json_array_size(steps);
	double *n = calloc(k ? k : 1, sizeof(double)), *agg = calloc(k ? k : 1, sizeof(double));
	size_t m = 0;
	for (size_t i = 0; n && agg && i < k; i++) {
		json_t *s = json_array_get(steps, i);
		double c = (double)json_integer_value(json_object_get(s, "instances"));
		size_t j = m;
		while (j > 0 && n[j - 1] > c) {
			n[j] = n[j - 1];
			agg[j] = agg[j - 1];
			j--;
		}
		n[j] = c;
		agg[j] = json_number_value(json_object_get(s, "aggregate"));
		m++;
	}
	double peak_n = 0, knee = n && agg ? density_knee(n, agg, m, baseline, 0.25, &peak_n) : 0;
	double peak = 0;
	for (size_t i = 0; i < m; i++)
		if (n[i] == peak_n)
			peak = agg[i];
	free(n);
	free(agg);
	return json_pack("{s:o, s:f, s:f, s:f}", "instances",
	                 knee > 0 ? json_real(knee) : json_null(), "gain_fraction", 0.25,
	                 "peak_instances", peak_n, "peak_aggregate", peak);
}

static json_t *assumptions(const struct density_options *o, const struct fleet *f)
{
	char base[256];
	json_t *a = json_array();
	json_array_append_new(
	    a, json_sprintf("memory: the instances may take MemAvailable before the first one "
	                    "(%.2f GiB) less %.0f%% of MemTotal; each takes the same footprint, "
	                    "measured after it settled (KSM state recorded beside it)",
	                    (double)f->avail_before / (1 << 30), 100 * DENSITY_RESERVE));
	json_array_append_new(
	    a, json_string(o->workload
	                       ? "cpu: an instance that wants d CPUs gets the fair share C / (n d) "
	                         "once n d exceeds the C CPUs and keeps QoS while that share is at "
	                         "least the bar; a count where QoS broke here is a measurement"
	                       : "cpu: idle instances fit while their summed CPU demand is within "
	                         "the CPUs"));
	json_array_append_new(a, json_sprintf("start time: a start may take %.3g times the first "
	                                      "one's; its growth with the count is linear",
	                                      o->start_factor));
	if (o->target != NULL) {
		if (o->target->base_given)
			snprintf(base, sizeof(base), "%.2f GiB (given)",
			         o->target->base / (1 << 30));
		else
			snprintf(base, sizeof(base),
			         "%.2f GiB, this host's use before the study (base= overrides)",
			         (double)(f->mem_total - f->avail_before) / (1 << 30));
		json_array_append_new(
		    a, json_sprintf("target host %s: each of its %.0f CPUs as fast as one of this "
		                    "host's; memory outside the instances %s; same kernel, KSM "
		                    "setting, backend versions and instance size as here; start "
		                    "latency grows with the count as here",
		                    o->target_text, o->target->cpus, base));
	}
	return a;
}

/* The inputs of the projection from the study's steps. */
static void measured_of(const struct fleet *f, json_t *steps, size_t good, size_t bad,
                        struct density_measured *m, double **owned)
{
	const struct density_options *o = f->o;
	json_t *big = largest_step(steps);
	*m = (struct density_measured){
	    .cpus = (double)allowed_cpus(o),
	    .mem_total = (double)f->mem_total,
	    .avail_before = (double)f->avail_before,
	    .reserve = DENSITY_RESERVE,
	    .workload = o->workload != NULL,
	    .qos_resource = qos_resource(o->workload),
	    .qos = o->qos,
	    .max_ok = (unsigned)good,
	    .first_bad = (unsigned)bad,
	    .memory_stop = f->memory_stop,
	    .start_fail = f->start_fail,
	    .pss = json_median(json_object_get(big, "pss_bytes")),
	    .accounted = json_median(json_object_get(big, "mem_bytes")),
	    .avail_n = f->avail_n,
	    .avail_bytes = f->avail_b,
	    .n_avail = f->n_avail,
	    .start_s = f->start_s,
	    .n_start = f->peak,
	    .start_factor = o->start_factor,
	};
	/* CPU demand: uncontended steps (count within the CPUs) under a
	 * workload, the largest step when idle */
	size_t n = 0;
	double *d =
	    collect(steps, "cpu_demand",
	            o->workload ? (size_t)m->cpus
	                        : (size_t)json_integer_value(json_object_get(big, "instances")),
	            &n);
	if (o->workload == NULL && d != NULL) {
		free(d);
		json_t *one = json_array();
		json_array_append(one, big);
		d = collect(one, "cpu_demand", 0, &n);
		json_decref(one);
	}
	m->demand = d ? median_of(d, n) : NAN;
	min_max(d, d ? n : 0, &m->demand_low, &m->demand_high);
	*owned = d;
}

/* projected (and projected_here with a target), footprint, cpu_demand. */
static int project(const struct fleet *f, json_t *steps, size_t good, size_t bad, json_t *out,
                   struct bench_error **err)
{
	struct density_measured m;
	double *owned = NULL;
	measured_of(f, steps, good, bad, &m, &owned);
	struct density_projection here, there;
	int rc = density_project(&m, NULL, &here, err);
	if (rc == 0 && f->o->target != NULL)
		rc = density_project(&m, f->o->target, &there, err);
	if (rc == 0) {
		json_t *h = density_projection_json(&here, NULL, NULL);
		if (f->o->target != NULL) {
			json_object_set_new(
			    out, "projected",
			    density_projection_json(&there, f->o->target, f->o->target_text));
			json_object_set_new(out, "projected_here", h);
		} else {
			json_object_set_new(out, "projected", h);
		}
		json_object_set_new(out, "instances_per_gib", json_real(here.per_gib));
	}
	json_object_set_new(
	    out, "footprint",
	    json_pack("{s:o, s:o, s:I, s:I, s:f}", "pss_bytes",
	              isfinite(m.pss) ? json_integer((json_int_t)m.pss) : json_null(),
	              "accounted_bytes",
	              isfinite(m.accounted) ? json_integer((json_int_t)m.accounted) : json_null(),
	              "mem_total_bytes", (json_int_t)f->mem_total, "avail_before_bytes",
	              (json_int_t)f->avail_before, "reserve", DENSITY_RESERVE));
	json_object_set_new(
	    out, "cpu_demand",
	    json_pack("{s:o, s:o, s:o, s:f}", "cpus",
	              isfinite(m.demand) ? json_real(m.demand) : json_null(), "low",
	              isfinite(m.demand_low) ? json_real(m.demand_low) : json_null(), "high",
	              isfinite(m.demand_high) ? json_real(m.demand_high) : json_null(), "host_cpus",
	              m.cpus));
	free(owned);
	return rc;
}

/* Lets the study hold one descriptor per instance channel. */
static void raise_fd_limit(void)
{
	struct rlimit r;
	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

struct loop_state {
	size_t good, bad;
	json_t *steps;
	double baseline;
};

/* Doubling, then bisecting between the last count that held and the first
 * that broke, within max, memory headroom and time. Returns 0 or -1 (*err). */
static int grow_loop(struct fleet *f, size_t max, struct loop_state *s, struct bench_error **err)
{
	const struct density_options *o = f->o;
	size_t n = 1;
	while (n <= max && !agent_interrupted) {
		const char *capped = NULL;
		if (n > 1 && !plan_step(f, &n, s->good, &capped))
			break;
		bool stopped = grow(f, n) < 0 && f->n < n;
		if (stopped && f->n <= s->good)
			break;
		if (stopped)
			n = f->n; /* measure what did start, then stop */
		shrink(f, n);
		json_t *step = measure_step(f, s->baseline, err);
		if (step == NULL)
			return -1;
		if (n == 1 && o->workload != NULL)
			s->baseline = json_real_value(json_object_get(step, "aggregate"));
		json_array_append_new(s->steps, step);
		if (!o->quiet)
			fprintf(stderr, "density: %s %zu instance(s): %s (%.0f s)\n", o->env->name,
			        n, step_ok(step) ? "ok" : "below QoS", monotonic_seconds() - f->t0);
		if (step_ok(step))
			s->good = n;
		else
			s->bad = n;
		if (stopped)
			break;
		size_t next =
		    s->bad ? (s->good + s->bad) / 2 : (n * 2 > max && n < max ? max : n * 2);
		if (s->bad && (s->bad - s->good <= 1 || next <= s->good))
			break;
		if (!s->bad && n == max) {
			snprintf(f->stop_reason, sizeof(f->stop_reason), "reached --max %zu", max);
			break;
		}
		if (capped != NULL && !s->bad) {
			snprintf(f->stop_reason, sizeof(f->stop_reason),
			         "%s: stopped adding at %zu instances (the projection goes beyond)",
			         capped, n);
			break;
		}
		n = next;
	}
	return 0;
}

int density_run(const struct density_options *o, json_t **out, struct bench_error **err)
{
	size_t max = o->max > 0 && o->max < DENSITY_MAX_CAP ? o->max : DENSITY_MAX_CAP;
	struct fleet f = {.o = o, .cap = max, .net = {.topo = o->topo}, .metric_higher = true};
	if (env_spec_init(&f.spec, o->run, o->topo, o->binding, o->wl_path, o->scratch_dir, err) <
	    0)
		return -1;
	env_spec_choose(&f.spec, o->env);
	if (size_plan_memory(o->sizes, o->env->name) != 0)
		f.spec.memory_bytes = size_plan_memory(o->sizes, o->env->name);
	f.inst = calloc(max, sizeof(*f.inst));
	f.start_s = calloc(max, sizeof(double));
	f.node = calloc(max, sizeof(int));
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
	raise_fd_limit();
	double waited;
	int settled;
	f.t0 = monotonic_seconds();
	f.avail_before = density_settle(o->settle_max_s, &waited, &settled);
	mem_available(&f.mem_total);
	f.avail_n[0] = 0;
	f.avail_b[f.n_avail++] = (double)f.avail_before;
	struct loop_state s = {.steps = json_array()};
	int rc = grow_loop(&f, max, &s, err);
	json_t *ksm = density_ksm_state();
	if (rc == 0 && s.bad && f.stop_reason[0] == '\0')
		snprintf(f.stop_reason, sizeof(f.stop_reason), "QoS: %zu instances fell below %.2f",
		         s.bad, o->qos);
	if (agent_interrupted) {
		bench_error_set(err, 0, "interrupted by signal %d", (int)agent_interrupted);
		rc = -1;
	}
	shrink(&f, 0);
	netpath_close(&f.net);
	if (o->env->ops->release != NULL)
		o->env->ops->release(&f.spec);
	double elapsed = monotonic_seconds() - f.t0;
	if (rc < 0 || json_array_size(s.steps) == 0) {
		json_decref(s.steps);
		json_decref(ksm);
		free(f.inst);
		free(f.start_s);
		free(f.node);
		if (rc == 0)
			bench_error_set(err, 0, "no instance could be measured: %s", f.stop_reason);
		return -1;
	}
	*out = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:I, s:I, s:s, s:f, s:f, s:f, s:o, s:o}", "env",
	    o->env->name, "mode", o->workload ? "workload" : "idle", "workload",
	    o->workload ? o->workload->name : "", "unit", o->workload ? o->workload->unit : "",
	    "better", !o->workload || o->workload->better == BETTER_HIGHER ? "higher" : "lower",
	    "qos", o->qos, "baseline", s.baseline, "max_ok", (json_int_t)s.good, "tried_max",
	    (json_int_t)f.peak, "stop_reason", f.stop_reason[0] ? f.stop_reason : "none",
	    "time_budget_s", o->time_budget_s, "elapsed_s", elapsed, "start_factor",
	    o->start_factor, "ksm", ksm, "steps", s.steps);
	json_object_set_new(*out, "spread", json_string(spread_name(o->spread)));
	if (o->workload != NULL) {
		json_object_set_new(*out, "qos_metric", json_string(f.metric));
		json_object_set_new(*out, "better",
		                    json_string(f.metric_higher ? "higher" : "lower"));
	}
	json_object_set_new(*out, "instance_memory_bytes",
	                    json_integer((json_int_t)f.spec.memory_bytes));
	if (o->workload != NULL && f.metric_higher)
		json_object_set_new(*out, "knee", knee_json(s.steps, s.baseline));
	struct bench_error *perr = NULL;
	if (project(&f, s.steps, s.good, s.bad, *out, &perr) < 0) {
		json_object_set_new(*out, "projection_error", json_string(perr->msg));
		json_object_set_new(*out, "instances_per_gib", json_null());
		bench_error_free(&perr);
	}
	json_object_set_new(*out, "assumptions", assumptions(o, &f));
	free(f.inst);
	free(f.start_s);
	free(f.node);
	return 0;
}
