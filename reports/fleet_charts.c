/* Charts of a fleet: each host's bare figures against the fleet median, each
 * environment's overhead per host (heatmaps), density per host. Colours
 * follow the hosts (ctx->envs holds the host names). */
#include "reports/fleet_charts.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"
#include "reports/fleet.h"
#include "reports/fleet_stats.h"
#include "reports/overhead.h"
#include "reports/report_charts.h"

/* Bars: for every bare (workload, metric), each host's mean over the fleet
 * median, error bars its 95% CI over the same median. */
static int chart_spread(struct plot_ctx *ctx, const struct fleet *f)
{
	struct fleet_spread *sp = NULL;
	size_t n = 0;
	if (fleet_spreads(f, &sp, &n, NULL) < 0)
		return -1;
	cleanup_free const char **labels = calloc(n + 1, sizeof(*labels));
	cleanup_free char *label_text = calloc(n + 1, 256);
	cleanup_free int *blocks = calloc(f->n_hosts + 1, sizeof(*blocks));
	size_t n_rows = 0;
	int rc = -1;
	if (labels == NULL || label_text == NULL || blocks == NULL)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (strcmp(sp[i].env, "bare") == 0 && sp[i].median != 0) {
			char *l = label_text + 256 * n_rows;
			snprintf(l, 256, "%s / %s", sp[i].workload, sp[i].metric);
			labels[n_rows++] = l;
		}
	rc = 0;
	if (n_rows == 0 || f->n_hosts == 0)
		goto out;
	size_t n_present = 0;
	for (size_t h = 0; h < f->n_hosts; h++) {
		blocks[h] = -1;
		for (size_t i = 0, row = 0; i < n; i++) {
			const struct fleet_spread *s = &sp[i];
			if (strcmp(s->env, "bare") != 0 || s->median == 0)
				continue;
			for (size_t k = 0; k < s->n; k++) {
				if (s->hosts[k] != h)
					continue;
				if (blocks[h] < 0) {
					blocks[h] = gp_block(ctx);
					n_present++;
				}
				const struct stats *st = &s->samples[k]->stats;
				double m = fabs(s->median);
				fprintf(ctx->gp, "%zu %.17g %.17g %.17g\n", row, st->mean / m,
				        st->ci_low / m, st->ci_high / m);
			}
			row++;
		}
		if (blocks[h] >= 0)
			gp_block_end(ctx);
	}
	struct gp_body b;
	FILE *g = gp_body_open(&b);
	if (g == NULL) {
		rc = -1;
		goto out;
	}
	const char *title = "Bare metal: each host's mean over the fleet median (error bars = 95% "
	                    "CI; 1 = the median host)";
	double w = 0.8 / (double)n_present;
	fputs("set title ", g);
	gp_str(g, title);
	fprintf(g,
	        "\nset ylabel 'host mean / fleet median'\nset style fill solid 0.9 border rgb "
	        "'#333333'\nset boxwidth %g absolute\nset xrange [-0.5:%zu.5]\nset yrange [0:*]\n"
	        "set offsets 0,0,graph 0.08,0\n",
	        w * 0.92, n_rows - 1);
	gp_xtics(g, labels, n_rows, CHART_W);
	fputs("plot 1 with lines lc rgb '#888888' dt 2 notitle", g);
	for (size_t h = 0, j = 0; h < f->n_hosts; h++) {
		if (blocks[h] < 0)
			continue;
		double off = ((double)j++ - (double)(n_present - 1) / 2) * w;
		fprintf(g, ", $d%d using ($1%+g):2 with boxes lc rgb '%s' title ", blocks[h], off,
		        gp_env_color(ctx, f->hosts[h].name));
		gp_str(g, f->hosts[h].name);
		fprintf(g,
		        ", $d%d using ($1%+g):2:3:4 with yerrorbars lc rgb '#222222' pt 7 ps 0.5 "
		        "notitle",
		        blocks[h], off);
	}
	fputc('\n', g);
	rc = gp_body_chart(ctx, &b, "fleet-spread", "bare", NULL, title, CHART_W, CHART_H);
out:
	fleet_spreads_free(sp, n);
	return rc;
}

/* One heatmap per environment other than bare: rows workload / metric,
 * columns hosts, cells the host's slowdown against its own bare. */
static int chart_overhead(struct plot_ctx *ctx, const struct fleet *f)
{
	json_t **oh = calloc(f->n_hosts + 1, sizeof(*oh));
	if (oh == NULL)
		return -1;
	size_t total = 0;
	for (size_t h = 0; h < f->n_hosts; h++) {
		oh[h] = overhead_for_run(&f->hosts[h].run, "bare");
		total += json_array_size(oh[h]);
	}
	int rc = 0;
	const char **envs = calloc(total + 1, sizeof(*envs));
	const char **rows = calloc(total + 1, sizeof(*rows));
	char *row_text = calloc(total + 1, 256);
	const char **cols = calloc(f->n_hosts + 1, sizeof(*cols));
	struct heat_cell *cells = calloc(total + 1, sizeof(*cells));
	if (!envs || !rows || !row_text || !cols || !cells)
		rc = -1;
	size_t n_envs = 0;
	for (size_t h = 0; rc == 0 && h < f->n_hosts; h++) {
		size_t i;
		json_t *o;
		json_array_foreach(oh[h], i, o)
		{
			const char *env = json_string_value(json_object_get(o, "env"));
			if (env != NULL && gp_index_of(envs, n_envs, env) == n_envs)
				envs[n_envs++] = env;
		}
	}
	for (size_t e = 0; rc == 0 && e < n_envs; e++) {
		size_t n_rows = 0, n_cols = 0, n_cells = 0;
		for (size_t h = 0; h < f->n_hosts; h++) {
			size_t i;
			json_t *o;
			json_array_foreach(oh[h], i, o)
			{
				json_t *sd = json_object_get(o, "slowdown");
				if (strcmp(json_string_value(json_object_get(o, "env")), envs[e]) !=
				        0 ||
				    !json_is_number(sd) || !(json_number_value(sd) > 0))
					continue;
				char *r = row_text + 256 * n_rows;
				snprintf(r, 256, "%s / %s",
				         json_string_value(json_object_get(o, "workload")),
				         json_string_value(json_object_get(o, "metric")));
				size_t ri = gp_index_of(rows, n_rows, r);
				size_t ci = gp_index_of(cols, n_cols, f->hosts[h].name);
				if (ri == n_rows)
					rows[n_rows++] = r;
				if (ci == n_cols)
					cols[n_cols++] = f->hosts[h].name;
				cells[n_cells++] = (struct heat_cell){
				    .col = ci,
				    .row = ri,
				    .slowdown = json_number_value(sd),
				    .significant = json_is_true(json_object_get(o, "significant")),
				};
			}
		}
		char title[256], name[160];
		snprintf(title, sizeof(title),
		         "%s against bare on each host: slowdown (> 1 = worse; ~ = within noise)",
		         envs[e]);
		snprintf(name, sizeof(name), "fleet-overhead-%s", envs[e]);
		rc = report_heatmap(ctx, rows, n_rows, cols, n_cols, cells, n_cells, name, title);
	}
	for (size_t h = 0; h < f->n_hosts; h++)
		json_decref(oh[h]);
	free(oh);
	free(envs);
	free(rows);
	free(row_text);
	free(cols);
	free(cells);
	return rc;
}

/* Grouped bars: x = each (env, mode, workload) density study, a bar per host
 * with the largest instance count that met QoS. */
static int chart_density(struct plot_ctx *ctx, const struct fleet *f)
{
	size_t total = 0;
	for (size_t h = 0; h < f->n_hosts; h++)
		total += json_array_size(f->hosts[h].run.density);
	if (total == 0)
		return 0;
	cleanup_free const char **studies = calloc(total + 1, sizeof(*studies));
	cleanup_free char *text = calloc(total + 1, 256);
	cleanup_free int *blocks = calloc(f->n_hosts + 1, sizeof(*blocks));
	if (studies == NULL || text == NULL || blocks == NULL)
		return -1;
	size_t n_studies = 0, n_present = 0;
	for (size_t h = 0; h < f->n_hosts; h++) {
		blocks[h] = -1;
		size_t i;
		json_t *st;
		json_array_foreach(f->hosts[h].run.density, i, st)
		{
			const char *env = json_string_value(json_object_get(st, "env"));
			const char *wl = json_string_value(json_object_get(st, "workload"));
			if (env == NULL)
				continue;
			char *l = text + 256 * n_studies;
			snprintf(l, 256, "%s %s", env, wl != NULL && *wl ? wl : "(idle)");
			size_t k = gp_index_of(studies, n_studies, l);
			if (k == n_studies)
				studies[n_studies++] = l;
			if (blocks[h] < 0) {
				blocks[h] = gp_block(ctx);
				n_present++;
			}
			fprintf(ctx->gp, "%zu %lld\n", k,
			        (long long)json_integer_value(json_object_get(st, "max_ok")));
		}
		if (blocks[h] >= 0)
			gp_block_end(ctx);
	}
	if (n_present == 0)
		return 0;
	struct gp_body b;
	FILE *g = gp_body_open(&b);
	if (g == NULL)
		return -1;
	const char *title = "Density per host: the most instances that met the QoS bar";
	double w = 0.8 / (double)n_present;
	fputs("set title ", g);
	gp_str(g, title);
	fprintf(g,
	        "\nset ylabel 'instances'\nset style fill solid 0.9 border rgb '#333333'\n"
	        "set boxwidth %g absolute\nset xrange [-0.5:%zu.5]\nset yrange [0:*]\n"
	        "set offsets 0,0,graph 0.1,0\n",
	        w * 0.92, n_studies - 1);
	gp_xtics(g, studies, n_studies, CHART_W);
	fputs("plot ", g);
	for (size_t h = 0, j = 0; h < f->n_hosts; h++) {
		if (blocks[h] < 0)
			continue;
		double off = ((double)j - (double)(n_present - 1) / 2) * w;
		fprintf(g, "%s$d%d using ($1%+g):2 with boxes lc rgb '%s' title ", j ? ", " : "",
		        blocks[h], off, gp_env_color(ctx, f->hosts[h].name));
		gp_str(g, f->hosts[h].name);
		j++;
	}
	fputc('\n', g);
	return gp_body_chart(ctx, &b, "fleet-density", NULL, NULL, title, CHART_W, CHART_H);
}

/* The chart families of a fleet report, in the order the report shows them. */
static int draw_fleet(struct plot_ctx *ctx, const void *arg)
{
	const struct fleet *f = arg;
	int rc = chart_spread(ctx, f);
	if (rc == 0)
		rc = chart_overhead(ctx, f);
	if (rc == 0)
		rc = chart_density(ctx, f);
	return rc;
}

int fleet_plot(const struct fleet *f, const char *dir, const struct report_tools *tools,
               struct report_charts *charts, struct bench_error **err)
{
	cleanup_free const char **hosts = calloc(f->n_hosts + 1, sizeof(*hosts));
	if (hosts == NULL)
		return bench_error_set(err, ENOMEM, "fleet charts");
	for (size_t i = 0; i < f->n_hosts; i++)
		hosts[i] = f->hosts[i].name;
	struct plot_ctx ctx = {
	    .dir = dir, .tools = tools, .charts = charts, .envs = hosts, .n_envs = f->n_hosts};
	return gp_draw(&ctx, draw_fleet, f, err);
}
