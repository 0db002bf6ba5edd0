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

#define TIMING_MAX_ENVS      8
#define TIMING_MAX_STEPS     8
#define TIMING_MAX_WORKLOADS 48

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
	/* the runner's per-workload phases (set-up, warm-up, measure,
	 * teardown) per environment, and the repetitions they hold */
	size_t n_workloads;
	const char *workload[TIMING_MAX_WORKLOADS];
	double wl_s[TIMING_MAX_WORKLOADS][TIMING_MAX_ENVS][RUN_PHASES];
	unsigned wl_reps[TIMING_MAX_WORKLOADS][TIMING_MAX_ENVS][RUN_PHASES];
	/* the repetitions' own timed parts (the workload's elapsed_s) */
	double wl_timed_s[TIMING_MAX_WORKLOADS][TIMING_MAX_ENVS];
	unsigned starts[TIMING_MAX_ENVS]; /* instances started */
};

/* Adds seconds to env's phase (env appended on first use; ignored past
 * TIMING_MAX_ENVS). */
void run_timing_add(struct run_timing *t, const char *env, enum run_phase p, double seconds);

/* Adds seconds to env's phase and to workload's share of it (workload
 * appended on first use; only the env's phase past TIMING_MAX_WORKLOADS);
 * reps repetitions (warm-up, measure) are counted with it. */
void run_timing_add_workload(struct run_timing *t, const char *env, const char *workload,
                             enum run_phase p, double seconds, unsigned reps);

/* Adds a repetition's own timed part (its elapsed_s) to workload in env. */
void run_timing_add_timed(struct run_timing *t, const char *env, const char *workload,
                          double seconds);

/* The repetitions' own timed parts of workload in env (0 when none). */
double run_timing_timed_s(const struct run_timing *t, const char *env, const char *workload);

/* Adds seconds to env's start phase and counts one instance started. */
void run_timing_add_start(struct run_timing *t, const char *env, double seconds);

/* Seconds of workload's phase in env, and its repetitions (*reps, may be
 * NULL); 0 when it has none. */
double run_timing_workload_s(const struct run_timing *t, const char *env, const char *workload,
                             enum run_phase p, unsigned *reps);

/* Adds seconds to the command step named step (appended on first use),
 * and to its share for env when env is not NULL. */
void run_timing_step(struct run_timing *t, const char *step, const char *env, double seconds);

/* Sum of env's phases, or of every environment's when env is NULL. */
double run_timing_env_total(const struct run_timing *t, const char *env);

/* {"by_env": {"bare": {"prepare_s": ..., ..., "total_s": ...}, ...},
 *  "steps": {"sizes_s": ..., "density_s": ...}, "density_by_env": ...},
 *  "by_workload": {"mem.random": {"qemu": {"setup_s": ..., "warmup_s": ...,
 *  "warmup_reps": 2, "measure_s": ..., "measure_reps": 3, "teardown_s": ...}}}}
 * (steps and by_workload only when there are any; a step's per-environment
 * split as "<step>_by_env"). New reference. */
json_t *run_timing_to_json(const struct run_timing *t);

/* Prints the split: the steps on one line with the wall time, then one row
 * per environment with its phases (seconds) and a total row, then the
 * costliest (environment, workload) pairs with their set-up. */
void run_timing_print(FILE *out, const struct run_timing *t, double wall_s);

#endif
