/* Starting a host process with its stdio wired to an agent channel. */
#ifndef BENCH_SPAWN_H
#define BENCH_SPAWN_H

#include <stdint.h>
#include <sys/types.h>

#include "harness/core/agent.h"
#include "harness/core/error.h"
#include "harness/core/topo.h"

/* Forks argv[0] (a path, argv NULL-terminated) with stdin/stdout as pipes
 * into a->to_fd / a->from_fd and stderr into a memfd kept in a->err_fd.
 * When binding is non-NULL the child binds itself with topo_bind_self
 * before exec (a failed binding makes the child exit 126 with the reason
 * on its stderr). The process is put in its own process group. Returns 0
 * or -1 with *err. */
int spawn_agent(char *const argv[], const struct topo *t, const struct topo_binding *binding,
                struct agent *a, struct bench_error **err);

/* CPU time (user + system, including reaped children) of pid from
 * /proc/pid/stat in seconds, or -1. */
double proc_cpu_seconds(pid_t pid);

/* Proportional set size of pid from /proc/pid/smaps_rollup in bytes, or -1. */
int64_t proc_pss_bytes(pid_t pid);

/* Finds the program name on PATH (and /usr/sbin, /sbin) into path.
 * Returns 0, or -1 when absent. */
int spawn_find(const char *name, char *path, size_t len);

/* Connects to the unix socket at path, retrying while it does not exist
 * yet or refuses (a server still starting), for at most timeout_ms, and
 * giving up early when pid (if > 0) has exited or a signal arrived
 * (agent_interrupted). Returns the connected fd (close-on-exec), or -1
 * with *err. */
int spawn_unix_connect(const char *path, pid_t pid, int timeout_ms, struct bench_error **err);

enum { SPAWN_STDOUT_ONLY = 1 }; /* default: stdout and stderr both captured */

/* Runs argv (argv[0] a path) in its own process group, stdin inherited,
 * waits at most timeout_s (then kills it), and captures up to out_len-1
 * bytes of its output into out (NUL-terminated). Returns the exit status
 * (128 + signal when killed by one), or -1 with *err when it could not run
 * or timed out. */
int spawn_run(char *const argv[], double timeout_s, unsigned flags, char *out, size_t out_len,
              struct bench_error **err);

/* The SHA-256 of the file at path (through coreutils' sha256sum) as 64
 * lowercase hex digits in hex. Returns 0, or -1 with *err. */
int file_sha256(const char *path, char hex[65], struct bench_error **err);

#endif
