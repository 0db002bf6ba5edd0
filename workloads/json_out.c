/* Tiny JSON writer: see json_out.h. */
#include "json_out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void jw_init(struct jw *w, FILE *f)
{
	w->f = f;
	w->depth = 0;
	w->first[0] = true;
}

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

void jw_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', f);
	while (*p) {
		size_t n = utf8_len(p);

		if (n == 0) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		if (n > 1) {
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
		p++;
	}
	fputc('"', f);
}

/* Comma and key before a value. */
static void member(struct jw *w, const char *key)
{
	if (!w->first[w->depth])
		fputc(',', w->f);
	w->first[w->depth] = false;
	if (key) {
		jw_escape(w->f, key);
		fputc(':', w->f);
	}
}

void jw_open(struct jw *w, const char *key, char brace)
{
	if (w->depth + 1 >= JW_MAX_DEPTH)
		abort();
	member(w, key);
	fputc(brace, w->f);
	w->depth++;
	w->first[w->depth] = true;
	w->close[w->depth] = brace == '{' ? '}' : ']';
}

void jw_close(struct jw *w)
{
	if (w->depth == 0)
		abort();
	fputc(w->close[w->depth], w->f);
	w->depth--;
}

void jw_str(struct jw *w, const char *key, const char *s)
{
	member(w, key);
	jw_escape(w->f, s);
}

void jw_num(struct jw *w, const char *key, double v)
{
	char buf[40];

	member(w, key);
	if (!isfinite(v)) {
		fputs("null", w->f);
		return;
	}
	/* Shortest of %.15g/%.17g that reads back exactly. */
	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	if (!strpbrk(buf, ".e"))
		strcat(buf, ".0");
	fputs(buf, w->f);
}

void jw_int(struct jw *w, const char *key, int64_t v)
{
	member(w, key);
	fprintf(w->f, "%lld", (long long)v);
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	member(w, key);
	fputs(v ? "true" : "false", w->f);
}
