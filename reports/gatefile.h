/* Gate files: a human-edited YAML file (reports/yaml_file.h) saying what a
 * regression gate runs (environments, workloads, bench run options with the
 * repetition policy), what it gates (metrics and their tolerances), which
 * fingerprint differences are expected, where the baseline comes from and
 * what to do with inconclusive results and passing runs. The format is in
 * README.md, "Regression gate"; every error names file:line:col and the
 * key at fault, and unknown keys are refused. */
#ifndef BENCH_GATEFILE_H
#define BENCH_GATEFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/core/error.h"
#include "reports/yaml_file.h"

#define GATE_MAX_LIST    32
#define GATE_MAX_RUNARGS 80

/* One entry of `metrics:`; patterns are fnmatch(3) ones, NULL = any. */
struct gate_metric {
	const char *env, *workload, *metric;
	double tolerance; /* fraction; < 0 = the file's default */
	bool gated;       /* false: compared and shown, never failing */
};

enum gate_add { GATE_ADD_PASS, GATE_ADD_ALWAYS, GATE_ADD_NEVER };

struct gate_file {
	struct yaml_file y; /* the strings below point into it */
	const char *envs[GATE_MAX_LIST];
	size_t n_envs;
	const char *workloads[GATE_MAX_LIST];
	size_t n_workloads;
	/* `run:` as bench run options: {"--reps", "5", "--duration", "0.2", ...} */
	const char *run_args[GATE_MAX_RUNARGS];
	int n_run_args;
	double tolerance; /* fraction, default 0.05 */
	double alpha;     /* default 0.05 */
	struct gate_metric metrics[GATE_MAX_LIST * 2];
	size_t n_metrics;
	const char *expect[GATE_MAX_LIST];
	size_t n_expect;
	const char *baseline; /* "history:SELECTOR" or a run; NULL = history of this host */
	const char *db;       /* NULL = results/history.sqlite */
	const char *tag;      /* tag of runs added to the history, or NULL */
	const char *junit, *markdown, *out;
	bool inconclusive_fails;
	enum gate_add add;
};

/* Reads and checks path. Returns 0, or -1 with *err. Free with
 * gate_file_free (also after a failure). */
int gate_file_read(struct gate_file *g, const char *path, struct bench_error **err);
void gate_file_free(struct gate_file *g);

/* Whether (env, workload, metric) is gated and with which tolerance
 * (fraction): every metric of the file's workloads is, at the default
 * tolerance, unless the first `metrics:` entry that matches it sets
 * another tolerance or `gated: false`. Other workloads are not gated. */
bool gate_lookup(const struct gate_file *g, const char *env, const char *workload,
                 const char *metric, double *tolerance);

#endif
