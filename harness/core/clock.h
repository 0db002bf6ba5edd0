/* Monotonic time for timeouts and durations. */
#ifndef BENCH_CLOCK_H
#define BENCH_CLOCK_H

/* CLOCK_MONOTONIC in seconds. */
double monotonic_seconds(void);

#endif
