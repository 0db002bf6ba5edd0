/* For unit tests of the comparison and the history: run files built in
 * memory with chosen values (bookkeeping tests only: nothing here is a
 * measurement). Include after cmocka.h. */
#ifndef BENCH_FAKERUN_H
#define BENCH_FAKERUN_H

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "harness/core/result.h"

/* A host fingerprint like fingerprint_collect's, with thp and kernel given. */
static inline json_t *fake_host(const char *kernel, const char *thp)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:I, s:s, s:s, s:s, s:s, s:s, s:s, "
	                 "s:s}",
	                 "hostname", "node7", "kernel", kernel, "kernel_version", "#1 SMP", "arch",
	                 "x86_64", "cpu_model", "Test CPU @ 2.0GHz", "cores", 2, "pus", 2,
	                 "memory_bytes", (json_int_t)(24ll << 30), "governor", "unavailable", "smt",
	                 "unsupported", "thp", thp, "hypervisor", "KVM", "compiler", "gcc 12.2.0",
	                 "bench_version", "0.1.0", "git_commit", "0123456789ab");
}

/* An empty run with id, creation time and host (reference taken). */
static inline void fake_run(struct run *run, const char *id, const char *created, json_t *host)
{
	run_init(run, id);
	run->created = strdup(created);
	run->host = host;
}

/* Adds an ok sample: env, workload, metric, better, values; config and
 * pinning like the runner's (threads 1, cpus "0", duration "0.2"). */
static inline void fake_sample(struct run *run, const char *env, const char *workload,
                               const char *metric, enum better better, const double *v, size_t n)
{
	json_t *config =
	    json_pack("{s:{s:i, s:s, s:i, s:i}, s:{s:i}}", "asked", "threads", 1, "duration", "0.2",
	              "min_reps", 3, "max_reps", 10, "wl", "threads", 1);
	json_t *pinning = json_pack("{s:{s:s, s:n, s:i}, s:n}", "asked", "cpus", "0", "numa_node",
	                            "threads", 1, "backend");
	struct sample s = {.env = (char *)env,
	                   .workload = (char *)workload,
	                   .metric = (char *)metric,
	                   .unit = "u",
	                   .better = better,
	                   .values = (double *)v,
	                   .n_values = n,
	                   .config = config,
	                   .pinning = pinning};
	struct bench_error *err = NULL;
	if (run_add_sample(run, &s, &err) < 0)
		fail_msg("fake_sample: %s", err->msg);
	json_decref(config);
	json_decref(pinning);
}

#endif
