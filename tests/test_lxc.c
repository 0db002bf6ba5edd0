/* Integration: --env container/lxc through the real lxc-execute on this
 * host: every workload family on bench's bridge with the cgroup limits read
 * back, host and no network, and cleanup after success and after SIGINT.
 * Skipped, with the reason, where `bench list` says lxc cannot run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>

#include "harness/core/result.h"
#include "harness/env/env.h"
#include "ctutil.h"

static char bench[PATH_MAX];
static char unavailable[512];

static int check_available(void **state)
{
	(void)state;
	build_path("bench", bench);
	runtime_unavailable(bench, "lxc", unavailable, sizeof(unavailable));
	env_reclaim_stale(); /* what a killed run left is not this test's */
	host_state_baseline();
	return 0;
}

#define SKIP_IF_UNAVAILABLE()                                                                      \
	do {                                                                                       \
		if (unavailable[0] != '\0') {                                                      \
			print_message("skipped: lxc unavailable: %s\n", unavailable);              \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

/* No LXC container of ours left running (its cgroup and instance
 * directory), and nothing else either. */
static void assert_clean(void)
{
	assert_host_clean();
}

/* One workload of every family, pinned to CPU 0, memory and CPU limits:
 * what the cgroup holds is in every sample. */
static void every_family_in_lxc(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char dir[PATH_MAX];
	assert_int_equal(make_build_tmpdir("lxc-", dir), 0);
	char *argv[] = {
	    bench,         "run",
	    "--env",       "container/lxc",
	    "--workload",  "cpu.int,mem.stream,os.ctxsw,net.tcp_rr,net.udp_rr,disk.rand_read",
	    "--reps",      "2",
	    "--size",      "8M",
	    "--duration",  "0.05",
	    "--cpus",      "0",
	    "--memory",    "256M",
	    "--cpu-limit", "0.5",
	    "--out",       dir,
	    "--quiet",     NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 0)
		fail_msg("bench run --env container/lxc exited %d: %s", r.status, r.err);
	struct run run = read_run(dir);
	assert_true(run.n_samples >= 6);
	for (size_t i = 0; i < run.n_samples; i++) {
		const struct sample *s = &run.samples[i];
		assert_family_sample(s, "container/lxc", "lxc", "lxc-execute");
		assert_int_equal(cgroup_setting(s, "memory_limit_bytes"), 256ll << 20);
		assert_int_equal(cgroup_setting(s, "cpu_quota_us"), 50000);
		assert_int_equal(cgroup_setting(s, "cpu_period_us"), 100000);
	}
	run_free(&run);
	cmd_result_free(&r);
	remove_tree(dir);
	assert_clean();
}

/* Host networking and no network in one run (NAME:NET): the first reaches
 * the peer on loopback, the second has none and says so. */
static void host_and_no_network(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char dir[PATH_MAX];
	assert_int_equal(make_build_tmpdir("lxc-", dir), 0);
	char *argv[] = {
	    bench,        "run",        "--env",  "container/lxc:host,container/lxc:none",
	    "--workload", "net.tcp_rr", "--reps", "2",
	    "--duration", "0.05",       "--out",  dir,
	    "--quiet",    NULL};
	struct cmd_result r = run_cmd(argv);
	assert_int_equal(r.status, 1); /* the none environment's workload failed */
	struct run run = read_run(dir);
	const struct sample *host = sample_of(&run, "container/lxc:host", "net.tcp_rr");
	const struct sample *none = sample_of(&run, "container/lxc:none", "net.tcp_rr");
	assert_non_null(host);
	assert_non_null(none);
	assert_false(host->failed);
	assert_string_equal(json_string_value(json_object_get(host->wire, "iface")), "lo");
	assert_true(none->failed);
	assert_non_null(strstr(none->error, "--net none"));
	run_free(&run);
	cmd_result_free(&r);
	remove_tree(dir);
	assert_clean();
}

/* SIGINT while an LXC container runs: exit 130, nothing left. */
static void interrupt_cleans_up(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char dir[PATH_MAX];
	assert_int_equal(make_build_tmpdir("lxc-", dir), 0);
	char out[PATH_MAX + 8];
	snprintf(out, sizeof(out), "%s/run", dir);
	char *argv[] = {bench,     "run", "--env",      "container/lxc", "--workload", "net.tcp_rr",
	                "--reps",  "50",  "--duration", "0.2",           "--out",      out,
	                "--quiet", NULL};
	pid_t pid = spawn_silent(argv);
	char mine[32];
	snprintf(mine, sizeof(mine), "bench-%d-", (int)pid);
	bool running = false;
	for (int i = 0; i < 200 && !running; i++) {
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
		running = dir_has_entries("/sys/fs/cgroup/cpuset/bench", mine) &&
		          dir_has_entries("/run/netns", mine);
	}
	assert_true(running);
	nanosleep(&(struct timespec){0, 300 * 1000 * 1000}, NULL); /* into the measurement */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_family_in_lxc),
	    cmocka_unit_test(host_and_no_network),
	    cmocka_unit_test(interrupt_cleans_up),
	};
	return cmocka_run_group_tests_name("integration (lxc)", tests, check_available, NULL);
}
