/* What a workload can use in a QEMU guest: the guest's MemAvailable right
 * after boot (guest/init prints it on the console before the agent
 * starts), measured in a calibration boot and cached in QEMU_MEMINFO_CACHE
 * per image, accelerator, vCPU count and RAM. The size rule asks for it
 * before any instance of a run starts. */
#ifndef BENCH_QEMU_MEMINFO_H
#define BENCH_QEMU_MEMINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "harness/core/error.h"
#include "harness/env/qemu/qemu_vm.h"

#define QEMU_MEMINFO_CACHE QEMU_STATE_ROOT "/meminfo"

/* Boots a guest as s says (no network, no disk) to the agent's ready,
 * reads its memory line and stops it; or takes the cached figure. Sets
 * *available (bytes) and *cached. Returns 0; -1 with *err when the guest
 * does not boot (the error says why) or prints no memory line (an image
 * without bench's guest/init). */
int qemu_meminfo_measure(const struct qemu_vm_spec *s, uint64_t *available, bool *cached,
                         struct bench_error **err);

#endif
