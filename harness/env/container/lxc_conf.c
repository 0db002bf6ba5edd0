#include "harness/env/container/lxc_conf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

void lxc_cgroup_path(const struct ct_instance *c, char *out, size_t len)
{
	snprintf(out, len, "/bench/%s", c->id);
}

struct text {
	char *buf;
	size_t len, used;
	bool overflow;
};

static void line(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(struct text *t, const char *fmt, ...)
{
	if (t->overflow)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->buf + t->used, t->len - t->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n + 1 >= t->len - t->used) {
		t->overflow = true;
		return;
	}
	t->used += (size_t)n;
	t->buf[t->used++] = '\n';
	t->buf[t->used] = '\0';
}

int lxc_config_text(const struct ct_instance *c, bool cgroup_v1, char *buf, size_t len)
{
	struct text t = {.buf = buf, .len = len};
	if (len > 0)
		buf[0] = '\0';
	line(&t, "# bench: container %s (generated; lxc-execute -f this file)", c->id);
	line(&t, "lxc.uts.name = %s", c->id);
	line(&t, "lxc.rootfs.path = dir:%s", c->rootfs);
	line(&t, "lxc.rootfs.options = ro");
	line(&t, "lxc.mount.auto = proc:mixed sys:ro");
	line(&t, "lxc.autodev = 1");
	if (c->scratch != NULL) /* target relative to the rootfs; made by oci_rootfs_write */
		line(&t, "lxc.mount.entry = %s %s none rbind,rw 0 0", c->scratch, c->scratch + 1);
	line(&t, "lxc.net.0.type = %s", c->net == CT_NET_HOST ? "none" : "empty");
	line(&t, "lxc.cgroup.dir.container = bench/%s", c->id);
	line(&t, "lxc.cgroup.dir.monitor = bench/%s.monitor", c->id);
	const char *v = cgroup_v1 ? "lxc.cgroup" : "lxc.cgroup2";
	line(&t, "%s.cpuset.cpus = %s", v, c->cpus);
	if (c->numa_node >= 0)
		line(&t, "%s.cpuset.mems = %d", v, c->numa_node);
	line(&t, "%s.%s = %" PRIu64, v, cgroup_v1 ? "memory.limit_in_bytes" : "memory.max",
	     c->memory_bytes);
	if (c->cpu_limit > 0 && cgroup_v1) {
		line(&t, "lxc.cgroup.cpu.cfs_period_us = %d", CT_CFS_PERIOD_US);
		line(&t, "lxc.cgroup.cpu.cfs_quota_us = %lld", ct_cfs_quota_us(c->cpu_limit));
	} else if (c->cpu_limit > 0) {
		line(&t, "lxc.cgroup2.cpu.max = %lld %d", ct_cfs_quota_us(c->cpu_limit),
		     CT_CFS_PERIOD_US);
	}
	line(&t, "lxc.cap.keep = kill net_bind_service");
	line(&t, "lxc.no_new_privs = 1");
	line(&t, "lxc.apparmor.profile = unconfined");
	line(&t, "lxc.console.path = none");
	line(&t, "lxc.tty.max = 0");
	line(&t, "lxc.environment = PATH=/");
	line(&t, "lxc.log.file = %s/lxc.log", c->dir);
	line(&t, "lxc.log.level = WARN");
	return t.overflow ? -1 : (int)t.used;
}
