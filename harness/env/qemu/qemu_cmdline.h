/* The qemu-system-x86_64 argument vector for one bench guest, built from a
 * plain description so it can be unit-tested without QEMU. */
#ifndef BENCH_QEMU_CMDLINE_H
#define BENCH_QEMU_CMDLINE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#define QEMU_ARGV_MAX      64
#define QEMU_DISK_IOTHREAD "iothread0" /* the iothread serving the scratch disk */

struct qemu_guest {
	const char *qemu;         /* path of qemu-system-x86_64 */
	const char *name;         /* -name, e.g. the instance id */
	const char *accel;        /* "kvm" or "tcg" */
	unsigned vcpus;           /* >= 1 */
	uint64_t memory_bytes;    /* guest RAM, whole MiB */
	int numa_node;            /* host node the RAM is bound to, -1 = none */
	const char *kernel;       /* -kernel */
	const char *initrd;       /* -initrd */
	const char *extra_append; /* appended to the kernel command line, or NULL */
	const char *agent_socket; /* virtio-serial port bench.agent, QEMU listens */
	const char *qmp_socket;   /* QMP, QEMU listens */
	const char *console_log;  /* serial console to this file */
	const char *tap;          /* tap device for virtio-net, or NULL for no NIC */
	const char *mac;          /* "52:54:00:xx:xx:xx" with tap */
	bool vhost;               /* vhost=on (only where /dev/vhost-net exists) */
	const char *disk_image;   /* raw image as virtio-blk (cache=none), or NULL */
	const char *disk_aio;     /* "io_uring" or "native" */
	const char *iothread;     /* with disk_image: an iothread object of this id serves the
	                             disk (-object iothread + iothread= on virtio-blk), or NULL */
};

/* The argument vector; strings point into g or into bufs (keep both alive). */
struct qemu_argv {
	char *argv[QEMU_ARGV_MAX];
	int argc;
	char smp[16], mem[32], backend[96], machine[64], append[512], serial[PATH_MAX + 8];
	char agent_chardev[PATH_MAX + 64], qmp[PATH_MAX + 32], netdev[128], nic[128];
	char drive[PATH_MAX + 96];
	char name[96], iothread[64], blk[128];
};

/* QEMU names its threads (-name ...,debug-threads=on): "CPU 0/KVM",
 * "IO iothread0", "call_rcu", "worker", ... The role of a thread from its
 * name: "vcpu", "iothread", "rcu", "worker", "vhost", "main" (tid == pid)
 * or "other". */
const char *qemu_thread_role(const char *name, int tid, int pid);

/* Fills a from g. Returns 0, or -1 when a string does not fit or a
 * value is out of range (the caller's bug, not the user's). */
int qemu_argv_build(const struct qemu_guest *g, struct qemu_argv *a);

/* The kernel command line every bench guest gets (console on ttyS0, quiet,
 * panic reboots, which -no-reboot turns into an exit). */
#define QEMU_BASE_APPEND "console=ttyS0 quiet panic=-1"

#endif
