#include "harness/core/run_options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char run_options_usage[] =
    "usage: bench run --env ENV[,ENV...] --workload NAME[,NAME...]|all [options]\n"
    "\n"
    "Runs workloads in one or more environments (side by side, same pinning,\n"
    "peer and I/O placement and sizes), pinned, with adaptive repetitions, and writes\n"
    "results/<run-id>/run.json (or DIR/run.json with --out). With several\n"
    "environments the run file also gets overhead figures against bare.\n"
    "\n"
    "  --env LIST         environment(s), comma-separated (see `bench list`); a\n"
    "                     container runtime as container/NAME, with a network\n"
    "                     mode of its own as container/NAME:NET (container/docker:nat)\n"
    "  --workload LIST    comma-separated workload names, or all\n"
    "  --reps N           exactly N measured repetitions (sets min and max)\n"
    "  --min-reps N       at least N measured repetitions (default 3)\n"
    "  --max-reps N       at most N measured repetitions (default 10)\n"
    "  --target-ci PCT    stop when every metric's 95%% CI half-width is within\n"
    "                     PCT percent of its mean (default 2)\n"
    "  --threads N        worker threads, one per CPU (default 1)\n"
    "  --cpus LIST        host CPUs to pin to, e.g. 0-3,6 (default for a run:\n"
    "                     --threads CPUs, one per core from the first, of the host\n"
    "                     or of the --numa node, leaving the others to the network\n"
    "                     peer and I/O threads; all of them when there are no more;\n"
    "                     for density: all, or the node's)\n"
    "  --numa NODE        bind memory strictly to this NUMA node\n"
    "  --size BYTES       workload size (K/M/G suffixes) for workloads that take one\n"
    "                     (default: chosen once per run, the same everywhere: memory\n"
    "                     workloads >= 4x the LLC of the instance's CPUs, fitted to\n"
    "                     the smallest instance; a --size no instance can hold is\n"
    "                     refused with the range that fits)\n"
    "  --duration SEC     seconds per repetition for workloads that take it\n"
    "  --iterations N     iterations per repetition for workloads that take it\n"
    "  --streams N        network: parallel TCP streams (net.tcp_stream, default 1)\n"
    "  --msg-size BYTES   network: stream message size (default 128K)\n"
    "  --req-size BYTES, --resp-size BYTES\n"
    "                     network: request/response sizes (default 100, 200)\n"
    "  --disk-dir DIR     disk: scratch directory for the test file (default: a\n"
    "                     scratch/ directory in the run directory, removed after)\n"
    "  --disk-path PATH   disk: use this file or block device as is (overwritten!)\n"
    "  --buffered         disk: allow the page cache (required on tmpfs)\n"
    "  --qd N             disk: queue depth (default 32)\n"
    "  --block-size BYTES disk: block size (default 1M sequential, 4K random)\n"
    "  --runtime NAME     container: the runtime of a plain `container` in --env:\n"
    "                     runc (default), crun, docker or lxc (`bench list` shows\n"
    "                     which work here); container/NAME in --env names it too\n"
    "  --net MODE         container: bridge (a veth on the harness bridge, default),\n"
    "                     host (the host's network stack), nat (docker: Docker's\n"
    "                     default bridge and its NAT) or none (loopback only)\n"
    "  --keep-image       docker: keep the image bench imports (tagged by its\n"
    "                     checksum, reused by later runs while it matches)\n"
    "  --memory BYTES     instance memory: container limit (default 2G), guest RAM\n"
    "                     (default 512M); without it bench raises them so the\n"
    "                     memory workloads' sizes fit, within the host's share\n"
    "  --cpu-limit CPUS   container: a CPU quota of CPUS (fractional, e.g. 0.8) per\n"
    "                     100 ms period (cgroup CFS quota); bare runs unlimited as\n"
    "                     the baseline; qemu and xen refuse it (default: none)\n"
    "  --accel MODE       qemu: auto (KVM when a test boot works, else TCG), kvm\n"
    "                     or tcg\n"
    "  --kernel PATH, --initrd PATH\n"
    "                     qemu, xen: guest kernel and initramfs (default: the image\n"
    "                     `make guest` built next to wl)\n"
    "  --disk-size BYTES  qemu, xen: the guest's scratch disk (a raw image in the\n"
    "                     scratch directory, default 1G)\n"
    "  --xen-mode MODE    xen: pvh (default), pv or hvm\n"
    "  --peer-cpus LIST   CPUs of the host-side network peer (wl serve); default:\n"
    "                     the host's CPUs outside the instance's binding (same\n"
    "                     NUMA node first), else the instance's own CPUs\n"
    "  --io-cpus LIST     CPUs of QEMU's main loop, iothread and vhost threads\n"
    "                     (default: the peer's CPUs)\n"
    "  --no-interleave    several environments: run them one after the other\n"
    "                     instead of alternating repetitions between instances\n"
    "                     kept up side by side\n"
    "  --seed N           seed of the random block order (3+ environments)\n"
    "  --max-warmup N     warm-up repetitions at most (default 5; 0 = none)\n"
    "  --timeout SEC      longest wait for any one reply from a workload (default 600);\n"
    "                     a failed sample says \"no reply within --timeout N s\"\n"
    "  --out DIR          write DIR/run.json instead of results/<run-id>/run.json\n"
    "  --json             print the run file on stdout instead of the table\n"
    "  --quiet            no progress line\n"
    "\n"
    "Warm-up rounds run until the last 3 repetitions agree (the workload's first\n"
    "metric, (max - min) / mean within max(--target-ci, 5%%)) in every environment,\n"
    "or --max-warmup; they are recorded, not measured. With several environments\n"
    "one instance of each is kept up and the measured repetitions alternate in\n"
    "blocks (ABBA for two, a seeded random order for more; the repetition options\n"
    "count blocks) until every environment converges, and the overhead uses the\n"
    "pairing (a paired t-test over blocks). When the instances cannot all fit in\n"
    "memory the environments run one after the other, as with --no-interleave.\n"
    "Conditions that cannot be the same in every environment are printed as\n"
    "WARNING lines and recorded in the run file. The sizes chosen are printed\n"
    "first and kept in every sample (config.size, size_reason). A workload whose\n"
    "instance dies fails with why (an OOM kill with the limit and the peak, a\n"
    "guest's panic, a signal) and what to change. Exit status: 0 ok, 1 a workload\n"
    "failed (kept as a failed sample), 2 usage error (every option is checked, with\n"
    "its valid range, before anything starts), 3 environment unavailable, 7 the run\n"
    "file could not be written (disk full, read-only: no run directory is left),\n"
    "130 interrupted. Another bench measuring on this host (the lock\n"
    "/run/bench/measure.lock names it) is waited for.\n";

static int parse_unsigned(const char *flag, const char *text, unsigned lo, unsigned hi,
                          unsigned *out, struct bench_error **err)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < lo || v > hi)
		return bench_error_set(err, 0, "%s: '%s' is not a whole number in %u..%u", flag,
		                       text, lo, hi);
	*out = (unsigned)v;
	return 0;
}

static int parse_positive(const char *flag, const char *text, double hi, double *out,
                          struct bench_error **err)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (errno != 0 || end == text || *end != '\0' || !isfinite(v) || v <= 0 || v > hi)
		return bench_error_set(err, 0, "%s: '%s' is not a number in (0, %g]", flag, text,
		                       hi);
	*out = v;
	return 0;
}

/* bytes as an option value: "64M", "4K", "100" (whole units). */
static void size_text(uint64_t bytes, char *buf, size_t len)
{
	static const char suffix[] = "TGMK";
	for (int i = 0; i < 4; i++) {
		uint64_t one = 1ull << (10 * (4 - i));
		if (bytes >= one && bytes % one == 0) {
			snprintf(buf, len, "%" PRIu64 "%c", bytes / one, suffix[i]);
			return;
		}
	}
	snprintf(buf, len, "%" PRIu64, bytes);
}

/* A byte count with an optional K/M/G/T suffix (powers of 1024) in lo..hi
 * and a multiple of `multiple` (1: any). */
static int parse_size(const char *flag, const char *text, uint64_t lo, uint64_t hi,
                      uint64_t multiple, struct bench_error **err)
{
	uint64_t v;
	if (run_options_bytes(text, &v) == 0 && v >= lo && v <= hi && v % multiple == 0)
		return 0;
	char l[32], h[32], m[32];
	size_text(lo, l, sizeof(l));
	size_text(hi, h, sizeof(h));
	size_text(multiple, m, sizeof(m));
	return bench_error_set(
	    err, 0, "%s: '%s' is not a size in %s..%s%s%s (bytes, K/M/G/T suffixes)", flag, text, l,
	    h, multiple > 1 ? ", a multiple of " : "", multiple > 1 ? m : "");
}

/* A whole number in lo..hi (64-bit). */
static int parse_count(const char *flag, const char *text, uint64_t lo, uint64_t hi,
                       struct bench_error **err)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || *text == '-' || v < lo || v > hi)
		return bench_error_set(err, 0,
		                       "%s: '%s' is not a whole number in %" PRIu64 "..%" PRIu64,
		                       flag, text, lo, hi);
	return 0;
}

/* The workloads' own bounds (workloads/net.h, disk.c): checked here too so
 * a bad value is a usage error before anything starts. */
#define NET_MSG_MAX   (1ull << 30) /* stream message, TCP request and response */
#define NET_MSG_MIN   8ull         /* request: the sequence number (UDP: 16) */
#define NET_RESP_MIN  8ull         /* response: the echoed sequence number */
#define BLOCK_MIN     4096ull
#define BLOCK_MAX     (64ull << 20)
#define MEMORY_MIN    (16ull << 20)
#define MEMORY_MAX    (1ull << 50) /* 1 PiB: size_plan checks it against the host */
#define DISK_SIZE_MAX (1ull << 50) /* run_session checks it against the file system */
#define ITER_MAX      1000000000000ull

static int parse_seed(const char *text, uint64_t *out, struct bench_error **err)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || *text == '-' || v > INT64_MAX)
		return bench_error_set(err, 0, "--seed: '%s' is not a whole number below 2^63",
		                       text);
	*out = v;
	return 0;
}

static const char *const accel_modes[] = {"auto", "kvm", "tcg", NULL};
static const char *const xen_modes[] = {"pvh", "pv", "hvm", NULL};
static const char *const net_modes[] = {"bridge", "host", "nat", "none", NULL};

static int parse_choice(const char *flag, const char *text, const char *const choices[],
                        struct bench_error **err)
{
	for (size_t i = 0; choices[i] != NULL; i++)
		if (strcmp(text, choices[i]) == 0)
			return 0;
	char valid[128] = "";
	for (size_t i = 0; choices[i] != NULL; i++)
		snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid), "%s%s",
		         i ? ", " : "", choices[i]);
	return bench_error_set(err, 0, "%s %s: valid values are %s", flag, text, valid);
}

bool run_options_net_mode(const char *text)
{
	for (size_t i = 0; net_modes[i] != NULL; i++)
		if (strcmp(text, net_modes[i]) == 0)
			return true;
	return false;
}

int run_options_bytes(const char *text, uint64_t *out)
{
	char *end;
	errno = 0;
	if (text == NULL || *text == '-')
		return -1;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno != 0 || end == text)
		return -1;
	static const char suffixes[] = "KMGT";
	const char *suffix = *end ? strchr(suffixes, toupper((unsigned char)*end)) : NULL;
	unsigned shift = suffix ? 10u * (unsigned)(suffix - suffixes + 1) : 0;
	if (suffix)
		end++;
	if (*end == 'i' && shift)
		end++;
	if (*end == 'B' && shift)
		end++;
	if (*end != '\0' || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

enum {
	OPT_ENV = 256,
	OPT_WORKLOAD,
	OPT_REPS,
	OPT_MIN_REPS,
	OPT_MAX_REPS,
	OPT_TARGET_CI,
	OPT_THREADS,
	OPT_CPUS,
	OPT_NUMA,
	OPT_OUT,
	OPT_JSON,
	OPT_QUIET,
	OPT_SIZE,
	OPT_DURATION,
	OPT_ITERATIONS,
	OPT_TIMEOUT,
	OPT_STREAMS,
	OPT_MSG_SIZE,
	OPT_REQ_SIZE,
	OPT_RESP_SIZE,
	OPT_DISK_DIR,
	OPT_DISK_PATH,
	OPT_BUFFERED,
	OPT_QD,
	OPT_BLOCK_SIZE,
	OPT_RUNTIME,
	OPT_NET,
	OPT_KEEP_IMAGE,
	OPT_MEMORY,
	OPT_CPU_LIMIT,
	OPT_ACCEL,
	OPT_KERNEL,
	OPT_INITRD,
	OPT_DISK_SIZE,
	OPT_XEN_MODE,
	OPT_PEER_CPUS,
	OPT_IO_CPUS,
	OPT_NO_INTERLEAVE,
	OPT_SEED,
	OPT_MAX_WARMUP,
	OPT_HELP,
};

static const struct option long_options[] = {
    {"env", required_argument, NULL, OPT_ENV},
    {"workload", required_argument, NULL, OPT_WORKLOAD},
    {"workloads", required_argument, NULL, OPT_WORKLOAD},
    {"reps", required_argument, NULL, OPT_REPS},
    {"min-reps", required_argument, NULL, OPT_MIN_REPS},
    {"max-reps", required_argument, NULL, OPT_MAX_REPS},
    {"target-ci", required_argument, NULL, OPT_TARGET_CI},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"cpus", required_argument, NULL, OPT_CPUS},
    {"numa", required_argument, NULL, OPT_NUMA},
    {"out", required_argument, NULL, OPT_OUT},
    {"json", no_argument, NULL, OPT_JSON},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"size", required_argument, NULL, OPT_SIZE},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"iterations", required_argument, NULL, OPT_ITERATIONS},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"streams", required_argument, NULL, OPT_STREAMS},
    {"msg-size", required_argument, NULL, OPT_MSG_SIZE},
    {"req-size", required_argument, NULL, OPT_REQ_SIZE},
    {"resp-size", required_argument, NULL, OPT_RESP_SIZE},
    {"disk-dir", required_argument, NULL, OPT_DISK_DIR},
    {"disk-path", required_argument, NULL, OPT_DISK_PATH},
    {"buffered", no_argument, NULL, OPT_BUFFERED},
    {"qd", required_argument, NULL, OPT_QD},
    {"block-size", required_argument, NULL, OPT_BLOCK_SIZE},
    {"runtime", required_argument, NULL, OPT_RUNTIME},
    {"net", required_argument, NULL, OPT_NET},
    {"keep-image", no_argument, NULL, OPT_KEEP_IMAGE},
    {"memory", required_argument, NULL, OPT_MEMORY},
    {"cpu-limit", required_argument, NULL, OPT_CPU_LIMIT},
    {"accel", required_argument, NULL, OPT_ACCEL},
    {"kernel", required_argument, NULL, OPT_KERNEL},
    {"initrd", required_argument, NULL, OPT_INITRD},
    {"disk-size", required_argument, NULL, OPT_DISK_SIZE},
    {"xen-mode", required_argument, NULL, OPT_XEN_MODE},
    {"peer-cpus", required_argument, NULL, OPT_PEER_CPUS},
    {"io-cpus", required_argument, NULL, OPT_IO_CPUS},
    {"no-interleave", no_argument, NULL, OPT_NO_INTERLEAVE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"max-warmup", required_argument, NULL, OPT_MAX_WARMUP},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* "--env, --workload, ..." from the option table (aliases skipped). */
static void valid_options(char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (const struct option *o = long_options; o->name != NULL && used < len; o++) {
		if (o > long_options && o->val == o[-1].val)
			continue;
		int n = snprintf(buf + used, len - used, "%s--%s", used ? ", " : "", o->name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

int run_options_parse(int argc, char *argv[], struct run_options *o, struct bench_error **err)
{
	*o = (struct run_options){
	    .min_reps = 3,
	    .max_reps = 10,
	    .target_ci = 2.0,
	    .threads = 1,
	    .numa = -1,
	    .timeout_s = 600,
	    .max_warmup = 5,
	};
	unsigned reps = 0, numa = 0, dummy_u = 0;
	double dummy;
	optind = 0; /* full reset, so the parser can run more than once */
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, "+:", long_options, NULL);
		if (c == -1)
			break;
		int rc = 0;
		switch (c) {
		case OPT_ENV:
			o->env = optarg;
			break;
		case OPT_WORKLOAD:
			o->workloads = optarg;
			break;
		case OPT_REPS:
			rc = parse_unsigned("--reps", optarg, 1, 100000, &reps, err);
			break;
		case OPT_MIN_REPS:
			rc = parse_unsigned("--min-reps", optarg, 1, 100000, &o->min_reps, err);
			break;
		case OPT_MAX_REPS:
			rc = parse_unsigned("--max-reps", optarg, 1, 100000, &o->max_reps, err);
			break;
		case OPT_TARGET_CI:
			rc = parse_positive("--target-ci", optarg, 100, &o->target_ci, err);
			break;
		case OPT_THREADS:
			rc = parse_unsigned("--threads", optarg, 1, 4096, &o->threads, err);
			break;
		case OPT_CPUS:
			o->cpus = optarg;
			break;
		case OPT_NUMA:
			rc = parse_unsigned("--numa", optarg, 0, 4095, &numa, err);
			o->numa = (int)numa;
			break;
		case OPT_OUT:
			o->out_dir = optarg;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_QUIET:
			o->quiet = true;
			break;
		case OPT_SIZE:
			o->size = optarg;
			break;
		case OPT_DURATION:
			rc = parse_positive("--duration", optarg, 86400, &dummy, err);
			o->duration = optarg;
			break;
		case OPT_ITERATIONS:
			rc = parse_count("--iterations", optarg, 1, ITER_MAX, err);
			o->iterations = optarg;
			break;
		case OPT_TIMEOUT:
			rc = parse_positive("--timeout", optarg, 86400, &o->timeout_s, err);
			break;
		case OPT_STREAMS:
			rc = parse_unsigned("--streams", optarg, 1, 4096, &dummy_u, err);
			o->streams = optarg;
			break;
		case OPT_MSG_SIZE:
			rc = parse_size("--msg-size", optarg, 1, NET_MSG_MAX, 1, err);
			o->msg_size = optarg;
			break;
		case OPT_REQ_SIZE:
			rc = parse_size("--req-size", optarg, NET_MSG_MIN, NET_MSG_MAX, 1, err);
			o->req_size = optarg;
			break;
		case OPT_RESP_SIZE:
			rc = parse_size("--resp-size", optarg, NET_RESP_MIN, NET_MSG_MAX, 1, err);
			o->resp_size = optarg;
			break;
		case OPT_DISK_DIR:
			o->disk_dir = optarg;
			break;
		case OPT_DISK_PATH:
			o->disk_path = optarg;
			break;
		case OPT_BUFFERED:
			o->buffered = true;
			break;
		case OPT_QD:
			rc = parse_unsigned("--qd", optarg, 1, 4096, &dummy_u, err);
			o->qd = optarg;
			break;
		case OPT_BLOCK_SIZE:
			rc = parse_size("--block-size", optarg, BLOCK_MIN, BLOCK_MAX, BLOCK_MIN,
			                err);
			o->block_size = optarg;
			break;
		case OPT_RUNTIME:
			o->runtime = optarg;
			break;
		case OPT_NET:
			rc = parse_choice("--net", optarg, net_modes, err);
			o->net = optarg;
			break;
		case OPT_KEEP_IMAGE:
			o->keep_image = true;
			break;
		case OPT_MEMORY:
			rc = parse_size("--memory", optarg, MEMORY_MIN, MEMORY_MAX, 1, err);
			o->memory = optarg;
			break;
		case OPT_CPU_LIMIT:
			rc = parse_positive("--cpu-limit", optarg, 4096, &o->cpu_limit, err);
			if (rc == 0 && o->cpu_limit < 0.01)
				rc = bench_error_set(
				    err, 0,
				    "--cpu-limit %s: below 0.01 CPU (1 ms per 100 ms "
				    "period, the kernel's minimum quota)",
				    optarg);
			break;
		case OPT_ACCEL:
			rc = parse_choice("--accel", optarg, accel_modes, err);
			o->accel = optarg;
			break;
		case OPT_KERNEL:
			o->kernel = optarg;
			break;
		case OPT_INITRD:
			o->initrd = optarg;
			break;
		case OPT_DISK_SIZE:
			rc = parse_size("--disk-size", optarg, 1ull << 20, DISK_SIZE_MAX, 1, err);
			o->disk_size = optarg;
			break;
		case OPT_XEN_MODE:
			rc = parse_choice("--xen-mode", optarg, xen_modes, err);
			o->xen_mode = optarg;
			break;
		case OPT_PEER_CPUS:
			o->peer_cpus = optarg;
			break;
		case OPT_IO_CPUS:
			o->io_cpus = optarg;
			break;
		case OPT_NO_INTERLEAVE:
			o->no_interleave = true;
			break;
		case OPT_SEED:
			rc = parse_seed(optarg, &o->seed, err);
			o->seed_given = true;
			break;
		case OPT_MAX_WARMUP:
			rc = parse_unsigned("--max-warmup", optarg, 0, 1000, &o->max_warmup, err);
			break;
		case OPT_HELP:
			o->help = true;
			return 0;
		case ':':
			return bench_error_set(err, 0, "option '%s' needs a value",
			                       argv[optind - 1]);
		default: {
			char valid[512];
			valid_options(valid, sizeof(valid));
			return bench_error_set(err, 0, "unknown option '%s' (valid: %s)",
			                       argv[optind - 1], valid);
		}
		}
		if (rc < 0)
			return -1;
	}
	if (optind < argc)
		return bench_error_set(err, 0, "unexpected argument '%s'", argv[optind]);
	if (o->env == NULL)
		return bench_error_set(err, 0, "--env is required (see `bench list`)");
	if (o->workloads == NULL)
		return bench_error_set(err, 0, "--workload is required (see `bench list`)");
	if (reps > 0)
		o->min_reps = o->max_reps = reps;
	if (o->min_reps > o->max_reps)
		return bench_error_set(err, 0, "--min-reps %u is above --max-reps %u", o->min_reps,
		                       o->max_reps);
	return 0;
}
