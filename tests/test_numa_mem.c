/* Memory by NUMA node: numa_maps and memory.numa_stat as kernels write them
 * (two-node texts, huge pages, cgroup v1 and v2), and a real process tree
 * on this host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/core/numa_mem.h"

static void numa_maps_two_nodes(void **state)
{
	(void)state;
	/* a QEMU whose guest RAM is bound to node 1, with 2 MiB pages in one
	 * mapping, and libraries read from node 0 */
	const char *text =
	    "55d0c8a00000 default file=/usr/bin/qemu-system-x86_64 mapped=100 mapmax=2 N0=100 "
	    "kernelpagesize_kB=4\n"
	    "7f0000000000 bind:1 anon=262144 dirty=262144 N1=262144 kernelpagesize_kB=4\n"
	    "7f1000000000 bind:1 anon=8 dirty=8 N1=8 kernelpagesize_kB=2048\n"
	    "7f2000000000 interleave:0-1 anon=10 dirty=10 N0=6 N1=4 kernelpagesize_kB=4\n"
	    "7ffd00000000 default stack anon=3 dirty=3 N0=3 kernelpagesize_kB=4\n"
	    "7ffd10000000 default\n";
	struct numa_mem m;
	memset(&m, 0, sizeof(m));
	assert_int_equal(numa_mem_add_maps(&m, text), 6);
	assert_int_equal(m.nodes, 2);
	assert_int_equal(m.bytes[0], (100 + 6 + 3) * 4096);
	assert_int_equal(m.bytes[1], 262144LL * 4096 + 8LL * 2048 * 1024 + 4 * 4096);
	assert_string_equal(m.source, "numa_maps");
	/* a second process of the tree adds up */
	assert_int_equal(numa_mem_add_maps(&m, "1000 default anon=1 N3=1 kernelpagesize_kB=4"), 1);
	assert_int_equal(m.nodes, 4);
	assert_int_equal(m.bytes[2], 0);
	assert_int_equal(m.bytes[3], 4096);
	json_t *j = numa_mem_to_json(&m);
	assert_int_equal(json_object_size(j), 4);
	assert_int_equal(json_integer_value(json_object_get(j, "1")), m.bytes[1]);
	assert_int_equal(json_integer_value(json_object_get(j, "2")), 0);
	json_decref(j);
	/* file names with N-like words are not node counts */
	memset(&m, 0, sizeof(m));
	numa_mem_add_maps(&m, "1000 default file=/x/N5=3 mapped=1 N0=1 kernelpagesize_kB=4\n");
	assert_int_equal(m.nodes, 1);
	assert_int_equal(m.bytes[0], 4096);
}

static void cgroup_numa_stat(void **state)
{
	(void)state;
	struct numa_mem m;
	/* cgroup v1: pages; the hierarchical total wins over the cgroup's own */
	const char *v1 = "total=300 N0=100 N1=200\n"
	                 "file=50 N0=50 N1=0\n"
	                 "anon=250 N0=50 N1=200\n"
	                 "unevictable=0 N0=0 N1=0\n"
	                 "hierarchical_total=310 N0=100 N1=210\n"
	                 "hierarchical_file=50 N0=50 N1=0\n";
	assert_int_equal(numa_mem_parse_cgroup(&m, v1, 4096), 0);
	assert_int_equal(m.nodes, 2);
	assert_int_equal(m.bytes[0], 100 * 4096);
	assert_int_equal(m.bytes[1], 210 * 4096);
	assert_string_equal(m.source, "memory.numa_stat");
	assert_int_equal(numa_mem_parse_cgroup(&m, "total=3 N0=3\nfile=1 N0=1\n", 4096), 0);
	assert_int_equal(m.bytes[0], 3 * 4096);
	/* cgroup v2: bytes, anon + file */
	const char *v2 = "anon N0=1048576 N1=2097152\n"
	                 "file N0=4096 N1=0\n"
	                 "kernel_stack N0=16384 N1=0\n"
	                 "shmem N0=0 N1=0\n"
	                 "file_mapped N0=4096 N1=0\n";
	assert_int_equal(numa_mem_parse_cgroup(&m, v2, 4096), 0);
	assert_int_equal(m.nodes, 2);
	assert_int_equal(m.bytes[0], 1048576 + 4096);
	assert_int_equal(m.bytes[1], 2097152);
	/* nothing known */
	assert_int_equal(numa_mem_parse_cgroup(&m, "", 4096), -1);
	assert_int_equal(numa_mem_parse_cgroup(&m, "pgfault 3\n", 4096), -1);
	json_t *j = numa_mem_to_json(&(struct numa_mem){.nodes = 0});
	assert_true(json_is_null(j));
}

/* A child that touches size bytes, then waits to be killed. */
static pid_t toucher(size_t size, int ready)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	volatile char *p = malloc(size);
	if (p == NULL)
		_exit(1);
	for (size_t i = 0; i < size; i += 4096)
		p[i] = 1; /* volatile: the pages are really touched */
	if (write(ready, "x", 1) != 1)
		_exit(1);
	pause();
	_exit(0);
}

static void process_tree(void **state)
{
	(void)state;
	struct numa_mem self, tree;
	if (numa_mem_process_tree(getpid(), &self) < 0)
		skip(); /* a kernel without CONFIG_NUMA has no numa_maps */
	assert_true(self.nodes >= 1);
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	enum { SIZE = 64 << 20 };
	pid_t kid = toucher(SIZE, fds[1]);
	assert_true(kid > 0);
	char c;
	assert_int_equal(read(fds[0], &c, 1), 1);
	assert_int_equal(numa_mem_process_tree(getpid(), &tree), 0);
	int64_t before = 0, after = 0;
	for (int i = 0; i < NUMA_MEM_NODES; i++) {
		before += self.bytes[i];
		after += tree.bytes[i];
	}
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	close(fds[0]);
	close(fds[1]);
	/* the child's 64 MiB are counted with the parent */
	assert_true(after - before >= (int64_t)SIZE);
	assert_int_equal(numa_mem_process_tree(kid, &tree), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(numa_maps_two_nodes),
	    cmocka_unit_test(cgroup_numa_stat),
	    cmocka_unit_test(process_tree),
	};
	return cmocka_run_group_tests_name("memory by NUMA node", tests, NULL, NULL);
}
