/* Sizes that fit, chosen once per run: the rule, pure (size_plan.c gathers
 * its inputs from the host, the topology and the environments).
 *
 * A memory workload's working set wants at least 4x the last-level cache
 * its instance runs under (STREAM's rule: each array >= 4x LLC). What holds
 * it is the smallest usable instance memory among the run's environments.
 * Instances whose memory bench chooses (no --memory) are enlarged first,
 * within the host's share for each instance up at once; only then is a
 * size shrunk to fit (with a margin), and marked as below 4x LLC. Every
 * environment of the run gets the same sizes. A --size that cannot fit is
 * refused before anything starts, with the range that would. */
#ifndef BENCH_SIZES_H
#define BENCH_SIZES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/core/error.h"

#define SIZES_MAX_ENVS      8
#define SIZES_MAX_WORKLOADS 32
/* sizes_choose's return value for a request that cannot fit (exit 2). */
#define SIZES_USAGE (-2)

enum size_kind {
	SIZE_NONE,    /* the workload takes no size */
	SIZE_PASS,    /* --size as given, else the workload's own default (cpu.*) */
	SIZE_STREAM,  /* bytes of each of 3 arrays (mem.stream) */
	SIZE_LATENCY, /* largest chase buffer, 2^k, one set per thread (mem.latency) */
	SIZE_RANDOM,  /* the table, 2^k, shared by the threads (mem.random) */
	SIZE_DISK,    /* span of the disk workloads' file or device */
};

/* What a workload can use of an instance with `memory` bytes: *usable and
 * a phrase saying how that was found. Returns 0, or -1 with *err. */
typedef int (*size_usable_fn)(void *ctx, uint64_t memory, uint64_t *usable, char *basis, size_t len,
                              struct bench_error **err);

/* One environment of the run, as the rule sees it. */
struct size_env {
	const char *name;
	bool own_memory; /* false: no memory of its own (bare: a share of the host) */
	uint64_t memory; /* --memory or the backend's default */
	bool given;      /* --memory given: never changed */
	size_usable_fn usable;
	void *ctx;
	uint64_t disk_bytes; /* its own scratch disk (a guest's), 0 = none */
};

struct size_workload {
	const char *name;
	bool takes_size;
	bool disk; /* a disk workload (takes disk_dir) */
	/* The --size range the workload accepts; size_max 0 = no fixed top. */
	uint64_t size_min, size_max;
};

struct size_inputs {
	uint64_t llc_bytes; /* the LLC over the instance's PUs, 0 = unknown */
	const char *llc_basis;
	unsigned threads;
	uint64_t host_available; /* the host's MemAvailable (or the node's, with --numa) */
	const char *host_basis;
	unsigned instances_at_once;
	uint64_t user_size; /* --size, 0 = not given */
	const char *user_size_text;
	bool user_disk_path; /* --disk-path: disk workloads use it as it is */
	size_t n_envs;
	struct size_env env[SIZES_MAX_ENVS];
	size_t n_workloads;
	struct size_workload wl[SIZES_MAX_WORKLOADS];
};

struct size_env_plan {
	char name[16];
	uint64_t memory; /* for the instance (env_spec.memory_bytes); 0 = none of its own */
	uint64_t usable; /* what a workload may use of it (before the margin) */
	bool raised;     /* enlarged beyond its default for the memory workloads */
	char reason[384];
};

struct size_choice {
	char workload[32];
	enum size_kind kind;
	uint64_t size;     /* --size passed to the workload; 0 = its own default */
	bool below_4x_llc; /* a memory workload whose working set is below 4x LLC */
	char reason[448];  /* one sentence */
};

struct size_plan {
	uint64_t llc_bytes;
	char llc_basis[160];
	size_t n_envs;
	struct size_env_plan env[SIZES_MAX_ENVS];
	size_t n_choices;
	struct size_choice choice[SIZES_MAX_WORKLOADS];
};

/* Which rule applies to a workload. */
enum size_kind size_kind_of(const char *workload, bool takes_size, bool disk);

/* Bytes a memory workload maps for size with threads workers (STREAM: 3
 * arrays; latency: every buffer of each thread plus the permutation built
 * at setup; random: the table). 0 for other kinds. */
uint64_t size_footprint(enum size_kind kind, uint64_t size, unsigned threads);

/* Applies the rule to in. Returns 0 with *out filled; SIZES_USAGE with
 * *err when --size (or --memory) cannot hold a selected workload (the
 * message gives the range that would fit); -1 with *err when a usable
 * callback failed. */
int sizes_choose(const struct size_inputs *in, struct size_plan *out, struct bench_error **err);

/* The plan's entry for a workload or an environment, or NULL. */
const struct size_choice *size_plan_find(const struct size_plan *p, const char *workload);
const struct size_env_plan *size_plan_env(const struct size_plan *p, const char *env);

#endif
