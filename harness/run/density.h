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
#include "harness/run/density_project.h"
#include "harness/run/netpath.h"
#include "harness/run/size_plan.h"

#define DENSITY_MAX_CAP 4096 /* most instances one study starts */
#define DENSITY_RESERVE 0.10 /* fraction of MemTotal the study leaves free */

struct density_options {
	const struct env_choice *env;
	const struct wl_info *workload; /* NULL: idle instances (pure footprint) */
	const struct run_options *run;  /* workload options (duration, size, ...) */
	const struct topo *topo;
	const struct topo_binding *binding; /* the instances' host PUs, spread as `spread` says */
	enum spread_mode spread;            /* over the CPUs (default) or node by node */
	const char *wl_path;
	const char *scratch_dir;
	double qos;             /* per-instance result must stay within qos of one instance's */
	const char *qos_metric; /* the reply metric QoS is judged on, NULL = the first */
	unsigned max;           /* most instances to try, 0 = DENSITY_MAX_CAP */
	unsigned step_reps;     /* measured repetitions per step (all instances at once) */
	double time_budget_s;   /* stop adding instances when the next step would end later */
	double start_factor;    /* start-time bar: a start may take this many times the first's */
	double settle_max_s;    /* longest wait for MemAvailable to settle after a step grows */
	const struct size_plan *sizes;     /* instance memory and workload size, or NULL */
	const struct density_host *target; /* project onto this host too, or NULL */
	const char *target_text;           /* as given (--target-host) */
	bool quiet;
};

/* Starts 1, 2, 4, ... instances (doubling, then refining between the last
 * count that met QoS and the first that did not), each running the workload
 * concurrently, until QoS fails, memory runs short (MemAvailable under
 * DENSITY_RESERVE of MemTotal, or the next step would take it there at the
 * footprint measured so far), an instance fails to start or takes longer
 * than start_factor times the first, the next step would end after the
 * time budget, or max is reached. After each growth it waits for memory to
 * settle and records every instance's footprint (the backend's figure and
 * the PSS of its process tree), MemAvailable, and each instance's CPU
 * demand. Then it projects (density_project.h) onto this host and onto
 * o->target. A network workload talks to one host-side peer (`wl serve`,
 * unbound) that every instance shares. Idle mode only starts instances. *out gets the result object
 * (results/SCHEMA.md, "density"). Returns 0, or -1 with *err when not even
 * one instance could be measured. Every instance is stopped before it
 * returns. */
int density_run(const struct density_options *o, json_t **out, struct bench_error **err);

#endif
