#include "harness/env/container/oci.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/core/cleanup.h"
#include "harness/env/container/ct.h"

/* What wl needs: nothing beyond an ordinary unprivileged process, except
 * setting its own threads' affinity (no capability needed) and binding
 * sockets above 1024. Keep the set empty but for the harmless defaults. */
static json_t *capabilities(void)
{
	const char *caps[] = {"CAP_KILL", "CAP_NET_BIND_SERVICE"};
	json_t *set = json_array();
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		json_array_append_new(set, json_string(caps[i]));
	json_t *caps_obj = json_pack("{s:O, s:O, s:O, s:O}", "bounding", set, "effective", set,
	                             "permitted", set, "ambient", set);
	json_decref(set);
	return caps_obj;
}

static json_t *mounts(const struct oci_spec *s)
{
	json_t *m = json_pack(
	    "[{s:s, s:s, s:s}, {s:s, s:s, s:s, s:[s, s, s, s]}, {s:s, s:s, s:s, s:[s, s, s, s]}]",
	    "destination", "/proc", "type", "proc", "source", "proc", "destination", "/dev", "type",
	    "tmpfs", "source", "tmpfs", "options", "nosuid", "strictatime", "mode=755",
	    "size=65536k", "destination", "/sys", "type", "sysfs", "source", "sysfs", "options",
	    "nosuid", "noexec", "nodev", "ro");
	if (s->scratch_dir != NULL)
		json_array_append_new(m, json_pack("{s:s, s:s, s:s, s:[s, s]}", "destination",
		                                   s->scratch_dir, "type", "bind", "source",
		                                   s->scratch_dir, "options", "rbind", "rw"));
	return m;
}

static json_t *namespaces(const struct oci_spec *s)
{
	json_t *ns = json_pack("[{s:s}, {s:s}, {s:s}, {s:s}]", "type", "pid", "type", "mount",
	                       "type", "ipc", "type", "uts");
	if (s->netns_path != NULL)
		json_array_append_new(
		    ns, json_pack("{s:s, s:s}", "type", "network", "path", s->netns_path));
	else if (s->empty_netns)
		json_array_append_new(ns, json_pack("{s:s}", "type", "network"));
	return ns;
}

json_t *oci_config(const struct oci_spec *s)
{
	char mems[16];
	if (s->numa_node >= 0)
		snprintf(mems, sizeof(mems), "%d", s->numa_node);
	json_t *cpu = json_pack("{s:s}", "cpus", s->cpus);
	if (s->numa_node >= 0)
		json_object_set_new(cpu, "mems", json_string(mems));
	if (s->cpu_limit > 0) {
		json_object_set_new(cpu, "quota", json_integer(ct_cfs_quota_us(s->cpu_limit)));
		json_object_set_new(cpu, "period", json_integer(CT_CFS_PERIOD_US));
	}
	json_t *args = json_array();
	if (s->args == NULL) {
		json_array_append_new(args, json_string("/wl"));
		json_array_append_new(args, json_string("agent"));
	}
	for (const char *const *a = s->args; a && *a; a++)
		json_array_append_new(args, json_string(*a));
	json_t *resources =
	    json_pack("{s:o, s:{s:I}, s:[{s:b, s:s}]}", "cpu", cpu, "memory", "limit",
	              (json_int_t)s->memory_bytes, "devices", "allow", 0, "access", "rwm");
	return json_pack(
	    "{s:s, s:{s:b, s:{s:i, s:i}, s:o, s:[s], s:s, s:o, s:b}, s:{s:s, s:b}, s:s, s:o, "
	    "s:{s:s, s:o, s:o, s:[s, s, s, s, s, s], s:[s, s, s, s, s]}}",
	    "ociVersion", "1.0.2", "process", "terminal", 0, "user", "uid", 0, "gid", 0, "args",
	    args, "env", "PATH=/", "cwd", "/", "capabilities", capabilities(), "noNewPrivileges", 1,
	    "root", "path", "rootfs", "readonly", 1, "hostname", s->hostname, "mounts", mounts(s),
	    "linux", "cgroupsPath", s->cgroups_path, "namespaces", namespaces(s), "resources",
	    resources, "maskedPaths", "/proc/kcore", "/proc/keys", "/proc/timer_list",
	    "/proc/sched_debug", "/sys/firmware", "/proc/scsi", "readonlyPaths", "/proc/bus",
	    "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");
}

static int copy_file(const char *from, const char *to, struct bench_error **err)
{
	cleanup_close int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return bench_error_set(err, errno, "opening %s", from);
	cleanup_close int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (out < 0)
		return bench_error_set(err, errno, "creating %s", to);
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0)
				return bench_error_set(err, errno, "writing %s", to);
			off += w;
		}
	}
	if (n < 0)
		return bench_error_set(err, errno, "reading %s", from);
	return 0;
}

/* mkdir -p for a path inside the bundle (the scratch mount point). */
static int make_dirs(const char *path, struct bench_error **err)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return bench_error_set(err, errno, "creating %s", buf);
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return bench_error_set(err, errno, "creating %s", buf);
	return 0;
}

int oci_rootfs_write(const char *rootfs_dir, const char *wl_path, const char *scratch_dir,
                     struct bench_error **err)
{
	char path[PATH_MAX];
	const char *dirs[] = {"", "/proc", "/dev", "/sys"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", rootfs_dir, dirs[i]);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return bench_error_set(err, errno, "creating %s", path);
	}
	if (scratch_dir != NULL) {
		snprintf(path, sizeof(path), "%s%s", rootfs_dir, scratch_dir);
		if (make_dirs(path, err) < 0)
			return -1;
	}
	snprintf(path, sizeof(path), "%s/wl", rootfs_dir);
	return copy_file(wl_path, path, err);
}

int oci_bundle_write(const char *bundle_dir, const char *wl_path, const struct oci_spec *spec,
                     struct bench_error **err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/rootfs", bundle_dir);
	if (oci_rootfs_write(path, wl_path, spec->scratch_dir, err) < 0)
		return -1;
	json_t *config = oci_config(spec);
	if (config == NULL)
		return bench_error_set(err, 0, "building config.json failed");
	snprintf(path, sizeof(path), "%s/config.json", bundle_dir);
	int rc = json_dump_file(config, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(config);
	if (rc < 0)
		return bench_error_set(err, errno, "writing %s", path);
	return 0;
}
