/* The plan of a run with a time budget (bench all --budget), made before
 * anything starts: how long a repetition is, how many warm-ups, how long
 * each density study may take, which workloads run in which environment,
 * and how much is left for the runner. It adds up what every phase costs
 * (the plan step already spent, each instance's start, each workload's
 * set-up, repetitions and teardown in each environment, the density
 * studies, the report) from what is known: costs measured on this host by
 * an earlier run (budget_costs.h), else nothing (the runner's shares then
 * bound what it can). When the sum is over the budget it cuts, in this
 * order, each cut stated:
 *   1. repetitions to their shortest length and one warm-up;
 *   2. every density study to its minimum time;
 *   3. density studies past the first (idle) in environments other than
 *      the baseline, the slowest-starting first;
 *   4. workloads in environments other than the baseline, the costliest
 *      (workload, environment) first, until the estimate fits;
 * and says when even that does not fit (the baseline is never cut). */
#ifndef BENCH_BUDGET_PLAN_H
#define BENCH_BUDGET_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#define BUDGET_MAX_ENVS      8
#define BUDGET_MAX_WORKLOADS 48
#define BUDGET_MAX_CUTS      64
#define BUDGET_CUT_LEN       320

/* One workload in one environment, as measured on this host. */
struct budget_cost {
	bool known;        /* measured (else every figure is 0 and unknown) */
	double setup_s;    /* opening it: the workload's set-up, the peer */
	double teardown_s; /* accounting and closing it */
	double rep_over_s; /* a repetition's wall time beyond its timed part */
	double rep_own_s;  /* a repetition's timed part, as measured */
	double rep_at_s;   /* the repetition length it was measured at, 0 none */
	bool fixed_length; /* the workload takes no --duration: rep_own_s always */
};

struct budget_env {
	const char *name;
	bool baseline;         /* the reference (bare): none of its work is cut */
	double start_s;        /* one instance's start (a guest's boot), 0 unknown */
	double density_over_s; /* a density study's time past its budget, measured */
};

struct budget_input {
	double budget_s; /* > 0 */
	double spent_s;  /* already spent by the plan step (calibration boots) */
	double report_s; /* the report's estimate */
	size_t n_envs, n_workloads;
	struct budget_env env[BUDGET_MAX_ENVS];
	const char *workload[BUDGET_MAX_WORKLOADS];
	struct budget_cost cost[BUDGET_MAX_WORKLOADS][BUDGET_MAX_ENVS];
	unsigned min_reps, max_reps, max_warmup;
	double rep_min_s, rep_max_s;
	double rep_fraction;     /* of the runner's time, planned for repetitions */
	size_t density_studies;  /* per environment (the first is the idle one) */
	double density_fraction; /* of the budget, for all density studies */
	double density_min_s;    /* one study at least */
};

struct budget_plan {
	double rep_s;                            /* a duration-bound repetition's length */
	unsigned warmups;                        /* warm-up rounds at most */
	double density_s;                        /* each density study's time budget */
	size_t density_studies[BUDGET_MAX_ENVS]; /* the first N studies run */
	bool run[BUDGET_MAX_WORKLOADS][BUDGET_MAX_ENVS];
	double workloads_s; /* the runner's budget (from its start) */
	double estimate_s;  /* the whole run under this plan */
	bool fits;          /* estimate_s <= budget_s */
	size_t n_cuts;
	char cut[BUDGET_MAX_CUTS][BUDGET_CUT_LEN];
};

/* Plans in from its budget (see above). Never fails: a plan that cannot
 * fit says so in its last cut with fits false. */
void budget_plan_make(const struct budget_input *in, struct budget_plan *out);

/* A repetition's timed part under the plan's length rep_s: rep_own_s for
 * a workload that takes no --duration; one that ended before the length
 * it was measured at (iteration-bound) takes at most that; one that ran
 * past it (a minimum pass, e.g. cpu.fp's full matrix under emulation)
 * takes at least that; else rep_s. */
double budget_rep_s(const struct budget_cost *c, double rep_s);

/* The estimate of one workload in one environment under the plan's
 * repetition length and warm-ups, min_reps measured repetitions. */
double budget_workload_s(const struct budget_input *in, const struct budget_plan *p, size_t w,
                         size_t e);

/* While running: a guess of one workload's set-up in an environment
 * before it is opened there: its measured cost when known; else the
 * baseline's set-up of it just measured (base_setup_s) times the
 * environment's set-up over the baseline's on the workloads both opened so
 * far (env_sum_s / base_sum_s), when the baseline's own took at least
 * BUDGET_GUESS_MIN_S (a set-up that short is no risk). -1 when there is
 * nothing to guess from. */
#define BUDGET_GUESS_MIN_S 0.02

/* The set-ups measured before (in->cost) of every workload measured both
 * in environment e and in the baseline base: their sums, which seed the
 * running ratio of budget_setup_guess before anything runs. */
void budget_setup_sums(const struct budget_input *in, size_t e, size_t base, double *env_sum_s,
                       double *base_sum_s);
double budget_setup_guess(const struct budget_cost *known, double base_setup_s, double env_sum_s,
                          double base_sum_s);

#endif
