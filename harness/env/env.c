/* What every environment shares: the instance spec from the run options, and
 * the account hook of backends whose instance is one host process tree. */
#include "harness/env/env.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/core/spawn.h"
#include "harness/env/explain.h"

int env_spec_init(struct env_spec *spec, const struct run_options *o, const struct topo *t,
                  const struct topo_binding *b, const char *wl_path, const char *work_dir,
                  struct bench_error **err)
{
	*spec = (struct env_spec){
	    .topo = t,
	    .binding = *b,
	    .wl_path = wl_path,
	    .work_dir = work_dir,
	    .runtime = o->runtime,
	    .net_mode = o->net,
	    .accel = o->accel,
	    .kernel = o->kernel,
	    .initrd = o->initrd,
	    .xen_mode = o->xen_mode,
	    .cpu_limit = o->cpu_limit,
	    .keep_image = o->keep_image,
	};
	if (o->memory != NULL && run_options_bytes(o->memory, &spec->memory_bytes) < 0)
		return bench_error_set(err, 0, "--memory %s is not a size", o->memory);
	if (o->disk_size != NULL && run_options_bytes(o->disk_size, &spec->disk_bytes) < 0)
		return bench_error_set(err, 0, "--disk-size %s is not a size", o->disk_size);
	return 0;
}

void env_spec_choose(struct env_spec *spec, const struct env_choice *c)
{
	spec->runtime = c->variant[0] != '\0' ? c->variant : NULL;
	if (c->net[0] != '\0')
		spec->net_mode = c->net;
}

int env_account_process(struct env_instance *inst, struct env_account *out,
                        struct bench_error **err)
{
	(void)err;
	out->cpu_s = proc_cpu_seconds(inst->agent.pid);
	out->mem_bytes = proc_pss_bytes(inst->agent.pid);
	out->start_s = inst->start_s;
	numa_mem_process_tree(inst->agent.pid, &out->mem_nodes);
	return 0;
}

int env_read_text(const char *path, char *buf, size_t len)
{
	buf[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t off = 0;
	ssize_t n;
	while (off + 1 < len && (n = read(fd, buf + off, len - 1 - off)) > 0)
		off += (size_t)n;
	close(fd);
	buf[off] = '\0';
	return 0;
}

long long env_host_oom_kills(void)
{
	char text[8192];
	if (env_read_text("/proc/vmstat", text, sizeof(text)) < 0)
		return -1;
	return explain_vmstat_oom_kills(text);
}

/* The kernel log's OOM kill records, from /dev/kmsg (root), into buf. */
static void kmsg_oom_records(char *buf, size_t len)
{
	buf[0] = '\0';
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	char rec[2048];
	size_t off = 0;
	ssize_t n;
	/* one record per read; EAGAIN at the end, EPIPE when one was overwritten */
	for (int i = 0; i < 100000; i++) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (strstr(rec, "Killed process") == NULL)
			continue;
		size_t l = strlen(rec);
		if (off + l + 1 >= len)
			off = 0; /* keep the latest ones */
		memcpy(buf + off, rec, l + 1);
		off += l;
	}
	close(fd);
}

void env_explain_host_oom(pid_t pid, long long oom_kills_before, char *buf, size_t len)
{
	char records[16384], line[512];
	buf[0] = '\0';
	kmsg_oom_records(records, sizeof(records));
	if (pid > 0 && explain_kmsg_killed(records, pid, line, sizeof(line))) {
		snprintf(buf, len, "the host's OOM killer killed it (kernel log: \"%s\")", line);
		return;
	}
	long long now = env_host_oom_kills();
	if (oom_kills_before >= 0 && now > oom_kills_before)
		snprintf(buf, len,
		         "the host's OOM killer ran %lld time%s meanwhile (/proc/vmstat oom_kill)",
		         now - oom_kills_before, now - oom_kills_before == 1 ? "" : "s");
}
