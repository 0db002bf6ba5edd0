/* xen: wl inside a Xen domU created with xl from the same kernel and
 * initramfs as the qemu environment, on a host that is a Xen dom0. The
 * domain is created paused from a generated xl configuration (PVH by
 * default, --xen-mode pv|pvh|hvm), the agent speaks on the domain's PV
 * console (the pty xenconsoled gives dom0), vCPUs get hard affinity from
 * the hwloc pinning and are checked with `xl vcpu-list`, a vif on the
 * harness bridge (netback) carries network workloads and a raw image
 * (blkback) is the disk workloads' /dev/xvda. `xl destroy` on every exit
 * path. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "harness/core/cleanup.h"
#include "harness/core/clock.h"
#include "harness/env/env.h"
#include "harness/env/explain.h"
#include "harness/env/guest_image.h"
#include "harness/net/netns.h"
#include "harness/core/spawn.h"
#include "harness/core/stale.h"
#include "harness/env/xen/xen_cfg.h"
#include "harness/env/xen/xen_dom0.h"

#define XEN_STATE_ROOT   "/run/bench/xen"
#define READY_TIMEOUT_MS 120000
#define DEFAULT_MEMORY   (512ull << 20)
#define DEFAULT_DISK     (1ull << 30)

struct domain {
	char name[48];
	char dir[96]; /* XEN_STATE_ROOT/<name>: domain.cfg */
	char cfg[128];
	char disk[PATH_MAX]; /* raw image, "" when none */
	int domid;           /* -1 until created */
	bool bridged;
	struct netns_slot net;
	struct guest_image image;
	char mode[8];
	char version[64];
	uint64_t memory_bytes;
	unsigned vcpus;
	int pcpus[XEN_MAX_VCPUS];
};

static int xen_probe(char *reason, size_t len)
{
	return xen_dom0_probe(reason, len);
}

static const char *mode_of(const struct env_spec *spec)
{
	return spec->xen_mode ? spec->xen_mode : "pvh";
}

static int xen_prepare(const struct env_spec *spec, struct bench_error **err)
{
	if (spec->cpu_limit > 0)
		return bench_error_set(err, 0,
		                       "--cpu-limit applies to containers; a xen domain's CPUs are "
		                       "its vCPUs (--threads) pinned to --cpus");
	char reason[512], version[64];
	if (xen_dom0_probe(reason, sizeof(reason)) < 0)
		return bench_error_set(err, 0, "%s", reason);
	const char *mode = mode_of(spec);
	if (strcmp(mode, "pvh") != 0 && strcmp(mode, "pv") != 0 && strcmp(mode, "hvm") != 0)
		return bench_error_set(err, 0, "--xen-mode %s: valid modes are pvh, pv, hvm", mode);
	if (spec->net_mode != NULL && strcmp(spec->net_mode, "bridge") != 0)
		return bench_error_set(err, 0,
		                       "--net %s: xen guests are always on the harness bridge",
		                       spec->net_mode);
	struct guest_image img;
	if (guest_image_find(spec->wl_path, spec->kernel, spec->initrd, &img, err) < 0)
		return -1;
	return xen_dom0_version(version, sizeof(version), err);
}

static void xen_stop(struct env_instance *inst)
{
	if (inst == NULL)
		return;
	agent_shutdown(&inst->agent, 3000); /* quit: the guest powers off */
	struct domain *d = inst->priv;
	if (d != NULL) {
		xen_dom0_destroy(d->name); /* also when it already went: harmless */
		if (d->bridged)
			netns_teardown(&d->net);
		if (d->disk[0] != '\0')
			unlink(d->disk);
		if (d->dir[0] != '\0')
			stale_remove_tree(d->dir); /* configuration, notes */
	}
	free(d);
	json_decref(inst->pinning);
	free(inst);
}

/* A domain of a killed run: destroyed, its scratch disk and state removed. */
static void reclaim_domain(const char *name, const char *path, void *ctx)
{
	(void)ctx;
	xen_dom0_destroy(name);
	stale_remove_noted(path);
	stale_remove_tree(path);
}

static void xen_reclaim(void)
{
	stale_sweep(XEN_STATE_ROOT, reclaim_domain, NULL);
}

static int make_state(struct domain *d, const struct env_spec *spec, struct bench_error **err)
{
	static unsigned counter;
	xen_reclaim();
	snprintf(d->name, sizeof(d->name), "bench-%d-%u", (int)getpid(), counter++);
	if ((mkdir("/run/bench", 0755) < 0 && errno != EEXIST) ||
	    (mkdir(XEN_STATE_ROOT, 0700) < 0 && errno != EEXIST))
		return bench_error_set(err, errno, "creating %s", XEN_STATE_ROOT);
	snprintf(d->dir, sizeof(d->dir), "%s/%s", XEN_STATE_ROOT, d->name);
	if (mkdir(d->dir, 0700) < 0) {
		d->dir[0] = '\0';
		return bench_error_set(err, errno, "creating %s/%s", XEN_STATE_ROOT, d->name);
	}
	snprintf(d->cfg, sizeof(d->cfg), "%s/domain.cfg", d->dir);
	if (spec->work_dir == NULL)
		return 0;
	if (guest_disk_create(spec->work_dir, d->name,
	                      spec->disk_bytes ? spec->disk_bytes : DEFAULT_DISK, false, d->disk,
	                      sizeof(d->disk), err) < 0)
		return -1;
	stale_note_file(d->dir, d->disk);
	return 0;
}

static int write_config(struct domain *d, struct bench_error **err)
{
	char extra[256], mac[24];
	/* the agent owns hvc0: keep the kernel's messages off it */
	int n = snprintf(extra, sizeof(extra), "console=tty0 quiet panic=-1%s%s",
	                 d->bridged ? " bench.ip=" : "", d->bridged ? d->net.inst_addr : "");
	if (d->bridged && n > 0 && (size_t)n < sizeof(extra))
		snprintf(extra + n, sizeof(extra) - (size_t)n, "/24");
	snprintf(mac, sizeof(mac), "00:16:3e:62:00:%02x", (unsigned)d->net.octet);
	struct xen_domain x = {
	    .name = d->name,
	    .type = d->mode,
	    .kernel = d->image.kernel,
	    .initrd = d->image.initrd,
	    .extra = extra,
	    .memory_bytes = d->memory_bytes,
	    .vcpus = d->vcpus,
	    .pcpus = d->pcpus,
	    .bridge = d->bridged ? NETNS_BRIDGE : NULL,
	    .mac = mac,
	    .disk = d->disk[0] ? d->disk : NULL,
	};
	char text[4096];
	if (xen_cfg_write(&x, text, sizeof(text)) < 0)
		return bench_error_set(err, EINVAL,
		                       "xl configuration (a path with a quote or comma?)");
	cleanup_close int fd = open(d->cfg, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	size_t len = strlen(text);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return bench_error_set(err, errno, "writing %s", d->cfg);
	return 0;
}

/* Opens the domain's console pty raw: no echo, no CR/LF translation. */
static int open_console(const char *tty, struct agent *a, struct bench_error **err)
{
	int fd = open(tty, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return bench_error_set(err, errno, "opening the domain console %s", tty);
	struct termios t;
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	a->from_fd = fd;
	a->to_fd = dup(fd);
	if (a->to_fd < 0)
		return bench_error_set(err, errno, "dup");
	return 0;
}

static int boot(struct env_instance *inst, struct domain *d, struct bench_error **err)
{
	char tty[128];
	json_t *ready = NULL;
	if (write_config(d, err) < 0 ||
	    xen_dom0_create_paused(d->cfg, d->name, &d->domid, err) < 0 ||
	    xen_dom0_console_tty(d->domid, tty, sizeof(tty), err) < 0 ||
	    open_console(tty, &inst->agent, err) < 0 || xen_dom0_unpause(d->name, err) < 0)
		return -1;
	if (agent_expect(&inst->agent, "ready", READY_TIMEOUT_MS, &ready, err) < 0) {
		bench_error_wrap(err, "booting the %s domain %s", d->mode, d->name);
		xen_dom0_explain(d->name, err);
		return -1;
	}
	json_decref(ready);
	return 0;
}

static int xen_start(const struct env_spec *spec, struct env_instance **out,
                     struct bench_error **err)
{
	struct env_instance *inst = calloc(1, sizeof(*inst));
	struct domain *d = calloc(1, sizeof(*d));
	if (inst == NULL || d == NULL) {
		free(inst);
		free(d);
		return bench_error_set(err, ENOMEM, "xen instance");
	}
	inst->ops = &env_xen_ops;
	inst->priv = d;
	agent_init(&inst->agent);
	d->domid = -1;
	snprintf(d->mode, sizeof(d->mode), "%s", mode_of(spec));
	d->memory_bytes = spec->memory_bytes ? spec->memory_bytes : DEFAULT_MEMORY;
	d->vcpus = spec->binding.threads ? spec->binding.threads : 1;
	if (d->vcpus > XEN_MAX_VCPUS) {
		bench_error_set(err, 0, "at most %d vCPUs", XEN_MAX_VCPUS);
		goto fail;
	}
	for (unsigned i = 0; i < d->vcpus; i++)
		d->pcpus[i] = topo_binding_pu(&spec->binding, i);
	double t0 = monotonic_seconds();
	if (guest_image_find(spec->wl_path, spec->kernel, spec->initrd, &d->image, err) < 0 ||
	    xen_dom0_version(d->version, sizeof(d->version), err) < 0 ||
	    make_state(d, spec, err) < 0)
		goto fail;
	if (netns_attach(&d->net, NETNS_ADDR_ONLY, err) < 0)
		goto fail;
	d->bridged = true;
	if (boot(inst, d, err) < 0)
		goto fail;
	inst->start_s = monotonic_seconds() - t0;
	guest_image_wl_note(&d->image, inst->wl_note, sizeof(inst->wl_note));
	if (d->disk[0] != '\0')
		snprintf(inst->disk_path, sizeof(inst->disk_path), "/dev/xvda");
	*out = inst;
	return 0;
fail:
	xen_stop(inst);
	return -1;
}

/* Hard affinity was set at creation; pin again explicitly and record what
 * `xl vcpu-list` confirms. */
static int xen_pin(struct env_instance *inst, const struct env_spec *spec, struct bench_error **err)
{
	struct domain *d = inst->priv;
	for (unsigned i = 0; i < d->vcpus; i++)
		if (xen_dom0_vcpu_pin(d->name, i, d->pcpus[i], err) < 0)
			return -1;
	struct xen_vcpu v[XEN_MAX_VCPUS];
	size_t n = 0;
	if (xen_dom0_vcpu_list(d->name, v, XEN_MAX_VCPUS, &n, err) < 0)
		return -1;
	json_t *vcpus = json_array();
	int bad = -1;
	for (size_t i = 0; i < n; i++) {
		char want[16];
		snprintf(want, sizeof(want), "%d", d->pcpus[v[i].vcpu % d->vcpus]);
		if (strcmp(v[i].hard, want) != 0 && bad < 0)
			bad = (int)i;
		json_array_append_new(
		    vcpus, json_pack("{s:i, s:i, s:i, s:s, s:s}", "vcpu", (int)v[i].vcpu, "pcpu",
		                     d->pcpus[v[i].vcpu % d->vcpus], "running_on", v[i].cpu,
		                     "hard_affinity", v[i].hard, "soft_affinity", v[i].soft));
	}
	json_decref(inst->pinning);
	inst->pinning = json_pack(
	    "{s:s, s:s, s:s, s:i, s:o, s:o, s:I, s:s, s:o, s:o, s:o}", "method",
	    "xl cpus= hard affinity + xl vcpu-pin, checked with xl vcpu-list", "xen_version",
	    d->version, "mode", d->mode, "domid", d->domid, "binding",
	    topo_binding_to_json(&spec->binding), "vcpus", vcpus, "memory_bytes",
	    (json_int_t)d->memory_bytes, "memory_placement",
	    "Xen allocates the domain's memory on the NUMA nodes of its vCPUs' affinity", "guest",
	    guest_image_to_json(&d->image), "net",
	    json_pack("{s:s, s:s}", "vif", "", "address", d->net.inst_addr), "disk",
	    d->disk[0] ? json_pack("{s:s, s:s}", "image", d->disk, "device", inst->disk_path)
	               : json_null());
	if (inst->pinning == NULL)
		return bench_error_set(err, ENOMEM, "pinning record");
	char vif[32];
	snprintf(vif, sizeof(vif), "vif%d.0", d->domid);
	json_object_set_new(json_object_get(inst->pinning, "net"), "vif", json_string(vif));
	/* dom0's blkback and netback threads: recorded, not placed */
	inst->helpers = ENV_HELPERS_UNPLACED;
	json_object_set_new(
	    inst->pinning, "io_threads",
	    json_pack("{s:s, s:s, s:o}", "placement", "not placed", "reason",
	              "dom0's back-end kernel threads (blkback, netback) run on dom0's vCPUs, "
	              "which Xen schedules on physical CPUs of its choosing; placing them "
	              "would mean pinning dom0's vCPUs (xl vcpu-pin Domain-0), which bench "
	              "does not do to the host",
	              "threads", xen_dom0_backend_threads(d->domid)));
	if (n != d->vcpus)
		return bench_error_set(err, 0, "xl vcpu-list shows %zu vCPUs, expected %u", n,
		                       d->vcpus);
	if (bad >= 0)
		return bench_error_set(err, 0, "vCPU %u has hard affinity %s, asked %d",
		                       v[bad].vcpu, v[bad].hard, d->pcpus[v[bad].vcpu % d->vcpus]);
	return 0;
}

/* A domain's memory comes from Xen's heap, not from dom0's MemAvailable. */
static uint64_t xen_host_memory(const struct env_spec *spec)
{
	(void)spec;
	return 0;
}

static int xen_account(struct env_instance *inst, struct env_account *out, struct bench_error **err)
{
	struct domain *d = inst->priv;
	long mib;
	double cpu;
	out->start_s = inst->start_s;
	out->mem_bytes = -1;
	out->cpu_s = -1;
	if (xen_dom0_list(d->name, &mib, &cpu, err) == 0) {
		out->mem_bytes = (int64_t)mib << 20;
		out->cpu_s = cpu;
	}
	out->backend_cpu_s = xen_dom0_backend_cpu_s(d->domid);
	return 0;
}

/* Estimated from the image: no calibration boot on Xen. */
static int xen_memory(const struct env_spec *spec, uint64_t memory_bytes, bool measure,
                      struct env_memory *out, struct bench_error **err)
{
	*out = (struct env_memory){
	    .memory_bytes = memory_bytes         ? memory_bytes
	                    : spec->memory_bytes ? spec->memory_bytes
	                                         : DEFAULT_MEMORY,
	    .disk_bytes = spec->disk_bytes ? spec->disk_bytes : DEFAULT_DISK,
	};
	if (!measure)
		return 0;
	struct guest_image img;
	if (guest_image_find(spec->wl_path, spec->kernel, spec->initrd, &img, err) < 0)
		return -1;
	guest_image_estimate_usable(&img, out->memory_bytes, &out->usable_bytes, out->basis,
	                            sizeof(out->basis));
	return 0;
}

/* The kernel logs to tty0, which dom0 cannot read; guest/init writes the
 * kernel's last words on the agent's console before powering off, so they
 * are read from there. Else what xl says of the domain. */
static void xen_explain(struct env_instance *inst, char *buf, size_t len)
{
	struct domain *d = inst->priv;
	char tail[32768];
	agent_drain(&inst->agent, 3000, tail, sizeof(tail));
	if (explain_guest_console(tail, "xen domU", d->memory_bytes, buf, len))
		return;
	if (inst->agent.timed_out) {
		buf[0] = '\0';
		return;
	}
	struct bench_error *e = NULL;
	bench_error_set(&e, 0, "xen domain %s stopped answering", d->name);
	xen_dom0_explain(d->name, &e);
	snprintf(buf, len, "%s", e ? e->msg : "");
	bench_error_free(&e);
}

static int xen_peer(struct env_instance *inst, struct env_peer *out, struct bench_error **err)
{
	(void)err;
	struct domain *d = inst->priv;
	snprintf(out->iface, sizeof(out->iface), "vif%d.0", d->domid);
	snprintf(out->host_address, sizeof(out->host_address), "%s", d->net.bridge_addr);
	snprintf(out->instance_address, sizeof(out->instance_address), "%s", d->net.inst_addr);
	return 0;
}

const struct env_ops env_xen_ops = {
    .name = "xen",
    .reclaim = xen_reclaim,
    .cpu_numbering = "Xen's physical CPUs (the peer and dom0's processes run on dom0's vCPUs)",
    .description = "Xen domU through xl (PVH by default, --xen-mode), on a Xen dom0",
    .needs_root = "xl and the dom0 toolstack, bridge and vif devices",
    .probe = xen_probe,
    .prepare = xen_prepare,
    .start = xen_start,
    .pin = xen_pin,
    .host_memory = xen_host_memory,
    .account = xen_account,
    .peer = xen_peer,
    .stop = xen_stop,
    .memory = xen_memory,
    .explain = xen_explain,
};
