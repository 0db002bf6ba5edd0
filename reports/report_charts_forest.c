/* The overview chart: a forest plot of every metric's slowdown against the
 * baseline, one row per workload and metric grouped by family, one point
 * per environment with its 95% interval, on a log axis, over the
 * baseline's own noise band (its 95% CI as a fraction of its mean). */
#include "reports/report_charts.h"

#include "reports/run_view.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"

#define FOREST_CLIP 64.0 /* the axis stops at 1/64 .. 64x */

struct forest_row {
	const char *workload, *metric; /* borrowed; workload NULL for a family heading */
	size_t family;
	double noise; /* the baseline's CI half-width over its mean; NAN unknown */
};

static double clip(double x)
{
	return x < 1 / FOREST_CLIP ? 1 / FOREST_CLIP : x > FOREST_CLIP ? FOREST_CLIP : x;
}

/* The baseline's relative noise for workload/metric: (ci_high - mean) / mean. */
static double baseline_noise(const struct run *run, const char *baseline, const char *workload,
                             const char *metric)
{
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *s = &run->samples[i];
		if (s->failed || strcmp(s->env, baseline) != 0 ||
		    strcmp(s->workload, workload) != 0 || strcmp(s->metric, metric) != 0 ||
		    !(s->stats.mean != 0))
			continue;
		double r = (s->stats.ci_high - s->stats.mean) / fabs(s->stats.mean);
		return isfinite(r) && r >= 0 ? r : NAN;
	}
	return NAN;
}

/* Rows: the compared (workload, metric) pairs in run order, grouped by
 * family, each family preceded by a heading row. Returns the count, or -1. */
static ssize_t forest_rows(const struct run *run, const char *baseline, struct forest_row **out)
{
	size_t n = json_array_size(run->overhead), k = 0, i;
	struct forest_row *rows = calloc(n + REPORT_N_FAMILIES + 1, sizeof(*rows));
	if (rows == NULL)
		return -1;
	for (size_t f = 0; f < REPORT_N_FAMILIES; f++) {
		size_t heading = k;
		json_t *o;
		json_array_foreach(run->overhead, i, o)
		{
			struct overhead_view v;
			if (!report_overhead_view(o, &v) || report_family_of(v.workload) != f)
				continue;
			bool seen = false;
			for (size_t r = heading; r < k && !seen; r++)
				seen = rows[r].workload != NULL &&
				       strcmp(rows[r].workload, v.workload) == 0 &&
				       strcmp(rows[r].metric, v.metric) == 0;
			if (seen)
				continue;
			if (k == heading)
				rows[k++] = (struct forest_row){.family = f, .noise = NAN};
			rows[k++] = (struct forest_row){
			    .workload = v.workload,
			    .metric = v.metric,
			    .family = f,
			    .noise = baseline_noise(run, baseline, v.workload, v.metric)};
		}
	}
	*out = rows;
	return (ssize_t)k;
}

static size_t row_of(const struct forest_row *rows, size_t n, const struct overhead_view *v)
{
	for (size_t r = 0; r < n; r++)
		if (rows[r].workload != NULL && strcmp(rows[r].workload, v->workload) == 0 &&
		    strcmp(rows[r].metric, v->metric) == 0)
			return r;
	return n;
}

/* Log-axis tics between lo and hi from a fixed ladder of round factors. */
static void forest_xtics(FILE *f, double lo, double hi)
{
	static const double ladder[] = {1.0 / 64, 1.0 / 32, 1.0 / 16, 0.125, 0.25, 0.4, 0.5, 0.67,
	                                0.8,      0.9,      1,        1.1,   1.25, 1.5, 2,   2.5,
	                                3,        4,        8,        16,    32,   64};
	size_t n = sizeof(ladder) / sizeof(ladder[0]), shown = 0;
	fputs("set xtics (", f);
	for (size_t i = 0; i < n; i++) {
		if (ladder[i] < lo || ladder[i] > hi)
			continue;
		/* near 1 only when the axis is narrow: the fine steps crowd a wide one */
		bool fine = ladder[i] == 0.67 || ladder[i] == 0.9 || ladder[i] == 1.1 ||
		            ladder[i] == 1.25 || ladder[i] == 0.8 || ladder[i] == 1.5 ||
		            ladder[i] == 0.4 || ladder[i] == 2.5;
		if (fine && hi / lo > 16)
			continue;
		if (ladder[i] < 0.25)
			fprintf(f, "%s'1/%g' %.17g", shown++ ? ", " : "", 1 / ladder[i], ladder[i]);
		else
			fprintf(f, "%s'%g' %.17g", shown++ ? ", " : "", ladder[i], ladder[i]);
	}
	fputs(")\n", f);
}

static int forest_draw(struct plot_ctx *ctx, const char *baseline, const struct forest_row *rows,
                       size_t n_rows)
{
	bool clip_any = false; /* a slowdown beyond the axis */
	const struct run *run = ctx->run;
	cleanup_free int *blocks = calloc(ctx->n_envs + 1, sizeof(*blocks));
	if (blocks == NULL)
		return -1;
	double lo = 1 / 1.1, hi = 1.1;
	size_t n_cmp = 0;
	for (size_t e = 0; e < ctx->n_envs; e++) { /* one datablock per compared environment */
		blocks[e] = -1;
		size_t i;
		json_t *o;
		json_array_foreach(run->overhead, i, o)
		{
			struct overhead_view v;
			if (!report_overhead_view(o, &v) || strcmp(v.env, ctx->envs[e]) != 0)
				continue;
			if (blocks[e] < 0) {
				blocks[e] = gp_block(ctx);
				n_cmp++;
			}
			bool bounded = !isnan(v.low);
			double s = clip(v.slowdown), l = bounded ? clip(v.low) : s,
			       h = bounded ? clip(v.high) : s;
			/* row, slowdown, interval, point type: filled = significant, a
			 * triangle when the slowdown is beyond the axis */
			bool beyond = s != v.slowdown;
			clip_any |= beyond;
			fprintf(ctx->gp, "%zu %.9g %.9g %.9g %d\n", row_of(rows, n_rows, &v), s, l,
			        h,
			        beyond          ? (v.significant ? 9 : 8)
			        : v.significant ? 7
			                        : 6);
			lo = fmin(lo, l);
			hi = fmax(hi, h);
		}
		if (blocks[e] >= 0)
			gp_block_end(ctx);
	}
	int band = gp_block(ctx);
	for (size_t r = 0; r < n_rows; r++)
		if (rows[r].workload != NULL && !isnan(rows[r].noise) && rows[r].noise > 0) {
			double up = clip(1 + rows[r].noise), down = clip(1 / (1 + rows[r].noise));
			fprintf(ctx->gp, "%zu 1 %.9g %.9g %.9g %.9g\n", r, down, up, r - 0.45,
			        r + 0.45);
			lo = fmin(lo, down);
			hi = fmax(hi, up);
		}
	gp_block_end(ctx);
	struct gp_body b;
	FILE *f = gp_body_open(&b);
	if (f == NULL)
		return -1;
	char title[256];
	snprintf(title, sizeof(title),
	         "Slowdown vs %s, 95%% CI (> 1 = worse; filled = significant; grey = %s's "
	         "noise%s)",
	         baseline, baseline, clip_any ? "; triangle = off the axis" : "");
	fputs("set title ", f);
	gp_str(f, title);
	fprintf(
	    f,
	    "\nset logscale x\nset xrange [%.9g:%.9g]\nset yrange [%zu.7:-0.7]\n"
	    "set xlabel 'slowdown (log scale)'\nset grid xtics\nset key outside bottom center "
	    "horizontal\nset arrow from 1, graph 0 to 1, graph 1 nohead lc rgb '#555555' dt 2\n",
	    lo / 1.05, hi * 1.05, n_rows - 1);
	forest_xtics(f, lo / 1.05, hi * 1.05);
	fputs("set ytics scale 0 (", f);
	for (size_t r = 0; r < n_rows; r++) {
		char label[256];
		if (rows[r].workload == NULL)
			snprintf(label, sizeof(label), "%s", report_families[rows[r].family].noun);
		else
			snprintf(label, sizeof(label), "   %s %s", rows[r].workload,
			         rows[r].metric);
		fputs(r ? ", " : "", f);
		gp_str(f, label);
		fprintf(f, " %zu", r);
	}
	fputs(")\n", f);
	for (size_t r = 1; r < n_rows; r++) /* a rule between families */
		if (rows[r].workload == NULL)
			fprintf(
			    f,
			    "set arrow from graph 0, first %zu.5 to graph 1, first %zu.5 nohead lc "
			    "rgb '#bbbbbb'\n",
			    r - 1, r - 1);
	fprintf(f,
	        "set style fill transparent solid 0.35 noborder\nplot $d%d using 3:1:3:4:5:6 "
	        "with boxxyerror lc rgb '#aaaaaa' title ",
	        band);
	char noise[128];
	snprintf(noise, sizeof(noise), "%s noise (its 95%% CI)", baseline);
	gp_str(f, noise);
	for (size_t e = 0, j = 0; e < ctx->n_envs; e++) {
		if (blocks[e] < 0)
			continue;
		double dy = ((double)j++ - (double)(n_cmp - 1) / 2) * (0.6 / (double)n_cmp);
		char label[256];
		const char *color = gp_env_color(ctx, ctx->envs[e]);
		report_env_label(run, ctx->envs[e], label, sizeof(label));
		fprintf(
		    f,
		    ", $d%d using 2:($1%+g):3:4 with xerrorbars lc rgb '%s' pt 0 notitle, "
		    "$d%d using 2:($1%+g):5 with points pt variable ps 1.1 lc rgb '%s' notitle, "
		    "keyentry with points pt 7 ps 1.1 lc rgb '%s' title ",
		    blocks[e], dy, color, blocks[e], dy, color, color);
		gp_str(f, label);
	}
	fputc('\n', f);
	int h = 140 + 20 * (int)n_rows;
	return gp_body_chart(ctx, &b, "overview", NULL, NULL, title, CHART_W + 100,
	                     h < 300 ? 300 : h);
}

int report_chart_forest(struct plot_ctx *ctx)
{
	const struct run *run = ctx->run;
	if (json_array_size(run->overhead) == 0)
		return 0;
	const char *baseline =
	    json_string_value(json_object_get(json_array_get(run->overhead, 0), "baseline"));
	cleanup_free struct forest_row *rows = NULL;
	ssize_t n = forest_rows(run, baseline != NULL ? baseline : "bare", &rows);
	if (n < 0)
		return -1;
	if (n == 0)
		return 0;
	return forest_draw(ctx, baseline != NULL ? baseline : "bare", rows, (size_t)n);
}
