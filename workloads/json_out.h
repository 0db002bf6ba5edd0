/* A tiny streaming JSON writer for wl's one-object-per-line output. Commas
 * are managed by the writer; strings are escaped (control characters as
 * \uXXXX, invalid UTF-8 bytes as U+FFFD) so every line parses. */
#ifndef WL_JSON_OUT_H
#define WL_JSON_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH 8

struct jw {
	FILE *f;
	unsigned depth;
	bool first[JW_MAX_DEPTH];
	char close[JW_MAX_DEPTH];
};

void jw_init(struct jw *w, FILE *f);
/* Opens an object ('{') or array ('[') as member `key` (NULL in arrays or
 * at top level). Nesting deeper than JW_MAX_DEPTH is a programming error. */
void jw_open(struct jw *w, const char *key, char brace);
void jw_close(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *s);
/* Doubles always carry a '.' or an exponent; non-finite values become null. */
void jw_num(struct jw *w, const char *key, double v);
void jw_int(struct jw *w, const char *key, int64_t v);
void jw_bool(struct jw *w, const char *key, bool v);

/* Writes s as a quoted, escaped JSON string. */
void jw_escape(FILE *f, const char *s);

#endif
