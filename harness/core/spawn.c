#include "harness/core/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/core/cleanup.h"
#include "harness/core/clock.h"

static void child_fail(const char *what, int e)
{
	dprintf(STDERR_FILENO, "bench: %s: %s\n", what, strerror(e));
	_exit(126);
}

int spawn_agent(char *const argv[], const struct topo *t, const struct topo_binding *binding,
                struct agent *a, struct bench_error **err)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1};
	cleanup_close int errfd = memfd_create("wl-stderr", MFD_CLOEXEC);
	if (errfd < 0)
		return bench_error_set(err, errno, "memfd_create");
	if (pipe2(in, O_CLOEXEC) < 0)
		return bench_error_set(err, errno, "pipe");
	if (pipe2(out, O_CLOEXEC) < 0) {
		int e = errno;
		close(in[0]);
		close(in[1]);
		return bench_error_set(err, e, "pipe");
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return bench_error_set(err, e, "fork");
	}
	if (pid == 0) {
		setpgid(0, 0);
		/* an agent (wl, runc, QEMU) never outlives bench: killed with it */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(125);
		if (dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0 ||
		    dup2(errfd, STDERR_FILENO) < 0)
			child_fail("dup2", errno);
		if (binding != NULL) {
			struct bench_error *berr = NULL;
			if (topo_bind_self(t, binding, &berr) < 0) {
				dprintf(STDERR_FILENO, "bench: %s\n", berr->msg);
				_exit(126);
			}
		}
		execv(argv[0], argv);
		child_fail(argv[0], errno);
	}
	close(in[0]);
	close(out[1]);
	a->to_fd = in[1];
	a->from_fd = out[0];
	a->err_fd = steal_fd(&errfd);
	a->pid = pid;
	return 0;
}

double proc_cpu_seconds(pid_t pid)
{
	char path[64], line[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	cleanup_fclose FILE *f = fopen(path, "re");
	if (f == NULL || fgets(line, sizeof(line), f) == NULL)
		return -1;
	char *p = strrchr(line, ')'); /* comm may hold spaces */
	if (p == NULL)
		return -1;
	unsigned long long utime, stime, cutime, cstime;
	/* after ")": state ppid pgrp session tty tpgid flags minflt cminflt
	 * majflt cmajflt utime stime cutime cstime */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu", &utime,
	           &stime, &cutime, &cstime) != 4)
		return -1;
	long hz = sysconf(_SC_CLK_TCK);
	return (double)(utime + stime + cutime + cstime) / (double)(hz > 0 ? hz : 100);
}

int64_t proc_pss_bytes(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	cleanup_fclose FILE *f = fopen(path, "re");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long long kb;
		if (sscanf(line, "Pss: %llu kB", &kb) == 1)
			return (int64_t)kb * 1024;
	}
	return -1;
}

int spawn_find(const char *name, char *path, size_t len)
{
	const char *env = getenv("PATH");
	char dirs[4096];
	/* The sbin directories too: root's tools (ip, runc) live there even
	 * when PATH lacks them. */
	snprintf(dirs, sizeof(dirs), "%s:/usr/sbin:/sbin", env && *env ? env : "/usr/bin:/bin");
	char *save = NULL;
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(path, len, "%s/%s", d, name);
		if (access(path, X_OK) == 0)
			return 0;
	}
	return -1;
}

int spawn_run(char *const argv[], double timeout_s, unsigned flags, char *out, size_t out_len,
              struct bench_error **err)
{
	int fds[2];
	if (pipe(fds) < 0)
		return bench_error_set(err, errno, "pipe");
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		return bench_error_set(err, e, "fork");
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		if (!(flags & SPAWN_STDOUT_ONLY))
			dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		setpgid(0, 0);
		execv(argv[0], argv);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	size_t used = 0;
	double deadline = monotonic_seconds() + timeout_s;
	int status = 0;
	bool done = false;
	while (!done) {
		struct timeval tv = {0, 20000};
		fd_set set;
		FD_ZERO(&set);
		FD_SET(fds[0], &set);
		if (select(fds[0] + 1, &set, NULL, NULL, &tv) > 0) {
			char buf[1024];
			ssize_t n = read(fds[0], buf, sizeof(buf));
			if (n > 0 && out_len > 1) {
				size_t take =
				    (size_t)n < out_len - 1 - used ? (size_t)n : out_len - 1 - used;
				memcpy(out + used, buf, take);
				used += take;
			}
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			done = true;
		else if (monotonic_seconds() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			close(fds[0]);
			if (out_len)
				out[used] = '\0';
			return bench_error_set(err, 0, "'%s %s' did not finish within %.0f s",
			                       argv[0], argv[1] ? argv[1] : "", timeout_s);
		}
	}
	/* what is left after exit */
	ssize_t n;
	char buf[1024];
	while ((n = read(fds[0], buf, sizeof(buf))) > 0 && out_len > 1) {
		size_t take = (size_t)n < out_len - 1 - used ? (size_t)n : out_len - 1 - used;
		memcpy(out + used, buf, take);
		used += take;
	}
	close(fds[0]);
	if (out_len)
		out[used] = '\0';
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* One connect attempt; the fd, or -1 with errno. */
static int connect_once(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* Whether pid has exited (reaped or not). */
static bool process_gone(pid_t pid)
{
	if (pid <= 0)
		return false;
	siginfo_t si = {0};
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == pid;
}

int spawn_unix_connect(const char *path, pid_t pid, int timeout_ms, struct bench_error **err)
{
	double deadline = monotonic_seconds() + timeout_ms / 1e3;
	int fd;
	while ((fd = connect_once(path)) < 0) {
		if (errno != ENOENT && errno != ECONNREFUSED)
			return bench_error_set(err, errno, "connecting to %s", path);
		if (process_gone(pid))
			return bench_error_set(err, 0, "the process exited before %s accepted",
			                       path);
		if (agent_interrupted)
			return bench_error_set(err, 0, "interrupted by signal %d",
			                       (int)agent_interrupted);
		if (monotonic_seconds() > deadline)
			return bench_error_set(err, 0, "nothing accepted on %s within %.1f s", path,
			                       timeout_ms / 1e3);
		nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
	}
	return fd;
}

int file_sha256(const char *path, char hex[65], struct bench_error **err)
{
	char tool[PATH_MAX], out[PATH_MAX + 128];
	if (spawn_find("sha256sum", tool, sizeof(tool)) < 0)
		return bench_error_set(err, 0, "sha256sum not found (coreutils)");
	char *argv[] = {tool, (char *)path, NULL};
	int rc = spawn_run(argv, 60, SPAWN_STDOUT_ONLY, out, sizeof(out), err);
	if (rc != 0 || strlen(out) < 64 || out[64] != ' ')
		return rc < 0 ? -1 : bench_error_set(err, 0, "sha256sum %s failed", path);
	memcpy(hex, out, 64);
	hex[64] = '\0';
	return 0;
}
