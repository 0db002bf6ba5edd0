/* mem.stream: the four STREAM kernels (McCalpin) over three double arrays.
 *
 * Per rep every kernel runs --iterations times (default 5) and, as STREAM's
 * "Best Rate", the minimum time of each kernel is reported. Unlike STREAM
 * the first pass is not discarded: pages are first-touched at setup. Bytes
 * are counted as STREAM does: copy and scale move 2 arrays, add and triad 3
 * (write-allocate traffic is not counted). Threads split the index range
 * statically in whole pages, each first-touching its part. Before every rep
 * the arrays are reset to a=1, b=2, c=0 (untimed); after it they must match
 * STREAM's scalar recurrence within relative 1e-13. */
#include "workload.h"

#include <math.h>
#include <string.h>

enum { K_COPY, K_SCALE, K_ADD, K_TRIAD, NKERNELS };
static const char *const kernel_name[NKERNELS] = {"copy", "scale", "add", "triad"};
static const double kernel_arrays[NKERNELS] = {2, 2, 3, 3};
static const double scalar = 3.0;
#define PAGE_DOUBLES 512 /* partition unit: 4 KiB */

struct stream {
	size_t n, bytes;
	void *map; /* one mapping holding the three arrays */
	size_t map_len;
	double *a, *b, *c;
	double best[NKERNELS];
	unsigned long long *bad; /* [threads] elements off in the last check */
};

/* The kernels as plain loops; restrict lets GCC -O2 vectorise them. */
static void k_copy(double *restrict c, const double *restrict a, size_t n)
{
	for (size_t j = 0; j < n; j++)
		c[j] = a[j];
}

static void k_scale(double *restrict b, const double *restrict c, size_t n)
{
	for (size_t j = 0; j < n; j++)
		b[j] = scalar * c[j];
}

static void k_add(double *restrict c, const double *restrict a, const double *restrict b, size_t n)
{
	for (size_t j = 0; j < n; j++)
		c[j] = a[j] + b[j];
}

static void k_triad(double *restrict a, const double *restrict b, const double *restrict c,
                    size_t n)
{
	for (size_t j = 0; j < n; j++)
		a[j] = b[j] + scalar * c[j];
}

static int stream_reset(struct wl_ctx *ctx, unsigned tid, void *arg, char *errbuf, size_t errlen)
{
	struct stream *st = ctx->priv;
	size_t j0, j1;

	(void)arg, (void)errbuf, (void)errlen;
	wl_split(st->n, ctx->cfg.threads, tid, PAGE_DOUBLES, &j0, &j1);
	for (size_t j = j0; j < j1; j++) {
		st->a[j] = 1.0;
		st->b[j] = 2.0;
		st->c[j] = 0.0;
	}
	return 0;
}

/* Waits for all threads; thread 0 returns the time. */
static double sync_time(struct wl_ctx *ctx, unsigned tid)
{
	pthread_barrier_wait(&ctx->barrier);
	return tid == 0 ? wl_now() : 0;
}

static int stream_run(struct wl_ctx *ctx, unsigned tid, void *arg, char *errbuf, size_t errlen)
{
	struct stream *st = ctx->priv;
	size_t j0, j1, m;

	(void)arg, (void)errbuf, (void)errlen;
	wl_split(st->n, ctx->cfg.threads, tid, PAGE_DOUBLES, &j0, &j1);
	m = j1 - j0;
	for (int k = 0; tid == 0 && k < NKERNELS; k++)
		st->best[k] = INFINITY;
	for (uint64_t it = 0; it < ctx->cfg.iterations; it++) {
		double t[NKERNELS + 1];

		t[0] = sync_time(ctx, tid);
		k_copy(st->c + j0, st->a + j0, m);
		t[1] = sync_time(ctx, tid);
		k_scale(st->b + j0, st->c + j0, m);
		t[2] = sync_time(ctx, tid);
		k_add(st->c + j0, st->a + j0, st->b + j0, m);
		t[3] = sync_time(ctx, tid);
		k_triad(st->a + j0, st->b + j0, st->c + j0, m);
		t[4] = sync_time(ctx, tid);
		for (int k = 0; tid == 0 && k < NKERNELS; k++)
			st->best[k] = fmin(st->best[k], t[k + 1] - t[k]);
	}
	return 0;
}

static bool close_to(double got, double want)
{
	return fabs(got - want) <= 1e-13 * fabs(want);
}

static int stream_check(struct wl_ctx *ctx, unsigned tid, void *arg, char *errbuf, size_t errlen)
{
	struct stream *st = ctx->priv;
	const double *want = arg;
	unsigned long long bad = 0;
	size_t j0, j1;

	(void)errbuf, (void)errlen;
	wl_split(st->n, ctx->cfg.threads, tid, PAGE_DOUBLES, &j0, &j1);
	for (size_t j = j0; j < j1; j++)
		bad += !close_to(st->a[j], want[0]) + !close_to(st->b[j], want[1]) +
		       !close_to(st->c[j], want[2]);
	st->bad[tid] = bad;
	return 0;
}

static void stream_teardown(struct wl_ctx *ctx)
{
	struct stream *st = ctx->priv;

	if (!st)
		return;
	wl_unmap(st->map, st->map_len);
	free(st->bad);
	free(st);
	ctx->priv = NULL;
}

static int stream_setup(struct wl_ctx *ctx, char *errbuf, size_t errlen)
{
	struct wl_config *c = &ctx->cfg;
	struct stream *st;
	void *arr[3];

	if (!c->size_bytes) {
		c->size_bytes = 4 * c->llc_bytes > 32 * MIB ? 4 * c->llc_bytes : 32 * MIB;
		c->size_bytes = (c->size_bytes + 4095) & ~4095ull;
	}
	if (!c->iterations)
		c->iterations = 5;
	if (c->size_bytes < 4096 || c->iterations > 200)
		return wl_err(errbuf, errlen, "need --size >= 4K and --iterations <= 200");
	st = ctx->priv = calloc(1, sizeof(*st));
	if (!st || !(st->bad = calloc(c->threads, sizeof(*st->bad)))) {
		stream_teardown(ctx);
		return wl_err(errbuf, errlen, "out of memory");
	}
	st->n = c->size_bytes / sizeof(double);
	st->bytes = st->n * sizeof(double);
	c->size_bytes = st->bytes;
	/* one page apart, like STREAM's OFFSET (see wl_map_arrays) */
	st->map = wl_map_arrays(st->bytes, 3, arr, &st->map_len, errbuf, errlen);
	if (!st->map) {
		stream_teardown(ctx);
		return -1;
	}
	st->a = arr[0], st->b = arr[1], st->c = arr[2];
	if (wl_parallel(ctx, stream_reset, NULL, NULL, errbuf, errlen) < 0) {
		stream_teardown(ctx);
		return -1;
	}
	ctx->mem_base = st->a;
	ctx->mem_len = st->bytes;
	return 0;
}

static int stream_rep(struct wl_ctx *ctx, struct wl_result *res, char *errbuf, size_t errlen)
{
	struct stream *st = ctx->priv;
	double want[3] = {1.0, 2.0, 0.0}; /* STREAM's checkSTREAMresults recurrence */
	unsigned long long bad = 0;

	if (wl_parallel(ctx, stream_reset, NULL, NULL, errbuf, errlen) < 0 ||
	    wl_parallel(ctx, stream_run, NULL, &res->elapsed_s, errbuf, errlen) < 0)
		return -1;
	for (uint64_t k = 0; k < ctx->cfg.iterations; k++) {
		want[2] = want[0];
		want[1] = scalar * want[2];
		want[2] = want[0] + want[1];
		want[0] = want[1] + scalar * want[2];
	}
	res->nmetrics = NKERNELS;
	for (int k = 0; k < NKERNELS; k++) {
		snprintf(res->m[k].name, sizeof(res->m[k].name), "%s", kernel_name[k]);
		res->m[k].value = kernel_arrays[k] * (double)st->bytes / st->best[k] / 1e6;
	}
	if (wl_parallel(ctx, stream_check, want, NULL, errbuf, errlen) < 0)
		return -1;
	for (unsigned t = 0; t < ctx->cfg.threads; t++)
		bad += st->bad[t];
	if (bad) {
		res->valid = false;
		wl_err(errbuf, errlen, "%llu of %zu array elements differ from a=%g b=%g c=%g", bad,
		       3 * st->n, want[0], want[1], want[2]);
		return 0;
	}
	return 0;
}

const struct workload wl_mem_stream = {
    .name = "mem.stream",
    .description = "STREAM copy/scale/add/triad over 3 arrays of size bytes each (default "
                   "max(4*LLC, 32MiB)), best of --iterations (5) passes; arrays checked",
    .unit = "MB/s",
    .better = WL_HIGHER,
    .params = WL_P_THREADS | WL_P_SIZE | WL_P_ITERATIONS | WL_P_LLC,
    .size_min = 4 * KIB,
    .size_max = 64 * GIB, /* per array */
    .setup = stream_setup,
    .rep = stream_rep,
    .teardown = stream_teardown,
};
