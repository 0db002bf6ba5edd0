/* Ratio tests (welch_t, mann_whitney_u, paired_t, runs_t,
 * welch_t+between_runs), their intervals, minimum detectable effects, the
 * between-run variance component and Benjamini-Hochberg q-values. */
#include "reports/hypotest.h"

#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *ratio_test_name(enum ratio_test_kind kind)
{
	switch (kind) {
	case RATIO_WELCH:
		return "welch_t";
	case RATIO_MANN_WHITNEY:
		return "mann_whitney_u";
	case RATIO_PAIRED:
		return "paired_t";
	case RATIO_RUNS:
		return "runs_t";
	case RATIO_WELCH_BETWEEN:
		return "welch_t+between_runs";
	}
	return "?";
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static bool has_ties(const double *v, size_t n)
{
	double *s = malloc(n * sizeof(*s));
	if (s == NULL)
		return true; /* the normal approximation is always valid */
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	bool ties = false;
	for (size_t i = 1; i < n && !ties; i++)
		ties = s[i] == s[i - 1];
	free(s);
	return ties;
}

static int mwu_prepare(struct ratio_test *t, const double *x, const double *y,
                       struct bench_error **err)
{
	for (size_t i = 0; i < t->nx; i++)
		if (!(x[i] > 0))
			return bench_error_set(err, 0, "mann_whitney_u needs positive values");
	for (size_t j = 0; j < t->ny; j++)
		if (!(y[j] > 0))
			return bench_error_set(err, 0, "mann_whitney_u needs positive values");
	t->x = malloc(t->nx * sizeof(double));
	t->y = malloc(t->ny * sizeof(double));
	t->logr = malloc(t->nx * t->ny * sizeof(double));
	if (t->x == NULL || t->y == NULL || t->logr == NULL)
		return bench_error_set(err, ENOMEM, "mann_whitney_u");
	memcpy(t->x, x, t->nx * sizeof(double));
	memcpy(t->y, y, t->ny * sizeof(double));
	for (size_t i = 0; i < t->nx; i++)
		for (size_t j = 0; j < t->ny; j++)
			t->logr[i * t->ny + j] = log(x[i]) - log(y[j]);
	qsort(t->logr, t->nx * t->ny, sizeof(double), cmp_double);
	t->ties = has_ties(x, t->nx) || has_ties(y, t->ny);
	return 0;
}

int ratio_test_init(struct ratio_test *t, enum ratio_test_kind kind, const double *x, size_t nx,
                    const double *y, size_t ny, struct bench_error **err)
{
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->nx = nx;
	t->ny = ny;
	bool sizes_ok = kind == RATIO_PAIRED ? nx == ny && nx >= 3
	                : kind == RATIO_RUNS ? nx == 1 && ny >= 3
	                                     : nx >= 2 && ny >= 2;
	if (!sizes_ok)
		return bench_error_set(err, 0, "%s: not enough values (%zu new, %zu base)",
		                       ratio_test_name(kind), nx, ny);
	t->mx = gsl_stats_mean(x, 1, nx);
	t->my = gsl_stats_mean(y, 1, ny);
	t->vx = nx > 1 ? gsl_stats_variance(x, 1, nx) : 0;
	t->vy = gsl_stats_variance(y, 1, ny);
	if (t->my == 0)
		return bench_error_set(err, 0, "the base mean is 0: no ratio");
	if (kind == RATIO_PAIRED)
		t->cov = gsl_stats_covariance(x, 1, y, 1, nx);
	if (kind == RATIO_RUNS && !(t->mx > 0 && t->my > 0))
		return bench_error_set(err, 0, "runs_t needs positive means");
	if (kind == RATIO_MANN_WHITNEY && mwu_prepare(t, x, y, err) < 0) {
		ratio_test_free(t);
		return -1;
	}
	return 0;
}

void ratio_test_free(struct ratio_test *t)
{
	free(t->x);
	free(t->y);
	free(t->logr);
	t->x = t->y = t->logr = NULL;
}

int between_runs_estimate(const double *means, const double *vars, const size_t *n, size_t k,
                          struct between_runs *out, struct bench_error **err)
{
	memset(out, 0, sizeof(*out));
	if (k < 3)
		return bench_error_set(err, 0,
		                       "between-run variance: %zu run(s), at least 3 needed", k);
	double within = 0;
	for (size_t i = 0; i < k; i++) {
		if (n[i] < 2 || !isfinite(means[i]) || !(vars[i] >= 0))
			return bench_error_set(err, 0,
			                       "between-run variance: run %zu has %zu value(s) or "
			                       "no finite mean and variance",
			                       i, n[i]);
		within += vars[i] / (double)n[i];
	}
	out->k = k;
	out->grand_mean = gsl_stats_mean(means, 1, k);
	if (out->grand_mean == 0)
		return bench_error_set(err, 0, "between-run variance: the mean of the runs is 0");
	out->var_means = gsl_stats_variance(means, 1, k);
	out->within = within / (double)k;
	out->s_b2 = fmax(0, out->var_means - out->within);
	out->cv_b2 = out->s_b2 / (out->grand_mean * out->grand_mean);
	out->df = (double)k - 1;
	return 0;
}

int ratio_test_add_between(struct ratio_test *t, double cv_b2, double df_b,
                           struct bench_error **err)
{
	if (t->kind != RATIO_WELCH && t->kind != RATIO_MANN_WHITNEY)
		return bench_error_set(err, 0, "%s cannot take a between-run term",
		                       ratio_test_name(t->kind));
	if (!(cv_b2 >= 0) || !(df_b > 0))
		return bench_error_set(err, 0, "between-run term: variance %g on %g df", cv_b2,
		                       df_b);
	ratio_test_free(t); /* Mann-Whitney's copies are not needed */
	t->kind = RATIO_WELCH_BETWEEN;
	t->ties = false;
	t->cv_b2 = cv_b2;
	t->df_b = df_b;
	return 0;
}

/* welch_t+between_runs: the between-run variance of m_new - r0 m_base. */
static double between_var(const struct ratio_test *t, double r0)
{
	if (t->kind != RATIO_WELCH_BETWEEN)
		return 0;
	return t->cv_b2 * (t->mx * t->mx + r0 * r0 * t->my * t->my);
}

/* The t statistic's pieces at boundary r0: numerator, its variance, df. */
static void t_parts(const struct ratio_test *t, double r0, double *num, double *var, double *df)
{
	*num = t->mx - r0 * t->my;
	switch (t->kind) {
	case RATIO_PAIRED:
		*var = (t->vx - 2 * r0 * t->cov + r0 * r0 * t->vy) / (double)t->nx;
		*df = (double)t->nx - 1;
		break;
	case RATIO_RUNS:
		*var = r0 * r0 * t->vy * (1 + 1 / (double)t->ny);
		*df = (double)t->ny - 1;
		break;
	default: {
		/* the between-run term is one component: both sides share its
		 * one estimate */
		double a = t->vx / (double)t->nx, b = r0 * r0 * t->vy / (double)t->ny;
		double c = between_var(t, r0);
		*var = a + b + c;
		double den = a * a / ((double)t->nx - 1) + b * b / ((double)t->ny - 1) +
		             (c > 0 ? c * c / t->df_b : 0);
		*df = den > 0 ? (*var) * (*var) / den : (double)(t->nx + t->ny - 2);
		break;
	}
	}
	if (*var < 0)
		*var = 0;
}

/* Lower-tail count distribution of U: w[u] = arrangements with U = u,
 * Harding's product prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i). */
static double *mwu_counts(size_t m, size_t n)
{
	size_t top = m * n;
	double *w = calloc(top + 1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w[0] = 1;
	for (size_t i = 1; i <= m; i++) {
		for (size_t u = top; u >= n + i && u <= top; u--)
			w[u] -= w[u - (n + i)];
		for (size_t u = i; u <= top; u++)
			w[u] += w[u - i];
	}
	return w;
}

double mwu_exact_cdf(size_t m, size_t n, double u)
{
	if (m + n > MWU_EXACT_MAX_N)
		return -1;
	if (u < 0)
		return 0;
	double *w = mwu_counts(m, n);
	if (w == NULL)
		return -1;
	double below = 0, total = 0;
	for (size_t v = 0; v <= m * n; v++) {
		total += w[v];
		if ((double)v <= floor(u))
			below += w[v];
	}
	free(w);
	return below / total;
}

/* Number of log ratios > L and == L (sorted array). */
static void count_above(const struct ratio_test *t, double L, size_t *above, size_t *equal)
{
	size_t n = t->nx * t->ny, lo = 0, hi = n;
	while (lo < hi) { /* first index with logr >= L */
		size_t mid = (lo + hi) / 2;
		if (t->logr[mid] < L)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t first_ge = lo;
	hi = n;
	while (lo < hi) { /* first index with logr > L */
		size_t mid = (lo + hi) / 2;
		if (t->logr[mid] <= L)
			lo = mid + 1;
		else
			hi = mid;
	}
	*above = n - lo;
	*equal = lo - first_ge;
}

/* sigma of U under H0 with the tie correction over the pooled sample
 * x and r0 * y. */
static double mwu_sigma(const struct ratio_test *t, double r0)
{
	size_t N = t->nx + t->ny;
	double *pool = malloc(N * sizeof(*pool));
	double ties = 0;
	if (pool != NULL) {
		for (size_t i = 0; i < t->nx; i++)
			pool[i] = t->x[i];
		for (size_t j = 0; j < t->ny; j++)
			pool[t->nx + j] = r0 * t->y[j];
		qsort(pool, N, sizeof(*pool), cmp_double);
		for (size_t i = 0; i < N;) {
			size_t k = i + 1;
			while (k < N && pool[k] == pool[i])
				k++;
			double g = (double)(k - i);
			ties += g * g * g - g;
			i = k;
		}
		free(pool);
	}
	double nn = (double)N;
	double v = (double)t->nx * (double)t->ny / 12.0 * ((nn + 1) - ties / (nn * (nn - 1)));
	return v > 0 ? sqrt(v) : 0;
}

static double mwu_p(const struct ratio_test *t, double r0, int dir)
{
	size_t above, equal;
	count_above(t, log(r0), &above, &equal);
	double U = (double)above + 0.5 * (double)equal;
	bool exact = !t->ties && equal == 0 && t->nx + t->ny <= MWU_EXACT_MAX_N;
	if (exact) {
		double p = dir < 0 ? mwu_exact_cdf(t->nx, t->ny, U)
		                   : 1 - mwu_exact_cdf(t->nx, t->ny, U - 1);
		if (p >= 0)
			return p > 1 ? 1 : p;
	}
	double mu = (double)t->nx * (double)t->ny / 2, sigma = mwu_sigma(t, r0);
	if (sigma == 0)
		return 1;
	if (dir < 0)
		return gsl_cdf_ugaussian_P((U - mu + 0.5) / sigma);
	return gsl_cdf_ugaussian_Q((U - mu - 0.5) / sigma);
}

double ratio_test_p(const struct ratio_test *t, double r0, int dir)
{
	if (t->kind == RATIO_MANN_WHITNEY)
		return mwu_p(t, r0, dir);
	double num, var, df;
	t_parts(t, r0, &num, &var, &df);
	if (var == 0) /* no spread: the sign decides */
		return (dir < 0 ? num < 0 : num > 0) ? 0.0 : 1.0;
	double ts = num / sqrt(var);
	return dir < 0 ? gsl_cdf_tdist_P(ts, df) : gsl_cdf_tdist_Q(ts, df);
}

/* Fieller: the r with (mx - r my)^2 <= q^2 (Vxx - 2 r Vxy + r^2 Vyy). */
static void fieller(double mx, double my, double vxx, double vyy, double vxy, double q, double *lo,
                    double *hi)
{
	double a = my * my - q * q * vyy, b = mx * my - q * q * vxy, c = mx * mx - q * q * vxx;
	double disc = b * b - a * c;
	if (a <= 0 || disc < 0) {
		*lo = *hi = NAN;
		return;
	}
	*lo = (b - sqrt(disc)) / a;
	*hi = (b + sqrt(disc)) / a;
}

static void mwu_interval(const struct ratio_test *t, double level, double *est, double *lo,
                         double *hi)
{
	size_t N = t->nx * t->ny;
	double mid = N % 2 ? t->logr[N / 2] : (t->logr[N / 2 - 1] + t->logr[N / 2]) / 2;
	*est = exp(mid);
	double tail = (1 - level) / 2;
	long k = 0; /* the k-th smallest and k-th largest pairwise ratio */
	if (!t->ties && t->nx + t->ny <= MWU_EXACT_MAX_N) {
		while ((size_t)k < N / 2 && mwu_exact_cdf(t->nx, t->ny, (double)k) <= tail)
			k++;
	} else {
		double mu = (double)N / 2;
		double s = sqrt((double)N * (double)(t->nx + t->ny + 1) / 12);
		k = (long)floor(mu - gsl_cdf_ugaussian_Qinv(tail) * s);
	}
	if (k < 1) {
		*lo = *hi = NAN;
		return;
	}
	*lo = exp(t->logr[k - 1]);
	*hi = exp(t->logr[N - (size_t)k]);
}

void ratio_test_interval(const struct ratio_test *t, double level, double *est, double *lo,
                         double *hi)
{
	double tail = (1 - level) / 2;
	*est = t->mx / t->my;
	double num, var, df;
	t_parts(t, *est, &num, &var, &df);
	double q = gsl_cdf_tdist_Qinv(tail, df);
	switch (t->kind) {
	case RATIO_MANN_WHITNEY:
		mwu_interval(t, level, est, lo, hi);
		break;
	case RATIO_PAIRED: {
		double n = (double)t->nx;
		fieller(t->mx, t->my, t->vx / n, t->vy / n, t->cov / n, q, lo, hi);
		break;
	}
	case RATIO_RUNS: {
		/* |mx - r my| <= q r s c, r > 0 */
		double sc = sqrt(t->vy) * sqrt(1 + 1 / (double)t->ny);
		*lo = t->mx / (t->my + q * sc);
		*hi = t->my - q * sc > 0 ? t->mx / (t->my - q * sc) : NAN;
		break;
	}
	case RATIO_WELCH:
	case RATIO_WELCH_BETWEEN: {
		/* each mean's variance: its repetitions' plus, between runs,
		 * CV_b^2 mean^2 (0 for welch_t) */
		double vxx = t->vx / (double)t->nx + t->cv_b2 * t->mx * t->mx;
		double vyy = t->vy / (double)t->ny + t->cv_b2 * t->my * t->my;
		fieller(t->mx, t->my, vxx, vyy, 0, q, lo, hi);
		break;
	}
	}
}

double ratio_test_between_se(const struct ratio_test *t)
{
	return sqrt(between_var(t, t->mx / t->my)) / fabs(t->my);
}

void ratio_test_se(const struct ratio_test *t, double *se, double *df)
{
	double R = t->mx / t->my, num, var;
	t_parts(t, R, &num, &var, df);
	*se = sqrt(var) / fabs(t->my);
}

double mde_relative(double se, double df, double alpha, double power)
{
	if (!(df > 0))
		return NAN;
	return (gsl_cdf_tdist_Qinv(alpha, df) + gsl_cdf_tdist_Pinv(power, df)) * se;
}

long reps_to_decide(const struct ratio_test *t, double distance, double alpha, double power,
                    long limit)
{
	double se, df;
	ratio_test_se(t, &se, &df);
	double z = gsl_cdf_ugaussian_Qinv(alpha) + gsl_cdf_ugaussian_Pinv(power);
	if (!(distance > 0) || !isfinite(se))
		return -1;
	if (t->kind == RATIO_RUNS) {
		/* se(k) = se_now sqrt((1 + 1/k) / (1 + 1/k_now)) */
		double k_now = (double)t->ny;
		double g = pow(distance / (z * se), 2) * (1 + 1 / k_now);
		if (g <= 1)
			return -1;
		double k = ceil(1 / (g - 1));
		return k > (double)limit ? -1 : (long)k;
	}
	double n_now =
	    t->kind == RATIO_PAIRED ? (double)t->nx : ((double)t->nx + (double)t->ny) / 2;
	if (t->kind == RATIO_WELCH_BETWEEN) {
		/* se^2 = within (shrinks as 1/n) + between (does not) */
		double between = pow(ratio_test_between_se(t), 2), within = se * se - between;
		double room = pow(distance / z, 2) - between;
		if (!(room > 0))
			return -1;
		double n = ceil(n_now * within / room);
		if (n < 2)
			n = 2;
		return n > (double)limit ? -1 : (long)n;
	}
	double n = ceil(n_now * pow(z * se / distance, 2));
	if (n < 2)
		n = 2;
	return n > (double)limit ? -1 : (long)n;
}

struct ranked {
	double p;
	size_t i;
};

static int cmp_ranked(const void *a, const void *b)
{
	return cmp_double(&((const struct ranked *)a)->p, &((const struct ranked *)b)->p);
}

void bh_qvalues(const double *p, size_t n, double *q)
{
	struct ranked *r = malloc((n ? n : 1) * sizeof(*r));
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		q[i] = NAN;
		if (r != NULL && !isnan(p[i]))
			r[m++] = (struct ranked){p[i], i};
	}
	if (r == NULL) { /* Bonferroni, which BH never exceeds */
		for (size_t i = 0; i < n; i++)
			q[i] = isnan(p[i]) ? NAN : fmin(1, p[i] * (double)n);
		return;
	}
	qsort(r, m, sizeof(*r), cmp_ranked);
	double running = 1;
	for (size_t k = m; k-- > 0;) {
		double v = r[k].p * (double)m / (double)(k + 1);
		if (v < running)
			running = v;
		q[r[k].i] = running;
	}
	free(r);
}
