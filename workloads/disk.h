/* Disk workloads (disk.seq_read, disk.seq_write, disk.rand_read,
 * disk.rand_write): the shared state, the target file, its block pattern and
 * the io_uring engine. disk.c holds the descriptors, disk_target.c the
 * target and pattern, disk_ring.c the engine. */
#ifndef WL_DISK_H
#define WL_DISK_H

#include "workload.h"

#define DISK_PAGE     4096u                 /* alignment and the unit of the block pattern */
#define DISK_MAGIC    0x6b73696477626e65ull /* "enbwdisk" */
#define DISK_LAT_CAP  (1u << 20)            /* most latency samples kept per rep */
#define DISK_SAMPLE   64u                   /* written I/Os read back after a write rep */
#define DISK_WAIT_S   30                    /* longest wait for one completion */
#define DISK_SETUP_BS (1u * 1024 * 1024)
#define DISK_SETUP_QD 8u

/* Every 4 KiB block of the target starts with this header; the rest of the
 * block is a fixed pseudo-random pattern (disk_fill_body). */
struct disk_hdr {
	uint64_t magic;
	uint64_t block; /* byte offset / 4096 */
	uint64_t gen;   /* 1 after setup, then one more per write rep */
	uint64_t check; /* mixes the three above */
};

/* What one pass of the engine does. */
struct disk_job {
	int fd;
	uint64_t span;     /* bytes of the target in use */
	const char *where; /* the target, for messages */
	bool write, random;
	uint64_t bs;         /* bytes per I/O, a multiple of DISK_PAGE */
	unsigned qd;         /* I/Os in flight, <= the slots of bufs */
	uint64_t max_ios;    /* 0: no count bound */
	double duration_s;   /* 0: no time bound */
	uint64_t seed;       /* xorshift state for random offsets, != 0 */
	uint64_t gen;        /* stamped into written blocks, expected in read ones */
	unsigned char *bufs; /* qd slots of bs bytes, DISK_PAGE aligned */
	double *lat;         /* NULL, or room for lat_cap latencies (seconds) */
	uint64_t lat_cap;
	/* out */
	uint64_t ios, bytes;          /* completed I/Os and their bytes */
	uint64_t nlat, bad;           /* latencies kept, I/Os with a bad header */
	uint64_t bad_off;             /* offset of the first bad block */
	double elapsed_s;             /* first submission to last completion */
	uint64_t sample[DISK_SAMPLE]; /* offsets of written I/Os (reservoir) */
	unsigned nsample;
	bool fixed_file, fixed_bufs; /* registered with the ring */
};

struct disk {
	int fd;
	bool write, random; /* which of the four workloads */
	bool block_dev, direct;
	uint64_t span;        /* bytes of the target in use, a multiple of bs */
	uint64_t bs;          /* the workload's block size */
	uint64_t gen;         /* generation on disk */
	uint64_t seed;        /* advanced per rep */
	unsigned char *bufs;  /* qd * bs */
	unsigned char *check; /* bs bytes, for the read-back of a write rep */
	double *lat;          /* lat_cap samples, or NULL for sequential */
	uint64_t lat_cap;
	bool fixed_file, fixed_bufs; /* the last rep's ring had them registered */
	char where[512];             /* directory or path, for messages */
};

/* disk_target.c */

/* Opens (or creates, unlinked) the target of cfg, sizes it to span bytes
 * (cfg->size_bytes rounded down to a multiple of bs) and sets d->fd,
 * block_dev, direct, span. Returns 0, or -1 with errbuf (d->fd may be open;
 * disk_close_target closes it). */
int disk_open_target(struct disk *d, struct wl_config *cfg, char *errbuf, size_t errlen);
void disk_close_target(struct disk *d);

/* Fills the pattern body of every 4 KiB block of buf[0..len). */
void disk_fill_body(unsigned char *buf, size_t len);

/* Stamps the headers of the blocks of buf[0..len), which goes to byte
 * offset off, with generation gen. */
void disk_stamp(unsigned char *buf, size_t len, uint64_t off, uint64_t gen);

/* True if the header of the 4 KiB block at buf (read from byte offset off)
 * carries off's block number and generation gen. */
bool disk_hdr_ok(const unsigned char *buf, uint64_t off, uint64_t gen);

/* True if every block of buf[0..len) from offset off has a good header and
 * the exact pattern body (per byte: untimed checks only). */
bool disk_block_ok(const unsigned char *buf, size_t len, uint64_t off, uint64_t gen);

/* disk_ring.c */

/* Fails early, with which error, when this kernel or sandbox refuses
 * io_uring. Returns 0 or -1 with errbuf. */
int disk_ring_probe(unsigned qd, char *errbuf, size_t errlen);

/* Runs job j with a ring of its own (created and freed here, by the
 * calling thread). Returns 0 (bad headers are counted, not errors), or -1
 * with errbuf on an I/O error, a short transfer or a stuck device. */
int disk_ring_run(struct disk_job *j, char *errbuf, size_t errlen);

#endif
