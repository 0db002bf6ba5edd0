/* Where the k-th instance of a density study goes: spread over the CPUs of
 * the run's binding (round robin, the default), or node by node (each
 * instance's CPUs and memory on one NUMA node, instance k on the
 * (k mod N)-th node the binding touches). One rule, pure, tested on
 * synthetic topologies. */
#ifndef BENCH_SPREAD_H
#define BENCH_SPREAD_H

#include <stddef.h>

#include "harness/core/error.h"
#include "harness/core/topo.h"

enum spread_mode {
	SPREAD_CPUS,  /* round robin over the binding's CPUs, its memory binding kept */
	SPREAD_NODES, /* one node per instance, node by node */
};

/* "cpus" or "nodes" into *out. Returns 0, or -1 with *err naming both. */
int spread_parse(const char *text, enum spread_mode *out, struct bench_error **err);

/* "cpus" or "nodes". */
const char *spread_name(enum spread_mode mode);

/* The binding of instance k (0-based) out of base (the run's resolved
 * --cpus/--numa/--threads): with SPREAD_CPUS, base->threads CPUs of base's
 * set, round robin, so instances use every CPU before they share one; with
 * SPREAD_NODES, the nodes holding base's CPUs in OS order, instance k on
 * node k mod N, its CPUs the next base->threads of that node's CPUs in
 * base (round robin within the node), its memory bound to that node.
 * SPREAD_NODES refuses a base bound to one node (--numa): that is one node,
 * not a spread. Returns 0, or -1 with *err. */
int spread_instance(const struct topo *t, const struct topo_binding *base, enum spread_mode mode,
                    size_t k, struct topo_binding *out, struct bench_error **err);

#endif
