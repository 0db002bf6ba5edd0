/* State left behind by runs that were killed (SIGKILL, a crash, a power
 * loss): runtime containers, bundles, guest directories and scratch images
 * named "bench-PID-N" whose PID no longer runs bench. Every environment
 * sweeps its own state root before it starts an instance, so the next run
 * removes what the killed one could not. */
#ifndef BENCH_STALE_H
#define BENCH_STALE_H

#include <stdbool.h>
#include <sys/types.h>

/* The owner PID of an instance name "bench-PID-N", or -1 when the name is
 * not one of ours. */
pid_t stale_owner(const char *name);

/* Whether name is ours and its owner is gone: the PID does not exist, or it
 * was reused by a process started after created (the entry's time). */
bool stale_orphaned(const char *name, time_t created);

/* Called for every orphaned entry of a sweep with its name and full path. */
typedef void (*stale_reclaim_fn)(const char *name, const char *path, void *ctx);

/* Calls reclaim for every orphaned "bench-" entry directly under root,
 * holding an exclusive lock on root so that two runs never reclaim the same
 * entry at once. A missing root is no error. Returns how many were
 * reclaimed. */
int stale_sweep(const char *root, stale_reclaim_fn reclaim, void *ctx);

/* Removes path and everything under it without crossing into mounts. */
void stale_remove_tree(const char *path);

/* Kills (SIGKILL) every process whose command line contains needle and
 * waits up to timeout_s for each to disappear. Returns how many it killed. */
int stale_kill_matching(const char *needle, double timeout_s);

/* Notes in state_dir that the scratch file path belongs to its instance, so
 * that a sweep after a kill can remove it (stale_remove_noted). */
void stale_note_file(const char *state_dir, const char *path);

/* Removes the file noted in state_dir, if one was. */
void stale_remove_noted(const char *state_dir);

#endif
