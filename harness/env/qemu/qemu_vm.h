/* One QEMU guest's life: a private state directory with the agent and QMP
 * sockets and the serial console log, an optional tap on the harness
 * bridge and an optional raw scratch disk, QEMU itself (bound to the host
 * PUs and node at fork), and the agent stream over virtio-serial. Used by
 * env_qemu.c for instances and by qemu_accel.c for the KVM test boot. */
#ifndef BENCH_QEMU_VM_H
#define BENCH_QEMU_VM_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "harness/core/agent.h"
#include "harness/core/error.h"
#include "harness/env/guest_image.h"
#include "harness/net/netns.h"
#include "harness/env/qemu/qmp.h"
#include "harness/core/topo.h"

#define QEMU_STATE_ROOT   "/run/bench/qemu"
#define QEMU_DEFAULT_DISK (1ull << 30) /* the guest's scratch disk without --disk-size */

struct qemu_vm_spec {
	const char *qemu; /* path of qemu-system-x86_64 */
	const char *accel;
	const struct guest_image *image;
	uint64_t memory_bytes;
	unsigned vcpus;
	const struct topo *topo;            /* with binding: QEMU's own binding */
	const struct topo_binding *binding; /* NULL = unbound */
	bool network;                       /* a tap on the harness bridge */
	const char *disk_dir;               /* raw scratch disk here, or NULL */
	uint64_t disk_bytes;
	int ready_timeout_ms;
};

struct qemu_vm {
	char id[48];
	char dir[96]; /* QEMU_STATE_ROOT/<id> */
	char agent_sock[108];
	char qmp_sock[108];
	char console[128];
	char disk[PATH_MAX]; /* the raw image, "" when none */
	char disk_aio[12];
	bool vhost;
	bool bridged;
	struct netns_slot net;
	struct qmp qmp;
	int qemu_stdout; /* kept open: QEMU never writes into a closed pipe */
	double boot_s;   /* QEMU started to the agent's "ready" */
};

/* Kills the QEMU of every guest a killed run left (its state directory's
 * owner is gone) and removes the directory and the guest's scratch disk.
 * qemu_vm_start does it first. */
void qemu_vm_reclaim(void);

/* Boots a guest as s says and waits for its agent's "ready"; on success
 * *agent talks to it (agent->pid is QEMU) and vm->qmp is connected. On
 * failure everything created is removed again and *err carries the tail of
 * the guest console and QEMU's stderr. */
int qemu_vm_start(const struct qemu_vm_spec *s, struct qemu_vm *vm, struct agent *agent,
                  struct bench_error **err);

/* Asks the agent to quit (the guest then powers off), kills QEMU if it
 * lingers, reaps it, and removes the tap, the disk image, the sockets and
 * the state directory. Safe after a failed start and twice. */
void qemu_vm_stop(struct qemu_vm *vm, struct agent *agent);

/* The last max bytes of the guest's serial console, malloc'd, or NULL. */
char *qemu_vm_console_tail(const struct qemu_vm *vm, size_t max);

#endif
