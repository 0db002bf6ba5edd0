/* The target of the disk workloads (an unlinked scratch file, an existing
 * file or a block device) and the block pattern written to it. */
#include "disk.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define HDR_WORDS   (sizeof(struct disk_hdr) / sizeof(uint64_t))
#define BLOCK_WORDS (DISK_PAGE / sizeof(uint64_t))

/* splitmix64's finaliser: word k of every block body. */
static uint64_t body_word(uint64_t k)
{
	uint64_t z = k * 0x9e3779b97f4a7c15ull + DISK_MAGIC;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static struct disk_hdr make_hdr(uint64_t block, uint64_t gen)
{
	return (struct disk_hdr){
	    .magic = DISK_MAGIC,
	    .block = block,
	    .gen = gen,
	    .check = DISK_MAGIC ^ (block * 0xff51afd7ed558ccdull) ^ (gen << 40 | gen >> 24),
	};
}

void disk_fill_body(unsigned char *buf, size_t len)
{
	for (size_t b = 0; b + DISK_PAGE <= len; b += DISK_PAGE) {
		uint64_t *w = (uint64_t *)(void *)(buf + b);

		for (size_t k = HDR_WORDS; k < BLOCK_WORDS; k++)
			w[k] = body_word(k);
	}
}

void disk_stamp(unsigned char *buf, size_t len, uint64_t off, uint64_t gen)
{
	for (size_t b = 0; b + DISK_PAGE <= len; b += DISK_PAGE) {
		struct disk_hdr h = make_hdr((off + b) / DISK_PAGE, gen);

		memcpy(buf + b, &h, sizeof(h));
	}
}

bool disk_hdr_ok(const unsigned char *buf, uint64_t off, uint64_t gen)
{
	struct disk_hdr want = make_hdr(off / DISK_PAGE, gen);

	return memcmp(buf, &want, sizeof(want)) == 0;
}

bool disk_block_ok(const unsigned char *buf, size_t len, uint64_t off, uint64_t gen)
{
	for (size_t b = 0; b + DISK_PAGE <= len; b += DISK_PAGE) {
		const uint64_t *w = (const uint64_t *)(const void *)(buf + b);

		if (!disk_hdr_ok(buf + b, off + b, gen))
			return false;
		for (size_t k = HDR_WORDS; k < BLOCK_WORDS; k++)
			if (w[k] != body_word(k))
				return false;
	}
	return true;
}

static int refuse_direct(const char *where, const char *why, char *errbuf, size_t errlen)
{
	return wl_err(errbuf, errlen,
	              "the filesystem at %s %s; use --buffered to accept page-cache numbers", where,
	              why);
}

/* A new file in dir, unlinked at once so it goes away even if wl is
 * killed. (O_DIRECT comes later, by fcntl: an open(O_CREAT|O_DIRECT) that
 * the filesystem refuses would leave the named file behind.) */
static int create_scratch(struct disk *d, const char *dir, char *errbuf, size_t errlen)
{
	char tmpl[sizeof(d->where) + 32];

	snprintf(tmpl, sizeof(tmpl), "%s/wl-disk-XXXXXX", dir);
	d->fd = mkostemp(tmpl, O_CLOEXEC);
	if (d->fd < 0)
		return wl_err(errbuf, errlen, "cannot create a scratch file in %s: %s", dir,
		              strerror(errno));
	unlink(tmpl);
	return 0;
}

/* O_DIRECT, refused with a hint where the filesystem cannot do it or
 * where it would still measure memory (tmpfs accepts it since Linux 6.6). */
static int set_direct(struct disk *d, char *errbuf, size_t errlen)
{
	struct statfs sf;
	int fl = fcntl(d->fd, F_GETFL);

	/* A device node's statfs is that of /dev (devtmpfs): files only. */
	if (!d->block_dev && fstatfs(d->fd, &sf) == 0 &&
	    (sf.f_type == TMPFS_MAGIC || sf.f_type == RAMFS_MAGIC))
		return refuse_direct(d->where,
		                     "is in memory (tmpfs): O_DIRECT there measures no disk",
		                     errbuf, errlen);
	if (fl >= 0 && fcntl(d->fd, F_SETFL, fl | O_DIRECT) == 0)
		return 0;
	if (errno == EINVAL)
		return refuse_direct(d->where, "refuses O_DIRECT (tmpfs?)", errbuf, errlen);
	return wl_err(errbuf, errlen, "cannot set O_DIRECT on %s: %s", d->where, strerror(errno));
}

/* Resolves the span: --size (default 1 GiB; for a device at most its size)
 * in whole pages and at least one block; extends a short regular file. */
static int size_target(struct disk *d, struct wl_config *cfg, const struct stat *st, char *errbuf,
                       size_t errlen)
{
	bool given = cfg->given & WL_P_SIZE;
	uint64_t want = given ? cfg->size_bytes : GIB, have;
	char a[32], b[32];

	if (d->block_dev) {
		if (ioctl(d->fd, BLKGETSIZE64, &have) < 0)
			return wl_err(errbuf, errlen, "BLKGETSIZE64 on %s: %s", d->where,
			              strerror(errno));
		if (given && want > have) {
			wl_fmt_size(want, a, sizeof(a));
			return wl_err(errbuf, errlen, "--size %s exceeds the %llu bytes of %s", a,
			              (unsigned long long)have, d->where);
		}
		want = want < have ? want : have;
	}
	want -= want % DISK_PAGE;
	if (want < d->bs) {
		wl_fmt_size(want, a, sizeof(a));
		wl_fmt_size(d->bs, b, sizeof(b));
		return wl_err(errbuf, errlen, "--size %s is less than one block of %s", a, b);
	}
	if (!d->block_dev && (uint64_t)st->st_size < want &&
	    fallocate(d->fd, 0, 0, (off_t)want) < 0 &&
	    (errno != EOPNOTSUPP || ftruncate(d->fd, (off_t)want) < 0)) {
		wl_fmt_size(want, a, sizeof(a));
		return wl_err(errbuf, errlen, "cannot make %s %s long: %s", d->where, a,
		              strerror(errno));
	}
	d->span = cfg->size_bytes = want;
	return 0;
}

int disk_open_target(struct disk *d, struct wl_config *cfg, char *errbuf, size_t errlen)
{
	const char *dir = cfg->disk_dir[0] ? cfg->disk_dir : ".";
	struct stat st;

	d->direct = !cfg->buffered;
	snprintf(d->where, sizeof(d->where), "%s", cfg->disk_path[0] ? cfg->disk_path : dir);
	if (!cfg->disk_path[0]) {
		if (create_scratch(d, dir, errbuf, errlen) < 0)
			return -1;
	} else if ((d->fd = open(cfg->disk_path, O_RDWR | O_CLOEXEC)) < 0) {
		return wl_err(errbuf, errlen, "cannot open --disk-path %s: %s", cfg->disk_path,
		              strerror(errno));
	}
	if (fstat(d->fd, &st) < 0)
		return wl_err(errbuf, errlen, "fstat %s: %s", d->where, strerror(errno));
	d->block_dev = S_ISBLK(st.st_mode);
	if (!d->block_dev && !S_ISREG(st.st_mode))
		return wl_err(errbuf, errlen, "%s is neither a regular file nor a block device",
		              d->where);
	if (d->direct && set_direct(d, errbuf, errlen) < 0)
		return -1;
	return size_target(d, cfg, &st, errbuf, errlen);
}

void disk_close_target(struct disk *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}
