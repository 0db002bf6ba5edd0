#include "harness/core/utf8.h"

size_t utf8_seq_len(const unsigned char *p)
{
	unsigned char c = p[0];
	if (c < 0x80)
		return 1;
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		lo = c == 0xE0 ? 0xA0 : 0x80;
		hi = c == 0xED ? 0x9F : 0xBF;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		lo = c == 0xF0 ? 0x90 : 0x80;
		hi = c == 0xF4 ? 0x8F : 0xBF;
	} else {
		return 0;
	}
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++) {
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	}
	return len;
}

int utf8_check(const char *text, size_t len, int *line, int *col)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	*line = 1;
	*col = 1;
	while (p < end) {
		size_t n = *p == '\0' ? 0 : utf8_seq_len(p);
		if (n == 0 || n > (size_t)(end - p))
			return -1;
		if (*p == '\n') {
			++*line;
			*col = 0;
		}
		++*col;
		p += n;
	}
	return 0;
}
