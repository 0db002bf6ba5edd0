/* Density: how many instances of an environment the host holds while each
 * still meets a quality-of-service bar (in the spirit of VMmark tiles and
 * SPECvirt: load grows until QoS fails), and what each instance costs. */
#ifndef BENCH_DENSITY_H
#define BENCH_DENSITY_H

#include <jansson.h>

#include "harness/core/catalog.h"
#include "harness/env/env.h"
#include "harness/core/run_options.h"
#include "harness/core/topo.h"
#include "harness/run/spread.h"

struct density_options {
	const struct env_choice *env;
	const struct wl_info *workload; /* NULL: idle instances (pure footprint) */
	const struct run_options *run;  /* workload options (duration, size, ...) */
	const struct topo *topo;
	const struct topo_binding *binding; /* the instances' host PUs, spread as `spread` says */
	enum spread_mode spread;            /* over the CPUs (default) or node by node */
	const char *wl_path;
	const char *scratch_dir;
	double qos;         /* per-instance result must stay within qos of one instance's */
	unsigned max;       /* most instances to try */
	unsigned step_reps; /* measured repetitions per step (all instances at once) */
	bool quiet;
};

/* Starts 1, 2, 4, ... instances (doubling, then refining between the last
 * count that met QoS and the first that did not), each running the workload
 * concurrently, until QoS fails, memory runs short (MemAvailable under 10%
 * of MemTotal, or an instance fails to start) or max is reached. Idle mode
 * only starts instances and measures footprint and start time. *out gets
 * the result object (results/SCHEMA.md, "density"). Returns 0, or -1 with
 * *err when not even one instance could be measured. Every instance is
 * stopped before it returns. */
int density_run(const struct density_options *o, json_t **out, struct bench_error **err);

#endif
