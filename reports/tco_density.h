/* Guests per server from runs: a scenario's `density` names an environment,
 * a workload (or idle) and a QoS bar; the matching density study of a run
 * (results/SCHEMA.md, "density") gives the count, measured or projected,
 * and the run's overhead array the slowdown that costs extra capacity. */
#ifndef BENCH_TCO_DENSITY_H
#define BENCH_TCO_DENSITY_H

#include "harness/core/error.h"
#include "harness/core/result.h"
#include "reports/tco_model.h"

struct tco_run {
	const char *dir; /* as given on the command line */
	struct run run;
};

/* Fills every run-fed scenario of m (guests, slowdown, their intervals, src)
 * from the first of runs that holds its study (or the run its `run` key
 * names). Returns 0, or -1 with *err naming the scenario and what is
 * missing: no runs given, no matching study (the message lists the studies
 * the runs have), a study where no instance met QoS, a malformed
 * `projected` block, an overhead the model names that the run lacks. */
int tco_density_apply(struct tco_model *m, const struct tco_run *runs, size_t n_runs,
                      struct bench_error **err);

#endif
