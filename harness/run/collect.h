/* The values of one workload in one environment, metric by metric, as its
 * repetitions come in: the measured ones with the block and position each
 * ran in (interleaved runs), or the warm-ups. */
#ifndef BENCH_COLLECT_H
#define BENCH_COLLECT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness/core/cpu_steal.h"
#include "harness/core/error.h"
#include "harness/core/result.h"
#include "harness/core/run_options.h"

#define COLLECT_MAX_METRICS 32

struct collected {
	size_t n_metrics;
	char *name[COLLECT_MAX_METRICS];
	char *unit[COLLECT_MAX_METRICS];
	enum better better[COLLECT_MAX_METRICS];
	double *values[COLLECT_MAX_METRICS];
	size_t *block;     /* per repetition: the block it ran in */
	size_t *position;  /* per repetition: its place within that block */
	double *steal_pct; /* per repetition: share of the instance's CPUs' time the
	                    * hypervisor took (cpu_steal.h), NAN = not read */
	struct cpu_ticks steal_sum,
	    host_steal_sum; /* over the repetitions: the
	                     * instance's CPUs and every CPU (n_cpus 0: none read) */
	size_t n;           /* repetitions so far */
	size_t cap;
	json_t *last_rep; /* the last repetition object (config, pinning) */
};

/* Adds one repetition's metrics (the first repetition fixes the metric
 * set), run in block `block` at `position`. Returns 0, or -1 with *err for
 * an invalid result or a metric set that changed. */
int collected_add(struct collected *c, json_t *rep, size_t block, size_t position,
                  struct bench_error **err);

/* Records the steal of the repetition collected_add just added, from
 * /proc/stat readings taken before and after it over the instance's CPUs
 * (inst_*) and over every CPU (host_*). A reading that failed (n_cpus 0)
 * records NAN. */
void collected_note_steal(struct collected *c, const struct cpu_ticks *inst_before,
                          const struct cpu_ticks *inst_after, const struct cpu_ticks *host_before,
                          const struct cpu_ticks *host_after);

/* The steal over the measured repetitions as the sample's "steal" member
 * (results/SCHEMA.md): {cpus, pct, host_pct, per_rep}, pct null when the
 * repetitions together lasted less than a tick; NULL when no reading
 * worked. */
json_t *collected_steal_json(const struct collected *c, const char *cpus_text);

/* True when measuring may stop: max_reps reached, or at least min_reps and
 * every metric's 95% CI half-width within target_ci percent of its mean. */
bool collected_converged(const struct collected *c, const struct run_options *o);

/* Frees what c holds and zeroes it. */
void collected_free(struct collected *c);

#endif
