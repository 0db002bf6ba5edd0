/* Container runtimes: one file and one const struct ct_runtime each
 * (rt_oci.c: runc and crun through the OCI CLI; rt_docker.c; rt_lxc.c),
 * all listed in runtime.c. env_container.c is the one environment that
 * drives them: it makes the instance's directory, root filesystem, cgroup
 * name and network, and a runtime only starts, describes and removes the
 * container. --env container/NAME (or --runtime NAME) picks one. */
#ifndef BENCH_RUNTIME_H
#define BENCH_RUNTIME_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness/core/agent.h"
#include "harness/core/error.h"
#include "harness/env/container/ct.h"
#include "harness/env/env.h"

#define RUNTIME_DEFAULT "runc"

/* How a runtime's instance gets onto the harness bridge (--net bridge). */
enum ct_bridge_way {
	CT_BRIDGE_JOIN,  /* it joins a namespace made beforehand (c->netns_path) */
	CT_BRIDGE_ADOPT, /* it makes an empty one; bench adopts it after start */
};

struct ct_runtime {
	const char *name;
	const char *program; /* its command-line program, found on PATH (c->tool) */
	const char *summary; /* one line for `bench list` */
	unsigned nets;       /* the --net modes it offers: bit (1u << CT_NET_x) each */
	bool needs_rootfs;   /* env_container.c writes c->rootfs before start */
	/* Its command-line process stays as the container's monitor (runc run
	 * in the foreground, lxc-execute): a helper of the instance. */
	bool cli_monitors;
	enum ct_bridge_way bridge;
	/* 0 when it can run here, else -1 and a one-line reason that says what
	 * to install or start. */
	int (*probe)(const struct ct_runtime *rt, char *reason, size_t len);
	/* Its version into out ("1.1.5+ds1"; docker: the engine's). 0 or -1. */
	int (*version)(const struct ct_runtime *rt, char *out, size_t len);
	/* Optional: what must exist before any instance (docker: the image). */
	int (*prepare)(const struct ct_runtime *rt, const struct env_spec *spec,
	               struct bench_error **err);
	/* Optional: undoes prepare (docker: the image, unless kept). */
	void (*release)(const struct ct_runtime *rt, const struct env_spec *spec);
	/* Starts c with `wl agent` on agent's stdio (spawn_agent); returns once
	 * spawned: the caller waits for "ready". */
	int (*start)(const struct ct_runtime *rt, struct ct_instance *c, struct agent *agent,
	             struct bench_error **err);
	/* Optional, after "ready": what only the running container tells
	 * (docker: its cgroup, c->pid, nat's veth). Without it, c->pid is the
	 * first process of c's cgroup. */
	int (*started)(const struct ct_runtime *rt, struct ct_instance *c,
	               struct bench_error **err);
	/* Optional: runtime facts for the sample's pinning record (untimed). */
	void (*describe)(const struct ct_runtime *rt, struct ct_instance *c, json_t *record);
	/* Removes the container and its runtime state; safe after a failed or
	 * partial start, and twice. */
	void (*destroy)(const struct ct_runtime *rt, struct ct_instance *c);
	/* Optional: removes the container "name" a killed run of bench left
	 * (its owner PID is gone, harness/core/stale.h) when this runtime ran
	 * it: dir is its instance directory (whose files tell which runtime
	 * ran it), or NULL when only the runtime's own state_root lists it. */
	void (*reclaim)(const struct ct_runtime *rt, const char *name, const char *dir);
	/* The directory where the runtime keeps one entry per container
	 * ("/run/runc"), swept for orphans; NULL when there is none to sweep. */
	const char *state_root;
};

extern const struct ct_runtime ct_runtime_runc;
extern const struct ct_runtime ct_runtime_crun;
extern const struct ct_runtime ct_runtime_docker;
extern const struct ct_runtime ct_runtime_lxc;

/* The list, in `bench list` order, and a lookup (NULL when unknown). */
extern const struct ct_runtime *const ct_runtimes[];
extern const size_t ct_runtime_count;
const struct ct_runtime *ct_runtime_find(const char *name);

/* "runc, crun, docker, lxc" into buf. */
void ct_runtime_names(char *buf, size_t len);

/* "bridge, host" for rt's --net modes into buf. */
void ct_runtime_nets(const struct ct_runtime *rt, char *buf, size_t len);

/* For `bench list`: every runtime with env ("container/NAME"), available,
 * version when it runs here and reason when not; podman listed with why
 * bench does not drive it. Caller owns the array. */
json_t *ct_runtime_report(void);

#endif
