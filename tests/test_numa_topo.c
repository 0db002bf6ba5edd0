/* The binding resolver (--cpus, --numa, --threads) and the helpers'
 * placement on the shapes of real NUMA machines, described to hwloc with
 * the OS numbering Linux gives them:
 *  - a two-socket Intel Xeon (2 x 28 cores, SMT) with sub-NUMA clustering
 *    (SNC2): 2 packages x 2 nodes, one L3 per package shared by both of its
 *    nodes, hyperthread siblings 56 apart (node 0 = PUs 0-13,56-69);
 *  - an AMD EPYC 7763 in NPS4: 1 package, 4 nodes, 8 CCXs of 8 cores with a
 *    32 MiB L3 each, siblings 64 apart (node 1 = PUs 16-31,80-95);
 *  - the SNC machine again, exported to hwloc XML and read back (the path
 *    a topology captured on another host takes).
 * And the density study's placement of instance k (--spread cpus|nodes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/core/placement.h"
#include "harness/core/topo.h"
#include "harness/run/spread.h"

#define XEON_SNC2                                                                                  \
	"pack:2 l3:1(size=42MiB) group:2 [numa(memory=96GiB)] core:14 l2:1(size=1MiB) "            \
	"pu:2(indexes=2*56:1*2)"
#define EPYC_NPS4                                                                                  \
	"pack:1 group:4 [numa(memory=64GiB)] l3:2(size=32MiB) core:8 l2:1(size=512KiB) "           \
	"pu:2(indexes=2*64:1*2)"

static void open_shape(struct topo *t, const char *desc)
{
	struct bench_error *err = NULL;
	if (topo_open_synthetic(t, desc, &err) < 0)
		fail_msg("%s: %s", desc, err->msg);
}

/* Resolves (cpus, numa, threads) on t; fails the test on an error. */
static struct topo_binding resolve(const struct topo *t, const char *cpus, int numa,
                                   unsigned threads)
{
	struct topo_binding b;
	struct bench_error *err = NULL;
	if (topo_resolve(t, cpus, numa, threads, &b, &err) < 0)
		fail_msg("--cpus %s --numa %d: %s", cpus ? cpus : "(none)", numa, err->msg);
	return b;
}

/* The message of the error resolving (cpus, numa, threads) on t (the
 * resolution must fail). Caller frees. */
static char *resolve_error(const struct topo *t, const char *cpus, int numa, unsigned threads)
{
	struct topo_binding b;
	struct bench_error *err = NULL;
	assert_int_equal(topo_resolve(t, cpus, numa, threads, &b, &err), -1);
	assert_non_null(err);
	char *msg = strdup(err->msg);
	bench_error_free(&err);
	return msg;
}

static void check_shape_json(const struct topo *t, size_t packages, const char *const *node_cpus,
                             size_t nodes, int pus)
{
	json_t *j = topo_to_json(t);
	assert_int_equal(json_array_size(json_object_get(j, "packages")), packages);
	json_t *jn = json_object_get(j, "numa_nodes");
	assert_int_equal(json_array_size(jn), nodes);
	for (size_t i = 0; i < nodes; i++) {
		json_t *n = json_array_get(jn, i);
		assert_int_equal(json_integer_value(json_object_get(n, "os_index")), (int)i);
		assert_string_equal(json_string_value(json_object_get(n, "cpus")), node_cpus[i]);
	}
	assert_int_equal(json_integer_value(json_object_get(j, "pus")), pus);
	json_decref(j);
}

static const char *const snc_nodes[] = {"0-13,56-69", "14-27,70-83", "28-41,84-97", "42-55,98-111"};

/* The SNC2 Xeon: what the resolver makes of each request on t. */
static void check_xeon_snc2(const struct topo *t)
{
	check_shape_json(t, 2, snc_nodes, 4, 112);
	/* --numa N alone: that node's PUs, both hyperthreads, memory local */
	for (int n = 0; n < 4; n++) {
		struct topo_binding b = resolve(t, NULL, n, 1);
		assert_string_equal(b.cpus_text, snc_nodes[n]);
		assert_int_equal(b.numa_node, n);
		char one[4];
		snprintf(one, sizeof(one), "%d", n);
		assert_string_equal(b.cpu_nodes, one);
		assert_string_equal(b.memory_locality, "local");
	}
	/* CPUs of node 0 with memory on node 1, the other SNC node of the same
	 * package (same L3): remote, accepted and recorded */
	struct topo_binding b = resolve(t, "0-3", 1, 4);
	assert_string_equal(b.cpus_text, "0-3");
	assert_string_equal(b.cpu_nodes, "0");
	assert_string_equal(b.memory_locality, "remote");
	/* ... and across the socket */
	b = resolve(t, "56", 3, 1);
	assert_string_equal(b.cpu_nodes, "0");
	assert_string_equal(b.memory_locality, "remote");
	/* CPUs straddling nodes 0 and 1 with memory on 1: partly remote */
	b = resolve(t, "12-15", 1, 4);
	assert_string_equal(b.cpu_nodes, "0-1");
	assert_string_equal(b.memory_locality, "partly remote");
	/* a hyperthread of node 2 is on node 2 */
	b = resolve(t, "84", 2, 1);
	assert_string_equal(b.memory_locality, "local");
	/* no memory binding: the CPUs' nodes are still recorded */
	b = resolve(t, "0,28", -1, 2);
	assert_string_equal(b.cpu_nodes, "0,2");
	assert_null(b.memory_locality);
	json_t *j = topo_binding_to_json(&b);
	assert_true(json_is_null(json_object_get(j, "memory_locality")));
	assert_string_equal(json_string_value(json_object_get(j, "cpu_nodes")), "0,2");
	json_decref(j);
	b = resolve(t, "0-3", 1, 1);
	j = topo_binding_to_json(&b);
	assert_string_equal(json_string_value(json_object_get(j, "memory_locality")), "remote");
	assert_int_equal(json_integer_value(json_object_get(j, "numa_node")), 1);
	json_decref(j);
	/* the whole machine */
	b = resolve(t, NULL, -1, 112);
	assert_string_equal(b.cpus_text, "0-111");
	assert_string_equal(b.cpu_nodes, "0-3");
	/* the LLC over an instance on one SNC node is its package's L3, once */
	uint64_t llc;
	char basis[128];
	b = resolve(t, NULL, 1, 14);
	topo_instance_llc(t, &b, &llc, basis, sizeof(basis));
	assert_int_equal(llc, 42ull << 20);
	assert_string_equal(basis, "L3 42 MiB over PUs 14-27");
	/* errors name what exists */
	char *msg = resolve_error(t, NULL, 4, 1);
	assert_non_null(strstr(msg, "NUMA node 4 does not exist (nodes: 0-3)"));
	free(msg);
	msg = resolve_error(t, "112", 0, 1);
	assert_non_null(strstr(msg, "CPU 112 is not available (available: 0-111)"));
	free(msg);
	msg = resolve_error(t, NULL, 0, 29);
	assert_non_null(strstr(msg, "29 threads asked but only 28 CPUs (0-13,56-69)"));
	free(msg);
}

static void xeon_snc2(void **state)
{
	(void)state;
	struct topo t;
	open_shape(&t, XEON_SNC2);
	check_xeon_snc2(&t);
	/* the peer of an instance on node 2: the rest of node 2, other cores
	 * first (not the other SNC node of the package, not the other socket) */
	struct topo_binding b = resolve(&t, "28-31", 2, 4);
	struct placement p;
	struct bench_error *err = NULL;
	assert_int_equal(placement_resolve(&t, &b, NULL, "--peer-cpus", &p, &err), 0);
	assert_string_equal(p.cpus_text, "32-41,88-97");
	/* remote placement: the instance runs on node 0 with memory on node 1;
	 * its helpers stay near both: node 0's and node 1's free cores */
	b = resolve(&t, "0-13", 1, 4);
	assert_int_equal(placement_resolve(&t, &b, NULL, "--peer-cpus", &p, &err), 0);
	assert_string_equal(p.cpus_text, "14-27,70-83");
	topo_close(&t);
}

/* The same machine through an hwloc XML file: exported, then read back. */
static void xeon_snc2_from_xml(void **state)
{
	(void)state;
	struct topo t;
	struct bench_error *err = NULL;
	open_shape(&t, XEON_SNC2);
	char path[] = "/tmp/bench-test-numa-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(hwloc_topology_export_xml(t.hw, path, 0), 0);
	topo_close(&t);
	int rc = topo_open_xml(&t, path, &err);
	unlink(path);
	if (rc < 0)
		fail_msg("%s", err->msg);
	check_xeon_snc2(&t);
	topo_close(&t);
}

static void epyc_nps4(void **state)
{
	(void)state;
	struct topo t;
	open_shape(&t, EPYC_NPS4);
	static const char *const nodes[] = {"0-15,64-79", "16-31,80-95", "32-47,96-111",
	                                    "48-63,112-127"};
	check_shape_json(&t, 1, nodes, 4, 128);
	json_t *j = topo_to_json(&t);
	json_t *l3 = json_array_get(json_object_get(j, "caches"), 0);
	assert_int_equal(json_integer_value(json_object_get(l3, "level")), 3);
	assert_int_equal(json_integer_value(json_object_get(l3, "count")), 8);
	json_decref(j);
	struct topo_binding b = resolve(&t, NULL, 1, 8);
	assert_string_equal(b.cpus_text, "16-31,80-95");
	assert_string_equal(b.memory_locality, "local");
	/* 8 threads on node 1 fill its first CCX: one L3 */
	uint64_t llc;
	char basis[128];
	topo_instance_llc(&t, &b, &llc, basis, sizeof(basis));
	assert_int_equal(llc, 32ull << 20);
	assert_string_equal(basis, "L3 32 MiB over PUs 16-23");
	/* 16 threads span both CCXs of the node: both L3s count */
	b = resolve(&t, NULL, 1, 16);
	topo_instance_llc(&t, &b, &llc, basis, sizeof(basis));
	assert_int_equal(llc, 64ull << 20);
	assert_string_equal(basis, "2 last-level caches, 64 MiB in all, over PUs 16-31");
	/* one package, four nodes: a CCX of node 0 with memory on node 3 is
	 * remote even though it is the same socket */
	b = resolve(&t, "0-7", 3, 8);
	assert_string_equal(b.cpu_nodes, "0");
	assert_string_equal(b.memory_locality, "remote");
	b = resolve(&t, "15-16", 0, 2);
	assert_string_equal(b.cpu_nodes, "0-1");
	assert_string_equal(b.memory_locality, "partly remote");
	b = resolve(&t, "64-65", 0, 2);
	assert_string_equal(b.memory_locality, "local");
	/* the peer of an instance on node 1's first CCX: the rest of node 1 */
	b = resolve(&t, "16-23", 1, 8);
	struct placement p;
	struct bench_error *err = NULL;
	assert_int_equal(placement_resolve(&t, &b, NULL, "--peer-cpus", &p, &err), 0);
	assert_string_equal(p.cpus_text, "24-31,88-95");
	char *msg = resolve_error(&t, NULL, 7, 1);
	assert_non_null(strstr(msg, "(nodes: 0-3)"));
	free(msg);
	msg = resolve_error(&t, "0-200", 0, 1);
	assert_non_null(strstr(msg, "CPU 128 is not available"));
	free(msg);
	topo_close(&t);
}

/* A single-node host, as most CI machines are: --numa 0 is local, any
 * other node an error. */
static void one_node(void **state)
{
	(void)state;
	struct topo t;
	open_shape(&t, "pack:1 [numa(memory=24GiB)] core:2 pu:1");
	struct topo_binding b = resolve(&t, "1", 0, 1);
	assert_string_equal(b.memory_locality, "local");
	assert_string_equal(b.cpu_nodes, "0");
	char *msg = resolve_error(&t, NULL, 1, 1);
	assert_non_null(strstr(msg, "NUMA node 1 does not exist (nodes: 0)"));
	free(msg);
	topo_close(&t);
}

/* Instance k's binding under mode from base (cpus, numa, threads). */
static struct topo_binding spread_k(const struct topo *t, const char *cpus, int numa,
                                    unsigned threads, enum spread_mode mode, size_t k)
{
	struct topo_binding base = resolve(t, cpus, numa, threads), out;
	struct bench_error *err = NULL;
	if (spread_instance(t, &base, mode, k, &out, &err) < 0)
		fail_msg("instance %zu: %s", k, err->msg);
	return out;
}

static void spread_node_by_node(void **state)
{
	(void)state;
	struct topo t;
	open_shape(&t, XEON_SNC2);
	/* instance k on node k mod 4, two threads each, the next CPUs of that
	 * node on its second round; memory on the same node */
	static const char *const want[] = {"0-1", "14-15", "28-29", "42-43", "2-3", "16-17"};
	for (size_t k = 0; k < 6; k++) {
		struct topo_binding b = spread_k(&t, NULL, -1, 2, SPREAD_NODES, k);
		assert_string_equal(b.cpus_text, want[k]);
		assert_int_equal(b.numa_node, (int)(k % 4));
		assert_string_equal(b.memory_locality, "local");
		assert_int_equal(b.threads, 2);
	}
	/* a node's CPUs run out: the node's CPUs are shared round robin (14
	 * cores + 14 hyperthreads = 28 PUs: instance 4*14 starts over) */
	struct topo_binding b = spread_k(&t, NULL, -1, 2, SPREAD_NODES, 4 * 14);
	assert_string_equal(b.cpus_text, "0-1");
	/* --cpus limits the nodes: CPUs on nodes 1 and 3 only */
	b = spread_k(&t, "14-15,42-43", -1, 1, SPREAD_NODES, 1);
	assert_string_equal(b.cpus_text, "42");
	assert_int_equal(b.numa_node, 3);
	b = spread_k(&t, "14-15,42-43", -1, 1, SPREAD_NODES, 2);
	assert_string_equal(b.cpus_text, "15");
	assert_int_equal(b.numa_node, 1);
	/* cpus mode: round robin over the binding, memory binding kept */
	b = spread_k(&t, NULL, 2, 4, SPREAD_CPUS, 1);
	assert_string_equal(b.cpus_text, "32-35");
	assert_int_equal(b.numa_node, 2);
	b = spread_k(&t, "0-3", -1, 2, SPREAD_CPUS, 3);
	assert_string_equal(b.cpus_text, "2-3");
	assert_int_equal(b.numa_node, -1);
	/* errors: nodes with --numa; more threads than a node has */
	struct topo_binding base = resolve(&t, NULL, 1, 1), out;
	struct bench_error *err = NULL;
	assert_int_equal(spread_instance(&t, &base, SPREAD_NODES, 0, &out, &err), -1);
	assert_non_null(strstr(err->msg, "drop --numa 1"));
	bench_error_free(&err);
	base = resolve(&t, NULL, -1, 29);
	assert_int_equal(spread_instance(&t, &base, SPREAD_NODES, 0, &out, &err), -1);
	assert_non_null(strstr(err->msg, "instance 1 on node 0"));
	assert_non_null(strstr(err->msg, "29 threads"));
	bench_error_free(&err);
	enum spread_mode m;
	assert_int_equal(spread_parse("nodes", &m, NULL), 0);
	assert_int_equal(m, SPREAD_NODES);
	assert_string_equal(spread_name(m), "nodes");
	assert_int_equal(spread_parse("sockets", &m, &err), -1);
	assert_non_null(strstr(err->msg, "valid: cpus, nodes"));
	bench_error_free(&err);
	topo_close(&t);
	/* EPYC NPS4: four nodes in one package, one instance each first */
	open_shape(&t, EPYC_NPS4);
	b = spread_k(&t, NULL, -1, 8, SPREAD_NODES, 3);
	assert_string_equal(b.cpus_text, "48-55");
	assert_int_equal(b.numa_node, 3);
	topo_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(xeon_snc2),           cmocka_unit_test(xeon_snc2_from_xml),
	    cmocka_unit_test(epyc_nps4),           cmocka_unit_test(one_node),
	    cmocka_unit_test(spread_node_by_node),
	};
	return cmocka_run_group_tests_name("numa topologies", tests, NULL, NULL);
}
