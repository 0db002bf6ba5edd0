/* The run's time split (harness/run/timing.c): phases per environment in
 * first-use order, steps with their per-environment share, the run file's
 * object and the printed table; and a workload's share of a budget. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/run/runner.h"
#include "harness/run/timing.h"

static double num(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(json_object_get(o, a), b);
	if (v == NULL)
		fail_msg("no %s.%s", a, b);
	return json_real_value(v);
}

static void split_by_env_and_phase(void **state)
{
	(void)state;
	struct run_timing t = {0};
	run_timing_add(&t, "qemu", RUN_PHASE_START, 4.0);
	run_timing_add(&t, "bare", RUN_PHASE_MEASURE, 2.0);
	run_timing_add(&t, "qemu", RUN_PHASE_MEASURE, 1.5);
	run_timing_add(&t, "qemu", RUN_PHASE_MEASURE, 0.5);
	run_timing_add(&t, "bare", RUN_PHASE_WARMUP, 1.0);
	assert_int_equal(t.n_envs, 2);
	assert_string_equal(t.env[0], "qemu"); /* first use decides the order */
	assert_true(fabs(run_timing_env_total(&t, "qemu") - 6.0) < 1e-9);
	assert_true(fabs(run_timing_env_total(&t, "bare") - 3.0) < 1e-9);
	assert_true(fabs(run_timing_env_total(&t, NULL) - 9.0) < 1e-9);
	assert_true(run_timing_env_total(&t, "xen") == 0);
	run_timing_step(&t, "plan", NULL, 0.25);
	run_timing_step(&t, "density", "bare", 3.0);
	run_timing_step(&t, "density", "qemu", 7.0);
	run_timing_step(&t, "density", "xen", 1.0); /* a step may add an environment */
	assert_int_equal(t.n_steps, 2);
	assert_int_equal(t.n_envs, 3);

	json_t *doc = run_timing_to_json(&t);
	json_t *by_env = json_object_get(doc, "by_env");
	assert_true(fabs(num(by_env, "qemu", "start_s") - 4.0) < 1e-9);
	assert_true(fabs(num(by_env, "qemu", "measure_s") - 2.0) < 1e-9);
	assert_true(fabs(num(by_env, "qemu", "total_s") - 6.0) < 1e-9);
	assert_true(fabs(num(by_env, "bare", "warmup_s") - 1.0) < 1e-9);
	assert_true(num(by_env, "bare", "teardown_s") == 0);
	assert_true(fabs(num(doc, "steps", "density_s") - 11.0) < 1e-9);
	assert_true(fabs(num(doc, "steps", "plan_s") - 0.25) < 1e-9);
	assert_true(fabs(num(json_object_get(doc, "steps"), "density_by_env", "qemu") - 7.0) <
	            1e-9);
	/* a step without environments has no split */
	assert_null(json_object_get(json_object_get(doc, "steps"), "plan_by_env"));
	json_decref(doc);

	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	run_timing_print(f, &t, 125.0);
	fclose(f);
	assert_non_null(strstr(text, "time: 2m05s (plan 0.2s, density 11.0s [qemu 7.0s, bare 3.0s, "
	                             "xen 1.0s])"));
	assert_non_null(strstr(text, "warmup"));
	assert_non_null(strstr(text, "  qemu"));
	assert_non_null(strstr(text, "  all "));
	free(text);
}

static void no_steps_no_step_object(void **state)
{
	(void)state;
	struct run_timing t = {0};
	run_timing_add(&t, "bare", RUN_PHASE_SETUP, 0.1);
	json_t *doc = run_timing_to_json(&t);
	assert_null(json_object_get(doc, "steps"));
	assert_true(fabs(num(json_object_get(doc, "by_env"), "bare", "setup_s") - 0.1) < 1e-9);
	json_decref(doc);
	assert_string_equal(run_phase_name(RUN_PHASE_TEARDOWN), "teardown");
	assert_string_equal(run_phase_name(RUN_PHASES), "?");
}

/* Per workload and environment: set-up, repetitions and their timed
 * parts, in the run file and the printed costliest pairs. */
static void per_workload_split(void **state)
{
	(void)state;
	static struct run_timing t;
	memset(&t, 0, sizeof(t));
	run_timing_add_start(&t, "bare", 0.01);
	run_timing_add_start(&t, "qemu", 8.0);
	run_timing_add_workload(&t, "qemu", "mem.latency", RUN_PHASE_SETUP, 48.0, 0);
	run_timing_add_workload(&t, "qemu", "mem.latency", RUN_PHASE_MEASURE, 3.0, 2);
	run_timing_add_workload(&t, "qemu", "mem.latency", RUN_PHASE_MEASURE, 1.5, 1);
	run_timing_add_timed(&t, "qemu", "mem.latency", 1.2);
	run_timing_add_workload(&t, "bare", "mem.latency", RUN_PHASE_SETUP, 2.0, 0);
	run_timing_add_workload(&t, "bare", "cpu.int", RUN_PHASE_WARMUP, 0.5, 1);
	assert_int_equal(t.starts[1], 1);
	assert_true(fabs(t.s[1][RUN_PHASE_SETUP] - 48.0) < 1e-9); /* in the env's phase too */
	unsigned reps;
	assert_true(
	    fabs(run_timing_workload_s(&t, "qemu", "mem.latency", RUN_PHASE_MEASURE, &reps) - 4.5) <
	    1e-9);
	assert_int_equal(reps, 3);
	assert_true(fabs(run_timing_timed_s(&t, "qemu", "mem.latency") - 1.2) < 1e-9);
	assert_true(run_timing_workload_s(&t, "qemu", "cpu.int", RUN_PHASE_SETUP, &reps) == 0);
	assert_int_equal(reps, 0);
	json_t *doc = run_timing_to_json(&t);
	json_t *lat = json_object_get(json_object_get(doc, "by_workload"), "mem.latency");
	assert_true(fabs(num(lat, "qemu", "setup_s") - 48.0) < 1e-9);
	assert_true(fabs(num(lat, "qemu", "timed_s") - 1.2) < 1e-9);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(lat, "qemu"), "measure_reps")), 3);
	json_decref(doc);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	run_timing_print(f, &t, 60.0);
	fclose(f);
	assert_non_null(strstr(text, "costliest: qemu/mem.latency 52.5s (set-up 48.0s), "
	                             "bare/mem.latency 2.0s (set-up 2.0s), bare/cpu.int 0.5s"));
	free(text);
}

/* Each workload's share of a budget: what is left over the units left. */
static void budget_shares(void **state)
{
	(void)state;
	assert_true(runner_budget_share(0, 100, 5) == 0); /* no budget */
	/* 210 s for 14 workloads in one interleaved round: 15 s each */
	assert_true(fabs(runner_budget_share(1210, 1000, 14) - 15.0) < 1e-9);
	/* a slow first workload leaves less for the others */
	assert_true(fabs(runner_budget_share(1210, 1040, 13) - 170.0 / 13) < 1e-9);
	/* past the deadline: a token share, never zero or negative */
	assert_true(runner_budget_share(1210, 1300, 2) > 0);
	assert_true(runner_budget_share(1210, 1300, 2) < 0.01);
	assert_true(fabs(runner_budget_share(1210, 1000, 0) - 210.0) < 1e-9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(split_by_env_and_phase),
	    cmocka_unit_test(no_steps_no_step_object),
	    cmocka_unit_test(budget_shares),
	    cmocka_unit_test(per_workload_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
