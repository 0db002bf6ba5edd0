/* QEMU's threads other than the vCPUs (main loop, the disk's iothread,
 * call_rcu, thread-pool workers, vhost): bound to a stated CPU set with
 * hwloc and read back. */
#ifndef BENCH_QEMU_THREADS_H
#define BENCH_QEMU_THREADS_H

#include <jansson.h>
#include <sys/types.h>

#include "harness/core/error.h"
#include "harness/core/placement.h"
#include "harness/core/topo.h"

/* Binds every thread of QEMU process pid that is not a vCPU (vcpus: the
 * pinning record's array of {thread_id}) and the vhost workers serving it
 * to io's CPUs (NULL: the instance's own CPUs), and checks the binding hwloc
 * reads back. Threads QEMU starts later inherit the main loop's binding.
 * Returns the record {cpus, policy, reason, placement, threads[], ...}
 * (caller owns), or NULL with *err. */
json_t *qemu_threads_place(const struct topo *t, pid_t pid, const json_t *vcpus,
                           const struct placement *io, const struct topo_binding *instance,
                           struct bench_error **err);

#endif
