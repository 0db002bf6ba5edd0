/* Steady state: how long to warm a workload up before measuring it. The
 * rule: warm-up repetitions until the last `window` values of the
 * workload's first metric agree, (max - min) / |mean| <= tolerance, or
 * `max_reps` warm-ups have run. Pure, so it can be tested on sequences. */
#ifndef BENCH_STEADY_H
#define BENCH_STEADY_H

#include <stdbool.h>
#include <stddef.h>

#define STEADY_WINDOW 3    /* repetitions that must agree */
#define STEADY_FLOOR  0.05 /* the tolerance is never tighter than 5% */

struct steady_rule {
	size_t window;
	double tolerance; /* relative range allowed within the window (a fraction) */
	unsigned max_reps;
};

/* The run's rule: window STEADY_WINDOW, tolerance max(target_rel,
 * STEADY_FLOOR) (target_rel: --target-ci as a fraction), at most max_reps
 * warm-ups. */
struct steady_rule steady_rule_for(double target_rel, unsigned max_reps);

/* True when the last r->window of v[0..n) agree within r->tolerance
 * (range over |mean|; a window of zeros agrees). False with fewer values
 * than the window. */
bool steady_settled(const double *v, size_t n, const struct steady_rule *r);

/* True when warming up should stop: settled, or r->max_reps reached. */
bool steady_done(const double *v, size_t n, const struct steady_rule *r);

/* The rule in words, for the run file. */
void steady_rule_text(const struct steady_rule *r, char *buf, size_t len);

#endif
