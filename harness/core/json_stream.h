/* A JSON document read from a file one piece at a time, so that a large
 * file never sits in memory as one jansson document.
 *
 * The reader walks the structure of the root object (and of one array-valued
 * member of it) itself, and hands each member value, or each element of that
 * array, to jansson as a document of its own. Jansson still parses and
 * validates every value (syntax, UTF-8, duplicate names inside it, numbers);
 * the reader only finds where each value ends, tracking strings, escapes and
 * bracket depth. Errors read like json_file_read()'s: "path:line:col: not
 * valid JSON: ...", with the line and column in the file (a value's own
 * position is added to jansson's), and the same guarantees: regular files
 * only (a FIFO is refused, never waited on), duplicate member names rejected
 * (the root's too), nothing but whitespace after the document.
 *
 * Use: json_stream_open; json_stream_object_open; then, while
 * json_stream_member returns 1, read the member's value with
 * json_stream_value, or with json_stream_array_open and, while
 * json_stream_element returns 1, json_stream_value per element; finally
 * json_stream_end and json_stream_close. */
#ifndef BENCH_JSON_STREAM_H
#define BENCH_JSON_STREAM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness/core/error.h"

struct json_stream {
	const char *path; /* borrowed: for messages */
	int fd;
	unsigned char *buf; /* read buffer */
	size_t pos, len;
	bool eof;
	int read_errno;   /* a read that failed: reported at the next EOF check */
	int line, column; /* of the last byte consumed, counted as jansson counts */
	char *text;       /* the bytes of the value being read */
	size_t text_len, text_cap;
	json_t *names;     /* the root's member names seen so far */
	json_t *key;       /* the member name last read */
	size_t n_members;  /* of the root object, read so far */
	size_t n_elements; /* of the array being read, so far */
};

/* Opens path (a regular file; a FIFO or directory is refused, never waited
 * on). Returns 0, or -1 with *err "opening path: ..." or "path: not a regular
 * file"; s needs json_stream_close either way. */
int json_stream_open(struct json_stream *s, const char *path, struct bench_error **err);
void json_stream_close(struct json_stream *s);

/* Reads the '{' that opens the document. Returns 1, or 0 when the document
 * is an array (nothing consumed: json_stream_value then reads it whole, for
 * a caller that wants to say what it found), or -1 with *err for anything
 * else. */
int json_stream_object_open(struct json_stream *s, struct bench_error **err);

/* Reads the next member name of the root object and the ':' after it.
 * Returns 1 with *name (valid until the next call), 0 when the object is
 * closed, or -1 with *err (a syntax error, or a name seen before). */
int json_stream_member(struct json_stream *s, const char **name, struct bench_error **err);

/* Reads the next value (a member's, or an array element) with jansson
 * (JSON_DECODE_ANY | JSON_REJECT_DUPLICATES). depth is its depth in the
 * whole document (the root is 1, a member's value 2, an element of a
 * member's array 3), so that the nesting limit is the whole-document
 * reader's. Returns 0 with *out (caller owns it), or -1 with *err. */
int json_stream_value(struct json_stream *s, int depth, json_t **out, struct bench_error **err);

/* Reads the '[' of a member value that is an array: returns 1, or 0 when the
 * value is not an array (nothing consumed: read it with json_stream_value),
 * or -1 with *err. */
int json_stream_array_open(struct json_stream *s, struct bench_error **err);

/* Steps to the next element of the array opened last: returns 1 when one
 * follows (read it with json_stream_value), 0 when the array is closed, or
 * -1 with *err. */
int json_stream_element(struct json_stream *s, struct bench_error **err);

/* Checks that nothing but whitespace follows the document. Returns 0, or -1
 * with *err. */
int json_stream_end(struct json_stream *s, struct bench_error **err);

#endif
