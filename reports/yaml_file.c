/* YAML files through libfyaml's document API, with located errors. */
#include "reports/yaml_file.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"
#include "harness/core/utf8.h"

#define YAML_FILE_MAX (1024 * 1024)

/* Where node starts: its own token for a scalar, else its first key or
 * item's (libfyaml 0.7 keeps marks on tokens only). 0 when unknown. */
static void node_mark(struct fy_node *node, int *line, int *col)
{
	*line = *col = 0;
	for (int depth = 0; node != NULL && depth < 64; depth++) {
		struct fy_token *tok = NULL;
		void *it = NULL;
		switch (fy_node_get_type(node)) {
		case FYNT_SCALAR:
			tok = fy_node_get_scalar_token(node);
			if (tok != NULL) {
				const struct fy_mark *m = fy_token_start_mark(tok);
				if (m != NULL) {
					*line = m->line + 1;
					*col = m->column + 1;
				}
			}
			return;
		case FYNT_MAPPING: {
			struct fy_node_pair *p = fy_node_mapping_iterate(node, &it);
			node = p != NULL ? fy_node_pair_key(p) : NULL;
			break;
		}
		case FYNT_SEQUENCE:
			node = fy_node_sequence_iterate(node, &it);
			break;
		}
	}
}

int yaml_error_at(const struct yaml_file *f, struct fy_node *node, struct bench_error **err,
                  const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (node == NULL)
		return bench_error_set(err, 0, "%s: %s", f->path, msg);
	int line, col;
	node_mark(node, &line, &col);
	char *path = fy_node_get_path(node);
	int rc;
	if (line > 0)
		rc = bench_error_set(err, 0, "%s:%d:%d: %s: %s", f->path, line, col,
		                     path ? path : "?", msg);
	else
		rc = bench_error_set(err, 0, "%s: %s: %s", f->path, path ? path : "?", msg);
	free(path);
	return rc;
}

/* libfyaml's diagnostics, kept (the first message only) instead of printed. */
static void keep_first(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	char *first = user;
	if (first[0] == '\0')
		snprintf(first, 512, "%.*s", (int)len, buf);
}

/* Reads path whole into *text (malloc'd, NUL-terminated, *len bytes), which
 * must be text libfyaml can be given: at most YAML_FILE_MAX bytes of UTF-8
 * without NUL (libfyaml 0.7.12 loops forever on some invalid UTF-8, e.g.
 * the three bytes "%*\xac", found by tests/fuzz/fuzz_gatefile). libfyaml
 * then parses these very bytes, so what was checked is what is read. */
static int read_text(const char *path, char **text, size_t *len, struct bench_error **err)
{
	cleanup_fclose FILE *in = fopen(path, "r");
	if (in == NULL)
		return bench_error_set(err, errno, "%s: cannot open", path);
	cleanup_free char *buf = malloc(YAML_FILE_MAX + 1);
	if (buf == NULL)
		return bench_error_set(err, ENOMEM, "%s", path);
	size_t n = fread(buf, 1, YAML_FILE_MAX + 1, in);
	if (ferror(in))
		return bench_error_set(err, errno, "%s: cannot read", path);
	if (n > YAML_FILE_MAX)
		return bench_error_set(err, 0, "%s: larger than %d KiB: not a file bench reads",
		                       path, YAML_FILE_MAX / 1024);
	buf[n] = '\0';
	int line, col;
	if (utf8_check(buf, n, &line, &col) < 0)
		return bench_error_set(err, 0, "%s:%d:%d: not UTF-8 text (a NUL or invalid byte)",
		                       path, line, col);
	char *fit = realloc(buf, n + 1);
	*text = fit != NULL ? fit : buf;
	buf = NULL;
	*len = n;
	return 0;
}

/* Whether text[i] is an explicit-key indicator: '?' followed by a blank or
 * the line's end, at the line's start (after blanks and "- ") or after a
 * blank or a flow indicator. A '?' inside a word ("why? because") is not. */
static bool explicit_key_at(const char *text, size_t len, size_t i, size_t line_start)
{
	if (text[i] != '?' || (i + 1 < len && text[i + 1] != ' ' && text[i + 1] != '\t' &&
	                       text[i + 1] != '\r' && text[i + 1] != '\n'))
		return false;
	if (i == line_start)
		return true;
	char before = text[i - 1];
	return before == ' ' || before == '\t' || before == '{' || before == '[' || before == ',';
}

/* libfyaml 0.7.12 crashes (a wild pointer in fy_parse_cleanup or
 * fy_indent_vacuum_internal, whichever input API) on tabs in or after a
 * block explicit key, e.g. the six bytes "? ::\t:", "- ? a:\t:", a tab on
 * the line after a lone "?", or "a: \t? ? ?", found by tests/fuzz/
 * fuzz_gatefile and fuzz_tco_model. A document with both an explicit-key
 * indicator and a tab anywhere is refused before libfyaml sees it, at its
 * first tab: bench's files need neither. Returns 0, or -1 with *err. */
static int refuse_tabs_in_explicit_keys(const char *path, const char *text, size_t len,
                                        struct bench_error **err)
{
	bool explicit_key = false;
	int line = 1, tab_line = 0, tab_col = 0;
	for (size_t i = 0, line_start = 0; i < len; i++) {
		if (text[i] == '\n') {
			line++;
			line_start = i + 1;
			continue;
		}
		if (text[i] == '\t' && tab_line == 0) {
			tab_line = line;
			tab_col = (int)(i - line_start) + 1;
		}
		explicit_key = explicit_key || explicit_key_at(text, len, i, line_start);
	}
	if (explicit_key && tab_line > 0)
		return bench_error_set(err, 0,
		                       "%s:%d:%d: a tab in a document with an explicit key ('? '), "
		                       "which crashes libfyaml 0.7.12: write spaces",
		                       path, tab_line, tab_col);
	return 0;
}

/* The error for a document libfyaml refused, from its first message. A
 * string input is named "<memory-@START-END>" there: path replaces that
 * name ("PATH:L:C: error: ..."). */
static int parse_error(const char *path, char *first, struct bench_error **err)
{
	size_t n = strlen(first);
	while (n > 0 && (first[n - 1] == '\n' || first[n - 1] == ' '))
		first[--n] = '\0';
	const char *rest = first[0] == '<' ? strstr(first, ">:") : NULL;
	if (rest != NULL)
		return bench_error_set(err, 0, "%s%s", path, rest + 1);
	return bench_error_set(err, 0, "%s: not valid YAML: %s", path,
	                       n > 0 ? first : "(no detail from libfyaml)");
}

/* libfyaml 0.7.12 reads each escaped quote ('') of a single-quoted scalar
 * that another one follows as two quotes, and when the text then outgrows
 * the length it computed, fy_token_get_text (behind fy_node_get_scalar0,
 * fy_node_get_path and key lookups) returns NULL and leaks its 512-byte
 * iterator buffer (fy_atom_format_text returns without
 * fy_atom_iter_finish). Upstream: libfyaml issue #233, fixed by commits
 * c0a716e and 0af6061, released in 0.9.5; found here by
 * tests/fuzz/fuzz_gatefile on " ? ? ? ? " and 16 quotes. Such scalars are
 * refused before anything reads their text. Returns 0, or -1 with *err. */
static int refuse_quote_runs(const struct yaml_file *f, struct fy_node *node, int depth,
                             struct bench_error **err)
{
	if (depth > 256) /* libfyaml's own limit is 64 */
		return bench_error_set(err, 0, "%s: nested more than 256 levels deep", f->path);
	void *it = NULL;
	switch (fy_node_get_type(node)) {
	case FYNT_SCALAR: {
		struct fy_token *tok = fy_node_get_scalar_token(node);
		if (tok == NULL || fy_token_scalar_style(tok) != FYSS_SINGLE_QUOTED)
			return 0;
		const struct fy_mark *start = fy_token_start_mark(tok);
		const struct fy_mark *end = fy_token_end_mark(tok);
		if (start == NULL || end == NULL || end->input_pos > f->len ||
		    start->input_pos > end->input_pos)
			return 0;
		/* The marks span the text between the quotes, where a run of four
		 * quotes is two escaped ones. */
		if (memmem(f->text + start->input_pos, end->input_pos - start->input_pos, "''''",
		           4) == NULL)
			return 0;
		return bench_error_set(err, 0,
		                       "%s:%d:%d: a single-quoted string with two escaped quotes "
		                       "in a row ('''') is misread by libfyaml before 0.9.5: "
		                       "write it in double quotes",
		                       f->path, start->line + 1, start->column + 1);
	}
	case FYNT_MAPPING: {
		struct fy_node_pair *p;
		while ((p = fy_node_mapping_iterate(node, &it)) != NULL)
			if (refuse_quote_runs(f, fy_node_pair_key(p), depth + 1, err) < 0 ||
			    refuse_quote_runs(f, fy_node_pair_value(p), depth + 1, err) < 0)
				return -1;
		return 0;
	}
	case FYNT_SEQUENCE: {
		struct fy_node *item;
		while ((item = fy_node_sequence_iterate(node, &it)) != NULL)
			if (refuse_quote_runs(f, item, depth + 1, err) < 0)
				return -1;
		return 0;
	}
	}
	return 0;
}

int yaml_file_open(struct yaml_file *f, const char *path, struct bench_error **err)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s", path);
	if (read_text(path, &f->text, &f->len, err) < 0 ||
	    refuse_tabs_in_explicit_keys(path, f->text, f->len, err) < 0)
		return -1;
	char first[512] = "";
	struct fy_diag_cfg dcfg;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = keep_first;
	dcfg.user = first;
	dcfg.colorize = false;
	dcfg.show_source = false;
	dcfg.show_type = false;
	dcfg.show_module = false;
	dcfg.show_position = true;
	dcfg.level = FYET_ERROR;
	struct fy_diag *diag = fy_diag_create(&dcfg);
	if (diag == NULL)
		return bench_error_set(err, ENOMEM, "%s: libfyaml diagnostics", path);
	struct fy_parse_cfg cfg = {.flags = FYPCF_RESOLVE_DOCUMENT, .diag = diag};
	f->doc = fy_document_build_from_string(&cfg, f->text, f->len);
	fy_diag_unref(diag);
	if (f->doc == NULL)
		return parse_error(path, first, err);
	f->root = fy_document_root(f->doc);
	if (f->root != NULL && refuse_quote_runs(f, f->root, 0, err) < 0)
		return -1;
	if (f->root == NULL || fy_node_get_type(f->root) != FYNT_MAPPING)
		return bench_error_set(
		    err, 0, "%s: the document must be a mapping of keys to values", path);
	return 0;
}

void yaml_file_close(struct yaml_file *f)
{
	for (size_t i = 0; i < f->n_owned; i++)
		free(f->owned[i]);
	free(f->owned);
	f->owned = NULL;
	f->n_owned = 0;
	if (f->doc != NULL)
		fy_document_destroy(f->doc);
	f->doc = NULL;
	f->root = NULL;
	free(f->text); /* after the document, which points into it */
	f->text = NULL;
	f->len = 0;
}

struct fy_node *yaml_get(struct fy_node *map, const char *key)
{
	if (map == NULL || fy_node_get_type(map) != FYNT_MAPPING)
		return NULL;
	return fy_node_mapping_lookup_by_string(map, key, FY_NT);
}

int yaml_check_keys(const struct yaml_file *f, struct fy_node *map, const char *const *allowed,
                    struct bench_error **err)
{
	void *it = NULL;
	struct fy_node_pair *p;
	while ((p = fy_node_mapping_iterate(map, &it)) != NULL) {
		struct fy_node *k = fy_node_pair_key(p);
		const char *name = k != NULL ? fy_node_get_scalar0(k) : NULL;
		bool known = false;
		for (size_t i = 0; name != NULL && allowed[i] != NULL && !known; i++)
			known = strcmp(name, allowed[i]) == 0;
		if (known)
			continue;
		char valid[512] = "";
		for (size_t i = 0; allowed[i] != NULL; i++)
			snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid), "%s%s",
			         i ? ", " : "", allowed[i]);
		return yaml_error_at(f, k, err, "unknown key '%s' (valid here: %s)",
		                     name ? name : "(not a scalar)", valid);
	}
	return 0;
}

static const char *type_name(struct fy_node *n)
{
	switch (fy_node_get_type(n)) {
	case FYNT_MAPPING:
		return "a mapping";
	case FYNT_SEQUENCE:
		return "a sequence";
	default:
		return "a scalar";
	}
}

/* The node for key, or NULL: -1 in *rc when required and absent. */
static struct fy_node *lookup(const struct yaml_file *f, struct fy_node *map, const char *key,
                              bool required, int *rc, struct bench_error **err)
{
	struct fy_node *n = yaml_get(map, key);
	*rc = 0;
	if (n == NULL && required)
		*rc = yaml_error_at(f, map, err, "missing key '%s'", key);
	return n;
}

int yaml_node_number(const struct yaml_file *f, struct fy_node *node, double *out,
                     struct bench_error **err)
{
	const char *s = fy_node_get_type(node) == FYNT_SCALAR ? fy_node_get_scalar0(node) : NULL;
	if (s == NULL)
		return yaml_error_at(f, node, err, "expected a number, found %s", type_name(node));
	char *end = NULL;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
		return yaml_error_at(f, node, err, "expected a number, found '%.80s'", s);
	*out = v;
	return 0;
}

int yaml_number(const struct yaml_file *f, struct fy_node *map, const char *key, bool required,
                double *out, struct bench_error **err)
{
	int rc;
	struct fy_node *n = lookup(f, map, key, required, &rc, err);
	return n == NULL ? rc : yaml_node_number(f, n, out, err);
}

int yaml_string(const struct yaml_file *f, struct fy_node *map, const char *key, bool required,
                const char **out, struct bench_error **err)
{
	int rc;
	struct fy_node *n = lookup(f, map, key, required, &rc, err);
	if (n == NULL)
		return rc;
	const char *s = fy_node_get_type(n) == FYNT_SCALAR ? fy_node_get_scalar0(n) : NULL;
	if (s == NULL)
		return yaml_error_at(f, n, err, "expected a string, found %s", type_name(n));
	*out = s;
	return 0;
}

int yaml_bool(const struct yaml_file *f, struct fy_node *map, const char *key, bool required,
              bool *out, struct bench_error **err)
{
	const char *s = NULL;
	if (yaml_string(f, map, key, required, &s, err) < 0)
		return -1;
	if (s == NULL)
		return 0;
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0)
		*out = true;
	else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0)
		*out = false;
	else
		return yaml_error_at(f, yaml_get(map, key), err,
		                     "expected true or false, found '%.80s'", s);
	return 0;
}

static int container(const struct yaml_file *f, struct fy_node *map, const char *key, bool required,
                     enum fy_node_type type, struct fy_node **out, struct bench_error **err)
{
	int rc;
	*out = NULL;
	struct fy_node *n = lookup(f, map, key, required, &rc, err);
	if (n == NULL)
		return rc;
	if (fy_node_get_type(n) != type)
		return yaml_error_at(f, n, err, "expected %s, found %s",
		                     type == FYNT_MAPPING ? "a mapping" : "a sequence",
		                     type_name(n));
	*out = n;
	return 0;
}

int yaml_mapping(const struct yaml_file *f, struct fy_node *map, const char *key, bool required,
                 struct fy_node **out, struct bench_error **err)
{
	return container(f, map, key, required, FYNT_MAPPING, out, err);
}

int yaml_sequence(const struct yaml_file *f, struct fy_node *map, const char *key, bool required,
                  struct fy_node **out, struct bench_error **err)
{
	return container(f, map, key, required, FYNT_SEQUENCE, out, err);
}

/* Parses text as [+-]digits[.digits][(e|E)[+-]digits]. Returns 0, or -1. */
static int parse_decimal(const char *s, struct yaml_decimal *out)
{
	const char *p = s;
	bool neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	long long m = 0;
	int exp = 0, digits = 0, significant = 0;
	bool point = false;
	for (; (*p >= '0' && *p <= '9') || (*p == '.' && !point); p++) {
		if (*p == '.') {
			point = true;
			continue;
		}
		digits++;
		if (m == 0 && *p == '0') {
			exp -= point;
			continue;
		}
		if (++significant > 18)
			return -1;
		m = m * 10 + (*p - '0');
		exp -= point;
	}
	if (digits == 0 || (point && p[-1] == '.'))
		return -1;
	if (*p == 'e' || *p == 'E') {
		char *end = NULL;
		errno = 0;
		long e = strtol(p + 1, &end, 10);
		if (end == p + 1 || *end != '\0' || errno != 0 || e < -30 || e > 30)
			return -1;
		exp += (int)e;
		p = end;
	}
	if (*p != '\0' || exp < -30 || exp > 30)
		return -1;
	out->mantissa = neg ? -m : m;
	out->exp10 = exp;
	return 0;
}

int yaml_node_decimal(const struct yaml_file *f, struct fy_node *node, struct yaml_decimal *out,
                      struct bench_error **err)
{
	const char *s = fy_node_get_type(node) == FYNT_SCALAR ? fy_node_get_scalar0(node) : NULL;
	if (s == NULL)
		return yaml_error_at(f, node, err, "expected a number, found %s", type_name(node));
	if (parse_decimal(s, out) < 0)
		return yaml_error_at(f, node, err,
		                     "expected a decimal number (at most 18 digits, e.g. 1250.75), "
		                     "found '%.80s'",
		                     s);
	return 0;
}

int yaml_decimal(const struct yaml_file *f, struct fy_node *map, const char *key, bool required,
                 struct yaml_decimal *out, struct bench_error **err)
{
	int rc;
	struct fy_node *n = lookup(f, map, key, required, &rc, err);
	return n == NULL ? rc : yaml_node_decimal(f, n, out, err);
}

int yaml_integer(const struct yaml_file *f, struct fy_node *map, const char *key, bool required,
                 long long min, long long max, long long *out, struct bench_error **err)
{
	int rc;
	struct fy_node *n = lookup(f, map, key, required, &rc, err);
	if (n == NULL)
		return rc;
	const char *s = fy_node_get_type(n) == FYNT_SCALAR ? fy_node_get_scalar0(n) : NULL;
	char *end = NULL;
	errno = 0;
	long long v = s != NULL ? strtoll(s, &end, 10) : 0;
	if (s == NULL || end == s || *end != '\0' || errno == ERANGE)
		return yaml_error_at(f, n, err, "expected a whole number, found %s%.80s%s",
		                     s ? "'" : "", s ? s : type_name(n), s ? "'" : "");
	if (v < min || v > max)
		return yaml_error_at(f, n, err, "%lld is out of range (%lld to %lld)", v, min, max);
	*out = v;
	return 0;
}
/* Keeps a copy of s[0..len) trimmed, owned by f; NULL when out of memory. */
static const char *keep(struct yaml_file *f, const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	char **v = realloc(f->owned, (f->n_owned + 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	f->owned = v;
	if ((v[f->n_owned] = strndup(s, len)) == NULL)
		return NULL;
	return v[f->n_owned++];
}

int yaml_string_list(struct yaml_file *f, struct fy_node *map, const char *key, bool required,
                     const char **out, size_t max, size_t *n, struct bench_error **err)
{
	int rc;
	*n = 0;
	struct fy_node *node = lookup(f, map, key, required, &rc, err);
	if (node == NULL)
		return rc;
	if (fy_node_get_type(node) == FYNT_SCALAR) {
		const char *s = fy_node_get_scalar0(node);
		for (const char *p = s; p != NULL;) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			if (*n == max)
				return yaml_error_at(f, node, err, "more than %zu items", max);
			const char *item = keep(f, p, len);
			if (item == NULL)
				return yaml_error_at(f, node, err, "out of memory");
			if (*item == '\0')
				return yaml_error_at(f, node, err, "an empty item in '%.80s'", s);
			out[(*n)++] = item;
			p = comma ? comma + 1 : NULL;
		}
		return 0;
	}
	if (fy_node_get_type(node) != FYNT_SEQUENCE)
		return yaml_error_at(f, node, err, "expected a list of strings, found %s",
		                     type_name(node));
	void *it = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(node, &it)) != NULL) {
		const char *s =
		    fy_node_get_type(item) == FYNT_SCALAR ? fy_node_get_scalar0(item) : NULL;
		if (s == NULL || *s == '\0')
			return yaml_error_at(f, item, err, "expected a non-empty string, found %s",
			                     s ? "''" : type_name(item));
		if (*n == max)
			return yaml_error_at(f, item, err, "more than %zu items", max);
		out[(*n)++] = s;
	}
	return 0;
}

int yaml_choice(const struct yaml_file *f, struct fy_node *map, const char *key, bool required,
                const char *const *choices, const char **out, struct bench_error **err)
{
	const char *s = NULL;
	if (yaml_string(f, map, key, required, &s, err) < 0)
		return -1;
	if (s == NULL)
		return 0;
	char valid[256] = "";
	for (size_t i = 0; choices[i] != NULL; i++) {
		if (strcmp(s, choices[i]) == 0) {
			*out = choices[i];
			return 0;
		}
		snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid), "%s%s",
		         i ? ", " : "", choices[i]);
	}
	return yaml_error_at(f, yaml_get(map, key), err, "'%.80s' is not one of %s", s, valid);
}
