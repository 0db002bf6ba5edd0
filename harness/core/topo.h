/* The host topology through hwloc: description, last-level cache, and the
 * resolution of a pinning request (--cpus, --numa, --threads) to CPU and
 * NUMA sets. */
#ifndef BENCH_TOPO_H
#define BENCH_TOPO_H

#include <hwloc.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "harness/core/cpulist.h"
#include "harness/core/error.h"

struct topo {
	hwloc_topology_t hw;
};

/* Loads the running host's topology. Returns 0 or -1 with *err. Free with
 * topo_close. */
int topo_open(struct topo *t, struct bench_error **err);
/* Loads a synthetic description ("pack:2 numa:1 core:2 pu:2") or, when
 * the argument names a readable file, an hwloc XML export (for tests). */
int topo_open_synthetic(struct topo *t, const char *description, struct bench_error **err);
int topo_open_xml(struct topo *t, const char *path, struct bench_error **err);
void topo_close(struct topo *t);

/* The topology as JSON: packages, numa_nodes (os_index, memory_bytes,
 * cpus), cores, pus, caches (level, type, size_bytes, count), memory_bytes.
 * Caller owns the reference. */
json_t *topo_to_json(const struct topo *t);

/* Size in bytes of the largest data/unified cache, 0 if hwloc knows none. */
uint64_t topo_llc_bytes(const struct topo *t);

struct topo_binding;

/* The last-level cache the instance's threads run under: for each of the
 * first b->threads PUs of b (where the workers and vCPUs go, see
 * topo_binding_pu), the outermost data or unified cache above it; distinct
 * caches are added up (STREAM's rule counts every LLC the run uses). Sets
 * *bytes (0 when hwloc knows no cache) and a phrase such as "L3 260 MiB
 * over PUs 0-1" or "2 last-level caches, 64 MiB in all, over PUs 0,8" into
 * basis. */
void topo_instance_llc(const struct topo *t, const struct topo_binding *b, uint64_t *bytes,
                       char *basis, size_t len);

/* Writes bytes as "260 MiB", "1.5 GiB", "1040 MiB" or "100 B" into buf: the
 * largest unit in which the figure is exact (whole or one decimal), else
 * the largest unit rounded to one decimal ("22.3 GiB"). Returns buf. */
const char *topo_fmt_bytes(uint64_t bytes, char *buf, size_t len);

/* A resolved pinning request. */
struct topo_binding {
	bool cpus[CPULIST_MAX]; /* host PUs (OS indices) the instance may use */
	int numa_node;          /* OS index of the memory node, -1 = not bound */
	unsigned threads;       /* worker threads / vCPUs */
	char cpus_text[256];    /* cpus as a cpulist */
	char cpu_nodes[64];     /* NUMA nodes (OS indices) the CPUs sit on, as a list */
	/* Where the bound memory lies from the CPUs: "local" (every CPU is on
	 * numa_node), "remote" (none is), "partly remote" (some are); NULL when
	 * memory is not bound. A static string. */
	const char *memory_locality;
};

/* Resolves --cpus (cpulist or NULL = every PU, or the node's PUs when
 * numa_node >= 0), --numa (OS index or -1) and --threads (0 = 1) against the
 * topology. Rejects CPUs that do not exist, a node that does not exist, a
 * node without CPUs when --cpus is not given, and more threads than CPUs.
 * CPUs off the memory node are accepted and recorded (cpu_nodes,
 * memory_locality "remote" or "partly remote"): remote placement is a
 * legitimate experiment. Returns 0 or -1 with *err. */
int topo_resolve(const struct topo *t, const char *cpus, int numa_node, unsigned threads,
                 struct topo_binding *out, struct bench_error **err);

/* Binds the calling process (CPU set and, if numa_node >= 0, strict memory
 * binding to that node) as b says. Meant for a freshly forked child before
 * exec; bindings are inherited across exec. Returns 0 or -1 with *err. */
int topo_bind_self(const struct topo *t, const struct topo_binding *b, struct bench_error **err);

/* The i-th PU (OS index) of b's CPU set, cycling when i is past the end;
 * -1 when the set is empty. Spreads vCPUs one PU each. */
int topo_binding_pu(const struct topo_binding *b, unsigned i);

/* Binds the host thread tid (a vCPU thread, say) to the single PU pu (OS
 * index) with hwloc, then reads the binding back into confirmed (a
 * cpulist). Returns 0, or -1 with *err. */
int topo_bind_thread(const struct topo *t, pid_t tid, int pu, char *confirmed, size_t len,
                     struct bench_error **err);

/* Binds the host thread tid to the CPU set cpus with hwloc and reads the
 * binding back into confirmed (a cpulist). Returns 0, or -1 with *err. */
int topo_bind_thread_set(const struct topo *t, pid_t tid, const bool cpus[CPULIST_MAX],
                         char *confirmed, size_t len, struct bench_error **err);

/* The CPUs process pid is bound to, as hwloc reads them back, into buf (a
 * cpulist; "" when they cannot be read). */
void topo_process_cpus(const struct topo *t, pid_t pid, char *buf, size_t len);

/* The binding as JSON {"cpus":"0-1","numa_node":0|null,"threads":1,
 * "cpu_nodes":"0","memory_locality":"local"|"remote"|"partly remote"|null}. */
json_t *topo_binding_to_json(const struct topo_binding *b);

#endif
