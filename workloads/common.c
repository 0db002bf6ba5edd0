/* Helpers shared by the workloads: errors, the pinned thread runner,
 * mappings, partitioning and size names. */
#include "workload.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

int wl_err(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Start gate: workers wait until every thread exists (or creation failed). */
struct run {
	struct wl_ctx *ctx;
	wl_thread_fn fn;
	void *arg;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int state; /* 0 wait, 1 go, -1 abort */
	double t0, t1;
};

struct worker {
	struct run *run;
	unsigned tid;
	pthread_t thread;
	int rc;
	char err[256];
};

static void *worker_main(void *p)
{
	struct worker *wk = p;
	struct run *r = wk->run;
	int state;

	pthread_mutex_lock(&r->lock);
	while (r->state == 0)
		pthread_cond_wait(&r->cond, &r->lock);
	state = r->state;
	pthread_mutex_unlock(&r->lock);
	if (state < 0)
		return NULL;

	pthread_barrier_wait(&r->ctx->barrier);
	if (wk->tid == 0)
		r->t0 = wl_now();
	wk->rc = r->fn(r->ctx, wk->tid, r->arg, wk->err, sizeof(wk->err));
	pthread_barrier_wait(&r->ctx->barrier);
	if (wk->tid == 0)
		r->t1 = wl_now();
	r->ctx->cpus_ran[wk->tid] = sched_getcpu();
	return NULL;
}

int wl_parallel(struct wl_ctx *ctx, wl_thread_fn fn, void *arg, double *elapsed, char *errbuf,
                size_t errlen)
{
	unsigned n = ctx->cfg.threads, created = 0;
	struct run r = {.ctx = ctx, .fn = fn, .arg = arg};
	_cleanup_free_ struct worker *wk = calloc(n, sizeof(*wk));
	int rc = 0;

	if (!wk)
		return wl_err(errbuf, errlen, "out of memory");
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.cond, NULL);
	for (; created < n; created++) {
		int cpu = ctx->thread_cpus[created];
		cpu_set_t *set = CPU_ALLOC(cpu + 1);
		size_t setsize = CPU_ALLOC_SIZE(cpu + 1);
		pthread_attr_t attr;
		int e;

		if (!set) {
			rc = wl_err(errbuf, errlen, "out of memory");
			break;
		}
		CPU_ZERO_S(setsize, set);
		CPU_SET_S(cpu, setsize, set);
		pthread_attr_init(&attr);
		pthread_attr_setaffinity_np(&attr, setsize, set);
		wk[created] = (struct worker){.run = &r, .tid = created};
		e = pthread_create(&wk[created].thread, &attr, worker_main, &wk[created]);
		pthread_attr_destroy(&attr);
		CPU_FREE(set);
		if (e) {
			rc = wl_err(errbuf, errlen, "cannot start thread %u on CPU %d: %s", created,
			            cpu, strerror(e));
			break;
		}
	}
	pthread_mutex_lock(&r.lock);
	r.state = rc ? -1 : 1;
	pthread_cond_broadcast(&r.cond);
	pthread_mutex_unlock(&r.lock);
	for (unsigned i = 0; i < created; i++)
		pthread_join(wk[i].thread, NULL);
	pthread_cond_destroy(&r.cond);
	pthread_mutex_destroy(&r.lock);
	if (rc)
		return rc;
	for (unsigned i = 0; i < n; i++)
		if (wk[i].rc < 0)
			return wl_err(errbuf, errlen, "%s", wk[i].err);
	if (elapsed)
		*elapsed = r.t1 - r.t0;
	return 0;
}

/* MemTotal and MemAvailable in MiB from /proc/meminfo; 0 when unknown. */
static void meminfo_mib(unsigned long long *total, unsigned long long *avail)
{
	char line[128];
	FILE *f = fopen("/proc/meminfo", "re");

	*total = *avail = 0;
	while (f && fgets(line, sizeof(line), f)) {
		sscanf(line, "MemTotal: %llu kB", total);
		sscanf(line, "MemAvailable: %llu kB", avail);
	}
	if (f)
		fclose(f);
	*total /= 1024;
	*avail /= 1024;
}

void *wl_map(size_t len, char *errbuf, size_t errlen)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		int e = errno;
		unsigned long long total, avail;

		meminfo_mib(&total, &avail);
		if (e == ENOMEM && total)
			wl_err(errbuf, errlen,
			       "cannot map %zu bytes: %s (this system has %llu MiB of memory, "
			       "%llu MiB available: lower --size or give the instance more memory)",
			       len, strerror(e), total, avail);
		else
			wl_err(errbuf, errlen, "cannot map %zu bytes: %s", len, strerror(e));
		return NULL;
	}
	return p;
}

void *wl_map_arrays(size_t bytes, unsigned count, void **arr, size_t *map_len, char *errbuf,
                    size_t errlen)
{
	size_t stride = (bytes + 4095) / 4096 * 4096 + 4096;
	char *p = wl_map(stride * count, errbuf, errlen);

	for (unsigned i = 0; p && i < count; i++)
		arr[i] = p + i * stride;
	*map_len = stride * count;
	return p;
}

void wl_unmap(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}

void wl_fmt_size(uint64_t bytes, char *buf, size_t len)
{
	if (bytes && bytes % GIB == 0)
		snprintf(buf, len, "%lluGiB", (unsigned long long)(bytes / GIB));
	else if (bytes && bytes % MIB == 0)
		snprintf(buf, len, "%lluMiB", (unsigned long long)(bytes / MIB));
	else if (bytes && bytes % KIB == 0)
		snprintf(buf, len, "%lluKiB", (unsigned long long)(bytes / KIB));
	else
		snprintf(buf, len, "%lluB", (unsigned long long)bytes);
}

void wl_split(size_t n, unsigned threads, unsigned tid, size_t align, size_t *begin, size_t *end)
{
	size_t units = (n + align - 1) / align;
	size_t per = (units + threads - 1) / threads;
	size_t b = (size_t)tid * per * align, e = b + per * align;

	*begin = b < n ? b : n;
	*end = e < n ? e : n;
}
