/* Topology: cpulist parsing/formatting, hwloc synthetic topologies, and the
 * resolution of --cpus/--numa/--threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "harness/core/cpulist.h"
#include "harness/core/placement.h"
#include "harness/core/topo.h"

static void cpulist_round_trip(void **state)
{
	(void)state;
	bool set[CPULIST_MAX];
	char buf[128];
	assert_int_equal(cpulist_parse("0-3,6, 8-9", set, NULL), 7);
	assert_true(set[0] && set[3] && set[6] && set[9]);
	assert_false(set[4] || set[7] || set[10]);
	assert_int_equal(cpulist_format(set, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0-3,6,8-9");
	assert_int_equal(cpulist_parse("5", set, NULL), 1);
	assert_int_equal(cpulist_format(set, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "5");
	assert_int_equal(cpulist_parse("2,1,2", set, NULL), 2);
	assert_int_equal(cpulist_format(set, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1-2");
}

static void cpulist_rejects_junk(void **state)
{
	(void)state;
	bool set[CPULIST_MAX];
	const char *bad[] = {"", " ", "a", "3-1", "1,", ",1", "1-", "-1", "1;2", "99999", "1--2"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct bench_error *err = NULL;
		assert_int_equal(cpulist_parse(bad[i], set, &err), -1);
		assert_non_null(err);
		assert_true(strlen(err->msg) > 0);
		bench_error_free(&err);
	}
	char tiny[3];
	assert_int_equal(cpulist_parse("0-3,6", set, NULL), 5);
	assert_int_equal(cpulist_format(set, tiny, sizeof(tiny)), -1);
}

static void synthetic_topology(void **state)
{
	(void)state;
	struct topo t;
	struct bench_error *err = NULL;
	assert_int_equal(topo_open_synthetic(&t,
	                                     "pack:2 [numa(memory=1GiB)] l3:1(size=8MiB) "
	                                     "core:2 l1d:1(size=32KiB) pu:2",
	                                     &err),
	                 0);
	json_t *j = topo_to_json(&t);
	assert_int_equal(json_array_size(json_object_get(j, "packages")), 2);
	assert_int_equal(json_array_size(json_object_get(j, "numa_nodes")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "cores")), 4);
	assert_int_equal(json_integer_value(json_object_get(j, "pus")), 8);
	json_t *node1 = json_array_get(json_object_get(j, "numa_nodes"), 1);
	assert_string_equal(json_string_value(json_object_get(node1, "cpus")), "4-7");
	assert_int_equal(json_integer_value(json_object_get(node1, "memory_bytes")),
	                 1024 * 1024 * 1024);
	assert_int_equal(topo_llc_bytes(&t), 8 * 1024 * 1024);
	json_t *caches = json_object_get(j, "caches");
	assert_true(json_array_size(caches) >= 2);
	json_decref(j);
	topo_close(&t);
}

static void bad_synthetic_rejected(void **state)
{
	(void)state;
	struct topo t;
	struct bench_error *err = NULL;
	assert_int_equal(topo_open_synthetic(&t, "pack:x nonsense", &err), -1);
	assert_non_null(err);
	bench_error_free(&err);
	assert_int_equal(topo_open_xml(&t, "/nonexistent/topo.xml", &err), -1);
	assert_non_null(err);
	bench_error_free(&err);
}

static void resolve_pinning(void **state)
{
	(void)state;
	struct topo t;
	struct topo_binding b;
	struct bench_error *err = NULL;
	assert_int_equal(topo_open_synthetic(&t, "pack:2 [numa] core:2 pu:1", &err), 0);
	/* all CPUs by default */
	assert_int_equal(topo_resolve(&t, NULL, -1, 0, &b, &err), 0);
	assert_string_equal(b.cpus_text, "0-3");
	assert_int_equal(b.threads, 1);
	assert_int_equal(b.numa_node, -1);
	/* a node's CPUs */
	assert_int_equal(topo_resolve(&t, NULL, 1, 2, &b, &err), 0);
	assert_string_equal(b.cpus_text, "2-3");
	assert_int_equal(b.numa_node, 1);
	assert_int_equal(b.threads, 2);
	/* explicit CPUs */
	assert_int_equal(topo_resolve(&t, "1,3", -1, 2, &b, &err), 0);
	assert_string_equal(b.cpus_text, "1,3");
	/* failures, each with a message naming what exists */
	assert_int_equal(topo_resolve(&t, "9", -1, 1, &b, &err), -1);
	assert_non_null(strstr(err->msg, "0-3"));
	bench_error_free(&err);
	assert_int_equal(topo_resolve(&t, NULL, 5, 1, &b, &err), -1);
	assert_non_null(strstr(err->msg, "0-1"));
	bench_error_free(&err);
	assert_int_equal(topo_resolve(&t, "0", -1, 2, &b, &err), -1);
	assert_non_null(strstr(err->msg, "threads"));
	bench_error_free(&err);
	json_t *j = topo_binding_to_json(&b);
	assert_non_null(j);
	json_decref(j);
	topo_close(&t);
}

/* The peer's (and I/O threads') CPUs for an instance bound as cpus/numa on
 * the synthetic topology desc. */
static struct placement place(const char *desc, const char *cpus, int numa, const char *given)
{
	struct topo t;
	struct topo_binding b;
	struct placement p;
	struct bench_error *err = NULL;
	assert_int_equal(topo_open_synthetic(&t, desc, &err), 0);
	assert_int_equal(topo_resolve(&t, cpus, numa, 1, &b, &err), 0);
	if (placement_resolve(&t, &b, given, "--peer-cpus", &p, &err) < 0)
		fail_msg("placement on %s: %s", desc, err->msg);
	topo_close(&t);
	return p;
}

static void peer_placement_rule(void **state)
{
	(void)state;
	/* one PU: nothing outside the instance, so the peer shares it */
	struct placement p = place("core:1 pu:1", NULL, -1, NULL);
	assert_string_equal(p.policy, "shared");
	assert_string_equal(p.cpus_text, "0");
	assert_non_null(strstr(p.reason, "no CPU outside"));
	/* two PUs: the instance on 0 leaves 1; the instance on both shares */
	p = place("core:2 pu:1", "0", -1, NULL);
	assert_string_equal(p.policy, "distinct");
	assert_string_equal(p.cpus_text, "1");
	p = place("core:2 pu:1", NULL, -1, NULL);
	assert_string_equal(p.policy, "shared");
	assert_string_equal(p.cpus_text, "0-1");
	/* two sockets, one node each: the same node first, then the other */
	p = place("pack:2 [numa] core:2 pu:1", "0", -1, NULL);
	assert_string_equal(p.cpus_text, "1");
	assert_non_null(strstr(p.reason, "on its NUMA node"));
	p = place("pack:2 [numa] core:2 pu:1", "0-1", -1, NULL);
	assert_string_equal(p.policy, "distinct");
	assert_string_equal(p.cpus_text, "2-3");
	assert_non_null(strstr(p.reason, "another NUMA node"));
	p = place("pack:2 [numa] core:2 pu:1", NULL, 1, NULL);
	assert_string_equal(p.cpus_text, "0-1");
	/* SMT: other cores before hyperthreads of the instance's own cores */
	p = place("core:2 pu:2", "0", -1, NULL);
	assert_string_equal(p.cpus_text, "2-3");
	p = place("core:2 pu:2", "0,2", -1, NULL);
	assert_string_equal(p.cpus_text, "1,3");
	assert_non_null(strstr(p.reason, "hyperthreads"));
	/* given: taken as is, an overlap with the instance is said */
	p = place("core:2 pu:1", "0", -1, "0");
	assert_string_equal(p.policy, "given");
	assert_non_null(strstr(p.reason, "shares CPUs"));
	p = place("core:2 pu:1", "0", -1, "1");
	assert_string_equal(p.reason, "given with --peer-cpus");
	/* the same rule gives the same answer: resolved once, identical everywhere */
	struct placement a = place("pack:2 [numa] core:2 pu:2", "0", -1, NULL);
	struct placement b = place("pack:2 [numa] core:2 pu:2", "0", -1, NULL);
	assert_memory_equal(&a, &b, sizeof(a));
	json_t *j = placement_to_json(&a);
	assert_string_equal(json_string_value(json_object_get(j, "policy")), "distinct");
	json_decref(j);
}

/* The instance's default CPUs for threads on desc (numa: --numa). */
static struct placement instance_on(const char *desc, int numa, unsigned threads)
{
	struct topo t;
	struct placement p;
	struct bench_error *err = NULL;
	assert_int_equal(topo_open_synthetic(&t, desc, &err), 0);
	if (placement_instance(&t, NULL, numa, threads, &p, &err) < 0)
		fail_msg("instance on %s: %s", desc, err->msg);
	topo_close(&t);
	return p;
}

static void instance_placement_rule(void **state)
{
	(void)state;
	/* one CPU: the instance takes it, the helpers share */
	struct placement p = instance_on("core:1 pu:1", -1, 1);
	assert_string_equal(p.policy, "all");
	assert_null(placement_instance_cpus(&p));
	assert_non_null(strstr(p.reason, "share"));
	/* two CPUs, one thread: CPU 0, CPU 1 left (this host's shape) */
	p = instance_on("core:2 pu:1", -1, 1);
	assert_string_equal(p.policy, "compact");
	assert_string_equal(placement_instance_cpus(&p), "0");
	/* two threads on two CPUs: all of them */
	p = instance_on("core:2 pu:1", -1, 2);
	assert_string_equal(p.policy, "all");
	/* SMT: one PU per core before hyperthreads (PUs 0,1 on core 0) */
	p = instance_on("core:4 pu:2", -1, 2);
	assert_string_equal(p.cpus_text, "0,2");
	p = instance_on("core:2 pu:2", -1, 3);
	assert_string_equal(p.cpus_text, "0-2");
	/* two nodes: --numa 1 takes node 1's first core */
	p = instance_on("pack:2 [numa] core:4 pu:1", 1, 1);
	assert_string_equal(p.cpus_text, "4");
	assert_non_null(strstr(p.reason, "NUMA node 1"));
	p = instance_on("pack:2 [numa] core:4 pu:1", -1, 2);
	assert_string_equal(p.cpus_text, "0-1");
	/* 64 CPUs: still only what the threads need */
	p = instance_on("pack:2 [numa] core:16 pu:2", -1, 4);
	assert_string_equal(p.cpus_text, "0,2,4,6");
	/* the peer then gets distinct CPUs on the instance's node */
	struct topo t;
	struct topo_binding b;
	struct placement peer;
	struct bench_error *err = NULL;
	assert_int_equal(topo_open_synthetic(&t, "core:2 pu:1", &err), 0);
	assert_int_equal(placement_instance(&t, NULL, -1, 1, &p, &err), 0);
	assert_int_equal(topo_resolve(&t, placement_instance_cpus(&p), -1, 1, &b, &err), 0);
	assert_int_equal(placement_resolve(&t, &b, NULL, "--peer-cpus", &peer, &err), 0);
	assert_string_equal(peer.policy, "distinct");
	assert_string_equal(peer.cpus_text, "1");
	/* --cpus wins */
	assert_int_equal(placement_instance(&t, "0-1", -1, 1, &p, &err), 0);
	assert_string_equal(p.policy, "given");
	assert_string_equal(placement_instance_cpus(&p), "0-1");
	assert_int_equal(placement_instance(&t, NULL, 3, 1, &p, &err), -1);
	bench_error_free(&err);
	topo_close(&t);
}

static void peer_placement_refuses_bad_lists(void **state)
{
	(void)state;
	struct topo t;
	struct topo_binding b;
	struct placement p;
	struct bench_error *err = NULL;
	assert_int_equal(topo_open_synthetic(&t, "core:2 pu:1", &err), 0);
	assert_int_equal(topo_resolve(&t, "0", -1, 1, &b, &err), 0);
	assert_int_equal(placement_resolve(&t, &b, "7", "--io-cpus", &p, &err), -1);
	assert_non_null(strstr(err->msg, "--io-cpus 7"));
	assert_non_null(strstr(err->msg, "available: 0-1"));
	bench_error_free(&err);
	assert_int_equal(placement_resolve(&t, &b, "x", "--peer-cpus", &p, &err), -1);
	bench_error_free(&err);
	topo_close(&t);
}

static void host_topology_loads(void **state)
{
	(void)state;
	struct topo t;
	struct bench_error *err = NULL;
	assert_int_equal(topo_open(&t, &err), 0);
	json_t *j = topo_to_json(&t);
	assert_true(json_integer_value(json_object_get(j, "pus")) >= 1);
	assert_true(json_array_size(json_object_get(j, "numa_nodes")) >= 1);
	json_decref(j);
	topo_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cpulist_round_trip),
	    cmocka_unit_test(cpulist_rejects_junk),
	    cmocka_unit_test(synthetic_topology),
	    cmocka_unit_test(bad_synthetic_rejected),
	    cmocka_unit_test(resolve_pinning),
	    cmocka_unit_test(peer_placement_rule),
	    cmocka_unit_test(instance_placement_rule),
	    cmocka_unit_test(peer_placement_refuses_bad_lists),
	    cmocka_unit_test(host_topology_loads),
	};
	return cmocka_run_group_tests_name("topology", tests, NULL, NULL);
}
