/* NUMA placement checked on what a real two-node machine produced:
 * scripts/test-numa boots the nested image without Xen under QEMU as two
 * sockets with a RAM backend each, runs tests/numa/in-bed.sh there and
 * points BENCH_NUMA_OUT at the results. Without BENCH_NUMA_OUT (an ordinary
 * `make test` on a host) every case skips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "testrun.h"

static const char *out_dir;

static int find_results(void **state)
{
	(void)state;
	out_dir = getenv("BENCH_NUMA_OUT");
	return 0;
}

#define NEED_RESULTS() NEED_BED_RESULTS(out_dir, "test-numa")

static const char *slurp(const char *name, char *buf, size_t len)
{
	return bed_slurp(out_dir, name, buf, len);
}

static void topo_shows_two_nodes(void **state)
{
	(void)state;
	NEED_RESULTS();
	char text[65536];
	json_t *t = json_loads(slurp("topo.json", text, sizeof(text)), 0, NULL);
	assert_non_null(t);
	json_t *nodes = json_object_get(t, "numa_nodes");
	assert_int_equal(json_array_size(nodes), 2);
	assert_string_equal(json_str(json_array_get(nodes, 0), "cpus"), "0-1");
	assert_string_equal(json_str(json_array_get(nodes, 1), "cpus"), "2-3");
	assert_int_equal(json_array_size(json_object_get(t, "packages")), 2);
	json_decref(t);
}

/* Every ok sample of run `name` was asked (cpus, node, locality), ran on
 * CPUs cpus, held its buffer on node `node` under memory policy `policy` as
 * wl saw it from inside, and the host-side accounting put the instance's
 * memory mostly there. */
static void check_run(const char *name, const char *cpus, int node, const char *locality,
                      const char *policy)
{
	char text[16384], dir[PATH_MAX], rc[PATH_MAX];
	snprintf(rc, sizeof(rc), "%s.rc", name);
	if (atoi(slurp(rc, text, sizeof(text))) != 0) {
		snprintf(rc, sizeof(rc), "%s.txt", name);
		fail_msg("bench run (%s) failed: %s", name, slurp(rc, text, sizeof(text)));
	}
	snprintf(dir, sizeof(dir), "%s/%s", out_dir, name);
	struct run run = read_run(dir);
	size_t ok = 0;
	char node_text[8];
	snprintf(node_text, sizeof(node_text), "%d", node);
	for (size_t i = 0; i < run.n_samples; i++) {
		const struct sample *s = &run.samples[i];
		if (s->failed)
			continue;
		ok++;
		json_t *asked = json_object_get(s->pinning, "asked");
		assert_string_equal(json_str(asked, "cpus"), cpus);
		assert_int_equal(json_integer_value(json_object_get(asked, "numa_node")), node);
		assert_string_equal(json_str(asked, "memory_locality"), locality);
		json_t *seen = json_object_get(s->pinning, "seen");
		assert_string_equal(json_str(seen, "cpus_allowed"), cpus);
		assert_string_equal(json_str(seen, "mem_nodes"), node_text);
		assert_string_equal(json_str(seen, "mem_policy"), policy);
		json_t *by_node =
		    json_object_get(json_object_get(s->config, "instance"), "mem_node_bytes");
		assert_true(json_is_object(by_node));
		json_int_t on = json_integer_value(json_object_get(by_node, node_text));
		json_int_t off = json_integer_value(json_object_get(by_node, node ? "0" : "1"));
		/* the workload's 8 MiB buffer and the agent's heap lie on the node;
		 * what the other node holds is shared text (libc, wl's own pages
		 * read before the binding) */
		if (on < 8 << 20 || on <= off)
			fail_msg("%s: %lld bytes on node %d, %lld on the other", name,
			         (long long)on, node, (long long)off);
	}
	assert_true(ok > 0);
	run_free(&run);
}

/* --numa N without --cpus: the instance gets the node's first core (one
 * thread; placement_instance), leaving the node's other CPU to the peer. */
static void bare_node1(void **state)
{
	(void)state;
	NEED_RESULTS();
	check_run("node1", "2", 1, "local", "bind:1");
}

static void bare_node0(void **state)
{
	(void)state;
	NEED_RESULTS();
	check_run("node0", "0", 0, "local", "bind:0");
}

static void bare_remote(void **state)
{
	(void)state;
	NEED_RESULTS();
	check_run("remote", "0", 1, "remote", "bind:1");
}

/* The container's cgroup: cpuset.mems bound to node 1 (the cpuset, not a
 * memory policy, holds its pages there: wl sees policy "default"), its
 * pages counted there by memory.numa_stat. */
static void container_node1(void **state)
{
	(void)state;
	NEED_RESULTS();
	check_run("container", "2", 1, "local", "default");
	char text[16384], dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/container", out_dir);
	struct run run = read_run(dir);
	/* read back from the container's cgroup */
	assert_string_equal(
	    json_str(json_object_get(run.samples[0].pinning, "backend"), "cpuset_mems"), "1");
	assert_string_equal(
	    json_str(json_object_get(run.samples[0].config, "instance"), "mem_node_source"),
	    "memory.numa_stat");
	run_free(&run);
	slurp("leftovers.txt", text, sizeof(text));
	assert_string_equal(text, "== runc list\n== cgroups\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(topo_shows_two_nodes), cmocka_unit_test(bare_node1),
	    cmocka_unit_test(bare_node0),           cmocka_unit_test(bare_remote),
	    cmocka_unit_test(container_node1),
	};
	return cmocka_run_group_tests_name("numa bed", tests, find_results, NULL);
}
