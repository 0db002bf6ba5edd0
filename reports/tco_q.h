/* Exact rational numbers for the cost model: money, counts and periods are
 * read as exact decimals and combined without binary floating point, so a
 * figure is "to the cent" by construction and rounded only when printed. */
#ifndef BENCH_TCO_Q_H
#define BENCH_TCO_Q_H

#include <stdbool.h>
#include <stddef.h>

#include "reports/yaml_file.h"

/* n / d in lowest terms, d > 0. bad is sticky: set by an overflow of the
 * 128-bit parts or a division by zero, and carried by every operation that
 * takes a bad operand (check once, at the end of a computation). */
struct q {
	__int128 n, d;
	bool bad;
};

struct q q_int(long long v);
struct q q_frac(long long n, long long d);
struct q q_dec(struct yaml_decimal v);
struct q q_add(struct q a, struct q b);
struct q q_sub(struct q a, struct q b);
struct q q_mul(struct q a, struct q b);
struct q q_div(struct q a, struct q b); /* b == 0: bad */
/* -1, 0, 1; a bad operand compares as equal (callers check bad first). */
int q_cmp(struct q a, struct q b);
bool q_is_zero(struct q a);
bool q_is_neg(struct q a);
/* The smallest integer >= a (a must be good and fit a long long). */
long long q_ceil(struct q a);
long long q_floor(struct q a);
/* a rounded to `decimals` places, half away from zero. */
struct q q_round(struct q a, int decimals);
/* a rounded as q_round, as text ("-3.24", "0.00"); "overflow" when bad. */
void q_format(struct q a, int decimals, char *buf, size_t len);
/* Nearest double (for charts and JSON, after rounding). */
double q_double(struct q a);
/* A double taken to `digits` significant decimal digits (measured figures
 * such as a slowdown of 1.0734...). */
struct q q_from_double(double v, int digits);

#endif
