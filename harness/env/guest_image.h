/* The guest kernel and initramfs that QEMU and Xen guests boot: by default
 * the image `make guest` builds next to wl (BUILD/guest/vmlinuz and
 * initramfs.cpio.gz, see scripts/guest-image.sh), or --kernel/--initrd. */
#ifndef BENCH_GUEST_IMAGE_H
#define BENCH_GUEST_IMAGE_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "harness/core/error.h"

struct guest_image {
	char kernel[PATH_MAX];
	char initrd[PATH_MAX];
	char kernel_version[128]; /* from the bzImage header, "" if it has none */
	char kernel_sha256[65];
	char initrd_sha256[65];
	bool built;                                 /* the default image (not an override) */
	struct timespec kernel_mtime, initrd_mtime; /* for the cache */
};

/* Fills img's paths for wl_path (its directory holds guest/) or the
 * overrides (either may be NULL) and checks both files are readable.
 * Returns 0, or -1 with *err saying what is missing and how to build it. */
int guest_image_locate(const char *wl_path, const char *kernel, const char *initrd,
                       struct guest_image *img, struct bench_error **err);

/* Resolves the image for wl_path (its directory holds guest/) or the
 * overrides (either may be NULL), checks both files are readable, reads
 * the kernel version and checksums them (cached per pair of paths, so
 * later calls are cheap). Returns 0, or -1 with *err saying what is
 * missing and how to build it. */
int guest_image_find(const char *wl_path, const char *kernel, const char *initrd,
                     struct guest_image *out, struct bench_error **err);

/* The version string a Linux bzImage carries (setup header field
 * kernel_version), first word only, into buf. Returns 0, or -1 when the
 * file is not a bzImage with one. */
int guest_kernel_version(const char *path, char *buf, size_t len);

/* Creates the sparse raw scratch disk dir/name.img of bytes for a guest;
 * with direct, checks it opens with O_DIRECT (QEMU's cache=none needs it;
 * Xen's blkback goes through a loop device and does not). The path goes to
 * path[0..len). Returns 0, or -1 with *err (path is then "" and nothing is
 * left). */
int guest_disk_create(const char *dir, const char *name, uint64_t bytes, bool direct, char *path,
                      size_t len, struct bench_error **err);

/* {kernel, initrd, kernel_version, kernel_sha256, initrd_sha256, built}. */
json_t *guest_image_to_json(const struct guest_image *img);

#endif
