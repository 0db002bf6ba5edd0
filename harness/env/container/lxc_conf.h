/* The LXC configuration bench generates for one instance, built without
 * running anything (so unit tests check it). */
#ifndef BENCH_LXC_CONF_H
#define BENCH_LXC_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/env/container/ct.h"

/* The cgroup LXC puts c in, from each hierarchy's root: "/bench/<id>". */
void lxc_cgroup_path(const struct ct_instance *c, char *out, size_t len);

/* The configuration of c for lxc-execute: c->rootfs read-only, /proc
 * (mixed) and /sys (read-only) mounted, /dev populated by LXC, the scratch
 * directory bound at its own path, the network of c->net (bridge and
 * none: an empty namespace, the bridge's veth added after start; host:
 * the host's), c's cgroup under bench/ with its cpuset, memory limit and
 * CFS quota (cgroup v1 keys lxc.cgroup.*, or v2 lxc.cgroup2.* when
 * cgroup_v1 is false), capabilities kill and net_bind_service only, no new
 * privileges, no console or ttys, the log in c->dir/lxc.log. Returns the
 * length written, or -1 when buf is too small. */
int lxc_config_text(const struct ct_instance *c, bool cgroup_v1, char *buf, size_t len);

#endif
