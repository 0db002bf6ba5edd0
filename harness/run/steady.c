#include "harness/run/steady.h"

#include <math.h>
#include <stdio.h>

struct steady_rule steady_rule_for(double target_rel, unsigned max_reps)
{
	return (struct steady_rule){
	    .window = STEADY_WINDOW,
	    .tolerance = target_rel > STEADY_FLOOR ? target_rel : STEADY_FLOOR,
	    .max_reps = max_reps,
	};
}

bool steady_settled(const double *v, size_t n, const struct steady_rule *r)
{
	if (r->window == 0 || n < r->window)
		return false;
	double lo = v[n - r->window], hi = lo, sum = 0;
	for (size_t i = n - r->window; i < n; i++) {
		lo = v[i] < lo ? v[i] : lo;
		hi = v[i] > hi ? v[i] : hi;
		sum += v[i];
	}
	double mean = fabs(sum / (double)r->window);
	if (mean == 0)
		return hi == lo;
	return (hi - lo) / mean <= r->tolerance;
}

bool steady_done(const double *v, size_t n, const struct steady_rule *r)
{
	return n >= r->max_reps || steady_settled(v, n, r);
}

void steady_rule_text(const struct steady_rule *r, char *buf, size_t len)
{
	snprintf(buf, len,
	         "warm-up rounds (one repetition in every environment) until the last %zu "
	         "agree on the workload's first metric ((max - min) / mean <= %.3g%%) in every "
	         "environment, at most %u",
	         r->window, 100 * r->tolerance, r->max_reps);
}
