/* disk.seq_read, disk.seq_write, disk.rand_read, disk.rand_write: qd
 * reads or writes in flight through io_uring on a scratch file (or
 * --disk-path), O_DIRECT unless --buffered. Setup writes the whole span
 * once with a block pattern (disk_target.c); reads check block headers as
 * they complete, writes stamp a new generation per rep and read a sample
 * back afterwards (untimed). */
#include "disk.h"
#include "json_out.h"
#include "percentile.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define DEFAULT_QD    32u
#define MAX_BLOCK     (64 * MIB)
#define DEFAULT_DUR_S 1.0

/* I/O buffers, 4 KiB aligned; from 2 MiB up in huge pages where THP allows
 * (MADV_HUGEPAGE), so a large request is one DMA segment rather than as
 * many as the page allocator scattered it into (see README). */
static unsigned char *io_alloc(size_t len)
{
	size_t align = len >= 2 * MIB ? 2 * MIB : DISK_PAGE;
	void *p;

	if (posix_memalign(&p, align, len))
		return NULL;
	if (align > DISK_PAGE)
		madvise(p, len, MADV_HUGEPAGE);
	return p;
}

static void disk_teardown(struct wl_ctx *ctx)
{
	struct disk *d = ctx->priv;

	if (!d)
		return;
	disk_close_target(d);
	free(d->bufs);
	free(d->check);
	free(d->lat);
	free(d);
	ctx->priv = NULL;
}

static int run_job(struct wl_ctx *ctx, unsigned tid, void *arg, char *errbuf, size_t errlen)
{
	(void)ctx, (void)tid;
	return disk_ring_run(arg, errbuf, errlen);
}

static struct disk_job job_of(const struct disk *d)
{
	return (struct disk_job){
	    .fd = d->fd,
	    .span = d->span,
	    .where = d->where,
	    .write = d->write,
	    .random = d->random,
	    .bs = d->bs,
	    .bufs = d->bufs,
	    .gen = d->gen,
	};
}

/* Writes the whole span once, sequentially, with generation 1, then
 * fdatasync. Untimed: it shows in the agent's setup_s. */
static int prefill(struct wl_ctx *ctx, char *errbuf, size_t errlen)
{
	struct disk *d = ctx->priv;
	struct disk_job j = job_of(d);
	size_t len = (size_t)DISK_SETUP_QD * DISK_SETUP_BS;
	int rc;

	j.write = true;
	j.random = false;
	j.bs = DISK_SETUP_BS;
	j.qd = DISK_SETUP_QD;
	j.max_ios = (d->span + DISK_SETUP_BS - 1) / DISK_SETUP_BS;
	j.gen = d->gen = 1;
	if (!(j.bufs = io_alloc(len)))
		return wl_err(errbuf, errlen, "out of memory");
	disk_fill_body(j.bufs, len);
	rc = wl_parallel(ctx, run_job, &j, NULL, errbuf, errlen);
	free(j.bufs);
	if (rc == 0 && fdatasync(d->fd) < 0)
		return wl_err(errbuf, errlen, "fdatasync %s: %s", d->where, strerror(errno));
	return rc;
}

static int disk_setup(struct wl_ctx *ctx, bool write, bool random, char *errbuf, size_t errlen)
{
	struct wl_config *c = &ctx->cfg;
	struct disk *d;
	char a[32];

	if (!c->qd)
		c->qd = DEFAULT_QD;
	if (!c->block_size)
		c->block_size = random ? 4 * KIB : MIB;
	if (c->block_size % DISK_PAGE || c->block_size > MAX_BLOCK) {
		wl_fmt_size(c->block_size, a, sizeof(a));
		return wl_err(errbuf, errlen, "--block-size %s: want a multiple of 4K up to 64M",
		              a);
	}
	wl_default_bound(c, DEFAULT_DUR_S);
	if (disk_ring_probe(c->qd, errbuf, errlen) < 0)
		return -1;
	d = ctx->priv = calloc(1, sizeof(*d));
	if (!d)
		return wl_err(errbuf, errlen, "out of memory");
	d->fd = -1;
	d->write = write;
	d->random = random;
	d->bs = c->block_size;
	d->seed = 0x2545f4914f6cdd1dull;
	if (disk_open_target(d, c, errbuf, errlen) < 0)
		goto fail;
	if (!(d->bufs = io_alloc(c->qd * d->bs)) || !(d->check = io_alloc(d->bs))) {
		wl_err(errbuf, errlen, "out of memory for %u buffers of %llu bytes", c->qd,
		       (unsigned long long)d->bs);
		goto fail;
	}
	disk_fill_body(d->bufs, c->qd * d->bs);
	if (random) {
		d->lat_cap =
		    c->iterations && c->iterations < DISK_LAT_CAP ? c->iterations : DISK_LAT_CAP;
		if (!(d->lat = malloc(d->lat_cap * sizeof(double)))) {
			wl_err(errbuf, errlen, "out of memory");
			goto fail;
		}
		memset(d->lat, 0, d->lat_cap * sizeof(double)); /* first touch, untimed */
	}
	if (prefill(ctx, errbuf, errlen) < 0)
		goto fail;
	ctx->mem_base = d->bufs;
	ctx->mem_len = c->qd * d->bs;
	return 0;
fail:
	disk_teardown(ctx);
	return -1;
}

/* After a write rep (untimed): reads back the sampled I/Os and checks
 * every byte of them. Returns the first bad offset + 1, 0 if all are good,
 * or -1 with errbuf if a read fails. */
static int64_t read_back(struct disk *d, const struct disk_job *j, char *errbuf, size_t errlen)
{
	for (unsigned i = 0; i < j->nsample; i++) {
		uint64_t off = j->sample[i], len = d->span - off < d->bs ? d->span - off : d->bs;
		ssize_t n = pread(d->fd, d->check, len, (off_t)off);

		if (n != (ssize_t)len)
			return wl_err(errbuf, errlen, "reading back offset %llu of %s: %s",
			              (unsigned long long)off, d->where,
			              n < 0 ? strerror(errno) : "short read");
		if (!disk_block_ok(d->check, len, off, j->gen))
			return (int64_t)off + 1;
	}
	return 0;
}

static int disk_rep(struct wl_ctx *ctx, struct wl_result *res, char *errbuf, size_t errlen)
{
	struct disk *d = ctx->priv;
	const struct wl_config *c = &ctx->cfg;
	struct disk_job j = job_of(d);
	int64_t bad = 0;

	d->seed = d->seed * 6364136223846793005ull + 1442695040888963407ull;
	j.seed = d->seed;
	j.qd = c->qd;
	j.max_ios = c->iterations;
	j.duration_s = c->duration_s;
	j.lat = d->lat;
	j.lat_cap = d->lat_cap;
	if (d->write)
		j.gen = ++d->gen;
	if (wl_parallel(ctx, run_job, &j, NULL, errbuf, errlen) < 0)
		return -1;
	d->fixed_file = j.fixed_file;
	d->fixed_bufs = j.fixed_bufs;
	if (d->write && (bad = read_back(d, &j, errbuf, errlen)) < 0)
		return -1;
	res->elapsed_s = j.elapsed_s;
	if (j.bad || bad) {
		res->valid = false;
		wl_err(errbuf, errlen, "%s at offset %llu of %s has a wrong %s",
		       j.bad ? "a read block" : "a written block",
		       (unsigned long long)(j.bad ? j.bad_off : (uint64_t)bad - 1), d->where,
		       j.bad ? "header" : "content on reading back");
		return 0;
	}
	if (!j.ios || j.elapsed_s <= 0)
		return wl_err(errbuf, errlen, "no I/O completed");
	if (!d->random) {
		res->nmetrics = 1;
		snprintf(res->m[0].name, sizeof(res->m[0].name), "mbps");
		res->m[0].value = (double)j.bytes / j.elapsed_s / 1e6;
		return 0;
	}
	percentile_sort(d->lat, j.nlat);
	res->nmetrics = 3;
	snprintf(res->m[0].name, sizeof(res->m[0].name), "iops");
	res->m[0].value = (double)j.ios / j.elapsed_s;
	snprintf(res->m[1].name, sizeof(res->m[1].name), "lat_p50_us");
	res->m[1].value = percentile_sorted(d->lat, j.nlat, 50) * 1e6;
	snprintf(res->m[2].name, sizeof(res->m[2].name), "lat_p99_us");
	res->m[2].value = percentile_sorted(d->lat, j.nlat, 99) * 1e6;
	for (unsigned i = 1; i < 3; i++) {
		res->m[i].unit = "us";
		res->m[i].better = "lower";
	}
	return 0;
}

static void disk_print_config(struct jw *j, const struct wl_ctx *ctx)
{
	const struct disk *d = ctx->priv;

	jw_str(j, "target", d->block_dev ? "block" : "file");
	jw_bool(j, "direct", d->direct);
	jw_str(j, "engine", "io_uring");
	/* what the ring had registered: equal across environments, or the
	 * comparison is not matched */
	jw_str(j, "registered",
	       d->fixed_file && d->fixed_bufs ? "file,buffers"
	       : d->fixed_file                ? "file"
	       : d->fixed_bufs                ? "buffers"
	                                      : "none");
	jw_int(j, "qd", ctx->cfg.qd);
	jw_int(j, "block_size", (int64_t)d->bs);
}

static int seq_read_setup(struct wl_ctx *ctx, char *errbuf, size_t errlen)
{
	return disk_setup(ctx, false, false, errbuf, errlen);
}

static int seq_write_setup(struct wl_ctx *ctx, char *errbuf, size_t errlen)
{
	return disk_setup(ctx, true, false, errbuf, errlen);
}

static int rand_read_setup(struct wl_ctx *ctx, char *errbuf, size_t errlen)
{
	return disk_setup(ctx, false, true, errbuf, errlen);
}

static int rand_write_setup(struct wl_ctx *ctx, char *errbuf, size_t errlen)
{
	return disk_setup(ctx, true, true, errbuf, errlen);
}

#define DISK_PARAMS (WL_P_DISK | WL_P_QD | WL_P_BLOCK | WL_P_SIZE | WL_P_DURATION | WL_P_ITERATIONS)

const struct workload wl_disk_seq_read = {
    .name = "disk.seq_read",
    .description = "sequential reads (default 1 MiB, qd 32, io_uring, O_DIRECT) wrapping over a "
                   "1 GiB file; block headers checked",
    .unit = "MB/s",
    .better = WL_HIGHER,
    .params = DISK_PARAMS,
    .size_min = DISK_PAGE,
    .setup = seq_read_setup,
    .rep = disk_rep,
    .teardown = disk_teardown,
    .print_config = disk_print_config,
};

const struct workload wl_disk_seq_write = {
    .name = "disk.seq_write",
    .description = "sequential writes (default 1 MiB, qd 32, io_uring, O_DIRECT) wrapping over a "
                   "1 GiB file; a sample read back",
    .unit = "MB/s",
    .better = WL_HIGHER,
    .params = DISK_PARAMS,
    .size_min = DISK_PAGE,
    .setup = seq_write_setup,
    .rep = disk_rep,
    .teardown = disk_teardown,
    .print_config = disk_print_config,
};

const struct workload wl_disk_rand_read = {
    .name = "disk.rand_read",
    .description = "uniform random block-aligned reads (default 4 KiB, qd 32, io_uring, "
                   "O_DIRECT) over a 1 GiB file; IOPS and latency p50/p99",
    .unit = "IOPS",
    .better = WL_HIGHER,
    .params = DISK_PARAMS,
    .size_min = DISK_PAGE,
    .setup = rand_read_setup,
    .rep = disk_rep,
    .teardown = disk_teardown,
    .print_config = disk_print_config,
};

const struct workload wl_disk_rand_write = {
    .name = "disk.rand_write",
    .description = "uniform random block-aligned writes (default 4 KiB, qd 32, io_uring, "
                   "O_DIRECT) over a 1 GiB file; IOPS and latency p50/p99",
    .unit = "IOPS",
    .better = WL_HIGHER,
    .params = DISK_PARAMS,
    .size_min = DISK_PAGE,
    .setup = rand_write_setup,
    .rep = disk_rep,
    .teardown = disk_teardown,
    .print_config = disk_print_config,
};
