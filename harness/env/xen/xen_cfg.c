#include "harness/env/xen/xen_cfg.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct out {
	char *buf;
	size_t len, used;
	bool full;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->used)
		o->full = true;
	else
		o->used += (size_t)n;
}

static bool quotable(const char *s)
{
	return s == NULL || strpbrk(s, "\"'\\\n") == NULL;
}

int xen_cfg_write(const struct xen_domain *d, char *buf, size_t len)
{
	if (!quotable(d->name) || !quotable(d->kernel) || !quotable(d->initrd) ||
	    !quotable(d->extra) || !quotable(d->disk) || !quotable(d->bridge) ||
	    !quotable(d->mac) || (d->disk && strchr(d->disk, ',')) || d->vcpus < 1 ||
	    d->vcpus > XEN_MAX_VCPUS)
		return -1;
	struct out o = {buf, len, 0, false};
	put(&o, "# written by bench (harness/env/xen/env_xen.c); see xl.cfg(5)\n");
	put(&o, "name = \"%s\"\n", d->name);
	put(&o, "type = \"%s\"\n", d->type);
	put(&o, "kernel = \"%s\"\n", d->kernel);
	put(&o, "ramdisk = \"%s\"\n", d->initrd);
	put(&o, "extra = \"%s\"\n", d->extra ? d->extra : "");
	put(&o, "memory = %llu\n", (unsigned long long)(d->memory_bytes >> 20));
	put(&o, "vcpus = %u\n", d->vcpus);
	if (d->pcpus != NULL) {
		/* a list: vCPU i gets element i as its hard affinity */
		put(&o, "cpus = [");
		for (unsigned i = 0; i < d->vcpus; i++)
			put(&o, "%s\"%d\"", i ? ", " : "", d->pcpus[i]);
		put(&o, "]\n");
	}
	if (d->bridge != NULL)
		put(&o, "vif = ['bridge=%s,mac=%s']\n", d->bridge, d->mac);
	if (d->disk != NULL)
		put(&o, "disk = ['format=raw,vdev=xvda,access=rw,target=%s']\n", d->disk);
	put(&o, "on_poweroff = \"destroy\"\non_reboot = \"destroy\"\non_crash = \"destroy\"\n");
	return o.full ? -1 : 0;
}

size_t xen_parse_vcpu_list(const char *text, struct xen_vcpu *out, size_t max)
{
	size_t n = 0;
	const char *line = text;
	while (line != NULL && *line != '\0' && n < max) {
		const char *next = strchr(line, '\n');
		char copy[512];
		size_t l = next ? (size_t)(next - line) : strlen(line);
		if (l < sizeof(copy)) {
			memcpy(copy, line, l);
			copy[l] = '\0';
			char name[128], state[16], cpu[16], slash[4];
			unsigned id, vcpu;
			double t;
			struct xen_vcpu v = {0};
			/* Name ID VCPU CPU State Time(s) Hard / Soft */
			if (sscanf(copy, "%127s %u %u %15s %15s %lf %63s %3s %63s", name, &id,
			           &vcpu, cpu, state, &t, v.hard, slash, v.soft) == 9 &&
			    strcmp(slash, "/") == 0) {
				v.vcpu = vcpu;
				v.cpu = cpu[0] == '-' ? -1 : atoi(cpu);
				out[n++] = v;
			}
		}
		line = next ? next + 1 : NULL;
	}
	return n;
}

int xen_parse_list(const char *text, long *mem_mib, double *cpu_s)
{
	const char *line = text;
	while (line != NULL && *line != '\0') {
		char name[128], state[16];
		unsigned id, vcpus;
		long mem;
		double t;
		if (sscanf(line, "%127s %u %ld %u %15s %lf", name, &id, &mem, &vcpus, state, &t) ==
		    6) {
			*mem_mib = mem;
			*cpu_s = t;
			return 0;
		}
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
	return -1;
}

/* The value of "key : value" in xl info output, into buf. */
static int info_value(const char *info, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);
	for (const char *p = info; p != NULL && *p != '\0';) {
		const char *end = strchr(p, '\n');
		const char *colon = strchr(p, ':');
		if (strncmp(p, key, kl) == 0 && (p[kl] == ' ' || p[kl] == ':') && colon != NULL &&
		    (end == NULL || colon < end)) {
			colon += strspn(colon + 1, " ") + 1;
			size_t n = end ? (size_t)(end - colon) : strlen(colon);
			if (n >= len)
				return -1;
			memcpy(buf, colon, n);
			buf[n] = '\0';
			return 0;
		}
		p = end ? end + 1 : NULL;
	}
	return -1;
}

int xen_parse_version(const char *info, char *buf, size_t len)
{
	char major[16], minor[16], extra[64] = "";
	if (info_value(info, "xen_major", major, sizeof(major)) < 0 ||
	    info_value(info, "xen_minor", minor, sizeof(minor)) < 0)
		return -1;
	info_value(info, "xen_extra", extra, sizeof(extra));
	int n = snprintf(buf, len, "%s.%s%s", major, minor, extra);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}
