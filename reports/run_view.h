/* What reports read off a run beyond its samples. */
#ifndef BENCH_RUN_VIEW_H
#define BENCH_RUN_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include "harness/core/result.h"

/* The run's environments in order of first appearance (failed samples
 * included), as a malloc'd array of borrowed strings; NULL when none or out
 * of memory. */
const char **report_envs(const struct run *run, size_t *n);

/* True when env's results come from an emulated CPU: one of its samples has
 * pinning.backend.accelerator == "tcg". */
bool report_env_is_tcg(const struct run *run, const char *env);

/* True when the sample's working set was below 4x the LLC
 * (config.size_below_4x_llc): its figure partly measures cache. */
bool report_sample_below_llc(const struct sample *s);

/* "env", or "env (TCG emulation)" for emulated environments. */
void report_env_label(const struct run *run, const char *env, char *buf, size_t len);

#endif
