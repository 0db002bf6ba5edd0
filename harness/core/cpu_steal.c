#include "harness/core/cpu_steal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "harness/core/cleanup.h"

int cpu_ticks_parse(FILE *f, const bool *cpus, struct cpu_ticks *out, struct bench_error **err)
{
	memset(out, 0, sizeof(*out));
	char line[512];
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned cpu;
		unsigned long long v[8];
		int used = 0;
		/* "cpuN ..." only: not the "cpu " total line (sscanf's %u would
		 * skip its blanks), intr, ctxt, ... */
		if (strncmp(line, "cpu", 3) != 0 || !isdigit((unsigned char)line[3]) ||
		    sscanf(line, "cpu%u %n", &cpu, &used) != 1 || used == 0)
			continue;
		if (cpu >= CPULIST_MAX || (cpus != NULL && !cpus[cpu]))
			continue;
		/* user nice system idle iowait irq softirq steal (guest and
		 * guest_nice follow and are already inside user and nice) */
		if (sscanf(line + used, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		           &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
			return bench_error_set(err, 0, "/proc/stat: cpu%u has no steal column",
			                       cpu);
		for (int i = 0; i < 8; i++)
			out->total += v[i];
		out->steal += v[7];
		out->n_cpus++;
	}
	if (out->n_cpus == 0)
		return bench_error_set(err, 0, "/proc/stat lists none of the CPUs asked for");
	return 0;
}

int cpu_ticks_read(const bool *cpus, struct cpu_ticks *out, struct bench_error **err)
{
	cleanup_fclose FILE *f = fopen("/proc/stat", "re");
	if (f == NULL) {
		memset(out, 0, sizeof(*out));
		return bench_error_set(err, errno, "opening /proc/stat");
	}
	return cpu_ticks_parse(f, cpus, out, err);
}

double cpu_ticks_steal_pct(const struct cpu_ticks *before, const struct cpu_ticks *after)
{
	if (before->n_cpus == 0 || before->n_cpus != after->n_cpus ||
	    after->total <= before->total || after->steal < before->steal)
		return NAN;
	return 100.0 * (double)(after->steal - before->steal) /
	       (double)(after->total - before->total);
}
