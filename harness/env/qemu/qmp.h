/* A QEMU Machine Protocol client: one JSON object per line over a unix
 * socket (-qmp unix:PATH,server=on,wait=off). Asynchronous events that
 * arrive while a command waits for its answer are skipped. */
#ifndef BENCH_QMP_H
#define BENCH_QMP_H

#include <jansson.h>
#include <sys/types.h>

#include "harness/core/agent.h"
#include "harness/core/error.h"

struct qmp {
	struct agent line; /* the line reader; pid and err_fd unused */
};

/* Marks q as not connected (so qmp_close on it does nothing). */
void qmp_init(struct qmp *q);

/* Connects to path, retrying until QEMU has created the socket (at most
 * timeout_ms; gives up early when qemu_pid, if > 0, has exited), reads the
 * greeting and enters command mode (qmp_capabilities). Returns 0, or -1
 * with *err. */
int qmp_connect(struct qmp *q, const char *path, pid_t qemu_pid, int timeout_ms,
                struct bench_error **err);

/* Runs one command with optional arguments (borrowed, may be NULL) and
 * returns its "return" value in *ret (caller decrefs; may be NULL to
 * ignore it). A QMP error becomes *err with its class and description.
 * Returns 0 or -1. */
int qmp_execute(struct qmp *q, const char *command, json_t *arguments, int timeout_ms, json_t **ret,
                struct bench_error **err);

/* Closes the connection. Safe after qmp_init, a failed connect, and twice. */
void qmp_close(struct qmp *q);

#endif
