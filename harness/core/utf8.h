/* UTF-8 checks for text that other tools or people wrote. */
#ifndef BENCH_UTF8_H
#define BENCH_UTF8_H

#include <stddef.h>

/* The length of the valid UTF-8 sequence at p (1 to 4), or 0 when there is
 * none. p must be NUL-terminated (a NUL ends any sequence). */
size_t utf8_seq_len(const unsigned char *p);

/* Whether text[0..len) is UTF-8 without NUL bytes: 0, or -1 with *line and
 * *col (1-based, in characters) at the first byte that is not. text[len]
 * must be '\0'. */
int utf8_check(const char *text, size_t len, int *line, int *col);

#endif
