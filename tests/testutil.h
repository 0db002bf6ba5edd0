/* Helpers for tests that drive the real programs: run an argument vector,
 * capture stdout and stderr, get the exit status. No shell involved. */
#ifndef BENCH_TESTUTIL_H
#define BENCH_TESTUTIL_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct cmd_result {
	int status; /* exit status, or 128 + signal */
	char *out;  /* malloc'd, NUL-terminated */
	char *err;
	bool timed_out;
};

static inline char *testutil_slurp(int fd)
{
	off_t n = lseek(fd, 0, SEEK_END);
	char *buf = malloc(n > 0 ? (size_t)n + 1 : 1);
	if (buf == NULL)
		abort();
	ssize_t r = n > 0 ? pread(fd, buf, (size_t)n, 0) : 0;
	buf[r > 0 ? r : 0] = '\0';
	return buf;
}

/* Waits for pid at most timeout_s seconds, then SIGKILLs it. Returns the
 * exit status, or 128 + signal; *timed_out says whether it had to kill. */
static inline int wait_bounded(pid_t pid, double timeout_s, bool *timed_out)
{
	struct timespec nap = {0, 2000000};
	int status = 0;
	*timed_out = false;
	for (long i = 0; i < (long)(timeout_s * 500); i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (r < 0 && errno != EINTR)
			return -1;
		nanosleep(&nap, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	*timed_out = true;
	return 128 + SIGKILL;
}

/* Runs argv (argv[0] a path) with the environment, stdin from /dev/null,
 * killing it after timeout_s seconds (r.timed_out then says so). */
static inline struct cmd_result run_cmd_bounded(char *const argv[], double timeout_s)
{
	struct cmd_result r = {0};
	int out = memfd_create("out", 0), err = memfd_create("err", 0);
	pid_t pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		dup2(devnull, 0);
		dup2(out, 1);
		dup2(err, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	r.status = wait_bounded(pid, timeout_s, &r.timed_out);
	r.out = testutil_slurp(out);
	r.err = testutil_slurp(err);
	close(out);
	close(err);
	return r;
}

/* run_cmd_bounded with a generous bound, so a hang fails instead of
 * blocking the test run. */
static inline struct cmd_result run_cmd(char *const argv[])
{
	return run_cmd_bounded(argv, 300);
}

static inline void cmd_result_free(struct cmd_result *r)
{
	free(r->out);
	free(r->err);
}

/* "$BENCH_BUILD/name" (BENCH_BUILD defaults to "build"). */
static inline const char *build_path(const char *name, char buf[PATH_MAX])
{
	const char *b = getenv("BENCH_BUILD");
	snprintf(buf, PATH_MAX, "%s/%s", b && *b ? b : "build", name);
	return buf;
}

/* rm -rf dir, as an argument vector. */
static inline void remove_tree(const char *dir)
{
	char *argv[] = {"/bin/rm", "-rf", (char *)dir, NULL};
	struct cmd_result r = run_cmd_bounded(argv, 60);
	cmd_result_free(&r);
}

/* A fresh "$BENCH_BUILD/<prefix>XXXXXX" directory: on the build tree's
 * filesystem, not tmpfs, so disk workloads get O_DIRECT. 0, or -1. */
static inline int make_build_tmpdir(const char *prefix, char dir[PATH_MAX])
{
	char name[64];
	snprintf(name, sizeof(name), "%sXXXXXX", prefix);
	build_path(name, dir);
	return mkdtemp(dir) != NULL ? 0 : -1;
}

/* Whether dir holds an entry whose name starts with prefix. */
static inline bool dir_has_entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return false;
	struct dirent *e;
	bool found = false;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			found = true;
	closedir(d);
	return found;
}

/* Starts argv in the background with stdout and stderr on /dev/null (for
 * tests that signal it); returns its pid. */
static inline pid_t spawn_silent(char *const argv[])
{
	pid_t pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

#endif
