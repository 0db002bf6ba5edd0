/* Integration: the real bench and wl binaries on the bare environment, tiny
 * sizes. Checks the run file, exit statuses, pinning records, failure
 * handling and interruption. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include "harness/core/result.h"
#include "testrun.h"
#include "testutil.h"

static char bench[PATH_MAX];

static const char *const compute_workloads[] = {
    "cpu.int", "cpu.fp", "mem.stream", "mem.latency", "mem.random", "os.syscall", "os.ctxsw"};

static void make_tmpdir(char dir[64])
{
	snprintf(dir, 64, "/tmp/bench-it-XXXXXX");
	assert_non_null(mkdtemp(dir));
}

static const struct sample *find_sample(const struct run *run, const char *workload)
{
	for (size_t i = 0; i < run->n_samples; i++)
		if (strcmp(run->samples[i].workload, workload) == 0)
			return &run->samples[i];
	return NULL;
}

static void compute_workloads_on_bare(void **state)
{
	(void)state;
	char dir[64];
	make_tmpdir(dir);
	char *argv[] = {
	    bench,        "run",
	    "--env",      "bare",
	    "--workload", "cpu.int,cpu.fp,mem.stream,mem.latency,mem.random,os.syscall,os.ctxsw",
	    "--reps",     "2",
	    "--size",     "64K",
	    "--duration", "0.02",
	    "--cpus",     "0",
	    "--out",      dir,
	    "--quiet",    NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 0)
		fail_msg("bench run exited %d: %s", r.status, r.err);
	assert_non_null(strstr(r.out, "mem.stream"));
	assert_non_null(strstr(r.out, "run file:"));

	struct run run = read_run(dir);
	for (size_t k = 0; k < sizeof(compute_workloads) / sizeof(compute_workloads[0]); k++) {
		const struct sample *s = find_sample(&run, compute_workloads[k]);
		if (s == NULL)
			fail_msg("no sample for %s", compute_workloads[k]);
		assert_false(s->failed);
		assert_string_equal(s->env, "bare");
		assert_int_equal(s->n_values, 2);
		assert_int_equal(s->stats.n, 2);
		for (size_t v = 0; v < s->n_values; v++)
			assert_true(s->values[v] > 0);
		/* pinning: what was asked and what wl saw */
		json_t *asked = json_object_get(s->pinning, "asked");
		assert_string_equal(json_string_value(json_object_get(asked, "cpus")), "0");
		json_t *seen = json_object_get(s->pinning, "seen");
		assert_string_equal(json_string_value(json_object_get(seen, "cpus_allowed")), "0");
		assert_string_equal(json_string_value(json_object_get(seen, "cpus_ran")), "0");
		assert_string_equal(json_string_value(json_object_get(seen, "mem_policy")),
		                    "default");
		assert_non_null(json_object_get(seen, "mem_nodes"));
		assert_non_null(json_object_get(json_object_get(s->config, "wl"), "threads"));
		/* one environment: not interleaved, and the warm-up is recorded */
		assert_true(json_is_false(json_object_get(s->order, "interleaved")));
		assert_string_equal(json_string_value(json_object_get(s->order, "reason")),
		                    "one environment");
		assert_true(json_integer_value(json_object_get(s->warmup, "reps")) >= 1);
		/* steal over the instance's CPUs, one figure per value */
		assert_string_equal(json_string_value(json_object_get(s->steal, "cpus")), "0");
		json_t *pct = json_object_get(s->steal, "pct");
		assert_true(json_is_null(pct) ||
		            (json_is_number(pct) && json_number_value(pct) >= 0 &&
		             json_number_value(pct) <= 100));
		assert_int_equal(json_array_size(json_object_get(s->steal, "per_rep")),
		                 s->n_values);
	}
	const char *fields[] = {"kernel",   "cpu_model",     "numa_nodes", "memory_bytes",
	                        "governor", "smt",           "thp",        "hypervisor",
	                        "compiler", "bench_version", "git_commit"};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (json_object_get(run.host, fields[i]) == NULL)
			fail_msg("host fingerprint lacks %s", fields[i]);
	json_t *timing = json_object_get(run.invocation, "timing");
	double wall = json_real_value(json_object_get(timing, "wall_s"));
	assert_true(wall > 0);
	json_t *bare = json_object_get(json_object_get(timing, "by_env"), "bare");
	assert_true(json_real_value(json_object_get(bare, "measure_s")) > 0);
	assert_true(json_real_value(json_object_get(bare, "warmup_s")) > 0);
	assert_true(json_real_value(json_object_get(bare, "total_s")) <= wall);
	run_free(&run);
	cmd_result_free(&r);
	remove_tree(dir);
}

/* --numa: strict binding to the node, seen by wl as its memory policy. */
static void numa_binding_is_seen(void **state)
{
	(void)state;
	char dir[64];
	make_tmpdir(dir);
	char *argv[] = {bench,    "run", "--env",   "bare", "--workload", "mem.random",
	                "--reps", "2",   "--size",  "1M",   "--numa",     "0",
	                "--out",  dir,   "--quiet", NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 0)
		fail_msg("bench run --numa 0 exited %d: %s", r.status, r.err);
	struct run run = read_run(dir);
	json_t *seen = json_object_get(run.samples[0].pinning, "seen");
	assert_string_equal(json_string_value(json_object_get(seen, "mem_policy")), "bind:0");
	assert_string_equal(json_string_value(json_object_get(seen, "mem_nodes")), "0");
	json_t *asked = json_object_get(run.samples[0].pinning, "asked");
	assert_int_equal(json_integer_value(json_object_get(asked, "numa_node")), 0);
	run_free(&run);
	cmd_result_free(&r);
	remove_tree(dir);
}

static void json_output_is_the_run(void **state)
{
	(void)state;
	char dir[64];
	make_tmpdir(dir);
	char *argv[] = {bench, "run",        "--env", "bare",  "--workload", "os.syscall", "--reps",
	                "2",   "--duration", "0.01",  "--out", dir,          "--json",     NULL};
	struct cmd_result r = run_cmd(argv);
	assert_int_equal(r.status, 0);
	json_error_t jerr;
	json_t *doc = json_loads(r.out, 0, &jerr);
	if (doc == NULL)
		fail_msg("--json output is not JSON: %s", jerr.text);
	struct run run;
	struct bench_error *err = NULL;
	if (run_from_json(doc, &run, &err) < 0)
		fail_msg("--json output is not a run: %s", err->msg);
	assert_int_equal(run.n_samples, 1);
	run_free(&run);
	json_decref(doc);
	cmd_result_free(&r);
	remove_tree(dir);
}

static void usage_errors_exit_2(void **state)
{
	(void)state;
	char *unknown_env[] = {bench, "run", "--env", "vmware", "--workload", "cpu.int", NULL};
	struct cmd_result r = run_cmd(unknown_env);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "valid: bare"));
	cmd_result_free(&r);

	char *unknown_wl[] = {bench, "run", "--env", "bare", "--workload", "cpu.nope", NULL};
	r = run_cmd(unknown_wl);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "mem.stream"));
	cmd_result_free(&r);

	char *bad_numa[] = {bench,     "run",    "--env", "bare", "--workload",
	                    "cpu.int", "--numa", "77",    NULL};
	r = run_cmd(bad_numa);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "NUMA node 77"));
	cmd_result_free(&r);

	char *bad_out[] = {bench,     "run",   "--env",         "bare", "--workload",
	                   "cpu.int", "--out", "/proc/version", NULL};
	r = run_cmd(bad_out);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "not a directory"));
	cmd_result_free(&r);

	char *twice[] = {bench, "run", "--env", "bare,bare", "--workload", "cpu.int", NULL};
	r = run_cmd(twice);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "bare twice"));
	cmd_result_free(&r);

	char *bad_peer[] = {bench,     "run",         "--env", "bare", "--workload",
	                    "cpu.int", "--peer-cpus", "999",   NULL};
	r = run_cmd(bad_peer);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "--peer-cpus 999"));
	cmd_result_free(&r);

	char *bad_flag[] = {bench, "list", "--bogus", NULL};
	r = run_cmd(bad_flag);
	assert_int_equal(r.status, 2);
	cmd_result_free(&r);

	char *bad_cmd[] = {bench, "frob", NULL};
	r = run_cmd(bad_cmd);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "run"));
	cmd_result_free(&r);
}

static void list_and_topo(void **state)
{
	(void)state;
	char *list[] = {bench, "list", "--json", NULL};
	struct cmd_result r = run_cmd(list);
	assert_int_equal(r.status, 0);
	json_t *doc = json_loads(r.out, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(doc, "workloads")), 14);
	json_t *env0 = json_array_get(json_object_get(doc, "environments"), 0);
	assert_string_equal(json_string_value(json_object_get(env0, "name")), "bare");
	assert_true(json_is_true(json_object_get(env0, "available")));
	json_decref(doc);
	cmd_result_free(&r);

	char *topo[] = {bench, "topo", "--json", NULL};
	r = run_cmd(topo);
	assert_int_equal(r.status, 0);
	doc = json_loads(r.out, 0, NULL);
	assert_non_null(doc);
	assert_true(json_integer_value(json_object_get(doc, "pus")) >= 1);
	json_decref(doc);
	cmd_result_free(&r);

	char *topo_text[] = {bench, "topo", NULL};
	r = run_cmd(topo_text);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "numa"));
	cmd_result_free(&r);
}

/* A workload whose setup fails (more STREAM passes than it allows) ends as
 * a failed sample with its stderr, the others still run, exit status 1. */
static void failed_workload_is_recorded(void **state)
{
	(void)state;
	char dir[64];
	make_tmpdir(dir);
	char *argv[] = {
	    bench,    "run", "--env",        "bare", "--workload", "mem.stream,os.syscall",
	    "--reps", "2",   "--iterations", "500",  "--size",     "1M",
	    "--out",  dir,   "--quiet",      NULL};
	struct cmd_result r = run_cmd(argv);
	assert_int_equal(r.status, 1);
	struct run run = read_run(dir);
	const struct sample *bad = find_sample(&run, "mem.stream");
	assert_non_null(bad);
	assert_true(bad->failed);
	assert_non_null(bad->error);
	const struct sample *good = find_sample(&run, "os.syscall");
	assert_non_null(good);
	assert_false(good->failed);
	run_free(&run);
	cmd_result_free(&r);
	remove_tree(dir);
}

/* MemAvailable of this host in bytes, or 0. */
static unsigned long long mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	unsigned long long kib = 0;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return kib << 10;
}

/* A --size outside the workload's own range, and one no instance can hold,
 * are refused before anything starts: exit 2, the range, no run directory. */
static void impossible_size_is_refused(void **state)
{
	(void)state;
	char dir[64], out[80];
	make_tmpdir(dir);
	snprintf(out, sizeof(out), "%s/run", dir);
	char *argv[] = {bench,    "run", "--env", "bare", "--workload", "mem.stream",
	                "--size", "64T", "--out", out,    "--quiet",    NULL};
	struct cmd_result r = run_cmd(argv);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "--size 64T: mem.stream takes --size 4K..64G"));
	struct stat st;
	assert_int_equal(stat(out, &st), -1);
	cmd_result_free(&r);
	/* 64G is in mem.stream's range; its 3 arrays (192 GiB) fit no instance
	 * of a host with less memory available than that */
	if (mem_available() < (192ull << 30)) {
		argv[7] = "64G";
		r = run_cmd(argv);
		assert_int_equal(r.status, 2);
		assert_non_null(strstr(r.err, "--size 64G: mem.stream needs about 192 GiB"));
		assert_non_null(strstr(r.err, "valid --size for mem.stream here: 4K.."));
		assert_int_equal(stat(out, &st), -1);
		cmd_result_free(&r);
	}
	remove_tree(dir);
}

static bool dir_is_empty(const char *dir);

static const char *const net_disk_workloads[] = {
    "net.tcp_stream", "net.tcp_rr",     "net.udp_rr",      "disk.seq_read",
    "disk.seq_write", "disk.rand_read", "disk.rand_write",
};

static bool pgrep_finds(const char *pattern)
{
	char *argv[] = {"/usr/bin/pgrep", "-f", (char *)pattern, NULL};
	struct cmd_result r = run_cmd(argv);
	bool found = r.status == 0;
	cmd_result_free(&r);
	return found;
}

/* Network workloads talk to a host-side `wl serve` over loopback and get a
 * libpcap `wire` block; disk workloads use a scratch directory in the run
 * directory, which is gone afterwards. */
static void network_and_disk_on_bare(void **state)
{
	(void)state;
	char dir[PATH_MAX], file[PATH_MAX + 16], scratch[PATH_MAX + 16];
	assert_int_equal(make_build_tmpdir("it-", dir), 0);
	char *argv[] = {bench,
	                "run",
	                "--env",
	                "bare",
	                "--workload",
	                "net.tcp_stream,net.tcp_rr,net.udp_rr,disk.seq_read,disk.seq_write,"
	                "disk.rand_read,disk.rand_write",
	                "--reps",
	                "2",
	                "--duration",
	                "0.05",
	                "--size",
	                "8M",
	                "--out",
	                dir,
	                "--quiet",
	                NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 0)
		fail_msg("bench run exited %d: %s", r.status, r.err);
	snprintf(file, sizeof(file), "%s/run.json", dir);
	snprintf(scratch, sizeof(scratch), "%s/scratch", dir);
	struct stat st;
	assert_int_equal(stat(scratch, &st), -1);
	struct run run;
	struct bench_error *err = NULL;
	if (run_read(file, &run, &err) < 0)
		fail_msg("run file rejected: %s", err->msg);
	for (size_t k = 0; k < sizeof(net_disk_workloads) / sizeof(net_disk_workloads[0]); k++) {
		const struct sample *s = find_sample(&run, net_disk_workloads[k]);
		if (s == NULL)
			fail_msg("no sample for %s", net_disk_workloads[k]);
		assert_false(s->failed);
		assert_int_equal(s->n_values, 2);
		if (strncmp(s->workload, "net.", 4) != 0)
			continue;
		json_t *wire = s->wire;
		if (wire == NULL || json_object_get(wire, "error") != NULL)
			fail_msg("%s: no wire accounting (%s)", s->workload,
			         wire ? json_string_value(json_object_get(wire, "error")) : "none");
		assert_string_equal(json_string_value(json_object_get(wire, "iface")), "lo");
		json_t *to = json_object_get(wire, "to_peer");
		json_t *from = json_object_get(wire, "from_peer");
		assert_true(json_integer_value(json_object_get(to, "packets")) > 0);
		assert_true(json_integer_value(json_object_get(from, "packets")) > 0);
		if (strstr(s->workload, "_rr") != NULL) {
			json_t *rr = json_object_get(wire, "request_response");
			assert_true(json_integer_value(json_object_get(rr, "n")) > 0);
		}
	}
	/* no --cpus: one CPU for the instance's one thread when the host has
	 * more, and the peer on the others; on a one-CPU host they share */
	cpu_set_t allowed;
	assert_int_equal(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
	json_t *cond = json_object_get(run.invocation, "conditions");
	json_t *inst = json_object_get(cond, "instance");
	const char *policy = json_string_value(json_object_get(inst, "policy"));
	const char *peer_policy =
	    json_string_value(json_object_get(json_object_get(cond, "peer"), "policy"));
	assert_non_null(policy);
	if (CPU_COUNT(&allowed) > 1) {
		assert_string_equal(policy, "compact");
		assert_string_equal(peer_policy, "distinct");
		const char *asked = json_string_value(json_object_get(
		    json_object_get(find_sample(&run, "net.tcp_rr")->pinning, "asked"), "cpus"));
		assert_string_equal(asked, json_string_value(json_object_get(inst, "cpus")));
	} else {
		assert_string_equal(policy, "all");
		assert_string_equal(peer_policy, "shared");
	}
	assert_false(pgrep_finds("wl serve --bind 127.0.0.1 --lifetime 86400"));
	run_free(&run);
	cmd_result_free(&r);
	remove_tree(dir);
}

/* tmpfs refuses O_DIRECT: the disk workload fails with that reason unless
 * --buffered is given. */
static void disk_on_tmpfs_needs_buffered(void **state)
{
	(void)state;
	char dir[64];
	make_tmpdir(dir);
	char shm[] = "/dev/shm/bench-it-XXXXXX";
	assert_non_null(mkdtemp(shm));
	char *argv[] = {bench,        "run", "--env",  "bare", "--workload", "disk.rand_read",
	                "--reps",     "2",   "--size", "4M",   "--duration", "0.02",
	                "--disk-dir", shm,   "--out",  dir,    "--quiet",    NULL};
	struct cmd_result r = run_cmd(argv);
	assert_int_equal(r.status, 1);
	struct run run = read_run(dir);
	assert_true(run.samples[0].failed);
	assert_non_null(strstr(run.samples[0].error, "O_DIRECT"));
	run_free(&run);
	cmd_result_free(&r);

	char *buffered[] = {
	    bench,        "run",    "--env", "bare",       "--workload", "disk.rand_read", "--reps",
	    "2",          "--size", "4M",    "--duration", "0.02",       "--disk-dir",     shm,
	    "--buffered", "--out",  dir,     "--quiet",    NULL};
	r = run_cmd(buffered);
	if (r.status != 0)
		fail_msg("--buffered on tmpfs exited %d: %s", r.status, r.err);
	cmd_result_free(&r);
	assert_true(dir_is_empty(shm));
	rmdir(shm);
	remove_tree(dir);
}

static bool dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return true;
	struct dirent *e;
	bool empty = true;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = false;
	closedir(d);
	return empty;
}

/* SIGINT in the middle: exit 130, no run file, the wl agent reaped. */
static void interrupt_leaves_nothing(void **state)
{
	(void)state;
	char dir[64];
	make_tmpdir(dir);
	char out[128];
	snprintf(out, sizeof(out), "%s/run", dir);
	char *argv[] = {bench, "run",        "--env", "bare",  "--workload", "os.syscall", "--reps",
	                "50",  "--duration", "0.2",   "--out", out,          "--quiet",    NULL};
	pid_t pid = spawn_silent(argv);
	struct timespec ts = {0, 600 * 1000 * 1000};
	nanosleep(&ts, NULL);
	kill(pid, SIGINT);
	bool timed_out;
	int status = wait_bounded(pid, 30, &timed_out);
	assert_false(timed_out);
	assert_int_equal(status, 130);
	assert_true(dir_is_empty(out));
	/* no wl agent left behind: none of our children remain */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	char *pgrep[] = {"/usr/bin/pgrep", "-f", "wl agent", NULL};
	struct cmd_result r = run_cmd(pgrep);
	assert_int_equal(r.status, 1); /* pgrep: nothing matched */
	cmd_result_free(&r);
	remove_tree(dir);
}

int main(void)
{
	build_path("bench", bench);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(list_and_topo),
	    cmocka_unit_test(usage_errors_exit_2),
	    cmocka_unit_test(compute_workloads_on_bare),
	    cmocka_unit_test(numa_binding_is_seen),
	    cmocka_unit_test(json_output_is_the_run),
	    cmocka_unit_test(failed_workload_is_recorded),
	    cmocka_unit_test(impossible_size_is_refused),
	    cmocka_unit_test(interrupt_leaves_nothing),
	    cmocka_unit_test(network_and_disk_on_bare),
	    cmocka_unit_test(disk_on_tmpfs_needs_buffered),
	};
	return cmocka_run_group_tests_name("integration (bare)", tests, NULL, NULL);
}
