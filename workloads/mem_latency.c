/* mem.latency: dependent-load pointer chase over one cycle through the
 * 64-byte lines of a buffer in a random order, for buffer sizes
 * 16K, 64K, 256K, ... (factor 4) and finally --size itself. Each thread
 * chases its own copies; the metric per size is the mean over threads. */
#include "workload.h"

#include <string.h>
#include <sys/mman.h>

#define LINE      64
#define MAX_SIZES 16
#define CHUNK     16384 /* loads between clock reads; multiple of 8 */

struct lat_thread {
	void *buf[MAX_SIZES];
	double ns[MAX_SIZES];
	void *end[MAX_SIZES]; /* where the chase stopped */
};

struct latency {
	unsigned nsizes;
	size_t sizes[MAX_SIZES];
	struct lat_thread *t; /* [threads] */
};

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Uniform in [0, n) without a division (Lemire's multiply-shift). */
static uint64_t below(uint64_t *s, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)xorshift(s) * n) >> 64);
}

/* True when buf holds one cycle through all n lines: order is a
 * permutation of 0..n-1 (every line seen exactly once) and line order[k]
 * points to line order[k+1], the last to the first; so the walk from
 * order[0] meets every line once before it returns. Independent loads
 * only: no walk of the chain (a lap of a 2 GiB chain took 20 s). */
static bool chain_is_one_cycle(const void *buf, const uint32_t *order, size_t n)
{
	_cleanup_free_ uint64_t *seen = calloc((n + 63) / 64, sizeof(*seen));
	const char *base = buf;

	if (!seen)
		return false;
	for (size_t k = 0; k < n; k++) {
		uint32_t i = order[k];

		if (i >= n || seen[i / 64] & (1ull << (i % 64)))
			return false;
		seen[i / 64] |= 1ull << (i % 64);
		if (*(char *const *)(base + (size_t)i * LINE) !=
		    base + (size_t)order[k + 1 < n ? k + 1 : 0] * LINE)
			return false;
	}
	return true;
}

/* Links the lines of buf into one cycle in a random order (a Fisher-Yates
 * shuffle of the line numbers, each line pointing to the next in that
 * order) and checks it. Returns 0, or -1 with errbuf. */
static int build_chain(void *buf, size_t bytes, uint64_t seed, char *errbuf, size_t errlen)
{
	size_t n = bytes / LINE, len = n * sizeof(uint32_t);
	uint32_t *order = wl_map(len, errbuf, errlen);
	char *base = buf;
	int rc = 0;

	if (!order)
		return -1;
	madvise(order, len, MADV_HUGEPAGE); /* set-up speed only; no-op without THP */
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = below(&seed, i + 1);
		uint32_t tmp = order[i];

		order[i] = order[j];
		order[j] = tmp;
	}
	for (size_t k = 0; k < n; k++)
		*(void **)(base + (size_t)order[k] * LINE) =
		    base + (size_t)order[(k + 1) % n] * LINE;
	if (!chain_is_one_cycle(buf, order, n))
		rc = wl_err(errbuf, errlen, "chain of %zu lines is not one cycle", n);
	wl_unmap(order, len);
	return rc;
}

static void *chase(void *p, uint64_t loads)
{
	void **q = p;

	for (uint64_t i = 0; i < loads; i += 8) {
		q = *q, q = *q, q = *q, q = *q;
		q = *q, q = *q, q = *q, q = *q;
	}
	return q;
}

static int lat_init(struct wl_ctx *ctx, unsigned tid, void *arg, char *errbuf, size_t errlen)
{
	struct latency *st = ctx->priv;
	struct lat_thread *t = &st->t[tid];

	(void)arg;
	for (unsigned s = 0; s < st->nsizes; s++) {
		size_t bytes = st->sizes[s];

		t->buf[s] = wl_map(bytes, errbuf, errlen);
		if (!t->buf[s])
			return -1;
		if (build_chain(t->buf[s], bytes, 0x9e3779b97f4a7c15ull * (tid + 1) + s, errbuf,
		                errlen) < 0)
			return -1;
	}
	return 0;
}

static int lat_run(struct wl_ctx *ctx, unsigned tid, void *arg, char *errbuf, size_t errlen)
{
	struct latency *st = ctx->priv;
	struct lat_thread *t = &st->t[tid];
	const struct wl_config *c = &ctx->cfg;
	double budget = c->duration_s / st->nsizes;

	(void)arg, (void)errbuf, (void)errlen;
	for (unsigned s = 0; s < st->nsizes; s++) {
		size_t lines = st->sizes[s] / LINE;
		void *p = t->buf[s];
		uint64_t loads = 0, chunk;
		double t0;

		pthread_barrier_wait(&ctx->barrier);
		/* warm up: one lap, at most a fifth of the budget or --iterations */
		t0 = wl_now();
		for (uint64_t w = 0; w < lines; w += CHUNK) {
			p = chase(p, CHUNK);
			if ((c->duration_s > 0 && wl_now() - t0 > budget / 5) ||
			    (c->iterations && w + CHUNK >= c->iterations))
				break;
		}
		t0 = wl_now();
		do {
			chunk = (wl_chunk(c, loads, CHUNK) + 7) & ~7ull; /* chase does 8 a time */
			p = chase(p, chunk);
			loads += chunk;
		} while (!(c->iterations && loads >= c->iterations) &&
		         !(c->duration_s > 0 && wl_now() - t0 >= budget));
		t->ns[s] = (wl_now() - t0) * 1e9 / (double)loads;
		t->end[s] = p;
	}
	return 0;
}

static void lat_teardown(struct wl_ctx *ctx)
{
	struct latency *st = ctx->priv;

	if (!st)
		return;
	for (unsigned i = 0; st->t && i < ctx->cfg.threads; i++)
		for (unsigned s = 0; s < st->nsizes; s++)
			wl_unmap(st->t[i].buf[s], st->sizes[s]);
	free(st->t);
	free(st);
	ctx->priv = NULL;
}

static int lat_setup(struct wl_ctx *ctx, char *errbuf, size_t errlen)
{
	struct wl_config *c = &ctx->cfg;
	struct latency *st;
	uint64_t max = c->size_bytes ? c->size_bytes : 4 * c->llc_bytes, p2 = 4096;

	while (p2 < max && p2 < 64 * GIB)
		p2 *= 2;
	if (p2 < max || (c->size_bytes && c->size_bytes < 4096))
		return wl_err(errbuf, errlen, "--size must be 4K..64G");
	c->size_bytes = p2;
	wl_default_bound(c, 1.0);
	st = ctx->priv = calloc(1, sizeof(*st));
	if (!st || !(st->t = calloc(c->threads, sizeof(*st->t)))) {
		lat_teardown(ctx);
		return wl_err(errbuf, errlen, "out of memory");
	}
	for (uint64_t s = 16 * KIB; s < c->size_bytes; s *= 4)
		st->sizes[st->nsizes++] = s;
	st->sizes[st->nsizes++] = c->size_bytes;
	if (wl_parallel(ctx, lat_init, NULL, NULL, errbuf, errlen) < 0) {
		lat_teardown(ctx);
		return -1;
	}
	ctx->mem_base = st->t[0].buf[st->nsizes - 1];
	ctx->mem_len = c->size_bytes;
	return 0;
}

static int lat_rep(struct wl_ctx *ctx, struct wl_result *res, char *errbuf, size_t errlen)
{
	struct latency *st = ctx->priv;
	unsigned n = ctx->cfg.threads;

	if (wl_parallel(ctx, lat_run, NULL, &res->elapsed_s, errbuf, errlen) < 0)
		return -1;
	for (unsigned s = 0; s < st->nsizes; s++) {
		char size[24];
		double sum = 0;

		for (unsigned i = 0; i < n; i++) {
			uintptr_t off = (uintptr_t)st->t[i].end[s] - (uintptr_t)st->t[i].buf[s];

			if (off >= st->sizes[s] || off % LINE) {
				res->valid = false;
				wl_err(errbuf, errlen, "thread %u left the %zu-byte chain", i,
				       st->sizes[s]);
				return 0;
			}
			sum += st->t[i].ns[s];
		}
		wl_fmt_size(st->sizes[s], size, sizeof(size));
		snprintf(res->m[s].name, sizeof(res->m[s].name), "lat_%s", size);
		res->m[s].value = sum / n;
	}
	res->nmetrics = st->nsizes;
	return 0;
}

const struct workload wl_mem_latency = {
    .name = "mem.latency",
    .description = "pointer chase over a random cycle of 64-byte lines, sizes 16K x4 up to "
                   "size (default 4*LLC rounded up to 2^k); --duration split over sizes",
    .unit = "ns/load",
    .better = WL_LOWER,
    .params = WL_P_THREADS | WL_P_SIZE | WL_P_DURATION | WL_P_ITERATIONS | WL_P_LLC,
    .size_min = 4 * KIB,
    .size_max = 64 * GIB,
    .setup = lat_setup,
    .rep = lat_rep,
    .teardown = lat_teardown,
};
