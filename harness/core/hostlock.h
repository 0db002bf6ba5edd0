/* One measuring bench per host: two runs at once would measure each other
 * (CPUs, memory bandwidth, the disk), so a run, density study or `bench all`
 * holds an exclusive lock on a file naming its holder while its instances
 * run. A second one says who holds it and waits (SIGINT/SIGTERM end the
 * wait). The lock is an flock: it dies with its holder, also after SIGKILL. */
#ifndef BENCH_HOSTLOCK_H
#define BENCH_HOSTLOCK_H

#include <stdio.h>

#include "harness/core/error.h"

/* The lock file: $BENCH_LOCK when set (tests), else /run/bench/measure.lock
 * (when it exists and is readable, or can be made), else (no permission
 * there) $TMPDIR or /tmp/bench-measure-UID.lock. A user who may only read
 * the file still locks it (the holder then goes unnamed), so runs as root
 * and as that user exclude each other. */
void hostlock_path(char *buf, size_t len);

/* Takes the lock, writing "pid PID: ARGV..." into it. When another process
 * holds it, prints one line to notes naming the holder (its pid and
 * command) and waits. Returns the lock's fd (keep it open until the
 * instances are gone; closing it releases the lock), or -1 with *err when
 * the lock file cannot be used or a signal ended the wait. */
int hostlock_acquire(int argc, char *const argv[], FILE *notes, struct bench_error **err);

/* Releases the lock (closes fd; -1 is ignored). */
void hostlock_release(int fd);

#endif
