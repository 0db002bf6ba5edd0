/* A JSON file read one value at a time (json_stream.h).
 *
 * Why a structural scanner in front of jansson, rather than jansson's
 * JSON_DISABLE_EOF_CHECK on the FILE: jansson reads its input one
 * character ahead, so after a number, true, false or null it has consumed
 * the next character (the documented caveat), and its line and column
 * restart at every call. Finding each value's extent first (strings,
 * escapes and bracket depth are all it takes) gives jansson exactly one
 * value to parse, leaves the stream at a known byte, and tells us where in
 * the file the value starts, so jansson's position inside the value maps
 * back to the file's line and column. Everything a value contains is still
 * judged by jansson: this file decides only where values end and checks
 * the punctuation between them ('{', ':', ',', ']', '}'), which it reports
 * with jansson's own wording. The nesting limit counts from the document's
 * root for containers; a scalar one level below the deepest container
 * jansson allows is the one case the two readers see differently (both
 * refuse the file either way once one level deeper). */
#include "harness/core/json_stream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/core/json_file.h"
#include "harness/core/utf8.h"

#define READ_CHUNK (64 * 1024)

int json_stream_open(struct json_stream *s, const char *path, struct bench_error **err)
{
	memset(s, 0, sizeof(*s));
	s->path = path;
	s->line = 1;
	s->fd = json_file_open(path, err);
	if (s->fd < 0)
		return -1;
	s->buf = malloc(READ_CHUNK);
	s->names = json_object();
	if (s->buf == NULL || s->names == NULL)
		return bench_error_set(err, ENOMEM, "reading %s", path);
	return 0;
}

void json_stream_close(struct json_stream *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->buf);
	free(s->text);
	json_decref(s->names);
	json_decref(s->key);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

/* The next byte, or EOF (also after a read error, kept in read_errno). */
static int peek(struct json_stream *s)
{
	if (s->pos == s->len && !s->eof) {
		ssize_t n;
		do
			n = read(s->fd, s->buf, READ_CHUNK);
		while (n < 0 && errno == EINTR);
		if (n <= 0) {
			s->eof = true;
			s->read_errno = n < 0 ? errno : 0;
		} else {
			s->pos = 0;
			s->len = (size_t)n;
		}
	}
	return s->pos < s->len ? s->buf[s->pos] : EOF;
}

/* Whether the bytes from the stream's position start a valid UTF-8
 * character (or the file ends there). */
static bool valid_char_next(struct json_stream *s)
{
	unsigned char c[5] = {0};
	if (peek(s) == EOF)
		return true;
	if (s->len - s->pos < 4 && s->len > 0) {
		/* Move the tail to the front and read more behind it. */
		memmove(s->buf, s->buf + s->pos, s->len - s->pos);
		s->len -= s->pos;
		s->pos = 0;
		while (!s->eof && s->len < 4) {
			ssize_t n;
			do
				n = read(s->fd, s->buf + s->len, READ_CHUNK - s->len);
			while (n < 0 && errno == EINTR);
			if (n <= 0) {
				s->eof = true;
				s->read_errno = n < 0 ? errno : 0;
			} else {
				s->len += (size_t)n;
			}
		}
	}
	memcpy(c, s->buf + s->pos, s->len - s->pos < 4 ? s->len - s->pos : 4);
	return c[0] == 0 || utf8_seq_len(c) != 0;
}

/* Consumes the byte peek() returned, counting lines and columns as jansson
 * does: a column per UTF-8 character (its first byte), and back to 0 after
 * a newline. */
static void consume(struct json_stream *s, int c)
{
	s->pos++;
	if (c == '\n') {
		s->line++;
		s->column = 0;
	} else if (c < 0x80 || (c >= 0xC2 && c <= 0xF4)) {
		s->column++;
	}
}

static int keep(struct json_stream *s, int c, struct bench_error **err)
{
	if (s->text_len + 1 >= s->text_cap) {
		size_t cap = s->text_cap ? s->text_cap * 2 : 4096;
		char *grown = realloc(s->text, cap);
		if (grown == NULL)
			return bench_error_set(err, ENOMEM, "reading %s", s->path);
		s->text = grown;
		s->text_cap = cap;
	}
	s->text[s->text_len++] = (char)c;
	consume(s, c);
	return 0;
}

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int skip_space(struct json_stream *s)
{
	int c;
	while (is_space(c = peek(s)))
		consume(s, c);
	return c;
}

/* Feeds jansson a prefix, then the rest of the file from the stream's
 * position (json_load_callback). */
struct rest {
	struct json_stream *s;
	const char *prefix;
	size_t prefix_len, prefix_pos;
};

static size_t rest_get(void *out, size_t len, void *arg)
{
	struct rest *r = arg;
	if (r->prefix_pos < r->prefix_len) {
		size_t n =
		    r->prefix_len - r->prefix_pos < len ? r->prefix_len - r->prefix_pos : len;
		memcpy(out, r->prefix + r->prefix_pos, n);
		r->prefix_pos += n;
		return n;
	}
	struct json_stream *s = r->s;
	if (peek(s) == EOF)
		return s->read_errno != 0 ? (size_t)-1 : 0;
	size_t n = s->len - s->pos < len ? s->len - s->pos : len;
	memcpy(out, s->buf + s->pos, n);
	s->pos += n;
	return n;
}

static int jansson_error(struct json_stream *s, int line, int column, const json_error_t *je,
                         struct bench_error **err)
{
	/* jansson counts from line 1, column 0 where it started. */
	if (je->line > 1) {
		line += je->line - 1;
		column = je->column;
	} else if (je->line == 1) {
		column += je->column;
	}
	return bench_error_set(err, 0, "%s:%d:%d: not valid JSON: %s", s->path, line, column,
	                       je->text);
}

/* The file does not go on as the structure requires (a '}' or ',' missing,
 * something after the document): jansson reads what follows, behind a
 * prefix that puts its parser where the stream stands ("{" before a member
 * name, "[0 " after an element, ...), so the message is the one it gives
 * for the whole file, word for word, and at the same place. */
static int jansson_says(struct json_stream *s, const char *prefix, size_t flags,
                        struct bench_error **err)
{
	int line = s->line, column = s->column;
	struct rest r = {.s = s, .prefix = prefix, .prefix_len = strlen(prefix)};
	json_error_t je;
	json_t *v = json_load_callback(rest_get, &r, flags, &je);
	if (s->read_errno != 0) {
		json_decref(v);
		return bench_error_set(err, s->read_errno, "reading %s", s->path);
	}
	if (v != NULL) { /* the scanner saw a fault that jansson does not */
		json_decref(v);
		return bench_error_set(err, 0, "%s:%d:%d: not valid JSON", s->path, line, column);
	}
	/* The prefix is one line of ASCII, before the file's next byte. */
	if (je.line == 1)
		je.column -= (int)r.prefix_len;
	return jansson_error(s, line, column, &je, err);
}

/* Rest of a string whose opening quote is kept: up to and including the
 * closing quote, or to the end of the file. */
static int keep_string(struct json_stream *s, struct bench_error **err)
{
	int c;
	while ((c = peek(s)) != EOF) {
		if (keep(s, c, err) < 0)
			return -1;
		if (c == '"')
			return 0;
		if (c == '\\' && (c = peek(s)) != EOF && keep(s, c, err) < 0)
			return -1;
	}
	return 0;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Keeps the next byte if accept says so; returns whether it did (-1 on
 * error). */
static int keep_if(struct json_stream *s, bool (*accept)(int), struct bench_error **err)
{
	int c = peek(s);
	if (c == EOF || !accept(c))
		return 0;
	return keep(s, c, err) < 0 ? -1 : 1;
}

static int keep_while(struct json_stream *s, bool (*accept)(int), struct bench_error **err)
{
	int rc;
	while ((rc = keep_if(s, accept, err)) == 1)
		;
	return rc;
}

static bool is_minus(int c)
{
	return c == '-';
}
static bool is_zero(int c)
{
	return c == '0';
}
static bool is_dot(int c)
{
	return c == '.';
}
static bool is_exp(int c)
{
	return c == 'e' || c == 'E';
}
static bool is_sign(int c)
{
	return c == '+' || c == '-';
}

/* jansson reads one character past a number or a word; when that
 * character is not UTF-8, it fails right there, inside the token ("unable
 * to decode byte 0xc3 near '12'"): keep its first byte, so that it fails in
 * the value as it does in the file. */
static int keep_lookahead(struct json_stream *s, struct bench_error **err)
{
	int c = peek(s);
	if (c == EOF || c < 0x80 || valid_char_next(s))
		return 0;
	return keep(s, c, err);
}

/* A number, as far as jansson's lexer reads one: -?(0|[0-9]+)(.[0-9]+)?
 * ([eE][+-]?[0-9]+)?, stopping where it stops (a malformed number is then
 * refused by jansson with the same words). */
static int keep_number(struct json_stream *s, struct bench_error **err)
{
	int rc;
	if (keep_if(s, is_minus, err) < 0 || (rc = keep_if(s, is_zero, err)) < 0)
		return -1;
	if (rc == 0 && keep_while(s, is_digit, err) < 0)
		return -1;
	if ((rc = keep_if(s, is_dot, err)) != 0 && (rc < 0 || keep_while(s, is_digit, err) < 0))
		return -1;
	if ((rc = keep_if(s, is_exp, err)) != 0 &&
	    (rc < 0 || keep_if(s, is_sign, err) < 0 || keep_while(s, is_digit, err) < 0))
		return -1;
	return keep_lookahead(s, err);
}

/* The bytes of one UTF-8 character as jansson reads it: the first byte
 * says how many follow, whatever they are. */
static int keep_char(struct json_stream *s, int c, struct bench_error **err)
{
	int n = c >= 0xC2 && c <= 0xDF   ? 2
	        : c >= 0xE0 && c <= 0xEF ? 3
	        : c >= 0xF0 && c <= 0xF4 ? 4
	                                 : 1;
	for (int i = 0; i < n && (c = peek(s)) != EOF; i++) {
		if (keep(s, c, err) < 0)
			return -1;
	}
	return 0;
}

/* Keeps the bytes of the next value in s->text: a string to its closing
 * quote, an array or object to its closing bracket, a number or word to
 * where jansson's lexer ends the token, or one character (jansson then says
 * it was unexpected). A value cut by the end of the file is kept as far as
 * it goes, and jansson says what is missing. Returns 1 when the document's
 * nesting limit was passed (s->text then holds the value up to the bracket
 * too many, which is consumed). */
static int keep_value(struct json_stream *s, int depth, struct bench_error **err)
{
	s->text_len = 0;
	int c = peek(s);
	if (c == EOF)
		return 0;
	if (c == '"')
		return keep(s, c, err) < 0 ? -1 : keep_string(s, err);
	if (c == '-' || is_digit(c))
		return keep_number(s, err);
	if (is_alpha(c))
		return keep_while(s, is_alpha, err) < 0 ? -1 : keep_lookahead(s, err);
	if (c != '[' && c != '{')
		return keep_char(s, c, err);
	int open = 0;
	while ((c = peek(s)) != EOF) {
		if (c == '[' || c == '{') {
			/* This container would be at depth + open in the document. */
			if (depth + open > JSON_PARSER_MAX_DEPTH)
				return keep(s, c, err) < 0 ? -1 : 1;
			open++;
		} else if (c == ']' || c == '}') {
			open--;
		}
		if (keep(s, c, err) < 0)
			return -1;
		if (c == '"' && keep_string(s, err) < 0)
			return -1;
		if (open == 0)
			return 0;
	}
	return 0;
}

/* Parses s->text, which started after the byte at (line, column). */
static json_t *parse_kept(struct json_stream *s, int line, int column, struct bench_error **err)
{
	if (s->eof && s->read_errno != 0) {
		bench_error_set(err, s->read_errno, "reading %s", s->path);
		return NULL;
	}
	json_error_t je;
	json_t *v = json_loadb(s->text != NULL ? s->text : "", s->text_len,
	                       JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
	if (v == NULL)
		jansson_error(s, line, column, &je, err);
	return v;
}

int json_stream_value(struct json_stream *s, int depth, json_t **out, struct bench_error **err)
{
	*out = NULL;
	skip_space(s);
	int line = s->line, column = s->column;
	int rc = keep_value(s, depth, err);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		/* Too deep: unless jansson finds a fault before that bracket
		 * (anything but the end of what it was given), that is the
		 * fault, worded as jansson words it. */
		int deep_line = s->line, deep_column = s->column;
		json_error_t je;
		json_t *v = json_loadb(s->text, s->text_len - 1,
		                       JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
		json_decref(v);
		if (v == NULL && json_error_code(&je) != json_error_premature_end_of_input)
			return jansson_error(s, line, column, &je, err);
		return bench_error_set(
		    err, 0,
		    "%s:%d:%d: not valid JSON: maximum parsing depth reached near "
		    "'%c'",
		    s->path, deep_line, deep_column, s->text[s->text_len - 1]);
	}
	*out = parse_kept(s, line, column, err);
	return *out != NULL ? 0 : -1;
}

int json_stream_object_open(struct json_stream *s, struct bench_error **err)
{
	int c = skip_space(s);
	if (c == '{') {
		consume(s, c);
		return 1;
	}
	if (c == '[')
		return 0;
	return jansson_says(s, "", JSON_REJECT_DUPLICATES, err);
}

/* Steps over the ',' before the next member or element of a container
 * that closes with `close` and holds `count` so far. Returns 0 when it
 * closes (consumed), 1 with *c the first byte of what comes next, or -1
 * (`after` is jansson's prefix for the place after a member or element). */
static int next_item(struct json_stream *s, int close, size_t count, const char *after, int *c,
                     struct bench_error **err)
{
	*c = skip_space(s);
	if (*c == close) {
		consume(s, *c);
		return 0;
	}
	if (count > 0) {
		if (*c != ',')
			return jansson_says(s, after, JSON_REJECT_DUPLICATES, err);
		consume(s, *c);
		*c = skip_space(s);
	}
	return 1;
}

int json_stream_member(struct json_stream *s, const char **name, struct bench_error **err)
{
	*name = NULL;
	int c;
	int rc = next_item(s, '}', s->n_members, "{\"\":0 ", &c, err);
	if (rc <= 0)
		return rc;
	if (c != '"')
		return jansson_says(s, s->n_members > 0 ? "{\"\":0," : "{", JSON_REJECT_DUPLICATES,
		                    err);
	int line = s->line, column = s->column;
	if (keep_value(s, 2, err) < 0)
		return -1;
	json_decref(s->key);
	s->key = NULL;
	json_error_t je;
	s->key = json_loadb(s->text, s->text_len, JSON_DECODE_ANY, &je);
	/* jansson's words for a name with \u0000, rather than a value's. */
	if (s->key == NULL && json_error_code(&je) == json_error_null_character)
		snprintf(je.text, sizeof(je.text), "NUL byte in object key not supported%s%.*s%s",
		         s->text_len <= 20 ? " near '" : "",
		         s->text_len <= 20 ? (int)s->text_len : 0, s->text,
		         s->text_len <= 20 ? "'" : "");
	if (s->key == NULL)
		return jansson_error(s, line, column, &je, err);
	const char *key = json_string_value(s->key);
	if (json_object_get(s->names, key) != NULL) {
		/* jansson quotes the token only when it is at most 20 bytes. */
		if (s->text_len > 20)
			return bench_error_set(err, 0,
			                       "%s:%d:%d: not valid JSON: duplicate object key",
			                       s->path, s->line, s->column);
		return bench_error_set(err, 0,
		                       "%s:%d:%d: not valid JSON: duplicate object key near '%.*s'",
		                       s->path, s->line, s->column, (int)s->text_len, s->text);
	}
	if (json_object_set_new(s->names, key, json_null()) < 0)
		return bench_error_set(err, ENOMEM, "reading %s", s->path);
	c = skip_space(s);
	if (c != ':')
		return jansson_says(s, "{\"\"", JSON_REJECT_DUPLICATES, err);
	consume(s, c);
	s->n_members++;
	*name = key;
	return 1;
}

int json_stream_array_open(struct json_stream *s, struct bench_error **err)
{
	(void)err;
	int c = skip_space(s);
	if (c != '[')
		return 0;
	consume(s, c);
	s->n_elements = 0;
	return 1;
}

int json_stream_element(struct json_stream *s, struct bench_error **err)
{
	int c;
	int rc = next_item(s, ']', s->n_elements, "[0 ", &c, err);
	if (rc <= 0)
		return rc;
	/* "[" or "[1," at the end: jansson's loop stops at the end token. */
	if (c == EOF)
		return jansson_says(s, s->n_elements > 0 ? "[0," : "[", JSON_REJECT_DUPLICATES,
		                    err);
	s->n_elements++;
	return 1;
}

int json_stream_end(struct json_stream *s, struct bench_error **err)
{
	int c = skip_space(s);
	if (c != EOF)
		return jansson_says(s, "{} ", JSON_REJECT_DUPLICATES, err);
	if (s->read_errno != 0)
		return bench_error_set(err, s->read_errno, "reading %s", s->path);
	return 0;
}
