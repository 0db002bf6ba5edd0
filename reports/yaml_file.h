/* Human-edited YAML files (gate files, cost models) read with libfyaml, with
 * typed lookups whose errors name the file, line, column and path of the
 * value at fault ("gate.yaml:12:14: /metrics/0/tolerance: expected a number,
 * found 'five'"), and a check that a mapping holds no unknown keys (a typo
 * in a hand-written file is an error, not a silent default). */
#ifndef BENCH_YAML_FILE_H
#define BENCH_YAML_FILE_H

#include <libfyaml.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness/core/error.h"

struct yaml_file {
	char path[4096];
	struct fy_document *doc;
	struct fy_node *root; /* a mapping (yaml_file_open checks) */
	char **owned;         /* strings split out of scalars (yaml_string_list) */
	size_t n_owned;
	char *text; /* the file's bytes, which the document points into */
	size_t len;
};

/* Parses path. The root must be a mapping. Returns 0, or -1 with *err
 * ("PATH:LINE:COL: <libfyaml's message>" for syntax errors, "PATH: cannot
 * open" with errno). Close with yaml_file_close, also after a failure. */
int yaml_file_open(struct yaml_file *f, const char *path, struct bench_error **err);
void yaml_file_close(struct yaml_file *f);

/* Sets *err to "PATH:LINE:COL: /node/path: <message>" for node (or the file
 * alone when node is NULL). Returns -1. */
int yaml_error_at(const struct yaml_file *f, struct fy_node *node, struct bench_error **err,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The value of key in mapping map, or NULL when absent (or map is not a
 * mapping). */
struct fy_node *yaml_get(struct fy_node *map, const char *key);

/* -1 with *err naming the first key of map that is not in allowed
 * (NULL-terminated) and listing the valid ones; 0 otherwise. */
int yaml_check_keys(const struct yaml_file *f, struct fy_node *map, const char *const *allowed,
                    struct bench_error **err);

/* Typed getters. When the key is absent: with required, -1 and "missing
 * key"; without, 0 and *out untouched (so the caller's default stays). A
 * value of the wrong type is always -1 with the value quoted. Strings
 * point into the document (valid until yaml_file_close). */
int yaml_number(const struct yaml_file *f, struct fy_node *map, const char *key, bool required,
                double *out, struct bench_error **err);
int yaml_string(const struct yaml_file *f, struct fy_node *map, const char *key, bool required,
                const char **out, struct bench_error **err);
int yaml_bool(const struct yaml_file *f, struct fy_node *map, const char *key, bool required,
              bool *out, struct bench_error **err);
/* The value must be a mapping (yaml_mapping) or a sequence (yaml_sequence);
 * *out is NULL when absent and not required. */
int yaml_mapping(const struct yaml_file *f, struct fy_node *map, const char *key, bool required,
                 struct fy_node **out, struct bench_error **err);
int yaml_sequence(const struct yaml_file *f, struct fy_node *map, const char *key, bool required,
                  struct fy_node **out, struct bench_error **err);

/* A list of strings: a sequence of scalars, or one scalar holding a
 * comma-separated list ("bare, container"); items are trimmed and must not
 * be empty. Up to max items into out[] (pointers into the document, or into
 * storage owned by f for the comma form); *n gets the count. Absent and not
 * required: 0 and *n = 0. */
int yaml_string_list(struct yaml_file *f, struct fy_node *map, const char *key, bool required,
                     const char **out, size_t max, size_t *n, struct bench_error **err);

/* A string that must be one of choices (NULL-terminated); the error lists
 * them. Absent and not required: 0 and *out untouched. */
int yaml_choice(const struct yaml_file *f, struct fy_node *map, const char *key, bool required,
                const char *const *choices, const char **out, struct bench_error **err);

/* A scalar node as a finite number ("1e3", "-2.5", "12"), or -1 with *err. */
int yaml_node_number(const struct yaml_file *f, struct fy_node *node, double *out,
                     struct bench_error **err);

/* A decimal number read exactly, with the precision it was written with:
 * "25.02" is 2502 x 10^-2, "0.00" is 0 x 10^-2, "3e3" is 3 x 10^3 (money,
 * published figures: no binary floating point in between). */
struct yaml_decimal {
	long long mantissa; /* at most 18 significant digits */
	int exp10;          /* -30 .. 30 */
};

/* A scalar node as an exact decimal ([+-]digits[.digits][e[+-]digits]), or
 * -1 with *err quoting the value. */
int yaml_node_decimal(const struct yaml_file *f, struct fy_node *node, struct yaml_decimal *out,
                      struct bench_error **err);
/* As yaml_number (absent and not required: 0, *out untouched), exactly. */
int yaml_decimal(const struct yaml_file *f, struct fy_node *map, const char *key, bool required,
                 struct yaml_decimal *out, struct bench_error **err);
/* As yaml_number, for a whole number within [min, max] ("12", not "12.0"). */
int yaml_integer(const struct yaml_file *f, struct fy_node *map, const char *key, bool required,
                 long long min, long long max, long long *out, struct bench_error **err);

#endif
