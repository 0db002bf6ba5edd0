#include "harness/env/qemu/qmp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/core/cleanup.h"
#include "harness/core/clock.h"
#include "harness/core/spawn.h"

void qmp_init(struct qmp *q)
{
	agent_init(&q->line);
}

int qmp_connect(struct qmp *q, const char *path, pid_t qemu_pid, int timeout_ms,
                struct bench_error **err)
{
	agent_init(&q->line);
	int fd = spawn_unix_connect(path, qemu_pid, timeout_ms, err);
	if (fd < 0)
		return bench_error_wrap(err, "QMP");
	q->line.from_fd = fd;
	q->line.to_fd = dup(fd);
	if (q->line.to_fd < 0) {
		qmp_close(q);
		return bench_error_set(err, errno, "dup");
	}
	json_t *greeting = NULL;
	if (agent_recv(&q->line, timeout_ms, &greeting, err) < 0) {
		qmp_close(q);
		return bench_error_wrap(err, "QMP greeting");
	}
	int ok = json_object_get(greeting, "QMP") != NULL;
	json_decref(greeting);
	if (!ok) {
		qmp_close(q);
		return bench_error_set(err, 0, "%s did not greet as QMP", path);
	}
	if (qmp_execute(q, "qmp_capabilities", NULL, timeout_ms, NULL, err) < 0) {
		qmp_close(q);
		return -1;
	}
	return 0;
}

int qmp_execute(struct qmp *q, const char *command, json_t *arguments, int timeout_ms, json_t **ret,
                struct bench_error **err)
{
	json_t *msg = json_pack("{s:s}", "execute", command);
	if (msg == NULL)
		return bench_error_set(err, ENOMEM, "QMP command");
	if (arguments != NULL)
		json_object_set(msg, "arguments", arguments);
	cleanup_free char *text = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (text == NULL)
		return bench_error_set(err, ENOMEM, "QMP %s", command);
	if (agent_write(&q->line, text, strlen(text), err) < 0 ||
	    agent_write(&q->line, "\n", 1, err) < 0)
		return bench_error_wrap(err, "sending QMP %s", command);
	double deadline = monotonic_seconds() + timeout_ms / 1e3;
	for (;;) {
		int left = (int)((deadline - monotonic_seconds()) * 1e3);
		json_t *reply = NULL;
		if (agent_recv(&q->line, left < 0 ? 0 : left, &reply, err) < 0)
			return bench_error_wrap(err, "QMP %s", command);
		if (json_object_get(reply, "event") != NULL) {
			json_decref(reply);
			continue;
		}
		json_t *error = json_object_get(reply, "error");
		if (error != NULL) {
			bench_error_set(err, 0, "QMP %s: %s: %s", command,
			                json_string_value(json_object_get(error, "class")),
			                json_string_value(json_object_get(error, "desc")));
			json_decref(reply);
			return -1;
		}
		if (ret != NULL)
			*ret = json_incref(json_object_get(reply, "return"));
		json_decref(reply);
		return 0;
	}
}

void qmp_close(struct qmp *q)
{
	if (q->line.to_fd >= 0)
		close(q->line.to_fd);
	q->line.to_fd = -1;
	q->line.pid = -1;
	agent_shutdown(&q->line, 0);
}
