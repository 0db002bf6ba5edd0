/* cpu.int (prime sieve) and cpu.fp (blocked double matrix multiply). */
#include "workload.h"

#include <math.h>
#include <string.h>

/* ---- cpu.int ---------------------------------------------------------- */

struct cpu_int {
	size_t range;           /* sieve [0, range) */
	uint64_t expect;        /* primes below range, from the reference sieve */
	unsigned char **sieve;  /* [threads] one byte per number */
	uint64_t *passes;       /* [threads] passes in the last rep */
	uint64_t *wrong;        /* [threads] a wrong count seen in the last rep, or 0 */
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
		return wl_err(errbuf, errlen, "reference sieve self-test failed: pi(10^6) != 78498");
	}
	st->expect = ref_prime_count(st->range);
	if (st->expect == UINT64_MAX || wl_parallel(ctx, int_touch, NULL, NULL, errbuf, errlen)) {
		int_teardown(ctx);
		return st->expect == UINT64_MAX ? wl_err(errbuf, errlen, "out of memory") : -1;
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
			wl_err(errbuf, errlen, "thread %u counted %llu primes below %zu, want %llu", t,
			       (unsigned long long)(st->wrong[t] - 1), st->range,
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
	.setup = int_setup,
	.rep = int_rep,
	.teardown = int_teardown,
};

/* ---- cpu.fp ----------------------------------------------------------- */

enum { FP_BI = 16, FP_BK = 64, FP_BJ = 256 };

struct cpu_fp {
	size_t n;
	double *a, *b, *c; /* n*n each, row-major */
	size_t bytes;
	double *flops;     /* [threads] flops in the last rep */
};

/* Analytic operands: A[i][k] = (i+k)/n, B[k][j] = (k+j)/n, hence
 * C[i][j] = (n*i*j + (i+j)*n(n-1)/2 + (n-1)n(2n-1)/6) / n^2. */
static double fp_expect(size_t n, size_t i, size_t j)
{
	double dn = (double)n, s1 = dn * (dn - 1) / 2, s2 = (dn - 1) * dn * (2 * dn - 1) / 6;

	return (dn * (double)i * (double)j + (double)(i + j) * s1 + s2) / (dn * dn);
}

/* C[r0..r1) = A[r0..r1) * B, blocked for cache; the j loop vectorises. */
static void fp_rows(const double *restrict a, const double *restrict b, double *restrict c,
		    size_t n, size_t r0, size_t r1)
{
	memset(c + r0 * n, 0, (r1 - r0) * n * sizeof(double));
	for (size_t kk = 0; kk < n; kk += FP_BK) {
		size_t k1 = kk + FP_BK < n ? kk + FP_BK : n;

		for (size_t jj = 0; jj < n; jj += FP_BJ) {
			size_t j1 = jj + FP_BJ < n ? jj + FP_BJ : n;

			for (size_t i = r0; i < r1; i++) {
				double *restrict ci = c + i * n;

				for (size_t k = kk; k < k1; k++) {
					const double aik = a[i * n + k];
					const double *restrict bk = b + k * n;

					for (size_t j = jj; j < j1; j++)
						ci[j] += aik * bk[j];
				}
			}
		}
	}
}

static int fp_init(struct wl_ctx *ctx, unsigned tid, void *arg, char *errbuf, size_t errlen)
{
	struct cpu_fp *st = ctx->priv;
	size_t n = st->n, r0, r1;

	(void)arg, (void)errbuf, (void)errlen;
	wl_split(n, ctx->cfg.threads, tid, 1, &r0, &r1);
	for (size_t i = r0; i < r1; i++)
		for (size_t j = 0; j < n; j++) {
			st->a[i * n + j] = (double)(i + j) / (double)n;
			st->b[i * n + j] = (double)(i + j) / (double)n;
			st->c[i * n + j] = NAN;
		}
	return 0;
}

static void fp_teardown(struct wl_ctx *ctx)
{
	struct cpu_fp *st = ctx->priv;

	if (!st)
		return;
	wl_unmap(st->a, st->bytes);
	wl_unmap(st->b, st->bytes);
	wl_unmap(st->c, st->bytes);
	free(st->flops);
	free(st);
	ctx->priv = NULL;
}

static int fp_setup(struct wl_ctx *ctx, char *errbuf, size_t errlen)
{
	struct wl_config *c = &ctx->cfg;
	struct cpu_fp *st;

	if (!c->size_bytes)
		c->size_bytes = 512 * 512 * sizeof(double);
	wl_default_bound(c, 1.0);
	st = ctx->priv = calloc(1, sizeof(*st));
	if (!st || !(st->flops = calloc(c->threads, sizeof(double)))) {
		fp_teardown(ctx);
		return wl_err(errbuf, errlen, "out of memory");
	}
	st->n = (size_t)sqrt((double)(c->size_bytes / sizeof(double)));
	if (st->n < 8 || st->n > 65536) {
		fp_teardown(ctx);
		return wl_err(errbuf, errlen, "--size must give an n x n matrix with n in 8..65536");
	}
	st->bytes = st->n * st->n * sizeof(double);
	if (!(st->a = wl_map(st->bytes, errbuf, errlen)) ||
	    !(st->b = wl_map(st->bytes, errbuf, errlen)) ||
	    !(st->c = wl_map(st->bytes, errbuf, errlen)) ||
	    wl_parallel(ctx, fp_init, NULL, NULL, errbuf, errlen) < 0) {
		fp_teardown(ctx);
		return -1;
	}
	ctx->mem_base = st->c;
	ctx->mem_len = st->bytes;
	return 0;
}

/* Repeats this thread's rows of C = A*B; the first full pass always runs,
 * after that the bound is checked after every FP_BI rows. */
static int fp_thread(struct wl_ctx *ctx, unsigned tid, void *arg, char *errbuf, size_t errlen)
{
	struct cpu_fp *st = ctx->priv;
	const struct wl_config *c = &ctx->cfg;
	size_t n = st->n, r0, r1;
	double t0 = wl_now(), flops = 0;
	bool stop = false;

	(void)arg, (void)errbuf, (void)errlen;
	wl_split(n, c->threads, tid, 1, &r0, &r1);
	for (uint64_t pass = 0; !stop && r0 < r1; pass++) {
		for (size_t i = r0; i < r1 && !stop; i += FP_BI) {
			size_t i1 = i + FP_BI < r1 ? i + FP_BI : r1;

			fp_rows(st->a, st->b, st->c, n, i, i1);
			flops += 2.0 * (double)(i1 - i) * (double)n * (double)n;
			stop = pass > 0 && c->duration_s > 0 && wl_now() - t0 >= c->duration_s;
		}
		stop = stop || wl_should_stop(c, pass + 1, t0);
	}
	st->flops[tid] = flops;
	return 0;
}

static int fp_rep(struct wl_ctx *ctx, struct wl_result *res, char *errbuf, size_t errlen)
{
	struct cpu_fp *st = ctx->priv;
	size_t n = st->n;
	double total = 0;

	if (wl_parallel(ctx, fp_thread, NULL, &res->elapsed_s, errbuf, errlen) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			double want = fp_expect(n, i, j), got = st->c[i * n + j];

			if (!(fabs(got - want) <= 1e-10 * want)) {
				res->valid = false;
				wl_err(errbuf, errlen, "C[%zu][%zu] = %.17g, want %.17g", i, j, got,
				       want);
				return 0;
			}
		}
	for (unsigned t = 0; t < ctx->cfg.threads; t++)
		total += st->flops[t];
	res->nmetrics = 1;
	snprintf(res->m[0].name, sizeof(res->m[0].name), "gflops");
	res->m[0].value = total / res->elapsed_s / 1e9;
	return 0;
}

const struct workload wl_cpu_fp = {
	.name = "cpu.fp",
	.description = "blocked double matrix multiply C=A*B of n x n matrices (size = bytes of "
		       "one, default 512x512), 2n^3 flops, rows split over threads; C checked",
	.unit = "GFLOP/s",
	.better = WL_HIGHER,
	.params = WL_P_THREADS | WL_P_SIZE | WL_P_DURATION | WL_P_ITERATIONS,
	.setup = fp_setup,
	.rep = fp_rep,
	.teardown = fp_teardown,
};
