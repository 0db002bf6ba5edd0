/* The io_uring engine of the disk workloads: keeps qd reads or writes in
 * flight, reaps every ready CQE at once, refills the freed slots, and stops
 * submitting at the first bound (count or time), then drains.
 *
 * Refills go to the kernel one by one, the last together with the wait for
 * the next completion. Submitting a batch of refills in one io_uring_enter
 * plugs them into one block-layer dispatch; on the development VM's
 * virtio disk that cut 4 KiB random reads at qd 32 from fio's 75k IOPS to
 * 63k, one by one (as fio submits by default) gave 77k. The file and the
 * buffers are registered with the ring (fio's registerfiles and
 * fixedbufs; its defaults are off). */
#include "disk.h"

#include <errno.h>
#include <liburing.h>
#include <string.h>

struct slot {
	double t;     /* submission time */
	uint64_t off; /* byte offset */
	unsigned len;
};

struct engine {
	struct disk_job *j;
	struct slot *slots;
	unsigned *freel, nfree, inflight;
	uint64_t pos, nblocks, span, submitted, rnd;
	bool fixed_file, fixed_bufs; /* the fd and bufs registered with the ring */
	int err;                     /* first failed I/O: -errno, or 1 for a short transfer */
	uint64_t err_off;
	long err_res;
};

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* Uniform in [0, n) without a division (Lemire's multiply-shift). */
static uint64_t below(uint64_t *s, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)xorshift(s) * n) >> 64);
}

static int ring_init(struct io_uring *ring, unsigned qd)
{
	/* One thread submits and reaps: let the kernel run completion work
	 * only when it waits (6.1+); older kernels refuse the flags. */
	int rc =
	    io_uring_queue_init(qd, ring, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN);

	if (rc == -EINVAL)
		rc = io_uring_queue_init(qd, ring, 0);
	return rc;
}

int disk_ring_probe(unsigned qd, char *errbuf, size_t errlen)
{
	struct io_uring ring;
	int rc = ring_init(&ring, qd);

	if (rc < 0)
		return wl_err(errbuf, errlen,
		              "io_uring is unavailable: io_uring_queue_init(%u) failed with %s "
		              "(%s)%s",
		              qd, strerrorname_np(-rc) ? strerrorname_np(-rc) : "?", strerror(-rc),
		              rc == -EPERM || rc == -ENOSYS
		                  ? "; kernel.io_uring_disabled, a seccomp filter or an old "
		                    "kernel refuses it"
		                  : "");
	io_uring_queue_exit(&ring);
	return 0;
}

/* Queues one I/O on a free slot; now is its submission time. */
static void queue_one(struct engine *e, struct io_uring *ring, double now)
{
	struct disk_job *j = e->j;
	unsigned id = e->freel[--e->nfree];
	struct slot *s = &e->slots[id];
	unsigned char *buf = j->bufs + (size_t)id * j->bs;
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (j->random) {
		s->off = below(&e->rnd, e->nblocks) * j->bs;
		s->len = (unsigned)j->bs;
	} else {
		s->off = e->pos;
		s->len = (unsigned)(e->span - e->pos < j->bs ? e->span - e->pos : j->bs);
		e->pos = e->pos + s->len >= e->span ? 0 : e->pos + s->len;
	}
	s->t = now;
	if (j->write)
		disk_stamp(buf, s->len, s->off, j->gen);
	if (e->fixed_bufs && j->write)
		io_uring_prep_write_fixed(sqe, -1, buf, s->len, s->off, 0);
	else if (e->fixed_bufs)
		io_uring_prep_read_fixed(sqe, -1, buf, s->len, s->off, 0);
	else if (j->write)
		io_uring_prep_write(sqe, -1, buf, s->len, s->off);
	else
		io_uring_prep_read(sqe, -1, buf, s->len, s->off);
	if (e->fixed_file) {
		sqe->fd = 0; /* index in the registered files */
		sqe->flags |= IOSQE_FIXED_FILE;
	} else {
		sqe->fd = j->fd;
	}
	io_uring_sqe_set_data64(sqe, id);
	e->submitted++;
	e->inflight++;
}

/* Accounts one completion: errors, header checks, latency, samples. */
static void complete_one(struct engine *e, unsigned id, int res, double now)
{
	struct disk_job *j = e->j;
	struct slot *s = &e->slots[id];
	const unsigned char *buf = j->bufs + (size_t)id * j->bs;

	e->inflight--;
	e->freel[e->nfree++] = id;
	if (res != (int)s->len) {
		if (!e->err) {
			e->err = res < 0 ? res : 1;
			e->err_off = s->off;
			e->err_res = res;
		}
		return;
	}
	if (!j->write) {
		/* Cheap: the first and the last block header of the I/O (one
		 * block for a 4 KiB I/O). */
		uint64_t last = s->len - DISK_PAGE;

		if (!disk_hdr_ok(buf, s->off, j->gen) ||
		    (last && !disk_hdr_ok(buf + last, s->off + last, j->gen))) {
			if (!j->bad++)
				j->bad_off = s->off;
		}
	} else if (j->nsample < DISK_SAMPLE) {
		j->sample[j->nsample++] = s->off;
	} else {
		uint64_t r = below(&e->rnd, j->ios + 1);

		if (r < DISK_SAMPLE)
			j->sample[r] = s->off;
	}
	if (j->lat) {
		if (j->nlat < j->lat_cap) {
			j->lat[j->nlat++] = now - s->t;
		} else {
			uint64_t r = below(&e->rnd, j->ios + 1);

			if (r < j->lat_cap)
				j->lat[r] = now - s->t;
		}
	}
	j->ios++;
	j->bytes += s->len;
}

/* The submit / wait / reap loop. Returns 0, or -1 with errbuf. */
static int pump(struct engine *e, struct io_uring *ring, char *errbuf, size_t errlen)
{
	struct disk_job *j = e->j;
	struct __kernel_timespec ts = {.tv_sec = 1};
	double t0 = wl_now(), now = t0, last = t0;
	bool stop = false;

	for (;;) {
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;
		int rc;

		while (e->nfree && !stop && !e->err) {
			if (j->max_ios && e->submitted >= j->max_ios) {
				stop = true;
				break;
			}
			if (io_uring_sq_ready(ring) && (rc = io_uring_submit(ring)) < 0)
				return wl_err(errbuf, errlen, "io_uring_enter: %s", strerror(-rc));
			queue_one(e, ring, wl_now());
		}
		if (!e->inflight)
			break;
		rc = io_uring_submit_and_wait_timeout(ring, &cqe, 1, &ts, NULL);
		if (rc < 0 && rc != -ETIME && rc != -EINTR)
			return wl_err(errbuf, errlen, "io_uring_enter: %s", strerror(-rc));
		now = wl_now();
		io_uring_for_each_cqe(ring, head, cqe)
		{
			if (cqe->user_data != LIBURING_UDATA_TIMEOUT)
				complete_one(e, (unsigned)cqe->user_data, cqe->res, now);
			n++;
		}
		io_uring_cq_advance(ring, n);
		if (n)
			last = now;
		else if (now - last > DISK_WAIT_S)
			return wl_err(errbuf, errlen,
			              "%u I/Os on %s did not complete within %d s (stuck device?)",
			              e->inflight, j->where, DISK_WAIT_S);
		if (j->duration_s > 0 && now - t0 >= j->duration_s)
			stop = true;
	}
	j->elapsed_s = last - t0;
	if (e->err < 0)
		return wl_err(errbuf, errlen, "%s of %u bytes at offset %llu of %s failed: %s",
		              j->write ? "write" : "read", (unsigned)j->bs,
		              (unsigned long long)e->err_off, j->where, strerror(-e->err));
	if (e->err)
		return wl_err(errbuf, errlen, "short %s at offset %llu of %s: %ld bytes",
		              j->write ? "write" : "read", (unsigned long long)e->err_off, j->where,
		              e->err_res);
	return 0;
}

int disk_ring_run(struct disk_job *j, char *errbuf, size_t errlen)
{
	struct engine e = {.j = j, .span = j->span, .rnd = j->seed | 1};
	_cleanup_free_ struct slot *slots = calloc(j->qd, sizeof(*slots));
	_cleanup_free_ unsigned *freel = calloc(j->qd, sizeof(*freel));
	struct io_uring ring;
	int rc;

	j->ios = j->bytes = j->nlat = j->bad = 0;
	j->nsample = 0;
	if (!slots || !freel)
		return wl_err(errbuf, errlen, "out of memory");
	e.slots = slots;
	e.freel = freel;
	e.nblocks = j->span / j->bs;
	for (unsigned i = 0; i < j->qd; i++)
		freel[e.nfree++] = j->qd - 1 - i;
	rc = ring_init(&ring, j->qd);
	if (rc < 0)
		return wl_err(errbuf, errlen, "io_uring_queue_init(%u): %s", j->qd, strerror(-rc));
	/* Registered file and buffers (untimed): no file reference and no
	 * page pinning per I/O. Without them (an old kernel, a memlock limit
	 * on the buffers) plain reads and writes; the rep says which. */
	struct iovec iov = {.iov_base = j->bufs, .iov_len = (size_t)j->qd * j->bs};
	e.fixed_file = io_uring_register_files(&ring, &j->fd, 1) == 0;
	e.fixed_bufs = io_uring_register_buffers(&ring, &iov, 1) == 0;
	j->fixed_file = e.fixed_file;
	j->fixed_bufs = e.fixed_bufs;
	rc = pump(&e, &ring, errbuf, errlen);
	io_uring_queue_exit(&ring);
	return rc;
}
