/* Unit tests for reports/gatefile.c: a full gate file, and its errors
 * (each with file:line:col and the key at fault). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "reports/gatefile.h"

static char path[64];

static void write_doc(const char *text)
{
	snprintf(path, sizeof(path), "/tmp/test_gate_%d.yaml", (int)getpid());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void full_file(void **state)
{
	(void)state;
	write_doc("envs: [bare, container]\n"
	          "workloads: cpu.int, os.syscall\n"
	          "run:\n  reps: 10\n  duration: 0.2\n  cpu_limit: 0.8\n  buffered: true\n"
	          "tolerance: 5\n"
	          "metrics:\n"
	          "  - {workload: os.syscall, tolerance: 10}\n"
	          "  - {env: container, workload: cpu.int, metric: 'o*', gated: false}\n"
	          "expect: [kernel, guest]\n"
	          "baseline: history:tag=main\n"
	          "on_inconclusive: fail\n"
	          "add_to_history: never\n");
	struct gate_file g;
	struct bench_error *err = NULL;
	if (gate_file_read(&g, path, &err) < 0)
		fail_msg("%s", err->msg);
	assert_int_equal(g.n_envs, 2);
	assert_int_equal(g.n_workloads, 2);
	assert_string_equal(g.workloads[1], "os.syscall");
	assert_int_equal(g.n_run_args, 7);
	assert_string_equal(g.run_args[0], "--reps");
	assert_string_equal(g.run_args[1], "10");
	assert_string_equal(g.run_args[4], "--buffered");
	assert_string_equal(g.run_args[5], "--cpu-limit");
	assert_true(g.tolerance == 0.05);
	assert_true(g.inconclusive_fails);
	assert_int_equal(g.add, GATE_ADD_NEVER);
	assert_int_equal(g.n_expect, 2);
	assert_string_equal(g.baseline, "history:tag=main");
	double tol;
	assert_true(gate_lookup(&g, "bare", "os.syscall", "ns_per_call", &tol));
	assert_true(tol == 0.10);
	assert_true(gate_lookup(&g, "bare", "cpu.int", "ops", &tol));
	assert_true(tol == 0.05);
	assert_false(gate_lookup(&g, "container", "cpu.int", "ops", &tol));
	assert_false(gate_lookup(&g, "bare", "mem.stream", "triad", &tol));
	gate_file_free(&g);
}

/* Each bad document and a piece of the message it must give. */
static const struct {
	const char *doc, *message;
} bad[] = {
    {"envs: [bare]\n", "missing key 'workloads'"},
    {"envs: [bare]\nworkloads: [cpu.int]\ntolerence: 5\n",
     ":3:1: /.key(tolerence): unknown key 'tolerence'"},
    {"envs: [bare]\nworkloads: [cpu.int]\ntolerance: five\n",
     ":3:12: /tolerance: expected a number, found 'five'"},
    {"envs: [bare]\nworkloads: [cpu.int]\ntolerance: 150\n",
     "a tolerance is a percentage in (0, 100)"},
    {"envs: [bare]\nworkloads: [cpu.int]\nrun:\n  duration: soon\n",
     ":4:13: /run/duration: --duration: 'soon' is not a number"},
    {"envs: [bare]\nworkloads: [cpu.int]\nrun:\n  repz: 3\n", "unknown key 'repz'"},
    {"envs: [bare]\nworkloads: [cpu.int]\nrun: {min_reps: 9, max_reps: 3}\n",
     "/run: --min-reps 9 is above --max-reps 3"},
    {"envs: [bare]\nworkloads: [cpu.int]\nexpect: [kernal]\n",
     "--expect kernal: unknown key (valid: kernel,"},
    {"envs: [bare]\nworkloads: [cpu.int]\nmetrics:\n  - {tolerance: 3}\n",
     "missing key 'workload'"},
    {"envs: [bare]\nworkloads: [cpu.int]\non_inconclusive: maybe\n",
     "'maybe' is not one of pass, fail"},
    {"envs: []\nworkloads: [cpu.int]\n", "an empty list"},
    {"envs: [bare\nworkloads: [cpu.int]\n", ":"},
};

static void errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_doc(bad[i].doc);
		struct gate_file g;
		struct bench_error *err = NULL;
		assert_int_equal(gate_file_read(&g, path, &err), -1);
		if (strstr(err->msg, bad[i].message) == NULL || strstr(err->msg, path) == NULL)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err->msg, bad[i].message);
		bench_error_free(&err);
		gate_file_free(&g);
	}
	struct gate_file g;
	struct bench_error *err = NULL;
	assert_int_equal(gate_file_read(&g, "/nonexistent/gate.yaml", &err), -1);
	assert_non_null(strstr(err->msg, "cannot open"));
	bench_error_free(&err);
	gate_file_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(full_file, teardown),
	    cmocka_unit_test_teardown(errors, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
