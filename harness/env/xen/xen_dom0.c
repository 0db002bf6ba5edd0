#include "harness/env/xen/xen_dom0.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/core/clock.h"
#include "harness/core/fingerprint.h"
#include "harness/core/proc_tasks.h"
#include "harness/core/spawn.h"

#define XL_TIMEOUT_S      120
#define CONSOLE_TIMEOUT_S 10.0

/* Runs `tool args...` (tool found on PATH or sbin) into out; 0 on exit 0,
 * else -1 with *err naming the command and its output. */
static int run_tool(const char *tool, char *const args[], char *out, size_t len,
                    struct bench_error **err)
{
	char path[PATH_MAX];
	if (spawn_find(tool, path, sizeof(path)) < 0)
		return bench_error_set(err, 0, "%s not found (the Xen tools: xen-utils)", tool);
	char *argv[16] = {path};
	size_t n = 1;
	for (; args[n - 1] != NULL && n < 15; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	int rc = spawn_run(argv, XL_TIMEOUT_S, 0, out, len, err);
	if (rc == 0)
		return 0;
	if (rc < 0)
		return bench_error_wrap(err, "%s %s", tool, args[0]);
	size_t l = strlen(out);
	while (l > 0 && (out[l - 1] == '\n' || out[l - 1] == ' '))
		out[--l] = '\0';
	return bench_error_set(err, 0, "`%s %s` failed (exit %d): %.600s", tool, args[0], rc,
	                       out[0] ? out : "(no output)");
}

#define XL(out, err, ...) run_tool("xl", (char *[]){__VA_ARGS__, NULL}, (out), sizeof(out), (err))

int xen_dom0_probe(char *reason, size_t len)
{
	char caps[256], hv[64];
	if (read_first_line("/proc/xen/capabilities", caps, sizeof(caps)) < 0) {
		fingerprint_hypervisor(hv, sizeof(hv));
		snprintf(reason, len,
		         "not a Xen dom0: /proc/xen/capabilities is absent (hypervisor underneath: "
		         "%s)",
		         hv);
		return -1;
	}
	if (strstr(caps, "control_d") == NULL) {
		snprintf(reason, len,
		         "a Xen guest but not dom0: /proc/xen/capabilities lacks control_d");
		return -1;
	}
	char out[4096];
	struct bench_error *err = NULL;
	if (XL(out, &err, "info") < 0) {
		snprintf(reason, len, "dom0, but xl does not work: %s", err->msg);
		bench_error_free(&err);
		return -1;
	}
	return 0;
}

int xen_dom0_version(char *buf, size_t len, struct bench_error **err)
{
	static char cached[64];
	if (cached[0] == '\0') {
		char out[8192];
		if (XL(out, err, "info") < 0)
			return -1;
		if (xen_parse_version(out, cached, sizeof(cached)) < 0)
			return bench_error_set(err, 0, "xl info names no xen_major/xen_minor");
	}
	snprintf(buf, len, "%s", cached);
	return 0;
}

int xen_dom0_create_paused(const char *cfg, const char *name, int *domid, struct bench_error **err)
{
	char out[4096];
	if (XL(out, err, "create", "-p", (char *)cfg) < 0 ||
	    XL(out, err, "domid", (char *)name) < 0)
		return -1;
	char *end;
	long id = strtol(out, &end, 10);
	if (end == out || id <= 0)
		return bench_error_set(err, 0, "xl domid %s printed '%.40s'", name, out);
	*domid = (int)id;
	return 0;
}

int xen_dom0_console_tty(int domid, char *buf, size_t len, struct bench_error **err)
{
	char key[64];
	snprintf(key, sizeof(key), "/local/domain/%d/console/tty", domid);
	double deadline = monotonic_seconds() + CONSOLE_TIMEOUT_S;
	for (;;) {
		char out[256];
		struct bench_error *e = NULL;
		if (run_tool("xenstore-read", (char *[]){key, NULL}, out, sizeof(out), &e) == 0 &&
		    out[0] == '/') {
			out[strcspn(out, "\n")] = '\0';
			snprintf(buf, len, "%s", out);
			return 0;
		}
		if (monotonic_seconds() > deadline) {
			bench_error_set(err, 0,
			                "no console pty at %s (is xenconsoled running?): %s", key,
			                e ? e->msg : out);
			bench_error_free(&e);
			return -1;
		}
		bench_error_free(&e);
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
	}
}

int xen_dom0_unpause(const char *name, struct bench_error **err)
{
	char out[1024];
	return XL(out, err, "unpause", (char *)name);
}

int xen_dom0_vcpu_pin(const char *name, unsigned vcpu, int pcpu, struct bench_error **err)
{
	char out[1024], v[16], p[16];
	snprintf(v, sizeof(v), "%u", vcpu);
	snprintf(p, sizeof(p), "%d", pcpu);
	return XL(out, err, "vcpu-pin", (char *)name, v, p);
}

int xen_dom0_vcpu_list(const char *name, struct xen_vcpu *out, size_t max, size_t *n,
                       struct bench_error **err)
{
	char text[8192];
	if (XL(text, err, "vcpu-list", (char *)name) < 0)
		return -1;
	*n = xen_parse_vcpu_list(text, out, max);
	return 0;
}

int xen_dom0_list(const char *name, long *mem_mib, double *cpu_s, struct bench_error **err)
{
	char text[2048];
	if (XL(text, err, "list", (char *)name) < 0)
		return -1;
	if (xen_parse_list(text, mem_mib, cpu_s) < 0)
		return bench_error_set(err, 0, "xl list %s: no domain line", name);
	return 0;
}

#define MAX_BACKEND_THREADS 64

/* dom0's back-end kernel threads serving domid: blkback.<id>.*, vif<id>.* */
static size_t backend_threads(int domid, struct proc_task *out, size_t max)
{
	char blk[32], vif[32];
	snprintf(blk, sizeof(blk), "blkback.%d.", domid);
	snprintf(vif, sizeof(vif), "vif%d.", domid);
	const char *const names[] = {blk, vif, NULL};
	return proc_tasks_named(names, out, max);
}

double xen_dom0_backend_cpu_s(int domid)
{
	struct proc_task t[MAX_BACKEND_THREADS];
	size_t n = backend_threads(domid, t, MAX_BACKEND_THREADS);
	double sum = -1;
	for (size_t i = 0; i < n; i++) {
		double s = proc_cpu_seconds(t[i].tid);
		if (s >= 0)
			sum = (sum < 0 ? 0 : sum) + s;
	}
	return sum;
}

json_t *xen_dom0_backend_threads(int domid)
{
	struct proc_task t[MAX_BACKEND_THREADS];
	size_t n = backend_threads(domid, t, MAX_BACKEND_THREADS);
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, proc_task_to_json(&t[i]));
	return list;
}

void xen_dom0_explain(const char *name, struct bench_error **err)
{
	char out[16384];
	if (XL(out, NULL, "list", (char *)name) == 0) {
		const char *line = strchr(out, '\n');
		bench_error_append(err, "\nxl list: %s", line ? line + 1 : out);
	} else {
		bench_error_append(err, "\nxl list: the domain is gone");
	}
	if (XL(out, NULL, "dmesg") == 0) {
		size_t len = strlen(out);
		const char *tail = len > 600 ? out + len - 600 : out;
		bench_error_append(err, "\nxl dmesg (tail):\n%s", tail);
	}
}

void xen_dom0_destroy(const char *name)
{
	char out[1024];
	XL(out, NULL, "destroy", (char *)name);
}
