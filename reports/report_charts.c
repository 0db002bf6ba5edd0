/* Charts of the results: grouped bars per workload and unit, and the
 * percentiles of request/response latency. Each writes its data as
 * datablocks and its chart body through gp_body_chart (report_plot.c). */
#include "reports/report_charts.h"

#include "reports/run_view.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"

static bool ok(const struct sample *s)
{
	return !s->failed && s->n_values > 0;
}

/* "lat_p999_us" -> 99.9 (digits after two are decimals); -1 otherwise. */
static double latency_percentile(const char *metric)
{
	if (strncmp(metric, "lat_p", 5) != 0)
		return -1;
	const char *d = metric + 5;
	size_t n = strspn(d, "0123456789");
	if (n < 2 || d[n] != '_')
		return -1;
	return atof(d) / pow(10, (double)n - 2);
}

static bool is_rr(const char *workload)
{
	size_t n = strlen(workload);
	return strncmp(workload, "net.", 4) == 0 && n > 3 && strcmp(workload + n - 3, "_rr") == 0;
}

/* Latency percentiles of request/response workloads have their own chart. */
static bool in_latency_chart(const struct sample *s)
{
	return is_rr(s->workload) && latency_percentile(s->metric) >= 0;
}

static int bars_one(struct plot_ctx *ctx, const char *workload, const char *unit)
{
	const struct run *run = ctx->run;
	cleanup_free const char **metrics = calloc(run->n_samples, sizeof(*metrics));
	cleanup_free int *blocks = calloc(ctx->n_envs, sizeof(*blocks));
	if (metrics == NULL || blocks == NULL)
		return -1;
	size_t n_metrics = 0, n_present = 0;
	bool negative = false, higher = false, lower = false;
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *s = &run->samples[i];
		if (ok(s) && strcmp(s->workload, workload) == 0 && strcmp(s->unit, unit) == 0 &&
		    gp_index_of(metrics, n_metrics, s->metric) == n_metrics)
			metrics[n_metrics++] = s->metric;
	}
	for (size_t e = 0; e < ctx->n_envs; e++) {
		blocks[e] = -1;
		for (size_t i = 0; i < run->n_samples; i++) {
			const struct sample *s = &run->samples[i];
			if (!ok(s) || strcmp(s->env, ctx->envs[e]) != 0 ||
			    strcmp(s->workload, workload) != 0 || strcmp(s->unit, unit) != 0)
				continue;
			if (blocks[e] < 0) {
				blocks[e] = gp_block(ctx);
				n_present++;
			}
			fprintf(ctx->gp, "%zu %.17g %.17g %.17g\n",
			        gp_index_of(metrics, n_metrics, s->metric), s->stats.mean,
			        s->stats.ci_low, s->stats.ci_high);
			negative |= s->stats.ci_low < 0;
			higher |= s->better == BETTER_HIGHER;
			lower |= s->better == BETTER_LOWER;
		}
		if (blocks[e] >= 0)
			gp_block_end(ctx);
	}
	struct gp_body b;
	FILE *f = gp_body_open(&b);
	if (f == NULL)
		return -1;
	char title[256];
	snprintf(title, sizeof(title), "%s: %s%s (mean, error bars = 95%% CI)", workload,
	         *unit ? unit : "dimensionless",
	         higher && !lower   ? ", higher is better"
	         : lower && !higher ? ", lower is better"
	                            : "");
	double w = 0.8 / (double)n_present;
	fputs("set title ", f);
	gp_str(f, title);
	fputs("\nset ylabel ", f);
	gp_str(f, *unit ? unit : "(dimensionless)");
	fprintf(f, "\nset style fill solid 0.9 border rgb '#333333'\nset boxwidth %g absolute\n",
	        w * 0.92);
	/* at least three groups' room, so one or two metrics do not make slabs */
	double pad = n_metrics < 3 ? (3 - (double)n_metrics) / 2 : 0;
	fprintf(f, "set xrange [%g:%g]\nset yrange [%s:*]\nset offsets 0,0,graph 0.08,0\n",
	        -0.5 - pad, (double)n_metrics - 0.5 + pad, negative ? "*" : "0");
	gp_xtics(f, metrics, n_metrics, CHART_W);
	fputs("plot ", f);
	for (size_t e = 0, j = 0; e < ctx->n_envs; e++) {
		if (blocks[e] < 0)
			continue;
		char label[256];
		double off = ((double)j++ - (double)(n_present - 1) / 2) * w;
		report_env_label(run, ctx->envs[e], label, sizeof(label));
		fprintf(f, "%s$d%d using ($1%+g):2 with boxes lc rgb '%s' title ",
		        j > 1 ? ", " : "", blocks[e], off, gp_env_color(ctx, ctx->envs[e]));
		gp_str(f, label);
		fprintf(f,
		        ", $d%d using ($1%+g):2:3:4 with yerrorbars lc rgb '#222222' pt 7 ps 0.5 "
		        "notitle",
		        blocks[e], off);
	}
	fputc('\n', f);
	return gp_body_chart(ctx, &b, "bars", workload, unit, title, CHART_W, CHART_H);
}

int report_chart_bars(struct plot_ctx *ctx)
{
	const struct run *run = ctx->run;
	/* One chart per (workload, unit), at its first sample: the pairs seen
	 * so far are kept (their first samples), so the scan is samples x
	 * pairs rather than samples squared. */
	cleanup_free const struct sample **pairs = calloc(run->n_samples + 1, sizeof(*pairs));
	size_t n_pairs = 0;
	if (pairs == NULL)
		return -1;
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *s = &run->samples[i];
		if (!ok(s) || in_latency_chart(s))
			continue;
		bool seen = false;
		for (size_t j = n_pairs; j > 0 && !seen; j--) /* recent first */
			seen = strcmp(pairs[j - 1]->workload, s->workload) == 0 &&
			       strcmp(pairs[j - 1]->unit, s->unit) == 0;
		if (seen)
			continue;
		pairs[n_pairs++] = s;
		if (n_pairs > REPORT_MAX_BAR_CHARTS)
			ctx->charts->omitted++;
		else if (bars_one(ctx, s->workload, s->unit) < 0)
			return -1;
	}
	return 0;
}

static int latency_one(struct plot_ctx *ctx, const char *workload)
{
	const struct run *run = ctx->run;
	double pcts[16];
	size_t n_pcts = 0;
	const char *unit = "us";
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *s = &run->samples[i];
		double p = latency_percentile(s->metric);
		if (!ok(s) || p < 0 || strcmp(s->workload, workload) != 0)
			continue;
		unit = s->unit;
		size_t k = 0;
		while (k < n_pcts && pcts[k] != p)
			k++;
		if (k == n_pcts && n_pcts < 16)
			pcts[n_pcts++] = p;
	}
	for (size_t a = 1; a < n_pcts; a++) /* sort ascending */
		for (size_t k = a; k > 0 && pcts[k - 1] > pcts[k]; k--) {
			double t = pcts[k];
			pcts[k] = pcts[k - 1];
			pcts[k - 1] = t;
		}
	struct gp_body b;
	FILE *f = gp_body_open(&b);
	if (f == NULL)
		return -1;
	char title[256], ylabel[128];
	snprintf(title, sizeof(title),
	         "%s: latency percentiles (mean over repetitions, error bars = 95%% CI)", workload);
	snprintf(ylabel, sizeof(ylabel), "latency (%s)", unit);
	gp_titles(f, title, ylabel);
	fprintf(f,
	        "set xlabel 'percentile'\nset key inside top left vertical\nset xrange "
	        "[-0.3:%zu.3]\nset yrange [0:*]\n"
	        "set offsets 0,0,graph 0.08,0\nset xtics (",
	        n_pcts - 1);
	for (size_t k = 0; k < n_pcts; k++)
		fprintf(f, "%s'p%g' %zu", k ? ", " : "", pcts[k], k);
	fputs(")\nplot ", f);
	size_t drawn = 0;
	for (size_t e = 0; e < ctx->n_envs; e++) {
		int block = -1;
		for (size_t k = 0; k < n_pcts; k++)
			for (size_t i = 0; i < run->n_samples; i++) {
				const struct sample *s = &run->samples[i];
				if (!ok(s) || strcmp(s->env, ctx->envs[e]) != 0 ||
				    strcmp(s->workload, workload) != 0 ||
				    latency_percentile(s->metric) != pcts[k])
					continue;
				if (block < 0)
					block = gp_block(ctx);
				fprintf(ctx->gp, "%zu %.17g %.17g %.17g\n", k, s->stats.mean,
				        s->stats.ci_low, s->stats.ci_high);
			}
		if (block < 0)
			continue;
		gp_block_end(ctx);
		char label[256];
		const char *color = gp_env_color(ctx, ctx->envs[e]);
		report_env_label(run, ctx->envs[e], label, sizeof(label));
		fprintf(f, "%s$d%d using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb '%s' title ",
		        drawn++ ? ", " : "", block, color);
		gp_str(f, label);
		fprintf(f, ", $d%d using 1:2:3:4 with yerrorbars lc rgb '%s' pt 7 ps 1 notitle",
		        block, color);
	}
	fputc('\n', f);
	return gp_body_chart(ctx, &b, "latency", workload, NULL, title, CHART_W, CHART_H);
}

int report_chart_latency(struct plot_ctx *ctx)
{
	const struct run *run = ctx->run;
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *s = &run->samples[i];
		if (!ok(s) || !in_latency_chart(s))
			continue;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = ok(&run->samples[j]) && in_latency_chart(&run->samples[j]) &&
			       strcmp(run->samples[j].workload, s->workload) == 0;
		if (!seen && latency_one(ctx, s->workload) < 0)
			return -1;
	}
	return 0;
}
