/* OCI bundles for the container environment: a minimal root filesystem
 * holding only the static wl, and a generated config.json. */
#ifndef BENCH_OCI_H
#define BENCH_OCI_H

#include <jansson.h>
#include <stdint.h>

#include "harness/core/error.h"

#define OCI_CPU_PERIOD_US 100000 /* CFS period of a --cpu-limit quota */

/* The CFS quota (microseconds per OCI_CPU_PERIOD_US) of cpu_limit CPUs. */
int64_t oci_cpu_quota_us(double cpu_limit);

struct oci_spec {
	const char *hostname;
	const char *cpus;         /* cpuset.cpus (cpulist) */
	int numa_node;            /* cpuset.mems, -1 = every node */
	uint64_t memory_bytes;    /* memory limit */
	double cpu_limit;         /* CPUs of CFS quota per OCI_CPU_PERIOD_US, 0 = none */
	const char *netns_path;   /* join this network namespace; NULL = host network */
	const char *scratch_dir;  /* bind-mounted read-write at the same path, or NULL */
	const char *cgroups_path; /* e.g. "/bench/<id>" */
	const char *const *args;  /* process argv, NULL-terminated; NULL = {"/wl", "agent"} */
};

/* The config.json document for spec: wl agent as the process (no terminal,
 * uid 0 inside, no new privileges, a small capability set), pid, mount, ipc,
 * uts and network namespaces (network joined when netns_path is set, absent
 * in host mode), read-only root, /proc, /dev, read-only /sys, cpuset and
 * memory resources, and with cpu_limit > 0 linux.resources.cpu quota and
 * period. Caller owns the reference. */
json_t *oci_config(const struct oci_spec *spec);

/* Creates bundle_dir/rootfs holding a copy of wl_path as /wl (mode 0755)
 * and the mount points config.json needs, and writes bundle_dir/config.json.
 * bundle_dir must exist. Returns 0 or -1 with *err. */
int oci_bundle_write(const char *bundle_dir, const char *wl_path, const struct oci_spec *spec,
                     struct bench_error **err);

#endif
