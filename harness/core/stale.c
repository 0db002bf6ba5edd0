#include "harness/core/stale.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness/core/cleanup.h"
#include "harness/core/clock.h"

pid_t stale_owner(const char *name)
{
	if (strncmp(name, "bench-", 6) != 0 || !isdigit((unsigned char)name[6]))
		return -1;
	char *end;
	errno = 0;
	long pid = strtol(name + 6, &end, 10);
	if (errno != 0 || *end != '-' || pid <= 0 || pid > 0x3fffffff)
		return -1;
	return (pid_t)pid;
}

/* Start time of pid in seconds since the epoch, or -1. */
static double process_start(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	cleanup_fclose FILE *f = fopen(path, "re");
	if (f == NULL || fgets(buf, sizeof(buf), f) == NULL)
		return -1;
	const char *p = strrchr(buf, ')'); /* the command may hold spaces */
	if (p == NULL)
		return -1;
	unsigned long long start = 0;
	/* after ')': state is field 3; starttime is field 22 */
	if (sscanf(p + 2,
	           "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d "
	           "%*d %llu",
	           &start) != 1)
		return -1;
	cleanup_fclose FILE *s = fopen("/proc/stat", "re");
	unsigned long long btime = 0;
	char line[256];
	while (s != NULL && fgets(line, sizeof(line), s) != NULL)
		if (sscanf(line, "btime %llu", &btime) == 1)
			break;
	long hz = sysconf(_SC_CLK_TCK);
	if (btime == 0 || hz <= 0)
		return -1;
	return (double)btime + (double)start / (double)hz;
}

bool stale_orphaned(const char *name, time_t created)
{
	pid_t pid = stale_owner(name);
	if (pid < 0 || pid == getpid())
		return false;
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return true;
	double started = process_start(pid);
	/* btime is rounded to the second: allow that much */
	return started > 0 && started > (double)created + 2.0;
}

int stale_sweep(const char *root, stale_reclaim_fn reclaim, void *ctx)
{
	cleanup_close int lock = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock < 0)
		return 0;
	if (flock(lock, LOCK_EX) < 0)
		return 0;
	DIR *d = fdopendir(dup(lock));
	if (d == NULL)
		return 0;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		if (stale_owner(e->d_name) < 0 ||
		    fstatat(lock, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (!stale_orphaned(e->d_name, st.st_mtime))
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", root, e->d_name);
		reclaim(e->d_name, path, ctx);
		n++;
	}
	closedir(d);
	return n; /* the lock goes with its descriptor */
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void stale_remove_tree(const char *path)
{
	if (path[0] != '\0')
		nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* Whether /proc/pid/cmdline holds needle in one of its arguments. */
static bool cmdline_has(const char *pid, const char *needle)
{
	char path[64], buf[8192];
	snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = '\n';
	return strstr(buf, needle) != NULL;
}

int stale_kill_matching(const char *needle, double timeout_s)
{
	DIR *d = opendir("/proc");
	if (d == NULL)
		return 0;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid_t pid = (pid_t)atoi(e->d_name);
		if (pid == getpid() || !cmdline_has(e->d_name, needle))
			continue;
		if (kill(pid, SIGKILL) < 0)
			continue;
		n++;
		double deadline = monotonic_seconds() + timeout_s;
		while (kill(pid, 0) == 0 && monotonic_seconds() < deadline) {
			char state[64];
			snprintf(state, sizeof(state), "/proc/%d/stat", (int)pid);
			cleanup_fclose FILE *f = fopen(state, "re");
			char buf[512];
			/* a zombie of another parent is gone for our purpose */
			if (f != NULL && fgets(buf, sizeof(buf), f) != NULL) {
				const char *p = strrchr(buf, ')');
				if (p != NULL && p[2] == 'Z')
					break;
			}
			struct timespec ts = {0, 20 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	closedir(d);
	return n;
}

#define NOTE_NAME "scratch-file"

void stale_note_file(const char *state_dir, const char *path)
{
	char note[4096];
	cleanup_free char *absolute = realpath(path, NULL); /* a later run's cwd differs */
	if (absolute == NULL)
		return;
	snprintf(note, sizeof(note), "%s/%s", state_dir, NOTE_NAME);
	cleanup_fclose FILE *f = fopen(note, "we");
	if (f != NULL)
		fprintf(f, "%s\n", absolute);
}

void stale_remove_noted(const char *state_dir)
{
	char note[4096], path[4096];
	snprintf(note, sizeof(note), "%s/%s", state_dir, NOTE_NAME);
	cleanup_fclose FILE *f = fopen(note, "re");
	if (f == NULL || fgets(path, sizeof(path), f) == NULL)
		return;
	path[strcspn(path, "\n")] = '\0';
	/* only a file this note can name: "<dir>/bench-PID-N.img" */
	const char *base = strrchr(path, '/');
	if (path[0] == '/' && base != NULL && stale_owner(base + 1) > 0 &&
	    strstr(base, ".img") != NULL)
		unlink(path);
}
