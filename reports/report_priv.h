/* Internals shared by harness/report*.c; other code uses report.h. */
#ifndef BENCH_REPORT_PRIV_H
#define BENCH_REPORT_PRIV_H

#include <stdbool.h>
#include <stdio.h>

#include "report.h"

#define RTABLE_MAX_COLS 8

/* A table of strings. summary.md and report.html render the same tables, so
 * both show the same numbers. */
struct rtable {
	char *title; /* heading above the table, or NULL */
	size_t n_cols;
	const char *head[RTABLE_MAX_COLS]; /* static strings */
	const char *align;                 /* one 'l' or 'r' per column */
	char **cells;                      /* n_rows * n_cols owned strings */
	size_t n_rows, cap_rows;
};

/* Appends one row: exactly n_cols strings (copied; NULL is ""). Returns 0, or
 * -1 when out of memory. */
int rtable_row(struct rtable *t, const char *first, ...);
void rtable_free(struct rtable *t);

/* What summary.md and report.html show, built once from a run. */
struct report_tables {
	char host_line[1024]; /* hostname, cpu_model, kernel, hypervisor, memory */
	struct rtable host;   /* field | value, every member of run->host */
	struct rtable *envs;  /* results, one table per environment (run order) */
	size_t n_envs;
	struct rtable overhead; /* no rows when the run has no overhead array */
	struct rtable failed;   /* failed samples and their errors */
	struct rtable density;  /* one row per density study; none without a density array */
	struct rtable ran;      /* invocation.environments available here: name | "" */
	struct rtable not_run;  /* ... and those not available: name | reason */
};

/* Returns 0, or -1 with *err (out of memory). Free with report_tables_free,
 * also after a failure. */
int report_tables_build(const struct run *run, struct report_tables *t, struct bench_error **err);
void report_tables_free(struct report_tables *t);

/* The run's environments in order of first appearance (failed samples
 * included), as a malloc'd array of borrowed strings; NULL when none or out
 * of memory. */
const char **report_envs(const struct run *run, size_t *n);

/* True when env's results come from an emulated CPU: one of its samples has
 * pinning.backend.accelerator == "tcg". */
bool report_env_is_tcg(const struct run *run, const char *env);

/* "env", or "env (TCG emulation)" for emulated environments. */
void report_env_label(const struct run *run, const char *env, char *buf, size_t len);

/* Fills t->density, t->ran and t->not_run (report_density.c). Returns 0, or
 * -1 when out of memory. */
int report_density_tables(const struct run *run, struct report_tables *t);

/* The steps of a density study sorted by instances, as a malloc'd array of
 * borrowed references (*n of them); NULL when there are none or out of
 * memory. */
json_t **report_density_steps(json_t *study, size_t *n);

/* Median of the non-negative numbers in the JSON array a; NAN when none. */
double report_density_median(json_t *a);

/* Shortest "%.15g"/"%.17g" text that reads back as v. */
void report_fmt_exact(double v, char *buf, size_t len);

/* One chart: <name>.svg and <name>.png in the report directory. */
struct report_chart {
	char name[160];  /* file name without extension: letters, digits, . _ - */
	char title[256]; /* caption (unescaped) */
};

struct report_charts {
	struct report_chart *v;
	size_t n, cap;
};

/* Creates path, writes with fn and closes it, checking every write.
 * Returns 0, or -1 with *err naming path. */
int report_write_file(const char *path, int (*fn)(FILE *out, const void *arg), const void *arg,
                      struct bench_error **err);

/* samples.csv: one row per repetition value, failed samples with their error. */
int report_csv(FILE *out, const struct run *run);

/* summary.md from the tables. */
int report_markdown(FILE *out, const struct run *run, const struct report_tables *t);

/* Building the gnuplot script (report_plot.c) for the chart families
 * (report_charts.c). */
struct plot_ctx {
	const struct run *run;
	const char *dir; /* where the charts go; no control characters */
	const struct report_tools *tools;
	FILE *gp; /* the script */
	struct report_charts *charts;
	const char **envs; /* report_envs(run) */
	size_t n_envs;
	int n_blocks; /* datablocks defined so far */
};

/* Writes s as a gnuplot single-quoted string: quotes doubled, control
 * characters as spaces (terminals run noenhanced, so nothing else is
 * special). */
void gp_str(FILE *gp, const char *s);

/* Starts a datablock in the script ("$dN << EOD" line) and returns N; the
 * caller writes numeric rows and then ends it with gp_block_end. */
int gp_block(struct plot_ctx *ctx);
void gp_block_end(struct plot_ctx *ctx);

#define CHART_W 900 /* default chart size, pixels */
#define CHART_H 500

/* The gnuplot commands of one chart, drawn after a `reset`. */
struct gp_body {
	char *text;
	size_t len;
	FILE *f;
};

/* Opens b->f with the settings every chart shares already written; NULL
 * when out of memory. */
FILE *gp_body_open(struct gp_body *b);

/* Closes b, adds a chart named from prefix, p1 and p2 (made file-name safe
 * and unique; p1 and p2 may be NULL) and writes b's commands into the script
 * twice: once for the SVG, once for the PNG. Frees b's text. Returns 0, or
 * -1 when out of memory. */
int gp_body_chart(struct plot_ctx *ctx, struct gp_body *b, const char *prefix, const char *p1,
                  const char *p2, const char *title, int width, int height);

/* Closes b and frees its text without drawing anything. */
void gp_body_drop(struct gp_body *b);

/* `set xtics ('label' 0, 'label' 1, ...)`, rotated when the labels would not
 * fit side by side in width pixels. */
void gp_xtics(FILE *f, const char *const *labels, size_t n, int width);

/* Index of s in v[0..n), or n. */
size_t gp_index_of(const char *const *v, size_t n, const char *s);

/* The colour of env (stable across charts), "#rrggbb". */
const char *gp_env_color(const struct plot_ctx *ctx, const char *env);

/* Chart families; each adds zero or more charts. Returns 0 or -1 (memory). */
int report_chart_bars(struct plot_ctx *ctx);
int report_chart_overhead(struct plot_ctx *ctx);
int report_chart_latency(struct plot_ctx *ctx);
int report_chart_instance(struct plot_ctx *ctx);
int report_chart_density(struct plot_ctx *ctx);

/* Writes a gnuplot script into dir, runs it with tools->gnuplot (argument
 * vector, bounded time) and removes it; every chart it drew is in *charts
 * (caller frees charts->v). Returns 0, or -1 with *err (gnuplot's output). */
int report_plot(const struct run *run, const char *dir, const struct report_tools *tools,
                struct report_charts *charts, struct bench_error **err);

/* report.html: the tables and the charts' SVGs (read from dir) inline. */
int report_html(FILE *out, const struct run *run, const struct report_tables *t,
                const struct report_charts *charts, const char *dir, struct bench_error **err);

#endif
