/* bench all's time budget (--budget): the plan's input from the run's
 * environments, workloads, sizes and the costs earlier runs measured on
 * this host (harness/run/budget_costs.h), the plan applied to the run's
 * options (harness/run/budget_plan.h), the density studies' overrun kept
 * for the next plan, and the run file's timing.budget. */
#ifndef BENCH_ALL_BUDGET_H
#define BENCH_ALL_BUDGET_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/core/catalog.h"
#include "harness/core/run_options.h"
#include "harness/env/env.h"
#include "harness/run/budget_costs.h"
#include "harness/run/budget_plan.h"
#include "harness/run/runner.h"
#include "harness/run/size_plan.h"
#include "harness/run/timing.h"

/* With a budget (budget_plan.h): the share of the runner's time, after the
 * known fixed costs, planned for repetitions; their length's bounds; the
 * density studies' share of the budget and each one's minimum; the
 * report's time when no earlier run measured it. */
#define BUDGET_REPETITIONS 0.4
#define REP_MIN_S          0.1
#define REP_MAX_S          2.0
#define BUDGET_DENSITY     0.2
#define DENSITY_MIN_S      10.0
#define REPORT_S           2.0

/* A budgeted bench all: its plan's input (the costs measured on this host
 * filled in), the plan, and the repetition length it set. */
struct all_budget {
	double budget_s; /* 0 = none: no plan, costs still measured */
	struct budget_input in;
	struct budget_shape shape;
	uint64_t size[BUDGET_MAX_WORKLOADS];
	bool fixed[BUDGET_MAX_WORKLOADS];
	size_t known; /* costs found */
	struct budget_plan plan;
	char duration[32];
};

/* The plan's input into b: the environments, the selected workloads
 * (sel[0..n_sel) of cat) with their sizes, ro's repetition policy,
 * density_studies per environment, the costs measured on this host (costs),
 * spent_s already gone; b->budget_s is the caller's. */
void all_budget_input(const struct run_options *ro, const struct env_choice *envs, size_t n_envs,
                      const struct catalog *cat, const size_t *sel, size_t n_sel,
                      const struct size_plan *sizes, size_t density_studies, const json_t *costs,
                      double spent_s, struct all_budget *b);

/* Plans b (b->budget_s > 0) into ro: the repetition length, warm-ups and
 * the runner's budget; unless quiet, prints the plan (dir: where the costs
 * are kept) and every cut. */
void all_budget_apply(bool quiet, struct all_budget *b, const char *dir, struct run_options *ro);

/* How far each environment's density studies (density_studies each when
 * no plan cut them) ran past study_s each, into costs. */
void all_budget_density_costs(const struct all_budget *b, size_t density_studies,
                              const struct run_timing *timing, double study_s, json_t *costs);

/* For __attribute__((cleanup)): drops *costs. */
void all_budget_costs_free(json_t **costs);

/* The plan and what happened (totals), for the run file's timing.budget
 * (caller owns). */
json_t *all_budget_json(const struct all_budget *b, const struct runner_totals *totals,
                        double planned_workloads_s);

#endif
