#include "harness/core/proc_tasks.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"
#include "harness/core/fingerprint.h"

/* Reads the task under dir ("/proc/<pid>" or "/proc/<pid>/task/<tid>"). */
static int read_task(const char *dir, pid_t tid, struct proc_task *t)
{
	char path[96], line[1024];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->last_cpu = -1;
	snprintf(path, sizeof(path), "%s/comm", dir);
	if (read_first_line(path, t->comm, sizeof(t->comm)) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/stat", dir);
	cleanup_fclose FILE *stat = fopen(path, "re");
	if (stat != NULL && fgets(line, sizeof(line), stat) != NULL) {
		/* fields after ")" start at 3 (state); processor is field 39 */
		char *p = strrchr(line, ')');
		int field = 2;
		char *save = NULL;
		for (char *tok = p ? strtok_r(p + 1, " ", &save) : NULL; tok;
		     tok = strtok_r(NULL, " ", &save)) {
			if (++field == 39) {
				t->last_cpu = atoi(tok);
				break;
			}
		}
	}
	snprintf(path, sizeof(path), "%s/status", dir);
	cleanup_fclose FILE *status = fopen(path, "re");
	while (status != NULL && fgets(line, sizeof(line), status) != NULL) {
		if (strncmp(line, "Cpus_allowed_list:", 18) == 0) {
			char *v = line + 18;
			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			snprintf(t->allowed, sizeof(t->allowed), "%s", v);
			break;
		}
	}
	return 0;
}

int proc_task_refresh(struct proc_task *t)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%d", (int)t->tid);
	return read_task(dir, t->tid, t);
}

int proc_task_list(pid_t pid, struct proc_task *out, size_t max, size_t *n,
                   struct bench_error **err)
{
	char dir[64];
	*n = 0;
	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	DIR *d = opendir(dir);
	if (d == NULL)
		return bench_error_set(err, errno, "listing the threads of process %d", (int)pid);
	struct dirent *e;
	while ((e = readdir(d)) != NULL && *n < max) {
		char *end;
		long tid = strtol(e->d_name, &end, 10);
		if (*end != '\0' || tid <= 0)
			continue;
		char tdir[96];
		snprintf(tdir, sizeof(tdir), "%s/%ld", dir, tid);
		if (read_task(tdir, (pid_t)tid, &out[*n]) == 0)
			(*n)++;
	}
	closedir(d);
	return 0;
}

size_t proc_tasks_named(const char *const prefixes[], struct proc_task *out, size_t max)
{
	DIR *d = opendir("/proc");
	if (d == NULL)
		return 0;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < max) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end != '\0' || pid <= 0)
			continue;
		char dir[64], comm[32];
		snprintf(dir, sizeof(dir), "/proc/%ld", pid);
		char path[80];
		snprintf(path, sizeof(path), "%s/comm", dir);
		if (read_first_line(path, comm, sizeof(comm)) < 0)
			continue;
		bool match = false;
		for (size_t i = 0; prefixes[i] != NULL && !match; i++)
			match = strncmp(comm, prefixes[i], strlen(prefixes[i])) == 0;
		if (match && read_task(dir, (pid_t)pid, &out[n]) == 0)
			n++;
	}
	closedir(d);
	return n;
}

json_t *proc_task_to_json(const struct proc_task *t)
{
	return json_pack("{s:i, s:s, s:s, s:i}", "tid", (int)t->tid, "name", t->comm,
	                 "cpus_allowed", t->allowed, "last_cpu", t->last_cpu);
}
