/* The runner's rules: the steady-state rule that ends the warm-up (on
 * sequences that settle, drift and never settle), the order of the
 * environments within interleaved blocks, and the run's conditions
 * (placements, interleaving or not, what cannot be matched) with fake
 * backends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "harness/run/conditions.h"
#include "harness/run/interleave.h"
#include "harness/run/steady.h"

/* The first n of v at which the rule says warming up is over. */
static size_t stops_after(const double *v, size_t len, const struct steady_rule *r)
{
	for (size_t n = 0; n <= len; n++)
		if (steady_done(v, n, r))
			return n;
	return len + 1;
}

static void tolerance_has_a_floor(void **state)
{
	(void)state;
	struct steady_rule r = steady_rule_for(0.02, 8);
	assert_int_equal(r.window, 3);
	assert_true(fabs(r.tolerance - 0.05) < 1e-12);
	assert_int_equal(r.max_reps, 8);
	r = steady_rule_for(0.10, 4);
	assert_true(fabs(r.tolerance - 0.10) < 1e-12);
	char text[256];
	steady_rule_text(&r, text, sizeof(text));
	assert_non_null(strstr(text, "last 3"));
	assert_non_null(strstr(text, "10%"));
	assert_non_null(strstr(text, "at most 4"));
}

static void settles(void **state)
{
	(void)state;
	struct steady_rule r = steady_rule_for(0.02, 8);
	/* a cold first repetition, then steady within 1% */
	const double v[] = {60, 97, 100, 99, 100.5, 99.8, 100.1, 100};
	assert_false(steady_settled(v, 2, &r)); /* fewer than the window */
	assert_false(steady_settled(v, 3, &r)); /* 60 .. 100 */
	assert_true(steady_settled(v, 4, &r));  /* 97, 100, 99: 3% */
	assert_int_equal(stops_after(v, 8, &r), 4);
	/* a window of zeros agrees (a metric that is 0, e.g. retransmits) */
	const double zeros[] = {0, 0, 0};
	assert_true(steady_settled(zeros, 3, &r));
	/* negative figures are judged on |mean| */
	const double neg[] = {-100, -101, -99};
	assert_true(steady_settled(neg, 3, &r));
}

static void drifts(void **state)
{
	(void)state;
	struct steady_rule r = steady_rule_for(0.02, 8);
	/* climbing 3% a repetition: any three span about 6% */
	double v[8];
	for (size_t i = 0; i < 8; i++)
		v[i] = 100 * pow(1.03, (double)i);
	for (size_t n = 0; n <= 8; n++)
		assert_false(steady_settled(v, n, &r));
	assert_int_equal(stops_after(v, 8, &r), 8); /* the cap */
	/* the same drift within a looser target settles */
	struct steady_rule loose = steady_rule_for(0.07, 8);
	assert_int_equal(stops_after(v, 8, &loose), 3);
}

static void never_settles(void **state)
{
	(void)state;
	struct steady_rule r = steady_rule_for(0.02, 6);
	const double v[] = {100, 120, 100, 120, 100, 120, 100, 120};
	assert_int_equal(stops_after(v, 8, &r), 6);
	assert_false(steady_settled(v, 6, &r));
	/* no warm-up at all */
	struct steady_rule none = steady_rule_for(0.02, 0);
	assert_int_equal(stops_after(v, 8, &none), 0);
	assert_false(steady_settled(v, 0, &none));
}

static void abba(void **state)
{
	(void)state;
	assert_int_equal(interleave_scheme_for(2), INTERLEAVE_ABBA);
	assert_int_equal(interleave_scheme_for(3), INTERLEAVE_RANDOM);
	assert_string_equal(interleave_scheme_name(INTERLEAVE_ABBA), "abba");
	size_t o[2];
	const size_t want[4][2] = {{0, 1}, {1, 0}, {0, 1}, {1, 0}};
	for (size_t b = 0; b < 4; b++) {
		interleave_order(INTERLEAVE_ABBA, 12345, b, 2, o);
		assert_int_equal(o[0], want[b][0]);
		assert_int_equal(o[1], want[b][1]);
	}
	assert_false(interleave_balanced(INTERLEAVE_ABBA, 3));
	assert_true(interleave_balanced(INTERLEAVE_ABBA, 4));
	assert_true(interleave_balanced(INTERLEAVE_RANDOM, 3));
}

static void random_blocks(void **state)
{
	(void)state;
	enum { N = 4, BLOCKS = 800 };
	size_t first[N] = {0}, o[N], again[N];
	bool differs = false;
	for (size_t b = 0; b < BLOCKS; b++) {
		interleave_order(INTERLEAVE_RANDOM, 42, b, N, o);
		bool seen[N] = {false};
		for (size_t i = 0; i < N; i++) {
			assert_true(o[i] < N);
			assert_false(seen[o[i]]); /* a permutation */
			seen[o[i]] = true;
		}
		first[o[0]]++;
		interleave_order(INTERLEAVE_RANDOM, 42, b, N, again); /* reproducible */
		assert_memory_equal(o, again, sizeof(o));
		interleave_order(INTERLEAVE_RANDOM, 43, b, N, again);
		differs = differs || memcmp(o, again, sizeof(o)) != 0;
	}
	assert_true(differs); /* the seed matters */
	/* every environment goes first about a quarter of the time (200 +- 5 sd) */
	for (size_t i = 0; i < N; i++)
		assert_true(first[i] > 140 && first[i] < 260);
	/* fresh seeds fit a JSON integer */
	assert_true(interleave_fresh_seed() <= (uint64_t)INT64_MAX);
}

/* Fake backends: only the fields conditions.c reads. */
static uint64_t small(const struct env_spec *spec)
{
	(void)spec;
	return 1 << 20;
}

static uint64_t huge(const struct env_spec *spec)
{
	(void)spec;
	return UINT64_MAX / 4;
}

static const struct env_ops fake_bare = {.name = "bare"};
static const struct env_ops fake_small = {.name = "small", .host_memory = small};
static const struct env_ops fake_huge = {.name = "huge", .host_memory = huge};
static const struct env_ops fake_xen = {
    .name = "xen", .cpu_numbering = "Xen's physical CPUs", .host_memory = small};

/* The environment as a run chooses it (no variant). */
static struct env_choice chosen(const struct env_ops *ops)
{
	struct env_choice c = {.ops = ops};
	snprintf(c.name, sizeof(c.name), "%s", ops->name);
	return c;
}

static struct run_conditions resolve(const struct env_ops *const *ops, size_t n,
                                     const char *const extra[], bool networked, const char *cpus)
{
	struct env_choice envs[4];
	for (size_t i = 0; i < n && i < 4; i++)
		envs[i] = chosen(ops[i]);
	char *argv[16] = {"run", "--env", "x", "--workload", "y"};
	int argc = 5;
	for (size_t i = 0; extra != NULL && extra[i] != NULL; i++)
		argv[argc++] = (char *)extra[i];
	struct run_options o;
	struct bench_error *err = NULL;
	assert_int_equal(run_options_parse(argc, argv, &o, &err), 0);
	struct topo t;
	struct topo_binding b;
	assert_int_equal(topo_open_synthetic(&t, "core:2 pu:1", &err), 0);
	assert_int_equal(topo_resolve(&t, cpus, -1, 1, &b, &err), 0);
	struct run_conditions c = {.quiet_warnings = true};
	if (run_conditions_resolve(&o, envs, n, &t, &b, networked, &c, &err) < 0)
		fail_msg("conditions: %s", err->msg);
	topo_close(&t);
	return c;
}

static void conditions_decided_once(void **state)
{
	(void)state;
	/* two environments that fit: interleaved (ABBA), the peer beside CPU 0 */
	const struct env_ops *two[] = {&fake_bare, &fake_small};
	const char *const seeded[] = {"--seed", "7", NULL};
	struct run_conditions c = resolve(two, 2, seeded, true, "0");
	assert_true(c.interleaved);
	assert_int_equal(c.scheme, INTERLEAVE_ABBA);
	assert_int_equal(c.seed, 7);
	assert_string_equal(c.peer.cpus_text, "1");
	assert_string_equal(c.io.cpus_text, "1"); /* the peer's, by default */
	assert_int_equal(json_array_size(c.warnings), 0);
	json_t *j = run_conditions_to_json(&c);
	json_t *il = json_object_get(j, "interleave");
	assert_string_equal(json_string_value(json_object_get(il, "scheme")), "abba");
	assert_int_equal(json_integer_value(json_object_get(il, "seed")), 7);
	json_decref(j);
	run_conditions_free(&c);
	/* --io-cpus is its own placement */
	const char *const io[] = {"--io-cpus", "0", NULL};
	c = resolve(two, 2, io, false, "0");
	assert_string_equal(c.io.policy, "given");
	run_conditions_free(&c);
	/* a peer sharing both CPUs with the instance: warned when networked */
	c = resolve(two, 2, NULL, true, NULL);
	assert_string_equal(c.peer.policy, "shared");
	assert_int_equal(json_array_size(c.warnings), 1);
	run_conditions_free(&c);
	c = resolve(two, 2, NULL, false, NULL);
	assert_int_equal(json_array_size(c.warnings), 0);
	run_conditions_free(&c);
}

static void conditions_that_cannot_be_met(void **state)
{
	(void)state;
	/* too big to keep up together: one after the other, with the reason */
	const struct env_ops *big[] = {&fake_bare, &fake_huge};
	struct run_conditions c = resolve(big, 2, NULL, false, "0");
	assert_false(c.interleaved);
	assert_non_null(strstr(c.why_not, "cannot hold every instance"));
	assert_int_equal(json_array_size(c.warnings), 1);
	run_conditions_free(&c);
	/* asked */
	const struct env_ops *two[] = {&fake_bare, &fake_small};
	const char *const no[] = {"--no-interleave", NULL};
	c = resolve(two, 2, no, false, "0");
	assert_false(c.interleaved);
	assert_string_equal(c.why_not, "--no-interleave");
	run_conditions_free(&c);
	/* one environment: nothing to interleave, nothing to warn about */
	c = resolve(two, 1, NULL, false, "0");
	assert_false(c.interleaved);
	assert_string_equal(c.why_not, "one environment");
	assert_int_equal(json_array_size(c.warnings), 0);
	run_conditions_free(&c);
	/* Xen's CPU numbers are not the host's */
	const struct env_ops *xen[] = {&fake_bare, &fake_xen};
	c = resolve(xen, 2, NULL, false, "0");
	assert_int_equal(json_array_size(c.unmatched), 1);
	json_t *u = json_array_get(c.unmatched, 0);
	assert_string_equal(json_string_value(json_object_get(u, "condition")), "cpu numbering");
	/* helpers it cannot place: unmatched once, however often it starts */
	struct env_instance inst = {.helpers = ENV_HELPERS_UNPLACED};
	inst.pinning = json_pack("{s:{s:s}}", "io_threads", "reason", "dom0's threads");
	struct env_choice xen_env = chosen(&fake_xen), small_env = chosen(&fake_small);
	run_conditions_instance(&c, &xen_env, &inst, 2);
	run_conditions_instance(&c, &xen_env, &inst, 2);
	assert_int_equal(json_array_size(c.unmatched), 2);
	u = json_array_get(c.unmatched, 1);
	assert_string_equal(json_string_value(json_object_get(u, "condition")), "io threads");
	assert_non_null(strstr(json_string_value(json_object_get(u, "detail")), "dom0's threads"));
	/* placed or absent helpers match */
	struct env_instance placed = {.helpers = ENV_HELPERS_PLACED};
	run_conditions_instance(&c, &small_env, &placed, 2);
	assert_int_equal(json_array_size(c.unmatched), 2);
	json_decref(inst.pinning);
	run_conditions_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(tolerance_has_a_floor),
	    cmocka_unit_test(settles),
	    cmocka_unit_test(drifts),
	    cmocka_unit_test(never_settles),
	    cmocka_unit_test(abba),
	    cmocka_unit_test(random_blocks),
	    cmocka_unit_test(conditions_decided_once),
	    cmocka_unit_test(conditions_that_cannot_be_met),
	};
	return cmocka_run_group_tests_name("run rules", tests, NULL, NULL);
}
