/* OCI runtimes for the container environment: finding them, checking that
 * they can run here, and running their CLI with argument vectors. */
#ifndef BENCH_RUNTIME_H
#define BENCH_RUNTIME_H

#include <jansson.h>
#include <stddef.h>

#include "error.h"

#define RUNTIME_DEFAULT "runc"

/* Finds name on PATH into path. Returns 0, or -1 when absent. */
int runtime_find(const char *name, char *path, size_t len);

/* Cheap check that the OCI runtime `name` can be used here: known to the
 * backend, installed, we are root, cgroups are mounted. 0, or -1 with a
 * one-line reason. */
int runtime_probe(const char *name, char *reason, size_t len);

/* Runs argv (argv[0] a path), waits at most timeout_s, captures up to
 * out_len-1 bytes of stdout+stderr into out. Returns the exit status, or
 * -1 with *err when it could not run or timed out (it is then killed). */
int run_argv(char *const argv[], double timeout_s, char *out, size_t out_len,
             struct bench_error **err);

/* For `bench list`: every runtime the backend knows (runc, crun, docker,
 * podman) with available and, when not, the reason. Caller owns the array. */
json_t *runtime_report(void);

#endif
