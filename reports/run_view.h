/* What reports read off a run beyond its samples. */
#ifndef BENCH_RUN_VIEW_H
#define BENCH_RUN_VIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "harness/core/result.h"

/* The run's environments in order of first appearance (failed samples
 * included), as a malloc'd array of borrowed strings; NULL when none or out
 * of memory. */
const char **report_envs(const struct run *run, size_t *n);

/* True when env's results come from an emulated CPU: one of its samples has
 * pinning.backend.accelerator == "tcg". */
bool report_env_is_tcg(const struct run *run, const char *env);

/* True when the sample's working set was below 4x the LLC
 * (config.size_below_4x_llc): its figure partly measures cache. */
bool report_sample_below_llc(const struct sample *s);

/* "env", or "env (TCG emulation)" for emulated environments. */
void report_env_label(const struct run *run, const char *env, char *buf, size_t len);

/* Workload families, in the order reports show them: the part of a
 * workload's name before the dot (cpu, mem, os, net, disk), then "other". */
struct report_family {
	const char *prefix;   /* "cpu"; NULL for the last entry, "other" */
	const char *noun;     /* "CPU", "memory", "OS paths", "network", "disk" */
	const char *resource; /* what it loads: "CPU", "memory bandwidth", ... */
};
#define REPORT_N_FAMILIES 6
extern const struct report_family report_families[REPORT_N_FAMILIES];

/* Index of workload's family in report_families (the last, "other", when
 * its prefix is none of the known ones). */
size_t report_family_of(const char *workload);

/* o's string member key, "" when absent or not a string. */
const char *report_json_str(json_t *o, const char *key);

/* One entry of the run's overhead array, read with the fallbacks older
 * files need (slowdown from ratio and better, significance from p and the
 * interval). Strings are borrowed from the entry. */
struct overhead_view {
	const char *env, *workload, *metric;
	const char *test; /* "paired t over N blocks (log ratio)", "Welch t, ...", "" */
	double slowdown;  /* > 1 = worse than the baseline */
	double low, high; /* its 95% interval; NAN when unbounded */
	bool significant;
	bool paired; /* the test paired interleaved blocks */
};

/* Reads o into *v. Returns false when o lacks env, workload, metric or a
 * positive slowdown (or ratio). */
bool report_overhead_view(json_t *o, struct overhead_view *v);

#endif
