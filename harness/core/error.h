/* Error reporting in the crun style: fallible functions return a negative
 * int and fill a `struct bench_error **err` last argument. */
#ifndef BENCH_ERROR_H
#define BENCH_ERROR_H

#include <stdarg.h>

struct bench_error {
	int status; /* errno value, or 0 when not an OS error */
	char msg[2048];
};

/* Allocates *err (if err is non-NULL and *err is NULL) with a formatted
 * message; appends ": strerror(status)" when status != 0. Always returns -1
 * so callers can write `return bench_error_set(err, errno, "...")`. */
int bench_error_set(struct bench_error **err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes an existing error's message with more context. Returns -1. */
int bench_error_wrap(struct bench_error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends more detail (e.g. a log tail) after an existing error's message,
 * truncating at the buffer's end. Returns -1. */
int bench_error_append(struct bench_error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Frees *err and sets it to NULL. Safe on NULL. */
void bench_error_free(struct bench_error **err);

#endif
