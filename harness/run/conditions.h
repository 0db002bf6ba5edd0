/* The matched conditions of a run: what bench decides once so that every
 * environment runs under the same: where the network peer and the guests'
 * I/O threads go, whether the environments are interleaved (and in which
 * order), the warm-up rule. What cannot be matched is said loudly (stderr)
 * and recorded (`conditions` in the run file's invocation). */
#ifndef BENCH_CONDITIONS_H
#define BENCH_CONDITIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/core/placement.h"
#include "harness/core/run_options.h"
#include "harness/core/topo.h"
#include "harness/env/env.h"
#include "harness/run/interleave.h"
#include "harness/run/sizes.h"
#include "harness/run/steady.h"

struct run_conditions {
	/* The instance's CPUs (placement_instance), set by the caller before
	 * run_conditions_resolve (which keeps it; policy NULL: not recorded). */
	struct placement instance;
	struct placement peer; /* the network peer's CPUs (--peer-cpus or the rule) */
	struct placement io;   /* guests' I/O threads (--io-cpus, else the peer's) */
	bool interleaved;      /* several environments kept up, repetitions alternating */
	char why_not[512];     /* when not interleaved: why */
	enum interleave_scheme scheme;
	uint64_t seed;
	struct steady_rule warmup;
	json_t *unmatched;   /* array of {condition, envs, detail} */
	json_t *warnings;    /* array of the warnings printed */
	bool quiet_warnings; /* collect only, print nothing (tests) */
	/* The run's sizes and instance memory (size_plan.h), set by the caller
	 * before run_conditions_resolve (which keeps it), or NULL: whether the
	 * instances fit side by side is judged with the memory it gives them. */
	const struct size_plan *sizes;
};

/* Decides the run's conditions before anything starts: the placements
 * (a bad --peer-cpus/--io-cpus is -1 with *err: a usage error), whether
 * the n_envs environments can be kept up at once (the sum of their
 * host_memory against 90% of MemAvailable; else they run one after the
 * other, with a warning), the block order and its seed, the warm-up rule,
 * and the conditions that differ by construction (CPU numbering). networked
 * says whether a selected workload talks to the peer (a peer sharing
 * several CPUs with the instance is then warned about). Free with
 * run_conditions_free. */
int run_conditions_resolve(const struct run_options *o, const struct env_choice *envs,
                           size_t n_envs, const struct topo *t, const struct topo_binding *b,
                           bool networked, struct run_conditions *c, struct bench_error **err);

/* After an instance of env was pinned: helper threads it could not place
 * become an unmatched condition (once per environment) when the run has
 * several environments. */
void run_conditions_instance(struct run_conditions *c, const struct env_choice *env,
                             const struct env_instance *inst, size_t n_envs);

/* {instance (when set), peer, io, interleave: {interleaved, scheme, seed | reason}, warmup_rule,
 * unmatched, warnings} (caller owns). */
json_t *run_conditions_to_json(const struct run_conditions *c);

/* Prints every warning again, e.g. under the final table. */
void run_conditions_print_warnings(FILE *out, const struct run_conditions *c);

void run_conditions_free(struct run_conditions *c);

#endif
