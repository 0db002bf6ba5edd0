/* Steal bookkeeping: /proc/stat parsing over a CPU set, the share of an
 * interval, and the per-repetition record a sample carries (its JSON). The
 * /proc/stat texts are written here; one reading of the real file checks
 * that this kernel's lines parse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness/core/cpu_steal.h"
#include "harness/run/collect.h"

/* user nice system idle iowait irq softirq steal guest guest_nice */
static const char stat_a[] = "cpu  300 0 100 1000 0 0 0 60 0 0\n"
                             "cpu0 100 0 50 300 0 0 0 50 7 0\n"
                             "cpu1 200 0 50 700 0 0 0 10 0 0\n"
                             "intr 12345 0 0\n"
                             "ctxt 999\n"
                             "cpu_extra 1 2 3\n";
static const char stat_b[] = "cpu  900 0 200 1400 0 0 0 100 0 0\n"
                             "cpu0 500 0 60 300 0 0 0 90 7 0\n"
                             "cpu1 400 0 140 1100 0 0 0 10 0 0\n";

static int parse(const char *text, const bool *cpus, struct cpu_ticks *t, struct bench_error **err)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	int rc = cpu_ticks_parse(f, cpus, t, err);
	fclose(f);
	return rc;
}

static void sums_the_cpus_asked(void **state)
{
	(void)state;
	struct cpu_ticks t;
	struct bench_error *err = NULL;
	assert_int_equal(parse(stat_a, NULL, &t, &err), 0);
	assert_int_equal(t.n_cpus, 2);
	assert_int_equal(t.total, 500 + 960); /* guest columns are not added again */
	assert_int_equal(t.steal, 60);
	static bool cpu0[CPULIST_MAX] = {[0] = true};
	assert_int_equal(parse(stat_a, cpu0, &t, &err), 0);
	assert_int_equal(t.n_cpus, 1);
	assert_int_equal(t.total, 500);
	assert_int_equal(t.steal, 50);
}

static void refuses_what_it_cannot_read(void **state)
{
	(void)state;
	struct cpu_ticks t;
	struct bench_error *err = NULL;
	static bool cpu5[CPULIST_MAX] = {[5] = true};
	assert_int_equal(parse(stat_a, cpu5, &t, &err), -1);
	assert_non_null(strstr(err->msg, "none of the CPUs"));
	bench_error_free(&err);
	/* a kernel before 2.6.11 had no steal column */
	assert_int_equal(parse("cpu0 1 2 3 4 5 6 7\n", NULL, &t, &err), -1);
	assert_non_null(strstr(err->msg, "no steal column"));
	bench_error_free(&err);
	assert_int_equal(parse("", NULL, &t, &err), -1);
	bench_error_free(&err);
}

static void share_of_an_interval(void **state)
{
	(void)state;
	struct cpu_ticks a, b;
	static bool cpu0[CPULIST_MAX] = {[0] = true};
	assert_int_equal(parse(stat_a, cpu0, &a, NULL), 0);
	assert_int_equal(parse(stat_b, cpu0, &b, NULL), 0);
	/* cpu0: 450 more ticks, 40 of them stolen */
	assert_float_equal(cpu_ticks_steal_pct(&a, &b), 100.0 * 40 / 450, 1e-9);
	assert_true(isnan(cpu_ticks_steal_pct(&a, &a))); /* no tick passed */
	assert_true(isnan(cpu_ticks_steal_pct(&b, &a))); /* backwards */
	struct cpu_ticks all;
	assert_int_equal(parse(stat_b, NULL, &all, NULL), 0);
	assert_true(isnan(cpu_ticks_steal_pct(&a, &all))); /* other CPUs */
	struct cpu_ticks none = {0};
	assert_true(isnan(cpu_ticks_steal_pct(&none, &b))); /* a failed reading */
}

static void this_kernel_parses(void **state)
{
	(void)state;
	struct cpu_ticks t;
	struct bench_error *err = NULL;
	int rc = cpu_ticks_read(NULL, &t, &err);
	if (rc < 0)
		fail_msg("/proc/stat: %s", err->msg);
	assert_true(t.n_cpus >= 1);
	assert_true(t.total > 0);
	assert_true(t.steal <= t.total);
}

static json_t *rep_reply(double v)
{
	return json_pack("{s:b, s:[{s:s, s:s, s:s, s:f}]}", "valid", true, "metrics", "name", "ops",
	                 "unit", "ops/s", "better", "higher", "value", v);
}

static void recorded_per_repetition(void **state)
{
	(void)state;
	struct collected c = {0};
	struct bench_error *err = NULL;
	/* repetition 1: 10 of 100 ticks stolen on the instance, 10 of 200 on the host */
	struct cpu_ticks i0 = {1000, 100, 1}, i1 = {1100, 110, 1};
	struct cpu_ticks h0 = {2000, 100, 2}, h1 = {2200, 110, 2};
	json_t *r = rep_reply(5);
	assert_int_equal(collected_add(&c, r, 0, 0, &err), 0);
	json_decref(r);
	collected_note_steal(&c, &i0, &i1, &h0, &h1);
	/* repetition 2: a failed reading (n_cpus 0) */
	r = rep_reply(6);
	assert_int_equal(collected_add(&c, r, 1, 0, &err), 0);
	json_decref(r);
	struct cpu_ticks bad = {0};
	collected_note_steal(&c, &bad, &i1, &bad, &h1);
	/* repetition 3: nothing stolen over 300 ticks */
	r = rep_reply(7);
	assert_int_equal(collected_add(&c, r, 2, 0, &err), 0);
	json_decref(r);
	struct cpu_ticks i2 = {1400, 110, 1}, h2 = {2800, 110, 2};
	collected_note_steal(&c, &i1, &i2, &h1, &h2);

	json_t *j = collected_steal_json(&c, "0");
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "cpus")), "0");
	/* pooled over the readings that worked: 10 of 400 ticks */
	assert_float_equal(json_number_value(json_object_get(j, "pct")), 2.5, 1e-9);
	assert_float_equal(json_number_value(json_object_get(j, "host_pct")), 100.0 * 10 / 800,
	                   1e-3);
	json_t *per = json_object_get(j, "per_rep");
	assert_int_equal(json_array_size(per), 3);
	assert_float_equal(json_number_value(json_array_get(per, 0)), 10.0, 1e-9);
	assert_true(json_is_null(json_array_get(per, 1)));
	assert_float_equal(json_number_value(json_array_get(per, 2)), 0.0, 1e-9);
	json_decref(j);
	collected_free(&c);

	/* nothing read at all: no member */
	r = rep_reply(5);
	assert_int_equal(collected_add(&c, r, 0, 0, &err), 0);
	json_decref(r);
	assert_null(collected_steal_json(&c, "0"));
	/* read, but shorter than a tick: pct null, the repetition's too */
	collected_note_steal(&c, &i0, &i0, &h0, &h0);
	j = collected_steal_json(&c, "0");
	assert_non_null(j);
	assert_true(json_is_null(json_object_get(j, "pct")));
	assert_true(json_is_null(json_array_get(json_object_get(j, "per_rep"), 0)));
	json_decref(j);
	collected_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sums_the_cpus_asked),
	    cmocka_unit_test(refuses_what_it_cannot_read),
	    cmocka_unit_test(share_of_an_interval),
	    cmocka_unit_test(this_kernel_parses),
	    cmocka_unit_test(recorded_per_repetition),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
