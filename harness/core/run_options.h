/* Options of `bench run`, parsed here (not in bench/) so tests link it. */
#ifndef BENCH_RUN_OPTIONS_H
#define BENCH_RUN_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "harness/core/error.h"

struct run_options {
	const char *env;
	const char *workloads; /* comma list or "all" */
	unsigned min_reps;     /* default 3 */
	unsigned max_reps;     /* default 10 */
	double target_ci;      /* relative CI half-width target, percent; default 2 */
	unsigned threads;      /* default 1 */
	const char *cpus;      /* cpulist or NULL */
	int numa;              /* node OS index or -1 */
	const char *out_dir;   /* run directory, or NULL for results/<run-id> */
	bool json;
	bool quiet;
	const char *size; /* passed to workloads that take it, or NULL */
	const char *duration;
	const char *iterations;
	const char *streams;  /* network: TCP streams */
	const char *msg_size; /* network: stream message size */
	const char *req_size; /* network: request/response sizes */
	const char *resp_size;
	const char *disk_dir;   /* disk: scratch directory, default <run dir>/scratch */
	const char *disk_path;  /* disk: a file or block device to use as is */
	bool buffered;          /* disk: allow the page cache */
	const char *qd;         /* disk: queue depth */
	const char *block_size; /* disk: block size */
	const char *runtime;    /* container: runtime (runc, crun, docker, lxc), default runc */
	const char *net;        /* container: bridge (default), host, nat (docker) or none */
	bool keep_image;        /* docker: keep the imported image after the run */
	const char *memory;     /* instance memory (container limit, guest RAM), or NULL */
	double cpu_limit;       /* container: CPU quota in CPUs (0.8), 0 = none */
	const char *accel;      /* qemu: auto (default), kvm or tcg */
	const char *kernel;     /* qemu, xen: guest kernel, NULL = the built image */
	const char *initrd;     /* qemu, xen: guest initramfs, NULL = the built image */
	const char *disk_size;  /* qemu, xen: size of the guest's scratch disk */
	const char *xen_mode;   /* xen: pvh (default), pv or hvm */
	double timeout_s;       /* per agent reply, default 600 */
	const char *peer_cpus;  /* network peer's CPUs, or NULL = the placement rule */
	const char *io_cpus;    /* guests' I/O threads' CPUs, or NULL = the peer's */
	bool no_interleave;     /* several environments: one after the other */
	bool seed_given;        /* --seed: the random block order is reproducible */
	uint64_t seed;
	unsigned max_warmup; /* warm-up repetitions at most, default 5 */
	/* Seconds the runner may take (bench all --budget), 0 = no limit: each
	 * workload gets an equal share of what is left, its warm-up at most a
	 * third of it, and measuring stops at the share once min_reps (and a
	 * balanced block order) are in. Not a command-line option of bench run. */
	double budget_s;
	bool help;
};

/* Parses argv (argv[0] is the subcommand name) into *o, after setting the
 * defaults. Returns 0 (o->help set when --help was given), or -1 with *err
 * for a usage error (the caller exits 2). Does not print. */
int run_options_parse(int argc, char *argv[], struct run_options *o, struct bench_error **err);

/* Parses a byte count with an optional K, M, G or T suffix (powers of
 * 1024; "KiB"/"KB" spellings accepted) into *out. Returns 0, or -1 when the
 * text is not one. */
int run_options_bytes(const char *text, uint64_t *out);

/* The container network modes --net takes. */
#define RUN_OPTIONS_NET_MODES "bridge, host, nat, none"
bool run_options_net_mode(const char *text);

/* The text of `bench run --help`. */
extern const char run_options_usage[];

#endif
