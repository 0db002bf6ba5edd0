/* Stale-state bookkeeping: owner names, orphan detection, the sweep and
 * the scratch-file note, on real processes and a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/core/stale.h"
#include "testutil.h"

static void owner_names(void **state)
{
	(void)state;
	assert_int_equal(stale_owner("bench-1234-0"), 1234);
	assert_int_equal(stale_owner("bench-7-12"), 7);
	assert_int_equal(stale_owner("bench-1234"), -1);
	assert_int_equal(stale_owner("bench--1-0"), -1);
	assert_int_equal(stale_owner("bench-0-0"), -1);
	assert_int_equal(stale_owner("benchbr0"), -1);
	assert_int_equal(stale_owner("bench-99999999999-0"), -1);
	assert_int_equal(stale_owner("accel"), -1);
}

/* A PID that existed and is gone (reaped). */
static pid_t dead_pid(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

static void orphans(void **state)
{
	(void)state;
	char name[64];
	time_t now = time(NULL);
	snprintf(name, sizeof(name), "bench-%d-0", (int)dead_pid());
	assert_true(stale_orphaned(name, now));
	snprintf(name, sizeof(name), "bench-%d-0", (int)getpid());
	assert_false(stale_orphaned(name, now)); /* ours */
	snprintf(name, sizeof(name), "bench-%d-0", (int)getppid());
	assert_false(stale_orphaned(name, now)); /* alive, started before */
	/* alive but started long after the entry was made: a reused PID */
	assert_true(stale_orphaned(name, 1000));
	assert_false(stale_orphaned("benchbr0", now));
}

static int reclaimed;
static char reclaimed_name[64];

static void count(const char *name, const char *path, void *ctx)
{
	(void)ctx;
	reclaimed++;
	snprintf(reclaimed_name, sizeof(reclaimed_name), "%s", name);
	stale_remove_noted(path);
	stale_remove_tree(path);
}

static void sweep_and_note(void **state)
{
	(void)state;
	char dir[PATH_MAX], path[PATH_MAX + 64], img[PATH_MAX + 128], dead[64], live[64];
	assert_int_equal(make_build_tmpdir("stale-", dir), 0);
	snprintf(dead, sizeof(dead), "bench-%d-3", (int)dead_pid());
	snprintf(live, sizeof(live), "bench-%d-0", (int)getpid());
	const char *names[] = {dead, live, "accel", "bench-x-1"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		assert_int_equal(mkdir(path, 0700), 0);
	}
	/* the dead entry's scratch disk elsewhere, noted in its directory */
	snprintf(img, sizeof(img), "%s/accel/%s.img", dir, dead);
	FILE *f = fopen(img, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/%s", dir, dead);
	stale_note_file(path, img);
	reclaimed = 0;
	assert_int_equal(stale_sweep(dir, count, NULL), 1);
	assert_int_equal(reclaimed, 1);
	assert_string_equal(reclaimed_name, dead);
	struct stat st;
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(stat(img, &st), -1);
	snprintf(path, sizeof(path), "%s/%s", dir, live);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(stale_sweep("/nonexistent/bench-stale", count, NULL), 0);
	remove_tree(dir);
}

/* A note can only remove a bench scratch image, not any file it names. */
static void note_is_bounded(void **state)
{
	(void)state;
	char dir[PATH_MAX], other[PATH_MAX + 32];
	assert_int_equal(make_build_tmpdir("stale-", dir), 0);
	snprintf(other, sizeof(other), "%s/precious", dir);
	FILE *f = fopen(other, "w");
	assert_non_null(f);
	fclose(f);
	stale_note_file(dir, other);
	stale_remove_noted(dir);
	struct stat st;
	assert_int_equal(stat(other, &st), 0);
	remove_tree(dir);
}

/* A process whose command line names a dead guest's directory is killed. */
static void kill_matching(void **state)
{
	(void)state;
	char needle[64];
	snprintf(needle, sizeof(needle), "/run/bench-test-%d/", (int)getpid());
	int hold[2];
	assert_int_equal(pipe(hold), 0);
	pid_t pid = fork();
	if (pid == 0) { /* a shell waiting on a pipe, the needle its $0 */
		dup2(hold[0], 0);
		close(hold[1]);
		execl("/bin/sh", "sh", "-c", "read line", needle, (char *)NULL);
		_exit(127);
	}
	close(hold[0]);
	struct timespec ts = {0, 200 * 1000 * 1000};
	nanosleep(&ts, NULL);
	assert_int_equal(stale_kill_matching(needle, 5.0), 1);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_int_equal(stale_kill_matching(needle, 1.0), 0);
	close(hold[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(owner_names),    cmocka_unit_test(orphans),
	    cmocka_unit_test(sweep_and_note), cmocka_unit_test(note_is_bounded),
	    cmocka_unit_test(kill_matching),
	};
	return cmocka_run_group_tests_name("stale state", tests, NULL, NULL);
}
