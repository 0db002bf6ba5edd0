#include "harness/env/qemu/qemu_accel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/core/cleanup.h"
#include "harness/core/fingerprint.h"

#define KVM_PROBE_TIMEOUT_MS 15000 /* a KVM boot to ready takes about 1 s */
#define KVM_PROBE_MEMORY     (256ull << 20)

static int kvm_openable(char *why, size_t len)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, len, "/dev/kvm: %s", strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static void boot_id(char *buf, size_t len)
{
	if (read_first_line("/proc/sys/kernel/random/boot_id", buf, len) < 0)
		snprintf(buf, len, "unknown");
}

/* The cached verdict for this boot and kernel, if any. */
static int cache_read(const char *kernel_sha, struct qemu_accel *out)
{
	cleanup_fclose FILE *f = fopen(QEMU_ACCEL_CACHE, "re");
	char id[64], line[512], boot[64], sha[80], name[8];
	if (f == NULL || fgets(line, sizeof(line), f) == NULL)
		return -1;
	int reason_at = 0;
	if (sscanf(line, "%63s %79s %7s %n", boot, sha, name, &reason_at) != 3 || reason_at == 0)
		return -1;
	boot_id(id, sizeof(id));
	if (strcmp(boot, id) != 0 || (kernel_sha && strcmp(sha, kernel_sha) != 0))
		return -1;
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->reason, sizeof(out->reason), "%s", line + reason_at);
	out->reason[strcspn(out->reason, "\n")] = '\0';
	return 0;
}

static void cache_write(const char *kernel_sha, const struct qemu_accel *a)
{
	char id[64], tmp[128];
	boot_id(id, sizeof(id));
	snprintf(tmp, sizeof(tmp), "%s.%d", QEMU_ACCEL_CACHE, (int)getpid());
	FILE *f = fopen(tmp, "we");
	if (f == NULL)
		return;
	fprintf(f, "%s %s %s %s\n", id, kernel_sha, a->name, a->reason);
	if (fclose(f) == 0)
		rename(tmp, QEMU_ACCEL_CACHE);
	else
		unlink(tmp);
}

/* Boots img under KVM with no devices beyond the agent. */
static void kvm_test_boot(const char *qemu, const struct guest_image *img, struct qemu_accel *out)
{
	struct qemu_vm_spec s = {
	    .qemu = qemu,
	    .accel = "kvm",
	    .image = img,
	    .memory_bytes = KVM_PROBE_MEMORY,
	    .vcpus = 1,
	    .ready_timeout_ms = KVM_PROBE_TIMEOUT_MS,
	};
	struct qemu_vm vm;
	struct agent agent;
	struct bench_error *err = NULL;
	if (qemu_vm_start(&s, &vm, &agent, &err) == 0) {
		snprintf(out->name, sizeof(out->name), "kvm");
		snprintf(out->reason, sizeof(out->reason),
		         "a test boot under KVM reached the agent in %.2f s", vm.boot_s);
		qemu_vm_stop(&vm, &agent);
		return;
	}
	snprintf(out->name, sizeof(out->name), "tcg");
	/* first line of the error: the console tail would not fit one line */
	const char *msg = err ? err->msg : "unknown failure";
	snprintf(out->reason, sizeof(out->reason), "a test boot under KVM failed: %.*s",
	         (int)strcspn(msg, "\n"), msg);
	bench_error_free(&err);
}

int qemu_accel_choose(const char *asked, const char *qemu, const struct guest_image *img,
                      struct qemu_accel *out, struct bench_error **err)
{
	char why[256];
	if (asked != NULL && strcmp(asked, "tcg") == 0) {
		snprintf(out->name, sizeof(out->name), "tcg");
		snprintf(out->reason, sizeof(out->reason), "asked (--accel tcg)");
		return 0;
	}
	if (asked != NULL && strcmp(asked, "kvm") == 0) {
		if (kvm_openable(why, sizeof(why)) < 0)
			return bench_error_set(err, 0, "--accel kvm: %s", why);
		snprintf(out->name, sizeof(out->name), "kvm");
		snprintf(out->reason, sizeof(out->reason), "asked (--accel kvm)");
		return 0;
	}
	if (asked != NULL && strcmp(asked, "auto") != 0)
		return bench_error_set(err, 0, "--accel %s: valid values are auto, kvm, tcg",
		                       asked);
	if (kvm_openable(why, sizeof(why)) < 0) {
		snprintf(out->name, sizeof(out->name), "tcg");
		snprintf(out->reason, sizeof(out->reason), "no KVM: %s", why);
		return 0;
	}
	if (cache_read(img->kernel_sha256, out) == 0)
		return 0;
	kvm_test_boot(qemu, img, out);
	if (!agent_interrupted)
		cache_write(img->kernel_sha256, out);
	return 0;
}

json_t *qemu_accel_report(void)
{
	char why[256];
	struct qemu_accel cached;
	json_t *kvm;
	if (kvm_openable(why, sizeof(why)) < 0)
		kvm = json_pack("{s:s, s:b, s:s}", "name", "kvm", "available", 0, "reason", why);
	else if (cache_read(NULL, &cached) == 0)
		kvm = json_pack("{s:s, s:b, s:s}", "name", "kvm", "available",
		                strcmp(cached.name, "kvm") == 0, "reason", cached.reason);
	else
		kvm = json_pack("{s:s, s:b, s:s}", "name", "kvm", "available", 1, "reason",
		                "/dev/kvm opens; not test-booted yet (the first qemu run does it)");
	json_t *tcg = json_pack("{s:s, s:b, s:s}", "name", "tcg", "available", 1, "reason",
	                        "emulation: always available, figures are not comparable "
	                        "with hardware virtualisation");
	return json_pack("[o, o]", kvm, tcg);
}
