/* What the container environment and its runtimes share: one instance's
 * state as env_container.c sets it up and a runtime (runtime.h) starts it,
 * and the helpers they all use (cgroups, argument vectors, the host side
 * of a container's interface). */
#ifndef BENCH_CT_H
#define BENCH_CT_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "harness/core/error.h"

#define CT_DIR_ROOT "/run/bench/bundles" /* one directory per instance */

/* How an instance is networked (--net). */
enum ct_net {
	CT_NET_BRIDGE, /* a veth on the harness bridge benchbr0 (the path runc's containers take) */
	CT_NET_HOST,   /* the host's network stack */
	CT_NET_NAT,    /* docker: Docker's default bridge and its NAT */
	CT_NET_NONE,   /* loopback only */
	CT_NET_COUNT,
};

/* "bridge", "host", "nat", "none". */
const char *ct_net_name(enum ct_net net);

/* Parses a --net value (NULL = bridge). 0, or -1 when unknown. */
int ct_net_parse(const char *text, enum ct_net *out);

/* One container instance. env_container.c fills everything above `pid`
 * before the runtime's start hook; start and started fill the rest. */
struct ct_instance {
	char id[64];           /* container name, "bench-<pid>-<n>" */
	char dir[256];         /* CT_DIR_ROOT/<id>: bundle, configuration, cidfile, logs */
	char rootfs[PATH_MAX]; /* dir/rootfs holding /wl, "" when the runtime needs none */
	char tool[PATH_MAX];   /* the runtime's command-line program */
	char cgroup[192];      /* path from each hierarchy's root: "/bench/<id>" (docker:
	                          "/bench/<container id>", set by its started hook) */
	enum ct_net net;
	const char *netns_path; /* bridge, runtimes that join one: the namespace, else NULL */
	const char *scratch;    /* absolute directory bound at the same path inside, or NULL */
	const char *cpus;       /* cpuset.cpus (cpulist) */
	int numa_node;          /* cpuset.mems, -1 = every node */
	uint64_t memory_bytes;  /* memory limit */
	double cpu_limit;       /* CPUs of CFS bandwidth, 0 = none */
	pid_t pid;              /* a process inside the container, once started */
	char veth[32];          /* nat: the host-side end of the container's eth0 */
	char address[64];       /* nat: the container's address on Docker's bridge */
	char image[192];        /* docker: the image it runs */
	/* The runtime's own host processes that serve this container whoever
	 * drives it (runc run in the foreground, lxc-execute's monitor,
	 * docker's containerd-shim); not the docker CLI bench talks through. */
	pid_t helpers[4];
	size_t n_helpers;
};

/* Adds pid to c->helpers (ignored when full or not positive). */
void ct_add_helper(struct ct_instance *c, pid_t pid);

/* The first process whose command line has an argument equal to arg (a
 * container id in a shim's arguments), or -1. */
pid_t ct_find_process_with_arg(const char *arg);

/* c's helpers as [{pid, comm, pss_bytes}] (caller owns), and their CPU
 * time in seconds (-1 when there are none). */
json_t *ct_helpers_json(const struct ct_instance *c);
double ct_helpers_cpu_s(const struct ct_instance *c);

/* CFS period bench uses for --cpu-limit, and the quota for cpus CPUs. */
#define CT_CFS_PERIOD_US 100000
long long ct_cfs_quota_us(double cpus);

/* True when the cgroup controllers are v1 hierarchies under
 * /sys/fs/cgroup/<controller>/ (v1 or hybrid); false on a unified v2 host. */
bool ct_cgroup_v1(void);

/* Reads the first line of a cgroup file of c: the v1 controller's file, or
 * the v2 unified one. 0, or -1 when neither exists. */
int ct_cgroup_read(const struct ct_instance *c, const char *v1_controller, const char *v1_file,
                   const char *v2_file, char *buf, size_t len);

/* The first process listed in c's cgroup (cpuset, or the unified one), or
 * -1 when none is there. */
pid_t ct_cgroup_pid(const struct ct_instance *c);

/* The settings the kernel holds for c, read back: {cpuset_cpus,
 * cpuset_mems, memory_limit_bytes, cpu_quota_us, cpu_period_us} (quota -1
 * = no limit; a field that cannot be read is null). Caller owns it. */
json_t *ct_cgroup_settings(const struct ct_instance *c);

/* Removes the cgroup directories <controller>/bench/<name> (and
 * <name>.monitor, LXC's) in every hierarchy; they must be empty of
 * processes. */
void ct_remove_instance_cgroups(const char *name);

/* Removes the now-empty "bench" parent cgroups runtimes leave behind
 * (harmless while another instance still uses them). */
void ct_remove_parent_cgroups(void);

/* The host-side interface of eth0 in process pid's network namespace (its
 * veth peer), through the container's own /sys. 0, or -1 with *err. */
int ct_host_veth(pid_t pid, char *name, size_t len, struct bench_error **err);

/* Common part of a runtime's probe: root, and a cgroup hierarchy with
 * cpuset. 0, or -1 with a reason naming the runtime. */
int ct_probe_host(const char *runtime, char *reason, size_t len);

/* Runs argv (argv[0] a path, at most timeout_s) and keeps the first line of
 * its output in out. Returns its exit status, or -1 when it could not run;
 * out then says why. */
int ct_first_line(char *const argv[], double timeout_s, char *out, size_t len);

/* An argument vector built piece by piece, strings kept inside. */
#define CT_ARGV_MAX 80
struct ct_argv {
	char *argv[CT_ARGV_MAX + 1]; /* NULL-terminated */
	size_t n;
	char store[8192];
	size_t used;
	bool overflow; /* an argument did not fit: do not run it */
};

/* Appends one printf-formatted argument. */
void ct_argv_add(struct ct_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
