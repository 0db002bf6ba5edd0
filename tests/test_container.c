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
#include "harness/env/env.h"
#include "ctutil.h"

static char bench[PATH_MAX];
static char unavailable[512];

static int check_available(void **state)
{
	(void)state;
	build_path("bench", bench);
	env_unavailable(bench, "container", unavailable, sizeof(unavailable));
	env_reclaim_stale(); /* what a killed run left is not this test's */
	host_state_baseline();
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
	assert_host_clean();
}

/* One workload of every family in a bridged container, pinned to CPU 0. */
static void every_family_in_a_container(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char dir[PATH_MAX];
	assert_int_equal(make_build_tmpdir("ct-", dir), 0);
	char *argv[] = {
	    bench,         "run",
	    "--env",       "container",
	    "--workload",  "cpu.int,mem.stream,os.ctxsw,net.tcp_rr,net.udp_rr,disk.rand_read",
	    "--reps",      "2",
	    "--size",      "8M",
	    "--duration",  "0.05",
	    "--cpus",      "0",
	    "--cpu-limit", "0.9",
	    "--out",       dir,
	    "--quiet",     NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 0)
		fail_msg("bench run --env container exited %d: %s", r.status, r.err);
	struct run run = read_run(dir);
	assert_true(run.n_samples >= 6);
	for (size_t i = 0; i < run.n_samples; i++) {
		const struct sample *s = &run.samples[i];
		assert_family_sample(s, "container", "runc", "runc");
		assert_int_equal(cgroup_setting(s, "cpu_quota_us"), 90000);
		assert_int_equal(cgroup_setting(s, "memory_limit_bytes"), 2ll << 30);
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
	char mine[32];
	snprintf(mine, sizeof(mine), "bench-%d-", (int)pid);
	assert_true(dir_has_entries("/run/netns", mine));
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

/* kill -9 of bench during a container run: the next run deletes the
 * container the runtime still lists and removes its bundle. */
static void sigkill_is_reclaimed_by_the_next_run(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char dir[PATH_MAX];
	assert_int_equal(make_build_tmpdir("ct-", dir), 0);
	char out[PATH_MAX + 8], prefix[32];
	snprintf(out, sizeof(out), "%s/run", dir);
	char *argv[] = {bench,        "run",    "--env",   "container",  "--workload",
	                "os.syscall", "--reps", "200",     "--duration", "0.2",
	                "--out",      out,      "--quiet", NULL};
	pid_t pid = spawn_silent(argv);
	snprintf(prefix, sizeof(prefix), "bench-%d-", (int)pid);
	bool up = false;
	for (int i = 0; i < 300 && !up; i++) {
		up = dir_has_entries("/run/bench/bundles", prefix);
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	struct timespec settle = {1, 0};
	nanosleep(&settle, NULL); /* the container is running */
	kill(pid, SIGKILL);
	bool timed_out;
	int status = wait_bounded(pid, 30, &timed_out);
	assert_true(up);
	assert_int_equal(status, 128 + SIGKILL);
	assert_true(dir_has_entries("/run/bench/bundles", prefix)); /* left by the kill */
	char next_out[PATH_MAX + 8];
	snprintf(next_out, sizeof(next_out), "%s/next", dir);
	char *next[] = {bench,    "run",    "--env",        "container", "--workload", "os.syscall",
	                "--reps", "1",      "--max-warmup", "1",         "--duration", "0.02",
	                "--out",  next_out, "--quiet",      NULL};
	struct cmd_result r = run_cmd(next);
	if (r.status != 0)
		fail_msg("the run after the kill exited %d: %s", r.status, r.err);
	cmd_result_free(&r);
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
	char *argv[] = {bench,      "density", "--env", "container", "--idle",  "--max", "3",
	                "--settle", "0.5",     "--out", dir,         "--quiet", NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 0)
		fail_msg("bench density --env container exited %d: %s", r.status, r.err);
	struct run run = read_run(dir);
	json_t *d = json_array_get(run.density, 0);
	assert_int_equal(json_integer_value(json_object_get(d, "max_ok")), 3);
	/* the footprint from the cgroup and the processes, and a projection */
	json_t *fp = json_object_get(d, "footprint");
	assert_true(json_integer_value(json_object_get(fp, "accounted_bytes")) > 0);
	assert_true(json_integer_value(json_object_get(fp, "pss_bytes")) > 0);
	json_t *p = json_object_get(d, "projected");
	assert_true(json_number_value(json_object_get(p, "instances")) >= 3);
	assert_non_null(json_string_value(json_object_get(p, "binding")));
	run_free(&run);
	cmd_result_free(&r);
	remove_tree(dir);
	assert_clean();
}

static const struct sample *metric_sample(const struct run *run, const char *env,
                                          const char *workload, const char *metric)
{
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *s = &run->samples[i];
		if (strcmp(s->env, env) == 0 && strcmp(s->workload, workload) == 0 &&
		    (metric == NULL || strcmp(s->metric, metric) == 0))
			return s;
	}
	fail_msg("no %s sample of %s in %s", metric ? metric : "", workload, env);
	return NULL;
}

static const json_t *overhead_of(const struct run *run, const char *workload, const char *metric)
{
	size_t i;
	const json_t *e;
	json_array_foreach(run->overhead, i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "workload")), workload) == 0 &&
		    strcmp(json_string_value(json_object_get(e, "metric")), metric) == 0)
			return e;
	}
	fail_msg("no overhead entry for %s %s", workload, metric);
	return NULL;
}

/* The warm-up is recorded with its rule; its values are the warm-ups. */
static void assert_warmup(const struct sample *s)
{
	json_int_t reps = json_integer_value(json_object_get(s->warmup, "reps"));
	assert_true(reps >= 1 && reps <= 5);
	assert_non_null(strstr(json_string_value(json_object_get(s->warmup, "rule")), "last 3"));
	assert_true(json_is_boolean(json_object_get(s->warmup, "settled")));
	assert_int_equal(json_array_size(json_object_get(s->warmup, "values")), reps);
}

/* bare and container side by side: one instance each, blocks that pair up
 * (ABBA), the same pinned peer in both, the paired test in the overhead, the
 * warm-up recorded; a workload that fails in the container only (a
 * --disk-path the container cannot see; a size it cannot hold is refused
 * before the run, see size_too_large_is_refused) is the container's failed
 * sample while bare goes on and the next workload runs in both again. */
static void interleaved_with_bare(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char dir[PATH_MAX], file[PATH_MAX + 16];
	assert_int_equal(make_build_tmpdir("ct-", dir), 0);
	snprintf(file, sizeof(file), "%s/disk.img", dir);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	char *argv[] = {bench,         "run",
	                "--env",       "bare,container",
	                "--workload",  "net.tcp_rr,disk.rand_read,os.syscall",
	                "--reps",      "2",
	                "--duration",  "0.02",
	                "--size",      "8M",
	                "--disk-path", file,
	                "--cpus",      "0",
	                "--out",       dir,
	                "--quiet",     NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 1)
		fail_msg("bench run --env bare,container exited %d (1 expected): %s", r.status,
		         r.err);
	struct run run = read_run(dir);
	json_t *cond = json_object_get(run.invocation, "conditions");
	assert_true(
	    json_is_true(json_object_get(json_object_get(cond, "interleave"), "interleaved")));
	assert_int_equal(json_array_size(json_object_get(cond, "unmatched")), 0);
	json_t *inst = json_object_get(cond, "instance");
	assert_string_equal(json_string_value(json_object_get(inst, "policy")), "given");
	assert_string_equal(json_string_value(json_object_get(inst, "cpus")), "0");
	const char *workloads[] = {"net.tcp_rr", "os.syscall"};
	for (size_t k = 0; k < 2; k++) {
		const struct sample *b = metric_sample(&run, "bare", workloads[k], NULL);
		const struct sample *c = metric_sample(&run, "container", workloads[k], NULL);
		assert_false(b->failed || c->failed);
		assert_true(json_equal(json_object_get(b->order, "seed"),
		                       json_object_get(c->order, "seed")));
		assert_string_equal(json_string_value(json_object_get(c->order, "scheme")), "abba");
		const json_t *bb = json_object_get(b->order, "block"),
		             *cb = json_object_get(c->order, "block");
		const json_t *bp = json_object_get(b->order, "position"),
		             *cp = json_object_get(c->order, "position");
		assert_int_equal(json_array_size(bb), 2);
		for (size_t i = 0; i < 2; i++) {
			/* the same blocks, each environment first in one of them */
			assert_int_equal(json_integer_value(json_array_get(bb, i)), (json_int_t)i);
			assert_int_equal(json_integer_value(json_array_get(cb, i)), (json_int_t)i);
			assert_int_equal(json_integer_value(json_array_get(bp, i)) +
			                     json_integer_value(json_array_get(cp, i)),
			                 1);
			assert_int_equal(json_integer_value(json_array_get(bp, i)), (json_int_t)i);
		}
		assert_warmup(b);
		assert_warmup(c);
		const json_t *e = overhead_of(&run, workloads[k], b->metric);
		assert_string_equal(json_string_value(json_object_get(e, "test")),
		                    "paired t over 2 blocks (log ratio)");
	}
	/* the network peer: pinned, recorded, identical on both sides */
	const struct sample *bn = metric_sample(&run, "bare", "net.tcp_rr", "tps");
	const struct sample *cn = metric_sample(&run, "container", "net.tcp_rr", "tps");
	json_t *bpeer = json_object_get(bn->pinning, "peer"),
	       *cpeer = json_object_get(cn->pinning, "peer");
	assert_non_null(bpeer);
	assert_true(json_equal(bpeer, cpeer));
	assert_string_equal(json_string_value(json_object_get(bpeer, "confirmed")),
	                    json_string_value(json_object_get(bpeer, "cpus")));
	assert_true(json_equal(json_object_get(bpeer, "cpus"),
	                       json_object_get(json_object_get(cond, "peer"), "cpus")));
	/* the disk workload failed in the container only */
	assert_true(metric_sample(&run, "container", "disk.rand_read", NULL)->failed);
	assert_false(metric_sample(&run, "bare", "disk.rand_read", NULL)->failed);
	run_free(&run);
	cmd_result_free(&r);
	remove_tree(dir);
	assert_clean();
}

/* --no-interleave: one environment after the other, said loudly and
 * recorded; the overhead falls back to Welch's test. */
static void no_interleave_is_recorded(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char dir[PATH_MAX];
	assert_int_equal(make_build_tmpdir("ct-", dir), 0);
	char *argv[] = {bench,
	                "run",
	                "--env",
	                "bare,container",
	                "--workload",
	                "os.syscall",
	                "--reps",
	                "2",
	                "--duration",
	                "0.02",
	                "--max-warmup",
	                "1",
	                "--no-interleave",
	                "--out",
	                dir,
	                "--quiet",
	                NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 0)
		fail_msg("bench run --no-interleave exited %d: %s", r.status, r.err);
	assert_non_null(strstr(r.err, "WARNING: environments run one after the other"));
	struct run run = read_run(dir);
	const struct sample *c = metric_sample(&run, "container", "os.syscall", NULL);
	assert_true(json_is_false(json_object_get(c->order, "interleaved")));
	assert_string_equal(json_string_value(json_object_get(c->order, "reason")),
	                    "--no-interleave");
	assert_int_equal(json_integer_value(json_object_get(c->warmup, "reps")), 1);
	assert_string_equal(
	    json_string_value(json_object_get(overhead_of(&run, "os.syscall", c->metric), "test")),
	    "Welch t, Fieller interval");
	run_free(&run);
	cmd_result_free(&r);
	remove_tree(dir);
	assert_clean();
}

/* The container's cgroup OOM-kills the agent: mem.stream's 3 x 96 MiB in
 * a 128 MiB limit (a plan the size rule would refuse). The failed sample
 * says so, with the limit and the peak from the cgroup's record. */
static void oom_kill_is_explained(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	struct run run = run_with_forced_size("container", 128 << 20, "mem.stream", 96 << 20);
	assert_int_equal(run.n_samples, 1);
	const struct sample *s = &run.samples[0];
	assert_true(s->failed);
	print_message("failed sample's error: %s\n", s->error);
	assert_non_null(strstr(s->error, "container agent OOM-killed: peak "));
	assert_non_null(strstr(s->error, " of the 128 MiB limit; raise --memory or lower --size"));
	assert_non_null(strstr(s->error, "mem.stream: the agent exited unexpectedly)"));
	assert_int_equal(json_integer_value(json_object_get(s->config, "size")), 96 << 20);
	run_free(&run);
	assert_clean();
}

/* A --size the container cannot hold is refused before anything starts,
 * with the range that would fit. */
static void size_too_large_is_refused(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char *argv[] = {bench,    "run",  "--env",    "container", "--workload", "mem.stream",
	                "--size", "256M", "--memory", "128M",      "--quiet",    NULL};
	struct cmd_result r = run_cmd(argv);
	assert_int_equal(r.status, 2);
	assert_non_null(
	    strstr(r.err, "--size 256M: mem.stream needs about 768 MiB (3 arrays x 256 MiB)"));
	assert_non_null(strstr(r.err, "valid --size for mem.stream here: 4K.."));
	cmd_result_free(&r);
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
	    cmocka_unit_test(every_family_in_a_container),
	    cmocka_unit_test(host_network_mode),
	    cmocka_unit_test(interrupt_cleans_up),
	    cmocka_unit_test(idle_density),
	    cmocka_unit_test(unknown_runtime_is_refused),
	    cmocka_unit_test(interleaved_with_bare),
	    cmocka_unit_test(no_interleave_is_recorded),
	    cmocka_unit_test(oom_kill_is_explained),
	    cmocka_unit_test(size_too_large_is_refused),
	    cmocka_unit_test(sigkill_is_reclaimed_by_the_next_run),
	};
	return cmocka_run_group_tests_name("integration (container)", tests, check_available, NULL);
}
