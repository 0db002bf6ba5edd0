#include "harness/run/spread.h"

#include <string.h>

int spread_parse(const char *text, enum spread_mode *out, struct bench_error **err)
{
	if (strcmp(text, "cpus") == 0)
		*out = SPREAD_CPUS;
	else if (strcmp(text, "nodes") == 0)
		*out = SPREAD_NODES;
	else
		return bench_error_set(err, 0, "--spread %s: valid: cpus, nodes", text);
	return 0;
}

const char *spread_name(enum spread_mode mode)
{
	return mode == SPREAD_NODES ? "nodes" : "cpus";
}

/* threads PUs of pus[0..n), round robin from position first, into set. */
static void take(const int *pus, int n, size_t first, unsigned threads, bool set[CPULIST_MAX])
{
	memset(set, 0, sizeof(bool) * CPULIST_MAX);
	for (unsigned i = 0; i < threads && n > 0; i++)
		set[pus[(first + i) % (size_t)n]] = true;
}

int spread_instance(const struct topo *t, const struct topo_binding *base, enum spread_mode mode,
                    size_t k, struct topo_binding *out, struct bench_error **err)
{
	unsigned threads = base->threads ? base->threads : 1;
	int pus[CPULIST_MAX], n = 0;
	if (mode == SPREAD_CPUS) {
		for (int i = 0; i < CPULIST_MAX; i++)
			if (base->cpus[i])
				pus[n++] = i;
		bool set[CPULIST_MAX];
		char list[256];
		take(pus, n, k * threads, threads, set);
		if (cpulist_format(set, list, sizeof(list)) < 0)
			return bench_error_set(err, 0, "CPU list too long");
		return topo_resolve(t, list, base->numa_node, threads, out, err);
	}
	if (base->numa_node >= 0)
		return bench_error_set(err, 0,
		                       "--spread nodes places each instance on a node of its own: "
		                       "drop --numa %d (use --cpus to choose the nodes' CPUs)",
		                       base->numa_node);
	/* the nodes holding base's CPUs, in OS order */
	hwloc_obj_t nodes[CPULIST_MAX], o = NULL;
	size_t n_nodes = 0;
	while ((o = hwloc_get_next_obj_by_type(t->hw, HWLOC_OBJ_NUMANODE, o)) != NULL &&
	       n_nodes < CPULIST_MAX) {
		bool holds = false;
		for (int i = 0; i < CPULIST_MAX && !holds; i++)
			holds = base->cpus[i] && hwloc_bitmap_isset(o->cpuset, (unsigned)i);
		if (holds)
			nodes[n_nodes++] = o;
	}
	if (n_nodes == 0)
		return bench_error_set(err, 0, "--spread nodes: no NUMA node holds CPUs %s",
		                       base->cpus_text);
	hwloc_obj_t node = nodes[k % n_nodes];
	for (int i = 0; i < CPULIST_MAX; i++)
		if (base->cpus[i] && hwloc_bitmap_isset(node->cpuset, (unsigned)i))
			pus[n++] = i;
	bool set[CPULIST_MAX];
	take(pus, n, (k / n_nodes) * threads, threads, set);
	char list[256];
	if (cpulist_format(set, list, sizeof(list)) < 0)
		return bench_error_set(err, 0, "CPU list too long");
	if (topo_resolve(t, list, (int)node->os_index, threads, out, err) < 0)
		return bench_error_wrap(err, "--spread nodes, instance %zu on node %u", k + 1,
		                        node->os_index);
	return 0;
}
