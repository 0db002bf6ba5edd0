#include "harness/core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bench_error_set(struct bench_error **err, int status, const char *fmt, ...)
{
	if (err == NULL || *err != NULL)
		return -1;
	struct bench_error *e = calloc(1, sizeof(*e));
	if (e == NULL)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (status != 0 && n >= 0 && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, ": %s", strerror(status));
	e->status = status;
	*err = e;
	return -1;
}

int bench_error_wrap(struct bench_error **err, const char *fmt, ...)
{
	if (err == NULL || *err == NULL)
		return -1;
	char prefix[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	char old[sizeof((*err)->msg)];
	memcpy(old, (*err)->msg, sizeof(old));
	size_t plen = strlen(prefix), room = sizeof((*err)->msg) - 1;
	if (plen > room)
		plen = room;
	memcpy((*err)->msg, prefix, plen);
	size_t off = plen;
	if (off + 2 <= room) {
		memcpy((*err)->msg + off, ": ", 2);
		off += 2;
	}
	size_t olen = strnlen(old, sizeof(old));
	if (olen > room - off)
		olen = room - off;
	memcpy((*err)->msg + off, old, olen);
	(*err)->msg[off + olen] = '\0';
	return -1;
}

void bench_error_free(struct bench_error **err)
{
	if (err == NULL)
		return;
	free(*err);
	*err = NULL;
}

int bench_error_append(struct bench_error **err, const char *fmt, ...)
{
	if (err == NULL || *err == NULL)
		return -1;
	size_t len = strnlen((*err)->msg, sizeof((*err)->msg) - 1);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf((*err)->msg + len, sizeof((*err)->msg) - len, fmt, ap);
	va_end(ap);
	return -1;
}
