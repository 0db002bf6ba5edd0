/* The workload catalog, read from `wl list --json` so that wl's own table
 * is the single source of truth for names, units and parameters. */
#ifndef BENCH_CATALOG_H
#define BENCH_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/core/error.h"
#include "harness/core/result.h"

struct wl_info {
	char *name;
	char *description;
	char *unit;
	enum better better;
	char **params; /* NULL-terminated: "threads", "size", ... */
	/* The --size range it accepts (size_range in `wl list --json`), in
	 * bytes; size_max 0 = bounded only by its target. Both 0: not given. */
	uint64_t size_min, size_max;
};

struct catalog {
	struct wl_info *items;
	size_t n;
};

/* Parses the JSON text `wl list --json` prints. Returns 0 or -1 with *err. */
int catalog_parse(const char *text, struct catalog *c, struct bench_error **err);

/* Runs `wl_path list --json` and parses its output. */
int catalog_load(const char *wl_path, struct catalog *c, struct bench_error **err);

void catalog_free(struct catalog *c);

/* The entry called name, or NULL. */
const struct wl_info *catalog_find(const struct catalog *c, const char *name);

/* True when the workload accepts the parameter (e.g. "size"). */
bool wl_info_takes(const struct wl_info *w, const char *param);

/* Writes "a, b, c" into buf. */
void catalog_names(const struct catalog *c, char *buf, size_t len);

/* Resolves a comma list of names (or "all") to catalog indices in the order
 * given, without duplicates. *out is malloc'd (caller frees), *n_out its
 * length. Unknown names fail with an error listing the valid ones. */
int catalog_select(const struct catalog *c, const char *list, size_t **out, size_t *n_out,
                   struct bench_error **err);

/* Path of the wl binary: $BENCH_WL, else "wl" next to the running
 * executable. Writes it into buf. */
void wl_path_resolve(char *buf, size_t len);

#endif
