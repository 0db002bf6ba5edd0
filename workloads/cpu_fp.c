/* cpu.fp: blocked double matrix multiply C = A*B with analytic operands, so
 * every element of C has a closed form to check; threads split the rows. */
#include "workload.h"

#include <math.h>
#include <string.h>

enum { FP_BI = 16, FP_BK = 64, FP_BJ = 256 };

struct cpu_fp {
	size_t n;
	double *a, *b, *c; /* n*n each, row-major */
	size_t bytes;
	void *map; /* holds a, b, c */
	size_t map_len;
	double *flops; /* [threads] flops in the last rep */
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
	wl_unmap(st->map, st->map_len);
	free(st->flops);
	free(st);
	ctx->priv = NULL;
}

static int fp_setup(struct wl_ctx *ctx, char *errbuf, size_t errlen)
{
	struct wl_config *c = &ctx->cfg;
	struct cpu_fp *st;
	void *arr[3];

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
		return wl_err(errbuf, errlen,
		              "--size must give an n x n matrix with n in 8..65536");
	}
	st->bytes = st->n * st->n * sizeof(double);
	c->size_bytes = st->bytes; /* report what ran */
	st->map = wl_map_arrays(st->bytes, 3, arr, &st->map_len, errbuf, errlen);
	if (!st->map) {
		fp_teardown(ctx);
		return -1;
	}
	st->a = arr[0], st->b = arr[1], st->c = arr[2];
	if (wl_parallel(ctx, fp_init, NULL, NULL, errbuf, errlen) < 0) {
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
    .size_min = 8 * 8 * sizeof(double),            /* n = 8 */
    .size_max = 65536ull * 65536 * sizeof(double), /* n = 65536 */
    .setup = fp_setup,
    .rep = fp_rep,
    .teardown = fp_teardown,
};
