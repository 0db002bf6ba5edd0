#include "harness/env/container/runtime.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/core/spawn.h"

/* OCI runtimes driven through the same bundle and CLI (`run --bundle`). */
static const char *const oci_runtimes[] = {"runc", "crun"};

int runtime_probe(const char *name, char *reason, size_t len)
{
	bool known = false;
	for (size_t i = 0; i < sizeof(oci_runtimes) / sizeof(oci_runtimes[0]); i++)
		known = known || strcmp(oci_runtimes[i], name) == 0;
	if (!known) {
		snprintf(reason, len, "runtime '%s' is not supported (supported: runc, crun)",
		         name);
		return -1;
	}
	char path[PATH_MAX];
	if (spawn_find(name, path, sizeof(path)) < 0) {
		snprintf(reason, len, "%s is not installed (apt-get install %s)", name, name);
		return -1;
	}
	if (geteuid() != 0) {
		snprintf(reason, len, "containers need root here (rootless %s is not supported)",
		         name);
		return -1;
	}
	struct stat st;
	if (stat("/sys/fs/cgroup/cpuset", &st) < 0 &&
	    stat("/sys/fs/cgroup/cgroup.controllers", &st) < 0) {
		snprintf(reason, len, "no cgroup hierarchy with cpuset under /sys/fs/cgroup");
		return -1;
	}
	return 0;
}

static json_t *entry(const char *name, bool ok, const char *reason)
{
	json_t *e = json_pack("{s:s, s:b}", "name", name, "available", ok);
	if (!ok)
		json_object_set_new(e, "reason", json_string(reason));
	return e;
}

/* The line of a tool's output that says what went wrong: the first one
 * mentioning an error, else the last non-empty one. */
static const char *reason_line(char *text)
{
	char *pick = NULL, *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		while (*l == ' ')
			l++;
		if (*l == '\0')
			continue;
		if (strcasestr(l, "error") != NULL || strcasestr(l, "cannot") != NULL)
			return l;
		pick = l;
	}
	return pick ? pick : "(no output)";
}

/* docker and podman: CLIs around their own engines; bench drives OCI
 * runtimes directly, so they are reported with why they cannot be used. */
static json_t *engine_entry(const char *name)
{
	char path[PATH_MAX], out[512], reason[2200];
	if (spawn_find(name, path, sizeof(path)) < 0)
		return entry(name, false, "not installed");
	char *argv[] = {path, "info", NULL};
	struct bench_error *err = NULL;
	int rc = spawn_run(argv, 10, 0, out, sizeof(out), &err);
	if (rc != 0) {
		snprintf(reason, sizeof(reason), "'%s info' fails here: %s", name,
		         err ? err->msg : reason_line(out));
		bench_error_free(&err);
		return entry(name, false, reason);
	}
	snprintf(reason, sizeof(reason),
	         "%s works here, but bench drives OCI runtimes directly; use --runtime runc", name);
	return entry(name, false, reason);
}

json_t *runtime_report(void)
{
	json_t *list = json_array();
	for (size_t i = 0; i < sizeof(oci_runtimes) / sizeof(oci_runtimes[0]); i++) {
		char reason[512] = "";
		bool ok = runtime_probe(oci_runtimes[i], reason, sizeof(reason)) == 0;
		json_array_append_new(list, entry(oci_runtimes[i], ok, reason));
	}
	json_array_append_new(list, engine_entry("docker"));
	json_array_append_new(list, engine_entry("podman"));
	return list;
}
