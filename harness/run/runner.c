#include "harness/run/runner.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"
#include "harness/core/clock.h"
#include "harness/run/netpath.h"
#include "harness/core/progress.h"
#include "harness/run/wl_args.h"

#define MAX_METRICS 32

/* Values collected for one workload, metric by metric. */
struct collected {
	size_t n_metrics;
	char *name[MAX_METRICS];
	char *unit[MAX_METRICS];
	enum better better[MAX_METRICS];
	double *values[MAX_METRICS];
	size_t n; /* measured repetitions so far */
	size_t cap;
	json_t *last_rep; /* the last repetition object (config, pinning) */
};

static void collected_free(struct collected *c)
{
	for (size_t m = 0; m < c->n_metrics; m++) {
		free(c->name[m]);
		free(c->unit[m]);
		free(c->values[m]);
	}
	json_decref(c->last_rep);
	memset(c, 0, sizeof(*c));
}

/* Adds one repetition's metrics; the first repetition fixes the metric set. */
static int collected_add(struct collected *c, json_t *rep, struct bench_error **err)
{
	json_t *metrics = json_object_get(rep, "metrics");
	if (!json_is_array(metrics) || json_array_size(metrics) == 0 ||
	    json_array_size(metrics) > MAX_METRICS)
		return bench_error_set(err, 0, "repetition has no usable 'metrics' array");
	if (json_object_get(rep, "valid") != json_true())
		return bench_error_set(err, 0, "the workload reported an invalid result");
	if (c->n == 0 && c->n_metrics == 0) {
		for (size_t m = 0; m < json_array_size(metrics); m++) {
			json_t *mj = json_array_get(metrics, m);
			const char *name = json_string_value(json_object_get(mj, "name"));
			const char *unit = json_string_value(json_object_get(mj, "unit"));
			const char *better = json_string_value(json_object_get(mj, "better"));
			if (!name || !unit || !better)
				return bench_error_set(err, 0, "metric %zu lacks name/unit/better",
				                       m);
			c->name[m] = strdup(name);
			c->unit[m] = strdup(unit);
			c->better[m] = strcmp(better, "lower") == 0 ? BETTER_LOWER : BETTER_HIGHER;
			c->n_metrics = m + 1;
		}
	}
	if (json_array_size(metrics) != c->n_metrics)
		return bench_error_set(err, 0, "the set of metrics changed between repetitions");
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		for (size_t m = 0; m < c->n_metrics; m++) {
			double *nv = realloc(c->values[m], cap * sizeof(double));
			if (nv == NULL)
				return bench_error_set(err, ENOMEM, "repetition values");
			c->values[m] = nv;
		}
		c->cap = cap;
	}
	for (size_t m = 0; m < c->n_metrics; m++) {
		json_t *mj = json_array_get(metrics, m);
		const char *name = json_string_value(json_object_get(mj, "name"));
		json_t *v = json_object_get(mj, "value");
		if (name == NULL || strcmp(name, c->name[m]) != 0 || !json_is_number(v))
			return bench_error_set(err, 0, "metric %zu ('%s') changed or has no value",
			                       m, c->name[m]);
		c->values[m][c->n] = json_number_value(v);
	}
	c->n++;
	json_decref(c->last_rep);
	c->last_rep = json_incref(rep);
	return 0;
}

static bool collected_converged(const struct collected *c, const struct run_options *o)
{
	if (c->n >= o->max_reps)
		return true;
	if (c->n < o->min_reps)
		return false;
	for (size_t m = 0; m < c->n_metrics; m++) {
		struct stats s;
		if (stats_compute(c->values[m], c->n, &s, NULL, NULL) < 0 ||
		    !stats_converged(&s, o->min_reps, o->max_reps, o->target_ci / 100.0))
			return false;
	}
	return true;
}

struct workload_ctx {
	const struct run_options *opts;
	const struct env_ops *env;
	const struct env_spec *spec;
	struct env_instance *inst;
	struct progress *progress;
	struct runner_totals *totals;
	double rep_time_sum; /* for the ETA */
	unsigned rep_time_n;
	size_t remaining_workloads;
	size_t workload_index, workload_count; /* for the progress line */
	const char *wl_path;
	struct netpath net; /* peer + capture, started by the first network workload */
};

/* Sends one command and waits for the expected reply, counting the wait as
 * time inside the workload. */
static int exchange(struct workload_ctx *ctx, size_t argc, const char *argv[], const char *type,
                    json_t **reply, struct bench_error **err)
{
	double t0 = monotonic_seconds();
	int rc = agent_send(&ctx->inst->agent, argc, argv, err);
	if (rc == 0)
		rc = agent_expect(&ctx->inst->agent, type, (int)(ctx->opts->timeout_s * 1000),
		                  reply, err);
	double dt = monotonic_seconds() - t0;
	ctx->totals->in_workload_s += dt;
	if (rc == 0 && strcmp(type, "rep") == 0) {
		ctx->rep_time_sum += dt;
		ctx->rep_time_n++;
		ctx->totals->timed_s += json_number_value(json_object_get(*reply, "elapsed_s"));
	}
	return rc;
}

static double eta(const struct workload_ctx *ctx, size_t done_here)
{
	if (ctx->rep_time_n == 0)
		return -1;
	double per_rep = ctx->rep_time_sum / ctx->rep_time_n;
	double here = done_here < ctx->opts->min_reps ? ctx->opts->min_reps - done_here : 1;
	return per_rep * (here + (double)ctx->remaining_workloads * (ctx->opts->min_reps + 1));
}

static int measure(struct workload_ctx *ctx, const struct wl_info *w, struct collected *col,
                   json_t **instance_acct, json_t **wire, struct bench_error **err)
{
	struct wl_open_facts facts = {
	    .llc_bytes = topo_llc_bytes(ctx->spec->topo),
	    .disk_dir = ctx->spec->work_dir,
	    .disk_path = ctx->inst->disk_path[0] ? ctx->inst->disk_path : NULL,
	};
	bool networked = wl_info_takes(w, "peer");
	if (networked) {
		if (netpath_ensure(&ctx->net, ctx->wl_path, ctx->env, ctx->inst, err) < 0)
			return -1;
		facts.peer_addr = ctx->net.server.address;
		facts.tcp_port = ctx->net.server.tcp_port;
		facts.udp_port = ctx->net.server.udp_port;
	}
	struct wl_open_cmd cmd;
	wl_open_cmd_build(&cmd, ctx->opts, w, &facts);
	json_t *reply = NULL;
	if (exchange(ctx, cmd.argc, cmd.argv, "opened", &reply, err) < 0)
		return bench_error_wrap(err, "opening %s", w->name);
	json_decref(reply);
	const char *rep_cmd[] = {"rep"};
	char label[128];
	snprintf(label, sizeof(label), "[%zu/%zu] %s/%s warm-up", ctx->workload_index + 1,
	         ctx->workload_count, ctx->env->name, w->name);
	progress_update(ctx->progress, label, 0, ctx->opts->max_reps, eta(ctx, 0));
	if (exchange(ctx, 1, rep_cmd, "rep", &reply, err) < 0)
		return bench_error_wrap(err, "%s warm-up repetition", w->name);
	json_decref(reply);
	snprintf(label, sizeof(label), "[%zu/%zu] %s/%s", ctx->workload_index + 1,
	         ctx->workload_count, ctx->env->name, w->name);
	if (networked)
		netpath_capture_begin(&ctx->net, wl_info_takes(w, "req_size"));
	int rc = 0;
	while (rc == 0 && !collected_converged(col, ctx->opts)) {
		progress_update(ctx->progress, label, (unsigned)col->n + 1, ctx->opts->max_reps,
		                eta(ctx, col->n));
		rc = exchange(ctx, 1, rep_cmd, "rep", &reply, err);
		if (rc == 0) {
			rc = collected_add(col, reply, err);
			json_decref(reply);
		}
		if (rc < 0)
			bench_error_wrap(err, "%s repetition %zu", w->name, col->n + 1);
	}
	if (networked)
		*wire = netpath_capture_end(&ctx->net);
	if (rc < 0)
		return -1;
	struct env_account acct = {-1, -1, -1, -1};
	if (ctx->env->account(ctx->inst, &acct, NULL) == 0) {
		*instance_acct = json_pack("{s:f, s:I, s:f}", "cpu_s", acct.cpu_s, "mem_bytes",
		                           (json_int_t)acct.mem_bytes, "start_s", acct.start_s);
		if (acct.backend_cpu_s >= 0)
			json_object_set_new(*instance_acct, "backend_cpu_s",
			                    json_real(acct.backend_cpu_s));
	}
	const char *close_cmd[] = {"close"};
	if (exchange(ctx, 1, close_cmd, "closed", &reply, err) < 0)
		return bench_error_wrap(err, "closing %s", w->name);
	json_decref(reply);
	return 0;
}

static int add_samples(struct run *run, struct workload_ctx *ctx, const struct wl_info *w,
                       struct collected *col, json_t *acct, json_t *wire, struct bench_error **err)
{
	json_t *seen = json_object_get(col->last_rep, "pinning");
	json_t *pinning =
	    json_pack("{s:o, s:O, s:O}", "asked", topo_binding_to_json(&ctx->spec->binding),
	              "backend", ctx->inst->pinning ? ctx->inst->pinning : json_null(), "seen",
	              seen ? seen : json_null());
	json_t *config = json_pack("{s:o, s:O, s:O}", "asked", wl_asked_config(ctx->opts, w), "wl",
	                           json_object_get(col->last_rep, "config")
	                               ? json_object_get(col->last_rep, "config")
	                               : json_null(),
	                           "instance", acct ? acct : json_null());
	int rc = 0;
	for (size_t m = 0; m < col->n_metrics && rc == 0; m++) {
		bool outliers[col->n];
		struct sample s = {
		    .env = (char *)ctx->env->name,
		    .workload = w->name,
		    .metric = col->name[m],
		    .unit = col->unit[m],
		    .better = col->better[m],
		    .values = col->values[m],
		    .outliers = outliers,
		    .n_values = col->n,
		    .config = config,
		    .pinning = pinning,
		    .wire = wire,
		};
		rc = stats_compute(col->values[m], col->n, &s.stats, outliers, err);
		if (rc == 0)
			rc = run_add_sample(run, &s, err);
	}
	json_decref(pinning);
	json_decref(config);
	return rc;
}

static int add_failed(struct run *run, struct workload_ctx *ctx, const struct wl_info *w,
                      const char *why, json_t *wire, struct bench_error **err)
{
	cleanup_free char *text = ctx->inst ? agent_stderr(&ctx->inst->agent, 16384) : NULL;
	json_t *config = json_pack("{s:o}", "asked", wl_asked_config(ctx->opts, w));
	json_t *pinning = json_pack("{s:o}", "asked", topo_binding_to_json(&ctx->spec->binding));
	struct sample s = {
	    .env = (char *)ctx->env->name,
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
	int rc = run_add_sample(run, &s, err);
	json_decref(config);
	json_decref(pinning);
	return rc;
}

static void stop_timed(const struct env_ops *env, struct env_instance *inst,
                       struct runner_totals *totals)
{
	double t0 = monotonic_seconds();
	env->stop(inst);
	totals->env_s += monotonic_seconds() - t0;
}

int runner_run(const struct run_options *opts, const struct env_ops *env, const struct catalog *cat,
               const struct topo *topo, const struct topo_binding *binding, const char *wl_path,
               const char *scratch_dir, struct run *run, struct runner_totals *totals,
               struct bench_error **err)
{
	double t0 = monotonic_seconds();
	memset(totals, 0, sizeof(*totals));
	struct env_spec spec;
	if (env_spec_init(&spec, opts, topo, binding, wl_path, scratch_dir, err) < 0)
		return -1;
	if (env->prepare(&spec, err) < 0)
		return bench_error_wrap(err, "preparing environment %s", env->name);
	cleanup_free size_t *sel = NULL;
	size_t n_sel = 0;
	if (catalog_select(cat, opts->workloads, &sel, &n_sel, err) < 0)
		return -1;
	struct progress progress;
	progress_init(&progress, opts->quiet);
	struct workload_ctx ctx = {.opts = opts,
	                           .env = env,
	                           .spec = &spec,
	                           .progress = &progress,
	                           .totals = totals,
	                           .wl_path = wl_path};
	int rc = 0;
	for (size_t i = 0; i < n_sel && rc == 0; i++) {
		const struct wl_info *w = &cat->items[sel[i]];
		ctx.remaining_workloads = n_sel - i - 1;
		ctx.workload_index = i;
		ctx.workload_count = n_sel;
		struct bench_error *werr = NULL;
		struct collected col = {0};
		json_t *acct = NULL, *wire = NULL;
		double t_env = monotonic_seconds();
		if (ctx.inst == NULL && (env->start(&spec, &ctx.inst, &werr) < 0 ||
		                         env->pin(ctx.inst, &spec, &werr) < 0))
			bench_error_wrap(&werr, "starting %s", env->name);
		totals->env_s += monotonic_seconds() - t_env;
		if (werr == NULL && measure(&ctx, w, &col, &acct, &wire, &werr) == 0)
			rc = add_samples(run, &ctx, w, &col, acct, wire, err);
		if (werr != NULL) {
			totals->failed++;
			rc = add_failed(run, &ctx, w, werr->msg, wire, err);
			if (ctx.inst != NULL)
				stop_timed(env, ctx.inst, totals);
			ctx.inst = NULL;
			if (agent_interrupted && rc == 0)
				rc = bench_error_set(err, 0, "%s", werr->msg);
			bench_error_free(&werr);
		}
		json_decref(acct);
		json_decref(wire);
		collected_free(&col);
	}
	netpath_close(&ctx.net);
	if (ctx.inst != NULL)
		stop_timed(env, ctx.inst, totals);
	progress_done(&progress);
	totals->wall_s = monotonic_seconds() - t0;
	return rc;
}
