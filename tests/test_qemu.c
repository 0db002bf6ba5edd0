/* Integration: the qemu environment through the real qemu-system-x86_64
 * and the guest image `make guest` built. A CPU, a memory, a network and a
 * disk workload run in one guest; a guest that cannot boot is reported
 * with its console; SIGINT leaves no QEMU, tap, image or socket behind.
 * Skipped, with the reason, where `bench list` says qemu cannot run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <sys/stat.h>

#include "harness/core/result.h"
#include "harness/env/env.h"
#include "testrun.h"
#include "testutil.h"

static char bench[PATH_MAX];
static char unavailable[512];

static json_t *qemu_entry(json_t *doc)
{
	json_t *envs = json_object_get(doc, "environments");
	for (size_t i = 0; i < json_array_size(envs); i++) {
		json_t *e = json_array_get(envs, i);
		if (strcmp(json_string_value(json_object_get(e, "name")), "qemu") == 0)
			return e;
	}
	return NULL;
}

static int check_available(void **state)
{
	(void)state;
	build_path("bench", bench);
	env_unavailable(bench, "qemu", unavailable, sizeof(unavailable));
	env_reclaim_stale(); /* what a killed run left is not this test's */
	return 0;
}

#define SKIP_IF_UNAVAILABLE()                                                                      \
	do {                                                                                       \
		if (unavailable[0] != '\0') {                                                      \
			print_message("skipped: qemu unavailable: %s\n", unavailable);             \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

/* A QEMU started by bench (its -name is "bench-<pid>-<n>") still running. */
static bool bench_qemu_running(void)
{
	DIR *d = opendir("/proc");
	bool found = false;
	struct dirent *e;
	while (d != NULL && (e = readdir(d)) != NULL && !found) {
		char path[300], buf[4096];
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		FILE *f = fopen(path, "re");
		if (f == NULL)
			continue;
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		if (strstr(buf, "qemu-system") == NULL)
			continue;
		for (size_t i = 0; i + 6 < n; i += strlen(buf + i) + 1)
			if (strcmp(buf + i, "-name") == 0 && strncmp(buf + i + 6, "bench-", 6) == 0)
				found = true;
	}
	if (d != NULL)
		closedir(d);
	return found;
}

/* Nothing of ours left: QEMU, tap, bridge, addresses, state directories. */
static void assert_clean(const char *scratch)
{
	assert_false(bench_qemu_running());
	assert_false(dir_has_entries("/sys/class/net", "btp"));
	assert_false(dir_has_entries("/sys/class/net", "benchbr0"));
	assert_false(dir_has_entries("/run/bench/qemu", "bench-"));
	if (scratch != NULL)
		assert_false(dir_has_entries(scratch, "bench-"));
}

static const char *backend_str(const struct sample *s, const char *key)
{
	return json_string_value(json_object_get(json_object_get(s->pinning, "backend"), key));
}

/* One guest pinned to CPU 0 runs a CPU, a memory, a network and a disk
 * workload; every sample records the accelerator, the pinned vCPU, the
 * kernel and image checksum, boot time and QEMU's memory. */
static void four_families_in_a_guest(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char dir[PATH_MAX];
	assert_int_equal(make_build_tmpdir("qemu-", dir), 0);
	char *argv[] = {bench,         "run",        "--env",
	                "qemu",        "--workload", "cpu.int,mem.stream,net.tcp_rr,disk.rand_read",
	                "--reps",      "2",          "--max-warmup",
	                "1",           "--size",     "8M",
	                "--duration",  "0.05",       "--cpus",
	                "0",           "--memory",   "256M",
	                "--disk-size", "64M",        "--out",
	                dir,           "--quiet",    NULL};
	struct cmd_result r = run_cmd_bounded(argv, 600);
	if (r.status != 0)
		fail_msg("bench run --env qemu exited %d: %s", r.status, r.err);
	struct run run = read_run(dir);
	assert_true(run.n_samples >= 4);
	bool saw[4] = {false};
	for (size_t i = 0; i < run.n_samples; i++) {
		const struct sample *s = &run.samples[i];
		if (s->failed)
			fail_msg("%s failed: %s", s->workload, s->error);
		assert_string_equal(s->env, "qemu");
		const char *accel = backend_str(s, "accelerator");
		assert_true(strcmp(accel, "tcg") == 0 || strcmp(accel, "kvm") == 0);
		assert_true(strlen(backend_str(s, "accelerator_reason")) > 0);
		json_t *backend = json_object_get(s->pinning, "backend");
		json_t *vcpu = json_array_get(json_object_get(backend, "vcpus"), 0);
		assert_string_equal(json_string_value(json_object_get(vcpu, "confirmed")), "0");
		json_t *guest = json_object_get(backend, "guest");
		assert_true(strlen(json_string_value(json_object_get(guest, "kernel_version"))) >
		            0);
		assert_int_equal(strlen(json_string_value(json_object_get(guest, "initrd_sha256"))),
		                 64);
		assert_int_equal(json_integer_value(json_object_get(backend, "memory_bytes")),
		                 256 << 20);
		json_t *inst = json_object_get(s->config, "instance");
		assert_true(json_real_value(json_object_get(inst, "start_s")) > 0);
		assert_true(json_integer_value(json_object_get(inst, "mem_bytes")) > (1 << 20));
		assert_true(json_real_value(json_object_get(inst, "cpu_s")) > 0);
		if (strcmp(s->workload, "cpu.int") == 0)
			saw[0] = true;
		if (strcmp(s->workload, "mem.stream") == 0)
			saw[1] = true;
		if (strcmp(s->workload, "net.tcp_rr") == 0) {
			saw[2] = true;
			const char *iface = json_string_value(json_object_get(s->wire, "iface"));
			assert_non_null(iface);
			assert_int_equal(strncmp(iface, "btp", 3), 0);
			json_t *to = json_object_get(s->wire, "to_peer");
			assert_true(json_integer_value(json_object_get(to, "packets")) > 0);
		}
		if (strcmp(s->workload, "disk.rand_read") == 0) {
			saw[3] = true;
			json_t *disk = json_object_get(backend, "disk");
			assert_string_equal(json_string_value(json_object_get(disk, "device")),
			                    "/dev/vda");
			assert_string_equal(json_string_value(json_object_get(disk, "cache")),
			                    "none");
		}
	}
	for (int k = 0; k < 4; k++)
		assert_true(saw[k]);
	run_free(&run);
	cmd_result_free(&r);
	remove_tree(dir);
	assert_clean(NULL);
}

/* An initramfs that is not one: the kernel panics, QEMU exits, and the
 * failed sample carries the guest console's last lines. */
static void unbootable_guest_is_reported(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char dir[PATH_MAX], junk[PATH_MAX + 16];
	assert_int_equal(make_build_tmpdir("qemu-", dir), 0);
	snprintf(junk, sizeof(junk), "%s/junk.cpio", dir);
	FILE *f = fopen(junk, "w");
	assert_non_null(f);
	fputs("this is not an initramfs\n", f);
	fclose(f);
	char out[PATH_MAX];
	snprintf(out, sizeof(out), "%.*s/run", PATH_MAX - 8, dir);
	char *argv[] = {bench,    "run", "--env",   "qemu", "--workload", "os.syscall",
	                "--reps", "2",   "--out",   out,    "--initrd",   junk,
	                "--cpus", "0",   "--quiet", NULL};
	struct cmd_result r = run_cmd_bounded(argv, 120);
	assert_int_equal(r.status, 1);
	struct run run = read_run(out);
	assert_true(run.samples[0].failed);
	const char *why = run.samples[0].error;
	assert_non_null(strstr(why, "booting the"));
	assert_non_null(strstr(why, "guest console"));
	assert_non_null(strstr(why, "Kernel panic"));
	run_free(&run);
	cmd_result_free(&r);
	remove_tree(dir);
	assert_clean(NULL);
}

/* The guest kernel OOM-kills the agent: mem.stream's 3 x 72 MiB in a
 * 256 MiB guest with about 190 MiB available (a plan the size rule would
 * refuse; small enough for the guest to map, too large to touch). The
 * failed sample quotes the guest console's OOM line and says what to
 * change. */
static void guest_oom_is_explained(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	struct run run = run_with_forced_size("qemu", 256 << 20, "mem.stream", 72 << 20);
	assert_int_equal(run.n_samples, 1);
	const struct sample *s = &run.samples[0];
	assert_true(s->failed);
	print_message("failed sample's error: %s\n", s->error);
	assert_non_null(strstr(s->error, "qemu guest agent OOM-killed by the guest kernel"));
	assert_non_null(strstr(s->error, "Killed process"));
	assert_non_null(strstr(s->error, "the guest has 256 MiB RAM"));
	assert_non_null(strstr(s->error, "raise --memory or lower --size"));
	run_free(&run);
	assert_clean(NULL);
}

/* A guest with too little RAM for its kernel: the failed sample says the
 * memory is the likely cause and what to change. */
static void too_small_guest_says_why(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char dir[PATH_MAX], out[PATH_MAX];
	assert_int_equal(make_build_tmpdir("qemu-", dir), 0);
	snprintf(out, sizeof(out), "%.*s/run", PATH_MAX - 8, dir);
	char *argv[] = {bench,    "run", "--env",   "qemu", "--workload", "os.syscall",
	                "--reps", "1",   "--out",   out,    "--memory",   "48M",
	                "--cpus", "0",   "--quiet", NULL};
	struct cmd_result r = run_cmd_bounded(argv, 120);
	assert_int_equal(r.status, 1);
	struct run run = read_run(out);
	assert_true(run.samples[0].failed);
	print_message("failed sample's error: %.300s\n", run.samples[0].error);
	assert_non_null(strstr(run.samples[0].error, "48 MiB RAM"));
	assert_non_null(strstr(run.samples[0].error, "raise --memory"));
	run_free(&run);
	cmd_result_free(&r);
	remove_tree(dir);
	assert_clean(NULL);
}

/* SIGINT while a guest runs a disk workload: exit 130 and nothing left. */
static void interrupt_cleans_up(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char dir[PATH_MAX];
	assert_int_equal(make_build_tmpdir("qemu-", dir), 0);
	char out[PATH_MAX + 8], scratch[PATH_MAX + 16];
	snprintf(out, sizeof(out), "%s/run", dir);
	snprintf(scratch, sizeof(scratch), "%s/scratch", dir);
	assert_int_equal(mkdir(scratch, 0700), 0);
	char *argv[] = {
	    bench,        "run",   "--env",       "qemu", "--workload", "disk.rand_read",
	    "--reps",     "500",   "--duration",  "0.2",  "--size",     "16M",
	    "--disk-dir", scratch, "--disk-size", "32M",  "--out",      out,
	    "--quiet",    NULL};
	pid_t pid = spawn_silent(argv);
	/* wait (bounded) until the guest is up and its disk image exists */
	bool up = false;
	for (int i = 0; i < 600 && !up; i++) {
		up = dir_has_entries(scratch, "bench-") && bench_qemu_running();
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGINT);
	bool timed_out;
	int status = wait_bounded(pid, 30, &timed_out);
	assert_true(up);
	assert_false(timed_out);
	assert_int_equal(status, 130);
	struct stat st;
	assert_int_equal(stat(out, &st), -1);
	assert_clean(scratch);
	remove_tree(dir);
}

/* kill -9 of bench while a guest runs: QEMU dies with it (it never
 * outlives bench), and the next run removes the guest's state directory and
 * scratch disk that the killed run could not. */
static void sigkill_is_reclaimed_by_the_next_run(void **state)
{
	(void)state;
	SKIP_IF_UNAVAILABLE();
	char dir[PATH_MAX], scratch[PATH_MAX + 16], out[PATH_MAX + 8];
	assert_int_equal(make_build_tmpdir("qemu-", dir), 0);
	snprintf(scratch, sizeof(scratch), "%s/scratch", dir);
	snprintf(out, sizeof(out), "%s/run", dir);
	assert_int_equal(mkdir(scratch, 0700), 0);
	char *argv[] = {bench,        "run",    "--env",       "qemu",       "--workload",
	                "os.syscall", "--reps", "500",         "--duration", "0.2",
	                "--disk-dir", scratch,  "--disk-size", "32M",        "--memory",
	                "256M",       "--out",  out,           "--quiet",    NULL};
	pid_t pid = spawn_silent(argv);
	bool up = false;
	for (int i = 0; i < 600 && !up; i++) {
		up = dir_has_entries(scratch, "bench-") && bench_qemu_running();
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	bool timed_out;
	int status = wait_bounded(pid, 30, &timed_out);
	assert_true(up);
	assert_int_equal(status, 128 + SIGKILL);
	bool gone = false;
	for (int i = 0; i < 100 && !gone; i++) {
		gone = !bench_qemu_running();
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	assert_true(gone); /* killed with bench, not orphaned */
	assert_true(dir_has_entries("/run/bench/qemu", "bench-"));
	assert_true(dir_has_entries(scratch, "bench-"));
	char next_out[PATH_MAX + 8];
	snprintf(next_out, sizeof(next_out), "%s/next", dir);
	char *next[] = {bench,    "run",    "--env",        "qemu", "--workload", "os.syscall",
	                "--reps", "1",      "--max-warmup", "1",    "--duration", "0.02",
	                "--out",  next_out, "--quiet",      NULL};
	struct cmd_result r = run_cmd_bounded(next, 600);
	if (r.status != 0)
		fail_msg("the run after the kill exited %d: %s", r.status, r.err);
	cmd_result_free(&r);
	assert_clean(scratch);
	remove_tree(dir);
}

/* `bench list` names the accelerators with a reason each. */
static void list_shows_accelerators(void **state)
{
	(void)state;
	char *argv[] = {bench, "list", "--json", NULL};
	struct cmd_result r = run_cmd(argv);
	json_t *doc = json_loads(r.out, 0, NULL);
	json_t *e = qemu_entry(doc);
	assert_non_null(e);
	if (json_is_true(json_object_get(e, "available"))) {
		json_t *details = json_object_get(e, "details");
		assert_int_equal(json_array_size(details), 2);
		for (size_t i = 0; i < 2; i++) {
			json_t *d = json_array_get(details, i);
			assert_true(strlen(json_string_value(json_object_get(d, "reason"))) > 0);
		}
	}
	json_decref(doc);
	cmd_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(list_shows_accelerators),
	    cmocka_unit_test(four_families_in_a_guest),
	    cmocka_unit_test(unbootable_guest_is_reported),
	    cmocka_unit_test(guest_oom_is_explained),
	    cmocka_unit_test(too_small_guest_says_why),
	    cmocka_unit_test(interrupt_cleans_up),
	    cmocka_unit_test(sigkill_is_reclaimed_by_the_next_run),
	};
	return cmocka_run_group_tests_name("integration (qemu)", tests, check_available, NULL);
}
