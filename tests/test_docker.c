/* Integration: --env container/docker against a real Docker engine. When no
 * daemon answers, the test starts Debian's dockerd itself
 * (scripts/dockerd-scratch: vfs storage, data root, exec root, pidfile and
 * socket of its own, a watchdog that stops it if this program dies) and
 * stops it at the end, checking that no docker0, iptables rule or process
 * of it is left. Covers every workload family on bench's bridge with the
 * cgroup limits read back, NAT against host networking in one run, the
 * image kept and reused or removed, SIGINT, and the unreachable-daemon
 * message. Skipped with the reason where docker cannot run at all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>

#include "harness/core/result.h"
#include "harness/core/spawn.h"
#include "harness/env/env.h"
#include "ctutil.h"

static char bench[PATH_MAX], docker[PATH_MAX];
static char unavailable[1024];
static char daemon_dir[PATH_MAX]; /* set when this test started the daemon */

#define SCRATCH_SCRIPT "scripts/dockerd-scratch"

static int start_own_daemon(void)
{
	char dockerd[PATH_MAX], owner[16];
	if (geteuid() != 0 || spawn_find("dockerd", dockerd, sizeof(dockerd)) < 0)
		return -1;
	snprintf(daemon_dir, sizeof(daemon_dir), "/tmp/bench-dockerd-XXXXXX");
	if (mkdtemp(daemon_dir) == NULL)
		return -1;
	snprintf(owner, sizeof(owner), "%d", (int)getpid());
	char *argv[] = {SCRATCH_SCRIPT, "start", daemon_dir, "--owner", owner, NULL};
	struct cmd_result r = run_cmd_bounded(argv, 60);
	char *host = strstr(r.out, "DOCKER_HOST=");
	if (r.status != 0 || host == NULL) {
		print_message("could not start a Docker daemon: %s%s\n", r.out, r.err);
		cmd_result_free(&r);
		return -1;
	}
	host[strcspn(host, "\n")] = '\0';
	setenv("DOCKER_HOST", host + strlen("DOCKER_HOST="), 1);
	print_message("started dockerd for this test (%s)\n", getenv("DOCKER_HOST"));
	cmd_result_free(&r);
	return 0;
}

static int set_up(void **state)
{
	(void)state;
	build_path("bench", bench);
	env_reclaim_stale(); /* what a killed run left is not this test's */
	host_state_baseline();
	spawn_find("docker", docker, sizeof(docker));
	runtime_unavailable(bench, "docker", unavailable, sizeof(unavailable));
	if (unavailable[0] != '\0' && strstr(unavailable, "not reachable") != NULL &&
	    start_own_daemon() == 0)
		runtime_unavailable(bench, "docker", unavailable, sizeof(unavailable));
	return 0;
}

/* Stops the daemon this test started; nothing of it may be left. */
static int tear_down(void **state)
{
	(void)state;
	if (daemon_dir[0] == '\0')
		return 0;
	char *stop[] = {SCRATCH_SCRIPT, "stop", daemon_dir, NULL};
	struct cmd_result r = run_cmd_bounded(stop, 120);
	cmd_result_free(&r);
	char *check[] = {SCRATCH_SCRIPT, "leftovers", NULL};
	r = run_cmd_bounded(check, 60);
	int rc = r.status == 0 ? 0 : -1;
	if (rc < 0)
		print_message("the test's dockerd left: %s\n", r.out);
	cmd_result_free(&r);
	return rc;
}

#define SKIP_IF_UNAVAILABLE()                                                                      \
	do {                                                                                       \
		if (unavailable[0] != '\0') {                                                      \
			print_message("skipped: docker unavailable: %s\n", unavailable);           \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

/* `docker ARGS` output (the caller frees it). */
static struct cmd_result docker_cmd(const char *a1, const char *a2, const char *a3, const char *a4)
{
	char *argv[] = {docker, (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL};
	return run_cmd_bounded(argv, 60);
}

static bool bench_containers_left(void)
{
	struct cmd_result r = docker_cmd("ps", "-a", "--filter", "name=bench-");
	bool left = strstr(r.out, "bench-") != NULL;
	cmd_result_free(&r);
	return left;
}

static bool bench_images_left(void)
{
	struct cmd_result r = docker_cmd("images", "-q", "--filter", "reference=bench-wl");
	bool left = r.out[0] != '\0';
	cmd_result_free(&r);
	return left;
}

static void assert_clean(void)
{
	if (bench_containers_left())
		fail_msg("a bench container is left (docker ps -a)");
	assert_host_clean();
}

static const char *backend_text(const struct sample *s, const char *key)
{
	return json_string_value(json_object_get(json_object_get(s->pinning, "backend"), key));
}

/* One workload of every family on bench's bridge (the path runc's take),
 * pinned to CPU 0, with memory and CPU limits read back. */
static void every_family_in_docker(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char dir[PATH_MAX];
	assert_int_equal(make_build_tmpdir("dk-", dir), 0);
	char *argv[] = {
	    bench,         "run",
	    "--env",       "container/docker",
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
		fail_msg("bench run --env container/docker exited %d: %s", r.status, r.err);
	struct run run = read_run(dir);
	assert_true(run.n_samples >= 6);
	for (size_t i = 0; i < run.n_samples; i++) {
		const struct sample *s = &run.samples[i];
		assert_family_sample(s, "container/docker", "docker", "containerd-shim");
		assert_int_equal(strncmp(backend_text(s, "image"), "bench-wl:", 9), 0);
		assert_int_equal(cgroup_setting(s, "memory_limit_bytes"), 256ll << 20);
		assert_int_equal(cgroup_setting(s, "cpu_quota_us") * 100000 /
		                     cgroup_setting(s, "cpu_period_us"),
		                 50000);
	}
	run_free(&run);
	cmd_result_free(&r);
	remove_tree(dir);
	assert_false(bench_images_left()); /* imported by the run, not kept */
	assert_clean();
}

/* Packets Docker's MASQUERADE rule has translated so far. */
static long long masquerade_packets(void)
{
	char iptables[PATH_MAX];
	if (spawn_find("iptables", iptables, sizeof(iptables)) < 0)
		return -1;
	char *argv[] = {iptables, "-w", "-t", "nat", "-L", "POSTROUTING", "-v", "-x", "-n", NULL};
	struct cmd_result r = run_cmd_bounded(argv, 30);
	long long total = 0;
	for (char *l = strtok(r.out, "\n"); l != NULL; l = strtok(NULL, "\n")) {
		long long packets;
		if (strstr(l, "MASQUERADE") != NULL && sscanf(l, " %lld", &packets) == 1)
			total += packets;
	}
	cmd_result_free(&r);
	return total;
}

/* Felter et al.'s shape in one run: Docker's NAT and host networking next
 * to bare; the NAT path really goes through MASQUERADE. */
static void nat_and_host_in_one_run(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char dir[PATH_MAX];
	assert_int_equal(make_build_tmpdir("dk-", dir), 0);
	long long before = masquerade_packets();
	char *argv[] = {
	    bench,        "run",        "--env",  "bare,container/docker:nat,container/docker:host",
	    "--workload", "net.tcp_rr", "--reps", "3",
	    "--duration", "0.1",        "--out",  dir,
	    "--quiet",    NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 0)
		fail_msg("bench run nat,host exited %d: %s", r.status, r.err);
	struct run run = read_run(dir);
	const struct sample *nat = sample_of(&run, "container/docker:nat", "net.tcp_rr");
	const struct sample *host = sample_of(&run, "container/docker:host", "net.tcp_rr");
	assert_non_null(nat);
	assert_non_null(host);
	assert_string_equal(backend_text(nat, "net"), "nat");
	assert_string_equal(backend_text(host, "net"), "host");
	/* nat: captured on the container's veth on Docker's bridge; the peer
	 * sits beyond the NAT on bench's bridge */
	assert_int_equal(strncmp(json_string_value(json_object_get(nat->wire, "iface")), "veth", 4),
	                 0);
	const char *peer =
	    json_string_value(json_object_get(json_object_get(nat->config, "wl"), "peer"));
	assert_non_null(peer);
	assert_int_equal(strncmp(peer, "10.213.77.", 10), 0);
	assert_string_equal(json_string_value(json_object_get(host->wire, "iface")), "lo");
	if (before >= 0)
		assert_true(masquerade_packets() > before);
	assert_non_null(run.overhead); /* against bare */
	run_free(&run);
	cmd_result_free(&r);
	remove_tree(dir);
	assert_clean();
}

static void image_digest(const char *dir, char *sha, size_t len)
{
	struct run run = read_run(dir);
	const char *s = backend_text(&run.samples[0], "image_sha256");
	assert_non_null(s);
	snprintf(sha, len, "%s", s);
	run_free(&run);
}

/* --keep-image keeps the image; the next run reuses it while it matches. */
static void kept_image_is_reused(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char dir[PATH_MAX], sha1[80], sha2[80];
	assert_int_equal(make_build_tmpdir("dk-", dir), 0);
	char *argv[] = {bench,          "run",        "--env",  "container/docker:none",
	                "--workload",   "os.syscall", "--reps", "1",
	                "--iterations", "1000",       "--out",  dir,
	                "--keep-image", "--quiet",    NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 0)
		fail_msg("bench run --keep-image exited %d: %s", r.status, r.err);
	cmd_result_free(&r);
	image_digest(dir, sha1, sizeof(sha1));
	struct cmd_result id1 = docker_cmd("images", "-q", "--filter", "reference=bench-wl");
	assert_true(id1.out[0] != '\0');
	r = run_cmd(argv);
	assert_int_equal(r.status, 0);
	cmd_result_free(&r);
	image_digest(dir, sha2, sizeof(sha2));
	assert_string_equal(sha1, sha2);
	struct cmd_result id2 = docker_cmd("images", "-q", "--filter", "reference=bench-wl");
	assert_string_equal(id1.out, id2.out); /* the same image, not a new import */
	cmd_result_free(&id1);
	cmd_result_free(&id2);
	char tag[96];
	snprintf(tag, sizeof(tag), "bench-wl:%.16s", sha1);
	struct cmd_result rm = docker_cmd("image", "rm", tag, NULL);
	assert_int_equal(rm.status, 0);
	cmd_result_free(&rm);
	remove_tree(dir);
	assert_false(bench_images_left());
	assert_clean();
}

/* SIGINT while a NAT'ed container runs: exit 130, and no container, image,
 * namespace (the instance's or the peer's), veth, bridge or cgroup left. */
static void interrupt_cleans_up(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char dir[PATH_MAX];
	assert_int_equal(make_build_tmpdir("dk-", dir), 0);
	char out[PATH_MAX + 8];
	snprintf(out, sizeof(out), "%s/run", dir);
	char *argv[] = {bench,        "run",        "--env",  "container/docker:nat",
	                "--workload", "net.tcp_rr", "--reps", "50",
	                "--duration", "0.2",        "--out",  out,
	                "--quiet",    NULL};
	pid_t pid = spawn_silent(argv);
	bool running = false;
	for (int i = 0; i < 300 && !running; i++) {
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
		running = bench_containers_left();
	}
	assert_true(running);
	nanosleep(&(struct timespec){0, 500 * 1000 * 1000}, NULL); /* into the measurement */
	kill(pid, SIGINT);
	bool timed_out;
	int status = wait_bounded(pid, 60, &timed_out);
	assert_false(timed_out);
	assert_int_equal(status, 130);
	struct stat st;
	assert_int_equal(stat(out, &st), -1);
	remove_tree(dir);
	assert_false(bench_images_left());
	assert_clean();
}

/* With no daemon at DOCKER_HOST, bench says so and how to start one. */
static void unreachable_daemon_explains(void **state)
{
	(void)state;
	char *saved = getenv("DOCKER_HOST") ? strdup(getenv("DOCKER_HOST")) : NULL;
	setenv("DOCKER_HOST", "unix:///nonexistent/bench-docker.sock", 1);
	char *argv[] = {bench, "run", "--env", "container/docker", "--workload", "cpu.int", NULL};
	struct cmd_result r = run_cmd(argv);
	if (saved != NULL)
		setenv("DOCKER_HOST", saved, 1);
	else
		unsetenv("DOCKER_HOST");
	free(saved);
	char docker_path[PATH_MAX];
	if (spawn_find("docker", docker_path, sizeof(docker_path)) < 0) {
		assert_int_equal(r.status, 3);
		assert_non_null(strstr(r.err, "apt-get install docker.io"));
	} else if (geteuid() == 0) {
		assert_int_equal(r.status, 3);
		assert_non_null(strstr(r.err, "nonexistent/bench-docker.sock"));
		assert_non_null(strstr(r.err, "dockerd --storage-driver=vfs"));
	}
	cmd_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_family_in_docker),
	    cmocka_unit_test(nat_and_host_in_one_run),
	    cmocka_unit_test(kept_image_is_reused),
	    cmocka_unit_test(interrupt_cleans_up),
	    cmocka_unit_test(unreachable_daemon_explains),
	};
	return cmocka_run_group_tests_name("integration (docker)", tests, set_up, tear_down);
}
