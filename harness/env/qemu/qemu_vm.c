#include "harness/env/qemu/qemu_vm.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/core/cleanup.h"
#include "harness/core/clock.h"
#include "harness/env/explain.h"
#include "harness/env/qemu/qemu_cmdline.h"
#include "harness/core/spawn.h"
#include "harness/core/stale.h"

#define QMP_TIMEOUT_MS 10000
#define STOP_GRACE_MS  5000

char *qemu_vm_console_tail(const struct qemu_vm *vm, size_t max)
{
	cleanup_close int fd = open(vm->console, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	off_t size = lseek(fd, 0, SEEK_END);
	if (size <= 0)
		return NULL;
	off_t from = (size_t)size > max ? size - (off_t)max : 0;
	char *text = malloc((size_t)(size - from) + 1);
	if (text == NULL)
		return NULL;
	ssize_t n = pread(fd, text, (size_t)(size - from), from);
	text[n > 0 ? n : 0] = '\0';
	return text;
}

/* A guest of a killed run: its QEMU (orphaned when bench was killed) is
 * killed, its scratch disk and state directory removed. */
static void reclaim_guest(const char *name, const char *path, void *ctx)
{
	(void)name;
	(void)ctx;
	char needle[PATH_MAX];
	snprintf(needle, sizeof(needle), "%s/", path); /* its sockets and console */
	stale_kill_matching(needle, 5.0);
	stale_remove_noted(path);
	stale_remove_tree(path);
}

void qemu_vm_reclaim(void)
{
	stale_sweep(QEMU_STATE_ROOT, reclaim_guest, NULL);
}

static int make_state_dir(struct qemu_vm *vm, struct bench_error **err)
{
	qemu_vm_reclaim();
	static unsigned counter;
	snprintf(vm->id, sizeof(vm->id), "bench-%d-%u", (int)getpid(), counter++);
	if ((mkdir("/run/bench", 0755) < 0 && errno != EEXIST) ||
	    (mkdir(QEMU_STATE_ROOT, 0700) < 0 && errno != EEXIST))
		return bench_error_set(err, errno, "creating %s", QEMU_STATE_ROOT);
	snprintf(vm->dir, sizeof(vm->dir), "%s/%s", QEMU_STATE_ROOT, vm->id);
	if (mkdir(vm->dir, 0700) < 0)
		return bench_error_set(err, errno, "creating %s", vm->dir);
	snprintf(vm->agent_sock, sizeof(vm->agent_sock), "%s/agent.sock", vm->dir);
	snprintf(vm->qmp_sock, sizeof(vm->qmp_sock), "%s/qmp.sock", vm->dir);
	snprintf(vm->console, sizeof(vm->console), "%s/console.log", vm->dir);
	return 0;
}

/* Why a guest did not come up, first: a panic or an OOM kill on its
 * console, or a console left empty by a kernel that stopped before it
 * (too little RAM for the image does that). */
static void boot_death(const struct qemu_vm_spec *s, struct agent *agent, const char *console,
                       struct bench_error **err)
{
	char line[400], ram[32], least[32], how[64] = "";
	struct guest_needs needs;
	guest_image_needs(s->image, &needs);
	uint64_t min = guest_image_min_memory(&needs);
	topo_fmt_bytes(s->memory_bytes, ram, sizeof(ram));
	topo_fmt_bytes(min, least, sizeof(least));
	int status = agent_wait_exit(agent, 2000);
	if (status >= 0)
		explain_wait_status(status, how, sizeof(how));
	enum console_death d = explain_console(console, line, sizeof(line));
	if (d == CONSOLE_PANIC)
		bench_error_wrap(err, "the guest kernel panicked at boot with %s RAM (\"%s\")%s",
		                 ram, line, s->memory_bytes < 2 * min ? ": raise --memory" : "");
	else if (d == CONSOLE_OOM)
		bench_error_wrap(err,
		                 "the guest ran out of memory at boot with %s RAM (\"%s\"): "
		                 "raise --memory",
		                 ram, line);
	else if ((console == NULL || console[0] == '\0') && status >= 0 && min != 0 &&
	         s->memory_bytes < 2 * min)
		bench_error_wrap(err,
		                 "QEMU %s with the guest console empty: the guest kernel stopped "
		                 "before its console came up; with %s RAM it likely lacks memory "
		                 "(this kernel needs %llu MiB to unpack and run, the initramfs "
		                 "%llu MiB: about %s in all): raise --memory",
		                 how, ram, (unsigned long long)(needs.kernel_init_bytes >> 20),
		                 (unsigned long long)(needs.initramfs_bytes >> 20), least);
	else if (status >= 0)
		bench_error_wrap(err, "QEMU %s before the agent was ready", how);
}

/* Appends QEMU's stderr and the console tail to *err. */
static void explain(struct qemu_vm *vm, struct agent *agent, struct bench_error **err)
{
	cleanup_free char *qemu_err = agent_stderr(agent, 400);
	cleanup_free char *console = qemu_vm_console_tail(vm, 900);
	if (qemu_err != NULL && qemu_err[0] != '\0')
		bench_error_append(err, "\nQEMU stderr: %s", qemu_err);
	if (console != NULL && console[0] != '\0')
		bench_error_append(err, "\nguest console (tail):\n%s", console);
}

static int launch(const struct qemu_vm_spec *s, struct qemu_vm *vm, struct agent *agent,
                  struct bench_error **err)
{
	char append[128] = "", mac[24] = "";
	if (vm->bridged) {
		snprintf(append, sizeof(append), "bench.ip=%s/24", vm->net.inst_addr);
		snprintf(mac, sizeof(mac), "52:54:00:62:00:%02x", (unsigned)vm->net.octet);
	}
	struct qemu_guest g = {
	    .qemu = s->qemu,
	    .name = vm->id,
	    .accel = s->accel,
	    .vcpus = s->vcpus ? s->vcpus : 1,
	    .memory_bytes = s->memory_bytes,
	    .numa_node = s->binding ? s->binding->numa_node : -1,
	    .kernel = s->image->kernel,
	    .initrd = s->image->initrd,
	    .extra_append = vm->bridged ? append : NULL,
	    .agent_socket = vm->agent_sock,
	    .qmp_socket = vm->qmp_sock,
	    .console_log = vm->console,
	    .tap = vm->bridged ? vm->net.host_veth : NULL,
	    .mac = mac,
	    .vhost = vm->vhost,
	    .disk_image = vm->disk[0] ? vm->disk : NULL,
	    .disk_aio = vm->disk_aio,
	    .iothread = vm->disk[0] ? QEMU_DISK_IOTHREAD : NULL,
	};
	struct qemu_argv a;
	if (qemu_argv_build(&g, &a) < 0)
		return bench_error_set(err, EINVAL, "QEMU command line (a path with a comma?)");
	if (spawn_agent(a.argv, s->topo, s->binding, agent, err) < 0)
		return -1;
	/* QEMU's stdin/stdout are not the agent: the agent is the socket. */
	close(agent->to_fd);
	vm->qemu_stdout = agent->from_fd;
	agent->to_fd = agent->from_fd = -1;
	if (qmp_connect(&vm->qmp, vm->qmp_sock, agent->pid, QMP_TIMEOUT_MS, err) < 0)
		return -1;
	int fd = spawn_unix_connect(vm->agent_sock, agent->pid, QMP_TIMEOUT_MS, err);
	if (fd < 0)
		return bench_error_wrap(err, "agent socket");
	agent->from_fd = fd;
	agent->to_fd = dup(fd);
	if (agent->to_fd < 0)
		return bench_error_set(err, errno, "dup");
	return 0;
}

int qemu_vm_start(const struct qemu_vm_spec *s, struct qemu_vm *vm, struct agent *agent,
                  struct bench_error **err)
{
	memset(vm, 0, sizeof(*vm));
	vm->qemu_stdout = -1;
	qmp_init(&vm->qmp);
	agent_init(agent);
	vm->vhost = access("/dev/vhost-net", R_OK | W_OK) == 0;
	double t0 = monotonic_seconds();
	json_t *ready = NULL;
	if (make_state_dir(vm, err) < 0)
		goto fail;
	if (s->network) {
		if (netns_attach(&vm->net, NETNS_TAP, err) < 0)
			goto fail;
		vm->bridged = true;
	}
	if (s->disk_dir != NULL &&
	    guest_disk_create(s->disk_dir, vm->id,
	                      s->disk_bytes ? s->disk_bytes : QEMU_DEFAULT_DISK, true, vm->disk,
	                      sizeof(vm->disk), err) < 0)
		goto fail;
	if (vm->disk[0] != '\0')
		stale_note_file(vm->dir, vm->disk);
	/* io_uring where QEMU has it (Debian's does since 6.0) */
	snprintf(vm->disk_aio, sizeof(vm->disk_aio), "io_uring");
	if (launch(s, vm, agent, err) < 0 ||
	    agent_expect(agent, "ready", s->ready_timeout_ms, &ready, err) < 0) {
		bench_error_wrap(err, "booting the %s guest", s->accel);
		cleanup_free char *console = qemu_vm_console_tail(vm, 16384);
		boot_death(s, agent, console, err);
		explain(vm, agent, err);
		goto fail;
	}
	json_decref(ready);
	vm->boot_s = monotonic_seconds() - t0;
	return 0;
fail:
	qemu_vm_stop(vm, agent);
	return -1;
}

void qemu_vm_stop(struct qemu_vm *vm, struct agent *agent)
{
	agent_shutdown(agent, STOP_GRACE_MS); /* quit, then SIGKILL; always reaped */
	qmp_close(&vm->qmp);
	if (vm->qemu_stdout >= 0)
		close(vm->qemu_stdout);
	vm->qemu_stdout = -1;
	if (vm->bridged)
		netns_teardown(&vm->net);
	vm->bridged = false;
	if (vm->disk[0] != '\0')
		unlink(vm->disk);
	vm->disk[0] = '\0';
	if (vm->dir[0] != '\0') {
		stale_remove_tree(vm->dir); /* sockets, console, notes */
	}
	vm->dir[0] = '\0';
}
