/* JSON documents on disk: an atomic write (temp file, fsync, rename, fsync
 * of the directory) and a strict read (regular files only, duplicate keys
 * rejected, line:column in syntax errors). Run files and fleet files use
 * both. */
#ifndef BENCH_JSON_FILE_H
#define BENCH_JSON_FILE_H

#include <jansson.h>

#include "harness/core/error.h"

/* Writes doc to dir/name atomically: dir/.name.XXXXXX (mode 0644), one space
 * of indent per level, members in their order, a trailing newline; flush,
 * fsync, rename, fsync(dir). Creates dir (one level, 0755) if missing.
 * Returns 0 or -1 with *err. On failure before the rename, the temp file
 * (and dir, if this call made it) is removed and an existing dir/name is
 * untouched; if only the final fsync(dir) fails, the new file stays. */
int json_file_write(const json_t *doc, const char *dir, const char *name, struct bench_error **err);

/* Opens path for reading: a regular file (a FIFO or directory is refused,
 * never waited on). Returns the descriptor (O_CLOEXEC), or -1 with *err
 * "opening path: ..." or "path: not a regular file". */
int json_file_open(const char *path, struct bench_error **err);

/* Reads path (a regular file; a FIFO or directory is refused, never waited
 * on) as one JSON document with duplicate member names rejected. Returns the
 * document (caller owns it), or NULL with *err "path: ..." (the JSON line and
 * column for syntax errors). */
json_t *json_file_read(const char *path, struct bench_error **err);

#endif
