/* Charts with gnuplot: one script with every chart (the families in
 * report_charts*.c), run as an argument vector. */
#include "reports/report_plot.h"

#include <errno.h>
#include <stdlib.h>

#include "harness/core/cleanup.h"
#include "reports/report_charts.h"
#include "reports/run_view.h"

/* The chart families, in the order the report shows them. */
static int (*const families[])(struct plot_ctx *ctx) = {
    report_chart_forest,  report_chart_bars,     report_chart_overhead,
    report_chart_latency, report_chart_instance, report_chart_density,
};

static int draw_families(struct plot_ctx *ctx, const void *arg)
{
	(void)arg;
	int rc = 0;
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]) && rc == 0; i++)
		rc = families[i](ctx);
	return rc;
}

int report_plot(const struct run *run, const char *dir, const struct report_tools *tools,
                struct report_charts *charts, struct bench_error **err)
{
	cleanup_free const char **envs = NULL;
	struct plot_ctx ctx = {.run = run, .dir = dir, .tools = tools, .charts = charts};
	envs = report_envs(run, &ctx.n_envs);
	ctx.envs = envs;
	if (envs == NULL)
		return bench_error_set(err, ENOMEM, "report_plot");
	return gp_draw(&ctx, draw_families, NULL, err);
}
