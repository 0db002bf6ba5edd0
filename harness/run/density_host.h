/* What density reads from the host while instances run: the PSS of an
 * instance's process tree, MemAvailable once the instances have settled,
 * and the state of kernel same-page merging (KSM), which lowers the
 * footprint of identical guests and so must be recorded with it. */
#ifndef BENCH_DENSITY_HOST_H
#define BENCH_DENSITY_HOST_H

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

/* PSS of pid and every descendant (/proc/PID/task/TID/children), bytes,
 * or -1 when pid is gone. */
int64_t density_tree_pss(pid_t pid);

/* Waits until MemAvailable stops moving (two successive reads 250 ms apart
 * within 4 MiB, twice in a row) or max_s passes, whichever is first.
 * Returns MemAvailable in bytes (0 when unknown); *waited_s gets the time
 * spent and *settled whether it stopped moving. */
uint64_t density_settle(double max_s, double *waited_s, int *settled);

/* {"run", "pages_shared", "pages_sharing", "pages_unshared", "saved_bytes"}
 * from /sys/kernel/mm/ksm, or {"available": false} (caller owns). */
json_t *density_ksm_state(void);

#endif
