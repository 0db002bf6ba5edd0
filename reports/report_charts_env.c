/* Charts across environments: the overhead heatmap and each environment's
 * instance start time and memory footprint. */
#include "reports/report_charts.h"

#include "reports/run_view.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"

int report_heatmap(struct plot_ctx *ctx, const char *const *rows, size_t n_rows,
                   const char *const *cols, size_t n_cols, const struct heat_cell *cells,
                   size_t n_cells, const char *name, const char *title)
{
	if (n_rows == 0 || n_cols == 0 || n_cells == 0)
		return 0;
	struct gp_body b = {0};
	FILE *f = gp_body_open(&b);
	if (f == NULL)
		return -1;
	int block = gp_block(ctx);
	for (size_t i = 0; i < n_cells; i++) {
		const struct heat_cell *c = &cells[i];
		double v = log2(c->slowdown);
		v = v < -1 ? -1 : v > 1 ? 1 : v;
		fprintf(ctx->gp, "%zu %zu %.6g\n", c->col, c->row, v);
		fprintf(f, "set label '%s%.2f' at %zu,%zu center front tc rgb '%s'\n",
		        c->significant ? "" : "~", c->slowdown, c->col, c->row,
		        fabs(v) > 0.6 ? "#ffffff" : "#000000");
	}
	gp_block_end(ctx);
	fputs("unset key\nunset grid\nset border 0\nset tics scale 0\nset title ", f);
	gp_str(f, title);
	fprintf(f, "\nset xrange [-0.5:%zu.5]\nset yrange [%zu.5:-0.5]\n", n_cols - 1, n_rows - 1);
	gp_xtics(f, cols, n_cols, 600 + 130 * (int)n_cols);
	fputs("set ytics (", f);
	for (size_t i = 0; i < n_rows; i++) {
		fputs(i ? ", " : "", f);
		gp_str(f, rows[i]);
		fprintf(f, " %zu", i);
	}
	fputs(")\nset cbrange [-1:1]\n"
	      "set palette defined (-1 '#2166ac', 0 '#f7f7f7', 1 '#b2182b')\n"
	      "set cbtics ('0.5' -1, '0.71' -0.5, '1' 0, '1.41' 0.5, '2' 1)\n"
	      "set cblabel 'slowdown (log scale, clipped to 0.5 .. 2)'\n",
	      f);
	fprintf(f,
	        "plot $d%d using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder "
	        "lc palette notitle\n",
	        block);
	int h = 160 + 30 * (int)n_rows;
	return gp_body_chart(ctx, &b, name, NULL, NULL, title, 600 + 130 * (int)n_cols,
	                     h < 400 ? 400 : h);
}

/* Heatmap of the overhead array: a row per workload/metric, a column per
 * environment. */
int report_chart_overhead(struct plot_ctx *ctx)
{
	json_t *oh = ctx->run->overhead;
	size_t n = json_array_size(oh), n_rows = 0, n_cols = 0, n_cells = 0;
	if (n == 0)
		return 0;
	cleanup_free const char **rows = calloc(n, sizeof(*rows));
	cleanup_free char *row_text = calloc(n, 256);
	cleanup_free const char **cols = calloc(n, sizeof(*cols));
	cleanup_free const char **labels = calloc(n, sizeof(*labels));
	cleanup_free char *label_text = calloc(n, 256);
	cleanup_free struct heat_cell *cells = calloc(n, sizeof(*cells));
	if (!rows || !row_text || !cols || !labels || !label_text || !cells)
		return -1;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(oh, i);
		const char *env = json_string_value(json_object_get(o, "env"));
		json_t *sd = json_object_get(o, "slowdown");
		if (env == NULL || !json_is_number(sd) || !(json_number_value(sd) > 0))
			continue;
		char *r = row_text + 256 * n_rows;
		snprintf(r, 256, "%s / %s", json_string_value(json_object_get(o, "workload")),
		         json_string_value(json_object_get(o, "metric")));
		size_t ri = gp_index_of(rows, n_rows, r), ci = gp_index_of(cols, n_cols, env);
		if (ri == n_rows)
			rows[n_rows++] = r;
		if (ci == n_cols) {
			char *l = label_text + 256 * n_cols;
			report_env_label(ctx->run, env, l, 256);
			labels[n_cols] = l;
			cols[n_cols++] = env;
		}
		cells[n_cells++] = (struct heat_cell){
		    .col = ci,
		    .row = ri,
		    .slowdown = json_number_value(sd),
		    .significant = json_is_true(json_object_get(o, "significant")),
		};
	}
	char title[256];
	snprintf(title, sizeof(title),
	         "Overhead against %s: slowdown (> 1 = worse; ~ = within noise)",
	         json_string_value(json_object_get(json_array_get(oh, 0), "baseline")));
	return report_heatmap(ctx, rows, n_rows, labels, n_cols, cells, n_cells, "overhead", title);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median of config.instance.<key> over env's samples; NAN when none has it. */
static double instance_median(const struct run *run, const char *env, const char *key,
                              double *scratch)
{
	size_t n = 0;
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *s = &run->samples[i];
		json_t *v = json_object_get(json_object_get(s->config, "instance"), key);
		if (strcmp(s->env, env) == 0 && json_is_number(v))
			scratch[n++] = json_number_value(v);
	}
	if (n == 0)
		return NAN;
	qsort(scratch, n, sizeof(*scratch), cmp_double);
	return n % 2 ? scratch[n / 2] : (scratch[n / 2 - 1] + scratch[n / 2]) / 2;
}

/* One panel of the instance chart: a bar per environment with its value. */
static void instance_panel(struct plot_ctx *ctx, FILE *f, int block, const char *title,
                           const char *ylabel, const char *const *labels)
{
	fputs("set title ", f);
	gp_str(f, title);
	fputs("\nset ylabel ", f);
	gp_str(f, ylabel);
	fprintf(f, "\nset xrange [-0.5:%zu.5]\nset yrange [0:*]\nset offsets 0,0,graph 0.12,0\n",
	        ctx->n_envs - 1);
	gp_xtics(f, labels, ctx->n_envs, CHART_W / 2);
	fprintf(f,
	        "plot $d%d using 1:2:3 with boxes lc rgb variable notitle, "
	        "$d%d using 1:2:(sprintf('%%.3g', $2)) with labels offset 0,0.8 notitle\n",
	        block, block);
}

/* Start latency and memory footprint per environment, the median over its
 * samples (config.instance.start_s and mem_bytes), side by side. */
int report_chart_instance(struct plot_ctx *ctx)
{
	const struct run *run = ctx->run;
	cleanup_free double *scratch = calloc(run->n_samples + 1, sizeof(*scratch));
	cleanup_free double *start = calloc(ctx->n_envs + 1, sizeof(*start));
	cleanup_free double *mem = calloc(ctx->n_envs + 1, sizeof(*mem));
	cleanup_free const char **labels = calloc(ctx->n_envs + 1, sizeof(*labels));
	cleanup_free char *label_text = calloc(ctx->n_envs + 1, 256);
	if (!scratch || !start || !mem || !labels || !label_text)
		return -1;
	bool any = false, slow_start = false;
	for (size_t e = 0; e < ctx->n_envs; e++) {
		start[e] = instance_median(run, ctx->envs[e], "start_s", scratch);
		mem[e] = instance_median(run, ctx->envs[e], "mem_bytes", scratch);
		any |= !isnan(start[e]) || !isnan(mem[e]);
		slow_start |= start[e] >= 10;
		report_env_label(run, ctx->envs[e], label_text + 256 * e, 256);
		labels[e] = label_text + 256 * e;
	}
	if (!any)
		return 0;
	int blocks[2];
	for (int k = 0; k < 2; k++) {
		blocks[k] = gp_block(ctx);
		for (size_t e = 0; e < ctx->n_envs; e++) {
			double v = k == 0 ? start[e] * (slow_start ? 1 : 1000) : mem[e] / 1048576;
			unsigned color =
			    (unsigned)strtoul(gp_env_color(ctx, ctx->envs[e]) + 1, NULL, 16);
			if (!isnan(v))
				fprintf(ctx->gp, "%zu %.6g %u\n", e, v, color);
		}
		gp_block_end(ctx);
	}
	struct gp_body b;
	FILE *f = gp_body_open(&b);
	if (f == NULL)
		return -1;
	const char *title = "Instance start latency and memory footprint (median over samples)";
	fputs("set style fill solid 0.9 border rgb '#333333'\nset boxwidth 0.6\nset multiplot "
	      "layout 1,2 title ",
	      f);
	gp_str(f, title);
	fputc('\n', f);
	instance_panel(ctx, f, blocks[0], "start latency", slow_start ? "seconds" : "milliseconds",
	               labels);
	instance_panel(ctx, f, blocks[1], "memory footprint", "MiB", labels);
	fputs("unset multiplot\n", f);
	return gp_body_chart(ctx, &b, "instance", NULL, NULL, title, CHART_W, CHART_H);
}
