/* Which QEMU accelerator a guest runs under. KVM only when it can really
 * boot the guest image here: /dev/kvm existing is not enough (on some
 * hosts a stock kernel hangs under KVM, see DESIGN.md), so "auto" boots the
 * image once under KVM and uses TCG when that fails. The verdict is cached
 * in QEMU_ACCEL_CACHE for this host boot and guest kernel. */
#ifndef BENCH_QEMU_ACCEL_H
#define BENCH_QEMU_ACCEL_H

#include <jansson.h>

#include "harness/core/error.h"
#include "harness/env/guest_image.h"
#include "harness/env/qemu/qemu_vm.h"

#define QEMU_ACCEL_CACHE QEMU_STATE_ROOT "/accel"

struct qemu_accel {
	char name[8];     /* "kvm" or "tcg" */
	char reason[384]; /* why this one */
};

/* Chooses for asked ("auto"/NULL, "kvm" or "tcg"): tcg and kvm as asked
 * (kvm fails when /dev/kvm cannot be opened), auto as above. Returns 0, or
 * -1 with *err. */
int qemu_accel_choose(const char *asked, const char *qemu, const struct guest_image *img,
                      struct qemu_accel *out, struct bench_error **err);

/* For `bench list`: [{name:"kvm"|"tcg", available, reason}] from the
 * cache and /dev/kvm, without booting anything. */
json_t *qemu_accel_report(void);

#endif
