#include "runner.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "clock.h"
#include "progress.h"

#define MAX_METRICS   32
#define MAX_OPEN_ARGS 16

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

/* Builds the open command for w from the options. Returns argc. */
static size_t open_args(const struct run_options *o, const struct wl_info *w, uint64_t llc,
                        const char *argv[MAX_OPEN_ARGS], char threads[16], char llc_text[32])
{
	size_t n = 0;
	argv[n++] = "open";
	argv[n++] = w->name;
	snprintf(threads, 16, "%u", o->threads);
	if (wl_info_takes(w, "threads")) {
		argv[n++] = "--threads";
		argv[n++] = threads;
	}
	const struct {
		const char *param, *flag, *value;
	} passthrough[] = {
	    {"size", "--size", o->size},
	    {"duration", "--duration", o->duration},
	    {"iterations", "--iterations", o->iterations},
	};
	for (size_t i = 0; i < sizeof(passthrough) / sizeof(passthrough[0]); i++) {
		if (passthrough[i].value != NULL && wl_info_takes(w, passthrough[i].param)) {
			argv[n++] = passthrough[i].flag;
			argv[n++] = passthrough[i].value;
		}
	}
	if (llc > 0 && wl_info_takes(w, "llc_bytes")) {
		snprintf(llc_text, 32, "%" PRIu64, llc);
		argv[n++] = "--llc-bytes";
		argv[n++] = llc_text;
	}
	return n;
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
                   json_t **instance_acct, struct bench_error **err)
{
	const char *argv[MAX_OPEN_ARGS];
	char threads[16], llc[32];
	size_t argc = open_args(ctx->opts, w, topo_llc_bytes(ctx->spec->topo), argv, threads, llc);
	json_t *reply = NULL;
	if (exchange(ctx, argc, argv, "opened", &reply, err) < 0)
		return bench_error_wrap(err, "opening %s", w->name);
	json_decref(reply);
	const char *rep_cmd[] = {"rep"};
	char label[128];
	snprintf(label, sizeof(label), "%s/%s warm-up", ctx->env->name, w->name);
	progress_update(ctx->progress, label, 0, ctx->opts->max_reps, eta(ctx, 0));
	if (exchange(ctx, 1, rep_cmd, "rep", &reply, err) < 0)
		return bench_error_wrap(err, "%s warm-up repetition", w->name);
	json_decref(reply);
	snprintf(label, sizeof(label), "%s/%s", ctx->env->name, w->name);
	while (!collected_converged(col, ctx->opts)) {
		progress_update(ctx->progress, label, (unsigned)col->n + 1, ctx->opts->max_reps,
		                eta(ctx, col->n));
		if (exchange(ctx, 1, rep_cmd, "rep", &reply, err) < 0)
			return bench_error_wrap(err, "%s repetition %zu", w->name, col->n + 1);
		int rc = collected_add(col, reply, err);
		json_decref(reply);
		if (rc < 0)
			return bench_error_wrap(err, "%s repetition %zu", w->name, col->n + 1);
	}
	struct env_account acct = {-1, -1, -1};
	if (ctx->env->account(ctx->inst, &acct, NULL) == 0)
		*instance_acct = json_pack("{s:f, s:I, s:f}", "cpu_s", acct.cpu_s, "mem_bytes",
		                           (json_int_t)acct.mem_bytes, "start_s", acct.start_s);
	const char *close_cmd[] = {"close"};
	if (exchange(ctx, 1, close_cmd, "closed", &reply, err) < 0)
		return bench_error_wrap(err, "closing %s", w->name);
	json_decref(reply);
	return 0;
}

static json_t *asked_config(const struct run_options *o, const struct wl_info *w)
{
	json_t *c = json_pack("{s:i}", "threads", (int)o->threads);
	if (o->size && wl_info_takes(w, "size"))
		json_object_set_new(c, "size", json_string(o->size));
	if (o->duration && wl_info_takes(w, "duration"))
		json_object_set_new(c, "duration", json_string(o->duration));
	if (o->iterations && wl_info_takes(w, "iterations"))
		json_object_set_new(c, "iterations", json_string(o->iterations));
	json_object_set_new(c, "min_reps", json_integer(o->min_reps));
	json_object_set_new(c, "max_reps", json_integer(o->max_reps));
	json_object_set_new(c, "target_ci_pct", json_real(o->target_ci));
	json_object_set_new(c, "warmup_reps", json_integer(1));
	return c;
}

static int add_samples(struct run *run, struct workload_ctx *ctx, const struct wl_info *w,
                       struct collected *col, json_t *acct, struct bench_error **err)
{
	json_t *seen = json_object_get(col->last_rep, "pinning");
	json_t *pinning =
	    json_pack("{s:o, s:O, s:O}", "asked", topo_binding_to_json(&ctx->spec->binding),
	              "backend", ctx->inst->pinning ? ctx->inst->pinning : json_null(), "seen",
	              seen ? seen : json_null());
	json_t *config = json_pack("{s:o, s:O, s:O}", "asked", asked_config(ctx->opts, w), "wl",
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
                      const char *why, struct bench_error **err)
{
	cleanup_free char *text = ctx->inst ? agent_stderr(&ctx->inst->agent, 16384) : NULL;
	json_t *config = json_pack("{s:o}", "asked", asked_config(ctx->opts, w));
	json_t *pinning = json_pack("{s:o}", "asked", topo_binding_to_json(&ctx->spec->binding));
	struct sample s = {
	    .env = (char *)ctx->env->name,
	    .workload = w->name,
	    .metric = "all",
	    .unit = w->unit,
	    .better = w->better,
	    .config = config,
	    .pinning = pinning,
	    .failed = true,
	    .error = (char *)why,
	    .stderr_text = text,
	};
	int rc = run_add_sample(run, &s, err);
	json_decref(config);
	json_decref(pinning);
	return rc;
}

int runner_run(const struct run_options *opts, const struct env_ops *env, const struct catalog *cat,
               const struct topo *topo, const struct topo_binding *binding, const char *wl_path,
               struct run *run, struct runner_totals *totals, struct bench_error **err)
{
	double t0 = monotonic_seconds();
	memset(totals, 0, sizeof(*totals));
	struct env_spec spec = {.topo = topo, .binding = *binding, .wl_path = wl_path};
	if (env->prepare(&spec, err) < 0)
		return bench_error_wrap(err, "preparing environment %s", env->name);
	cleanup_free size_t *sel = NULL;
	size_t n_sel = 0;
	if (catalog_select(cat, opts->workloads, &sel, &n_sel, err) < 0)
		return -1;
	struct progress progress;
	progress_init(&progress, opts->quiet);
	struct workload_ctx ctx = {
	    .opts = opts, .env = env, .spec = &spec, .progress = &progress, .totals = totals};
	int rc = 0;
	for (size_t i = 0; i < n_sel && rc == 0; i++) {
		const struct wl_info *w = &cat->items[sel[i]];
		ctx.remaining_workloads = n_sel - i - 1;
		struct bench_error *werr = NULL;
		struct collected col = {0};
		json_t *acct = NULL;
		if (ctx.inst == NULL && (env->start(&spec, &ctx.inst, &werr) < 0 ||
		                         env->pin(ctx.inst, &spec, &werr) < 0))
			bench_error_wrap(&werr, "starting %s", env->name);
		if (werr == NULL && measure(&ctx, w, &col, &acct, &werr) == 0)
			rc = add_samples(run, &ctx, w, &col, acct, err);
		if (werr != NULL) {
			totals->failed++;
			rc = add_failed(run, &ctx, w, werr->msg, err);
			if (ctx.inst != NULL)
				env->stop(ctx.inst);
			ctx.inst = NULL;
			if (agent_interrupted && rc == 0)
				rc = bench_error_set(err, 0, "%s", werr->msg);
			bench_error_free(&werr);
		}
		json_decref(acct);
		collected_free(&col);
	}
	if (ctx.inst != NULL)
		env->stop(ctx.inst);
	progress_done(&progress);
	totals->wall_s = monotonic_seconds() - t0;
	return rc;
}
