/* Every death explained: the parsers of harness/env/explain.c on fixtures
 * (cgroup v1 and v2 memory files, guest consoles, the kernel log,
 * /proc/vmstat), the agent's record of a broken channel, the bare
 * backend's explanation of a killed process, and failure_explain's
 * sentence (with a fake environment: bookkeeping only). */
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

#include "harness/core/spawn.h"
#include "harness/env/env.h"
#include "harness/env/explain.h"
#include "harness/run/failure.h"

#define MIB (1ll << 20)
#define GIB (1ll << 30)

static void cgroup_v1_oom(void **state)
{
	(void)state;
	struct memcg_facts f;
	explain_memcg_v1("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n", "408\n", "2147483648\n",
	                 "2147483648\n", &f);
	assert_int_equal(f.oom_kills, 1);
	assert_int_equal(f.failcnt, 408);
	assert_int_equal(f.peak, 2 * GIB);
	assert_int_equal(f.limit, 2 * GIB);
	char buf[256];
	assert_true(explain_memcg_sentence(&f, "container agent", buf, sizeof(buf)));
	assert_string_equal(buf, "container agent OOM-killed: peak 2 GiB of the 2 GiB limit; "
	                         "raise --memory or lower --size");
	/* no OOM kill: nothing to say, even at the limit */
	explain_memcg_v1("oom_kill_disable 0\nunder_oom 0\noom_kill 0\n", "0\n", "1048576\n",
	                 "9223372036854771712\n", &f);
	assert_int_equal(f.limit, -1); /* v1's "unlimited" */
	assert_false(explain_memcg_sentence(&f, "container agent", buf, sizeof(buf)));
	/* an old kernel without the oom_kill line */
	explain_memcg_v1("oom_kill_disable 0\nunder_oom 0\n", NULL, NULL, NULL, &f);
	assert_int_equal(f.oom_kills, -1);
	assert_false(explain_memcg_sentence(&f, "x", buf, sizeof(buf)));
}

static void cgroup_v2_oom(void **state)
{
	(void)state;
	struct memcg_facts f;
	explain_memcg_v2("low 0\nhigh 0\nmax 1234\noom 2\noom_kill 2\noom_group_kill 0\n",
	                 "536870912\n", "536870912\n", &f);
	assert_int_equal(f.oom_kills, 2);
	assert_int_equal(f.failcnt, 1234);
	char buf[256];
	assert_true(explain_memcg_sentence(&f, "container agent", buf, sizeof(buf)));
	assert_string_equal(buf, "container agent OOM-killed (more than once): peak 512 MiB of "
	                         "the 512 MiB limit; raise --memory or lower --size");
	explain_memcg_v2("oom_kill 1\n", NULL, "max\n", &f);
	assert_int_equal(f.limit, -1);
	assert_int_equal(f.peak, -1);
	assert_true(explain_memcg_sentence(&f, "c", buf, sizeof(buf)));
	assert_string_equal(buf, "c OOM-killed: peak unknown of the no limit; raise --memory or "
	                         "lower --size");
}

/* A QEMU guest's serial console, as guest/init and Linux 6.1 write it. */
static const char oom_console[] =
    "guest-init: memory: MemTotal: 481296 kB MemAvailable: 449608 kB \r\n"
    "[   41.201551] wl invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|"
    "__GFP_ZERO), order=0, oom_score_adj=0\r\n"
    "[   41.215093] Out of memory: Killed process 71 (wl) total-vm:1062316kB, "
    "anon-rss:442240kB, file-rss:4kB, shmem-rss:0kB, UID:0 pgtables:912kB oom_score_adj:0\r\n"
    "guest-init: agent exited with status 137; powering off\r\n";

static void console_oom_and_panic(void **state)
{
	(void)state;
	char line[400];
	assert_int_equal(explain_console(oom_console, line, sizeof(line)), CONSOLE_OOM);
	assert_string_equal(line, "Out of memory: Killed process 71 (wl) total-vm:1062316kB, "
	                          "anon-rss:442240kB, file-rss:4kB, shmem-rss:0kB, UID:0 "
	                          "pgtables:912kB oom_score_adj:0");
	uint64_t total, avail;
	assert_int_equal(explain_guest_memory(oom_console, &total, &avail), 0);
	assert_int_equal(total, 481296ull * 1024);
	assert_int_equal(avail, 449608ull * 1024);

	const char panic[] = "[    0.912345] Initramfs unpacking failed: write error\n"
	                     "[    1.001] Kernel panic - not syncing: System is deadlocked on "
	                     "memory\n[    1.002] CPU: 0 PID: 1 Comm: swapper/0\n";
	assert_int_equal(explain_console(panic, line, sizeof(line)), CONSOLE_PANIC);
	assert_string_equal(line, "Kernel panic - not syncing: System is deadlocked on memory");
	assert_int_equal(explain_guest_memory(panic, &total, &avail), -1);

	/* a memory cgroup OOM in a guest, and nothing at all */
	assert_int_equal(explain_console("[1.0] Memory cgroup out of memory: Killed process 9 "
	                                 "(wl) total-vm:1kB\n",
	                                 line, sizeof(line)),
	                 CONSOLE_OOM);
	assert_int_equal(
	    explain_console("guest-init: agent exited with status 0\n", line, sizeof(line)),
	    CONSOLE_NOTHING);
	assert_int_equal(explain_console(NULL, line, sizeof(line)), CONSOLE_NOTHING);
}

/* The sentence qemu's and xen's explain hooks build from a console. */
static void guest_console_sentences(void **state)
{
	(void)state;
	char buf[1024];
	assert_true(explain_guest_console(oom_console, "qemu guest", 512 << 20, buf, sizeof(buf)));
	assert_string_equal(buf, "qemu guest agent OOM-killed by the guest kernel (\"Out of "
	                         "memory: Killed process 71 (wl) total-vm:1062316kB, "
	                         "anon-rss:442240kB, file-rss:4kB, shmem-rss:0kB, UID:0 "
	                         "pgtables:912kB oom_score_adj:0\"): the guest has 512 MiB RAM, "
	                         "439.1 MiB of it available after boot; raise --memory or lower "
	                         "--size");
	/* what guest/init writes on a Xen console: no memory line there */
	const char xen_tail[] = "guest-init: agent exited with status 139\n"
	                        "[   3.1] wl[80]: segfault at 0 ip 0000000000401000\n";
	assert_true(explain_guest_console(xen_tail, "xen domU", 256 << 20, buf, sizeof(buf)));
	assert_string_equal(buf, "xen domU agent ended (console: \"guest-init: agent exited with "
	                         "status 139\")");
	assert_true(explain_guest_console("[ 1.0] Kernel panic - not syncing: Attempted to kill "
	                                  "init! exitcode=0x00000009\n",
	                                  "xen domU", 256 << 20, buf, sizeof(buf)));
	assert_string_equal(buf, "xen domU kernel panicked (\"Kernel panic - not syncing: "
	                         "Attempted to kill init! exitcode=0x00000009\") with 256 MiB RAM");
	assert_false(
	    explain_guest_console("nothing to see\n", "qemu guest", 1 << 30, buf, sizeof(buf)));
	assert_string_equal(buf, "");
}

static void kernel_log_and_vmstat(void **state)
{
	(void)state;
	const char kmsg[] =
	    "3,912,4118330051,-;Out of memory: Killed process 4242 (wl) total-vm:3195312kB, "
	    "anon-rss:3140000kB\n"
	    "3,913,4118330099,-;Memory cgroup out of memory: Killed process 777 (wl)\n";
	char line[256];
	assert_true(explain_kmsg_killed(kmsg, 4242, line, sizeof(line)));
	assert_string_equal(line, "Out of memory: Killed process 4242 (wl) total-vm:3195312kB, "
	                          "anon-rss:3140000kB");
	assert_true(explain_kmsg_killed(kmsg, 777, line, sizeof(line)));
	assert_string_equal(line, "Memory cgroup out of memory: Killed process 777 (wl)");
	assert_false(explain_kmsg_killed(kmsg, 424, line, sizeof(line)));
	assert_int_equal(explain_vmstat_oom_kills("pgfault 10\noom_kill 3\nnuma_hit 5\n"), 3);
	assert_int_equal(explain_vmstat_oom_kills("pgfault 10\n"), -1);
}

static void wait_statuses(void **state)
{
	(void)state;
	char buf[64];
	explain_wait_status(1 << 8, buf, sizeof(buf));
	assert_string_equal(buf, "exited with status 1");
	explain_wait_status(SIGKILL, buf, sizeof(buf));
	assert_string_equal(buf, "was killed by SIGKILL");
	explain_wait_status(SIGSEGV | 0x80, buf, sizeof(buf)); /* core dumped */
	assert_string_equal(buf, "was killed by SIGSEGV");
}

/* A real process killed under the agent: the channel is marked broken,
 * its wait status kept, and bare's explain says what killed it. */
static void bare_agent_killed(void **state)
{
	(void)state;
	struct env_instance inst = {.ops = &env_bare_ops};
	agent_init(&inst.agent);
	char *argv[] = {"/bin/sleep", "30", NULL};
	assert_int_equal(spawn_agent(argv, NULL, NULL, &inst.agent, NULL), 0);
	kill(inst.agent.pid, SIGKILL);
	json_t *msg = NULL;
	struct bench_error *err = NULL;
	assert_int_equal(agent_recv(&inst.agent, 5000, &msg, &err), -1);
	assert_true(inst.agent.broken);
	assert_false(inst.agent.timed_out);
	char why[1024];
	pid_t pid = inst.agent.pid;
	env_bare_ops.explain(&inst, why, sizeof(why));
	char want[64];
	snprintf(want, sizeof(want), "bare agent (wl, pid %d) was killed by SIGKILL", (int)pid);
	assert_non_null(strstr(why, want));
	assert_true(WIFSIGNALED(inst.agent.exit_status));
	/* failure_explain puts the death in front, the channel's message after */
	failure_explain(&env_bare_ops, &inst, 600, &err);
	assert_non_null(strstr(err->msg, want));
	assert_non_null(strstr(err->msg, "(the agent exited unexpectedly)"));
	bench_error_free(&err);
	agent_shutdown(&inst.agent, 100); /* reaped already: must not wait or kill */
}

static void fake_explain(struct env_instance *inst, char *buf, size_t len)
{
	(void)inst;
	snprintf(buf, len, "fake guest kernel panicked");
}

static void failure_sentences(void **state)
{
	(void)state;
	struct env_ops fake = {.name = "fake", .explain = fake_explain};
	struct env_instance inst = {0};
	agent_init(&inst.agent);
	struct bench_error *err = NULL;

	/* a workload's own error leaves the channel intact: unchanged */
	bench_error_set(&err, 0, "mem.stream: need --size >= 4K");
	failure_explain(&fake, &inst, 600, &err);
	assert_string_equal(err->msg, "mem.stream: need --size >= 4K");
	bench_error_free(&err);

	inst.agent.broken = inst.agent.timed_out = true;
	bench_error_set(&err, 0, "mem.stream repetition 2: the agent did not answer within 5.0 s");
	failure_explain(&fake, &inst, 5, &err);
	assert_string_equal(err->msg, "no reply within --timeout 5 s: fake guest kernel panicked "
	                              "(mem.stream repetition 2: the agent did not answer within "
	                              "5.0 s)");
	bench_error_free(&err);

	fake.explain = NULL; /* nothing known of the instance: the timeout alone */
	bench_error_set(&err, 0, "x");
	failure_explain(&fake, &inst, 600, &err);
	assert_string_equal(err->msg, "no reply within --timeout 600 s (the instance is still up; "
	                              "raise --timeout if the workload needs longer) (x)");
	bench_error_free(&err);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* as bench does: a dead agent's pipe is an error, not a kill */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cgroup_v1_oom),         cmocka_unit_test(cgroup_v2_oom),
	    cmocka_unit_test(console_oom_and_panic), cmocka_unit_test(guest_console_sentences),
	    cmocka_unit_test(kernel_log_and_vmstat), cmocka_unit_test(wait_statuses),
	    cmocka_unit_test(bare_agent_killed),     cmocka_unit_test(failure_sentences),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
