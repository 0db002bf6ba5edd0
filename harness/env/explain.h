/* Why an instance died: the parsers and sentences the backends' explain
 * hooks share. Pure functions over text (cgroup files, a guest console,
 * /proc/vmstat, the kernel log) so they are tested with fixtures; reading
 * the files is the backends' job. Every sentence says what died, why, and
 * what to change. */
#ifndef BENCH_EXPLAIN_H
#define BENCH_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A memory cgroup's record. Fields the files did not give are -1. */
struct memcg_facts {
	long long oom_kills; /* v1 memory.oom_control oom_kill, v2 memory.events oom_kill */
	long long failcnt;   /* v1 memory.failcnt (allocations refused at the limit) */
	long long peak;      /* v1 memory.max_usage_in_bytes, v2 memory.peak */
	long long limit;     /* v1 memory.limit_in_bytes, v2 memory.max ("max": -1) */
};

/* Fills f from cgroup v1 files' text (any may be NULL). */
void explain_memcg_v1(const char *oom_control, const char *failcnt, const char *max_usage,
                      const char *limit, struct memcg_facts *f);
/* Fills f from cgroup v2 files' text (any may be NULL). */
void explain_memcg_v2(const char *events, const char *peak, const char *max, struct memcg_facts *f);

/* When f shows an OOM kill (or allocations failing at the limit), writes
 * "<who> OOM-killed: peak 2.0 GiB of the 2 GiB limit; raise --memory or
 * lower --size" into buf and returns true; else returns false. */
bool explain_memcg_sentence(const struct memcg_facts *f, const char *who, char *buf, size_t len);

enum console_death {
	CONSOLE_NOTHING,
	CONSOLE_OOM,   /* the guest kernel's OOM killer killed a process */
	CONSOLE_PANIC, /* the guest kernel panicked */
};

/* Scans a guest console (or kernel log) text for the last OOM kill
 * ("Out of memory: Killed process 71 (wl) ...") or panic ("Kernel panic -
 * not syncing: ..."); the line, trimmed, goes to line[0..len). A panic
 * wins over an OOM kill before it. */
enum console_death explain_console(const char *text, char *line, size_t len);

/* The guest's memory line ("guest-init: memory: MemTotal: N kB
 * MemAvailable: M kB", printed by guest/init before the agent starts):
 * sets *total and *available in bytes. Returns 0, or -1 when absent. */
int explain_guest_memory(const char *text, uint64_t *total, uint64_t *available);

/* What a guest's console (or the last words its init wrote) says about the
 * agent's death, as a sentence for "<who>" ("qemu guest", "xen domU")
 * with ram bytes: an OOM kill (with the memory the guest had after boot
 * when its memory line is there) or a panic from its kernel, or the
 * agent's exit as init saw it. Returns false, buf "", when it says none. */
bool explain_guest_console(const char *console, const char *who, uint64_t ram, char *buf,
                           size_t len);

/* "exited with status 1", "was killed by SIGKILL" (a wait status). */
void explain_wait_status(int status, char *buf, size_t len);

/* The oom_kill counter of /proc/vmstat text, or -1. */
long long explain_vmstat_oom_kills(const char *vmstat);

/* Whether kernel log text (dmesg or /dev/kmsg records) says the OOM killer
 * killed pid ("Killed process <pid> (...)"); that line goes to line. */
bool explain_kmsg_killed(const char *text, pid_t pid, char *line, size_t len);

#endif
