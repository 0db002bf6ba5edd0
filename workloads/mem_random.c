/* mem.random: HPCC RandomAccess. table[i] = i; each update is
 * table[ran & mask] ^= ran with HPCC's generator ran = (ran << 1) ^ (ran < 0
 * ? POLY : 0). Threads own disjoint power-of-two partitions and continue
 * the one global sequence (HPCC_starts), each masked into its partition.
 * XOR is its own inverse, so replaying a rep's updates (untimed) must give
 * back table[i] = i exactly, which is the self-check. A rep does 4 updates
 * per entry (HPCC) or --iterations; --duration ends it earlier (checked
 * every UPDATE_CHUNK updates), and the replay does as many as each thread
 * did. */
#include "workload.h"

#define POLY         0x0000000000000007ull
#define PERIOD       1317624576693539401ll
#define UPDATE_CHUNK 4096

struct random_access {
	uint64_t *table;
	size_t bytes;
	size_t part;             /* entries per thread, a power of two */
	uint64_t *start, *count; /* [threads] first ran value, updates at most */
	uint64_t *done;          /* [threads] updates the last timed pass did */
	unsigned long long *bad; /* [threads] wrong entries after replay */
};

static uint64_t next_ran(uint64_t r)
{
	return (r << 1) ^ ((int64_t)r < 0 ? POLY : 0);
}

/* HPCC_starts: the n-th value of the sequence, by squaring in GF(2)[x]. */
static uint64_t hpcc_starts(int64_t n)
{
	uint64_t m2[64], temp = 1, ran = 2;
	int i;

	while (n < 0)
		n += PERIOD;
	while (n > PERIOD)
		n -= PERIOD;
	if (n == 0)
		return 1;
	for (i = 0; i < 64; i++) {
		m2[i] = temp;
		temp = next_ran(next_ran(temp));
	}
	for (i = 62; i >= 0; i--)
		if ((n >> i) & 1)
			break;
	while (i > 0) {
		temp = 0;
		for (int j = 0; j < 64; j++)
			if ((ran >> j) & 1)
				temp ^= m2[j];
		ran = temp;
		i--;
		if ((n >> i) & 1)
			ran = next_ran(ran);
	}
	return ran;
}

static int ra_init(struct wl_ctx *ctx, unsigned tid, void *arg, char *errbuf, size_t errlen)
{
	struct random_access *st = ctx->priv;
	uint64_t *tab = st->table + tid * st->part;
	bool check = arg != NULL;
	unsigned long long bad = 0;

	(void)errbuf, (void)errlen;
	for (size_t i = 0; i < st->part; i++) {
		uint64_t want = tid * st->part + i;

		if (check)
			bad += tab[i] != want;
		else
			tab[i] = want;
	}
	st->bad[tid] = bad;
	return 0;
}

/* The timed pass (arg NULL) until its count or --duration; the replay
 * (arg non-NULL) exactly the updates the timed pass did. */
static int ra_update(struct wl_ctx *ctx, unsigned tid, void *arg, char *errbuf, size_t errlen)
{
	struct random_access *st = ctx->priv;
	uint64_t *restrict tab = st->table + tid * st->part;
	const uint64_t mask = st->part - 1;
	const bool replay = arg != NULL;
	const uint64_t n = replay ? st->done[tid] : st->count[tid];
	const double limit = replay ? 0 : ctx->cfg.duration_s, t0 = wl_now();
	uint64_t ran = st->start[tid], i = 0;

	(void)errbuf, (void)errlen;
	while (i < n) {
		uint64_t end = n - i > UPDATE_CHUNK ? i + UPDATE_CHUNK : n;

		for (; i < end; i++) {
			ran = next_ran(ran);
			tab[ran & mask] ^= ran;
		}
		if (limit > 0 && wl_now() - t0 >= limit)
			break;
	}
	if (!replay)
		st->done[tid] = i;
	return 0;
}

static void ra_teardown(struct wl_ctx *ctx)
{
	struct random_access *st = ctx->priv;

	if (!st)
		return;
	wl_unmap(st->table, st->bytes);
	free(st->start);
	free(st->count);
	free(st->done);
	free(st->bad);
	free(st);
	ctx->priv = NULL;
}

static int ra_setup(struct wl_ctx *ctx, char *errbuf, size_t errlen)
{
	struct wl_config *c = &ctx->cfg;
	uint64_t want = c->size_bytes ? c->size_bytes : 4 * c->llc_bytes, p2 = 4096, done = 0;
	unsigned n = c->threads;
	struct random_access *st;

	if (want < 4096)
		return wl_err(errbuf, errlen, "--size must be at least 4K");
	while (p2 * 2 <= want && p2 < 64 * GIB)
		p2 *= 2;
	c->size_bytes = p2;
	if (!c->iterations)
		c->iterations = 4 * (p2 / sizeof(uint64_t));
	st = ctx->priv = calloc(1, sizeof(*st));
	if (!st || !(st->start = calloc(n, sizeof(uint64_t))) ||
	    !(st->count = calloc(n, sizeof(uint64_t))) ||
	    !(st->done = calloc(n, sizeof(uint64_t))) || !(st->bad = calloc(n, sizeof(*st->bad)))) {
		ra_teardown(ctx);
		return wl_err(errbuf, errlen, "out of memory");
	}
	st->bytes = p2;
	for (st->part = p2 / sizeof(uint64_t); st->part * n > p2 / sizeof(uint64_t);)
		st->part /= 2;
	if (st->part < 64) {
		ra_teardown(ctx);
		return wl_err(errbuf, errlen, "--size too small for %u threads", n);
	}
	for (unsigned t = 0; t < n; t++) {
		st->count[t] = c->iterations / n + (t < c->iterations % n);
		st->start[t] = hpcc_starts((int64_t)(done % (uint64_t)PERIOD));
		done += st->count[t];
	}
	if (!(st->table = wl_map(st->bytes, errbuf, errlen)) ||
	    wl_parallel(ctx, ra_init, NULL, NULL, errbuf, errlen) < 0) {
		ra_teardown(ctx);
		return -1;
	}
	ctx->mem_base = st->table;
	ctx->mem_len = st->part * n * sizeof(uint64_t);
	return 0;
}

static int ra_rep(struct wl_ctx *ctx, struct wl_result *res, char *errbuf, size_t errlen)
{
	struct random_access *st = ctx->priv;
	unsigned long long bad = 0;

	if (wl_parallel(ctx, ra_update, NULL, &res->elapsed_s, errbuf, errlen) < 0 ||
	    wl_parallel(ctx, ra_update, "replay", NULL, errbuf, errlen) < 0 ||
	    wl_parallel(ctx, ra_init, "check", NULL, errbuf, errlen) < 0)
		return -1;
	for (unsigned t = 0; t < ctx->cfg.threads; t++)
		bad += st->bad[t];
	if (bad) {
		res->valid = false;
		wl_err(errbuf, errlen, "%llu table entries not restored by the replay", bad);
		return 0;
	}
	res->nmetrics = 1;
	snprintf(res->m[0].name, sizeof(res->m[0].name), "gups");
	uint64_t updates = 0;
	for (unsigned t = 0; t < ctx->cfg.threads; t++)
		updates += st->done[t];
	res->m[0].value = (double)updates / res->elapsed_s / 1e9;
	return 0;
}

const struct workload wl_mem_random = {
    .name = "mem.random",
    .description = "HPCC RandomAccess: table[r & mask] ^= r over a 2^k-byte table (default "
                   "4*LLC rounded down), 4 updates/entry or --iterations, ended early by "
                   "--duration; replay restores it",
    .unit = "GUP/s",
    .better = WL_HIGHER,
    .params = WL_P_THREADS | WL_P_SIZE | WL_P_DURATION | WL_P_ITERATIONS | WL_P_LLC,
    .size_min = 4 * KIB,
    .size_max = 64 * GIB,
    .setup = ra_setup,
    .rep = ra_rep,
    .teardown = ra_teardown,
};
