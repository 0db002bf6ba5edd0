#include "harness/run/runner.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"
#include "harness/core/clock.h"
#include "harness/core/progress.h"
#include "harness/run/collect.h"
#include "harness/run/failure.h"
#include "harness/run/netpath.h"
#include "harness/run/size_plan.h"
#include "harness/run/wl_args.h"

#define MAX_LANES 8

/* One environment's side of a run: its spec, its instance (kept up across
 * workloads, replaced after a failure), its network path, and the values
 * of the workload being run. */
struct lane {
	const struct env_choice *env;
	struct env_spec spec;
	bool prepared; /* prepare was called: release is owed */
	struct env_instance *inst;
	struct netpath net; /* peer + capture, started by the first network workload */
	/* the current workload */
	struct collected col;  /* measured repetitions */
	struct collected warm; /* warm-up repetitions */
	size_t settled_after;  /* warm-ups when the rule first held, 0 = not yet */
	bool capturing;
	bool skipped;       /* the budget skipped the workload here */
	double setup_s;     /* the workload's set-up here (open) */
	double setup_sum_s; /* set-ups here of workloads the baseline opened too */
	double base_sum_s;  /* the baseline's set-ups of those workloads */
	json_t *acct, *wire;
	struct bench_error *werr; /* why the workload failed here, or NULL */
};

struct runner {
	const struct runner_setup *s;
	const struct run_options *opts;
	struct run_conditions *cond;
	struct lane lane[MAX_LANES];
	size_t n_lanes;
	struct run *run;
	struct progress progress;
	struct runner_totals *totals;
	double rep_time_sum; /* for the ETA */
	unsigned rep_time_n;
	size_t workload_index, workload_count;
	char label[128]; /* the environments, "bare,container" */
	/* opts->budget_s: the run's deadline, and the current workload's
	 * (monotonic seconds; 0 = none) */
	double deadline, workload_start, workload_share;
};

double runner_budget_share(double deadline, double now, size_t units_left)
{
	if (deadline <= 0)
		return 0;
	double share = (deadline - now) / (double)(units_left ? units_left : 1);
	return share > 0.001 ? share : 0.001;
}

/* True when the current workload has used fraction of its budget share. */
static bool over_share(const struct runner *r, double fraction)
{
	return r->workload_share > 0 &&
	       monotonic_seconds() - r->workload_start >= fraction * r->workload_share;
}

bool runner_networked(const struct catalog *cat, const char *workloads)
{
	cleanup_free size_t *sel = NULL;
	size_t n = 0;
	if (catalog_select(cat, workloads, &sel, &n, NULL) < 0)
		return false;
	bool networked = false;
	for (size_t i = 0; i < n; i++)
		networked = networked || wl_info_takes(&cat->items[sel[i]], "peer");
	return networked;
}

/* Sends one command and waits for the expected reply, counting the wait as
 * time inside the workload. */
static int exchange(struct runner *r, struct lane *l, size_t argc, const char *argv[],
                    const char *type, json_t **reply, struct bench_error **err)
{
	double t0 = monotonic_seconds();
	int rc = agent_send(&l->inst->agent, argc, argv, err);
	if (rc == 0)
		rc = agent_expect(&l->inst->agent, type, (int)(r->opts->timeout_s * 1000), reply,
		                  err);
	double dt = monotonic_seconds() - t0;
	r->totals->in_workload_s += dt;
	if (rc == 0 && strcmp(type, "rep") == 0) {
		r->rep_time_sum += dt;
		r->rep_time_n++;
		r->totals->timed_s += json_number_value(json_object_get(*reply, "elapsed_s"));
	}
	return rc;
}

/* Repetitions still to come, times the mean repetition so far. */
static double eta(const struct runner *r, size_t lanes, size_t done_here)
{
	if (r->rep_time_n == 0)
		return -1;
	double per_rep = r->rep_time_sum / r->rep_time_n;
	size_t min = r->opts->min_reps;
	double here = (double)lanes * (done_here < min ? (double)(min - done_here) : 1.0);
	size_t remaining = r->workload_count - r->workload_index - 1;
	return per_rep *
	       (here + (double)(remaining * r->n_lanes) * (double)(min + r->cond->warmup.window));
}

/* "[2/5] bare/cpu.int warm-up  rep 3/5 ...": done of total so far. */
static void progress(struct runner *r, const char *env, const char *what, size_t lanes, size_t done,
                     unsigned total, const struct wl_info *w)
{
	char label[256];
	snprintf(label, sizeof(label), "[%zu/%zu] %s/%s%s", r->workload_index + 1,
	         r->workload_count, env, w->name, what);
	progress_update(&r->progress, label, (unsigned)done + 1, total, eta(r, lanes, done));
}

/* Records *werr (prefixed with context) as the lane's failure, keeping the
 * first one; when the instance died or went silent, why comes first
 * (failure.h). */
static void fail_lane(struct runner *r, struct lane *l, struct bench_error **werr,
                      const char *context)
{
	bench_error_wrap(werr, "%s", context);
	failure_explain(l->env->ops, l->inst, r->opts->timeout_s, werr);
	if (l->werr == NULL)
		l->werr = *werr;
	else
		bench_error_free(werr);
	*werr = NULL;
}

/* Starts and pins the lane's instance unless it is up. */
static void ensure_instance(struct runner *r, struct lane *l)
{
	if (l->inst != NULL)
		return;
	struct bench_error *werr = NULL;
	double t0 = monotonic_seconds();
	char context[128];
	snprintf(context, sizeof(context), "starting %s", l->env->name);
	if (l->env->ops->start(&l->spec, &l->inst, &werr) < 0 ||
	    l->env->ops->pin(l->inst, &l->spec, &werr) < 0)
		fail_lane(r, l, &werr, context);
	else
		run_conditions_instance(r->cond, l->env, l->inst, r->s->n_envs);
	double dt = monotonic_seconds() - t0;
	r->totals->env_s += dt;
	run_timing_add_start(&r->totals->timing, l->env->name, dt);
}

static bool lane_ok(const struct lane *l)
{
	return l->inst != NULL && l->werr == NULL && !l->skipped;
}

/* Opens w in the lane's agent, with its network path when w needs one. */
static void open_workload_untimed(struct runner *r, struct lane *l, const struct wl_info *w)
{
	struct bench_error *werr = NULL;
	const struct size_choice *sized = size_plan_find(r->cond->sizes, w->name);
	struct wl_open_facts facts = {
	    .llc_bytes = r->cond->sizes ? r->cond->sizes->llc_bytes : topo_llc_bytes(l->spec.topo),
	    .size = sized ? sized->size : 0,
	    .disk_dir = l->spec.work_dir,
	    .disk_path = l->inst->disk_path[0] ? l->inst->disk_path : NULL,
	};
	if (wl_info_takes(w, "peer")) {
		if (netpath_ensure(&l->net, r->s->wl_path, l->env->ops, l->inst, &werr) < 0) {
			fail_lane(r, l, &werr, "the network peer");
			return;
		}
		facts.peer_addr = l->net.server.address;
		facts.tcp_port = l->net.server.tcp_port;
		facts.udp_port = l->net.server.udp_port;
	}
	struct wl_open_cmd cmd;
	wl_open_cmd_build(&cmd, r->opts, w, &facts);
	json_t *reply = NULL;
	char context[96];
	snprintf(context, sizeof(context), "opening %s", w->name);
	if (exchange(r, l, cmd.argc, cmd.argv, "opened", &reply, &werr) < 0)
		fail_lane(r, l, &werr, context);
	json_decref(reply);
}

static void open_workload(struct runner *r, struct lane *l, const struct wl_info *w)
{
	double t0 = monotonic_seconds();
	open_workload_untimed(r, l, w);
	l->setup_s = monotonic_seconds() - t0;
	run_timing_add_workload(&r->totals->timing, l->env->name, w->name, RUN_PHASE_SETUP,
	                        l->setup_s, 0);
}

/* The baseline's lane among lanes[0..n), or NULL. */
static struct lane *baseline_lane(const struct runner *r, struct lane *lanes[], size_t n)
{
	for (size_t i = 0; r->s->baseline != NULL && i < n; i++)
		if (strcmp(lanes[i]->env->name, r->s->baseline) == 0)
			return lanes[i];
	return NULL;
}

/* True (and totals->skipped told why) when w's set-up in l, never
 * measured here before (measured ones were planned), guessed from the
 * baseline's is over what is left of w's share of the budget. */
static bool skip_for_budget(struct runner *r, struct lane *l, const struct lane *base,
                            const struct wl_info *w)
{
	if (r->workload_share <= 0 || l == base)
		return false;
	const struct budget_cost *known = NULL;
	const struct budget_input *c = r->s->costs;
	size_t e = (size_t)(l - r->lane);
	if (c != NULL && r->workload_index < c->n_workloads && e < c->n_envs)
		known = &c->cost[r->workload_index][e];
	if (known != NULL && known->known)
		return false; /* measured before: the plan decided */
	if (base == NULL || base->inst == NULL || base->werr != NULL)
		return false;
	double guess = budget_setup_guess(NULL, base->setup_s, l->setup_sum_s, l->base_sum_s);
	double left = r->workload_share - (monotonic_seconds() - r->workload_start);
	if (guess < 0 || guess <= left)
		return false;
	char why[512], over[96];
	if (left > 0.01)
		snprintf(over, sizeof(over),
		         "over the %.1f s left of its %.1f s share of the budget", left,
		         r->workload_share);
	else
		snprintf(over, sizeof(over), "and the workloads' time of the budget is spent");
	snprintf(why, sizeof(why),
	         "its set-up would take about %.1f s here (%s's %.2f s x %.1f, this "
	         "environment's set-ups over %s's, measured before and so far; not measured "
	         "here before), %s",
	         guess, base->env->name, base->setup_s, l->setup_sum_s / l->base_sum_s,
	         base->env->name, over);
	if (r->totals->skipped == NULL)
		r->totals->skipped = json_array();
	json_array_append_new(r->totals->skipped, json_pack("{s:s, s:s, s:s}", "env", l->env->name,
	                                                    "workload", w->name, "reason", why));
	l->skipped = true;
	if (!r->opts->quiet)
		fprintf(stderr, "\nbudget cut: %s: %s not run: %s\n", l->env->name, w->name, why);
	return true;
}

/* Opens w in every lane: the baseline's first, then each other unless its
 * set-up is guessed over the budget's share; set-up sums for the guesses. */
static void open_lanes(struct runner *r, struct lane *lanes[], size_t n, const struct wl_info *w)
{
	struct lane *base = baseline_lane(r, lanes, n);
	if (base != NULL && lane_ok(base))
		open_workload(r, base, w);
	for (size_t i = 0; i < n && !agent_interrupted; i++) {
		struct lane *l = lanes[i];
		if (l == base || !lane_ok(l) || skip_for_budget(r, l, base, w))
			continue;
		open_workload(r, l, w);
		if (base != NULL && lane_ok(base) && lane_ok(l)) {
			l->setup_sum_s += l->setup_s;
			l->base_sum_s += base->setup_s;
		}
	}
}

/* One repetition in the lane, added to c at (block, position). */
static void one_rep(struct runner *r, struct lane *l, const struct wl_info *w, struct collected *c,
                    size_t block, size_t position, const char *what)
{
	const char *rep_cmd[] = {"rep"};
	json_t *reply = NULL;
	struct bench_error *werr = NULL;
	/* steal around the repetition: a failed reading records nothing */
	struct cpu_ticks inst0, inst1, host0, host1;
	(void)cpu_ticks_read(l->spec.binding.cpus, &inst0, NULL);
	(void)cpu_ticks_read(NULL, &host0, NULL);
	double t0 = monotonic_seconds();
	int rc = exchange(r, l, 1, rep_cmd, "rep", &reply, &werr);
	(void)cpu_ticks_read(l->spec.binding.cpus, &inst1, NULL);
	(void)cpu_ticks_read(NULL, &host1, NULL);
	if (rc == 0)
		run_timing_add_timed(&r->totals->timing, l->env->name, w->name,
		                     json_number_value(json_object_get(reply, "elapsed_s")));
	if (rc < 0 || collected_add(c, reply, block, position, &werr) < 0) {
		char where[96];
		snprintf(where, sizeof(where), "%s %s %zu", w->name, what, c->n + 1);
		fail_lane(r, l, &werr, where);
	} else {
		collected_note_steal(c, &inst0, &inst1, &host0, &host1);
	}
	json_decref(reply);
	run_timing_add_workload(&r->totals->timing, l->env->name, w->name,
	                        c == &l->warm ? RUN_PHASE_WARMUP : RUN_PHASE_MEASURE,
	                        monotonic_seconds() - t0, 1);
}

/* Warm-up rounds, one repetition in every lane per round (so every lane
 * gets as many), until the rule has held in every lane (each lane's first
 * time is kept) or the cap is reached. */
static void warm_up(struct runner *r, struct lane *lanes[], size_t n, const struct wl_info *w)
{
	const struct steady_rule *rule = &r->cond->warmup;
	for (size_t round = 0; round < rule->max_reps && !agent_interrupted; round++) {
		bool all_settled = round > 0;
		for (size_t i = 0; i < n; i++)
			if (lane_ok(lanes[i]) && lanes[i]->settled_after == 0)
				all_settled = false;
		if (all_settled)
			return;
		if (round > 0 && over_share(r, 1.0 / 3)) { /* the budget: a third for warming */
			r->totals->budget_cut_warmups++;
			return;
		}
		for (size_t i = 0; i < n && !agent_interrupted; i++) {
			struct lane *l = lanes[i];
			if (!lane_ok(l))
				continue;
			progress(r, l->env->name, " warm-up", n, round, rule->max_reps, w);
			one_rep(r, l, w, &l->warm, round, 0, "warm-up");
			if (l->settled_after == 0 && lane_ok(l) &&
			    steady_settled(l->warm.values[0], l->warm.n, rule))
				l->settled_after = l->warm.n;
		}
	}
}

static bool all_converged(const struct runner *r, struct lane *lanes[], size_t n, size_t blocks,
                          bool interleaved)
{
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		if (!lane_ok(lanes[i]))
			continue;
		any = true;
		if (!collected_converged(&lanes[i]->col, r->opts))
			return false;
	}
	if (!any || blocks >= r->opts->max_reps)
		return true;
	return !interleaved || interleave_balanced(r->cond->scheme, blocks);
}

/* True when the budget ends measuring: the share is used, every lane has
 * min_reps and the block order is balanced. */
static bool budget_spent(const struct runner *r, struct lane *lanes[], size_t n, size_t blocks,
                         bool interleaved)
{
	if (!over_share(r, 1.0))
		return false;
	for (size_t i = 0; i < n; i++)
		if (lane_ok(lanes[i]) && lanes[i]->col.n < r->opts->min_reps)
			return false;
	return !interleaved || interleave_balanced(r->cond->scheme, blocks);
}

/* Measured blocks: each runs one repetition in every lane, in the block's
 * order, until every lane has converged. */
static void measure_blocks(struct runner *r, struct lane *lanes[], size_t n,
                           const struct wl_info *w)
{
	bool interleaved = n > 1;
	size_t order[MAX_LANES];
	for (size_t b = 0; !all_converged(r, lanes, n, b, interleaved) && !agent_interrupted; b++) {
		if (budget_spent(r, lanes, n, b, interleaved)) {
			r->totals->budget_cut_reps++;
			return;
		}
		if (interleaved)
			interleave_order(r->cond->scheme, r->cond->seed, b, n, order);
		else
			order[0] = 0;
		for (size_t pos = 0; pos < n && !agent_interrupted; pos++) {
			struct lane *l = lanes[order[pos]];
			if (!lane_ok(l))
				continue;
			progress(r, interleaved ? r->label : l->env->name, "", n, b,
			         r->opts->max_reps, w);
			one_rep(r, l, w, &l->col, b, pos, "repetition");
		}
	}
}

/* Captures end, instances are accounted, the workload is closed. */
static void finish_workload_untimed(struct runner *r, struct lane *l, const struct wl_info *w)
{
	if (l->capturing)
		l->wire = netpath_capture_end(&l->net);
	l->capturing = false;
	if (!lane_ok(l))
		return;
	struct env_account acct = {
	    .cpu_s = -1, .mem_bytes = -1, .start_s = -1, .backend_cpu_s = -1};
	if (l->env->ops->account(l->inst, &acct, NULL) == 0) {
		l->acct = json_pack("{s:f, s:I, s:f}", "cpu_s", acct.cpu_s, "mem_bytes",
		                    (json_int_t)acct.mem_bytes, "start_s", acct.start_s);
		if (acct.backend_cpu_s >= 0)
			json_object_set_new(l->acct, "backend_cpu_s",
			                    json_real(acct.backend_cpu_s));
		json_object_set_new(l->acct, "mem_node_bytes", numa_mem_to_json(&acct.mem_nodes));
		json_object_set_new(l->acct, "mem_node_source",
		                    acct.mem_nodes.nodes ? json_string(acct.mem_nodes.source)
		                                         : json_null());
	}
	const char *close_cmd[] = {"close"};
	json_t *reply = NULL;
	struct bench_error *werr = NULL;
	char context[96];
	snprintf(context, sizeof(context), "closing %s", w->name);
	if (exchange(r, l, 1, close_cmd, "closed", &reply, &werr) < 0)
		fail_lane(r, l, &werr, context);
	json_decref(reply);
}

static void finish_workload(struct runner *r, struct lane *l, const struct wl_info *w)
{
	double t0 = monotonic_seconds();
	finish_workload_untimed(r, l, w);
	run_timing_add_workload(&r->totals->timing, l->env->name, w->name, RUN_PHASE_TEARDOWN,
	                        monotonic_seconds() - t0, 0);
}

/* When each value ran: its block and place in the block (interleaved), or
 * why the environments were not interleaved. */
static json_t *order_json(const struct runner *r, const struct collected *c, bool interleaved)
{
	if (!interleaved)
		return json_pack("{s:b, s:s}", "interleaved", false, "reason", r->cond->why_not);
	json_t *block = json_array(), *position = json_array();
	for (size_t i = 0; i < c->n; i++) {
		json_array_append_new(block, json_integer((json_int_t)c->block[i]));
		json_array_append_new(position, json_integer((json_int_t)c->position[i]));
	}
	return json_pack("{s:b, s:s, s:I, s:o, s:o}", "interleaved", true, "scheme",
	                 interleave_scheme_name(r->cond->scheme), "seed", (json_int_t)r->cond->seed,
	                 "block", block, "position", position);
}

/* The warm-up before metric m's values: how many, the rule, whether (and
 * after how many) the workload's first metric settled, and metric m's
 * warm-up values. */
static json_t *warmup_json(const struct runner *r, const struct lane *l, size_t m)
{
	const struct collected *warm = &l->warm;
	char rule[256];
	steady_rule_text(&r->cond->warmup, rule, sizeof(rule));
	json_t *values = json_array();
	for (size_t i = 0; m < warm->n_metrics && i < warm->n; i++)
		json_array_append_new(values, json_real(warm->values[m][i]));
	return json_pack("{s:I, s:s, s:b, s:o, s:o}", "reps", (json_int_t)warm->n, "rule", rule,
	                 "settled", l->settled_after > 0, "settled_after",
	                 l->settled_after ? json_integer((json_int_t)l->settled_after)
	                                  : json_null(),
	                 "values", values);
}

static int add_samples(struct runner *r, struct lane *l, const struct wl_info *w, bool interleaved,
                       struct bench_error **err)
{
	struct collected *col = &l->col;
	json_t *seen = json_object_get(col->last_rep, "pinning");
	json_t *pinning = json_pack(
	    "{s:o, s:O, s:O}", "asked", topo_binding_to_json(&l->spec.binding), "backend",
	    l->inst->pinning ? l->inst->pinning : json_null(), "seen", seen ? seen : json_null());
	if (wl_info_takes(w, "peer"))
		json_object_set_new(pinning, "peer", netpath_peer_pinning(&l->net));
	json_t *config = json_pack("{s:o, s:O, s:O}", "asked", wl_asked_config(r->opts, w), "wl",
	                           json_object_get(col->last_rep, "config")
	                               ? json_object_get(col->last_rep, "config")
	                               : json_null(),
	                           "instance", l->acct ? l->acct : json_null());
	size_plan_config(r->cond->sizes, l->env->name, w->name,
	                 json_object_get(col->last_rep, "config"), config);
	json_t *order = order_json(r, col, interleaved);
	json_t *steal = collected_steal_json(col, l->spec.binding.cpus_text);
	int rc = 0;
	for (size_t m = 0; m < col->n_metrics && rc == 0; m++) {
		bool outliers[col->n];
		json_t *warmup = warmup_json(r, l, m);
		struct sample s = {
		    .env = (char *)l->env->name,
		    .workload = w->name,
		    .metric = col->name[m],
		    .unit = col->unit[m],
		    .better = col->better[m],
		    .values = col->values[m],
		    .outliers = outliers,
		    .n_values = col->n,
		    .config = config,
		    .pinning = pinning,
		    .wire = l->wire,
		    .order = order,
		    .warmup = warmup,
		    .steal = steal,
		};
		rc = stats_compute(col->values[m], col->n, &s.stats, outliers, err);
		if (rc == 0)
			rc = run_add_sample(r->run, &s, err);
		json_decref(warmup);
	}
	json_decref(order);
	json_decref(steal);
	json_decref(pinning);
	json_decref(config);
	return rc;
}

static int add_failed(struct runner *r, struct lane *l, const struct wl_info *w, const char *why,
                      json_t *wire, struct bench_error **err)
{
	cleanup_free char *text = l->inst ? agent_stderr(&l->inst->agent, 16384) : NULL;
	json_t *config = json_pack("{s:o}", "asked", wl_asked_config(r->opts, w));
	size_plan_config(r->cond->sizes, l->env->name, w->name, NULL, config);
	json_t *pinning = json_pack("{s:o}", "asked", topo_binding_to_json(&l->spec.binding));
	struct sample s = {
	    .env = (char *)l->env->name,
	    .workload = w->name,
	    .metric = "all",
	    .unit = w->unit,
	    .better = w->better,
	    .config = config,
	    .pinning = pinning,
	    .wire = wire,
	    .failed = true,
	    .error = (char *)why,
	    .stderr_text = text,
	};
	int rc = run_add_sample(r->run, &s, err);
	json_decref(config);
	json_decref(pinning);
	return rc;
}

static void stop_instance(struct runner *r, struct lane *l)
{
	if (l->inst == NULL)
		return;
	double t0 = monotonic_seconds();
	l->env->ops->stop(l->inst);
	l->inst = NULL;
	double dt = monotonic_seconds() - t0;
	r->totals->env_s += dt;
	run_timing_add(&r->totals->timing, l->env->name, RUN_PHASE_STOP, dt);
}

static void lane_reset(struct lane *l)
{
	collected_free(&l->col);
	collected_free(&l->warm);
	json_decref(l->acct);
	json_decref(l->wire);
	l->acct = l->wire = NULL;
	bench_error_free(&l->werr);
	l->capturing = false;
	l->skipped = false;
	l->settled_after = 0;
}

/* w in lanes[0..n) side by side (n > 1: interleaved) or in one lane. Each
 * lane ends with its samples or its failed sample. Returns -1 with *err
 * only when the run must stop (interrupted, or the run file refused a
 * sample). */
static int run_workload(struct runner *r, struct lane *lanes[], size_t n, const struct wl_info *w,
                        struct bench_error **err)
{
	for (size_t i = 0; i < n; i++) {
		lane_reset(lanes[i]);
		ensure_instance(r, lanes[i]);
	}
	open_lanes(r, lanes, n, w);
	warm_up(r, lanes, n, w);
	for (size_t i = 0; i < n; i++) {
		if (lane_ok(lanes[i]) && wl_info_takes(w, "peer")) {
			netpath_capture_begin(&lanes[i]->net, wl_info_takes(w, "req_size"));
			lanes[i]->capturing = true;
		}
	}
	measure_blocks(r, lanes, n, w);
	for (size_t i = 0; i < n; i++)
		finish_workload(r, lanes[i], w);
	if (agent_interrupted) /* no run file is written: nothing to add */
		return bench_error_set(err, 0, "interrupted during %s", w->name);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct lane *l = lanes[i];
		if (l->skipped) /* no sample: totals->skipped says why */
			continue;
		if (lane_ok(l)) {
			rc = add_samples(r, l, w, n > 1, err);
			continue;
		}
		r->totals->failed++;
		rc = add_failed(r, l, w, l->werr->msg, l->wire, err);
		stop_instance(r, l);
	}
	return rc;
}

/* Each lane's set-up ratio to the baseline starts from the costs measured
 * on this host before (so the first costly set-up in a lane is guessed
 * too), then grows with what this run opens. */
static void seed_setup_ratios(struct runner *r)
{
	const struct budget_input *c = r->s->costs;
	size_t base = r->n_lanes;
	for (size_t i = 0; c != NULL && r->s->baseline != NULL && i < r->n_lanes; i++)
		if (strcmp(r->lane[i].env->name, r->s->baseline) == 0)
			base = i;
	for (size_t i = 0; base < r->n_lanes && i < r->n_lanes; i++)
		if (i != base)
			budget_setup_sums(c, i, base, &r->lane[i].setup_sum_s,
			                  &r->lane[i].base_sum_s);
}

static int prepare_lanes(struct runner *r, struct bench_error **err)
{
	const struct runner_setup *s = r->s;
	if (s->n_envs == 0 || s->n_envs > MAX_LANES)
		return bench_error_set(err, 0, "between 1 and %d environments", MAX_LANES);
	for (size_t i = 0; i < s->n_envs; i++) {
		struct lane *l = &r->lane[i];
		l->env = &s->envs[i];
		if (env_spec_init(&l->spec, s->opts, s->topo, s->binding, s->wl_path,
		                  s->scratch_dir, err) < 0)
			return -1;
		env_spec_choose(&l->spec, l->env);
		if (size_plan_memory(r->cond->sizes, l->env->name) != 0)
			l->spec.memory_bytes = size_plan_memory(r->cond->sizes, l->env->name);
		l->spec.io = &r->cond->io;
		l->net.topo = s->topo;
		l->net.peer_cpus = &r->cond->peer;
		r->n_lanes = i + 1;
		snprintf(r->label + strlen(r->label), sizeof(r->label) - strlen(r->label), "%s%s",
		         i ? "," : "", l->env->name);
		double t0 = monotonic_seconds();
		l->prepared = true;
		int prc = l->env->ops->prepare(&l->spec, err);
		run_timing_add(&r->totals->timing, l->env->name, RUN_PHASE_PREPARE,
		               monotonic_seconds() - t0);
		if (prc < 0)
			return bench_error_wrap(err, "preparing environment %s", l->env->name);
	}
	return 0;
}

int runner_run(const struct runner_setup *s, struct run_conditions *cond, struct run *run,
               struct runner_totals *totals, struct bench_error **err)
{
	double t0 = monotonic_seconds();
	memset(totals, 0, sizeof(*totals));
	struct runner r = {.s = s,
	                   .opts = s->opts,
	                   .cond = cond,
	                   .run = run,
	                   .totals = totals,
	                   .deadline = s->opts->budget_s > 0 ? t0 + s->opts->budget_s : 0};
	cleanup_free size_t *sel = NULL;
	size_t n_sel = 0;
	int rc = prepare_lanes(&r, err);
	if (rc == 0)
		rc = catalog_select(s->cat, s->opts->workloads, &sel, &n_sel, err);
	progress_init(&r.progress, s->opts->quiet);
	r.workload_count = n_sel;
	seed_setup_ratios(&r);
	/* interleaved: workload by workload, all lanes at once; else lane by
	 * lane, every workload in each */
	size_t rounds = cond->interleaved ? 1 : r.n_lanes;
	for (size_t k = 0; k < rounds && rc == 0; k++) {
		for (size_t i = 0; i < n_sel && rc == 0; i++) {
			struct lane *lanes[MAX_LANES];
			size_t n = 0;
			for (size_t j = 0; j < r.n_lanes; j++)
				if ((cond->interleaved || j == k) &&
				    (s->planned == NULL || s->planned[i][j]))
					lanes[n++] = &r.lane[j];
			if (n == 0)
				continue;
			r.workload_index = i;
			r.workload_start = monotonic_seconds();
			r.workload_share = runner_budget_share(r.deadline, r.workload_start,
			                                       (rounds - k) * n_sel - i);
			rc = run_workload(&r, lanes, n, &s->cat->items[sel[i]], err);
		}
		if (!cond->interleaved && k < r.n_lanes) {
			netpath_close(&r.lane[k].net);
			stop_instance(&r, &r.lane[k]);
		}
	}
	for (size_t j = 0; j < r.n_lanes; j++) {
		netpath_close(&r.lane[j].net);
		stop_instance(&r, &r.lane[j]);
		lane_reset(&r.lane[j]);
		if (r.lane[j].prepared && r.lane[j].env->ops->release != NULL)
			r.lane[j].env->ops->release(&r.lane[j].spec);
	}
	progress_done(&r.progress);
	totals->wall_s = monotonic_seconds() - t0;
	return rc;
}
