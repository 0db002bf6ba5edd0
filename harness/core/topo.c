#include "harness/core/topo.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "harness/core/cleanup.h"

static int topo_load(struct topo *t, struct bench_error **err)
{
	hwloc_topology_set_all_types_filter(t->hw, HWLOC_TYPE_FILTER_KEEP_ALL);
	hwloc_topology_set_io_types_filter(t->hw, HWLOC_TYPE_FILTER_KEEP_NONE);
	if (hwloc_topology_load(t->hw) < 0) {
		int e = errno;
		hwloc_topology_destroy(t->hw);
		t->hw = NULL;
		return bench_error_set(err, e, "hwloc could not load the topology");
	}
	return 0;
}

int topo_open(struct topo *t, struct bench_error **err)
{
	if (hwloc_topology_init(&t->hw) < 0)
		return bench_error_set(err, errno, "hwloc_topology_init");
	return topo_load(t, err);
}

int topo_open_synthetic(struct topo *t, const char *description, struct bench_error **err)
{
	if (hwloc_topology_init(&t->hw) < 0)
		return bench_error_set(err, errno, "hwloc_topology_init");
	if (hwloc_topology_set_synthetic(t->hw, description) < 0) {
		hwloc_topology_destroy(t->hw);
		t->hw = NULL;
		return bench_error_set(err, 0, "bad synthetic topology '%s'", description);
	}
	return topo_load(t, err);
}

int topo_open_xml(struct topo *t, const char *path, struct bench_error **err)
{
	if (hwloc_topology_init(&t->hw) < 0)
		return bench_error_set(err, errno, "hwloc_topology_init");
	if (hwloc_topology_set_xml(t->hw, path) < 0) {
		int e = errno;
		hwloc_topology_destroy(t->hw);
		t->hw = NULL;
		return bench_error_set(err, e, "cannot read hwloc XML topology '%s'", path);
	}
	return topo_load(t, err);
}

void topo_close(struct topo *t)
{
	if (t->hw != NULL)
		hwloc_topology_destroy(t->hw);
	t->hw = NULL;
}

static json_t *bitmap_cpulist(hwloc_const_bitmap_t set)
{
	char *s = NULL;
	if (hwloc_bitmap_list_asprintf(&s, set) < 0)
		return json_string("");
	json_t *j = json_string(s);
	free(s);
	return j;
}

static const char *cache_type_name(hwloc_obj_cache_type_t type)
{
	switch (type) {
	case HWLOC_OBJ_CACHE_DATA:
		return "data";
	case HWLOC_OBJ_CACHE_INSTRUCTION:
		return "instruction";
	default:
		return "unified";
	}
}

static json_t *caches_json(hwloc_topology_t hw)
{
	json_t *caches = json_array();
	for (int depth = 0; depth < hwloc_topology_get_depth(hw); depth++) {
		hwloc_obj_t first = hwloc_get_obj_by_depth(hw, depth, 0);
		if (first == NULL || !hwloc_obj_type_is_cache(first->type))
			continue;
		json_array_append_new(caches,
		                      json_pack("{s:i, s:s, s:I, s:i}", "level",
		                                (int)first->attr->cache.depth, "type",
		                                cache_type_name(first->attr->cache.type),
		                                "size_bytes", (json_int_t)first->attr->cache.size,
		                                "count", hwloc_get_nbobjs_by_depth(hw, depth)));
	}
	return caches;
}

json_t *topo_to_json(const struct topo *t)
{
	hwloc_topology_t hw = t->hw;
	json_t *packages = json_array();
	hwloc_obj_t o = NULL;
	while ((o = hwloc_get_next_obj_by_type(hw, HWLOC_OBJ_PACKAGE, o)) != NULL)
		json_array_append_new(
		    packages, json_pack("{s:i, s:o, s:i}", "os_index", (int)o->os_index, "cpus",
		                        bitmap_cpulist(o->cpuset), "cores",
		                        hwloc_get_nbobjs_inside_cpuset_by_type(hw, o->cpuset,
		                                                               HWLOC_OBJ_CORE)));
	json_t *nodes = json_array();
	o = NULL;
	while ((o = hwloc_get_next_obj_by_type(hw, HWLOC_OBJ_NUMANODE, o)) != NULL)
		json_array_append_new(nodes, json_pack("{s:i, s:I, s:o}", "os_index",
		                                       (int)o->os_index, "memory_bytes",
		                                       (json_int_t)o->attr->numanode.local_memory,
		                                       "cpus", bitmap_cpulist(o->cpuset)));
	hwloc_obj_t root = hwloc_get_root_obj(hw);
	return json_pack("{s:o, s:o, s:i, s:i, s:o, s:I}", "packages", packages, "numa_nodes",
	                 nodes, "cores", hwloc_get_nbobjs_by_type(hw, HWLOC_OBJ_CORE), "pus",
	                 hwloc_get_nbobjs_by_type(hw, HWLOC_OBJ_PU), "caches", caches_json(hw),
	                 "memory_bytes", (json_int_t)root->total_memory);
}

uint64_t topo_llc_bytes(const struct topo *t)
{
	uint64_t best = 0;
	for (int depth = 0; depth < hwloc_topology_get_depth(t->hw); depth++) {
		hwloc_obj_t o = hwloc_get_obj_by_depth(t->hw, depth, 0);
		if (o == NULL || !hwloc_obj_type_is_cache(o->type) ||
		    o->attr->cache.type == HWLOC_OBJ_CACHE_INSTRUCTION)
			continue;
		if (o->attr->cache.size > best)
			best = o->attr->cache.size;
	}
	return best;
}

const char *topo_fmt_bytes(uint64_t bytes, char *buf, size_t len)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	/* the largest unit that gives an exact figure (whole or one decimal) */
	for (int u = 4; u >= 0; u--) {
		uint64_t one = 1ull << (10 * u);
		if (bytes < one || bytes / one >= 10000 || (bytes % one) * 10 % one != 0)
			continue;
		if (bytes % one == 0)
			snprintf(buf, len, "%llu %s", (unsigned long long)(bytes / one), unit[u]);
		else
			snprintf(buf, len, "%.1f %s", (double)bytes / (double)one, unit[u]);
		return buf;
	}
	int u = 4;
	while (u > 0 && bytes < (1ull << (10 * u)))
		u--;
	snprintf(buf, len, "%.1f %s", (double)bytes / (double)(1ull << (10 * u)), unit[u]);
	return buf;
}

/* The outermost data/unified cache above pu, or NULL. */
static hwloc_obj_t outer_cache(hwloc_obj_t pu)
{
	hwloc_obj_t best = NULL;
	for (hwloc_obj_t o = pu->parent; o != NULL; o = o->parent)
		if (hwloc_obj_type_is_cache(o->type) &&
		    o->attr->cache.type != HWLOC_OBJ_CACHE_INSTRUCTION)
			best = o;
	return best;
}

void topo_instance_llc(const struct topo *t, const struct topo_binding *b, uint64_t *bytes,
                       char *basis, size_t len)
{
	hwloc_obj_t caches[CPULIST_MAX];
	size_t n = 0;
	uint64_t total = 0;
	hwloc_bitmap_t pus = hwloc_bitmap_alloc();
	unsigned threads = b->threads ? b->threads : 1;
	for (unsigned i = 0; i < threads && i < CPULIST_MAX; i++) {
		int os = topo_binding_pu(b, i);
		if (os < 0)
			break;
		hwloc_bitmap_set(pus, (unsigned)os);
		hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(t->hw, (unsigned)os);
		hwloc_obj_t c = pu != NULL ? outer_cache(pu) : NULL;
		bool seen = c == NULL;
		for (size_t k = 0; k < n && !seen; k++)
			seen = caches[k] == c;
		if (!seen) {
			caches[n++] = c;
			total += c->attr->cache.size;
		}
	}
	char list[256] = "?", size[32];
	hwloc_bitmap_list_snprintf(list, sizeof(list), pus);
	hwloc_bitmap_free(pus);
	*bytes = total;
	if (n == 0)
		snprintf(basis, len, "hwloc knows no cache above PUs %s", list);
	else if (n == 1)
		snprintf(basis, len, "L%u %s over PUs %s", caches[0]->attr->cache.depth,
		         topo_fmt_bytes(total, size, sizeof(size)), list);
	else
		snprintf(basis, len, "%zu last-level caches, %s in all, over PUs %s", n,
		         topo_fmt_bytes(total, size, sizeof(size)), list);
}

/* Fills b->cpu_nodes (the nodes local to b's CPUs) and b->memory_locality
 * (whether b's CPUs lie within the memory node's locality, its cpuset:
 * hwloc gives a memory-only node, CXL or HBM, the cpuset of the CPUs near
 * it, so "local" there means near, as the firmware describes it). */
static void binding_locality(const struct topo *t, hwloc_obj_t node, struct topo_binding *b)
{
	hwloc_bitmap_t cpus = hwloc_bitmap_alloc(), nodes = hwloc_bitmap_alloc();
	if (cpus == NULL || nodes == NULL) {
		hwloc_bitmap_free(cpus);
		hwloc_bitmap_free(nodes);
		return;
	}
	for (int i = 0; i < CPULIST_MAX; i++) {
		hwloc_obj_t pu =
		    b->cpus[i] ? hwloc_get_pu_obj_by_os_index(t->hw, (unsigned)i) : NULL;
		if (pu == NULL)
			continue;
		hwloc_bitmap_set(cpus, (unsigned)i);
		hwloc_bitmap_or(nodes, nodes, pu->nodeset);
	}
	hwloc_bitmap_list_snprintf(b->cpu_nodes, sizeof(b->cpu_nodes), nodes);
	if (node != NULL)
		b->memory_locality = hwloc_bitmap_isincluded(cpus, node->cpuset)   ? "local"
		                     : hwloc_bitmap_intersects(cpus, node->cpuset) ? "partly remote"
		                                                                   : "remote";
	hwloc_bitmap_free(cpus);
	hwloc_bitmap_free(nodes);
}

int topo_resolve(const struct topo *t, const char *cpus, int numa_node, unsigned threads,
                 struct topo_binding *out, struct bench_error **err)
{
	memset(out, 0, sizeof(*out));
	out->numa_node = -1;
	out->threads = threads == 0 ? 1 : threads;
	hwloc_const_bitmap_t allowed = hwloc_topology_get_allowed_cpuset(t->hw);
	hwloc_obj_t node = NULL;
	if (numa_node >= 0) {
		while ((node = hwloc_get_next_obj_by_type(t->hw, HWLOC_OBJ_NUMANODE, node)) != NULL)
			if ((int)node->os_index == numa_node)
				break;
		if (node == NULL) {
			char *have = NULL;
			hwloc_bitmap_list_asprintf(&have,
			                           hwloc_topology_get_topology_nodeset(t->hw));
			bench_error_set(err, 0, "NUMA node %d does not exist (nodes: %s)",
			                numa_node, have ? have : "?");
			free(have);
			return -1;
		}
		out->numa_node = numa_node;
	}
	if (cpus != NULL) {
		if (cpulist_parse(cpus, out->cpus, err) < 0)
			return -1;
		for (int i = 0; i < CPULIST_MAX; i++) {
			if (out->cpus[i] && !hwloc_bitmap_isset(allowed, (unsigned)i)) {
				char *have = NULL;
				hwloc_bitmap_list_asprintf(&have, allowed);
				bench_error_set(err, 0, "CPU %d is not available (available: %s)",
				                i, have ? have : "?");
				free(have);
				return -1;
			}
		}
	} else {
		hwloc_const_bitmap_t from = node != NULL ? node->cpuset : allowed;
		int i;
		hwloc_bitmap_foreach_begin(i, from)
		{
			if (i < CPULIST_MAX && hwloc_bitmap_isset(allowed, (unsigned)i))
				out->cpus[i] = true;
		}
		hwloc_bitmap_foreach_end();
	}
	unsigned n = 0;
	for (int i = 0; i < CPULIST_MAX; i++)
		n += out->cpus[i];
	if (n == 0 && node != NULL && cpus == NULL)
		return bench_error_set(err, 0,
		                       "NUMA node %d has no CPU this process may use: name the "
		                       "CPUs with --cpus (the placement is then remote)",
		                       numa_node);
	if (n == 0)
		return bench_error_set(err, 0, "the requested CPU set is empty");
	cpulist_format(out->cpus, out->cpus_text, sizeof(out->cpus_text));
	binding_locality(t, node, out);
	if (out->threads > n)
		return bench_error_set(err, 0,
		                       "%u threads asked but only %u CPUs (%s) to pin them to: "
		                       "one thread per CPU",
		                       out->threads, n, out->cpus_text);
	return 0;
}

int topo_bind_self(const struct topo *t, const struct topo_binding *b, struct bench_error **err)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	if (set == NULL)
		return bench_error_set(err, ENOMEM, "hwloc_bitmap_alloc");
	for (int i = 0; i < CPULIST_MAX; i++)
		if (b->cpus[i])
			hwloc_bitmap_set(set, (unsigned)i);
	int rc = hwloc_set_cpubind(t->hw, set, HWLOC_CPUBIND_PROCESS);
	int e = errno;
	hwloc_bitmap_free(set);
	if (rc < 0)
		return bench_error_set(err, e, "binding to CPUs %s", b->cpus_text);
	if (b->numa_node < 0)
		return 0;
	hwloc_bitmap_t nodes = hwloc_bitmap_alloc();
	if (nodes == NULL)
		return bench_error_set(err, ENOMEM, "hwloc_bitmap_alloc");
	hwloc_bitmap_set(nodes, (unsigned)b->numa_node);
	/* The calling thread's policy (MPOL_BIND, strict): Linux has no
	 * process-wide set_mempolicy, but a freshly forked child has one thread
	 * and exec keeps the policy, which every thread wl starts inherits. */
	rc = hwloc_set_membind(t->hw, nodes, HWLOC_MEMBIND_BIND,
	                       HWLOC_MEMBIND_THREAD | HWLOC_MEMBIND_STRICT |
	                           HWLOC_MEMBIND_BYNODESET);
	e = errno;
	hwloc_bitmap_free(nodes);
	if (rc < 0)
		return bench_error_set(err, e, "binding memory to NUMA node %d", b->numa_node);
	return 0;
}

int topo_binding_pu(const struct topo_binding *b, unsigned i)
{
	int pus[CPULIST_MAX], n = 0;
	for (int c = 0; c < CPULIST_MAX; c++)
		if (b->cpus[c])
			pus[n++] = c;
	return n ? pus[i % (unsigned)n] : -1;
}

int topo_bind_thread_set(const struct topo *t, pid_t tid, const bool cpus[CPULIST_MAX],
                         char *confirmed, size_t len, struct bench_error **err)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	if (set == NULL)
		return bench_error_set(err, ENOMEM, "hwloc_bitmap_alloc");
	for (int i = 0; i < CPULIST_MAX; i++)
		if (cpus[i])
			hwloc_bitmap_set(set, (unsigned)i);
	char asked[256];
	hwloc_bitmap_list_snprintf(asked, sizeof(asked), set);
	int rc = hwloc_set_proc_cpubind(t->hw, tid, set, HWLOC_CPUBIND_THREAD);
	int e = errno;
	if (rc == 0) {
		rc = hwloc_get_proc_cpubind(t->hw, tid, set, HWLOC_CPUBIND_THREAD);
		e = errno;
	}
	if (rc == 0)
		hwloc_bitmap_list_snprintf(confirmed, len, set);
	hwloc_bitmap_free(set);
	if (rc < 0)
		return bench_error_set(err, e, "binding thread %d to CPUs %s", (int)tid, asked);
	return 0;
}

int topo_bind_thread(const struct topo *t, pid_t tid, int pu, char *confirmed, size_t len,
                     struct bench_error **err)
{
	if (pu < 0 || pu >= CPULIST_MAX)
		return bench_error_set(err, EINVAL, "binding thread %d to PU %d", (int)tid, pu);
	bool one[CPULIST_MAX] = {false};
	one[pu] = true;
	return topo_bind_thread_set(t, tid, one, confirmed, len, err);
}

void topo_process_cpus(const struct topo *t, pid_t pid, char *buf, size_t len)
{
	buf[0] = '\0';
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	if (set != NULL && hwloc_get_proc_cpubind(t->hw, pid, set, HWLOC_CPUBIND_PROCESS) == 0)
		hwloc_bitmap_list_snprintf(buf, len, set);
	hwloc_bitmap_free(set);
}

json_t *topo_binding_to_json(const struct topo_binding *b)
{
	return json_pack("{s:s, s:o, s:i, s:s, s:o}", "cpus", b->cpus_text, "numa_node",
	                 b->numa_node >= 0 ? json_integer(b->numa_node) : json_null(), "threads",
	                 (int)b->threads, "cpu_nodes", b->cpu_nodes, "memory_locality",
	                 b->memory_locality ? json_string(b->memory_locality) : json_null());
}
