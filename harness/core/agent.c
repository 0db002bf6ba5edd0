#include "harness/core/agent.h"

#include <errno.h>
#include <poll.h>
#include <signal.h> /* kill */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/core/cleanup.h"
#include "harness/core/clock.h"

volatile sig_atomic_t agent_interrupted;

void agent_init(struct agent *a)
{
	memset(a, 0, sizeof(*a));
	a->to_fd = a->from_fd = a->err_fd = -1;
	a->pid = -1;
	a->exit_status = -1;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int agent_write(struct agent *a, const char *text, size_t len, struct bench_error **err)
{
	if (a->to_fd < 0 || write_all(a->to_fd, text, len) < 0) {
		a->broken = true;
		return bench_error_set(err, a->to_fd < 0 ? EPIPE : errno, "writing to %s",
		                       a->pid > 0 ? "the agent" : "the socket");
	}
	return 0;
}

int agent_send(struct agent *a, size_t argc, const char *const argv[], struct bench_error **err)
{
	size_t total = 1;
	for (size_t i = 0; i < argc; i++) {
		if (strpbrk(argv[i], "\t\n") != NULL)
			return bench_error_set(err, 0,
			                       "argument '%s' contains a TAB or newline, which the "
			                       "agent protocol cannot carry",
			                       argv[i]);
		total += strlen(argv[i]) + 1;
	}
	cleanup_free char *line = malloc(total);
	if (line == NULL)
		return bench_error_set(err, ENOMEM, "agent command");
	size_t off = 0;
	for (size_t i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]);
		memcpy(line + off, argv[i], l);
		off += l;
		line[off++] = i + 1 < argc ? '\t' : '\n';
	}
	if (a->to_fd < 0 || write_all(a->to_fd, line, off) < 0) {
		a->broken = true;
		return bench_error_set(err, a->to_fd < 0 ? EPIPE : errno,
		                       "sending '%s' to the agent", argv[0]);
	}
	return 0;
}

static double now_ms(void)
{
	return monotonic_seconds() * 1e3;
}

/* Moves one complete line (without '\n') out of the buffer, or returns NULL. */
static char *take_line(struct agent *a)
{
	char *nl = a->buf ? memchr(a->buf, '\n', a->len) : NULL;
	if (nl == NULL)
		return NULL;
	size_t n = (size_t)(nl - a->buf);
	char *line = malloc(n + 1);
	if (line == NULL)
		return NULL;
	memcpy(line, a->buf, n);
	line[n] = '\0';
	memmove(a->buf, nl + 1, a->len - n - 1);
	a->len -= n + 1;
	return line;
}

static int fill(struct agent *a, int timeout_ms, struct bench_error **err)
{
	struct pollfd p = {.fd = a->from_fd, .events = POLLIN};
	int r;
	do {
		if (agent_interrupted)
			return bench_error_set(err, 0, "interrupted by signal %d",
			                       (int)agent_interrupted);
		r = poll(&p, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return bench_error_set(err, errno, "waiting for the agent");
	if (r == 0) {
		a->broken = a->timed_out = true;
		return bench_error_set(err, 0, "the agent did not answer within %.1f s",
		                       timeout_ms / 1e3);
	}
	if (a->cap - a->len < 4096) {
		size_t cap = a->cap ? a->cap * 2 : 8192;
		char *nb = realloc(a->buf, cap);
		if (nb == NULL)
			return bench_error_set(err, ENOMEM, "agent buffer");
		a->buf = nb;
		a->cap = cap;
	}
	ssize_t n;
	do
		n = read(a->from_fd, a->buf + a->len, a->cap - a->len);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		a->broken = true;
	if (n < 0)
		return bench_error_set(err, errno, "reading from the agent");
	if (n == 0)
		return bench_error_set(err, 0, "the agent exited unexpectedly");
	a->len += (size_t)n;
	return 0;
}

int agent_recv(struct agent *a, int timeout_ms, json_t **msg, struct bench_error **err)
{
	double deadline = now_ms() + timeout_ms;
	cleanup_free char *line = NULL;
	while ((line = take_line(a)) == NULL) {
		int left = (int)(deadline - now_ms());
		if (fill(a, left < 0 ? 0 : left, err) < 0)
			return -1;
	}
	json_error_t jerr;
	json_t *j = json_loads(line, 0, &jerr);
	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		return bench_error_set(
		    err, 0, "the agent sent a line that is not a JSON object: %.200s", line);
	}
	*msg = j;
	return 0;
}

int agent_expect(struct agent *a, const char *type, int timeout_ms, json_t **msg,
                 struct bench_error **err)
{
	json_t *j = NULL;
	if (agent_recv(a, timeout_ms, &j, err) < 0)
		return -1;
	const char *got = json_string_value(json_object_get(j, "type"));
	if (got != NULL && strcmp(got, type) == 0) {
		*msg = j;
		return 0;
	}
	if (got != NULL && strcmp(got, "error") == 0) {
		const char *m = json_string_value(json_object_get(j, "message"));
		bench_error_set(err, 0, "%s", m ? m : "the agent reported an error");
	} else {
		bench_error_set(err, 0, "expected a '%s' reply from the agent, got '%s'", type,
		                got ? got : "(no type)");
	}
	json_decref(j);
	return -1;
}

char *agent_stderr(const struct agent *a, size_t max)
{
	if (a->err_fd < 0)
		return NULL;
	off_t size = lseek(a->err_fd, 0, SEEK_END);
	if (size <= 0)
		return NULL;
	off_t from = (size_t)size > max ? size - (off_t)max : 0;
	size_t n = (size_t)(size - from);
	char *text = malloc(n + 1);
	if (text == NULL)
		return NULL;
	ssize_t r = pread(a->err_fd, text, n, from);
	if (r < 0) {
		free(text);
		return NULL;
	}
	text[r] = '\0';
	return text;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void agent_drain(struct agent *a, int wait_ms, char *out, size_t len)
{
	size_t off = a->len < len - 1 ? a->len : len - 1;
	if (a->buf != NULL)
		memcpy(out, a->buf, off);
	double deadline = now_ms() + wait_ms;
	while (a->from_fd >= 0 && off + 1 < len) {
		int left = (int)(deadline - now_ms());
		struct pollfd p = {.fd = a->from_fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		ssize_t n = read(a->from_fd, out + off, len - 1 - off);
		if (n <= 0)
			break; /* end of stream, or EIO from a hung-up pty */
		off += (size_t)n;
	}
	out[off] = '\0';
	for (size_t i = 0; i < off; i++) /* text: no NUL bytes inside */
		if (out[i] == '\0')
			out[i] = ' ';
}

int agent_wait_exit(struct agent *a, int wait_ms)
{
	if (a->exit_status >= 0 || a->pid <= 0)
		return a->exit_status;
	double deadline = now_ms() + wait_ms;
	int status;
	pid_t r;
	while ((r = waitpid(a->pid, &status, WNOHANG)) == 0 && now_ms() < deadline) {
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	if (r == a->pid)
		a->exit_status = status;
	return a->exit_status;
}

void agent_shutdown(struct agent *a, int grace_ms)
{
	if (a->to_fd >= 0) {
		(void)!write(a->to_fd, "quit\n", 5);
		close_fd(&a->to_fd);
	}
	if (a->pid > 0 && a->exit_status < 0) {
		double deadline = now_ms() + grace_ms;
		int status;
		while (waitpid(a->pid, &status, WNOHANG) == 0) {
			if (now_ms() > deadline) {
				kill(a->pid, SIGKILL);
				waitpid(a->pid, &status, 0);
				break;
			}
			struct timespec ts = {0, 2 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	a->pid = -1;
	close_fd(&a->from_fd);
	close_fd(&a->err_fd);
	free(a->buf);
	a->buf = NULL;
	a->len = a->cap = 0;
}
