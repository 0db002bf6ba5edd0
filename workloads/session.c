/* Open / rep / close of one workload, shared by `wl run` and the agent,
 * and the rep object printer. */
#include "workload.h"
#include "json_out.h"

#include <string.h>

int wl_open(struct wl_ctx *ctx, const struct workload *w, const struct wl_config *cfg,
            double *setup_s, char *errbuf, size_t errlen)
{
	_cleanup_free_ int *allowed = NULL;
	char list[1024];
	double t0;
	int n;

	memset(ctx, 0, sizeof(*ctx));
	ctx->w = w;
	ctx->cfg = *cfg;
	if (!ctx->cfg.llc_bytes)
		ctx->cfg.llc_bytes = pin_llc_bytes();
	n = pin_allowed_cpus(&allowed, errbuf, errlen);
	if (n < 0)
		return -1;
	pin_cpulist(allowed, (size_t)n, list, sizeof(list));
	ctx->cpus_allowed = strdup(list);
	ctx->thread_cpus = calloc(ctx->cfg.threads, sizeof(int));
	ctx->cpus_ran = calloc(ctx->cfg.threads, sizeof(int));
	if (!ctx->cpus_allowed || !ctx->thread_cpus || !ctx->cpus_ran) {
		wl_close(ctx);
		return wl_err(errbuf, errlen, "out of memory");
	}
	for (unsigned i = 0; i < ctx->cfg.threads; i++) {
		ctx->thread_cpus[i] = allowed[i % (unsigned)n];
		ctx->cpus_ran[i] = -1;
	}
	pthread_barrier_init(&ctx->barrier, NULL, ctx->cfg.threads);
	t0 = wl_now();
	if (w->setup(ctx, errbuf, errlen) < 0) {
		pthread_barrier_destroy(&ctx->barrier);
		wl_close(ctx);
		return -1;
	}
	*setup_s = wl_now() - t0;
	ctx->opened = true;
	return 0;
}

int wl_rep(struct wl_ctx *ctx, struct wl_result *res, char *errbuf, size_t errlen)
{
	memset(res, 0, sizeof(*res));
	res->valid = true;
	if (ctx->w->rep(ctx, res, errbuf, errlen) < 0)
		return -1;
	pin_mem_nodes(ctx->mem_base, ctx->mem_len, res->mem_nodes, sizeof(res->mem_nodes));
	pin_mem_policy(res->mem_policy, sizeof(res->mem_policy));
	return 0;
}

void wl_close(struct wl_ctx *ctx)
{
	if (ctx->opened) {
		ctx->w->teardown(ctx);
		pthread_barrier_destroy(&ctx->barrier);
	}
	free(ctx->thread_cpus);
	free(ctx->cpus_ran);
	free(ctx->cpus_allowed);
	memset(ctx, 0, sizeof(*ctx));
}

void wl_print_rep(FILE *f, const struct wl_ctx *ctx, unsigned rep, const struct wl_result *res)
{
	const struct workload *w = ctx->w;
	const struct wl_config *c = &ctx->cfg;
	char ran[1024];
	struct jw j;

	jw_init(&j, f);
	jw_open(&j, NULL, '{');
	jw_str(&j, "type", "rep");
	jw_str(&j, "workload", w->name);
	jw_int(&j, "rep", rep);
	jw_num(&j, "elapsed_s", res->elapsed_s);
	jw_bool(&j, "valid", res->valid);
	jw_open(&j, "metrics", '[');
	for (unsigned i = 0; i < res->nmetrics; i++) {
		jw_open(&j, NULL, '{');
		jw_str(&j, "name", res->m[i].name);
		jw_str(&j, "unit", res->m[i].unit ? res->m[i].unit : w->unit);
		jw_str(&j, "better",
		       res->m[i].better         ? res->m[i].better
		       : w->better == WL_HIGHER ? "higher"
		                                : "lower");
		jw_num(&j, "value", res->m[i].value);
		jw_close(&j);
	}
	jw_close(&j);
	jw_open(&j, "config", '{');
	jw_int(&j, "threads", c->threads);
	if (w->params & WL_P_SIZE)
		jw_int(&j, "size_bytes", (int64_t)c->size_bytes);
	if ((w->params & WL_P_DURATION) && c->duration_s > 0)
		jw_num(&j, "duration_s", c->duration_s);
	if ((w->params & WL_P_ITERATIONS) && c->iterations)
		jw_int(&j, "iterations", (int64_t)c->iterations);
	if (w->params & WL_P_LLC)
		jw_int(&j, "llc_bytes", (int64_t)c->llc_bytes);
	if (w->print_config)
		w->print_config(&j, ctx);
	jw_close(&j);
	jw_open(&j, "pinning", '{');
	jw_str(&j, "cpus_allowed", ctx->cpus_allowed);
	jw_open(&j, "thread_cpus", '[');
	for (unsigned i = 0; i < c->threads; i++)
		jw_int(&j, NULL, ctx->thread_cpus[i]);
	jw_close(&j);
	pin_cpulist(ctx->cpus_ran, c->threads, ran, sizeof(ran));
	jw_str(&j, "cpus_ran", ran);
	jw_str(&j, "mem_nodes", res->mem_nodes);
	jw_str(&j, "mem_policy", res->mem_policy);
	jw_close(&j);
	jw_close(&j);
	fputc('\n', f);
}
