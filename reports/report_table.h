/* The tables of a report (host, results per environment, overhead, failed
 * samples, density, environments run and not run), built once from a run. */
#ifndef BENCH_REPORT_TABLE_H
#define BENCH_REPORT_TABLE_H

#include "harness/core/error.h"
#include "harness/core/result.h"
#include "reports/report_answer.h"
#include "reports/rtable.h"

/* What summary.md and report.html show, built once from a run. */
struct report_tables {
	char host_line[1024]; /* hostname, cpu_model, kernel, hypervisor, memory */
	struct rtable host;   /* field | value, every member of run->host */
	struct rtable *envs;  /* results, one table per environment (run order) */
	size_t n_envs;
	struct rtable overhead;      /* no rows when the run has no overhead array */
	struct rtable failed;        /* failed samples and their errors */
	struct rtable sizes;         /* workload | size | reason, where the run chose one */
	struct rtable density;       /* one row per density study; none without a density array */
	struct rtable density_nodes; /* per-node rows of studies spread node by node */
	struct rtable shape;   /* idle footprints per 16 GiB beside the seed's LXD/KVM claim */
	struct rtable ran;     /* invocation.environments available here: name | "" */
	struct rtable not_run; /* ... and those not available: name | reason */
	struct answer answer;  /* the front section: verdicts, limits, notes */
};

/* Returns 0, or -1 with *err (out of memory). Free with report_tables_free,
 * also after a failure. */
int report_tables_build(const struct run *run, struct report_tables *t, struct bench_error **err);
void report_tables_free(struct report_tables *t);

/* The cells of one overhead entry (results/SCHEMA.md, "overhead"): "slowdown
 * [low, high]" (or "[unbounded]"), the p-value, and the verdict ("within
 * noise", "significant, worse", "significant, better"). */
void report_overhead_cells(json_t *o, char *slow, size_t slow_len, char *p, size_t p_len,
                           const char **verdict);

#endif
