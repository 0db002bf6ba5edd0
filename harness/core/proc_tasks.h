/* Host tasks seen through /proc: the threads of a process, or tasks (also
 * kernel threads) by name, with where they may run and where they last ran.
 * For recording where helper threads (QEMU's I/O threads, Xen's back-ends)
 * are. */
#ifndef BENCH_PROC_TASKS_H
#define BENCH_PROC_TASKS_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "harness/core/error.h"

struct proc_task {
	pid_t tid;
	char comm[32];     /* the task's name (QEMU names its threads with debug-threads=on) */
	int last_cpu;      /* the CPU it last ran on (/proc/.../stat field 39), -1 unknown */
	char allowed[128]; /* Cpus_allowed_list from /proc/.../status, "" unknown */
};

/* The threads of process pid (/proc/pid/task), at most max into out; *n is
 * how many were stored. Returns 0, or -1 with *err when pid is gone. */
int proc_task_list(pid_t pid, struct proc_task *out, size_t max, size_t *n,
                   struct bench_error **err);

/* Host processes and kernel threads whose name starts with one of
 * prefixes (NULL-terminated), at most max into out. Returns how many were
 * stored. */
size_t proc_tasks_named(const char *const prefixes[], struct proc_task *out, size_t max);

/* Re-reads t's last CPU and allowed list (they change). Returns 0, or -1
 * when the task is gone. */
int proc_task_refresh(struct proc_task *t);

/* {"tid", "name", "cpus_allowed", "last_cpu"} (caller owns). */
json_t *proc_task_to_json(const struct proc_task *t);

#endif
