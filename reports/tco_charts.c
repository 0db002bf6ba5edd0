/* The charts of bench tco, drawn by gnuplot (reports/gnuplot.h). */
#include "reports/tco_charts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/tco_table.h"

#define TORNADO_MAX  8
#define CURVE_POINTS 160

/* Money in the display unit as a double, for plotting. */
static double shown(const struct tco_model *m, struct q v)
{
	return q_double(q_div(v, m->display_unit));
}

static long color_of(struct plot_ctx *ctx, const struct tco_model *m, size_t scenario)
{
	return strtol(gp_env_color(ctx, m->platforms[m->scenarios[scenario].platform].name) + 1,
	              NULL, 16);
}

const char **tco_chart_platforms(const struct tco_model *m)
{
	const char **v = calloc(m->n_platforms + 1, sizeof(*v));
	for (size_t i = 0; v != NULL && i < m->n_platforms; i++)
		v[i] = m->platforms[i].name;
	return v;
}

static const char **scenario_names(const struct tco_model *m)
{
	const char **v = calloc(m->n_scenarios + 1, sizeof(*v));
	for (size_t i = 0; v != NULL && i < m->n_scenarios; i++)
		v[i] = m->scenarios[i].name;
	return v;
}

static int cost_chart(struct plot_ctx *ctx, const struct tco_results *r, const char *unit)
{
	const struct tco_model *m = r->m;
	const char **names = scenario_names(m);
	if (names == NULL)
		return -1;
	int block = gp_block(ctx);
	bool iv = false;
	for (size_t i = 0; i < r->n; i++) {
		const struct tco_result *x = &r->r[i];
		double c = shown(m, x->fig.cost_year);
		fprintf(ctx->gp, "%zu %.6f %.6f %.6f %ld %d\n", i, c,
		        x->has_interval ? shown(m, x->cost_low) : c,
		        x->has_interval ? shown(m, x->cost_high) : c, color_of(ctx, m, i),
		        x->has_interval ? 1 : 0);
		iv |= x->has_interval;
	}
	gp_block_end(ctx);
	struct gp_body b;
	FILE *f = gp_body_open(&b);
	if (f == NULL) {
		free(names);
		return -1;
	}
	char label[192], title[256];
	double base = shown(m, r->r[m->baseline].fig.cost_year);
	snprintf(title, sizeof(title), "Cost per instance and year by scenario (%s)", unit);
	snprintf(label, sizeof(label), "cost per instance and year (%s)", unit);
	gp_titles(f, title, label);
	fprintf(f,
	        "set yrange [0:*]\nset xrange [-0.6:%zu.6]\nset style fill solid 0.8 border "
	        "-1\nset boxwidth 0.6\n",
	        r->n - 1);
	gp_xtics(f, names, r->n, CHART_W);
	fprintf(f,
	        "plot $d%d using 1:2:5 with boxes lc rgb variable notitle, \\\n"
	        "  $d%d using 1:2:(sprintf('%%.2f', $2)) with labels offset 0,0.8 notitle, \\\n"
	        "  %.6f with lines dt 2 lw 1.5 lc rgb '#444444' title ",
	        block, block, base);
	snprintf(label, sizeof(label), "baseline: %s", m->scenarios[m->baseline].name);
	gp_str(f, label);
	if (iv)
		fprintf(f,
		        ", \\\n  $d%d using 1:($6 > 0 ? $2 : 1/0):3:4 with yerrorbars pt 0 lw 1.5 "
		        "lc rgb '#222222' title 'range from the run (density, slowdown intervals)'",
		        block);
	fputc('\n', f);
	free(names);
	return gp_body_chart(ctx, &b, "tco-cost", NULL, NULL, title, CHART_W, CHART_H);
}

static int components_chart(struct plot_ctx *ctx, const struct tco_results *r, const char *unit)
{
	static const char *const groups[] = {"hardware",       "SAN",  "licences", "maintenance",
	                                     "OS maintenance", "power"};
	enum { N_GROUPS = sizeof(groups) / sizeof(groups[0]) };
	static const char *const colors[N_GROUPS] = {"#0072b2", "#56b4e9", "#e69f00",
	                                             "#009e73", "#cc79a7", "#d55e00"};
	const struct tco_model *m = r->m;
	double v[64][N_GROUPS];
	bool used[N_GROUPS] = {false};
	size_t n = r->n < 64 ? r->n : 64;
	for (size_t i = 0; i < n; i++) {
		const struct tco_result *x = &r->r[i];
		struct q per = q_mul(x->fig.effective, m->period);
		for (size_t g = 0; g < N_GROUPS; g++) {
			struct q sum = q_int(0);
			for (int t = 0; t < TCO_N_TERMS; t++)
				if (strcmp(tco_terms[t].component, groups[g]) == 0)
					sum = q_add(sum, x->fig.term[t]);
			v[i][g] = shown(m, q_div(sum, per));
			used[g] |= v[i][g] != 0;
		}
	}
	const char **names = scenario_names(m);
	if (names == NULL)
		return -1;
	int block = gp_block(ctx);
	for (size_t i = 0; i < n; i++) {
		fprintf(ctx->gp, "%zu", i);
		for (size_t g = 0; g < N_GROUPS; g++)
			fprintf(ctx->gp, " %.6f", v[i][g]);
		fputc('\n', ctx->gp);
	}
	gp_block_end(ctx);
	struct gp_body b;
	FILE *f = gp_body_open(&b);
	if (f == NULL) {
		free(names);
		return -1;
	}
	char title[256], label[128];
	snprintf(title, sizeof(title), "What the cost per instance and year is made of (%s)", unit);
	snprintf(label, sizeof(label), "per instance and year (%s)", unit);
	gp_titles(f, title, label);
	fputs("set yrange [0:*]\nset style data histograms\nset style histogram rowstacked\n"
	      "set style fill solid 0.85 border -1\nset boxwidth 0.6\n",
	      f);
	gp_xtics(f, names, n, CHART_W);
	const char *sep = "plot ";
	for (size_t g = 0; g < N_GROUPS; g++) {
		if (!used[g])
			continue;
		fprintf(f, "%s$d%d using %zu lc rgb '%s' title ", sep, block, g + 2, colors[g]);
		gp_str(f, groups[g]);
		sep = ", \\\n  ";
	}
	if (strcmp(sep, "plot ") == 0)
		fputs("plot 0 notitle", f);
	fputc('\n', f);
	free(names);
	return gp_body_chart(ctx, &b, "tco-components", NULL, NULL, title, CHART_W, CHART_H);
}

/* Cost per instance and year of scenario i's configuration at g guests. */
static double cost_at(const struct tco_results *r, size_t i, long long g)
{
	const struct tco_model *m = r->m;
	const struct tco_figures *f = &r->r[i].fig;
	struct q s = m->scenarios[i].slowdown;
	struct q per_host = q_add(f->per_server, q_mul(f->per_instance, q_int(g)));
	return shown(m, q_div(q_mul(per_host, s), q_mul(q_int(g), m->period)));
}

static int break_even_chart(struct plot_ctx *ctx, const struct tco_results *r, const char *unit)
{
	const struct tco_model *m = r->m;
	long long top = 16;
	double ymax = 0;
	size_t virt = 0;
	for (size_t i = 0; i < r->n; i++) {
		double c = shown(m, r->r[i].fig.cost_year);
		ymax = c > ymax ? c : ymax;
		if (m->platforms[m->scenarios[i].platform].physical)
			continue;
		virt++;
		long long g = q_ceil(m->scenarios[i].guests);
		top = 2 * g > top ? 2 * g : top;
	}
	if (virt == 0)
		return 0;
	top = top > 100000 ? 100000 : top;
	bool logx = top > 64;
	int blocks[64], points = gp_block(ctx);
	for (size_t i = 0; i < r->n; i++)
		if (!m->platforms[m->scenarios[i].platform].physical)
			fprintf(ctx->gp, "%.6f %.6f %ld\n", q_double(m->scenarios[i].guests),
			        shown(m, r->r[i].fig.cost_year), color_of(ctx, m, i));
	gp_block_end(ctx);
	size_t nb = 0;
	for (size_t i = 0; i < r->n && nb < 64; i++) {
		if (m->platforms[m->scenarios[i].platform].physical)
			continue;
		blocks[nb++] = gp_block(ctx);
		long long last = 0;
		for (int k = 0; k <= CURVE_POINTS; k++) {
			long long g = logx ? llround(pow((double)top, (double)k / CURVE_POINTS))
			                   : 1 + (top - 1) * k / CURVE_POINTS;
			if (g <= last)
				continue;
			last = g;
			fprintf(ctx->gp, "%lld %.6f\n", g, cost_at(r, i, g));
		}
		gp_block_end(ctx);
	}
	struct gp_body b;
	FILE *f = gp_body_open(&b);
	if (f == NULL)
		return -1;
	char title[256], label[128];
	snprintf(title, sizeof(title),
	         "Break-even: cost per instance and year against guests per server (%s)", unit);
	snprintf(label, sizeof(label), "cost per instance and year (%s)", unit);
	gp_titles(f, title, label);
	fprintf(f, "set xlabel 'guests per server'\nset xrange [1:%lld]\nset yrange [0:%.6f]\n%s",
	        top, ymax * 2 > 0 ? ymax * 2 : 1, logx ? "set logscale x\n" : "");
	fputs("set grid xtics ytics lc rgb '#dddddd'\n", f);
	static const int dashes[] = {1, 2, 4, 5};
	const char *sep = "plot ";
	nb = 0;
	for (size_t i = 0; i < r->n; i++) {
		const struct tco_scenario *s = &m->scenarios[i];
		long color = color_of(ctx, m, i);
		if (m->platforms[s->platform].physical)
			fprintf(f, "%s%.6f with lines dt 3 lw 2 lc rgb '#%06lx' title ", sep,
			        shown(m, r->r[i].fig.cost_year), color);
		else if (nb < 64)
			fprintf(f, "%s$d%d using 1:2 with lines lw 2 dt %d lc rgb '#%06lx' title ",
			        sep, blocks[nb], dashes[nb % 4], color),
			    nb++;
		else
			continue;
		gp_str(f, s->name);
		sep = ", \\\n  ";
	}
	fprintf(f,
	        ", \\\n  $d%d using 1:2:3 with points pt 7 ps 1.4 lc rgb variable title "
	        "'each scenario at its own guests per server'\n",
	        points);
	return gp_body_chart(ctx, &b, "tco-break-even", NULL, NULL, title, CHART_W, CHART_H);
}

static int tornado_chart(struct plot_ctx *ctx, const struct tco_results *r, size_t i,
                         const char *unit)
{
	const struct tco_model *m = r->m;
	const struct tco_result *x = &r->r[i];
	size_t n = x->n_swing < TORNADO_MAX ? x->n_swing : TORNADO_MAX;
	if (n == 0)
		return 0;
	double base = shown(m, x->fig.cost_year);
	int block = gp_block(ctx);
	for (size_t k = 0; k < n; k++)
		fprintf(ctx->gp, "%zu %.6f %.6f\n", n - 1 - k, shown(m, x->swing[k].low),
		        shown(m, x->swing[k].high));
	gp_block_end(ctx);
	struct gp_body b;
	FILE *f = gp_body_open(&b);
	if (f == NULL)
		return -1;
	char title[320], label[128], pct[16];
	q_format(q_mul(r->swing, q_int(100)), 0, pct, sizeof(pct));
	snprintf(title, sizeof(title),
	         "Sensitivity of %s: cost per instance and year, each input -/+%s%%",
	         m->scenarios[i].name, pct);
	gp_titles(f, title, NULL);
	snprintf(label, sizeof(label), "cost per instance and year (%s)", unit);
	fputs("set xlabel ", f);
	gp_str(f, label);
	fprintf(f, "\nset yrange [-0.7:%zu.7]\nset grid xtics lc rgb '#dddddd'\nset ytics (",
	        n - 1);
	for (size_t k = 0; k < n; k++) {
		fputs(k ? ", " : "", f);
		gp_str(f, tco_param_label(x->swing[k].param));
		fprintf(f, " %zu", n - 1 - k);
	}
	fprintf(f,
	        ")\nset arrow from %.6f, graph 0 to %.6f, graph 1 nohead lc rgb '#444444' "
	        "lw 1.5\nset style fill solid 0.85 border -1\n",
	        base, base);
	fprintf(
	    f,
	    "plot $d%d using ((%.6f + $2) / 2):1:(%.6f < $2 ? %.6f : $2):(%.6f < $2 ? $2 : "
	    "%.6f):($1 - 0.3):($1 + 0.3) with boxxyerror lc rgb '#0072b2' title 'input -%s%%', "
	    "\\\n  $d%d using ((%.6f + $3) / 2):1:(%.6f < $3 ? %.6f : $3):(%.6f < $3 ? $3 : "
	    "%.6f):($1 - 0.3):($1 + 0.3) with boxxyerror lc rgb '#e69f00' title 'input +%s%%'\n",
	    block, base, base, base, base, base, pct, block, base, base, base, base, base, pct);
	int h = 140 + 45 * (int)n;
	return gp_body_chart(ctx, &b, "tco-tornado", m->scenarios[i].name, NULL, title, CHART_W,
	                     h < 300 ? 300 : h);
}

int tco_charts_draw(struct plot_ctx *ctx, const void *arg)
{
	const struct tco_results *r = arg;
	char unit[32];
	tco_unit_label(r->m, unit, sizeof(unit));
	int rc = cost_chart(ctx, r, unit);
	if (rc == 0)
		rc = components_chart(ctx, r, unit);
	if (rc == 0)
		rc = break_even_chart(ctx, r, unit);
	for (size_t i = 0; i < r->n && rc == 0; i++)
		rc = tornado_chart(ctx, r, i, unit);
	return rc;
}
