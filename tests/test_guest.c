/* Boots the QEMU guest image ("$BENCH_BUILD/guest", built by `make guest`)
 * under TCG and drives the wl agent in it over the virtio-serial port
 * bench.agent: ready, open os.syscall, one rep, quit, bye, QEMU exits. Skips
 * when the image or qemu-system-x86_64 is missing. KVM is not used: on this
 * machine a stock kernel hangs under it (DESIGN.md). No shell: fork/execv. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>

#include "harness/env/explain.h"
#include "harness/env/guest_image.h"
#include "testutil.h"

#define CONNECT_TIMEOUT_S 10.0
#define READY_TIMEOUT_S   30.0
#define REPLY_TIMEOUT_S   20.0
#define EXIT_TIMEOUT_S    15.0

struct guest {
	char dir[64];      /* mkdtemp directory, "" when none */
	char sock[96];     /* dir/agent.sock (fits sun_path) */
	char log[128];     /* dir/serial.log */
	pid_t qemu;        /* 0 when not running */
	int fd;            /* agent connection, -1 when none */
	char buf[1 << 16]; /* bytes read but not yet returned as lines */
	size_t len;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The first executable "name" on PATH, into out; false if none. */
static bool find_in_path(const char *name, char out[PATH_MAX])
{
	const char *path = getenv("PATH");
	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		snprintf(out, PATH_MAX, "%.*s/%s", (int)n, path, name);
		if (n > 0 && access(out, X_OK) == 0)
			return true;
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

static void print_serial_log(const struct guest *g)
{
	FILE *f = fopen(g->log, "r");
	char line[512];
	if (f == NULL)
		return;
	print_message("guest serial console (%s):\n", g->log);
	while (fgets(line, sizeof line, f))
		print_message("  | %s", line);
	fclose(f);
}

static int setup(void **state)
{
	struct guest *g = calloc(1, sizeof *g);
	if (g == NULL)
		return -1;
	g->fd = -1;
	*state = g;
	return 0;
}

/* Always runs, also after a failed assertion: kill and reap QEMU, close the
 * socket, remove the temp dir. */
static int teardown(void **state)
{
	struct guest *g = *state;
	if (g == NULL)
		return 0;
	if (g->fd >= 0)
		close(g->fd);
	if (g->qemu > 0) {
		kill(g->qemu, SIGKILL);
		waitpid(g->qemu, NULL, 0);
	}
	if (g->dir[0]) {
		unlink(g->sock);
		unlink(g->log);
		rmdir(g->dir);
	}
	free(g);
	return 0;
}

/* Next line from the agent (without the newline) within timeout_s, parsed
 * as JSON; fails the test on timeout, EOF or bad JSON. */
static json_t *read_json_line(struct guest *g, double timeout_s, const char *what)
{
	double deadline = now_s() + timeout_s;
	for (;;) {
		char *nl = memchr(g->buf, '\n', g->len);
		if (nl != NULL) {
			*nl = '\0';
			json_error_t err;
			json_t *j = json_loads(g->buf, 0, &err);
			if (j == NULL)
				fail_msg("%s: not JSON (%s): '%s'", what, err.text, g->buf);
			size_t used = (size_t)(nl - g->buf) + 1;
			memmove(g->buf, nl + 1, g->len - used);
			g->len -= used;
			return j;
		}
		double left = deadline - now_s();
		if (left <= 0) {
			print_serial_log(g);
			fail_msg("%s: no line from the guest agent within %.0f s", what, timeout_s);
		}
		struct pollfd p = {.fd = g->fd, .events = POLLIN};
		int r = poll(&p, 1, (int)(left * 1000) + 1);
		if (r < 0 && errno != EINTR)
			fail_msg("poll: %s", strerror(errno));
		if (r <= 0)
			continue;
		if (g->len >= sizeof g->buf - 1)
			fail_msg("%s: line longer than %zu bytes", what, sizeof g->buf);
		ssize_t n = read(g->fd, g->buf + g->len, sizeof g->buf - 1 - g->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			print_serial_log(g);
			fail_msg("%s: agent connection closed (%s)", what,
			         n < 0 ? strerror(errno) : "EOF");
		}
		g->len += (size_t)n;
	}
}

static void send_line(struct guest *g, const char *line)
{
	size_t n = strlen(line), off = 0;
	while (off < n) {
		ssize_t w = send(g->fd, line + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			fail_msg("send '%s': %s", line, strerror(errno));
		off += (size_t)w;
	}
}

static const char *type_of(json_t *j)
{
	const char *t = json_string_value(json_object_get(j, "type"));
	return t ? t : "(none)";
}

static void test_boot_agent(void **state)
{
	struct guest *g = *state;
	char qemu[PATH_MAX], kernel[PATH_MAX], initrd[PATH_MAX];

	build_path("guest/vmlinuz", kernel);
	build_path("guest/initramfs.cpio.gz", initrd);
	if (access(kernel, R_OK) != 0 || access(initrd, R_OK) != 0) {
		print_message("skipping: %s missing: run make guest\n", kernel);
		skip();
	}
	if (!find_in_path("qemu-system-x86_64", qemu)) {
		print_message("skipping: qemu-system-x86_64 not found: run make guest\n");
		skip();
	}

	strcpy(g->dir, "/tmp/bench-guest-XXXXXX");
	if (mkdtemp(g->dir) == NULL) {
		g->dir[0] = '\0';
		fail_msg("mkdtemp: %s", strerror(errno));
	}
	snprintf(g->sock, sizeof g->sock, "%s/agent.sock", g->dir);
	snprintf(g->log, sizeof g->log, "%s/serial.log", g->dir);

	char serial[160], chardev[200];
	snprintf(serial, sizeof serial, "file:%s", g->log);
	snprintf(chardev, sizeof chardev, "socket,id=agent,path=%s,server=on,wait=off", g->sock);
	char *argv[] = {qemu,
	                "-accel",
	                "tcg",
	                "-cpu",
	                "qemu64",
	                "-m",
	                "256",
	                "-smp",
	                "1",
	                "-nodefaults",
	                "-no-user-config",
	                "-display",
	                "none",
	                "-kernel",
	                kernel,
	                "-initrd",
	                initrd,
	                "-append",
	                "console=ttyS0 quiet panic=-1",
	                "-serial",
	                serial,
	                "-device",
	                "virtio-serial-pci",
	                "-chardev",
	                chardev,
	                "-device",
	                "virtserialport,chardev=agent,name=bench.agent",
	                "-no-reboot",
	                NULL};

	double t0 = now_s();
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		dup2(devnull, 0);
		dup2(devnull, 1);
		execv(argv[0], argv); /* stderr stays: QEMU's own errors show */
		_exit(127);
	}
	g->qemu = pid;

	/* Connect once QEMU has created the socket (bounded). */
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", g->sock);
	while (g->fd < 0) {
		int status;
		if (waitpid(g->qemu, &status, WNOHANG) == g->qemu) {
			g->qemu = 0;
			fail_msg("qemu exited before opening %s (status 0x%x)", g->sock, status);
		}
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_true(fd >= 0);
		if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
			g->fd = fd;
			break;
		}
		close(fd);
		if (now_s() - t0 > CONNECT_TIMEOUT_S)
			fail_msg("no agent socket %s within %.0f s", g->sock, CONNECT_TIMEOUT_S);
		nanosleep(&(struct timespec){0, 20000000}, NULL);
	}

	json_t *j = read_json_line(g, READY_TIMEOUT_S, "ready");
	double boot_s = now_s() - t0;
	assert_string_equal(type_of(j), "ready");
	assert_non_null(json_string_value(json_object_get(j, "version")));
	json_decref(j);
	print_message("guest boot to agent ready (TCG, 1 vCPU, 256 MiB): %.2f s\n", boot_s);

	/* guest/init's memory line, before the agent, is what the size rule
	 * measures; the estimate Xen guests use must not promise more */
	char *console = NULL;
	FILE *lf = fopen(g->log, "r");
	assert_non_null(lf);
	size_t clen = 0;
	assert_true(getdelim(&console, &clen, '\0', lf) > 0);
	fclose(lf);
	uint64_t total, available, estimate;
	assert_int_equal(explain_guest_memory(console, &total, &available), 0);
	free(console);
	struct guest_image img = {0};
	snprintf(img.kernel, sizeof(img.kernel), "%s", kernel);
	snprintf(img.initrd, sizeof(img.initrd), "%s", initrd);
	char basis[256];
	guest_image_estimate_usable(&img, 256ull << 20, &estimate, basis, sizeof(basis));
	print_message("256 MiB guest: MemTotal %llu MiB, MemAvailable %llu MiB; estimate %llu "
	              "MiB (%s)\n",
	              (unsigned long long)(total >> 20), (unsigned long long)(available >> 20),
	              (unsigned long long)(estimate >> 20), basis);
	assert_true(total <= 256ull << 20 && available < total);
	assert_true(estimate > 0 && estimate <= available);

	send_line(g, "open\tos.syscall\t--duration\t0.05\n");
	j = read_json_line(g, REPLY_TIMEOUT_S, "open");
	if (strcmp(type_of(j), "opened") != 0)
		fail_msg("open: %s", json_dumps(j, JSON_COMPACT));
	json_decref(j);

	send_line(g, "rep\n");
	j = read_json_line(g, REPLY_TIMEOUT_S, "rep");
	if (strcmp(type_of(j), "rep") != 0)
		fail_msg("rep: %s", json_dumps(j, JSON_COMPACT));
	assert_string_equal(json_string_value(json_object_get(j, "workload")), "os.syscall");
	assert_true(json_is_true(json_object_get(j, "valid")));
	json_t *m = json_array_get(json_object_get(j, "metrics"), 0);
	assert_non_null(m);
	assert_string_equal(json_string_value(json_object_get(m, "name")), "ns_per_call");
	double ns = json_number_value(json_object_get(m, "value"));
	assert_true(ns > 0);
	print_message("os.syscall in the guest: %.0f ns/call\n", ns);
	json_decref(j);

	send_line(g, "quit\n");
	j = read_json_line(g, REPLY_TIMEOUT_S, "quit");
	assert_string_equal(type_of(j), "bye");
	json_decref(j);

	/* The guest powers off after the agent exits; QEMU then exits. */
	bool timed_out;
	int status = wait_bounded(g->qemu, EXIT_TIMEOUT_S, &timed_out);
	g->qemu = 0;
	if (timed_out) {
		print_serial_log(g);
		fail_msg("qemu still running %.0f s after bye: killed", EXIT_TIMEOUT_S);
	}
	assert_int_equal(status, 0);
	print_message("guest boot to power-off: %.2f s\n", now_s() - t0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_boot_agent, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
