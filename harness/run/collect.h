/* The values of one workload in one environment, metric by metric, as its
 * repetitions come in: the measured ones with the block and position each
 * ran in (interleaved runs), or the warm-ups. */
#ifndef BENCH_COLLECT_H
#define BENCH_COLLECT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

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
	size_t *block;    /* per repetition: the block it ran in */
	size_t *position; /* per repetition: its place within that block */
	size_t n;         /* repetitions so far */
	size_t cap;
	json_t *last_rep; /* the last repetition object (config, pinning) */
};

/* Adds one repetition's metrics (the first repetition fixes the metric
 * set), run in block `block` at `position`. Returns 0, or -1 with *err for
 * an invalid result or a metric set that changed. */
int collected_add(struct collected *c, json_t *rep, size_t block, size_t position,
                  struct bench_error **err);

/* True when measuring may stop: max_reps reached, or at least min_reps and
 * every metric's 95% CI half-width within target_ci percent of its mean. */
bool collected_converged(const struct collected *c, const struct run_options *o);

/* Frees what c holds and zeroes it. */
void collected_free(struct collected *c);

#endif
