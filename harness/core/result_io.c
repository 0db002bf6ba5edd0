/* Run files on disk: atomic write of dir/run.json, validated read. */
#include "harness/core/result.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/core/cleanup.h"

#define RUN_FILE "run.json"

/* Writes doc to the already-open temp file fd, then flushes it to disk.
 * Always closes fd. Returns 0 or -1 with errno set. */
static int dump_and_sync(const json_t *doc, int fd)
{
	FILE *f = fdopen(fd, "w");
	if (f == NULL) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	int rc = json_dumpf(doc, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	int e = rc < 0 ? EIO : 0;
	if (e == 0 && fputc('\n', f) == EOF)
		e = errno;
	if (e == 0 && fflush(f) != 0)
		e = errno;
	if (e == 0 && ferror(f))
		e = EIO;
	if (e == 0 && fsync(fileno(f)) != 0)
		e = errno;
	if (fclose(f) != 0 && e == 0)
		e = errno;
	if (e != 0) {
		errno = e;
		return -1;
	}
	return 0;
}

int run_write(const struct run *run, const char *dir, struct bench_error **err)
{
	/* Serialise first: a run that cannot be written creates nothing. */
	json_auto_t *doc = run_to_json(run);
	if (doc == NULL)
		return bench_error_set(
		    err, 0,
		    "%s: cannot serialise the run (no run_id, "
		    "a value that is not finite, invalid UTF-8, or out of memory)",
		    dir);

	bool made_dir = false;
	if (mkdir(dir, 0755) == 0)
		made_dir = true;
	else if (errno != EEXIST)
		return bench_error_set(err, errno, "creating directory %s", dir);

	cleanup_free char *tmp = NULL;
	cleanup_free char *final = NULL;
	bool made_tmp = false;
	int e = 0;
	const char *what = NULL;
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		e = errno;
		what = "opening directory";
		goto fail;
	}
	/* asprintf leaves its pointer undefined on failure: reset it. */
	if (asprintf(&tmp, "%s/." RUN_FILE ".XXXXXX", dir) < 0)
		tmp = NULL;
	if (asprintf(&final, "%s/" RUN_FILE, dir) < 0)
		final = NULL;
	if (tmp == NULL || final == NULL) {
		e = ENOMEM;
		what = "building paths in";
		goto fail;
	}
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		what = "creating a temporary file in";
		goto fail;
	}
	made_tmp = true;
	if (fchmod(fd, 0644) != 0) {
		e = errno;
		close(fd);
		what = "setting permissions of a temporary file in";
		goto fail;
	}
	if (dump_and_sync(doc, fd) != 0) {
		e = errno;
		what = "writing " RUN_FILE " in";
		goto fail;
	}
	if (rename(tmp, final) != 0) {
		e = errno;
		what = "renaming the temporary file to " RUN_FILE " in";
		goto fail;
	}
	/* The rename is done: run.json is complete, only its durability is
	 * in question, so it stays in place even if this fails. */
	if (fsync(dfd) != 0)
		return bench_error_set(err, errno, "syncing directory %s", dir);
	return 0;

fail:
	if (made_tmp)
		unlink(tmp);
	if (made_dir)
		rmdir(dir);
	return bench_error_set(err, e, "%s %s", what, dir);
}

int run_read(const char *path, struct run *run, struct bench_error **err)
{
	memset(run, 0, sizeof(*run));
	/* O_NONBLOCK so a FIFO given by mistake is rejected, not waited on. */
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return bench_error_set(err, errno, "opening %s", path);
	struct stat st;
	if (fstat(fd, &st) != 0)
		return bench_error_set(err, errno, "%s", path);
	if (!S_ISREG(st.st_mode))
		return bench_error_set(err, 0, "%s: not a regular file", path);
	cleanup_fclose FILE *f = fdopen(fd, "r");
	if (f == NULL)
		return bench_error_set(err, errno, "%s", path);
	fd = -1; /* f owns it now */

	json_error_t je;
	json_auto_t *doc = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL)
		return bench_error_set(err, 0, "%s:%d:%d: not valid JSON: %s", path, je.line,
		                       je.column, je.text);
	if (run_from_json(doc, run, err) < 0)
		return bench_error_wrap(err, "%s", path);
	return 0;
}
