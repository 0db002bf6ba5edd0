/* Where a run's host-side helpers go: the network peer (`wl serve`) and
 * the instances' I/O threads (QEMU's main loop and iothread). Resolved once
 * per run from the topology and the instance binding, so every environment
 * of the run gets the same placement. */
#ifndef BENCH_PLACEMENT_H
#define BENCH_PLACEMENT_H

#include <jansson.h>
#include <stdbool.h>

#include "harness/core/cpulist.h"
#include "harness/core/error.h"
#include "harness/core/topo.h"

struct placement {
	bool cpus[CPULIST_MAX]; /* host PUs (OS indices) */
	char cpus_text[256];    /* the same as a cpulist */
	const char *policy;     /* "distinct", "shared" or "given" (static string) */
	char reason[512];       /* why these CPUs, in one sentence */
};

/* The helpers' CPUs. given (a cpulist from an option such as --peer-cpus,
 * named by option in messages) wins when non-NULL: it must name CPUs this
 * host allows (policy "given"). Otherwise the first non-empty of these
 * tiers of allowed PUs outside the instance's binding (policy "distinct"):
 * on the instance's NUMA node(s) and on cores the instance does not use;
 * on its node(s) but hyperthreads of its cores; on other nodes. When the
 * instance holds every allowed PU, the instance's own CPUs (policy
 * "shared"). Pure: depends only on t and instance. Returns 0, or -1 with
 * *err for a bad given list. */
int placement_resolve(const struct topo *t, const struct topo_binding *instance, const char *given,
                      const char *option, struct placement *out, struct bench_error **err);

/* {"cpus": "...", "policy": "...", "reason": "..."} (caller owns). */
json_t *placement_to_json(const struct placement *p);

/* The placement as a binding for spawn_agent and topo_bind_*: its CPUs,
 * one thread, no memory binding. */
void placement_binding(const struct placement *p, struct topo_binding *out);

#endif
