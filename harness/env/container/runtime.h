/* OCI runtimes for the container environment: finding them, checking that
 * they can run here, and running their CLI with argument vectors. */
#ifndef BENCH_RUNTIME_H
#define BENCH_RUNTIME_H

#include <jansson.h>
#include <stddef.h>

#include "harness/core/error.h"

#define RUNTIME_DEFAULT "runc"

/* Cheap check that the OCI runtime `name` can be used here: known to the
 * backend, installed, we are root, cgroups are mounted. 0, or -1 with a
 * one-line reason. */
int runtime_probe(const char *name, char *reason, size_t len);

/* For `bench list`: every runtime the backend knows (runc, crun, docker,
 * podman) with available and, when not, the reason. Caller owns the array. */
json_t *runtime_report(void);

#endif
