#include "harness/env/qemu/qemu_cmdline.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int add(struct qemu_argv *a, const char *arg)
{
	if (a->argc + 2 > QEMU_ARGV_MAX)
		return -1;
	a->argv[a->argc++] = (char *)arg;
	a->argv[a->argc] = NULL;
	return 0;
}

static int add2(struct qemu_argv *a, const char *opt, const char *value)
{
	return add(a, opt) < 0 || add(a, value) < 0 ? -1 : 0;
}

/* snprintf into buf that fails on truncation. */
__attribute__((format(printf, 3, 4))) static int fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(buf, len, f, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int memory_args(const struct qemu_guest *g, struct qemu_argv *a)
{
	uint64_t mib = g->memory_bytes >> 20;
	if (mib < 16)
		return -1;
	if (fmt(a->mem, sizeof(a->mem), "%llum", (unsigned long long)mib) < 0 ||
	    fmt(a->machine, sizeof(a->machine), "pc,memory-backend=ram0") < 0)
		return -1;
	int rc = g->numa_node >= 0
	             ? fmt(a->backend, sizeof(a->backend),
	                   "memory-backend-ram,id=ram0,size=%llum,host-nodes=%d,policy=bind",
	                   (unsigned long long)mib, g->numa_node)
	             : fmt(a->backend, sizeof(a->backend), "memory-backend-ram,id=ram0,size=%llum",
	                   (unsigned long long)mib);
	if (rc < 0)
		return -1;
	return add2(a, "-m", a->mem) < 0 || add2(a, "-object", a->backend) < 0 ||
	               add2(a, "-machine", a->machine) < 0
	           ? -1
	           : 0;
}

static int device_args(const struct qemu_guest *g, struct qemu_argv *a)
{
	if (fmt(a->agent_chardev, sizeof(a->agent_chardev),
	        "socket,id=agent,path=%s,server=on,wait=off", g->agent_socket) < 0 ||
	    fmt(a->qmp, sizeof(a->qmp), "unix:%s,server=on,wait=off", g->qmp_socket) < 0 ||
	    fmt(a->serial, sizeof(a->serial), "file:%s", g->console_log) < 0)
		return -1;
	if (add2(a, "-serial", a->serial) < 0 || add2(a, "-device", "virtio-serial-pci") < 0 ||
	    add2(a, "-chardev", a->agent_chardev) < 0 ||
	    add2(a, "-device", "virtserialport,chardev=agent,name=bench.agent") < 0 ||
	    add2(a, "-qmp", a->qmp) < 0)
		return -1;
	if (g->tap != NULL) {
		/* romfile= (empty): no iPXE option ROM, which only slows the boot */
		if (fmt(a->netdev, sizeof(a->netdev),
		        "tap,id=net0,ifname=%s,script=no,downscript=no%s", g->tap,
		        g->vhost ? ",vhost=on" : "") < 0 ||
		    fmt(a->nic, sizeof(a->nic),
		        "virtio-net-pci,netdev=net0,mac=%s,romfile=", g->mac) < 0 ||
		    add2(a, "-netdev", a->netdev) < 0 || add2(a, "-device", a->nic) < 0)
			return -1;
	}
	if (g->disk_image != NULL) {
		if (fmt(a->drive, sizeof(a->drive),
		        "file=%s,format=raw,if=none,id=disk0,cache=none,aio=%s", g->disk_image,
		        g->disk_aio) < 0 ||
		    fmt(a->blk, sizeof(a->blk), "virtio-blk-pci,drive=disk0%s%s",
		        g->iothread ? ",iothread=" : "", g->iothread ? g->iothread : "") < 0)
			return -1;
		if (g->iothread != NULL &&
		    (fmt(a->iothread, sizeof(a->iothread), "iothread,id=%s", g->iothread) < 0 ||
		     add2(a, "-object", a->iothread) < 0))
			return -1;
		if (add2(a, "-drive", a->drive) < 0 || add2(a, "-device", a->blk) < 0)
			return -1;
	}
	return 0;
}

int qemu_argv_build(const struct qemu_guest *g, struct qemu_argv *a)
{
	memset(a, 0, sizeof(*a));
	if (g->vcpus < 1 || strchr(g->agent_socket, ',') || strchr(g->qmp_socket, ',') ||
	    (g->disk_image && strchr(g->disk_image, ',')))
		return -1; /* a comma would split QEMU's option syntax */
	bool kvm = strcmp(g->accel, "kvm") == 0;
	if (strchr(g->name, ',') || (g->iothread && strchr(g->iothread, ',')))
		return -1;
	if (fmt(a->smp, sizeof(a->smp), "%u", g->vcpus) < 0 ||
	    fmt(a->name, sizeof(a->name), "%s,debug-threads=on", g->name) < 0 ||
	    fmt(a->append, sizeof(a->append), "%s%s%s", QEMU_BASE_APPEND,
	        g->extra_append ? " " : "", g->extra_append ? g->extra_append : "") < 0)
		return -1;
	if (add(a, g->qemu) < 0 || add2(a, "-name", a->name) < 0 ||
	    add2(a, "-accel", g->accel) < 0 || add2(a, "-cpu", kvm ? "host" : "qemu64") < 0 ||
	    add2(a, "-smp", a->smp) < 0 || memory_args(g, a) < 0 || add(a, "-nodefaults") < 0 ||
	    add(a, "-no-user-config") < 0 || add2(a, "-display", "none") < 0 ||
	    add(a, "-no-reboot") < 0 || add2(a, "-kernel", g->kernel) < 0 ||
	    add2(a, "-initrd", g->initrd) < 0 || add2(a, "-append", a->append) < 0 ||
	    device_args(g, a) < 0)
		return -1;
	return 0;
}

const char *qemu_thread_role(const char *name, int tid, int pid)
{
	if (tid == pid)
		return "main";
	if (strncmp(name, "CPU ", 4) == 0 && strchr(name, '/') != NULL)
		return "vcpu";
	if (strncmp(name, "IO ", 3) == 0)
		return "iothread";
	if (strcmp(name, "call_rcu") == 0)
		return "rcu";
	if (strcmp(name, "worker") == 0)
		return "worker";
	if (strncmp(name, "vhost-", 6) == 0)
		return "vhost";
	return "other";
}
