/* Integration: the container environment through the real runc, on this
 * host. Every workload family runs in a container; cleanup is checked after
 * success and after SIGINT. Skipped, with the reason, where `bench list`
 * says the container environment cannot run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <sys/stat.h>

#include "harness/core/result.h"
#include "testrun.h"
#include "testutil.h"

static char bench[PATH_MAX];
static char unavailable[512];

static int check_available(void **state)
{
	(void)state;
	build_path("bench", bench);
	env_unavailable(bench, "container", unavailable, sizeof(unavailable));
	return 0;
}

#define SKIP_IF_UNAVAILABLE()                                                                      \
	do {                                                                                       \
		if (unavailable[0] != '\0') {                                                      \
			print_message("skipped: container unavailable: %s\n", unavailable);        \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

/* Nothing of ours left: containers, namespaces, bridge, bundles, cgroups. */
static void assert_clean(void)
{
	char *runc_list[] = {"/usr/sbin/runc", "list", "-q", NULL};
	struct stat st;
	char runc[PATH_MAX] = "/usr/sbin/runc";
	if (stat(runc, &st) < 0)
		runc_list[0] = "/usr/bin/runc";
	struct cmd_result r = run_cmd(runc_list);
	if (strstr(r.out, "bench-") != NULL)
		fail_msg("runc still lists: %s", r.out);
	cmd_result_free(&r);
	assert_false(dir_has_entries("/run/netns", "bench-"));
	assert_false(dir_has_entries("/run/bench/bundles", "bench-"));
	assert_false(dir_has_entries("/sys/class/net", "benchbr0"));
	assert_false(dir_has_entries("/sys/class/net", "bvh"));
	assert_int_equal(stat("/sys/fs/cgroup/cpuset/bench", &st), -1);
	assert_int_equal(stat("/sys/fs/cgroup/memory/bench", &st), -1);
}

/* One workload of every family in a bridged container, pinned to CPU 0. */
static void every_family_in_a_container(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char dir[PATH_MAX];
	assert_int_equal(make_build_tmpdir("ct-", dir), 0);
	char *argv[] = {
	    bench,        "run",
	    "--env",      "container",
	    "--workload", "cpu.int,mem.stream,os.ctxsw,net.tcp_rr,net.udp_rr,disk.rand_read",
	    "--reps",     "2",
	    "--size",     "8M",
	    "--duration", "0.05",
	    "--cpus",     "0",
	    "--out",      dir,
	    "--quiet",    NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 0)
		fail_msg("bench run --env container exited %d: %s", r.status, r.err);
	struct run run = read_run(dir);
	assert_true(run.n_samples >= 6);
	for (size_t i = 0; i < run.n_samples; i++) {
		const struct sample *s = &run.samples[i];
		assert_false(s->failed);
		assert_string_equal(s->env, "container");
		json_t *backend = json_object_get(s->pinning, "backend");
		assert_string_equal(json_string_value(json_object_get(backend, "cpuset_cpus")),
		                    "0");
		assert_string_equal(json_string_value(json_object_get(backend, "runtime")), "runc");
		json_t *seen = json_object_get(s->pinning, "seen");
		assert_string_equal(json_string_value(json_object_get(seen, "cpus_allowed")), "0");
		json_t *inst = json_object_get(s->config, "instance");
		assert_true(json_real_value(json_object_get(inst, "start_s")) > 0);
		assert_true(json_integer_value(json_object_get(inst, "mem_bytes")) > 0);
		if (strncmp(s->workload, "net.", 4) == 0) {
			const char *iface = json_string_value(json_object_get(s->wire, "iface"));
			assert_non_null(iface);
			assert_int_equal(strncmp(iface, "bvh", 3), 0);
			json_t *to = json_object_get(s->wire, "to_peer");
			assert_true(json_integer_value(json_object_get(to, "packets")) > 0);
		}
	}
	run_free(&run);
	cmd_result_free(&r);
	remove_tree(dir);
	assert_clean();
}

static void host_network_mode(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char dir[PATH_MAX];
	assert_int_equal(make_build_tmpdir("ct-", dir), 0);
	char *argv[] = {bench,   "run",  "--env",   "container", "--workload", "net.tcp_rr",
	                "--net", "host", "--reps",  "2",         "--duration", "0.05",
	                "--out", dir,    "--quiet", NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 0)
		fail_msg("bench run --net host exited %d: %s", r.status, r.err);
	struct run run = read_run(dir);
	json_t *backend = json_object_get(run.samples[0].pinning, "backend");
	assert_string_equal(json_string_value(json_object_get(backend, "net")), "host");
	assert_string_equal(json_string_value(json_object_get(run.samples[0].wire, "iface")), "lo");
	run_free(&run);
	cmd_result_free(&r);
	remove_tree(dir);
	assert_clean();
}

/* SIGINT in the middle of a bridged container run: exit 130, and no
 * container, namespace, veth, bridge, bundle or cgroup left. */
static void interrupt_cleans_up(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char dir[PATH_MAX];
	assert_int_equal(make_build_tmpdir("ct-", dir), 0);
	char out[PATH_MAX + 8];
	snprintf(out, sizeof(out), "%s/run", dir);
	char *argv[] = {bench,        "run",    "--env",   "container",  "--workload",
	                "net.tcp_rr", "--reps", "50",      "--duration", "0.2",
	                "--out",      out,      "--quiet", NULL};
	pid_t pid = spawn_silent(argv);
	struct timespec ts = {1, 0};
	nanosleep(&ts, NULL);
	assert_true(dir_has_entries("/run/netns", "bench-"));
	kill(pid, SIGINT);
	bool timed_out;
	int status = wait_bounded(pid, 30, &timed_out);
	assert_false(timed_out);
	assert_int_equal(status, 130);
	struct stat st;
	assert_int_equal(stat(out, &st), -1);
	remove_tree(dir);
	assert_clean();
}

/* Idle density: several containers at once, each with its own netns and
 * address, all gone afterwards. */
static void idle_density(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char dir[PATH_MAX];
	assert_int_equal(make_build_tmpdir("ct-", dir), 0);
	char *argv[] = {bench, "density", "--env", "container", "--idle", "--max",
	                "3",   "--out",   dir,     "--quiet",   NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 0)
		fail_msg("bench density --env container exited %d: %s", r.status, r.err);
	struct run run = read_run(dir);
	json_t *d = json_array_get(run.density, 0);
	assert_int_equal(json_integer_value(json_object_get(d, "max_ok")), 3);
	run_free(&run);
	cmd_result_free(&r);
	remove_tree(dir);
	assert_clean();
}

static void unknown_runtime_is_refused(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char *argv[] = {bench,        "run",       "--env", "container", "--workload",
	                "os.syscall", "--runtime", "kata",  "--quiet",   NULL};
	struct cmd_result r = run_cmd(argv);
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.err, "kata"));
	cmd_result_free(&r);
	assert_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_family_in_a_container), cmocka_unit_test(host_network_mode),
	    cmocka_unit_test(interrupt_cleans_up),         cmocka_unit_test(idle_density),
	    cmocka_unit_test(unknown_runtime_is_refused),
	};
	return cmocka_run_group_tests_name("integration (container)", tests, check_available, NULL);
}
