/* Density charts (results/SCHEMA.md, "density"): per workload, the
 * per-instance result against the QoS bar and the aggregate as instances
 * grow, with each study's limit and knee marked; across studies, each instance's memory footprint
 * and start latency. */
#include "reports/report_charts.h"

#include "reports/report_density.h"
#include "reports/run_view.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"

/* The charts' environments: those of the samples first (so an environment
 * keeps its colour across every chart), then those only in density studies. */
struct dens {
	struct plot_ctx *ctx;
	struct plot_ctx colors; /* ctx with envs extended */
	json_t *studies;
};

static const char *color(const struct dens *d, json_t *study)
{
	return gp_env_color(&d->colors, json_string_value(json_object_get(study, "env")));
}

static bool is_workload(json_t *study)
{
	const char *m = json_string_value(json_object_get(study, "mode"));
	const char *w = json_string_value(json_object_get(study, "workload"));
	return m != NULL && strcmp(m, "workload") == 0 && w != NULL && *w;
}

static void gp_x_axis(FILE *f, json_int_t max)
{
	fprintf(f, "set xrange [0.5:%" JSON_INTEGER_FORMAT ".5]\n", max < 1 ? 1 : max);
	if (max <= 16)
		fputs("set xtics 1\n", f);
	/* the key's blank title keeps it clear of the x label */
	fputs("set xlabel 'instances running at once'\nset grid xtics ytics lc rgb '#dddddd'\n"
	      "set key title ' '\n",
	      f);
}

/* The unit of workload's first metric: the density study's own "unit",
 * else the samples'; "" when none. */
static const char *unit_of(const struct run *run, const char *workload)
{
	for (size_t i = 0; i < json_array_size(run->density); i++) {
		json_t *d = json_array_get(run->density, i);
		const char *w = json_string_value(json_object_get(d, "workload"));
		const char *u = json_string_value(json_object_get(d, "unit"));
		if (w && u && *u && strcmp(w, workload) == 0)
			return u;
	}
	for (size_t i = 0; i < run->n_samples; i++)
		if (strcmp(run->samples[i].workload, workload) == 0)
			return run->samples[i].unit;
	return "";
}

/* One study's rows: instances, mean per instance, worst, aggregate, qos_ok,
 * the QoS bar. Returns the block, -1 when no step has results, -2 (memory). */
static int workload_block(struct dens *d, json_t *study, json_int_t *max, bool *failed)
{
	size_t n, i, rows = 0;
	json_t **steps = report_density_steps(study, &n);
	if (steps == NULL)
		return -1;
	double qos = json_number_value(json_object_get(study, "qos")),
	       base = json_number_value(json_object_get(study, "baseline"));
	const char *better = json_string_value(json_object_get(study, "better"));
	double bar = better != NULL && strcmp(better, "lower") == 0 ? base / qos : base * qos;
	int block = gp_block(d->ctx);
	for (size_t k = 0; k < n; k++) {
		json_t *per = json_object_get(steps[k], "per_instance"), *v;
		double sum = 0;
		size_t m = 0;
		json_array_foreach(per, i, v)
		{
			sum += json_number_value(v);
			m++;
		}
		if (m == 0)
			continue;
		json_int_t inst = json_integer_value(json_object_get(steps[k], "instances"));
		bool ok = json_is_true(json_object_get(steps[k], "qos_ok"));
		fprintf(d->ctx->gp, "%" JSON_INTEGER_FORMAT " %.9g %.9g %.9g %d %.9g\n", inst,
		        sum / (double)m, json_number_value(json_object_get(steps[k], "worst")),
		        json_number_value(json_object_get(steps[k], "aggregate")), ok ? 1 : 0,
		        isfinite(bar) ? bar : 0);
		*max = inst > *max ? inst : *max;
		*failed |= !ok;
		rows++;
	}
	gp_block_end(d->ctx);
	free(steps);
	return rows > 0 ? block : -1;
}

/* The title of study's series: "env" or "env: what". */
static void series(FILE *f, json_t *study, const char *what)
{
	char t[320];
	snprintf(t, sizeof(t), "%s: %s", json_string_value(json_object_get(study, "env")), what);
	gp_str(f, t);
}

/* Ends the plot command being written to p and, when it has series, opens
 * the chart's gnuplot body into *f. Returns 1 (body open), 0 (nothing to
 * draw) or -1. */
static int end_plot(FILE *p, size_t n_plots, struct gp_body *b, FILE **f)
{
	fputc('\n', p);
	if (fclose(p) != 0)
		return -1;
	if (n_plots == 0)
		return 0;
	*f = gp_body_open(b);
	return *f != NULL ? 1 : -1;
}

/* A dashed vertical line at count x, labelled, the k-th study's label a
 * line lower. */
static void mark(FILE *marks, json_int_t x, const char *label, const char *color, int dt, size_t k)
{
	fprintf(marks,
	        "set arrow from %" JSON_INTEGER_FORMAT ", graph 0 to %" JSON_INTEGER_FORMAT
	        ", graph 1 nohead lw 2 dt %d lc rgb '%s' back\nset label ",
	        x, x, dt, color);
	gp_str(marks, label);
	fprintf(marks,
	        " at %" JSON_INTEGER_FORMAT ", graph %.2f offset 0.5,0 left tc rgb '%s' front\n", x,
	        0.96 - 0.05 * (double)k, color);
}

/* Study's limit (the largest count that met QoS, max_ok) and, when the
 * study found one, its knee (the count after which an added instance adds
 * little to the aggregate), as marked lines. */
static void knee(const struct dens *d, json_t *study, FILE *marks, size_t k)
{
	const char *env = json_string_value(json_object_get(study, "env"));
	json_int_t max_ok = json_integer_value(json_object_get(study, "max_ok"));
	json_t *kn = json_object_get(json_object_get(study, "knee"), "instances");
	char label[160];
	if (max_ok >= 1) {
		snprintf(label, sizeof(label), "%s: limit %" JSON_INTEGER_FORMAT, env, max_ok);
		mark(marks, max_ok, label, color(d, study), 3, 2 * k);
	}
	if (json_is_integer(kn) && json_integer_value(kn) >= 1) {
		snprintf(label, sizeof(label), "%s: knee %" JSON_INTEGER_FORMAT, env,
		         json_integer_value(kn));
		mark(marks, json_integer_value(kn), label, color(d, study), 4, 2 * k + 1);
	}
}

/* Every workload study of workload on one chart, one colour per env, with
 * each study's limit (the knee) marked. */
static int workload_chart(struct dens *d, const char *workload)
{
	cleanup_free char *plot = NULL;
	size_t len = 0, i, n_plots = 0;
	FILE *p = open_memstream(&plot, &len);
	if (p == NULL)
		return -1;
	cleanup_free char *mark_text = NULL;
	size_t mark_len = 0;
	FILE *marks = open_memstream(&mark_text, &mark_len);
	if (marks == NULL) {
		fclose(p);
		return -1;
	}
	const char *unit = unit_of(d->ctx->run, workload), *sep = "plot ";
	json_int_t max = 1;
	json_t *s;
	bool lower = false, crossed = false;
	json_array_foreach(d->studies, i, s)
	{
		const char *w = json_string_value(json_object_get(s, "workload"));
		if (!is_workload(s) || strcmp(w, workload) != 0)
			continue;
		bool failed = false;
		int block = workload_block(d, s, &max, &failed);
		if (block < 0)
			continue;
		const char *c = color(d, s),
		           *better = json_string_value(json_object_get(s, "better"));
		bool low = better != NULL && strcmp(better, "lower") == 0;
		char what[96];
		lower |= low;
		fprintf(p, "%s$d%d using 1:2 with linespoints lw 2 pt 7 lc rgb '%s' title ", sep,
		        block, c);
		series(p, s, "mean per instance");
		fprintf(p,
		        ", \\\n  $d%d using 1:3 with linespoints lw 1 dt 3 pt 6 lc rgb '%s' title ",
		        block, c);
		series(p, s, "worst instance");
		fprintf(p, ", \\\n  $d%d using 1:6 with lines lw 1.5 dt 2 lc rgb '%s' title ",
		        block, c);
		snprintf(what, sizeof(what), "QoS bar (%s%.2f x 1 instance)", low ? "1/" : "",
		         json_number_value(json_object_get(s, "qos")));
		series(p, s, what);
		fprintf(p,
		        ", \\\n  $d%d using 1:4 axes x1y2 with linespoints lw 1 dt 4 pt 4 "
		        "lc rgb '%s' title ",
		        block, c);
		series(p, s, "aggregate (right axis)");
		if (failed)
			fprintf(
			    p,
			    ", \\\n  $d%d using 1:($5 > 0 ? 1/0 : $3) with points pt 2 ps 2 lw 2 "
			    "lc rgb '#d62728' %s",
			    block, crossed ? "notitle" : "title 'below QoS'");
		crossed |= failed;
		sep = ", \\\n  ";
		knee(d, s, marks, n_plots);
		n_plots++;
	}
	fclose(marks);
	struct gp_body b;
	FILE *f = NULL;
	int rc = end_plot(p, n_plots, &b, &f);
	if (rc <= 0)
		return rc;
	char title[256], label[320];
	snprintf(title, sizeof(title), "Density: %s per instance against the QoS bar", workload);
	fputs("set title ", f);
	gp_str(f, title);
	snprintf(label, sizeof(label), "per-instance result (%s)",
	         *unit   ? unit
	         : lower ? "lower is better"
	                 : "higher is better");
	fputs("\nset ylabel ", f);
	gp_str(f, label);
	snprintf(label, sizeof(label), "aggregate: %s over instances%s%s%s", lower ? "mean" : "sum",
	         *unit ? " (" : "", unit, *unit ? ")" : "");
	fputs("\nset y2label ", f);
	gp_str(f, label);
	fputs("\nset yrange [0:*]\nset y2range [0:*]\nset y2tics\nset ytics nomirror\n", f);
	gp_x_axis(f, max);
	fputs(mark_text != NULL ? mark_text : "", f);
	fputs(plot, f);
	return gp_body_chart(d->ctx, &b, "density", workload, NULL, title, CHART_W,
	                     CHART_H + 20 * (int)n_plots);
}

/* "env, idle" or "env, running <workload>". */
static void study_label(const struct dens *d, json_t *study, char *buf, size_t len)
{
	report_env_label(d->ctx->run, json_string_value(json_object_get(study, "env")), buf, len);
	size_t n = strlen(buf);
	if (n < len && is_workload(study))
		snprintf(buf + n, len - n, ", running %s",
		         json_string_value(json_object_get(study, "workload")));
	else if (n < len)
		snprintf(buf + n, len - n, ", idle");
}

/* Smallest positive and largest values written to a per-instance chart. */
struct span {
	double lo, hi;
};

static void span_add(struct span *s, double v)
{
	if (v > 0 && (s->lo == 0 || v < s->lo))
		s->lo = v;
	if (v > s->hi)
		s->hi = v;
}

/* Axes for per-instance figures: a log y axis when they span more than two
 * decades (an idle process and a guest running mem.stream differ by 10^4),
 * a log x axis when the counts reach past 32; a canvas tall enough for a key
 * of n_plots entries below the plot. Returns the canvas height. */
static int per_instance_axes(FILE *f, const struct span *y, json_int_t max, size_t n_plots)
{
	if (y->lo > 0 && y->hi / y->lo > 100)
		fputs("set logscale y 10\nset yrange [*:*]\n", f);
	else
		fputs("set yrange [0:*]\n", f);
	fputs("set offsets 0,0,graph 0.1,0\n", f);
	gp_x_axis(f, max);
	if (max > 32)
		fprintf(f, "set logscale x 2\nset xrange [0.8:%" JSON_INTEGER_FORMAT "]\n",
		        max + max / 4);
	/* study labels are long: the key below takes one column, a row each */
	return CHART_H + (n_plots > 6 ? (int)(n_plots - 6) * 17 : 0);
}

/* The fall of MemAvailable per instance at each step of a study (from
 * MemAvailable before the first instance), as a dotted line on the
 * footprint chart: the gVisor measure, which the backend's own figure
 * misses (runtimes, namespaces, page tables). Returns 1 when drawn. */
static int drop_series(struct dens *d, json_t *s, FILE *p, size_t n_plots, json_int_t *max,
                       struct span *y)
{
	json_t *before = json_object_get(json_object_get(s, "footprint"), "avail_before_bytes");
	size_t n, rows = 0;
	json_t **steps = report_density_steps(s, &n);
	if (steps == NULL || !json_is_integer(before)) {
		free(steps);
		return 0;
	}
	int block = gp_block(d->ctx);
	for (size_t k = 0; k < n; k++) {
		json_t *avail = json_object_get(steps[k], "mem_available_bytes");
		json_int_t inst = json_integer_value(json_object_get(steps[k], "instances"));
		if (!json_is_integer(avail) || inst < 1)
			continue;
		double drop = (double)(json_integer_value(before) - json_integer_value(avail)) /
		              (double)inst / 1048576;
		fprintf(d->ctx->gp, "%" JSON_INTEGER_FORMAT " %.9g\n", inst, drop > 0 ? drop : 0);
		span_add(y, drop);
		*max = inst > *max ? inst : *max;
		rows++;
	}
	gp_block_end(d->ctx);
	free(steps);
	if (rows == 0)
		return 0;
	char label[360];
	study_label(d, s, label, sizeof(label));
	strncat(label, ", MemAvailable drop / instance", sizeof(label) - strlen(label) - 1);
	fprintf(p, "%s$d%d using 1:2 with linespoints lw 1 pt 6 dt 3 lc rgb '%s' title ",
	        n_plots ? ", \\\n  " : "plot ", block, color(d, s));
	gp_str(p, label);
	return 1;
}

/* Median key of each step (a per-instance array) times scale, one line per
 * study: the footprint and start latency charts. */
static int per_instance_chart(struct dens *d, const char *name, const char *key, double scale,
                              const char *title, const char *ylabel)
{
	cleanup_free char *plot = NULL;
	size_t len = 0, i, n_plots = 0;
	FILE *p = open_memstream(&plot, &len);
	if (p == NULL)
		return -1;
	json_int_t max = 1;
	struct span y = {0, 0};
	json_t *s;
	json_array_foreach(d->studies, i, s)
	{
		size_t n, rows = 0;
		json_t **steps = report_density_steps(s, &n);
		if (steps == NULL || !json_is_string(json_object_get(s, "env"))) {
			free(steps);
			continue;
		}
		int block = gp_block(d->ctx);
		for (size_t k = 0; k < n; k++) {
			double m = report_density_median(json_object_get(steps[k], key));
			json_int_t inst =
			    json_integer_value(json_object_get(steps[k], "instances"));
			if (isnan(m))
				continue;
			fprintf(d->ctx->gp, "%" JSON_INTEGER_FORMAT " %.9g\n", inst, m * scale);
			span_add(&y, m * scale);
			max = inst > max ? inst : max;
			rows++;
		}
		gp_block_end(d->ctx);
		free(steps);
		if (rows == 0)
			continue;
		char label[320];
		study_label(d, s, label, sizeof(label));
		fprintf(p, "%s$d%d using 1:2 with linespoints lw 2 pt 7 dt %d lc rgb '%s' title ",
		        n_plots ? ", \\\n  " : "plot ", block, is_workload(s) ? 2 : 1, color(d, s));
		gp_str(p, label);
		n_plots++;
		if (strcmp(key, "mem_bytes") == 0)
			n_plots += (size_t)drop_series(d, s, p, n_plots, &max, &y);
	}
	struct gp_body b;
	FILE *f = NULL;
	int rc = end_plot(p, n_plots, &b, &f);
	if (rc <= 0)
		return rc;
	fputs("set title ", f);
	gp_str(f, title);
	fputs("\nset ylabel ", f);
	gp_str(f, ylabel);
	fputc('\n', f);
	int height = per_instance_axes(f, &y, max, n_plots);
	fputs(plot, f);
	return gp_body_chart(d->ctx, &b, "density", name, NULL, title, CHART_W, height);
}

int report_chart_density(struct plot_ctx *ctx)
{
	json_t *studies = ctx->run->density, *s;
	size_t n = json_array_size(studies), i;
	if (n == 0)
		return 0;
	cleanup_free const char **envs = calloc(ctx->n_envs + n, sizeof(*envs));
	cleanup_free const char **workloads = calloc(n, sizeof(*workloads));
	if (envs == NULL || workloads == NULL)
		return -1;
	struct dens d = {.ctx = ctx, .colors = *ctx, .studies = studies};
	memcpy(envs, ctx->envs, ctx->n_envs * sizeof(*envs));
	d.colors.envs = envs;
	size_t n_workloads = 0;
	json_array_foreach(studies, i, s)
	{
		const char *env = json_string_value(json_object_get(s, "env"));
		const char *w = json_string_value(json_object_get(s, "workload"));
		if (env != NULL && gp_index_of(envs, d.colors.n_envs, env) == d.colors.n_envs)
			envs[d.colors.n_envs++] = env;
		if (is_workload(s) && gp_index_of(workloads, n_workloads, w) == n_workloads)
			workloads[n_workloads++] = w;
	}
	for (i = 0; i < n_workloads; i++)
		if (workload_chart(&d, workloads[i]) < 0)
			return -1;
	if (per_instance_chart(&d, "footprint", "mem_bytes", 1.0 / 1048576,
	                       "Density: per-instance memory footprint (median per step)",
	                       "memory per instance (MiB)") < 0)
		return -1;
	return per_instance_chart(&d, "start", "start_s", 1000,
	                          "Density: instance start latency (median per step)",
	                          "start latency (ms)");
}
