/* cpu.int: a byte sieve of Eratosthenes over [0, size), repeated until the
 * bound; every pass's prime count must equal that of an independent odd-only
 * bit sieve (itself checked against pi(10^6) = 78498 at setup). */
#include "workload.h"

#include <string.h>

struct cpu_int {
	size_t range;          /* sieve [0, range) */
	uint64_t expect;       /* primes below range, from the reference sieve */
	unsigned char **sieve; /* [threads] one byte per number */
	uint64_t *passes;      /* [threads] passes in the last rep */
	uint64_t *wrong;       /* [threads] a wrong count seen in the last rep, or 0 */
};

/* Primes below n with an odd-only bit sieve: the independent reference.
 * Returns UINT64_MAX when out of memory. */
static uint64_t ref_prime_count(size_t n)
{
	size_t m = n / 2; /* odd numbers 1, 3, ... below n: bit i is 2i+1 */
	_cleanup_free_ uint64_t *bits = calloc(m / 64 + 1, sizeof(uint64_t));
	uint64_t count = 1; /* 2 */

	if (n <= 2)
		return 0;
	if (!bits)
		return UINT64_MAX;
	bits[0] = 1; /* 1 is not prime */
	for (size_t i = 1; (2 * i + 1) * (2 * i + 1) < n; i++) {
		size_t p = 2 * i + 1;

		if (bits[i / 64] >> (i % 64) & 1)
			continue;
		for (size_t j = p * p / 2; j < m; j += p)
			bits[j / 64] |= 1ull << (j % 64);
	}
	for (size_t i = 0; i < m; i++)
		count += !(bits[i / 64] >> (i % 64) & 1);
	return count;
}

/* The timed kernel: byte sieve of Eratosthenes, returns primes below n. */
static uint64_t sieve_count(unsigned char *s, size_t n)
{
	uint64_t count = 0;

	memset(s, 1, n);
	s[0] = s[1] = 0;
	for (size_t i = 2; i * i < n; i++)
		if (s[i])
			for (size_t j = i * i; j < n; j += i)
				s[j] = 0;
	for (size_t i = 0; i < n; i++)
		count += s[i];
	return count;
}

static int int_touch(struct wl_ctx *ctx, unsigned tid, void *arg, char *errbuf, size_t errlen)
{
	struct cpu_int *st = ctx->priv;

	(void)arg;
	st->sieve[tid] = malloc(st->range);
	if (!st->sieve[tid])
		return wl_err(errbuf, errlen, "cannot allocate %zu bytes", st->range);
	memset(st->sieve[tid], 0, st->range); /* first touch on this thread's CPU */
	return 0;
}

static void int_teardown(struct wl_ctx *ctx)
{
	struct cpu_int *st = ctx->priv;

	if (!st)
		return;
	for (unsigned t = 0; st->sieve && t < ctx->cfg.threads; t++)
		free(st->sieve[t]);
	free(st->sieve);
	free(st->passes);
	free(st->wrong);
	free(st);
	ctx->priv = NULL;
}

static int int_setup(struct wl_ctx *ctx, char *errbuf, size_t errlen)
{
	struct wl_config *c = &ctx->cfg;
	struct cpu_int *st;

	if (!c->size_bytes)
		c->size_bytes = 1000000;
	if (c->size_bytes < 1000 || c->size_bytes > 16 * GIB)
		return wl_err(errbuf, errlen, "--size (sieve range) must be 1000..16G");
	wl_default_bound(c, 1.0);
	st = ctx->priv = calloc(1, sizeof(*st));
	if (!st || !(st->sieve = calloc(c->threads, sizeof(*st->sieve))) ||
	    !(st->passes = calloc(c->threads, sizeof(*st->passes))) ||
	    !(st->wrong = calloc(c->threads, sizeof(*st->wrong)))) {
		int_teardown(ctx);
		return wl_err(errbuf, errlen, "out of memory");
	}
	st->range = c->size_bytes;
	if (ref_prime_count(1000000) != 78498) {
		int_teardown(ctx);
		return wl_err(errbuf, errlen,
		              "reference sieve self-test failed: pi(10^6) != 78498");
	}
	st->expect = ref_prime_count(st->range);
	if (st->expect == UINT64_MAX) {
		int_teardown(ctx);
		return wl_err(errbuf, errlen, "out of memory");
	}
	if (wl_parallel(ctx, int_touch, NULL, NULL, errbuf, errlen) < 0) {
		int_teardown(ctx);
		return -1;
	}
	ctx->mem_base = st->sieve[0];
	ctx->mem_len = st->range;
	return 0;
}

static int int_thread(struct wl_ctx *ctx, unsigned tid, void *arg, char *errbuf, size_t errlen)
{
	struct cpu_int *st = ctx->priv;
	double t0 = wl_now();
	uint64_t n = 0;

	(void)arg, (void)errbuf, (void)errlen;
	st->wrong[tid] = 0;
	do {
		uint64_t got = sieve_count(st->sieve[tid], st->range);

		if (got != st->expect) {
			st->wrong[tid] = got + 1;
			break;
		}
		n++;
	} while (!wl_should_stop(&ctx->cfg, n, t0));
	st->passes[tid] = n;
	return 0;
}

static int int_rep(struct wl_ctx *ctx, struct wl_result *res, char *errbuf, size_t errlen)
{
	struct cpu_int *st = ctx->priv;
	uint64_t total = 0;

	if (wl_parallel(ctx, int_thread, NULL, &res->elapsed_s, errbuf, errlen) < 0)
		return -1;
	for (unsigned t = 0; t < ctx->cfg.threads; t++) {
		if (st->wrong[t]) {
			res->valid = false;
			wl_err(errbuf, errlen, "thread %u counted %llu primes below %zu, want %llu",
			       t, (unsigned long long)(st->wrong[t] - 1), st->range,
			       (unsigned long long)st->expect);
			return 0;
		}
		total += st->passes[t];
	}
	res->nmetrics = 1;
	snprintf(res->m[0].name, sizeof(res->m[0].name), "ops");
	res->m[0].value = (double)total / res->elapsed_s;
	return 0;
}

const struct workload wl_cpu_int = {
    .name = "cpu.int",
    .description = "prime sieve of [0,size) (default 1e6), one op = one full sieve pass, "
                   "summed over threads; each count checked",
    .unit = "ops/s",
    .better = WL_HIGHER,
    .params = WL_P_THREADS | WL_P_SIZE | WL_P_DURATION | WL_P_ITERATIONS,
    .size_min = 1000,
    .size_max = 16 * GIB,
    .setup = int_setup,
    .rep = int_rep,
    .teardown = int_teardown,
};
