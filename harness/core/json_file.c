/* JSON documents on disk: atomic write, strict read. */
#include "harness/core/json_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/core/cleanup.h"

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
	errno = 0;
	int rc = json_dumpf(doc, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	/* The write's own errno (ENOSPC on a full disk) says more than EIO. */
	int e = rc < 0 ? (errno != 0 ? errno : EIO) : 0;
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

int json_file_write(const json_t *doc, const char *dir, const char *name, struct bench_error **err)
{
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
	if (asprintf(&tmp, "%s/.%s.XXXXXX", dir, name) < 0)
		tmp = NULL;
	if (asprintf(&final, "%s/%s", dir, name) < 0)
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
		what = "writing";
		goto fail;
	}
	if (rename(tmp, final) != 0) {
		e = errno;
		what = "renaming the temporary file into place in";
		goto fail;
	}
	/* The rename is done: the file is complete, only its durability is
	 * in question, so it stays in place even if this fails. */
	if (fsync(dfd) != 0)
		return bench_error_set(err, errno, "syncing directory %s", dir);
	return 0;

fail:
	if (made_tmp)
		unlink(tmp);
	if (made_dir)
		rmdir(dir);
	if (strcmp(what, "writing") == 0)
		return bench_error_set(err, e, "writing %s in %s", name, dir);
	return bench_error_set(err, e, "%s %s", what, dir);
}

int json_file_open(const char *path, struct bench_error **err)
{
	/* O_NONBLOCK so a FIFO given by mistake is rejected, not waited on. */
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return bench_error_set(err, errno, "opening %s", path);
	struct stat st;
	if (fstat(fd, &st) != 0)
		return bench_error_set(err, errno, "%s", path);
	if (!S_ISREG(st.st_mode))
		return bench_error_set(err, 0, "%s: not a regular file", path);
	return steal_fd(&fd);
}

json_t *json_file_read(const char *path, struct bench_error **err)
{
	cleanup_close int fd = json_file_open(path, err);
	if (fd < 0)
		return NULL;
	cleanup_fclose FILE *f = fdopen(fd, "r");
	if (f == NULL) {
		bench_error_set(err, errno, "%s", path);
		return NULL;
	}
	fd = -1; /* f owns it now */
	json_error_t je;
	json_t *doc = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL)
		bench_error_set(err, 0, "%s:%d:%d: not valid JSON: %s", path, je.line, je.column,
		                je.text);
	return doc;
}
