#define _XOPEN_SOURCE 700
#include "harness/env/container/ct.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/core/cleanup.h"
#include "harness/core/fingerprint.h"
#include "harness/core/spawn.h"

static const char *const net_names[CT_NET_COUNT] = {"bridge", "host", "nat", "none"};

const char *ct_net_name(enum ct_net net)
{
	return net < CT_NET_COUNT ? net_names[net] : "?";
}

int ct_net_parse(const char *text, enum ct_net *out)
{
	if (text == NULL) {
		*out = CT_NET_BRIDGE;
		return 0;
	}
	for (int i = 0; i < CT_NET_COUNT; i++)
		if (strcmp(text, net_names[i]) == 0) {
			*out = (enum ct_net)i;
			return 0;
		}
	return -1;
}

long long ct_cfs_quota_us(double cpus)
{
	return cpus > 0 ? llround(cpus * CT_CFS_PERIOD_US) : -1;
}

bool ct_cgroup_v1(void)
{
	struct stat st;
	return stat("/sys/fs/cgroup/cpuset/cpuset.cpus", &st) == 0;
}

int ct_cgroup_read(const struct ct_instance *c, const char *v1_controller, const char *v1_file,
                   const char *v2_file, char *buf, size_t len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "/sys/fs/cgroup/%s%s/%s", v1_controller, c->cgroup, v1_file);
	if (read_first_line(path, buf, len) == 0)
		return 0;
	snprintf(path, sizeof(path), "/sys/fs/cgroup%s/%s", c->cgroup, v2_file);
	return read_first_line(path, buf, len);
}

pid_t ct_cgroup_pid(const struct ct_instance *c)
{
	char buf[32];
	if (ct_cgroup_read(c, "cpuset", "cgroup.procs", "cgroup.procs", buf, sizeof(buf)) < 0)
		return -1;
	long pid = strtol(buf, NULL, 10);
	return pid > 0 ? (pid_t)pid : -1;
}

/* A number, or "max"/"-1" (no limit) as -1; false when text is neither. */
static bool limit_value(const char *text, long long *out)
{
	if (strncmp(text, "max", 3) == 0) {
		*out = -1;
		return true;
	}
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno != 0 || end == text)
		return false;
	*out = v < 0 ? -1 : v;
	return true;
}

static json_t *number_or_null(bool ok, long long v)
{
	return ok ? json_integer(v) : json_null();
}

json_t *ct_cgroup_settings(const struct ct_instance *c)
{
	char cpus[256] = "", mems[64] = "", mem[64] = "", quota[64] = "", period[64] = "";
	bool have_cpus = ct_cgroup_read(c, "cpuset", "cpuset.cpus", "cpuset.cpus.effective", cpus,
	                                sizeof(cpus)) == 0;
	bool have_mems = ct_cgroup_read(c, "cpuset", "cpuset.mems", "cpuset.mems.effective", mems,
	                                sizeof(mems)) == 0;
	long long mem_v = 0, quota_v = 0, period_v = 0;
	bool have_mem = ct_cgroup_read(c, "memory", "memory.limit_in_bytes", "memory.max", mem,
	                               sizeof(mem)) == 0 &&
	                limit_value(mem, &mem_v);
	bool have_quota = false, have_period = false;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "/sys/fs/cgroup/cpu%s/cpu.cfs_quota_us", c->cgroup);
	if (read_first_line(path, quota, sizeof(quota)) == 0) {
		snprintf(path, sizeof(path), "/sys/fs/cgroup/cpu%s/cpu.cfs_period_us", c->cgroup);
		have_quota = limit_value(quota, &quota_v);
		have_period = read_first_line(path, period, sizeof(period)) == 0 &&
		              limit_value(period, &period_v);
	} else {
		/* v2: cpu.max is "QUOTA PERIOD", QUOTA "max" when unlimited */
		snprintf(path, sizeof(path), "/sys/fs/cgroup%s/cpu.max", c->cgroup);
		char *space = NULL;
		if (read_first_line(path, quota, sizeof(quota)) == 0 &&
		    (space = strchr(quota, ' ')) != NULL) {
			have_quota = limit_value(quota, &quota_v);
			have_period = limit_value(space + 1, &period_v);
		}
	}
	return json_pack(
	    "{s:o, s:o, s:o, s:o, s:o}", "cpuset_cpus", have_cpus ? json_string(cpus) : json_null(),
	    "cpuset_mems", have_mems ? json_string(mems) : json_null(), "memory_limit_bytes",
	    number_or_null(have_mem, mem_v), "cpu_quota_us", number_or_null(have_quota, quota_v),
	    "cpu_period_us", number_or_null(have_period, period_v));
}

static const char *const hierarchies[] = {"cpuset",  "cpu",     "cpuacct", "memory",  "devices",
                                          "pids",    "blkio",   "freezer", "net_cls", "perf_event",
                                          "hugetlb", "systemd", "unified", ""};

void ct_remove_instance_cgroups(const char *name)
{
	char path[PATH_MAX];
	const char *suffixes[] = {"", ".monitor"};
	for (size_t i = 0; i < sizeof(hierarchies) / sizeof(hierarchies[0]); i++)
		for (size_t k = 0; k < 2; k++) {
			snprintf(path, sizeof(path), "/sys/fs/cgroup/%s%sbench/%s%s",
			         hierarchies[i], hierarchies[i][0] ? "/" : "", name, suffixes[k]);
			rmdir(path);
		}
}

void ct_remove_parent_cgroups(void)
{
	char path[PATH_MAX];
	for (size_t i = 0; i < sizeof(hierarchies) / sizeof(hierarchies[0]); i++) {
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s%sbench", hierarchies[i],
		         hierarchies[i][0] ? "/" : "");
		rmdir(path); /* fails harmlessly while another run still uses it */
	}
}

int ct_host_veth(pid_t pid, char *name, size_t len, struct bench_error **err)
{
	char path[96], buf[32];
	snprintf(path, sizeof(path), "/proc/%d/root/sys/class/net/eth0/iflink", (int)pid);
	if (read_first_line(path, buf, sizeof(buf)) < 0)
		return bench_error_set(err, errno, "reading %s (the container's eth0)", path);
	char ifname[IF_NAMESIZE];
	unsigned index = (unsigned)strtoul(buf, NULL, 10);
	if (index == 0 || if_indextoname(index, ifname) == NULL)
		return bench_error_set(err, errno,
		                       "the host side of the container's eth0 (ifindex %s) is "
		                       "not in the host's namespace",
		                       buf);
	snprintf(name, len, "%s", ifname);
	return 0;
}

int ct_probe_host(const char *runtime, char *reason, size_t len)
{
	if (geteuid() != 0) {
		snprintf(reason, len, "containers need root here (rootless %s is not supported)",
		         runtime);
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

int ct_first_line(char *const argv[], double timeout_s, char *out, size_t len)
{
	struct bench_error *err = NULL;
	char text[2048];
	int rc = spawn_run(argv, timeout_s, 0, text, sizeof(text), &err);
	if (rc < 0) {
		snprintf(out, len, "%s", err ? err->msg : "could not run");
		bench_error_free(&err);
		return -1;
	}
	char *l = text;
	while (*l == '\n' || *l == ' ')
		l++;
	l[strcspn(l, "\n")] = '\0';
	snprintf(out, len, "%s", l);
	return rc;
}

void ct_argv_add(struct ct_argv *a, const char *fmt, ...)
{
	if (a->n >= CT_ARGV_MAX || a->used >= sizeof(a->store)) {
		a->overflow = true;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(a->store + a->used, sizeof(a->store) - a->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(a->store) - a->used) {
		a->overflow = true;
		return;
	}
	a->argv[a->n++] = a->store + a->used;
	a->argv[a->n] = NULL;
	a->used += (size_t)n + 1;
}

void ct_add_helper(struct ct_instance *c, pid_t pid)
{
	if (pid > 0 && c->n_helpers < sizeof(c->helpers) / sizeof(c->helpers[0]))
		c->helpers[c->n_helpers++] = pid;
}

/* Whether /proc/<pid>/cmdline has an argument equal to arg. */
static bool cmdline_has(const char *pid, const char *arg)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (char *a = buf; a < buf + n; a += strlen(a) + 1)
		if (strcmp(a, arg) == 0)
			return true;
	return false;
}

pid_t ct_find_process_with_arg(const char *arg)
{
	DIR *d = opendir("/proc");
	if (d == NULL)
		return -1;
	pid_t found = -1;
	struct dirent *e;
	while (found < 0 && (e = readdir(d)) != NULL)
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && cmdline_has(e->d_name, arg))
			found = (pid_t)strtol(e->d_name, NULL, 10);
	closedir(d);
	return found;
}

json_t *ct_helpers_json(const struct ct_instance *c)
{
	json_t *list = json_array();
	for (size_t i = 0; i < c->n_helpers; i++) {
		char path[64], comm[64] = "";
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)c->helpers[i]);
		read_first_line(path, comm, sizeof(comm));
		json_array_append_new(list, json_pack("{s:i, s:s, s:I}", "pid", (int)c->helpers[i],
		                                      "comm", comm, "pss_bytes",
		                                      (json_int_t)proc_pss_bytes(c->helpers[i])));
	}
	return list;
}

double ct_helpers_cpu_s(const struct ct_instance *c)
{
	double total = -1;
	for (size_t i = 0; i < c->n_helpers; i++) {
		double s = proc_cpu_seconds(c->helpers[i]);
		if (s >= 0)
			total = (total < 0 ? 0 : total) + s;
	}
	return total;
}
