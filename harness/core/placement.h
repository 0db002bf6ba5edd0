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

/* The instance's CPUs for a comparison run, decided before the peer's.
 * given (--cpus) wins: policy "given", checked later by topo_resolve.
 * Otherwise the candidates are the allowed PUs (of node numa_node when it
 * is >= 0): when there are more than threads of them, the instance gets
 * threads of them, one per core first, in topology order from the first
 * core (policy "compact"), so the others are left to the network peer and
 * the guests' I/O threads; when there are threads or fewer, all of them
 * (policy "all": the peer must then share, which is warned about). Pure:
 * depends only on t and the arguments. Returns 0, or -1 with *err. */
int placement_instance(const struct topo *t, const char *given, int numa_node, unsigned threads,
                       struct placement *out, struct bench_error **err);

/* The --cpus to resolve for p (from placement_instance): its CPUs, or NULL
 * for policy "all" (every candidate, resolved as if --cpus were absent). */
const char *placement_instance_cpus(const struct placement *p);

/* {"cpus": "...", "policy": "...", "reason": "..."} (caller owns). */
json_t *placement_to_json(const struct placement *p);

/* The placement as a binding for spawn_agent and topo_bind_*: its CPUs,
 * one thread, no memory binding. */
void placement_binding(const struct placement *p, struct topo_binding *out);

#endif
