/* wl: the workload descriptor, the per-open context and the helpers every
 * workload family shares. One `const struct workload` per workload, listed
 * in the single table in registry.c. */
#ifndef WL_WORKLOAD_H
#define WL_WORKLOAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifndef BENCH_VERSION
#define BENCH_VERSION "0.1.0"
#endif
#ifndef BENCH_GIT_COMMIT
#define BENCH_GIT_COMMIT "unknown"
#endif

#define KIB (1024ull)
#define MIB (1024ull * KIB)
#define GIB (1024ull * MIB)

enum wl_better { WL_HIGHER, WL_LOWER };

struct jw;

/* Option flags: a workload's `params` says which options it takes. */
enum {
	WL_P_THREADS = 1u << 0,
	WL_P_SIZE = 1u << 1,
	WL_P_DURATION = 1u << 2,
	WL_P_ITERATIONS = 1u << 3,
	WL_P_LLC = 1u << 4,     /* derives its default size from --llc-bytes */
	WL_P_REPS = 1u << 5,    /* standalone `wl run` only */
	WL_P_PEER = 1u << 6,    /* --peer, --port, --udp-port, --io-timeout */
	WL_P_STREAMS = 1u << 7, /* --streams */
	WL_P_MSG = 1u << 8,     /* --msg-size, --req-size, --resp-size */
	WL_P_DISK = 1u << 9,    /* --disk-dir, --disk-path, --buffered */
	WL_P_QD = 1u << 10,     /* --qd */
	WL_P_BLOCK = 1u << 11,  /* --block-size */
};

/* What the options asked for; setup replaces unset fields by the effective
 * defaults, so the rep object reports what actually ran. */
struct wl_config {
	unsigned threads;    /* >= 1 */
	uint64_t size_bytes; /* 0 until resolved */
	double duration_s;   /* 0: not a bound */
	uint64_t iterations; /* 0: not a bound */
	uint64_t llc_bytes;  /* resolved before setup */
	unsigned given;      /* WL_P_* flags given explicitly */
	/* network workloads (WL_P_PEER, WL_P_STREAMS, WL_P_MSG) */
	char peer[64];       /* address of the host-side `wl serve` */
	unsigned port;       /* its TCP port */
	unsigned udp_port;   /* its UDP port */
	double io_timeout_s; /* longest wait on the peer, 0 = workload default */
	unsigned streams;    /* parallel TCP streams, 0 = default */
	uint64_t msg_size;   /* stream message size, 0 = default */
	uint64_t req_size;   /* request/response sizes, 0 = default */
	uint64_t resp_size;
	/* disk workloads (WL_P_DISK, WL_P_QD, WL_P_BLOCK) */
	char disk_dir[512];  /* scratch directory for the test file */
	char disk_path[512]; /* or an existing file / block device to use as is */
	bool buffered;       /* allow the page cache (no O_DIRECT) */
	unsigned qd;         /* queue depth, 0 = default */
	uint64_t block_size; /* 0 = workload default */
};

#define WL_MAX_METRICS 32

struct wl_metric {
	char name[32];
	double value;
	const char *unit;   /* NULL: the workload's unit */
	const char *better; /* "higher"/"lower", NULL: the workload's */
};

struct wl_result {
	double elapsed_s; /* wall time of the timed part */
	bool valid;
	unsigned nmetrics;
	struct wl_metric m[WL_MAX_METRICS];
	char mem_nodes[64];
	char mem_policy[64];
};

struct wl_ctx {
	const struct workload *w;
	struct wl_config cfg;
	void *priv;                /* the workload's state */
	int *thread_cpus;          /* [cfg.threads]: CPU each worker is pinned to */
	int *cpus_ran;             /* [cfg.threads]: sched_getcpu() at the end of a run */
	char *cpus_allowed;        /* cpulist of the affinity mask at open */
	pthread_barrier_t barrier; /* cfg.threads parties, for use inside wl_parallel */
	const void *mem_base;      /* buffer whose NUMA placement is reported */
	size_t mem_len;
	bool opened; /* setup succeeded; teardown pending */
};

struct workload {
	const char *name;
	const char *description;
	const char *unit;
	enum wl_better better;
	unsigned params; /* WL_P_* options it takes */
	/* With WL_P_SIZE: the --size range it accepts (bytes, inclusive);
	 * size_max 0 = bounded only by its target (disk: the file system or
	 * device). Checked when the option is parsed, listed by `wl list --json`
	 * as size_range so the harness refuses a bad --size before starting. */
	uint64_t size_min, size_max;
	/* Allocates, first-touches and initialises; fills ctx->cfg defaults,
	 * ctx->priv, ctx->mem_base/len. Returns 0, or -1 with errbuf after
	 * freeing whatever it made (it calls its own teardown). */
	int (*setup)(struct wl_ctx *ctx, char *errbuf, size_t errlen);
	/* Runs one repetition into *res. Returns -1 with errbuf on error; a
	 * failed self-check is 0 with res->valid false and the reason in errbuf. */
	int (*rep)(struct wl_ctx *ctx, struct wl_result *res, char *errbuf, size_t errlen);
	/* Frees everything setup made; must cope with a half-done setup. */
	void (*teardown)(struct wl_ctx *ctx);
	/* Optional: adds workload-specific members to the rep's "config"
	 * object (jw is the writer of json_out.h, positioned inside it). */
	void (*print_config)(struct jw *j, const struct wl_ctx *ctx);
};

/* registry.c */
extern const struct workload *const wl_registry[];
extern const size_t wl_registry_len;
const struct workload *wl_find(const char *name);
void wl_names(char *buf, size_t len); /* "cpu.int, cpu.fp, ..." */

/* common.c */

/* Formats into errbuf and returns -1, so `return wl_err(...)` reads well. */
int wl_err(char *errbuf, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Body of one worker thread; tid in [0, cfg.threads). A body that waits on
 * ctx->barrier must not return early on any path before its last wait. */
typedef int (*wl_thread_fn)(struct wl_ctx *ctx, unsigned tid, void *arg, char *errbuf,
                            size_t errlen);

/* Runs fn on cfg.threads threads, thread i pinned to thread_cpus[i]. All
 * start together; if elapsed is not NULL it receives the wall time from the
 * common start to the moment the last thread finished. Records cpus_ran.
 * Returns 0, or -1 with the first failing thread's message. */
int wl_parallel(struct wl_ctx *ctx, wl_thread_fn fn, void *arg, double *elapsed, char *errbuf,
                size_t errlen);

/* Anonymous private mapping of len bytes (untouched). NULL + errbuf on error. */
void *wl_map(size_t len, char *errbuf, size_t errlen);
void wl_unmap(void *p, size_t len);

/* Maps count arrays of bytes each in one mapping, page aligned and one page
 * apart, into arr[]. Arrays exactly a power of two apart share address
 * bits, collide in cache sets and DRAM banks, and halved STREAM triad here.
 * Returns the mapping (length in *map_len), or NULL with errbuf. */
void *wl_map_arrays(size_t bytes, unsigned count, void **arr, size_t *map_len, char *errbuf,
                    size_t errlen);

/* "16KiB", "1MiB", "3GiB" or "123B" into buf. */
void wl_fmt_size(uint64_t bytes, char *buf, size_t len);

/* [begin, end) of thread tid's share of n items, split in whole `align`
 * units (static partitioning). */
void wl_split(size_t n, unsigned threads, unsigned tid, size_t align, size_t *begin, size_t *end);

static inline double wl_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Duration-bounded workloads: default duration when no bound was given. */
static inline void wl_default_bound(struct wl_config *c, double duration_s)
{
	if (c->duration_s <= 0 && c->iterations == 0)
		c->duration_s = duration_s;
}

/* True once `done` iterations reach --iterations or --duration has passed
 * since t0, whichever bound is set and comes first. */
static inline bool wl_should_stop(const struct wl_config *c, uint64_t done, double t0)
{
	if (c->iterations && done >= c->iterations)
		return true;
	return c->duration_s > 0 && wl_now() - t0 >= c->duration_s;
}

/* How many iterations to run before the next bound check: chunk, or what
 * is left of --iterations if that is less. */
static inline uint64_t wl_chunk(const struct wl_config *c, uint64_t done, uint64_t chunk)
{
	if (c->iterations && c->iterations - done < chunk)
		return c->iterations > done ? c->iterations - done : 0;
	return chunk;
}

static inline void wl_freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ __attribute__((cleanup(wl_freep)))

/* pin.c */

/* The CPUs of this process's affinity mask, ascending, in *cpus (malloc'd,
 * caller frees). Returns the count, or -1 with errbuf. */
int pin_allowed_cpus(int **cpus, char *errbuf, size_t errlen);

/* Linux cpulist ("0-3,6") of the non-negative values in v[0..n), in buf;
 * "unknown" when there are none. */
void pin_cpulist(const int *v, size_t n, char *buf, size_t len);

/* NUMA nodes holding up to 64 pages sampled evenly over [base, base+len),
 * as a cpulist-style string, or "unknown" if move_pages is unavailable. */
void pin_mem_nodes(const void *base, size_t len, char *buf, size_t buflen);

/* The calling thread's NUMA memory policy as "default", "bind:0",
 * "interleave:0-1", ... (get_mempolicy), or "unknown". */
void pin_mem_policy(char *buf, size_t len);

/* Last-level cache size from sysfs (cpu0, highest Unified/Data level), or
 * 32 MiB when that cannot be read. */
uint64_t pin_llc_bytes(void);

/* options.c */

/* Parses argv[0..argc) (`--opt value` or `--opt=value`) into *cfg, which
 * starts zeroed with threads 1. --reps is taken only when reps != NULL.
 * Returns 0, or -1 with a message naming the valid choices in errbuf. */
int wl_parse_options(const struct workload *w, int argc, char *const argv[], struct wl_config *cfg,
                     unsigned *reps, char *errbuf, size_t errlen);

/* Writes the parameters w takes ("threads", "size", "duration",
 * "iterations", "llc_bytes") to f as a JSON array when json, else comma
 * separated. */
void wl_print_params(FILE *f, const struct workload *w, bool json);

/* session.c */

/* Opens w with cfg: resolves llc, pins, runs setup. *setup_s gets its wall
 * time. Returns 0, or -1 with errbuf (ctx left closed). */
int wl_open(struct wl_ctx *ctx, const struct workload *w, const struct wl_config *cfg,
            double *setup_s, char *errbuf, size_t errlen);

/* Runs one repetition; see workload.rep for the return convention. */
int wl_rep(struct wl_ctx *ctx, struct wl_result *res, char *errbuf, size_t errlen);

/* Prints the rep object of res as one line on f (not flushed). */
void wl_print_rep(FILE *f, const struct wl_ctx *ctx, unsigned rep, const struct wl_result *res);

/* Tears down and frees everything wl_open made. */
void wl_close(struct wl_ctx *ctx);

#endif
