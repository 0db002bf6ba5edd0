/* Environments: one backend per file (env_bare.c, ...), each one const
 * struct env_ops, all listed in env_registry.c. A backend's job is to get
 * a byte stream to a `wl agent` running inside it, plus host-side handles
 * for pinning and accounting (see ../shared/DESIGN.md, "The one idea"). */
#ifndef BENCH_ENV_H
#define BENCH_ENV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "harness/core/agent.h"
#include "harness/core/error.h"
#include "harness/core/numa_mem.h"
#include "harness/core/placement.h"
#include "harness/core/run_options.h"
#include "harness/core/topo.h"

/* What one instance should look like. */
struct env_spec {
	const struct topo *topo;
	struct topo_binding binding; /* host PUs, NUMA node, threads/vCPUs */
	uint64_t memory_bytes;       /* instance memory limit, 0 = backend default */
	const char *wl_path;         /* host path of the static wl binary */
	const char *work_dir;        /* scratch directory (disk workloads), or NULL */
	const char *runtime;         /* containers: runtime (the variant), NULL = default */
	const char *net_mode; /* containers: "bridge", "host", "nat" or "none"; NULL = bridge */
	bool keep_image;      /* docker: keep the imported image after the run */
	const char *accel;    /* qemu: "auto", "kvm" or "tcg", NULL = auto */
	const char *kernel;   /* guests: kernel, NULL = the built image */
	const char *initrd;   /* guests: initramfs, NULL = the built image */
	uint64_t disk_bytes;  /* guests: scratch disk size, 0 = backend default */
	const char *xen_mode; /* xen: "pvh", "pv" or "hvm", NULL = pvh */
	/* Where the instance's host-side I/O threads go (QEMU's main loop,
	 * iothread, vhost), the same for every environment of a run; NULL =
	 * they stay on the instance's CPUs. Set by the runner. */
	const struct placement *io;
	double cpu_limit; /* containers: CPU quota in CPUs (0.8), 0 = none */
};

/* Fills *spec from the run options and what the caller resolved. Returns
 * 0, or -1 with *err when an option's value does not parse. */
int env_spec_init(struct env_spec *spec, const struct run_options *o, const struct topo *t,
                  const struct topo_binding *b, const char *wl_path, const char *work_dir,
                  struct bench_error **err);

/* Host-side threads that do an instance's I/O outside it. */
enum env_helpers {
	ENV_HELPERS_NONE,     /* none: its I/O runs in its own processes and the host kernel */
	ENV_HELPERS_PLACED,   /* bound to spec->io (or the instance's CPUs) and read back */
	ENV_HELPERS_UNPLACED, /* they exist but bench cannot place them (pinning says why) */
};

/* One running instance. Backends embed their private state behind priv. */
struct env_instance {
	const struct env_ops *ops;
	struct agent agent; /* the stream to wl agent inside the instance */
	json_t *pinning;    /* what the backend pinned where (owned) */
	double start_s;     /* start() called to the agent's "ready" */
	/* A file or block device inside the instance that disk workloads use as
	 * is (wl --disk-path), e.g. a guest's virtio disk; "" = use the scratch
	 * directory spec->work_dir, which the instance sees at the same path. */
	char disk_path[64];
	enum env_helpers helpers; /* set by pin */
	/* Set by start when the instance's wl is known not to be the host's
	 * (a stale guest image): one sentence, else "". */
	char wl_note[256];
	void *priv;
};

/* Host-side footprint of an instance. Fields a backend cannot measure are
 * negative. */
struct env_account {
	double cpu_s;      /* CPU time (user + system) the host spent on it */
	int64_t mem_bytes; /* memory footprint (PSS where available) */
	double start_s;    /* start latency, as in env_instance */
	/* CPU time the host spent on the instance's behalf outside it (Xen:
	 * dom0's netback and blkback threads for the domain), or negative. */
	double backend_cpu_s;
	/* Its memory by host NUMA node (nodes 0 = not measured): a process
	 * tree's resident pages (a guest's RAM is its QEMU's), a container's
	 * cgroup pages. */
	struct numa_mem mem_nodes;
};

/* Where the host-side network peer (the `wl serve` process that network
 * workloads talk to) listens, and what carries the traffic. For bare both
 * ends are on loopback; for containers and guests the peer listens on the
 * harness bridge's address and the instance reaches it through its veth/tap. */
struct env_peer {
	char iface[64];            /* host-side interface the traffic crosses (capture here) */
	char host_address[64];     /* address the peer binds and the instance connects to */
	char instance_address[64]; /* the instance's own address ("" if not known) */
	/* The named network namespace the peer must run in, "" = the host's
	 * (docker --net nat: a namespace beyond Docker's NAT). */
	char netns[32];
};

/* An instance's memory as the size rule (harness/run/sizes.h) sees it. */
struct env_memory {
	uint64_t memory_bytes; /* what the instance gets: the amount asked, else
	                          --memory, else the backend's default */
	uint64_t usable_bytes; /* what a workload can use of it */
	char basis[256];       /* how usable_bytes was found, one phrase */
	uint64_t disk_bytes;   /* the instance's own scratch disk (a guest's), 0 = none */
};

struct env_ops {
	const char *name;
	const char *description;
	/* What the instance's CPU numbers (--cpus, the binding) name: NULL =
	 * the host's CPUs as hwloc sees them, where the network peer and the
	 * other environments run too; else a phrase such as "Xen's physical
	 * CPUs" (the peer then runs on dom0's vCPUs, which differ). */
	const char *cpu_numbering;
	/* What the backend needs root for ("runc, network namespaces,
	 * cgroups"), or NULL when an ordinary user can run it (bare). Without
	 * root, env_probe says "needs root (...)" and does not probe. */
	const char *needs_root;
	/* 0 when this host can run the backend; otherwise -1 and a one-line
	 * reason in reason[0..len). Called through env_probe. */
	int (*probe)(char *reason, size_t len);
	/* Builds or checks what the backend needs. Idempotent. */
	int (*prepare)(const struct env_spec *spec, struct bench_error **err);
	/* Starts one instance and waits for its agent's "ready". */
	int (*start)(const struct env_spec *spec, struct env_instance **out,
	             struct bench_error **err);
	/* Binds the instance's threads and memory to spec->binding and records
	 * the result in inst->pinning. */
	int (*pin)(struct env_instance *inst, const struct env_spec *spec,
	           struct bench_error **err);
	int (*account)(struct env_instance *inst, struct env_account *out,
	               struct bench_error **err);
	int (*peer)(struct env_instance *inst, struct env_peer *out, struct bench_error **err);
	/* Tears everything down, also after a failure; frees inst. */
	void (*stop)(struct env_instance *inst);
	/* Optional: removes what runs killed before they could tear down left
	 * (instances named bench-PID-N whose PID is gone: runtime containers,
	 * guests, state directories, scratch disks). Cheap when nothing is
	 * left; start does it too. */
	void (*reclaim)(void);
	/* Optional: the host memory one instance may take out of MemAvailable
	 * at most (a container's limit, a guest's RAM and QEMU's own); 0 when
	 * its memory comes from elsewhere (Xen: the hypervisor's heap). NULL:
	 * no limit of its own (bare), so it is counted as the largest instance
	 * of the run (its workloads get the same sizes). Decides whether every
	 * environment of a run can be kept up at once. */
	uint64_t (*host_memory)(const struct env_spec *spec);
	/* Optional, NULL for an instance without memory of its own (bare: the
	 * host's): the instance's memory for spec with memory_bytes (0 = the
	 * --memory in spec, else the default) and its own disk; with measure,
	 * also what a workload can use of that memory, which may boot an
	 * instance to measure (cached). 0, or -1 with *err. */
	int (*memory)(const struct env_spec *spec, uint64_t memory_bytes, bool measure,
	              struct env_memory *out, struct bench_error **err);
	/* Optional: after inst's agent channel failed (inst->agent.broken),
	 * writes why the instance or its agent died or went silent, and what
	 * to change, into buf (one or two sentences; "" when nothing is known).
	 * Called before stop; may wait a moment for the instance to finish
	 * dying, never long. */
	void (*explain)(struct env_instance *inst, char *buf, size_t len);
	/* Optional: extra facts for `bench list` (e.g. which container
	 * runtimes work here and why not), as a JSON array of objects with
	 * name, available and reason. Caller owns the result. */
	json_t *(*details)(void);
	/* Optional, for backends with variants that --env names as
	 * NAME/VARIANT (container/docker): the variant a plain NAME means, and
	 * whether a variant can run here: 0; -1 with a one-line reason; -2 when
	 * there is no such variant (the reason lists the valid ones). */
	const char *default_variant;
	int (*probe_variant)(const char *variant, char *reason, size_t len);
	/* Optional: undoes what prepare made that must not outlive the run
	 * (docker: the imported image unless kept). Called once per prepare,
	 * after the last instance stopped, also after a failure or a signal. */
	void (*release)(const struct env_spec *spec);
};

/* An environment as a run names it: the backend, its variant (container
 * runtimes) and the name its samples carry. Two choices of one run are
 * independent environments (their own instances, their own names). */
struct env_choice {
	const struct env_ops *ops;
	char variant[32]; /* "" for backends without variants */
	char net[16];     /* network mode of this environment ("" = the run's --net) */
	char name[96];    /* "bare", "container" (runc), "container/docker:nat" */
};

/* Resolves one --env item: "NAME", "NAME/VARIANT", and for backends with
 * variants an optional ":NET" network mode (container/docker:nat), so one
 * run can hold the same runtime on two networks. A plain NAME of a backend
 * with variants takes runtime (--runtime) or else the backend's
 * default_variant, and is named NAME when that is the default variant (so
 * "container" keeps meaning runc, as in run files before variants) and
 * NAME/VARIANT otherwise; a ":NET" stays in the name. runtime is ignored
 * for backends without variants. Returns 0, or -1 with *err (unknown name,
 * a variant or network mode for a backend without variants, an empty
 * variant, an unknown network mode). Does not probe. */
int env_choose(const char *text, const char *runtime, struct env_choice *out,
               struct bench_error **err);

/* The backend's probe; but -3 with "needs root (WHY)" in reason, without
 * probing, when it needs root (ops->needs_root) and the caller is not
 * root. 0, -1 (not here: reason) or -3. */
int env_probe(const struct env_ops *ops, char *reason, size_t len);
/* The choice's probe: the variant's when it has one. 0, -1 (not here:
 * reason), -2 (no such variant: reason) or -3 (needs root, as env_probe). */
int env_choice_probe(const struct env_choice *c, char *reason, size_t len);

/* Sets what the choice decides in spec: spec->runtime = its variant, and
 * spec->net_mode = its network mode when it names one. */
void env_spec_choose(struct env_spec *spec, const struct env_choice *c);

/* account hook for backends whose instance is one host process tree rooted
 * at inst->agent.pid (bare, qemu): its CPU time, PSS and resident memory by
 * NUMA node. */
int env_account_process(struct env_instance *inst, struct env_account *out,
                        struct bench_error **err);

/* Reads a small text file (at most len - 1 bytes) into buf. Returns 0, or
 * -1 (buf then "") when it cannot be read. */
int env_read_text(const char *path, char *buf, size_t len);

/* The host's OOM kill counter (/proc/vmstat oom_kill), or -1. */
long long env_host_oom_kills(void);

/* What the host says about the death of process pid: the kernel log's OOM
 * kill record of pid, else a rise of the OOM kill counter since
 * oom_kills_before (from env_host_oom_kills at start); "" when neither. */
void env_explain_host_oom(pid_t pid, long long oom_kills_before, char *buf, size_t len);

/* The backends (one file each). */
extern const struct env_ops env_bare_ops;
extern const struct env_ops env_container_ops;
extern const struct env_ops env_qemu_ops;
extern const struct env_ops env_xen_ops;

/* The registry, in display order. */
extern const struct env_ops *const env_registry[];
extern const size_t env_registry_count;

/* Looks an environment up by name; NULL when unknown. */
const struct env_ops *env_find(const char *name);

/* Every environment's reclaim: removes what killed runs left on this host.
 * Every run calls it before its first instance, so a kill -9 costs nothing
 * to the next run. */
void env_reclaim_stale(void);

/* Writes the registered names as "a, b, c" into buf. */
void env_names(char *buf, size_t len);

#endif
