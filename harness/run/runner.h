/* The repetition loop: for each selected workload, open it in the
 * environment's agent, run one discarded warm-up and then measured
 * repetitions until every metric's 95% CI is within the target (between
 * min and max reps), and turn the values into samples. */
#ifndef BENCH_RUNNER_H
#define BENCH_RUNNER_H

#include "harness/core/catalog.h"
#include "harness/env/env.h"
#include "harness/core/result.h"
#include "harness/core/run_options.h"
#include "harness/core/topo.h"

struct runner_totals {
	double wall_s;        /* whole runner_run */
	double in_workload_s; /* waiting for the agent's open/rep/close replies */
	double timed_s;       /* the workloads' own timed parts (elapsed_s), warm-ups included */
	double env_s;         /* starting, pinning and stopping instances (a guest's boot) */
	unsigned failed;      /* workloads that ended as failed samples */
};

/* bench's own share of the wall time: neither waiting on the workloads
 * nor starting and stopping instances. */
static inline double runner_harness_s(const struct runner_totals *t)
{
	return t->wall_s - t->in_workload_s - t->env_s;
}

/* Runs opts->workloads (already validated against cat) in env, appending
 * samples to run. A workload that fails becomes a failed sample (error and
 * stderr kept) and the loop goes on with a fresh instance. Returns 0 (even
 * with failed workloads: see totals->failed), or -1 with *err when nothing
 * could be run at all (prepare failed, interrupted). Network workloads get
 * a host-side peer and a capture (see netpath.h); disk workloads get
 * scratch_dir (may be NULL when none is needed) for their test files. */
int runner_run(const struct run_options *opts, const struct env_ops *env, const struct catalog *cat,
               const struct topo *topo, const struct topo_binding *binding, const char *wl_path,
               const char *scratch_dir, struct run *run, struct runner_totals *totals,
               struct bench_error **err);

#endif
