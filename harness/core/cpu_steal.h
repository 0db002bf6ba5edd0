/* Time the hypervisor under this host gave to someone else while the host's
 * CPUs wanted to run ("steal" in /proc/stat). On a host that is itself a
 * guest, a busy neighbour shows up here, and a figure measured meanwhile is
 * partly the neighbour's: bench records the share per repetition. A host
 * that is not a guest reads 0. */
#ifndef BENCH_CPU_STEAL_H
#define BENCH_CPU_STEAL_H

#include <stdbool.h>
#include <stdio.h>

#include "harness/core/cpulist.h"
#include "harness/core/error.h"

/* Steal from which a figure is taken to carry the host's load: bench run
 * and bench all warn, the report notes it, and bench compare notes two sides
 * whose steal differs by as many points. One threshold for all three. */
#define STEAL_NOTABLE_PCT 2.0

/* /proc/stat counters (USER_HZ ticks) summed over a set of CPUs. */
struct cpu_ticks {
	unsigned long long total; /* user+nice+system+idle+iowait+irq+softirq+steal */
	unsigned long long steal;
	unsigned n_cpus; /* CPUs found and summed */
};

/* Parses /proc/stat text from f, summing the "cpuN" lines whose N is set in
 * cpus[0..CPULIST_MAX) (every CPU's line when cpus is NULL). Returns 0, or -1
 * with *err when a line lacks the steal column or no requested CPU is
 * listed (an offline CPU has no line). */
int cpu_ticks_parse(FILE *f, const bool *cpus, struct cpu_ticks *out, struct bench_error **err);

/* cpu_ticks_parse of /proc/stat. */
int cpu_ticks_read(const bool *cpus, struct cpu_ticks *out, struct bench_error **err);

/* The share of the ticks between two readings (same CPUs) that were
 * stolen, in percent; NAN when no tick passed or the readings do not
 * belong together (fewer ticks, other CPU count). */
double cpu_ticks_steal_pct(const struct cpu_ticks *before, const struct cpu_ticks *after);

#endif
