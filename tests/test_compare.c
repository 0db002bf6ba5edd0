/* Unit tests for the comparison (reports/compare*.c, validity.c) on runs
 * built in memory: verdicts, FDR control, improvements never failing,
 * inconclusive with what would decide it, pairing by interleaving block,
 * refusal of undeclared fingerprint and condition differences, the JSON,
 * markdown and JUnit outputs (read back with Debian's python3-junitparser). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "reports/compare_out.h"
#include "fakecompare.h"
#include "fakerun.h"
#include "testutil.h"

/* Values around level with a fixed spread pattern (relative sd ~1%). */
static void values(double level, double rel, double *v, size_t n)
{
	static const double z[] = {-1.2, 0.3, 1.1, -0.4, 0.8, -0.9, 0.2, 0.6, -0.5, -0.1};
	for (size_t i = 0; i < n; i++)
		v[i] = level * (1 + rel * z[i % 10]);
}

static void two_runs(struct run *base, struct run *new_, const char *new_thp)
{
	fake_run(base, "base", "2026-01-01T00:00:00Z", fake_host("6.1.0-28-amd64", "madvise"));
	fake_run(new_, "new", "2026-01-02T00:00:00Z", fake_host("6.1.0-29-amd64", new_thp));
	double v[6];
	/* cpu.int: -20% (regression), mem: +20% (improvement), os.syscall: same */
	values(1000, 0.01, v, 6);
	fake_sample(base, "container", "cpu.int", "ops", BETTER_HIGHER, v, 6);
	values(800, 0.01, v, 6);
	fake_sample(new_, "container", "cpu.int", "ops", BETTER_HIGHER, v, 6);
	values(100, 0.01, v, 6);
	fake_sample(base, "container", "mem.stream", "triad", BETTER_HIGHER, v, 6);
	values(120, 0.01, v, 6);
	fake_sample(new_, "container", "mem.stream", "triad", BETTER_HIGHER, v, 6);
	values(50, 0.005, v, 6);
	fake_sample(base, "bare", "os.syscall", "ns_per_call", BETTER_LOWER, v, 6);
	fake_sample(new_, "bare", "os.syscall", "ns_per_call", BETTER_LOWER, v, 6);
	/* noisy: 30% spread, 3 values */
	values(10, 0.3, v, 3);
	fake_sample(base, "bare", "net.tcp_rr", "tps", BETTER_HIGHER, v, 3);
	values(10.2, 0.3, v, 3);
	fake_sample(new_, "bare", "net.tcp_rr", "tps", BETTER_HIGHER, v, 3);
}

static void verdicts(void **state)
{
	(void)state;
	struct run b, n;
	two_runs(&b, &n, "madvise");
	struct compare_policy p = compare_policy_default();
	const char *expect[] = {"kernel"};
	p.expect = expect;
	p.n_expect = 1;
	struct comparison c;
	fake_compare(&b, &n, &p, &c);
	assert_true(c.validity.valid);
	const struct metric_cmp *cpu = fake_find(&c, "cpu.int");
	assert_int_equal(cpu->verdict, VERDICT_REGRESSION);
	assert_int_equal(cpu->test, RATIO_WELCH);
	assert_true(fabs(cpu->ratio - 0.8) < 1e-9);
	assert_true(cpu->ratio_low < 0.8 && cpu->ratio_high > 0.8 && cpu->ratio_high < 0.95);
	assert_true(cpu->q_worse < 0.05 && cpu->q_worse >= cpu->p_worse);
	assert_int_equal(fake_find(&c, "mem.stream")->verdict, VERDICT_IMPROVEMENT);
	assert_int_equal(fake_find(&c, "os.syscall")->verdict, VERDICT_EQUIVALENT);
	const struct metric_cmp *net = fake_find(&c, "net.tcp_rr");
	assert_int_equal(net->verdict, VERDICT_INCONCLUSIVE);
	assert_true(net->mde > 0.05);
	assert_true(net->reps_needed > 3);
	assert_int_equal(c.status, COMPARE_REGRESSION);
	assert_int_equal(c.counts[VERDICT_REGRESSION], 1);
	/* the kernel differs and is declared */
	bool kernel = false;
	for (size_t i = 0; i < c.validity.n; i++)
		kernel |= strcmp(c.validity.d[i].key, "kernel") == 0 &&
		          c.validity.d[i].effect == DIFF_DECLARED;
	assert_true(kernel);
	comparison_free(&c);

	/* an improvement alone never fails; inconclusive fails only on request */
	struct compare_policy p2 = p;
	p2.tolerance = 0.25; /* -20% is inside the band now */
	fake_compare(&b, &n, &p2, &c);
	assert_int_equal(fake_find(&c, "cpu.int")->verdict, VERDICT_EQUIVALENT);
	assert_int_equal(c.status, COMPARE_OK);
	comparison_free(&c);
	p2.inconclusive_fails = true;
	fake_compare(&b, &n, &p2, &c);
	assert_int_equal(c.status, COMPARE_INCONCLUSIVE);
	comparison_free(&c);
	run_free(&b);
	run_free(&n);
}

static void set_steal(struct run *r, const char *workload, double pct)
{
	for (size_t i = 0; i < r->n_samples; i++)
		if (strcmp(r->samples[i].workload, workload) == 0) {
			json_decref(r->samples[i].steal);
			r->samples[i].steal = json_pack("{s:s, s:f}", "cpus", "0", "pct", pct);
		}
}

/* A metric whose two sides ran under different steal is noted once per
 * environment and workload; a small difference is not. */
static void steal_noted(void **state)
{
	(void)state;
	struct run b, n;
	two_runs(&b, &n, "madvise");
	set_steal(&b, "cpu.int", 0.5);
	set_steal(&n, "cpu.int", 9.5);
	set_steal(&b, "os.syscall", 0.5);
	set_steal(&n, "os.syscall", 2.0);
	struct compare_policy p = compare_policy_default();
	const char *expect[] = {"kernel"};
	p.expect = expect;
	p.n_expect = 1;
	struct comparison c;
	fake_compare(&b, &n, &p, &c);
	size_t steal_notes = 0;
	for (size_t i = 0; i < json_array_size(c.notes); i++) {
		const char *t = json_string_value(json_array_get(c.notes, i));
		if (strstr(t, "steal") == NULL)
			continue;
		steal_notes++;
		assert_non_null(strstr(t, "container cpu.int"));
		assert_non_null(strstr(t, "0.5% of the instance CPUs' time in base, 9.5% in new"));
	}
	assert_int_equal(steal_notes, 1);
	comparison_free(&c);
	run_free(&b);
	run_free(&n);
}

/* THP madvise vs never: refused unless declared (or forced). */
static void refusal(void **state)
{
	(void)state;
	struct run b, n;
	two_runs(&b, &n, "never");
	struct compare_policy p = compare_policy_default();
	const char *expect[] = {"kernel", "thp"};
	p.expect = expect;
	p.n_expect = 1;
	struct comparison c;
	fake_compare(&b, &n, &p, &c);
	assert_false(c.validity.valid);
	assert_int_equal(c.status, COMPARE_INVALID);
	bool thp = false;
	for (size_t i = 0; i < c.validity.n; i++)
		if (strcmp(c.validity.d[i].path, "host.thp") == 0) {
			thp = true;
			assert_int_equal(c.validity.d[i].effect, DIFF_REFUSES);
			assert_string_equal(c.validity.d[i].base, "madvise");
			assert_string_equal(c.validity.d[i].new_, "never");
		}
	assert_true(thp);
	comparison_free(&c);
	p.n_expect = 2;
	fake_compare(&b, &n, &p, &c);
	assert_true(c.validity.valid);
	comparison_free(&c);
	/* a changed size is a condition difference */
	run_free(&n);
	fake_run(&n, "new", "2026-01-02T00:00:00Z", fake_host("6.1.0-28-amd64", "madvise"));
	double v[6];
	values(800, 0.01, v, 6);
	fake_sample(&n, "container", "cpu.int", "ops", BETTER_HIGHER, v, 6);
	json_object_set_new(json_object_get(n.samples[0].config, "asked"), "size",
	                    json_string("64M"));
	p.n_expect = 0;
	fake_compare(&b, &n, &p, &c);
	assert_false(c.validity.valid);
	assert_string_equal(c.validity.d[0].key, "size");
	assert_string_equal(c.validity.d[0].path, "config.asked.size");
	comparison_free(&c);
	p.force = true;
	fake_compare(&b, &n, &p, &c);
	assert_true(c.validity.valid);
	assert_int_equal(c.validity.d[0].effect, DIFF_FORCED);
	comparison_free(&c);
	/* where the memory lies from the CPUs is derived (from the CPUs, the
	 * node and the topology): a base from before it was recorded lacks it,
	 * which is no difference; a different value is */
	p.force = false;
	json_object_del(json_object_get(n.samples[0].config, "asked"), "size");
	json_t *asked = json_object_get(n.samples[0].pinning, "asked");
	json_object_set_new(asked, "cpu_nodes", json_string("0"));
	json_object_set_new(asked, "memory_locality", json_null());
	fake_compare(&b, &n, &p, &c);
	assert_true(c.validity.valid);
	comparison_free(&c);
	json_object_set_new(json_object_get(b.samples[0].pinning, "asked"), "cpu_nodes",
	                    json_string("1"));
	fake_compare(&b, &n, &p, &c);
	assert_false(c.validity.valid);
	assert_string_equal(c.validity.d[0].path, "pinning.asked.cpu_nodes");
	comparison_free(&c);
	run_free(&b);
	run_free(&n);
}

/* Two environments of one interleaved run: values with the same block
 * index are pairs, and the paired t-test sees through a drift common to
 * both that makes Welch's test inconclusive. */
static void paired_by_block(void **state)
{
	(void)state;
	struct run r;
	fake_run(&r, "one", "2026-01-01T00:00:00Z", fake_host("k", "madvise"));
	double bare[8], ct[8];
	for (int i = 0; i < 8; i++) {
		double drift = 1 + 0.05 * i; /* the host slows down over the run */
		bare[i] = 1000 / drift;
		ct[i] = 0.9 * bare[i] * (1 + 0.002 * ((i % 2) ? 1 : -1));
	}
	fake_sample(&r, "bare", "cpu.int", "ops", BETTER_HIGHER, bare, 8);
	fake_sample(&r, "container", "cpu.int", "ops", BETTER_HIGHER, ct, 8);
	for (int s = 0; s < 2; s++) {
		json_t *block = json_array(), *pos = json_array();
		for (int i = 0; i < 8; i++) {
			json_array_append_new(block, json_integer(i));
			json_array_append_new(pos, json_integer(s));
		}
		r.samples[s].order =
		    json_pack("{s:b, s:s, s:i, s:o, s:o}", "interleaved", 1, "scheme", "abab",
		              "seed", 1, "block", block, "position", pos);
	}
	struct compare_side side;
	compare_side_of_run(&side, "one", &r);
	struct compare_policy p = compare_policy_default();
	p.base_env = "bare";
	p.new_env = "container";
	struct comparison c;
	assert_int_equal(compare_run(&side, &side, &p, &c, NULL), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.m[0].test, RATIO_PAIRED);
	assert_int_equal(c.m[0].verdict, VERDICT_REGRESSION);
	assert_true(c.validity.valid);
	comparison_free(&c);
	compare_side_free(&side);
	run_free(&r);
}

static void outputs(void **state)
{
	(void)state;
	struct run b, n;
	two_runs(&b, &n, "madvise");
	struct compare_policy p = compare_policy_default();
	const char *expect[] = {"kernel"};
	p.expect = expect;
	p.n_expect = 1;
	struct comparison c;
	fake_compare(&b, &n, &p, &c);
	/* JSON */
	json_t *doc = compare_to_json(&c);
	assert_string_equal(json_string_value(json_object_get(doc, "schema")), COMPARE_SCHEMA);
	assert_string_equal(json_string_value(json_object_get(doc, "verdict")), "regression");
	assert_int_equal(json_array_size(json_object_get(doc, "metrics")), 4);
	json_decref(doc);
	/* markdown */
	char *md = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&md, &len);
	assert_int_equal(compare_markdown(f, &c), 0);
	fclose(f);
	assert_non_null(strstr(md, "## bench compare: regression"));
	assert_non_null(strstr(md, "| container | cpu.int | ops |"));
	assert_non_null(strstr(md, "-20.0%"));
	assert_non_null(strstr(md, "<details>"));
	free(md);
	/* JUnit, read back with a real JUnit reader */
	char dir[PATH_MAX], xml[PATH_MAX + 16];
	assert_int_equal(make_build_tmpdir("junit-", dir), 0);
	snprintf(xml, sizeof(xml), "%s/j.xml", dir);
	f = fopen(xml, "w");
	assert_int_equal(junit_write(f, &c), 0);
	fclose(f);
	char *argv[] = {"/usr/bin/python3", "tests/junit_check.py", xml, NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 0)
		fail_msg("junit_check.py: %s %s", r.out, r.err);
	/* suite:tests:failures:skipped, then each case: class name result */
	assert_non_null(strstr(r.out, "suite container tests=2 failures=1 skipped=0"));
	assert_non_null(strstr(r.out, "suite bare tests=2 failures=0 skipped=1"));
	assert_non_null(strstr(r.out, "case container cpu.int ops failure regression: change "
	                              "-20.00%"));
	assert_non_null(strstr(r.out, "q="));
	assert_non_null(strstr(r.out, "tolerance +-5%"));
	assert_non_null(strstr(r.out, "case bare net.tcp_rr tps skipped inconclusive"));
	assert_non_null(strstr(r.out, "case container mem.stream triad pass"));
	assert_non_null(strstr(r.out, "property base.kernel=6.1.0-28-amd64"));
	assert_non_null(strstr(r.out, "property new.kernel=6.1.0-29-amd64"));
	assert_non_null(strstr(r.out, "property new.hypervisor=KVM"));
	assert_non_null(strstr(r.out, "property new.commit=0123456789ab"));
	cmd_result_free(&r);
	remove_tree(dir);
	comparison_free(&c);
	run_free(&b);
	run_free(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(verdicts), cmocka_unit_test(steal_noted),
	    cmocka_unit_test(refusal),  cmocka_unit_test(paired_by_block),
	    cmocka_unit_test(outputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
