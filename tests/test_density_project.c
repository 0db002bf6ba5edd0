/* The density projection (harness/run/density_project.c) on fixtures:
 * the fit and its interval, the footprint methods, each limit, the binding
 * choice, the floor at what was measured, another host, the knee. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "harness/run/density_project.h"

#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * MIB)

static const double avail_n[] = {0, 1, 2, 4, 8};
static double avail_b[5];
static const double flat_start[] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5};

/* 24 GiB host, 20 GiB available before, 10 MiB gone per instance exactly. */
static struct density_measured idle_fixture(void)
{
	for (size_t i = 0; i < 5; i++)
		avail_b[i] = 20 * GIB - avail_n[i] * 10 * MIB;
	return (struct density_measured){
	    .cpus = 2,
	    .mem_total = 24 * GIB,
	    .avail_before = 20 * GIB,
	    .reserve = 0.10,
	    .workload = false,
	    .qos = 0.9,
	    .max_ok = 8,
	    .pss = 8 * MIB,
	    .accounted = 9 * MIB,
	    .avail_n = avail_n,
	    .avail_bytes = avail_b,
	    .n_avail = 5,
	    .demand = 0.001,
	    .demand_low = 0.0005,
	    .demand_high = 0.002,
	    .start_s = flat_start,
	    .n_start = 8,
	    .start_factor = 10,
	};
}

static void fit_line(void **state)
{
	(void)state;
	double x[] = {1, 2, 3, 4}, y[] = {3, 5, 7, 9}, a, b, lo, hi;
	assert_int_equal(density_fit(x, y, 4, &a, &b, &lo, &hi), 0);
	assert_float_equal(a, 1, 1e-12);
	assert_float_equal(b, 2, 1e-12);
	assert_float_equal(lo, 2, 1e-9);
	assert_float_equal(hi, 2, 1e-9);
	/* noise widens the interval around the slope: t(0.975, 2) = 4.303 */
	double yn[] = {3, 5.5, 6.5, 9};
	assert_int_equal(density_fit(x, yn, 4, &a, &b, &lo, &hi), 0);
	assert_float_equal(b, 1.9, 1e-12);
	/* residuals -0.15, 0.45, -0.45, 0.15 around 1.25 + 1.9 x */
	double se = sqrt(0.45 / 2 / 5.0);
	assert_float_equal(hi - b, 4.302653 * se, 1e-4);
	assert_int_equal(density_fit(x, y, 2, &a, &b, &lo, &hi), -1);
	double same[] = {2, 2, 2};
	assert_int_equal(density_fit(same, y, 3, &a, &b, &lo, &hi), -1);
	assert_true(isnan(b));
}

/* Memory binds: 17.6 GiB usable / 10 MiB (the slope), interval from the
 * direct figures; idle CPU second; start time unbounded. */
static void idle_memory_binds(void **state)
{
	(void)state;
	struct density_measured m = idle_fixture();
	struct density_projection p;
	struct bench_error *err = NULL;
	assert_int_equal(density_project(&m, NULL, &p, &err), 0);
	assert_string_equal(p.footprint_method, "memavailable_slope");
	assert_float_equal(p.footprint, 10 * MIB, 1);
	assert_float_equal(p.footprint_low, 8 * MIB, 1);
	assert_float_equal(p.footprint_high, 10 * MIB, 1);
	double usable = 20 * GIB - 0.1 * 24 * GIB;
	assert_float_equal(p.usable, usable, 1);
	assert_float_equal(p.memory.instances, usable / (10 * MIB), 1e-6);
	assert_float_equal(p.memory.high, usable / (8 * MIB), 1e-6);
	assert_float_equal(p.cpu.instances, 2000, 1e-6);
	assert_float_equal(p.cpu.low, 1000, 1e-6);
	assert_float_equal(p.cpu.high, 4000, 1e-6);
	assert_true(isinf(p.start.instances));
	assert_string_equal(p.binding, "memory");
	assert_float_equal(p.instances, usable / (10 * MIB), 1e-6);
	assert_float_equal(p.low, 1000, 1e-6); /* the CPU's low end reaches below */
	assert_float_equal(p.high, usable / (8 * MIB), 1e-6);
	assert_string_equal(p.close, "cpu");
	assert_float_equal(p.per_gib, p.instances / 24, 1e-9);
	assert_true(p.low <= p.instances && p.instances <= p.high);
}

/* A slope whose interval reaches zero is not used: the direct figures are. */
static void noisy_slope_falls_back(void **state)
{
	(void)state;
	struct density_measured m = idle_fixture();
	double b[] = {20 * GIB, 20 * GIB + 300 * MIB, 20 * GIB - 200 * MIB, 20 * GIB + 100 * MIB,
	              20 * GIB - 50 * MIB};
	m.avail_bytes = b;
	struct density_projection p;
	struct bench_error *err = NULL;
	assert_int_equal(density_project(&m, NULL, &p, &err), 0);
	assert_string_equal(p.footprint_method, "direct");
	assert_float_equal(p.footprint, 9 * MIB, 1);
	assert_float_equal(p.footprint_low, 8 * MIB, 1);
}

/* cpu.int: QoS held with 2 and broke with 3 on 2 CPUs: measured here; on
 * 64 CPUs the bracket scales to [64, 96] and the model gives 64 / 0.9. */
static void qos_break_and_target(void **state)
{
	(void)state;
	struct density_measured m = idle_fixture();
	m.workload = true;
	m.qos_resource = "cpu";
	m.max_ok = 2;
	m.first_bad = 3;
	m.demand = m.demand_low = m.demand_high = 1.0;
	struct density_projection p;
	struct bench_error *err = NULL;
	assert_int_equal(density_project(&m, NULL, &p, &err), 0);
	assert_string_equal(p.binding, "cpu");
	assert_true(p.cpu.measured);
	assert_float_equal(p.instances, 2, 0);
	assert_float_equal(p.low, 2, 0);
	assert_float_equal(p.high, 2, 0);
	struct density_host t;
	assert_int_equal(density_host_parse("cores=64,memory=512G", &t, &err), 0);
	assert_int_equal(density_project(&m, &t, &p, &err), 0);
	assert_string_equal(p.binding, "cpu");
	assert_false(p.cpu.measured);
	assert_float_equal(p.cpu.low, 64, 1e-9);
	assert_float_equal(p.cpu.high, 96, 1e-9);
	assert_float_equal(p.instances, 64 / 0.9, 1e-9);
	/* memory on the target: 512 GiB x 0.9 less this host's use (4 GiB) */
	assert_float_equal(p.usable, 512 * GIB * 0.9 - 4 * GIB, 1);
	assert_float_equal(p.per_gib, p.instances / 512, 1e-9);
	/* base= given */
	assert_int_equal(density_host_parse("cores=64,memory=512G,base=8G", &t, &err), 0);
	assert_int_equal(density_project(&m, &t, &p, &err), 0);
	assert_float_equal(p.usable, 512 * GIB * 0.9 - 8 * GIB, 1);
}

/* Unbroken QoS: the fair-share model, never below what was measured. */
static void fair_share_floor(void **state)
{
	(void)state;
	struct density_measured m = idle_fixture();
	m.workload = true;
	m.qos_resource = "cpu";
	m.max_ok = 2;
	m.demand = 0.5;
	m.demand_low = 0.4;
	m.demand_high = 0.6;
	struct density_projection p;
	struct bench_error *err = NULL;
	assert_int_equal(density_project(&m, NULL, &p, &err), 0);
	assert_float_equal(p.cpu.instances, 2 / (0.5 * 0.9), 1e-9);
	assert_float_equal(p.cpu.low, 2 / (0.6 * 0.9), 1e-9);
	assert_float_equal(p.cpu.high, 2 / (0.4 * 0.9), 1e-9);
	assert_string_equal(p.binding, "cpu");
	/* measured to hold 6: no limit below it */
	m.max_ok = 6;
	assert_int_equal(density_project(&m, NULL, &p, &err), 0);
	assert_float_equal(p.cpu.instances, 6, 0);
	assert_float_equal(p.low, 6, 0);
	/* memory measured to run short */
	m.memory_stop = true;
	m.demand = m.demand_low = m.demand_high = 0.01;
	assert_int_equal(density_project(&m, NULL, &p, &err), 0);
	assert_string_equal(p.binding, "memory");
	assert_true(p.memory.measured);
	assert_float_equal(p.instances, 6, 0);
}

/* Start time: measured over the bar, or the fitted line's crossing. */
static void start_time(void **state)
{
	(void)state;
	struct density_measured m = idle_fixture();
	m.pss = m.accounted = 0.01 * MIB;
	m.n_avail = 0;
	m.demand = m.demand_low = m.demand_high = 0;
	double lin[] = {1.0, 1.1, 1.2, 1.3, 1.4, 1.5};
	m.start_s = lin;
	m.n_start = 6;
	m.max_ok = 6;
	struct density_projection p;
	struct bench_error *err = NULL;
	assert_int_equal(density_project(&m, NULL, &p, &err), 0);
	assert_string_equal(p.binding, "start_time");
	assert_float_equal(p.start.instances, (10 - 0.9) / 0.1, 1e-6);
	assert_float_equal(p.start.low, p.start.instances, 1e-6);
	double over[] = {1.0, 2, 4, 8, 11, 12};
	m.start_s = over;
	m.max_ok = 4;
	assert_int_equal(density_project(&m, NULL, &p, &err), 0);
	assert_true(p.start.measured);
	assert_float_equal(p.start.instances, 4, 0);
	/* a 10x slip of a 5 ms start stays under the 1 s floor of the bar */
	double fast[] = {0.005, 0.054, 0.006, 0.007, 0.005, 0.006};
	m.start_s = fast;
	m.max_ok = 6;
	assert_int_equal(density_project(&m, NULL, &p, &err), 0);
	assert_false(p.start.measured);
	m.start_s = over;
	m.start_fail = 3;
	m.max_ok = 2;
	assert_int_equal(density_project(&m, NULL, &p, &err), 0);
	assert_float_equal(p.start.instances, 2, 0);
	assert_string_equal(p.binding, "start_failure");
	/* a start that failed here (a pool, a limit of this host) is not carried
	 * to another host; the latency bar is */
	struct density_host t;
	assert_int_equal(density_host_parse("cores=64,memory=512G", &t, &err), 0);
	assert_int_equal(density_project(&m, &t, &p, &err), 0);
	assert_false(p.start.measured && p.start.instances == 2);
	assert_string_equal(p.binding, "start_time");
}

static void nothing_to_project(void **state)
{
	(void)state;
	struct density_measured m = idle_fixture();
	m.pss = m.accounted = NAN;
	m.n_avail = 0;
	m.demand = m.demand_low = m.demand_high = NAN;
	struct density_projection p;
	struct bench_error *err = NULL;
	assert_int_equal(density_project(&m, NULL, &p, &err), -1);
	assert_non_null(strstr(err->msg, "nothing bounds"));
	bench_error_free(&err);
}

static void host_parse(void **state)
{
	(void)state;
	struct density_host h;
	struct bench_error *err = NULL;
	assert_int_equal(density_host_parse("cores=64,memory=512G,threads=128", &h, &err), 0);
	assert_float_equal(h.cores, 64, 0);
	assert_float_equal(h.cpus, 128, 0);
	assert_float_equal(h.memory, 512 * GIB, 0);
	assert_false(h.base_given);
	const char *bad[] = {"cores=64",
	                     "memory=1G",
	                     "cores=0,memory=1G",
	                     "cores=4,memory=1Q",
	                     "cores=4,memory=1G,disks=3",
	                     "cores",
	                     "cores=4,memory=1G,base=2G"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(density_host_parse(bad[i], &h, &err), -1);
		assert_non_null(err);
		bench_error_free(&err);
	}
}

static void knee(void **state)
{
	(void)state;
	double n[] = {1, 2, 4, 8}, flat[] = {10, 19, 22, 23}, grows[] = {10, 20, 40, 79}, peak;
	assert_float_equal(density_knee(n, flat, 4, 10, 0.25, &peak), 2, 0);
	assert_float_equal(peak, 8, 0);
	assert_float_equal(density_knee(n, grows, 4, 10, 0.25, &peak), 0, 0);
	double falls[] = {10, 12, 11, 9};
	assert_float_equal(density_knee(n, falls, 4, 10, 0.25, &peak), 1, 0);
	assert_float_equal(peak, 2, 0);
}

/* What bench tco reads: instances, low <= instances <= high, binding,
 * target_host {cores, memory_bytes}; unbounded numbers are null. */
static void json_shape(void **state)
{
	(void)state;
	struct density_measured m = idle_fixture();
	struct density_projection p;
	struct density_host t;
	struct bench_error *err = NULL;
	assert_int_equal(density_host_parse("cores=64,memory=512G", &t, &err), 0);
	assert_int_equal(density_project(&m, &t, &p, &err), 0);
	json_t *j = density_projection_json(&p, &t, "cores=64,memory=512G");
	double v = json_number_value(json_object_get(j, "instances"));
	assert_true(json_number_value(json_object_get(j, "low")) <= v);
	assert_true(v <= json_number_value(json_object_get(j, "high")));
	assert_string_equal(json_string_value(json_object_get(j, "binding")), p.binding);
	json_t *th = json_object_get(j, "target_host");
	assert_int_equal(json_integer_value(json_object_get(th, "cores")), 64);
	assert_int_equal(json_integer_value(json_object_get(th, "memory_bytes")), 512ll << 30);
	json_t *start = json_object_get(json_object_get(j, "limits"), "start_time");
	assert_true(json_is_null(json_object_get(start, "instances")));
	json_decref(j);
	/* memory unmeasured, idle instances using no CPU, start growing with an
	 * interval reaching zero: the high end is unbounded */
	m.pss = m.accounted = NAN;
	m.n_avail = 0;
	m.demand = m.demand_low = m.demand_high = 0;
	double noisy[] = {1.0, 1.3, 1.1, 1.4, 1.2, 1.5};
	m.start_s = noisy;
	m.n_start = 6;
	assert_int_equal(density_project(&m, NULL, &p, &err), 0);
	assert_string_equal(p.binding, "start_time");
	assert_true(isinf(p.high));
	j = density_projection_json(&p, NULL, NULL);
	assert_null(json_object_get(j, "high"));
	assert_null(json_object_get(j, "low"));
	assert_float_equal(json_number_value(json_object_get(j, "low_bound")), p.low, 1e-9);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fit_line),
	    cmocka_unit_test(idle_memory_binds),
	    cmocka_unit_test(noisy_slope_falls_back),
	    cmocka_unit_test(qos_break_and_target),
	    cmocka_unit_test(fair_share_floor),
	    cmocka_unit_test(start_time),
	    cmocka_unit_test(nothing_to_project),
	    cmocka_unit_test(host_parse),
	    cmocka_unit_test(knee),
	    cmocka_unit_test(json_shape),
	};
	return cmocka_run_group_tests_name("density_project", tests, NULL, NULL);
}
