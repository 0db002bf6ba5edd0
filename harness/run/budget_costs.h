/* What a run's phases cost on this host, kept between runs so the next
 * budgeted run (budget_plan.h) plans with measured figures: per
 * environment an instance's start, per (environment, workload, size,
 * threads) its set-up, teardown, a repetition's wall time beyond its timed
 * part and, for repetitions that end by themselves, that timed part; and
 * the report's time. The file (BUDGET_COSTS_NAME in a directory, /run/bench
 * by default: gone at reboot, like QEMU's accelerator verdict) is a JSON
 * object {"version": 1, "report_s": S, "starts": {ENV: S}, "density_over": {ENV: S},
 * "workloads": {"ENV|WORKLOAD|SIZE|THREADS": {...}}}, replaced atomically. */
#ifndef BENCH_BUDGET_COSTS_H
#define BENCH_BUDGET_COSTS_H

#include <jansson.h>
#include <stdint.h>

#include "harness/core/error.h"
#include "harness/run/budget_plan.h"
#include "harness/run/timing.h"

#define BUDGET_COSTS_DIR  "/run/bench"
#define BUDGET_COSTS_NAME "costs.json"

/* The costs in dir/costs.json: a new reference, an empty set when there is
 * no such file or it is not a costs file of this version (never fails). */
json_t *budget_costs_load(const char *dir);

/* What one run is: its workloads (in in->workload order) with their sizes
 * (0 = the workload's default) and whether their repetitions ignore
 * --duration, and the threads per instance. */
struct budget_shape {
	const uint64_t *size;
	const bool *fixed_length;
	unsigned threads;
};

/* Fills in->cost[][], in->env[].start_s and density_over_s (in->env[].name and
 * in->workload[] set) from costs, and in->report_s when it has one.
 * Returns how many (workload, environment) costs were found. */
size_t budget_costs_fill(const json_t *costs, const struct budget_shape *shape,
                         struct budget_input *in);

/* Merges what a run measured (t: its starts, per-workload phases and timed
 * parts; duration_s the repetition length asked, 0 none; report_s < 0 =
 * unknown) into costs for the workloads of in->workload. */
void budget_costs_update(json_t *costs, const struct run_timing *t, const struct budget_input *in,
                         const struct budget_shape *shape, double duration_s, double report_s);

/* Records that env's density studies ran over_s each past their time
 * budget (0 when within). */
void budget_costs_density(json_t *costs, const char *env, double over_s);

/* Writes costs to dir/costs.json atomically. 0, or -1 with *err. */
int budget_costs_save(const json_t *costs, const char *dir, struct bench_error **err);

#endif
