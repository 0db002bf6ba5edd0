/* Charts with gnuplot: one script with every chart (the families in
 * report_charts*.c), run as an argument vector. */
#include "reports/report_plot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/core/cleanup.h"
#include "harness/core/spawn.h"
#include "reports/report_charts.h"
#include "reports/run_view.h"

/* The chart families, in the order the report shows them. */
static int (*const families[])(struct plot_ctx *ctx) = {
    report_chart_bars,     report_chart_overhead, report_chart_latency,
    report_chart_instance, report_chart_density,
};

int report_plot(const struct run *run, const char *dir, const struct report_tools *tools,
                struct report_charts *charts, struct bench_error **err)
{
	for (const char *p = dir; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return bench_error_set(err, 0, "%s: control characters in the report path",
			                       dir);
	cleanup_free char *script = NULL;
	if (asprintf(&script, "%s/charts.gp", dir) < 0)
		return bench_error_set(err, ENOMEM, "report_plot");
	cleanup_free const char **envs = NULL;
	struct plot_ctx ctx = {.run = run, .dir = dir, .tools = tools, .charts = charts};
	envs = report_envs(run, &ctx.n_envs);
	ctx.envs = envs;
	if (envs == NULL || (ctx.gp = fopen(script, "w")) == NULL)
		return bench_error_set(err, envs ? errno : ENOMEM, "%s", script);
	fputs("# bench report charts (generated)\nset encoding utf8\n", ctx.gp);
	int rc = 0;
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]) && rc == 0; i++)
		rc = families[i](&ctx);
	int werr = ferror(ctx.gp) ? EIO : 0;
	if (fclose(ctx.gp) != 0 && werr == 0)
		werr = errno;
	if (rc < 0 || werr != 0) {
		unlink(script);
		return bench_error_set(err, rc < 0 ? ENOMEM : werr, "writing %s", script);
	}
	rc = charts->n > 0 ? gp_run_script(tools, script, err) : 0;
	unlink(script);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < charts->n; i++) {
		for (int k = 0; k < 2; k++) {
			cleanup_free char *path = NULL;
			struct stat st;
			if (asprintf(&path, "%s/%s.%s", dir, charts->v[i].name, k ? "png" : "svg") <
			    0)
				return bench_error_set(err, ENOMEM, "report_plot");
			if (stat(path, &st) < 0 || st.st_size == 0)
				return bench_error_set(err, 0, "gnuplot did not draw %s", path);
		}
	}
	return 0;
}
