/* os.syscall (raw getppid round trips into the kernel) and os.ctxsw (pipe
 * ping-pong with a forked child that inherits the pinned CPU, so each round
 * trip is two context switches on that CPU). */
#include "workload.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Per-thread results of both workloads. */
struct os_thread {
	uint64_t count; /* calls or round trips */
	double seconds;
	long bad; /* a wrong reply (+1), or 0 */
	pid_t child;
	int to_child, from_child; /* os.ctxsw: parent's pipe ends */
};

static void os_teardown(struct wl_ctx *ctx)
{
	struct os_thread *st = ctx->priv;

	if (!st)
		return;
	for (unsigned i = 0; i < ctx->cfg.threads; i++) {
		if (st[i].to_child >= 0)
			close(st[i].to_child);
		if (st[i].from_child >= 0)
			close(st[i].from_child);
		if (st[i].child > 0) {
			kill(st[i].child, SIGKILL);
			while (waitpid(st[i].child, NULL, 0) < 0 && errno == EINTR)
				;
		}
	}
	free(st);
	ctx->priv = NULL;
}

static int os_alloc(struct wl_ctx *ctx, double duration, char *errbuf, size_t errlen)
{
	struct os_thread *st = calloc(ctx->cfg.threads, sizeof(*st));

	if (!st)
		return wl_err(errbuf, errlen, "out of memory");
	for (unsigned i = 0; i < ctx->cfg.threads; i++)
		st[i].to_child = st[i].from_child = -1;
	wl_default_bound(&ctx->cfg, duration);
	ctx->priv = st;
	ctx->mem_base = st;
	ctx->mem_len = ctx->cfg.threads * sizeof(*st);
	return 0;
}

static int mean_per_op(struct wl_ctx *ctx, struct wl_result *res, const char *metric, double scale,
                       char *errbuf, size_t errlen)
{
	struct os_thread *st = ctx->priv;
	double sum = 0;

	for (unsigned i = 0; i < ctx->cfg.threads; i++) {
		if (st[i].bad) {
			res->valid = false;
			wl_err(errbuf, errlen, "thread %u got %ld back", i, st[i].bad - 1);
			return 0;
		}
		sum += st[i].seconds * scale / (double)st[i].count;
	}
	res->nmetrics = 1;
	snprintf(res->m[0].name, sizeof(res->m[0].name), "%s", metric);
	res->m[0].value = sum / ctx->cfg.threads;
	return 0;
}

/* ---- os.syscall ------------------------------------------------------- */

static int sys_setup(struct wl_ctx *ctx, char *errbuf, size_t errlen)
{
	return os_alloc(ctx, 0.5, errbuf, errlen);
}

static int sys_thread(struct wl_ctx *ctx, unsigned tid, void *arg, char *errbuf, size_t errlen)
{
	struct os_thread *t = &((struct os_thread *)ctx->priv)[tid];
	const long want = getppid();
	uint64_t n = 0, chunk;
	double t0 = wl_now();

	(void)arg, (void)errbuf, (void)errlen;
	t->bad = 0;
	do {
		chunk = wl_chunk(&ctx->cfg, n, 1024);
		for (uint64_t i = 0; i < chunk; i++) {
			long got = syscall(SYS_getppid);

			if (got != want)
				t->bad = got + 1;
		}
		n += chunk;
	} while (!wl_should_stop(&ctx->cfg, n, t0));
	t->seconds = wl_now() - t0;
	t->count = n;
	return 0;
}

static int sys_rep(struct wl_ctx *ctx, struct wl_result *res, char *errbuf, size_t errlen)
{
	if (wl_parallel(ctx, sys_thread, NULL, &res->elapsed_s, errbuf, errlen) < 0)
		return -1;
	return mean_per_op(ctx, res, "ns_per_call", 1e9, errbuf, errlen);
}

const struct workload wl_os_syscall = {
    .name = "os.syscall",
    .description = "syscall(SYS_getppid) in a loop (no libc cache) for --duration (0.5 s) "
                   "or --iterations calls; mean over threads; each result checked",
    .unit = "ns/call",
    .better = WL_LOWER,
    .params = WL_P_THREADS | WL_P_DURATION | WL_P_ITERATIONS,
    .setup = sys_setup,
    .rep = sys_rep,
    .teardown = os_teardown,
};

/* ---- os.ctxsw --------------------------------------------------------- */

/* The child: echo every byte until EOF. Only async-signal-safe calls. */
static _Noreturn void echo_child(int in, int out, int cpu, pid_t parent)
{
	cpu_set_t set;
	unsigned char b;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	CPU_ZERO(&set);
	if (cpu < CPU_SETSIZE) {
		CPU_SET(cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	for (;;) {
		long r = syscall(SYS_read, in, &b, 1);

		if (r == 0)
			_exit(0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || syscall(SYS_write, out, &b, 1) != 1)
			_exit(1);
	}
}

/* Raw read and write: libc's wrappers are cancellation points, which in a
 * multi-threaded process (wl's worker threads) cost atomic operations
 * around every call; perf bench sched pipe's processes are single-threaded. */
static long pipe_write(int fd, const unsigned char *b)
{
	return syscall(SYS_write, fd, b, 1);
}

static long pipe_read(int fd, unsigned char *b)
{
	return syscall(SYS_read, fd, b, 1);
}

/* One round trip: send b, expect it back. 0, or -1 (child gone or wrong). */
static int round_trip(struct os_thread *t, unsigned char b)
{
	unsigned char got;
	long r;

	if (pipe_write(t->to_child, &b) != 1)
		return -1;
	while ((r = pipe_read(t->from_child, &got)) < 0 && errno == EINTR)
		;
	if (r == 0)
		errno = 0; /* EOF: the child is gone */
	if (r != 1)
		return -1;
	if (got != b)
		t->bad = got + 1;
	return 0;
}

static int ctx_setup(struct wl_ctx *ctx, char *errbuf, size_t errlen)
{
	struct os_thread *st;
	pid_t self = getpid();

	if (os_alloc(ctx, 0.5, errbuf, errlen) < 0)
		return -1;
	st = ctx->priv;
	for (unsigned i = 0; i < ctx->cfg.threads; i++) {
		int down[2], up[2];

		if (pipe2(down, O_CLOEXEC) < 0) {
			os_teardown(ctx);
			return wl_err(errbuf, errlen, "pipe: %s", strerror(errno));
		}
		if (pipe2(up, O_CLOEXEC) < 0) {
			close(down[0]), close(down[1]);
			os_teardown(ctx);
			return wl_err(errbuf, errlen, "pipe: %s", strerror(errno));
		}
		errno = 0;
		st[i].child = fork();
		if (st[i].child == 0) {
			for (unsigned k = 0; k < i; k++) /* other pairs' ends: EOF must work */
				close(st[k].to_child), close(st[k].from_child);
			close(down[1]), close(up[0]);
			echo_child(down[0], up[1], ctx->thread_cpus[i], self);
		}
		close(down[0]), close(up[1]);
		st[i].to_child = down[1];
		st[i].from_child = up[0];
		if (st[i].child < 0 || round_trip(&st[i], 42) < 0 || st[i].bad) {
			int e = errno;

			os_teardown(ctx);
			return wl_err(errbuf, errlen, "echo child %u: %s", i,
			              e ? strerror(e) : "no echo");
		}
	}
	return 0;
}

static int ctx_thread(struct wl_ctx *ctx, unsigned tid, void *arg, char *errbuf, size_t errlen)
{
	struct os_thread *t = &((struct os_thread *)ctx->priv)[tid];
	uint64_t n = 0, chunk;
	double t0 = wl_now();

	(void)arg;
	t->bad = 0;
	do {
		chunk = wl_chunk(&ctx->cfg, n, 64);
		for (uint64_t i = 0; i < chunk; i++)
			if (round_trip(t, (unsigned char)(n + i)) < 0)
				return wl_err(errbuf, errlen, "echo child of thread %u: %s", tid,
				              errno ? strerror(errno) : "gone");
		n += chunk;
	} while (!wl_should_stop(&ctx->cfg, n, t0));
	t->seconds = wl_now() - t0;
	t->count = n;
	return 0;
}

static int ctx_rep(struct wl_ctx *ctx, struct wl_result *res, char *errbuf, size_t errlen)
{
	if (wl_parallel(ctx, ctx_thread, NULL, &res->elapsed_s, errbuf, errlen) < 0)
		return -1;
	return mean_per_op(ctx, res, "us_per_roundtrip", 1e6, errbuf, errlen);
}

const struct workload wl_os_ctxsw = {
    .name = "os.ctxsw",
    .description = "one byte ping-pong over two pipes with a forked child on the same CPU; "
                   "--threads N = N pairs; echoed bytes checked",
    .unit = "us/round trip",
    .better = WL_LOWER,
    .params = WL_P_THREADS | WL_P_DURATION | WL_P_ITERATIONS,
    .setup = ctx_setup,
    .rep = ctx_rep,
    .teardown = os_teardown,
};
