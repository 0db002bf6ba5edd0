/* OCI bundles for the container environment: a minimal root filesystem
 * holding only the static wl, and a generated config.json. */
#ifndef BENCH_OCI_H
#define BENCH_OCI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "harness/core/error.h"

struct oci_spec {
	const char *hostname;
	const char *cpus;         /* cpuset.cpus (cpulist) */
	int numa_node;            /* cpuset.mems, -1 = every node */
	uint64_t memory_bytes;    /* memory limit */
	const char *netns_path;   /* join this network namespace; NULL = host network */
	bool empty_netns;         /* with netns_path NULL: a new namespace, loopback only */
	double cpu_limit;         /* CPUs of CFS bandwidth (quota over a 100 ms period), 0 = none */
	const char *scratch_dir;  /* bind-mounted read-write at the same path, or NULL */
	const char *cgroups_path; /* e.g. "/bench/<id>" */
	const char *const *args;  /* process argv, NULL-terminated; NULL = {"/wl", "agent"} */
};

/* The config.json document for spec: wl agent as the process (no terminal,
 * uid 0 inside, no new privileges, a small capability set), pid, mount, ipc,
 * uts and network namespaces (network joined when netns_path is set, a new
 * one with empty_netns, absent in host mode), read-only root, /proc, /dev,
 * read-only /sys, cpuset, memory and (cpu_limit) CFS quota resources.
 * Caller owns the reference. */
json_t *oci_config(const struct oci_spec *spec);

/* Creates the root filesystem every container runtime uses: rootfs_dir
 * (made if missing) holding a copy of wl_path as /wl (mode 0755), and the
 * mount points /proc, /dev, /sys and scratch_dir (when not NULL). Returns 0
 * or -1 with *err. */
int oci_rootfs_write(const char *rootfs_dir, const char *wl_path, const char *scratch_dir,
                     struct bench_error **err);

/* Creates bundle_dir/rootfs (oci_rootfs_write) and writes
 * bundle_dir/config.json. bundle_dir must exist. Returns 0 or -1 with
 * *err. */
int oci_bundle_write(const char *bundle_dir, const char *wl_path, const struct oci_spec *spec,
                     struct bench_error **err);

#endif
