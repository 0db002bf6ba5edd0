/* qemu: wl inside a QEMU guest (the kernel and initramfs `make guest`
 * builds), one guest per instance. The agent runs on a virtio-serial port;
 * QMP gives the vCPU thread ids, which are pinned one PU each with hwloc;
 * guest RAM is a memory-backend-ram bound to the chosen node; virtio-net on
 * a tap in the harness bridge carries network workloads; a raw image as
 * virtio-blk (cache=none) is the disk workloads' block device. KVM when a
 * test boot shows it works here, TCG otherwise, and every sample says
 * which (pinning.backend.accelerator). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/core/catalog.h"
#include "harness/core/cleanup.h"
#include "harness/env/env.h"
#include "harness/env/guest_image.h"
#include "harness/env/explain.h"
#include "harness/env/qemu/qemu_accel.h"
#include "harness/env/qemu/qemu_threads.h"
#include "harness/env/qemu/qemu_meminfo.h"
#include "harness/env/qemu/qemu_vm.h"
#include "harness/core/spawn.h"

#define QEMU_BINARY      "qemu-system-x86_64"
#define READY_TIMEOUT_MS 60000
#define DEFAULT_MEMORY   (512ull << 20)
#define QMP_TIMEOUT_MS   10000
/* What QEMU itself may take beyond guest RAM (device model, TCG translation
 * cache, I/O buffers): a margin for deciding whether instances fit side by
 * side, not a measurement (the measured PSS is in config.instance). */
#define QEMU_OWN_MARGIN (256ull << 20)

struct guest {
	struct qemu_vm vm;
	struct qemu_accel accel;
	struct guest_image image;
	uint64_t memory_bytes;
	unsigned vcpus;
	long long oom_kills_at_start; /* the host's OOM kill counter, for explain */
};

static int qemu_probe(char *reason, size_t len)
{
	char path[PATH_MAX];
	if (spawn_find(QEMU_BINARY, path, sizeof(path)) < 0) {
		snprintf(reason, len, "%s not installed (make deps)", QEMU_BINARY);
		return -1;
	}
	if (access("/dev/net/tun", R_OK | W_OK) < 0) {
		snprintf(reason, len, "/dev/net/tun: %s (guests need a tap)", strerror(errno));
		return -1;
	}
	char wl[PATH_MAX];
	wl_path_resolve(wl, sizeof(wl));
	struct guest_image img;
	struct bench_error *err = NULL;
	if (guest_image_locate(wl, NULL, NULL, &img, &err) < 0) {
		snprintf(reason, len, "%s", err->msg);
		bench_error_free(&err);
		return -1;
	}
	return 0;
}

/* The image and accelerator for spec; cheap after the first call. */
static int resolve(const struct env_spec *spec, char *qemu, size_t len, struct guest_image *img,
                   struct qemu_accel *accel, struct bench_error **err)
{
	if (spawn_find(QEMU_BINARY, qemu, len) < 0)
		return bench_error_set(err, 0, "%s not installed (make deps)", QEMU_BINARY);
	if (guest_image_find(spec->wl_path, spec->kernel, spec->initrd, img, err) < 0)
		return -1;
	return qemu_accel_choose(spec->accel, qemu, img, accel, err);
}

static int qemu_prepare(const struct env_spec *spec, struct bench_error **err)
{
	if (spec->cpu_limit > 0)
		return bench_error_set(err, 0,
		                       "--cpu-limit applies to containers; a qemu guest's CPUs are "
		                       "its vCPUs (--threads) pinned to --cpus");
	if (spec->net_mode != NULL && strcmp(spec->net_mode, "bridge") != 0)
		return bench_error_set(err, 0,
		                       "--net %s: qemu guests are always on the harness bridge",
		                       spec->net_mode);
	char reason[256], qemu[PATH_MAX];
	if (qemu_probe(reason, sizeof(reason)) < 0)
		return bench_error_set(err, 0, "%s", reason);
	struct guest_image img;
	struct qemu_accel accel;
	return resolve(spec, qemu, sizeof(qemu), &img, &accel, err);
}

static void qemu_stop(struct env_instance *inst)
{
	if (inst == NULL)
		return;
	struct guest *g = inst->priv;
	if (g != NULL)
		qemu_vm_stop(&g->vm, &inst->agent);
	else
		agent_shutdown(&inst->agent, 1000);
	free(g);
	json_decref(inst->pinning);
	free(inst);
}

static int qemu_start(const struct env_spec *spec, struct env_instance **out,
                      struct bench_error **err)
{
	struct env_instance *inst = calloc(1, sizeof(*inst));
	struct guest *g = calloc(1, sizeof(*g));
	if (inst == NULL || g == NULL) {
		free(inst);
		free(g);
		return bench_error_set(err, ENOMEM, "qemu instance");
	}
	inst->ops = &env_qemu_ops;
	agent_init(&inst->agent);
	char qemu[PATH_MAX];
	if (resolve(spec, qemu, sizeof(qemu), &g->image, &g->accel, err) < 0) {
		free(g);
		free(inst);
		return -1;
	}
	g->memory_bytes = spec->memory_bytes ? spec->memory_bytes : DEFAULT_MEMORY;
	g->vcpus = spec->binding.threads ? spec->binding.threads : 1;
	struct qemu_vm_spec s = {
	    .qemu = qemu,
	    .accel = g->accel.name,
	    .image = &g->image,
	    .memory_bytes = g->memory_bytes,
	    .vcpus = g->vcpus,
	    .topo = spec->topo,
	    .binding = &spec->binding,
	    .network = true,
	    .disk_dir = spec->work_dir,
	    .disk_bytes = spec->disk_bytes,
	    .ready_timeout_ms = READY_TIMEOUT_MS,
	};
	if (qemu_vm_start(&s, &g->vm, &inst->agent, err) < 0) {
		free(g);
		free(inst);
		return -1;
	}
	inst->priv = g;
	inst->start_s = g->vm.boot_s;
	guest_image_wl_note(&g->image, inst->wl_note, sizeof(inst->wl_note));
	g->oom_kills_at_start = env_host_oom_kills();
	if (g->vm.disk[0] != '\0')
		snprintf(inst->disk_path, sizeof(inst->disk_path), "/dev/vda");
	*out = inst;
	return 0;
}

/* vCPU i's thread goes to the binding's i-th PU; the record says what
 * hwloc read back. */
static json_t *pin_vcpus(struct guest *g, const struct env_spec *spec, struct bench_error **err)
{
	json_t *cpus = NULL;
	if (qmp_execute(&g->vm.qmp, "query-cpus-fast", NULL, QMP_TIMEOUT_MS, &cpus, err) < 0)
		return NULL;
	json_t *record = json_array();
	size_t i;
	json_t *cpu;
	json_array_foreach(cpus, i, cpu)
	{
		json_int_t tid = json_integer_value(json_object_get(cpu, "thread-id"));
		json_int_t index = json_integer_value(json_object_get(cpu, "cpu-index"));
		int pu = topo_binding_pu(&spec->binding, (unsigned)index);
		char confirmed[64] = "";
		if (tid <= 0 || pu < 0 ||
		    topo_bind_thread(spec->topo, (pid_t)tid, pu, confirmed, sizeof(confirmed),
		                     err) < 0) {
			if (tid <= 0 || pu < 0)
				bench_error_set(err, 0, "vCPU %lld has no thread id",
				                (long long)index);
			json_decref(record);
			json_decref(cpus);
			return NULL;
		}
		json_array_append_new(record,
		                      json_pack("{s:I, s:I, s:i, s:s}", "vcpu", index, "thread_id",
		                                tid, "pu", pu, "confirmed", confirmed));
	}
	json_decref(cpus);
	return record;
}

static int qemu_pin(struct env_instance *inst, const struct env_spec *spec,
                    struct bench_error **err)
{
	struct guest *g = inst->priv;
	json_t *vcpus = pin_vcpus(g, spec, err);
	if (vcpus == NULL)
		return bench_error_wrap(err, "pinning vCPUs");
	json_t *io =
	    qemu_threads_place(spec->topo, inst->agent.pid, vcpus, spec->io, &spec->binding, err);
	if (io == NULL) {
		json_decref(vcpus);
		return bench_error_wrap(err, "placing QEMU's I/O threads");
	}
	inst->helpers = ENV_HELPERS_PLACED;
	json_decref(inst->pinning);
	inst->pinning = json_pack(
	    "{s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:I, s:o, s:o, s:o, s:s, s:f}", "method",
	    "QMP query-cpus-fast + hwloc thread binding", "accelerator", g->accel.name,
	    "accelerator_reason", g->accel.reason, "binding", topo_binding_to_json(&spec->binding),
	    "vcpus", vcpus, "io_threads", io, "memory_backend",
	    spec->binding.numa_node >= 0 ? "memory-backend-ram host-nodes policy=bind"
	                                 : "memory-backend-ram (unbound)",
	    "memory_bytes", (json_int_t)g->memory_bytes, "guest", guest_image_to_json(&g->image),
	    "net",
	    json_pack("{s:s, s:s, s:b}", "tap", g->vm.net.host_veth, "address", g->vm.net.inst_addr,
	              "vhost", g->vm.vhost),
	    "disk",
	    g->vm.disk[0] ? json_pack("{s:s, s:s, s:s, s:s}", "image", g->vm.disk, "device",
	                              inst->disk_path, "cache", "none", "aio", g->vm.disk_aio)
	                  : json_null(),
	    "id", g->vm.id, "boot_s", g->vm.boot_s);
	if (inst->pinning == NULL)
		return bench_error_set(err, ENOMEM, "pinning record");
	return 0;
}

static int qemu_peer(struct env_instance *inst, struct env_peer *out, struct bench_error **err)
{
	struct guest *g = inst->priv;
	if (!g->vm.bridged)
		return bench_error_set(err, 0, "the guest has no network");
	snprintf(out->iface, sizeof(out->iface), "%s", g->vm.net.host_veth);
	snprintf(out->host_address, sizeof(out->host_address), "%s", g->vm.net.bridge_addr);
	snprintf(out->instance_address, sizeof(out->instance_address), "%s", g->vm.net.inst_addr);
	return 0;
}

/* Guest RAM plus a margin for QEMU itself. */
static uint64_t qemu_host_memory(const struct env_spec *spec)
{
	return (spec->memory_bytes ? spec->memory_bytes : DEFAULT_MEMORY) + QEMU_OWN_MARGIN;
}

/* Measured: the guest's MemAvailable after boot, in a calibration boot of
 * this image with this RAM and vCPU count (cached); estimated from the
 * image when it prints no memory line. */
static int qemu_memory(const struct env_spec *spec, uint64_t memory_bytes, bool measure,
                       struct env_memory *out, struct bench_error **err)
{
	*out = (struct env_memory){
	    .memory_bytes = memory_bytes         ? memory_bytes
	                    : spec->memory_bytes ? spec->memory_bytes
	                                         : DEFAULT_MEMORY,
	    .disk_bytes = spec->disk_bytes ? spec->disk_bytes : QEMU_DEFAULT_DISK,
	};
	if (!measure)
		return 0;
	char qemu[PATH_MAX];
	struct guest_image img;
	struct qemu_accel accel;
	if (resolve(spec, qemu, sizeof(qemu), &img, &accel, err) < 0)
		return -1;
	unsigned vcpus = spec->binding.threads ? spec->binding.threads : 1;
	struct qemu_vm_spec s = {
	    .qemu = qemu,
	    .accel = accel.name,
	    .image = &img,
	    .memory_bytes = out->memory_bytes,
	    .vcpus = vcpus,
	    .topo = spec->topo,
	    .binding = &spec->binding,
	};
	bool cached = false;
	struct bench_error *merr = NULL;
	if (qemu_meminfo_measure(&s, &out->usable_bytes, &cached, &merr) == 0) {
		snprintf(out->basis, sizeof(out->basis),
		         "the guest's MemAvailable after boot, measured in a calibration boot "
		         "(%s, %u vCPU%s%s)",
		         accel.name, vcpus, vcpus == 1 ? "" : "s", cached ? ", cached" : "");
		return 0;
	}
	if (strstr(merr->msg, "no memory line") == NULL) {
		*err = merr;
		return -1;
	}
	bench_error_free(&merr);
	guest_image_estimate_usable(&img, out->memory_bytes, &out->usable_bytes, out->basis,
	                            sizeof(out->basis));
	return 0;
}

/* The guest's console says whether its kernel OOM-killed the agent or
 * panicked; QEMU's wait status and the host's kernel log say whether QEMU
 * itself died. */
static void qemu_explain(struct env_instance *inst, char *buf, size_t len)
{
	struct guest *g = inst->priv;
	pid_t pid = inst->agent.pid;
	int status = agent_wait_exit(&inst->agent,
	                             inst->agent.timed_out ? 0 : 5000); /* the guest powers off */
	cleanup_free char *console = qemu_vm_console_tail(&g->vm, 65536);
	char how[64], host[768];
	if (explain_guest_console(console, "qemu guest", g->memory_bytes, buf, len))
		return;
	if (status < 0)
		return; /* QEMU runs and the guest said nothing: it did not answer */
	explain_wait_status(status, how, sizeof(how));
	env_explain_host_oom(pid, g->oom_kills_at_start, host, sizeof(host));
	cleanup_free char *qemu_err = agent_stderr(&inst->agent, 300);
	snprintf(buf, len, "QEMU (pid %d) %s%s%s%s%.*s", (int)pid, how, host[0] ? ": " : "", host,
	         qemu_err && qemu_err[0] ? "; QEMU stderr: " : "",
	         qemu_err ? (int)strcspn(qemu_err, "\n") : 0, qemu_err ? qemu_err : "");
}

static json_t *qemu_details(void)
{
	return qemu_accel_report();
}

const struct env_ops env_qemu_ops = {
    .name = "qemu",
    .reclaim = qemu_vm_reclaim,
    .description = "QEMU guest: the `make guest` kernel+initramfs, KVM or TCG (--accel), "
                   "vCPUs pinned over QMP",
    .needs_root = "tap devices on a bridge, network namespaces, guest state in /run/bench",
    .probe = qemu_probe,
    .prepare = qemu_prepare,
    .start = qemu_start,
    .pin = qemu_pin,
    .account = env_account_process,
    .peer = qemu_peer,
    .stop = qemu_stop,
    .host_memory = qemu_host_memory,
    .details = qemu_details,
    .memory = qemu_memory,
    .explain = qemu_explain,
};
