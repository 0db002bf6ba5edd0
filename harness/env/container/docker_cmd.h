/* The Docker command lines bench runs, built without running anything (so
 * unit tests check them): the image tag of a root filesystem and the
 * `docker run` of one instance. */
#ifndef BENCH_DOCKER_CMD_H
#define BENCH_DOCKER_CMD_H

#include <stddef.h>

#include "harness/env/container/ct.h"

#define DOCKER_IMAGE_REPO  "bench-wl"
#define DOCKER_IMAGE_LABEL "bench.sha256" /* the image tar's full checksum */

/* How the daemon places containers' cgroups (`docker info`'s CgroupDriver). */
enum docker_cgroups { DOCKER_CGROUPFS, DOCKER_SYSTEMD };

/* "bench-wl:<first 16 hex digits of sha256>". */
void docker_image_tag(const char *sha256_hex, char *out, size_t len);

/* The --cgroup-parent bench gives containers: "/bench" (cgroupfs) or
 * "bench.slice" (systemd). */
const char *docker_cgroup_parent(enum docker_cgroups driver);

/* The container's cgroup path from each hierarchy's root, for container
 * id (64 hex digits): "/bench/<id>" or "/bench.slice/docker-<id>.scope". */
void docker_cgroup_path(enum docker_cgroups driver, const char *id, char *out, size_t len);

/* `docker run` of c from c->image with `wl agent` on stdin/stdout: -i,
 * removed on exit, named c->id, cid file in c->dir, no log driver (the
 * agent's traffic is not logged), --cgroup-parent, the cpuset, memory and
 * CPU limit of c, a read-only root, capabilities KILL and
 * NET_BIND_SERVICE only, no new privileges, the network of c->net (nat:
 * Docker's default bridge; bridge and none: --network none, the bridge's
 * veth added after start; host), the scratch directory bound at its own
 * path. a must be zeroed; a->overflow says whether it fit. */
void docker_run_argv(const struct ct_instance *c, enum docker_cgroups driver, struct ct_argv *a);

#endif
