#include "harness/env/qemu/qemu_threads.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"
#include "harness/core/proc_tasks.h"
#include "harness/env/qemu/qemu_cmdline.h"

#define MAX_THREADS 256

static bool is_vcpu(const json_t *vcpus, pid_t tid)
{
	size_t i;
	const json_t *v;
	json_array_foreach(vcpus, i, v)
	{
		if (json_integer_value(json_object_get(v, "thread_id")) == tid)
			return true;
	}
	return false;
}

/* Binds one thread and appends its record; a thread that exited meanwhile
 * (a pool worker) is skipped. */
static int place_one(const struct topo *t, const struct proc_task *task, const char *role,
                     const bool cpus[CPULIST_MAX], const char *want, json_t *list,
                     struct bench_error **err)
{
	char confirmed[256] = "";
	struct bench_error *e = NULL;
	if (topo_bind_thread_set(t, task->tid, cpus, confirmed, sizeof(confirmed), &e) < 0) {
		bool gone = e != NULL && e->status == ESRCH;
		int rc = gone ? 0
		              : bench_error_set(err, 0, "QEMU thread %d (%s): %s", (int)task->tid,
		                                task->comm, e ? e->msg : "binding failed");
		bench_error_free(&e);
		return rc;
	}
	if (strcmp(confirmed, want) != 0)
		return bench_error_set(err, 0, "QEMU thread %d (%s) reads back CPUs %s, asked %s",
		                       (int)task->tid, task->comm, confirmed, want);
	json_array_append_new(list, json_pack("{s:i, s:s, s:s, s:s}", "tid", (int)task->tid, "name",
	                                      task->comm, "role", role, "confirmed", confirmed));
	return 0;
}

json_t *qemu_threads_place(const struct topo *t, pid_t pid, const json_t *vcpus,
                           const struct placement *io, const struct topo_binding *instance,
                           struct bench_error **err)
{
	const bool *cpus = io ? io->cpus : instance->cpus;
	const char *want = io ? io->cpus_text : instance->cpus_text;
	cleanup_free struct proc_task *tasks = calloc(MAX_THREADS, sizeof(*tasks));
	size_t n = 0;
	if (tasks == NULL) {
		bench_error_set(err, ENOMEM, "QEMU's thread list");
		return NULL;
	}
	if (proc_task_list(pid, tasks, MAX_THREADS, &n, err) < 0)
		return NULL;
	json_t *list = json_array();
	bool iothread = false;
	for (size_t i = 0; i < n; i++) {
		const char *role = qemu_thread_role(tasks[i].comm, tasks[i].tid, pid);
		if (strcmp(role, "vcpu") == 0 || is_vcpu(vcpus, tasks[i].tid))
			continue;
		iothread = iothread || strcmp(role, "iothread") == 0;
		if (place_one(t, &tasks[i], role, cpus, want, list, err) < 0) {
			json_decref(list);
			return NULL;
		}
	}
	/* vhost workers: threads of QEMU on Linux >= 6.4 (found above), kernel
	 * threads named vhost-<pid> before */
	char vhost[32];
	snprintf(vhost, sizeof(vhost), "vhost-%d", (int)pid);
	const char *const names[] = {vhost, NULL};
	size_t nv = proc_tasks_named(names, tasks, MAX_THREADS);
	for (size_t i = 0; i < nv; i++) {
		if (place_one(t, &tasks[i], "vhost", cpus, want, list, err) < 0) {
			json_decref(list);
			return NULL;
		}
	}
	json_t *rec = io ? placement_to_json(io)
	                 : json_pack("{s:s, s:s, s:s}", "cpus", want, "policy", "instance",
	                             "reason", "no I/O placement asked: the instance's CPUs");
	json_object_set_new(rec, "placement", json_string("placed"));
	json_object_set_new(rec, "threads", list);
	json_object_set_new(rec, "iothread",
	                    iothread ? json_string(QEMU_DISK_IOTHREAD) : json_null());
	json_object_set_new(rec, "note",
	                    json_string("threads QEMU starts later (thread-pool workers) inherit "
	                                "the binding of the thread that starts them: these CPUs"));
	return rec;
}
