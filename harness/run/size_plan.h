/* The size rule (sizes.h) applied to a run: its inputs gathered from the
 * topology, the host, the environments' memory hooks and the options; the
 * decisions printed, passed to the instances and workloads, and recorded in
 * every sample's config. */
#ifndef BENCH_SIZE_PLAN_H
#define BENCH_SIZE_PLAN_H

#include <jansson.h>
#include <stdio.h>

#include "harness/core/catalog.h"
#include "harness/core/run_options.h"
#include "harness/core/topo.h"
#include "harness/env/env.h"
#include "harness/run/sizes.h"

/* Resolves the sizes of a run of opts->workloads in envs, before any
 * instance starts: the LLC over the binding's PUs (hwloc), each
 * environment's memory (--memory or its default) and what a workload can
 * use of it (its memory hook: a guest may be booted once to measure), the
 * host's MemAvailable (with --numa, the node's free memory when smaller)
 * shared by the n_envs instances up at once, and --size. Returns 0;
 * SIZES_USAGE with *err when --size or --memory cannot hold a selected
 * workload (exit 2); -1 with *err otherwise. */
int size_plan_resolve(const struct run_options *opts, const struct env_choice *envs, size_t n_envs,
                      const struct catalog *cat, const struct topo *topo,
                      const struct topo_binding *binding, const char *wl_path,
                      struct size_plan *out, struct bench_error **err);

/* One line per decision ("  mem.stream  3 arrays x 1040 MiB >= 4x LLC ...",
 * then the instances' memory) to out. */
void size_plan_print(FILE *out, const struct size_plan *p);

/* Adds to a sample's config what the plan decided for workload in env:
 * size (bytes; for a workload left to its own default, the size_bytes it
 * reported in wl_config, else absent), size_reason, size_below_4x_llc
 * (memory workloads), and for every workload the instance's memory
 * {bytes, usable_bytes, reason}. Nothing when p is NULL. */
void size_plan_config(const struct size_plan *p, const char *env, const char *workload,
                      json_t *wl_config, json_t *config);

/* The instance memory the plan gives env (for env_spec.memory_bytes), 0 =
 * leave the spec's. */
uint64_t size_plan_memory(const struct size_plan *p, const char *env);

#endif
