/* The runner's pure rules: the steady-state rule that ends the warm-up
 * (on sequences that settle, drift and never settle) and the order of the
 * environments within interleaved blocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(tolerance_has_a_floor),
	    cmocka_unit_test(settles),
	    cmocka_unit_test(drifts),
	    cmocka_unit_test(never_settles),
	    cmocka_unit_test(abba),
	    cmocka_unit_test(random_blocks),
	};
	return cmocka_run_group_tests_name("run rules", tests, NULL, NULL);
}
