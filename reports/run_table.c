#include "reports/run_table.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "reports/run_view.h"

/* Formats v with 4 significant digits, without exponent for usual sizes. */
static void fmt_value(double v, char *buf, size_t len)
{
	double a = fabs(v);
	if (a != 0 && (a >= 1e9 || a < 1e-3))
		snprintf(buf, len, "%.4g", v);
	else if (a >= 1000)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.4g", v);
}

void run_print_table(FILE *out, const struct run *run)
{
	int w = 9; /* "container/docker" and other variants widen the env column */
	for (size_t i = 0; i < run->n_samples; i++)
		if ((int)strlen(run->samples[i].env) > w)
			w = (int)strlen(run->samples[i].env);
	fprintf(out, "%-*s %-15s %-16s %14s %12s %7s %-14s %4s %6s %s\n", w, "env", "workload",
	        "metric", "mean", "+-95% CI", "+-%", "unit", "n", "CV%", "outliers");
	bool below_llc = false;
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *s = &run->samples[i];
		if (s->failed) {
			fprintf(out, "%-*s %-15s %-16s FAILED: %s\n", w, s->env, s->workload,
			        s->metric, s->error ? s->error : "?");
			continue;
		}
		char mean[32], half[32], workload[64];
		fmt_value(s->stats.mean, mean, sizeof(mean));
		fmt_value(s->stats.ci_half, half, sizeof(half));
		bool below = report_sample_below_llc(s);
		below_llc |= below;
		snprintf(workload, sizeof(workload), "%s%s", s->workload, below ? "*" : "");
		fprintf(out, "%-*s %-15s %-16s %14s %12s %6.2f%% %-14s %4zu %6.2f %zu\n", w, s->env,
		        workload, s->metric, mean, half, s->stats.ci_rel * 100, s->unit, s->stats.n,
		        s->stats.cv * 100, s->stats.n_outliers);
	}
	if (below_llc)
		fprintf(out, "* working set below 4x the last-level cache: the figure partly "
		             "measures cache (config.size_reason says why)\n");
}
