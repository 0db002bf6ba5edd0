/* The repetition loop of a run: every selected workload in every
 * environment. With several environments (interleaved, see conditions.h)
 * one instance of each is kept up, each workload is opened in all of them,
 * warmed to steady state (steady.h) and measured in blocks that run one
 * repetition in every environment, in an order that alternates
 * (interleave.h), until every environment's metrics converge. Otherwise
 * (one environment, --no-interleave) the environments run one after the
 * other with the same warm-up and convergence rules. */
#ifndef BENCH_RUNNER_H
#define BENCH_RUNNER_H

#include "harness/core/catalog.h"
#include "harness/core/result.h"
#include "harness/core/run_options.h"
#include "harness/core/topo.h"
#include "harness/env/env.h"
#include "harness/run/budget_plan.h"
#include "harness/run/conditions.h"
#include "harness/run/timing.h"

struct runner_totals {
	double wall_s;        /* whole runner_run */
	double in_workload_s; /* waiting for the agent's open/rep/close replies */
	double timed_s;       /* the workloads' own timed parts (elapsed_s), warm-ups included */
	double env_s;         /* starting, pinning and stopping instances (a guest's boot) */
	unsigned failed;      /* workloads that ended as failed samples */
	/* opts->budget_s: workloads whose warm-up, or measuring, stopped at
	 * their share of the budget before the rule or convergence said so */
	unsigned budget_cut_warmups, budget_cut_reps;
	struct run_timing timing; /* the same time per environment and phase */
	/* workloads skipped in an environment because their set-up would not
	 * fit their share: [{"env", "workload", "reason"}], or NULL */
	json_t *skipped;
};

/* bench's own share of the wall time: neither waiting on the workloads
 * nor starting and stopping instances. */
static inline double runner_harness_s(const struct runner_totals *t)
{
	return t->wall_s - t->in_workload_s - t->env_s;
}

/* A workload's share of the budget: (deadline - now) / units left, where
 * units are the (workload, round) pairs still to run (one round when the
 * environments are interleaved, one per environment otherwise). 0 when
 * there is no budget (deadline 0); at least 0.001 s past the deadline. */
double runner_budget_share(double deadline, double now, size_t units_left);

/* What a run runs. */
struct runner_setup {
	const struct run_options *opts;
	const struct env_choice *envs; /* in --env order; the first is block position 0 */
	size_t n_envs;
	const struct catalog *cat; /* opts->workloads already validated against it */
	const struct topo *topo;
	const struct topo_binding *binding; /* the instances' CPUs and node */
	const char *wl_path;
	const char *scratch_dir; /* disk workloads' test files, or NULL when none is needed */
	/* NULL, or which workload (in selection order) runs in which
	 * environment (in envs order): a budget's plan cut the others, which
	 * leave no sample (the plan records why) */
	const bool (*planned)[BUDGET_MAX_ENVS];
	/* With opts->budget_s: the baseline environment's name (its workloads
	 * are never skipped, and its set-ups are what others' are guessed
	 * from), and NULL or the costs measured on this host (workloads in
	 * selection order, environments in envs order). Before a workload is
	 * opened in another environment, a guess of its set-up there
	 * (budget_setup_guess) over what is left of the workload's share skips
	 * it there: totals->skipped says where and why. */
	const char *baseline;
	const struct budget_input *costs;
};

/* Runs s->opts->workloads in every environment under the conditions cond
 * (resolved with run_conditions_resolve; instances that cannot place their
 * helpers are added to it), appending samples to run. A workload that fails
 * in an environment becomes that environment's failed sample (error and
 * stderr kept), its instance is replaced for the next workload, and the
 * other environments go on. Network workloads get a host-side peer bound
 * to cond->peer and a capture per instance (netpath.h); disk workloads the
 * scratch directory. Returns 0 (even with failed workloads: see
 * totals->failed), or -1 with *err when nothing could be run at all
 * (prepare failed, interrupted). */
int runner_run(const struct runner_setup *s, struct run_conditions *cond, struct run *run,
               struct runner_totals *totals, struct bench_error **err);

/* True when a workload of opts->workloads talks to the network peer. */
bool runner_networked(const struct catalog *cat, const char *workloads);

#endif
