/* The channel to a `wl agent`: TAB-separated commands out, one JSON object
 * per line back (protocol in workloads/README.md). Every environment hands
 * the runner one of these, whatever carries the bytes (pipes to a host
 * process, a container's stdio, a guest's virtio-serial port). */
#ifndef BENCH_AGENT_H
#define BENCH_AGENT_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "harness/core/error.h"

struct agent {
	int to_fd;   /* commands to the agent */
	int from_fd; /* replies from the agent */
	int err_fd;  /* a readable, seekable copy of its stderr (memfd), or -1 */
	pid_t pid;   /* host process to reap, or -1 */
	char *buf;   /* partial line buffer */
	size_t len, cap;
	/* Set when the channel failed: end of stream, a read or write error,
	 * or no reply in time (timed_out). The instance is then dead or stuck,
	 * and its environment's explain hook can say why. */
	bool broken, timed_out;
	int exit_status; /* the process's wait status once reaped, else -1 */
};

/* Set (to the signal number) by the caller's SIGINT/SIGTERM handler; every
 * wait in agent_recv then fails promptly with "interrupted". */
extern volatile sig_atomic_t agent_interrupted;

/* Initialises a with all fds -1 and no process. */
void agent_init(struct agent *a);

/* Sends argv[0..argc) as one TAB-separated line. Fails (-1 with *err) if an
 * argument contains TAB or newline, or the write fails (agent gone). */
int agent_send(struct agent *a, size_t argc, const char *const argv[], struct bench_error **err);

/* Writes len raw bytes to a->to_fd (for line protocols other than wl's,
 * such as QMP). Returns 0, or -1 with *err. */
int agent_write(struct agent *a, const char *text, size_t len, struct bench_error **err);

/* Waits up to timeout_ms for one complete JSON line and parses it into
 * *msg (caller decrefs). Lines that are not JSON objects are an error.
 * Returns 0, or -1 with *err on timeout, EOF (agent exited) or bad JSON. */
int agent_recv(struct agent *a, int timeout_ms, json_t **msg, struct bench_error **err);

/* Like agent_recv, but also fails when the reply's "type" is not `type`;
 * an {"type":"error"} reply becomes *err with its message. */
int agent_expect(struct agent *a, const char *type, int timeout_ms, json_t **msg,
                 struct bench_error **err);

/* Returns the agent's stderr so far (malloc'd, at most max bytes, the tail
 * if longer), or NULL when there is none. */
char *agent_stderr(const struct agent *a, size_t max);

/* Waits up to wait_ms for the agent's host process (a->pid) to exit and
 * reaps it. Returns its wait status (also kept in a->exit_status, so
 * agent_shutdown does not wait for it again), or -1 when it is still
 * running after wait_ms or there is no process. */
int agent_wait_exit(struct agent *a, int wait_ms);

/* After a failure: what is left to read from the agent, the bytes already
 * buffered and whatever arrives within wait_ms (until end of stream), as
 * text into out[0..len). For channels that also carry the last words of
 * what ran the agent (a Xen guest's console). */
void agent_drain(struct agent *a, int wait_ms, char *out, size_t len);

/* Asks the agent to quit, waits up to grace_ms, then SIGKILLs and reaps
 * the process (if any) and closes every fd. Safe to call twice. */
void agent_shutdown(struct agent *a, int grace_ms);

#endif
