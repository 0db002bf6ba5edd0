#include "harness/env/qemu/qemu_meminfo.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/core/cleanup.h"
#include "harness/env/explain.h"

#define CALIBRATION_TIMEOUT_MS 60000

/* "<kernel sha> <initrd sha> <accel> <vcpus> <MiB> <available bytes>" */
static int cache_find(const struct qemu_vm_spec *s, uint64_t *available)
{
	cleanup_fclose FILE *f = fopen(QEMU_MEMINFO_CACHE, "re");
	char line[512], ksha[80], isha[80], accel[16];
	unsigned vcpus;
	unsigned long long mib, avail;
	int found = -1;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%79s %79s %15s %u %llu %llu", ksha, isha, accel, &vcpus, &mib,
		           &avail) == 6 &&
		    strcmp(ksha, s->image->kernel_sha256) == 0 &&
		    strcmp(isha, s->image->initrd_sha256) == 0 && strcmp(accel, s->accel) == 0 &&
		    vcpus == s->vcpus && mib == s->memory_bytes >> 20) {
			*available = avail;
			found = 0;
		}
	return found;
}

static void cache_add(const struct qemu_vm_spec *s, uint64_t available)
{
	char line[512];
	int n =
	    snprintf(line, sizeof(line), "%s %s %s %u %llu %llu\n", s->image->kernel_sha256,
	             s->image->initrd_sha256, s->accel, s->vcpus,
	             (unsigned long long)(s->memory_bytes >> 20), (unsigned long long)available);
	cleanup_close int fd =
	    open(QEMU_MEMINFO_CACHE, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0 && n > 0 && (size_t)n < sizeof(line))
		(void)!write(fd, line, (size_t)n); /* one write: whole lines */
}

int qemu_meminfo_measure(const struct qemu_vm_spec *spec, uint64_t *available, bool *cached,
                         struct bench_error **err)
{
	*cached = cache_find(spec, available) == 0;
	if (*cached)
		return 0;
	struct qemu_vm_spec s = *spec;
	s.network = false;
	s.disk_dir = NULL;
	s.ready_timeout_ms = CALIBRATION_TIMEOUT_MS;
	struct qemu_vm vm;
	struct agent agent;
	if (qemu_vm_start(&s, &vm, &agent, err) < 0)
		return bench_error_wrap(err, "calibration boot with %llu MiB",
		                        (unsigned long long)(s.memory_bytes >> 20));
	cleanup_free char *console = qemu_vm_console_tail(&vm, 65536);
	qemu_vm_stop(&vm, &agent);
	uint64_t total;
	if (explain_guest_memory(console, &total, available) < 0)
		return bench_error_set(err, 0,
		                       "the guest printed no memory line on its console (an image "
		                       "without bench's guest/init?)");
	cache_add(&s, *available);
	return 0;
}
