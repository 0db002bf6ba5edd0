/* The charts of a comparison report, drawn from its chart data: a forest
 * plot of every metric's change with its interval and tolerance band, and
 * a history chart per gated metric with its change points. */
#include "reports/report_compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/core/cleanup.h"

static unsigned verdict_color(const char *v)
{
	return strcmp(v, "regression") == 0    ? 0xd55e00
	       : strcmp(v, "improvement") == 0 ? 0x009e73
	       : strcmp(v, "equivalent") == 0  ? 0x0072b2
	                                       : 0x7f7f7f;
}

static int forest(struct plot_ctx *ctx, const struct compare_charts_data *d)
{
	if (d->n_rows == 0)
		return 0;
	double span = 10;
	for (size_t i = 0; i < d->n_rows; i++) {
		const struct forest_row *r = &d->rows[i];
		double vals[] = {r->change, r->low, r->high, r->tolerance};
		for (size_t k = 0; k < 4; k++)
			if (isfinite(vals[k]) && fabs(vals[k]) + 2 > span)
				span = fabs(vals[k]) + 2;
	}
	int block = gp_block(ctx);
	for (size_t i = 0; i < d->n_rows; i++) {
		const struct forest_row *r = &d->rows[i];
		fprintf(ctx->gp, "%zu %.10g %.10g %.10g %.10g %u\n", i, r->change,
		        isfinite(r->low) ? r->low : -span, isfinite(r->high) ? r->high : span,
		        r->tolerance, verdict_color(r->verdict));
	}
	gp_block_end(ctx);
	struct gp_body b;
	FILE *f = gp_body_open(&b);
	if (f == NULL)
		return -1;
	int height = 120 + 28 * (int)d->n_rows;
	fputs("set title 'change of each metric (> 0 = better), 95% interval; grey: "
	      "+-tolerance'\nset xlabel 'change (%)'\nunset key\nset grid xtics\n",
	      f);
	fprintf(f, "set xrange [%g:%g]\nset yrange [%g:-0.7]\nset ytics (", -span, span,
	        (double)d->n_rows - 0.3);
	for (size_t i = 0; i < d->n_rows; i++) {
		fputs(i ? ", " : "", f);
		gp_str(f, d->rows[i].label);
		fprintf(f, " %zu", i);
	}
	fputs(")\nset style fill solid 0.35 noborder\n"
	      "set arrow 1 from 0, graph 0 to 0, graph 1 nohead dt 2 lc rgb '#444444'\n",
	      f);
	fprintf(f,
	        "plot $d%d using (0):1:5:(0.4) with boxxyerror lc rgb '#cccccc', "
	        "$d%d using 2:1:3:4:6 with xerrorbars pt 7 ps 0.9 lc rgb variable\n",
	        block, block);
	return gp_body_chart(ctx, &b, "forest", NULL, NULL,
	                     "Forest plot: change with 95% interval against the tolerance band",
	                     CHART_W, height < 300 ? 300 : height);
}

static int history(struct plot_ctx *ctx, const struct history_chart *h)
{
	if (h->n == 0)
		return 0;
	int block = gp_block(ctx);
	for (size_t i = 0; i < h->n; i++)
		fprintf(ctx->gp, "%zu %.10g %.10g %.10g\n", i, h->mean[i], h->low[i], h->high[i]);
	gp_block_end(ctx);
	struct gp_body b;
	FILE *f = gp_body_open(&b);
	if (f == NULL)
		return -1;
	char title[300];
	snprintf(title, sizeof(title),
	         "%s: history (run means, 95%% CI), baseline shaded, "
	         "change points dashed, new run in red",
	         h->label);
	fputs("set title ", f);
	gp_str(f, title);
	fputs("\nset xlabel 'run (oldest first)'\nset ylabel ", f);
	gp_str(f, h->unit);
	fprintf(f, "\nset xrange [-0.7:%g]\nset key outside below center horizontal\n",
	        (double)h->n + 0.7);
	fprintf(f,
	        "set object 1 rect from %g, graph 0 to %g, graph 1 fc rgb '#dde8f6' fs solid "
	        "0.6 noborder behind\n",
	        (double)h->seg_start - 0.5, (double)h->seg_end - 0.5);
	for (size_t k = 0; k < h->n_cps; k++)
		fprintf(f,
		        "set arrow %zu from %g, graph 0 to %g, graph 1 nohead dt 2 lw 1.5 lc rgb "
		        "'#cc0000'\n",
		        k + 1, (double)h->cps[k] - 0.5, (double)h->cps[k] - 0.5);
	fprintf(f,
	        "plot $d%d using 1:2:3:4 with yerrorbars pt 7 ps 0.7 lc rgb '#0072b2' title "
	        "'history'",
	        block);
	if (isfinite(h->new_mean))
		fprintf(f,
		        ", '+' using (%zu):(%.10g) every ::0::0 with points pt 13 ps 1.6 lc rgb "
		        "'#d55e00' title 'new run'",
		        h->n, h->new_mean);
	fputc('\n', f);
	return gp_body_chart(ctx, &b, "history", h->workload, h->metric, title, CHART_W,
	                     CHART_H - 100);
}

static int draw_all(struct plot_ctx *ctx, const void *arg)
{
	const struct compare_charts_data *d = arg;
	int rc = forest(ctx, d);
	for (size_t i = 0; i < d->n_hist && rc == 0; i++)
		rc = history(ctx, &d->hist[i]);
	return rc;
}

int compare_charts_draw(const struct compare_charts_data *d, const char *dir,
                        const struct report_tools *tools, struct report_charts *charts,
                        struct bench_error **err)
{
	struct plot_ctx ctx = {.dir = dir, .tools = tools, .charts = charts};
	return gp_draw(&ctx, draw_all, d, err);
}
