/* Monotonic time for timeouts and durations. */
#ifndef BENCH_CLOCK_H
#define BENCH_CLOCK_H

/* CLOCK_MONOTONIC in seconds. */
double monotonic_seconds(void);

/* The current UTC time as "2026-11-24T19:30:00Z", malloc'd; NULL when out
 * of memory or the clock cannot be read. */
char *clock_utc_now(void);

#endif
