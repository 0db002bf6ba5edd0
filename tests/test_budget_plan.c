/* The plan of a budgeted run (harness/run/budget_plan.c) on host shapes
 * other than the development machine: a KVM host whose guests boot in
 * 1 s, a 64-CPU host with four environments, one environment against
 * four, a TCG host whose measured costs cannot fit (the stated cut order,
 * the baseline never cut), a budget nothing fits; and the measured costs
 * kept between runs (harness/run/budget_costs.c): what a run's timing
 * leaves for the next plan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/run/budget_costs.h"
#include "harness/run/budget_plan.h"

static const char *const workloads[] = {"cpu.int",    "cpu.fp",     "mem.stream", "mem.latency",
                                        "mem.random", "os.syscall", "os.ctxsw",   "disk.seq_read"};
#define N_WL (sizeof(workloads) / sizeof(workloads[0]))

/* The quick profile's policy over n_envs environments (bare first). */
static void shape(struct budget_input *in, double budget, size_t n_envs, const char *const names[])
{
	*in = (struct budget_input){.budget_s = budget,
	                            .spent_s = 2,
	                            .report_s = 1,
	                            .n_envs = n_envs,
	                            .n_workloads = N_WL,
	                            .min_reps = 2,
	                            .max_reps = 3,
	                            .max_warmup = 3,
	                            .rep_min_s = 0.1,
	                            .rep_max_s = 2,
	                            .rep_fraction = 0.4,
	                            .density_studies = 2,
	                            .density_fraction = 0.2,
	                            .density_min_s = 10};
	for (size_t e = 0; e < n_envs; e++)
		in->env[e] = (struct budget_env){.name = names[e], .baseline = e == 0};
	for (size_t w = 0; w < N_WL; w++)
		in->workload[w] = workloads[w];
}

/* Removes a test's costs directory and its costs file. */
static void remove_costs_dir(const char *dir)
{
	char path[64];
	snprintf(path, sizeof(path), "%s/%s", dir, BUDGET_COSTS_NAME);
	unlink(path);
	rmdir(dir);
}

/* Every (workload, environment) measured at setup_s and over_s. */
static void costs(struct budget_input *in, size_t e, double start_s, double setup_s, double over_s)
{
	in->env[e].start_s = start_s;
	for (size_t w = 0; w < N_WL; w++)
		in->cost[w][e] = (struct budget_cost){
		    .known = true, .setup_s = setup_s, .teardown_s = 0.01, .rep_over_s = over_s};
}

static size_t planned(const struct budget_plan *p, size_t n_envs)
{
	size_t n = 0;
	for (size_t w = 0; w < N_WL; w++)
		for (size_t e = 0; e < n_envs; e++)
			n += p->run[w][e];
	return n;
}

/* A KVM host (guests boot in 1 s, set-up as on the host): everything fits
 * uncut, the repetitions get the time, the runner the rest. */
static void kvm_host_fits_uncut(void **state)
{
	(void)state;
	const char *names[] = {"bare", "container", "qemu"};
	struct budget_input in;
	struct budget_plan p;
	shape(&in, 300, 3, names);
	costs(&in, 0, 0, 0.2, 0.05);
	costs(&in, 1, 0.3, 0.25, 0.05);
	costs(&in, 2, 1.0, 0.3, 0.08);
	budget_plan_make(&in, &p);
	assert_true(p.fits);
	assert_int_equal(p.n_cuts, 0);
	assert_int_equal(planned(&p, 3), 3 * N_WL);
	assert_int_equal(p.warmups, 3);
	assert_true(p.density_s >= 10);
	/* 300 x 0.2 over 6 studies */
	assert_true(fabs(p.density_s - 10) < 1e-9);
	assert_true(p.rep_s > 0.1 && p.rep_s <= 2);
	assert_true(p.estimate_s <= 300);
	/* runner: the budget less what was spent, the report and density */
	assert_true(fabs(p.workloads_s - (300 - 2 - 1 - 6 * 10)) < 1e-9);
}

/* One environment gets longer repetitions than four in the same budget; a
 * 64-CPU host with four environments (each study to its share) still fits. */
static void one_env_against_four(void **state)
{
	(void)state;
	const char *names[] = {"bare", "container", "qemu", "xen"};
	struct budget_input one, four;
	struct budget_plan p1, p4;
	shape(&one, 1200, 1, names);
	costs(&one, 0, 0, 0.5, 0.02);
	shape(&four, 1200, 4, names);
	four.density_studies = 4; /* standard: idle, cpu.int, mem.stream, net.tcp_rr */
	for (size_t e = 0; e < 4; e++)
		costs(&four, e, e ? 1.0 : 0, 0.5, 0.05);
	budget_plan_make(&one, &p1);
	budget_plan_make(&four, &p4);
	assert_true(p1.fits && p4.fits);
	assert_true(p1.rep_s > p4.rep_s);
	assert_true(fabs(p4.density_s - 1200 * 0.2 / 16) < 1e-9);
	assert_int_equal(planned(&p4, 4), 4 * N_WL);
	for (size_t e = 0; e < 4; e++)
		assert_int_equal(p4.density_studies[e], 4);
}

/* Under TCG the guest's set-ups measured 20-40 s: the cuts come in the
 * stated order (repetitions, density time, the guest's extra studies,
 * then its costliest workloads), bare keeps every workload, and the
 * estimate ends within the budget. */
static void tcg_host_cuts_in_order(void **state)
{
	(void)state;
	const char *names[] = {"bare", "container", "qemu"};
	struct budget_input in;
	struct budget_plan p;
	shape(&in, 300, 3, names);
	costs(&in, 0, 0, 1.0, 0.1);
	costs(&in, 1, 0.5, 2.0, 0.1);
	costs(&in, 2, 8.0, 5.0, 3.0);
	in.cost[2][2].setup_s = 60; /* mem.stream */
	in.cost[3][2].setup_s = 50; /* mem.latency */
	in.cost[4][2].setup_s = 30; /* mem.random */
	in.cost[7][2].setup_s = 40; /* disk.seq_read */
	in.density_fraction = 0.3;  /* 15 s a study */
	in.cost[5][2].setup_s = 30; /* os.syscall: made costly for the test */
	budget_plan_make(&in, &p);
	assert_true(p.fits);
	assert_true(p.estimate_s <= 300);
	assert_true(p.n_cuts >= 3);
	assert_non_null(strstr(p.cut[0], "warm-ups at most 3 -> 1"));
	assert_true(p.rep_s >= 0.1);
	assert_int_equal(p.warmups, 1);
	assert_non_null(strstr(p.cut[1], "density studies"));
	assert_true(fabs(p.density_s - 10) < 1e-9);
	assert_non_null(strstr(p.cut[2], "qemu: 1 density study"));
	assert_int_equal(p.density_studies[2], 1);
	assert_int_equal(p.density_studies[0], 2);
	assert_non_null(strstr(p.cut[3], "container: 1 density study"));
	/* the costliest first: mem.stream, then mem.latency */
	assert_non_null(strstr(p.cut[4], "qemu: mem.stream not run"));
	assert_non_null(strstr(p.cut[5], "qemu: mem.latency not run"));
	assert_false(p.run[2][2]);
	for (size_t w = 0; w < N_WL; w++)
		assert_true(p.run[w][0]); /* the baseline is never cut */
	assert_true(p.run[0][2]);         /* cheap ones stay */
	for (size_t i = 0; i < p.n_cuts; i++)
		assert_null(strstr(p.cut[i], "bare:"));
}

/* Nothing fits: the plan cuts what it may and says by how much it is over. */
static void nothing_fits_says_so(void **state)
{
	(void)state;
	const char *names[] = {"bare", "qemu"};
	struct budget_input in;
	struct budget_plan p;
	shape(&in, 60, 2, names);
	costs(&in, 0, 0, 10.0, 0.1); /* bare alone needs 80 s of set-up */
	costs(&in, 1, 30.0, 10.0, 0.1);
	budget_plan_make(&in, &p);
	assert_false(p.fits);
	assert_int_equal(planned(&p, 2), N_WL); /* bare's only */
	assert_non_null(strstr(p.cut[p.n_cuts - 1], "over the 60 s budget by"));
	assert_true(p.workloads_s >= 1);
}

/* Density studies that ran past their budget before are planned with
 * that overrun: the guest's extra study is cut for it. */
static void density_overrun_planned(void **state)
{
	(void)state;
	const char *names[] = {"bare", "container", "qemu"};
	struct budget_input in;
	struct budget_plan p;
	shape(&in, 300, 3, names);
	costs(&in, 0, 0, 0.2, 0.05);
	costs(&in, 1, 0.3, 0.25, 0.05);
	costs(&in, 2, 1.0, 0.3, 0.08);
	in.env[2].density_over_s = 130; /* each qemu study took 140 s of its 10 s */
	budget_plan_make(&in, &p);
	assert_int_equal(p.density_studies[2], 1);
	assert_int_equal(p.density_studies[1], 2); /* the slowest-starting first */
	assert_true(p.fits);
	assert_non_null(strstr(p.cut[p.n_cuts - 1], "qemu: 1 density study"));

	char dir[] = "/tmp/test_budget_costs.XXXXXX";
	assert_non_null(mkdtemp(dir));
	json_t *c = budget_costs_load(dir);
	budget_costs_density(c, "qemu", 100);
	budget_costs_density(c, "bare", -2); /* within its budget */
	assert_int_equal(budget_costs_save(c, dir, NULL), 0);
	json_decref(c);
	c = budget_costs_load(dir);
	uint64_t size[N_WL] = {0};
	bool fixed[N_WL] = {false};
	struct budget_shape sh = {.size = size, .fixed_length = fixed, .threads = 1};
	shape(&in, 300, 3, names);
	budget_costs_fill(c, &sh, &in);
	assert_true(fabs(in.env[2].density_over_s - 100) < 1e-9);
	assert_true(in.env[0].density_over_s == 0);
	json_decref(c);
	remove_costs_dir(dir);
}

/* Unknown costs are never cut (nothing says they are costly); the plan
 * takes them as free and the runner's shares bound them. */
static void unknown_costs_not_cut(void **state)
{
	(void)state;
	const char *names[] = {"bare", "qemu"};
	struct budget_input in;
	struct budget_plan p;
	shape(&in, 300, 2, names);
	budget_plan_make(&in, &p);
	assert_true(p.fits);
	assert_int_equal(planned(&p, 2), 2 * N_WL);
	assert_int_equal(p.n_cuts, 0);
}

/* A run's timing becomes the next plan's costs, per environment, workload,
 * size and thread count; an iteration-bound repetition keeps its own time. */
static void costs_from_timing(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_budget_costs.XXXXXX";
	assert_non_null(mkdtemp(dir));
	json_t *c = budget_costs_load(dir); /* none yet: empty */
	assert_int_equal(json_object_size(json_object_get(c, "workloads")), 0);
	const char *names[] = {"bare", "qemu"};
	struct budget_input in;
	shape(&in, 300, 2, names);
	in.n_workloads = 3;
	in.workload[1] = "mem.stream";
	in.workload[2] = "mem.latency";
	uint64_t size[3] = {0, 1 << 30, 1 << 30};
	bool fixed[3] = {false, true, false};
	struct budget_shape sh = {.size = size, .fixed_length = fixed, .threads = 1};
	static struct run_timing t;
	memset(&t, 0, sizeof(t));
	run_timing_add_start(&t, "bare", 0.0);
	run_timing_add_start(&t, "qemu", 8.0);
	run_timing_add_start(&t, "qemu", 6.0); /* restarted once: mean 7 */
	/* mem.stream in qemu: 30 s set-up, 4 reps of 3 s wall, 2 s timed each */
	run_timing_add_workload(&t, "qemu", "mem.stream", RUN_PHASE_SETUP, 30, 0);
	run_timing_add_workload(&t, "qemu", "mem.stream", RUN_PHASE_WARMUP, 3, 1);
	run_timing_add_workload(&t, "qemu", "mem.stream", RUN_PHASE_MEASURE, 9, 3);
	run_timing_add_timed(&t, "qemu", "mem.stream", 8);
	/* mem.latency in qemu: ran to its 0.5 s length, 0.25 s beyond it */
	run_timing_add_workload(&t, "qemu", "mem.latency", RUN_PHASE_SETUP, 12, 0);
	run_timing_add_workload(&t, "qemu", "mem.latency", RUN_PHASE_MEASURE, 1.5, 2);
	run_timing_add_timed(&t, "qemu", "mem.latency", 1.0);
	budget_costs_update(c, &t, &in, &sh, 0.5, 0.8);
	assert_int_equal(budget_costs_save(c, dir, NULL), 0);
	json_decref(c);

	c = budget_costs_load(dir);
	struct budget_input next;
	shape(&next, 300, 2, names);
	next.n_workloads = 3;
	next.workload[1] = "mem.stream";
	next.workload[2] = "mem.latency";
	assert_int_equal(budget_costs_fill(c, &sh, &next), 2);
	assert_true(fabs(next.env[1].start_s - 7.0) < 1e-9);
	assert_true(fabs(next.report_s - 0.8) < 1e-9);
	const struct budget_cost *st = &next.cost[1][1], *lat = &next.cost[2][1];
	assert_true(st->known && st->fixed_length);
	assert_true(fabs(st->setup_s - 30) < 1e-9);
	assert_true(fabs(st->rep_own_s - 2) < 1e-9);
	assert_true(fabs(st->rep_over_s - 1) < 1e-9);
	assert_true(lat->known && !lat->fixed_length);
	assert_true(fabs(lat->rep_own_s - 0.5) < 1e-9); /* ran to its length */
	assert_true(fabs(lat->rep_at_s - 0.5) < 1e-9);
	assert_true(fabs(budget_rep_s(lat, 1.5) - 1.5) < 1e-9); /* follows the plan's length */
	assert_true(fabs(lat->rep_over_s - 0.25) < 1e-9);
	assert_false(next.cost[0][1].known); /* cpu.int never ran */
	/* another size is another cost */
	size[1] = 1 << 20;
	assert_int_equal(budget_costs_fill(c, &sh, &next), 1);
	json_decref(c);
	remove_costs_dir(dir);
}

/* A repetition's timed part under another length: fixed-length ones keep
 * theirs, early enders at most theirs, overrunners at least theirs. */
static void repetition_length(void **state)
{
	(void)state;
	struct budget_cost fixed = {.known = true, .rep_own_s = 6, .fixed_length = true};
	struct budget_cost early = {.known = true, .rep_own_s = 0.2, .rep_at_s = 1};
	struct budget_cost over = {.known = true, .rep_own_s = 3.4, .rep_at_s = 0.38};
	struct budget_cost to_length = {.known = true, .rep_own_s = 0.39, .rep_at_s = 0.38};
	assert_true(budget_rep_s(&fixed, 0.1) == 6);
	assert_true(fabs(budget_rep_s(&early, 0.5) - 0.2) < 1e-9);
	assert_true(fabs(budget_rep_s(&early, 0.1) - 0.1) < 1e-9);
	assert_true(fabs(budget_rep_s(&over, 0.1) - 3.4) < 1e-9);
	assert_true(fabs(budget_rep_s(&over, 5) - 5) < 1e-9);
	assert_true(fabs(budget_rep_s(&to_length, 1) - 1) < 1e-9);
}

/* While running, a set-up never measured in an environment is guessed
 * from the baseline's: its set-up times the environment's ratio so far. */
static void setup_guess(void **state)
{
	(void)state;
	struct budget_cost known = {.known = true, .setup_s = 12};
	assert_true(budget_setup_guess(&known, 0.5, 1, 1) == 12); /* measured wins */
	/* TCG: 40x the baseline's set-ups so far; bare's 0.9 s -> 36 s */
	assert_true(fabs(budget_setup_guess(NULL, 0.9, 0.96, 0.024) - 36) < 1e-9);
	/* a KVM guest (1.1x) */
	assert_true(fabs(budget_setup_guess(NULL, 0.9, 0.0264, 0.024) - 0.99) < 1e-9);
	/* nothing to guess from: a baseline set-up too short, no ratio yet */
	assert_true(budget_setup_guess(NULL, 0.001, 1, 1) < 0);
	assert_true(budget_setup_guess(NULL, 0.9, 0, 0) < 0);
	/* the ratio seeded from costs measured before: pairs known on both sides */
	const char *names[] = {"bare", "qemu"};
	struct budget_input in;
	shape(&in, 300, 2, names);
	costs(&in, 0, 0, 0, 0);
	in.cost[2][0].setup_s = 2.7; /* mem.stream on bare */
	in.cost[2][1] = (struct budget_cost){.known = true, .setup_s = 39.7};
	in.cost[0][1] = (struct budget_cost){.known = true, .setup_s = 0.1};
	in.cost[0][0].setup_s = 0.01; /* cpu.int */
	double env_sum, base_sum;
	budget_setup_sums(&in, 1, 0, &env_sum, &base_sum);
	assert_true(fabs(env_sum - 39.8) < 1e-9 && fabs(base_sum - 2.71) < 1e-9);
	/* mem.latency, never measured in qemu: bare's 7.3 s x 14.7 */
	assert_true(fabs(budget_setup_guess(NULL, 7.3, env_sum, base_sum) - 7.3 * 39.8 / 2.71) <
	            1e-9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(kvm_host_fits_uncut),
	    cmocka_unit_test(one_env_against_four),
	    cmocka_unit_test(tcg_host_cuts_in_order),
	    cmocka_unit_test(nothing_fits_says_so),
	    cmocka_unit_test(unknown_costs_not_cut),
	    cmocka_unit_test(costs_from_timing),
	    cmocka_unit_test(setup_guess),
	    cmocka_unit_test(repetition_length),
	    cmocka_unit_test(density_overrun_planned),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
