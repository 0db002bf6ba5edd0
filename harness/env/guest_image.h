/* The guest kernel and initramfs that QEMU and Xen guests boot: by default
 * the image `make guest` builds next to wl (BUILD/guest/vmlinuz and
 * initramfs.cpio.gz, see scripts/guest-image.sh), or --kernel/--initrd. */
#ifndef BENCH_GUEST_IMAGE_H
#define BENCH_GUEST_IMAGE_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "harness/core/error.h"

struct guest_image {
	char kernel[PATH_MAX];
	char initrd[PATH_MAX];
	char kernel_version[128]; /* from the bzImage header, "" if it has none */
	char kernel_sha256[65];
	char initrd_sha256[65];
	bool built; /* the default image (not an override) */
	/* The wl the image holds (its wl.sha256, written by `make guest`), ""
	 * when the image does not say (an override, an older image), and
	 * whether it is the host's wl: 1 yes, 0 no, -1 unknown. */
	char wl_sha256[65];
	int wl_matches_host;
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

/* What booting an image takes, from its files: the kernel's init_size
 * (bzImage setup header: the memory it needs to decompress and run before
 * it reads the memory map) and the initramfs unpacked (gzip's ISIZE; the
 * file's size when it is not gzip), which stays in RAM as the root file
 * system. Fields that cannot be read are 0. */
struct guest_needs {
	uint64_t kernel_init_bytes;
	uint64_t initramfs_bytes;
};
void guest_image_needs(const struct guest_image *img, struct guest_needs *out);

/* The least RAM the image boots in: init_size plus the initramfs twice
 * (its image and its unpacked files, at the time of unpacking) plus 16 MiB
 * for the kernel's first allocations. 0 when init_size is unknown. */
uint64_t guest_image_min_memory(const struct guest_needs *n);

/* An estimate (not a measurement) of what a workload can use in a guest of
 * memory bytes booted from the image: memory less the kernel's init_size,
 * the unpacked initramfs, 1/16 of memory (page structures, reserves) and
 * 64 MiB for the rest; the basis says so. Conservative against the guests
 * measured (QEMU, 128 MiB to 3.5 GiB). */
void guest_image_estimate_usable(const struct guest_image *img, uint64_t memory, uint64_t *usable,
                                 char *basis, size_t len);

/* When img's wl is known not to be the host's: one sentence saying so and
 * what to do, into out (else out is ""). */
void guest_image_wl_note(const struct guest_image *img, char *out, size_t len);

/* {kernel, initrd, kernel_version, kernel_sha256, initrd_sha256, built,
 * wl_sha256, wl_matches_host}. */
json_t *guest_image_to_json(const struct guest_image *img);

#endif
