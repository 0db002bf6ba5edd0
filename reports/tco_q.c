/* Exact rationals on 128-bit integers, kept in lowest terms. */
#include "reports/tco_q.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const struct q Q_BAD = {0, 1, true};

static __int128 gcd128(__int128 a, __int128 b)
{
	if (a < 0)
		a = -a;
	if (b < 0)
		b = -b;
	while (b != 0) {
		__int128 t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static struct q norm(__int128 n, __int128 d)
{
	if (d == 0)
		return Q_BAD;
	if (d < 0) {
		n = -n;
		d = -d;
	}
	__int128 g = gcd128(n, d);
	if (g > 1) {
		n /= g;
		d /= g;
	}
	return (struct q){n, d, false};
}

struct q q_int(long long v)
{
	return (struct q){v, 1, false};
}

struct q q_frac(long long n, long long d)
{
	return norm(n, d);
}

struct q q_dec(struct yaml_decimal v)
{
	__int128 p = 1;
	for (int i = 0; i < (v.exp10 < 0 ? -v.exp10 : v.exp10); i++)
		p *= 10; /* |exp10| <= 30 fits */
	return v.exp10 < 0 ? norm(v.mantissa, p) : q_mul(q_int(v.mantissa), norm(p, 1));
}

struct q q_add(struct q a, struct q b)
{
	__int128 x, y, n, d;
	if (a.bad || b.bad || __builtin_mul_overflow(a.n, b.d, &x) ||
	    __builtin_mul_overflow(b.n, a.d, &y) || __builtin_add_overflow(x, y, &n) ||
	    __builtin_mul_overflow(a.d, b.d, &d))
		return Q_BAD;
	return norm(n, d);
}

struct q q_sub(struct q a, struct q b)
{
	b.n = -b.n;
	return q_add(a, b);
}

struct q q_mul(struct q a, struct q b)
{
	if (a.bad || b.bad)
		return Q_BAD;
	/* cross-reduce first so the products stay small */
	__int128 g1 = gcd128(a.n, b.d), g2 = gcd128(b.n, a.d), n, d;
	if (g1 == 0)
		g1 = 1;
	if (g2 == 0)
		g2 = 1;
	if (__builtin_mul_overflow(a.n / g1, b.n / g2, &n) ||
	    __builtin_mul_overflow(a.d / g2, b.d / g1, &d))
		return Q_BAD;
	return norm(n, d);
}

struct q q_div(struct q a, struct q b)
{
	if (a.bad || b.bad || b.n == 0)
		return Q_BAD;
	return q_mul(a, norm(b.d, b.n));
}

int q_cmp(struct q a, struct q b)
{
	struct q c = q_sub(a, b);
	if (c.bad)
		return 0;
	return c.n < 0 ? -1 : c.n > 0;
}

bool q_is_zero(struct q a)
{
	return !a.bad && a.n == 0;
}

bool q_is_neg(struct q a)
{
	return !a.bad && a.n < 0;
}

long long q_floor(struct q a)
{
	__int128 f = a.n / a.d;
	if (a.n % a.d != 0 && a.n < 0)
		f--;
	return (long long)f;
}

long long q_ceil(struct q a)
{
	__int128 c = a.n / a.d;
	if (a.n % a.d != 0 && a.n > 0)
		c++;
	return (long long)c;
}

static __int128 pow10_128(int k)
{
	__int128 p = 1;
	while (k-- > 0)
		p *= 10;
	return p;
}

struct q q_round(struct q a, int decimals)
{
	if (a.bad)
		return a;
	__int128 p = pow10_128(decimals), x;
	if (__builtin_mul_overflow(a.n, p, &x))
		return Q_BAD;
	/* half away from zero: (2|x| + d) / 2d, sign restored */
	__int128 mag = x < 0 ? -x : x, r;
	if (__builtin_mul_overflow(mag, 2, &mag) || __builtin_add_overflow(mag, a.d, &r))
		return Q_BAD;
	r /= 2 * a.d;
	return norm(x < 0 ? -r : r, p);
}

void q_format(struct q a, int decimals, char *buf, size_t len)
{
	struct q r = q_round(a, decimals);
	if (r.bad) {
		snprintf(buf, len, "overflow");
		return;
	}
	__int128 p = pow10_128(decimals);
	__int128 scaled = r.n * (p / r.d); /* r.d divides 10^decimals */
	bool neg = scaled < 0;
	unsigned __int128 m = neg ? -(unsigned __int128)scaled : (unsigned __int128)scaled;
	char digits[64];
	int n = 0;
	do {
		digits[n++] = (char)('0' + (int)(m % 10));
		m /= 10;
	} while (m != 0 || n <= decimals);
	char out[80];
	size_t k = 0;
	if (neg)
		out[k++] = '-';
	for (int i = n - 1; i >= 0; i--) {
		out[k++] = digits[i];
		if (i == decimals && decimals > 0)
			out[k++] = '.';
	}
	out[k] = '\0';
	snprintf(buf, len, "%s", out);
}

double q_double(struct q a)
{
	return a.bad ? NAN : (double)a.n / (double)a.d;
}

struct q q_from_double(double v, int digits)
{
	if (!isfinite(v))
		return Q_BAD;
	char text[64];
	snprintf(text, sizeof(text), "%.*e", digits - 1, v);
	char *e = strchr(text, 'e');
	int exp10 = e != NULL ? atoi(e + 1) : 0;
	if (e != NULL)
		*e = '\0';
	long long m = 0;
	bool neg = text[0] == '-';
	for (const char *p = text; *p; p++)
		if (*p >= '0' && *p <= '9')
			m = m * 10 + (*p - '0');
	struct yaml_decimal d = {neg ? -m : m, exp10 - (digits - 1)};
	if (d.exp10 < -30 || d.exp10 > 30)
		return Q_BAD;
	return q_dec(d);
}
