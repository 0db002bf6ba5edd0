#include "harness/core/placement.h"

#include <stdio.h>
#include <string.h>

enum tier { TIER_NEAR_OTHER_CORE, TIER_NEAR_SIBLING, TIER_OTHER_NODE, TIER_COUNT };

static const char *const tier_reason[TIER_COUNT] = {
    "the host's CPUs outside the instance's binding (%s), on its NUMA node and on cores "
    "it does not use",
    "the host's CPUs outside the instance's binding (%s) on its NUMA node: hyperthreads of "
    "its cores (no other core is free there)",
    "the host's CPUs outside the instance's binding (%s), on another NUMA node (none is "
    "free on its own)",
};

/* Which tier pu belongs to, given the instance's PUs and NUMA nodes. */
static enum tier tier_of(hwloc_topology_t hw, hwloc_obj_t pu, hwloc_const_bitmap_t inst_cpus,
                         hwloc_const_bitmap_t inst_nodes)
{
	if (!hwloc_bitmap_intersects(pu->nodeset, inst_nodes))
		return TIER_OTHER_NODE;
	hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(hw, HWLOC_OBJ_CORE, pu);
	if (core != NULL && hwloc_bitmap_intersects(core->cpuset, inst_cpus))
		return TIER_NEAR_SIBLING;
	return TIER_NEAR_OTHER_CORE;
}

static void finish(struct placement *p)
{
	cpulist_format(p->cpus, p->cpus_text, sizeof(p->cpus_text));
}

static int resolve_given(const struct topo *t, const struct topo_binding *instance,
                         const char *given, const char *option, struct placement *out,
                         struct bench_error **err)
{
	struct topo_binding b;
	if (topo_resolve(t, given, -1, 1, &b, err) < 0)
		return bench_error_wrap(err, "%s %s", option, given);
	memcpy(out->cpus, b.cpus, sizeof(out->cpus));
	finish(out);
	out->policy = "given";
	bool overlap = false;
	for (int i = 0; i < CPULIST_MAX; i++)
		overlap = overlap || (out->cpus[i] && instance->cpus[i]);
	snprintf(out->reason, sizeof(out->reason), "given with %s%s%s%s", option,
	         overlap ? " (shares CPUs with the instance's binding " : "",
	         overlap ? instance->cpus_text : "", overlap ? ")" : "");
	return 0;
}

int placement_resolve(const struct topo *t, const struct topo_binding *instance, const char *given,
                      const char *option, struct placement *out, struct bench_error **err)
{
	memset(out, 0, sizeof(*out));
	if (given != NULL)
		return resolve_given(t, instance, given, option, out, err);
	hwloc_topology_t hw = t->hw;
	hwloc_bitmap_t inst_cpus = hwloc_bitmap_alloc(), inst_nodes = hwloc_bitmap_alloc();
	if (inst_cpus == NULL || inst_nodes == NULL) {
		hwloc_bitmap_free(inst_cpus);
		hwloc_bitmap_free(inst_nodes);
		return bench_error_set(err, 0, "hwloc_bitmap_alloc");
	}
	for (int i = 0; i < CPULIST_MAX; i++) {
		if (!instance->cpus[i])
			continue;
		hwloc_bitmap_set(inst_cpus, (unsigned)i);
		hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(hw, (unsigned)i);
		if (pu != NULL)
			hwloc_bitmap_or(inst_nodes, inst_nodes, pu->nodeset);
	}
	if (instance->numa_node >= 0)
		hwloc_bitmap_set(inst_nodes, (unsigned)instance->numa_node);
	bool tiers[TIER_COUNT][CPULIST_MAX];
	bool any[TIER_COUNT] = {false};
	memset(tiers, 0, sizeof(tiers));
	hwloc_const_bitmap_t allowed = hwloc_topology_get_allowed_cpuset(hw);
	int i;
	hwloc_bitmap_foreach_begin(i, allowed)
	{
		hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(hw, (unsigned)i);
		if (i < CPULIST_MAX && pu != NULL && !instance->cpus[i]) {
			enum tier k = tier_of(hw, pu, inst_cpus, inst_nodes);
			tiers[k][i] = true;
			any[k] = true;
		}
	}
	hwloc_bitmap_foreach_end();
	hwloc_bitmap_free(inst_cpus);
	hwloc_bitmap_free(inst_nodes);
	for (int k = 0; k < TIER_COUNT; k++) {
		if (!any[k])
			continue;
		memcpy(out->cpus, tiers[k], sizeof(out->cpus));
		finish(out);
		out->policy = "distinct";
		snprintf(out->reason, sizeof(out->reason), tier_reason[k], instance->cpus_text);
		return 0;
	}
	memcpy(out->cpus, instance->cpus, sizeof(out->cpus));
	finish(out);
	out->policy = "shared";
	snprintf(out->reason, sizeof(out->reason),
	         "no CPU outside the instance's binding (%s): the instance's own CPUs",
	         instance->cpus_text);
	return 0;
}

/* The candidate PUs of an instance: allowed, on node numa_node if >= 0. */
static int instance_candidates(hwloc_topology_t hw, int numa_node, hwloc_bitmap_t out,
                               struct bench_error **err)
{
	hwloc_bitmap_copy(out, hwloc_topology_get_allowed_cpuset(hw));
	if (numa_node < 0)
		return 0;
	hwloc_obj_t node = NULL;
	while ((node = hwloc_get_next_obj_by_type(hw, HWLOC_OBJ_NUMANODE, node)) != NULL)
		if ((int)node->os_index == numa_node)
			break;
	if (node == NULL)
		return bench_error_set(err, 0, "NUMA node %d does not exist", numa_node);
	hwloc_bitmap_and(out, out, node->cpuset);
	return 0;
}

/* Takes up to want PUs of cand into p->cpus: the first candidate PU of
 * each core in order, then (pass 2) the cores' other PUs, then any
 * candidate left. Returns how many it took. */
static unsigned take_compact(hwloc_topology_t hw, hwloc_const_bitmap_t cand, unsigned want,
                             struct placement *p)
{
	unsigned took = 0;
	for (int pass = 0; pass < 2 && took < want; pass++) {
		hwloc_obj_t core = NULL;
		while (took < want &&
		       (core = hwloc_get_next_obj_by_type(hw, HWLOC_OBJ_CORE, core)) != NULL) {
			int i, seen = 0;
			hwloc_bitmap_foreach_begin(i, core->cpuset)
			{
				if (i >= CPULIST_MAX || !hwloc_bitmap_isset(cand, (unsigned)i))
					continue;
				bool first = seen++ == 0;
				if (first == (pass == 0) && !p->cpus[i] && took < want) {
					p->cpus[i] = true;
					took++;
				}
			}
			hwloc_bitmap_foreach_end();
		}
	}
	int i; /* a topology without cores: the candidates in order */
	hwloc_bitmap_foreach_begin(i, cand)
	{
		if (took < want && i < CPULIST_MAX && !p->cpus[i]) {
			p->cpus[i] = true;
			took++;
		}
	}
	hwloc_bitmap_foreach_end();
	return took;
}

int placement_instance(const struct topo *t, const char *given, int numa_node, unsigned threads,
                       struct placement *out, struct bench_error **err)
{
	memset(out, 0, sizeof(*out));
	if (given != NULL) {
		snprintf(out->cpus_text, sizeof(out->cpus_text), "%s", given);
		out->policy = "given";
		snprintf(out->reason, sizeof(out->reason), "given with --cpus");
		return 0;
	}
	unsigned want = threads == 0 ? 1 : threads;
	hwloc_bitmap_t cand = hwloc_bitmap_alloc();
	if (cand == NULL)
		return bench_error_set(err, 0, "hwloc_bitmap_alloc");
	if (instance_candidates(t->hw, numa_node, cand, err) < 0) {
		hwloc_bitmap_free(cand);
		return -1;
	}
	int have = hwloc_bitmap_weight(cand);
	char where[64];
	if (numa_node >= 0)
		snprintf(where, sizeof(where), "NUMA node %d", numa_node);
	else
		snprintf(where, sizeof(where), "the host");
	if (have <= (int)want) {
		int i;
		hwloc_bitmap_foreach_begin(i, cand)
		{
			if (i < CPULIST_MAX)
				out->cpus[i] = true;
		}
		hwloc_bitmap_foreach_end();
		hwloc_bitmap_free(cand);
		finish(out);
		out->policy = "all";
		snprintf(out->reason, sizeof(out->reason),
		         "%s has %d CPU(s) for %u thread(s): the instance takes them all, and the "
		         "network peer and I/O threads share them",
		         where, have, want);
		return 0;
	}
	take_compact(t->hw, cand, want, out);
	hwloc_bitmap_free(cand);
	finish(out);
	out->policy = "compact";
	snprintf(out->reason, sizeof(out->reason),
	         "%u of the %d CPUs of %s, one per core from the first (no --cpus given): the "
	         "others are left to the network peer and the guests' I/O threads",
	         want, have, where);
	return 0;
}

const char *placement_instance_cpus(const struct placement *p)
{
	return strcmp(p->policy, "all") == 0 ? NULL : p->cpus_text;
}

json_t *placement_to_json(const struct placement *p)
{
	return json_pack("{s:s, s:s, s:s}", "cpus", p->cpus_text, "policy",
	                 p->policy ? p->policy : "", "reason", p->reason);
}

void placement_binding(const struct placement *p, struct topo_binding *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->cpus, p->cpus, sizeof(out->cpus));
	snprintf(out->cpus_text, sizeof(out->cpus_text), "%s", p->cpus_text);
	out->numa_node = -1;
	out->threads = 1;
}
