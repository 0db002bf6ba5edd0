/* Unit tests for reports/changepoint.c (E-divisive means). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "reports/changepoint.h"

/* Deterministic noise in [-1, 1] (a fixed LCG, not a measurement). */
static double noise(unsigned *state)
{
	*state = *state * 1103515245u + 12345u;
	return ((double)((*state >> 8) & 0xffff) / 32767.5) - 1.0;
}

static void shift_after_the_sixth(void **state)
{
	(void)state;
	/* 10 run means, a 10% drop from the 7th on (index 6) */
	double x[10];
	unsigned s = 7;
	for (int i = 0; i < 10; i++)
		x[i] = (i < 6 ? 100 : 90) + noise(&s);
	struct cp_options o = cp_defaults();
	struct change_point cp[4];
	int n = cp_find(x, 10, &o, cp, 4);
	assert_int_equal(n, 1);
	assert_int_equal(cp[0].index, 6);
	assert_true(cp[0].p <= 0.05);
	assert_true(fabs(cp[0].before - 100) < 1 && fabs(cp[0].after - 90) < 1);
	/* the same series, the same answer (fixed seed) */
	struct change_point again[4];
	assert_int_equal(cp_find(x, 10, &o, again, 4), 1);
	assert_true(again[0].p == cp[0].p);
}

static void noise_alone_has_none(void **state)
{
	(void)state;
	double x[30];
	unsigned s = 11;
	for (int i = 0; i < 30; i++)
		x[i] = 100 + 2 * noise(&s);
	struct cp_options o = cp_defaults();
	struct change_point cp[4];
	assert_int_equal(cp_find(x, 30, &o, cp, 4), 0);
}

static void two_shifts(void **state)
{
	(void)state;
	double x[24];
	unsigned s = 3;
	for (int i = 0; i < 24; i++)
		x[i] = (i < 8 ? 50 : i < 16 ? 60 : 45) + noise(&s);
	struct cp_options o = cp_defaults();
	struct change_point cp[4];
	assert_int_equal(cp_find(x, 24, &o, cp, 4), 2);
	assert_int_equal(cp[0].index, 8);
	assert_int_equal(cp[1].index, 16);
}

static void too_short_or_flat(void **state)
{
	(void)state;
	double x[5] = {1, 1, 9, 9, 9};
	struct cp_options o = cp_defaults();
	struct change_point cp[2];
	assert_int_equal(cp_find(x, 5, &o, cp, 2), 0); /* < 2 * min_size */
	double flat[8] = {3, 3, 3, 3, 3, 3, 3, 3};
	assert_int_equal(cp_find(flat, 8, &o, cp, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(shift_after_the_sixth),
	    cmocka_unit_test(noise_alone_has_none),
	    cmocka_unit_test(two_shifts),
	    cmocka_unit_test(too_short_or_flat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
