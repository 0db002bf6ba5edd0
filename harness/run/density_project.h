/* Density projected: from what a density study measured (per-instance
 * memory footprint by three methods, per-instance CPU demand, start
 * latency against instance count, where QoS broke), the instance count a
 * host holds, with a 95% interval, and the resource that binds first.
 * Pure: no host access, so the arithmetic is tested with fixtures.
 *
 * The model (results/SCHEMA.md, "density", `projected`):
 * - memory: usable = MemAvailable before the first instance minus a
 *   reserve (a fraction of MemTotal); instances = usable / footprint;
 * - cpu under QoS: an instance demanding d CPUs gets the fair share
 *   C / (n d) once n d > C, and keeps its QoS while that share is at least
 *   qos, so n <= C / (d qos) (idle instances: n <= C / d); a count where
 *   QoS broke on the measured host is a measurement and wins over the model;
 * - start time: a new instance's start latency may grow to start_factor
 *   times the first one's; the count where the fitted line crosses that bar.
 * The projection is the smallest limit; its interval is [min of the lows,
 * min of the highs]. On the measured host no limit is below the count that
 * was measured to hold. */
#ifndef BENCH_DENSITY_PROJECT_H
#define BENCH_DENSITY_PROJECT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness/core/error.h"

/* The start-time bar is start_factor x the first start, and never below
 * this (a 10x slip of a 5 ms start is noise, not a limit). */
#define DENSITY_START_FLOOR_S 1.0

/* A host to project to: `cores=64,memory=512G[,threads=128][,base=2G]`. */
struct density_host {
	double cores;  /* physical cores */
	double cpus;   /* hardware threads (PUs) instances may use; = cores unless given */
	double memory; /* bytes of memory (MemTotal) */
	double base;   /* bytes used by everything but the instances; < 0: as measured */
	bool threads_given, base_given;
};

/* Parses a --target-host value into *h. Returns 0, or -1 with *err saying
 * which key is wrong and what is valid. */
int density_host_parse(const char *text, struct density_host *h, struct bench_error **err);

/* Least squares line y = a + b x over n points with the 95% interval of b
 * (Student's t, n - 2 degrees of freedom). Returns 0, or -1 when n < 3 or
 * every x is equal (then the outputs are NAN). */
int density_fit(const double *x, const double *y, size_t n, double *a, double *b, double *b_low,
                double *b_high);

struct density_measured {
	/* the measured host */
	double cpus;         /* PUs the instances were allowed */
	double mem_total;    /* MemTotal, bytes */
	double avail_before; /* MemAvailable before the first instance, bytes */
	double reserve;      /* fraction of MemTotal kept free (0.10) */
	/* the study */
	bool workload; /* false: idle instances */
	const char
	    *qos_resource; /* what a QoS failure is short of: "cpu", "memory_bandwidth", ... */
	double qos;
	unsigned max_ok;     /* largest count measured to hold */
	unsigned first_bad;  /* smallest count where QoS broke, 0 = never */
	bool memory_stop;    /* measuring stopped at the memory reserve */
	unsigned start_fail; /* count whose start failed for a reason not memory, 0 = none */
	/* memory footprint per instance, bytes (NAN = not measured) */
	double pss;       /* median PSS of an instance's processes */
	double accounted; /* median of the backend's own figure (cgroup usage, PSS) */
	/* MemAvailable against instance count (including 0 before the first) */
	const double *avail_n, *avail_bytes;
	size_t n_avail;
	/* CPU demand per instance, CPUs (NAN = not measured) */
	double demand, demand_low, demand_high;
	/* start latency of the k-th instance started (k = 1..n_start) */
	const double *start_s;
	size_t n_start;
	double start_factor;
};

struct density_limit {
	double instances, low, high; /* INFINITY: not bounded by this resource */
	bool measured;               /* reached on the measured host */
	char basis[320];
};

struct density_projection {
	double footprint, footprint_low, footprint_high; /* bytes per instance */
	char footprint_method[32];                       /* "memavailable_slope" or "direct" */
	double slope, slope_low, slope_high; /* MemAvailable drop per instance, NAN = no fit */
	double usable;                       /* bytes the instances may take */
	struct density_limit cpu, memory, start;
	double instances, low, high;
	char binding[32];
	char close[64]; /* other resources whose interval reaches the binding's point, "" none */
	double per_gib, per_gib_low, per_gib_high; /* capacity: instances per GiB of host memory */
};

/* Projects m onto the measured host (target NULL) or onto *target (its
 * base, when not given, is the measured host's MemTotal - MemAvailable
 * before the first instance). Fills *p. Returns 0, or -1 with *err when
 * there is nothing to project from (no footprint and no CPU demand). */
int density_project(const struct density_measured *m, const struct density_host *target,
                    struct density_projection *p, struct bench_error **err);

/* The knee of a higher-is-better aggregate (k points sorted by instance
 * count n[]): the first count after which each added instance adds less
 * than frac x baseline (one instance's result) to the aggregate. Returns
 * it, or 0 when the aggregate keeps growing up to the last count (no knee
 * seen) or k < 2. *peak_n gets the count with the largest aggregate. */
double density_knee(const double *n, const double *agg, size_t k, double baseline, double frac,
                    double *peak_n);

/* The `projected` object of results/SCHEMA.md for p (target NULL: the
 * measured host). Numbers that are unbounded are null; an unbounded high
 * end drops `low` and `high` (bench tco takes both or neither) for
 * `low_bound`. */
json_t *density_projection_json(const struct density_projection *p,
                                const struct density_host *target, const char *target_text);

#endif
