/* The Xen environment, checked on what a real nested dom0 produced:
 * scripts/test-xen boots Xen under QEMU, runs tests/xen/in-dom0.sh there
 * and points BENCH_XEN_OUT at the results. Without BENCH_XEN_OUT (the
 * ordinary `make test` on a host that is not a dom0) every case skips. */
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
	out_dir = getenv("BENCH_XEN_OUT");
	return 0;
}

#define NEED_RESULTS() NEED_BED_RESULTS(out_dir, "test-xen")

static const char *slurp(const char *name, char *buf, size_t len)
{
	return bed_slurp(out_dir, name, buf, len);
}

static json_t *backend(const struct sample *s)
{
	return json_object_get(s->pinning, "backend");
}

static void list_shows_xen_available(void **state)
{
	(void)state;
	NEED_RESULTS();
	char text[16384];
	slurp("list.txt", text, sizeof(text));
	const char *line = strstr(text, "\n  xen ");
	assert_non_null(line);
	assert_non_null(strstr(line, "yes"));
}

/* A PVH domU ran a CPU, a memory, a network and a disk workload; every
 * sample says which Xen, which mode, and where xl confirmed the vCPU. */
static void pvh_domain_runs_four_families(void **state)
{
	(void)state;
	NEED_RESULTS();
	char text[16384], dir[PATH_MAX];
	if (atoi(slurp("run.rc", text, sizeof(text))) != 0)
		fail_msg("bench run --env xen failed: %s", slurp("run.txt", text, sizeof(text)));
	snprintf(dir, sizeof(dir), "%s/run", out_dir);
	struct run run = read_run(dir);
	const char *want[] = {"cpu.int", "mem.stream", "net.tcp_rr", "disk.rand_read"};
	bool saw[4] = {false};
	for (size_t i = 0; i < run.n_samples; i++) {
		const struct sample *s = &run.samples[i];
		if (s->failed)
			fail_msg("%s failed: %s", s->workload, s->error);
		assert_string_equal(s->env, "xen");
		json_t *b = backend(s);
		assert_string_equal(json_str(b, "mode"), "pvh");
		assert_int_equal(strncmp(json_str(b, "xen_version"), "4.", 2), 0);
		json_t *vcpu = json_array_get(json_object_get(b, "vcpus"), 0);
		assert_string_equal(json_str(vcpu, "hard_affinity"), "0");
		assert_true(strlen(json_str(json_object_get(b, "guest"), "kernel_version")) > 0);
		json_t *inst = json_object_get(s->config, "instance");
		assert_true(json_real_value(json_object_get(inst, "start_s")) > 0);
		assert_int_equal(json_integer_value(json_object_get(inst, "mem_bytes")), 256 << 20);
		for (int k = 0; k < 4; k++)
			saw[k] = saw[k] || strcmp(s->workload, want[k]) == 0;
		if (strcmp(s->workload, "net.tcp_rr") == 0) {
			assert_int_equal(strncmp(json_str(s->wire, "iface"), "vif", 3), 0);
			json_t *to = json_object_get(s->wire, "to_peer");
			assert_true(json_integer_value(json_object_get(to, "packets")) > 0);
		}
		if (strcmp(s->workload, "disk.rand_read") == 0)
			assert_string_equal(json_str(json_object_get(b, "disk"), "device"),
			                    "/dev/xvda");
		/* dom0's back-ends: recorded (the domain's vif at least), not placed */
		json_t *io = json_object_get(b, "io_threads");
		assert_string_equal(json_str(io, "placement"), "not placed");
		assert_true(json_array_size(json_object_get(io, "threads")) >= 1);
		/* the network peer runs in dom0, bound and recorded */
		if (strcmp(s->workload, "net.tcp_rr") == 0)
			assert_true(
			    strlen(json_str(json_object_get(s->pinning, "peer"), "policy")) > 0);
	}
	for (int k = 0; k < 4; k++)
		if (!saw[k])
			fail_msg("no %s sample", want[k]);
	assert_string_equal(json_str(run.host, "hypervisor"), "xen");
	run_free(&run);
}

static void pv_domain_runs(void **state)
{
	(void)state;
	NEED_RESULTS();
	char text[16384], dir[PATH_MAX];
	if (atoi(slurp("run-pv.rc", text, sizeof(text))) != 0)
		fail_msg("bench run --xen-mode pv failed: %s",
		         slurp("run-pv.txt", text, sizeof(text)));
	snprintf(dir, sizeof(dir), "%s/run-pv", out_dir);
	struct run run = read_run(dir);
	assert_true(run.n_samples >= 1);
	assert_false(run.samples[0].failed);
	assert_string_equal(json_str(backend(&run.samples[0]), "mode"), "pv");
	json_t *vcpu = json_array_get(json_object_get(backend(&run.samples[0]), "vcpus"), 0);
	assert_string_equal(json_str(vcpu, "hard_affinity"), "1");
	run_free(&run);
}

/* A domain that never reaches its agent: a failed sample (exit 1) with
 * what dom0 knows (xl list, xl dmesg), and nothing left afterwards. */
static void unbootable_domain_is_reported(void **state)
{
	(void)state;
	NEED_RESULTS();
	char text[16384], dir[PATH_MAX];
	assert_int_equal(atoi(slurp("run-bad.rc", text, sizeof(text))), 1);
	snprintf(dir, sizeof(dir), "%s/run-bad", out_dir);
	struct run run = read_run(dir);
	assert_true(run.samples[0].failed);
	const char *why = run.samples[0].error;
	assert_non_null(strstr(why, "booting the pvh domain"));
	assert_non_null(strstr(why, "xl list:"));
	run_free(&run);
}

/* SIGINT mid-run: exit 130, no run file, and no domain, vif, bridge,
 * state directory or disk image left in dom0. */
static void interrupt_leaves_nothing(void **state)
{
	(void)state;
	NEED_RESULTS();
	char text[4096];
	assert_int_equal(atoi(slurp("interrupt.up", text, sizeof(text))), 1);
	assert_int_equal(atoi(slurp("interrupt.rc", text, sizeof(text))), 130);
	slurp("leftovers.txt", text, sizeof(text));
	const char *expected = "== xl list\n== vifs\n== bridge\n== state\n== scratch\n";
	if (strcmp(text, expected) != 0)
		fail_msg("left behind in dom0:\n%s", text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(list_shows_xen_available),
	    cmocka_unit_test(pvh_domain_runs_four_families),
	    cmocka_unit_test(pv_domain_runs),
	    cmocka_unit_test(unbootable_domain_is_reported),
	    cmocka_unit_test(interrupt_leaves_nothing),
	};
	return cmocka_run_group_tests_name("xen (nested dom0 results)", tests, find_results, NULL);
}
