/* Where a run's wall time went: the runner's seconds per environment and
 * phase (preparing, starting instances, opening workloads, warm-up,
 * measured repetitions, closing, stopping), and a command's own steps
 * around the runner (bench all: sizes, workloads, density, report), for
 * the run file's `timing` and the split bench all prints at the end. */
#ifndef BENCH_TIMING_H
#define BENCH_TIMING_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

enum run_phase {
	RUN_PHASE_PREPARE,  /* the environment's prepare hook (bundles, images) */
	RUN_PHASE_START,    /* starting and pinning instances (a guest's boot) */
	RUN_PHASE_SETUP,    /* opening workloads: their set-up, the network peer */
	RUN_PHASE_WARMUP,   /* warm-up repetitions */
	RUN_PHASE_MEASURE,  /* measured repetitions */
	RUN_PHASE_TEARDOWN, /* accounting and closing workloads */
	RUN_PHASE_STOP,     /* stopping instances */
	RUN_PHASES
};

#define TIMING_MAX_ENVS  8
#define TIMING_MAX_STEPS 8

/* The phase's name in the run file ("warmup") and in the printed split. */
const char *run_phase_name(enum run_phase p);

struct run_timing {
	size_t n_envs;
	const char *env[TIMING_MAX_ENVS]; /* static names (env_ops.name) */
	double s[TIMING_MAX_ENVS][RUN_PHASES];
	/* a command's steps, in order, with an optional per-environment split
	 * (density runs per environment) */
	size_t n_steps;
	const char *step[TIMING_MAX_STEPS];
	double step_s[TIMING_MAX_STEPS];
	double step_env_s[TIMING_MAX_STEPS][TIMING_MAX_ENVS];
};

/* Adds seconds to env's phase (env appended on first use; ignored past
 * TIMING_MAX_ENVS). */
void run_timing_add(struct run_timing *t, const char *env, enum run_phase p, double seconds);

/* Adds seconds to the command step named step (appended on first use),
 * and to its share for env when env is not NULL. */
void run_timing_step(struct run_timing *t, const char *step, const char *env, double seconds);

/* Sum of env's phases, or of every environment's when env is NULL. */
double run_timing_env_total(const struct run_timing *t, const char *env);

/* {"by_env": {"bare": {"prepare_s": ..., ..., "total_s": ...}, ...},
 *  "steps": {"sizes_s": ..., "density_s": ...}, "density_by_env": ...}
 * (steps only when there are any; a step's per-environment split as
 * "<step>_by_env"). New reference. */
json_t *run_timing_to_json(const struct run_timing *t);

/* Prints the split: the steps on one line with the wall time, then one row
 * per environment with its phases (seconds) and a total row. */
void run_timing_print(FILE *out, const struct run_timing *t, double wall_s);

#endif
