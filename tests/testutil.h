/* Helpers for tests that drive the real programs: run an argument vector,
 * capture stdout and stderr, get the exit status. No shell involved. */
#ifndef BENCH_TESTUTIL_H
#define BENCH_TESTUTIL_H

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct cmd_result {
	int status; /* exit status, or 128 + signal */
	char *out;  /* malloc'd, NUL-terminated */
	char *err;
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

/* Runs argv (argv[0] a path) with the environment, stdin from /dev/null. */
static inline struct cmd_result run_cmd(char *const argv[])
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
	int status = 0;
	waitpid(pid, &status, 0);
	r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	r.out = testutil_slurp(out);
	r.err = testutil_slurp(err);
	close(out);
	close(err);
	return r;
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

#endif
