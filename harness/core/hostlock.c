#include "harness/core/hostlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOCK_DIR  "/run/bench"
#define LOCK_NAME "measure.lock"

void hostlock_path(char *buf, size_t len)
{
	const char *env = getenv("BENCH_LOCK");
	if (env != NULL && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	/* The host's lock also for a user who may only read it (the root
	 * runs' file): an flock needs no write permission. */
	if (access(LOCK_DIR "/" LOCK_NAME, R_OK) == 0 ||
	    ((mkdir(LOCK_DIR, 0755) == 0 || errno == EEXIST) && access(LOCK_DIR, W_OK) == 0)) {
		snprintf(buf, len, "%s/%s", LOCK_DIR, LOCK_NAME);
		return;
	}
	const char *tmp = getenv("TMPDIR");
	snprintf(buf, len, "%s/bench-measure-%u.lock", tmp && *tmp ? tmp : "/tmp",
	         (unsigned)getuid());
}

/* "pid 123: bench run --env bare ... (since 2026-12-01T02:00:00Z)" */
static void describe(int argc, char *const argv[], char *buf, size_t len)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	size_t used = (size_t)snprintf(buf, len, "pid %d: bench", (int)getpid());
	for (int i = 0; i < argc && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, " %s", argv[i]);
	if (used < len)
		snprintf(buf + used, len - used, " (since %s)\n", when);
}

int hostlock_acquire(int argc, char *const argv[], FILE *notes, struct bench_error **err)
{
	char path[512];
	hostlock_path(path, sizeof(path));
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 && (errno == EACCES || errno == EROFS)) /* locked all the same, unnamed */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return bench_error_set(err, errno, "cannot open the host lock %s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK) {
			int e = errno;
			close(fd);
			return bench_error_set(err, e, "cannot lock %s", path);
		}
		char holder[512] = "";
		ssize_t n = pread(fd, holder, sizeof(holder) - 1, 0);
		holder[n > 0 ? n : 0] = '\0';
		holder[strcspn(holder, "\n")] = '\0';
		if (notes != NULL) {
			fprintf(notes,
			        "bench: another bench is measuring on this host (%s; lock %s): "
			        "waiting for it to finish, since two at once would measure each "
			        "other (Ctrl-C to give up)\n",
			        *holder ? holder : "holder unknown", path);
			fflush(notes);
		}
		/* Blocks; a signal whose handler has no SA_RESTART ends it. */
		if (flock(fd, LOCK_EX) != 0) {
			int e = errno;
			close(fd);
			return bench_error_set(err, e == EINTR ? 0 : e,
			                       e == EINTR ? "interrupted while waiting for the "
			                                    "host lock %s"
			                                  : "cannot lock %s",
			                       path);
		}
	}
	char me[1024];
	describe(argc, argv, me, sizeof(me));
	if (ftruncate(fd, 0) != 0 || pwrite(fd, me, strlen(me), 0) < 0) {
		/* The lock holds without its note; a waiter then says "unknown". */
	}
	return fd;
}

void hostlock_release(int fd)
{
	if (fd < 0)
		return;
	if (ftruncate(fd, 0) != 0) {
		/* nothing to do: the next holder rewrites it */
	}
	close(fd);
}
