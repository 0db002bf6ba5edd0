#include "reports/overhead.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <string.h>

/* Orients ratio and interval so that > 1 means worse than the baseline,
 * and decides significance. */
static void orient(enum better better, struct overhead *out)
{
	if (better == BETTER_HIGHER) {
		out->slowdown = 1 / out->ratio;
		out->slowdown_low = out->ci_high > 0 ? 1 / out->ci_high : NAN;
		out->slowdown_high = out->ci_low > 0 ? 1 / out->ci_low : NAN;
	} else {
		out->slowdown = out->ratio;
		out->slowdown_low = out->ci_low;
		out->slowdown_high = out->ci_high;
	}
	bool excludes_one = !isnan(out->slowdown_low) && !isnan(out->slowdown_high) &&
	                    (out->slowdown_low > 1 || out->slowdown_high < 1);
	out->significant = out->p_value < 0.05 && excludes_one;
}

int overhead_compute(const double *env, size_t n_env, const double *base, size_t n_base,
                     enum better better, struct overhead *out)
{
	if (n_env < 2 || n_base < 2)
		return -1;
	double a = gsl_stats_mean(env, 1, n_env), b = gsl_stats_mean(base, 1, n_base);
	if (b == 0 || a == 0)
		return -1;
	double va = gsl_stats_variance(env, 1, n_env) / (double)n_env;    /* se^2 of a */
	double vb = gsl_stats_variance(base, 1, n_base) / (double)n_base; /* se^2 of b */
	double R = a / b;
	double df;
	if (va + vb == 0)
		df = (double)(n_env + n_base - 2);
	else
		df = (va + vb) * (va + vb) /
		     (va * va / (double)(n_env - 1) + vb * vb / (double)(n_base - 1));
	double t = gsl_cdf_tdist_Pinv(0.975, df);
	*out = (struct overhead){.ratio = R, .df = df};
	/* Fieller: the set of rho with |a - rho b| <= t sqrt(va + rho^2 vb). */
	double g = t * t * vb / (b * b);
	if (g < 1) {
		double disc = va + R * R * vb - g * va;
		double half = (t / fabs(b)) * sqrt(disc > 0 ? disc : 0);
		out->ci_low = (R - half) / (1 - g);
		out->ci_high = (R + half) / (1 - g);
	} else {
		out->ci_low = out->ci_high = NAN;
	}
	/* Welch's t-test. */
	double se = sqrt(va + vb);
	if (se == 0)
		out->p_value = a == b ? 1.0 : 0.0;
	else
		out->p_value = 2 * gsl_cdf_tdist_Q(fabs(a - b) / se, df);
	orient(better, out);
	return 0;
}

int overhead_paired(const double *env, const double *base, size_t n, enum better better,
                    struct overhead *out)
{
	if (n < 2)
		return -1;
	double d[n];
	for (size_t i = 0; i < n; i++) {
		if (!(env[i] > 0) || !(base[i] > 0))
			return -1;
		d[i] = log(env[i] / base[i]);
	}
	double mean = gsl_stats_mean(d, 1, n), sd = gsl_stats_sd(d, 1, n);
	double df = (double)(n - 1), se = sd / sqrt((double)n);
	double half = gsl_cdf_tdist_Pinv(0.975, df) * se;
	*out = (struct overhead){.ratio = exp(mean),
	                         .ci_low = exp(mean - half),
	                         .ci_high = exp(mean + half),
	                         .df = df,
	                         .pairs = n};
	if (se == 0)
		out->p_value = mean == 0 ? 1.0 : 0.0;
	else
		out->p_value = 2 * gsl_cdf_tdist_Q(fabs(mean) / se, df);
	orient(better, out);
	return 0;
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static const struct sample *find_baseline(const struct run *run, const struct sample *s,
                                          const char *baseline_env)
{
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *b = &run->samples[i];
		if (!b->failed && strcmp(b->env, baseline_env) == 0 &&
		    strcmp(b->workload, s->workload) == 0 && strcmp(b->metric, s->metric) == 0)
			return b;
	}
	return NULL;
}

/* The blocks of an interleaved sample's values, or NULL. */
static const json_t *blocks_of(const struct sample *s)
{
	if (!json_is_true(json_object_get(s->order, "interleaved")))
		return NULL;
	const json_t *block = json_object_get(s->order, "block");
	return json_is_array(block) && json_array_size(block) == s->n_values ? block : NULL;
}

size_t overhead_pair_by_block(const struct sample *s, const json_t *s_blocks,
                              const struct sample *b, const json_t *b_blocks, double *x, double *y)
{
	size_t n = 0;
	for (size_t i = 0; s_blocks != NULL && b_blocks != NULL && i < s->n_values; i++) {
		json_int_t k = json_integer_value(json_array_get(s_blocks, i));
		for (size_t j = 0; j < b->n_values; j++) {
			if (json_integer_value(json_array_get(b_blocks, j)) == k) {
				x[n] = s->values[i];
				y[n++] = b->values[j];
				break;
			}
		}
	}
	return n;
}

/* The paired test when the samples pair up, else Welch's and Fieller's. */
static int compare(const struct sample *s, const struct sample *b, struct overhead *o)
{
	double pe[s->n_values + 1], pb[s->n_values + 1];
	size_t n = overhead_pair_by_block(s, blocks_of(s), b, blocks_of(b), pe, pb);
	if (n >= 2 && overhead_paired(pe, pb, n, s->better, o) == 0)
		return 0;
	return overhead_compute(s->values, s->n_values, b->values, b->n_values, s->better, o);
}

json_t *overhead_for_run(const struct run *run, const char *baseline_env)
{
	json_t *list = json_array();
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *s = &run->samples[i];
		if (s->failed || strcmp(s->env, baseline_env) == 0)
			continue;
		const struct sample *b = find_baseline(run, s, baseline_env);
		struct overhead o;
		if (b == NULL || compare(s, b, &o) < 0)
			continue;
		char test[64];
		if (o.pairs > 0)
			snprintf(test, sizeof(test), "paired t over %zu blocks (log ratio)",
			         o.pairs);
		else
			snprintf(test, sizeof(test), "Welch t, Fieller interval");
		json_t *e = json_pack(
		    "{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:s, "
		    "s:o, s:o, s:s, s:b}",
		    "env", s->env, "baseline", baseline_env, "workload", s->workload, "metric",
		    s->metric, "better", s->better == BETTER_HIGHER ? "higher" : "lower", "ratio",
		    num_or_null(o.ratio), "ci95_low", num_or_null(o.ci_low), "ci95_high",
		    num_or_null(o.ci_high), "slowdown", num_or_null(o.slowdown),
		    "slowdown_ci95_low", num_or_null(o.slowdown_low), "slowdown_ci95_high",
		    num_or_null(o.slowdown_high), "test", test, "p_value", num_or_null(o.p_value),
		    "df", num_or_null(o.df), "interval", o.pairs ? "paired_log_t" : "fieller",
		    "significant", o.significant);
		if (o.pairs > 0)
			json_object_set_new(e, "pairs", json_integer((json_int_t)o.pairs));
		json_array_append_new(list, e);
	}
	if (json_array_size(list) == 0) {
		json_decref(list);
		return NULL;
	}
	return list;
}

static double real_or_nan(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

void overhead_print_table(FILE *out, const json_t *overhead)
{
	fprintf(out,
	        "\noverhead against %s (slowdown > 1 = worse; 95%% CI; test: paired t over "
	        "interleaved blocks, or Welch t with Fieller's interval)\n",
	        json_string_value(json_object_get(json_array_get(overhead, 0), "baseline")));
	int w = 9; /* container variants ("container/docker") widen the env column */
	for (size_t i = 0; i < json_array_size(overhead); i++) {
		const char *env =
		    json_string_value(json_object_get(json_array_get(overhead, i), "env"));
		if (env != NULL && (int)strlen(env) > w)
			w = (int)strlen(env);
	}
	fprintf(out, "%-*s %-15s %-16s %9s %21s %9s %-10s %s\n", w, "env", "workload", "metric",
	        "slowdown", "95% CI", "p", "test", "verdict");
	for (size_t i = 0; i < json_array_size(overhead); i++) {
		const json_t *o = json_array_get(overhead, i);
		char ci[64];
		double lo = real_or_nan(o, "slowdown_ci95_low"),
		       hi = real_or_nan(o, "slowdown_ci95_high");
		if (isnan(lo) || isnan(hi))
			snprintf(ci, sizeof(ci), "unbounded");
		else
			snprintf(ci, sizeof(ci), "[%.3f, %.3f]", lo, hi);
		char test[32];
		json_int_t pairs = json_integer_value(json_object_get(o, "pairs"));
		if (pairs > 0)
			snprintf(test, sizeof(test), "paired(%lld)", (long long)pairs);
		else
			snprintf(test, sizeof(test), "welch");
		fprintf(out, "%-*s %-15s %-16s %9.3f %21s %9.3g %-10s %s\n", w,
		        json_string_value(json_object_get(o, "env")),
		        json_string_value(json_object_get(o, "workload")),
		        json_string_value(json_object_get(o, "metric")), real_or_nan(o, "slowdown"),
		        ci, real_or_nan(o, "p_value"), test,
		        json_is_true(json_object_get(o, "significant")) ? "significant"
		                                                        : "within noise");
	}
}
