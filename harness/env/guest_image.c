#include "harness/env/guest_image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/core/cleanup.h"
#include "harness/core/spawn.h"

#define GUEST_DIR     "guest"
#define GUEST_KERNEL  "vmlinuz"
#define GUEST_INITRD  "initramfs.cpio.gz"
#define SETUP_HDR_OFF 0x202 /* "HdrS" */
#define KVER_PTR_OFF  0x20e /* u16: version string at this + 0x200 */
#define SETUP_BASE    0x200

int guest_kernel_version(const char *path, char *buf, size_t len)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char magic[4];
	uint16_t ptr;
	if (fd < 0 || pread(fd, magic, 4, SETUP_HDR_OFF) != 4 || memcmp(magic, "HdrS", 4) != 0 ||
	    pread(fd, &ptr, 2, KVER_PTR_OFF) != 2 || ptr == 0)
		return -1;
	char text[256];
	ssize_t n = pread(fd, text, sizeof(text) - 1, (off_t)ptr + SETUP_BASE);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	size_t word = strcspn(text, " \n");
	if (word == 0 || word >= len)
		return -1;
	memcpy(buf, text, word);
	buf[word] = '\0';
	return 0;
}

static struct guest_image cached;

int guest_image_locate(const char *wl_path, const char *kernel, const char *initrd,
                       struct guest_image *img, struct bench_error **err)
{
	*img = (struct guest_image){.built = kernel == NULL && initrd == NULL};
	char dir[PATH_MAX - 64];
	snprintf(dir, sizeof(dir), "%s", wl_path);
	char *slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if (kernel != NULL)
		snprintf(img->kernel, sizeof(img->kernel), "%s", kernel);
	else
		snprintf(img->kernel, sizeof(img->kernel), "%s/%s/%s", dir, GUEST_DIR,
		         GUEST_KERNEL);
	if (initrd != NULL)
		snprintf(img->initrd, sizeof(img->initrd), "%s", initrd);
	else
		snprintf(img->initrd, sizeof(img->initrd), "%s/%s/%s", dir, GUEST_DIR,
		         GUEST_INITRD);
	const char *hint = img->built ? " (run `make guest`)" : "";
	if (access(img->kernel, R_OK) < 0)
		return bench_error_set(err, errno, "guest kernel %s%s", img->kernel, hint);
	if (access(img->initrd, R_OK) < 0)
		return bench_error_set(err, errno, "guest initramfs %s%s", img->initrd, hint);
	return 0;
}

/* Reads the image's wl.sha256 (next to its initramfs) and compares it with
 * the host's wl: the host's may be rebuilt while the image stays. */
static void wl_compare(const char *wl_path, struct guest_image *img)
{
	img->wl_sha256[0] = '\0';
	img->wl_matches_host = -1;
	char manifest[PATH_MAX + 16], host[65];
	snprintf(manifest, sizeof(manifest), "%s", img->initrd);
	char *slash = strrchr(manifest, '/');
	if (!img->built || slash == NULL)
		return;
	snprintf(slash + 1, sizeof(manifest) - (size_t)(slash + 1 - manifest), "wl.sha256");
	FILE *f = fopen(manifest, "re");
	if (f == NULL)
		return;
	bool got = fscanf(f, "%64[0-9a-f]", img->wl_sha256) == 1 && strlen(img->wl_sha256) == 64;
	fclose(f);
	struct bench_error *e = NULL;
	if (!got) {
		img->wl_sha256[0] = '\0';
		return;
	}
	if (file_sha256(wl_path, host, &e) < 0) {
		bench_error_free(&e);
		return;
	}
	img->wl_matches_host = strcmp(host, img->wl_sha256) == 0;
}

int guest_image_find(const char *wl_path, const char *kernel, const char *initrd,
                     struct guest_image *out, struct bench_error **err)
{
	struct guest_image img;
	if (guest_image_locate(wl_path, kernel, initrd, &img, err) < 0)
		return -1;
	struct stat ks, is;
	if (stat(img.kernel, &ks) < 0 || stat(img.initrd, &is) < 0)
		return bench_error_set(err, errno, "stat %s", img.kernel);
	img.kernel_mtime = ks.st_mtim;
	img.initrd_mtime = is.st_mtim;
	if (strcmp(cached.kernel, img.kernel) == 0 && strcmp(cached.initrd, img.initrd) == 0 &&
	    memcmp(&cached.kernel_mtime, &img.kernel_mtime, sizeof(img.kernel_mtime)) == 0 &&
	    memcmp(&cached.initrd_mtime, &img.initrd_mtime, sizeof(img.initrd_mtime)) == 0) {
		*out = cached;
		out->built = img.built; /* the same files named as overrides */
		wl_compare(wl_path, out);
		return 0;
	}
	if (guest_kernel_version(img.kernel, img.kernel_version, sizeof(img.kernel_version)) < 0)
		img.kernel_version[0] = '\0';
	if (file_sha256(img.kernel, img.kernel_sha256, err) < 0 ||
	    file_sha256(img.initrd, img.initrd_sha256, err) < 0)
		return -1;
	cached = img;
	*out = img;
	wl_compare(wl_path, out);
	return 0;
}

void guest_image_wl_note(const struct guest_image *img, char *out, size_t len)
{
	if (img->wl_matches_host != 0) {
		if (len > 0)
			out[0] = '\0';
		return;
	}
	snprintf(out, len,
	         "the guest image's wl (sha256 %.12s) is not the host's: the image was built "
	         "before wl last changed; `make guest` rebuilds it",
	         img->wl_sha256);
}

#define INIT_SIZE_OFF 0x260 /* u32 init_size, boot protocol >= 2.10 */
#define MIB           (1ull << 20)

void guest_image_needs(const struct guest_image *img, struct guest_needs *out)
{
	*out = (struct guest_needs){0};
	cleanup_close int kfd = open(img->kernel, O_RDONLY | O_CLOEXEC);
	unsigned char magic[4];
	uint32_t init_size;
	if (kfd >= 0 && pread(kfd, magic, 4, SETUP_HDR_OFF) == 4 && memcmp(magic, "HdrS", 4) == 0 &&
	    pread(kfd, &init_size, 4, INIT_SIZE_OFF) == 4)
		out->kernel_init_bytes = init_size;
	cleanup_close int ifd = open(img->initrd, O_RDONLY | O_CLOEXEC);
	struct stat st;
	unsigned char head[2];
	uint32_t isize;
	if (ifd < 0 || fstat(ifd, &st) < 0 || st.st_size < 4)
		return;
	out->initramfs_bytes = (uint64_t)st.st_size;
	if (pread(ifd, head, 2, 0) == 2 && head[0] == 0x1f && head[1] == 0x8b &&
	    pread(ifd, &isize, 4, st.st_size - 4) == 4 && isize >= (uint64_t)st.st_size)
		out->initramfs_bytes = isize; /* modulo 2^32: fine below 4 GiB */
}

uint64_t guest_image_min_memory(const struct guest_needs *n)
{
	if (n->kernel_init_bytes == 0)
		return 0;
	return n->kernel_init_bytes + 2 * n->initramfs_bytes + 16 * MIB;
}

void guest_image_estimate_usable(const struct guest_image *img, uint64_t memory, uint64_t *usable,
                                 char *basis, size_t len)
{
	struct guest_needs needs;
	const struct guest_needs *n = &needs;
	guest_image_needs(img, &needs);
	uint64_t taken = n->kernel_init_bytes + n->initramfs_bytes + memory / 16 + 64 * MIB;
	*usable = memory > taken ? memory - taken : 0;
	snprintf(basis, len,
	         "estimated, not measured: RAM less the kernel's init_size (%llu MiB), the "
	         "unpacked initramfs (%llu MiB), 1/16 of RAM and 64 MiB",
	         (unsigned long long)(n->kernel_init_bytes / MIB),
	         (unsigned long long)((n->initramfs_bytes + MIB - 1) / MIB));
}

json_t *guest_image_to_json(const struct guest_image *img)
{
	return json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:o}", "kernel", img->kernel, "initrd",
	    img->initrd, "kernel_version", img->kernel_version, "kernel_sha256", img->kernel_sha256,
	    "initrd_sha256", img->initrd_sha256, "built", img->built, "wl_sha256",
	    img->wl_sha256[0] ? json_string(img->wl_sha256) : json_null(), "wl_matches_host",
	    img->wl_matches_host < 0 ? json_null() : json_boolean(img->wl_matches_host));
}

int guest_disk_create(const char *dir, const char *name, uint64_t bytes, bool direct, char *path,
                      size_t len, struct bench_error **err)
{
	snprintf(path, len, "%s/%s.img", dir, name);
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;
		path[0] = '\0';
		return bench_error_set(err, e, "creating the guest disk in %s", dir);
	}
	int rc = ftruncate(fd, (off_t)bytes);
	int e = errno;
	close(fd);
	if (rc == 0 && direct) {
		fd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
		e = errno;
		if (fd >= 0)
			close(fd);
		else
			rc = -1;
	}
	if (rc == 0)
		return 0;
	unlink(path);
	path[0] = '\0';
	return bench_error_set(err, e,
	                       "guest disk in %s (it must take O_DIRECT: use --disk-dir on "
	                       "another file system)",
	                       dir);
}
