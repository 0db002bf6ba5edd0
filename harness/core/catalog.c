#include "harness/core/catalog.h"

#include <errno.h>
#include <limits.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/core/cleanup.h"
#include "harness/core/spawn.h"

static void wl_info_free(struct wl_info *w)
{
	free(w->name);
	free(w->description);
	free(w->unit);
	for (char **p = w->params; p && *p; p++)
		free(*p);
	free(w->params);
}

void catalog_free(struct catalog *c)
{
	for (size_t i = 0; i < c->n; i++)
		wl_info_free(&c->items[i]);
	free(c->items);
	c->items = NULL;
	c->n = 0;
}

static int parse_entry(json_t *e, size_t i, struct wl_info *w, struct bench_error **err)
{
	const char *name = NULL, *desc = NULL, *unit = NULL, *better = NULL;
	json_t *params = NULL;
	json_error_t jerr;
	if (json_unpack_ex(e, &jerr, 0, "{s:s, s:s, s:s, s:s, s:o}", "name", &name, "description",
	                   &desc, "unit", &unit, "better", &better, "params", &params) < 0 ||
	    !json_is_array(params))
		return bench_error_set(err, 0, "workload catalog entry %zu: %s", i, jerr.text);
	if (strcmp(better, "higher") != 0 && strcmp(better, "lower") != 0)
		return bench_error_set(err, 0, "workload catalog entry %zu: better is '%s'", i,
		                       better);
	w->name = strdup(name);
	w->description = strdup(desc);
	w->unit = strdup(unit);
	w->better = strcmp(better, "higher") == 0 ? BETTER_HIGHER : BETTER_LOWER;
	w->params = calloc(json_array_size(params) + 1, sizeof(char *));
	if (!w->name || !w->description || !w->unit || !w->params)
		return bench_error_set(err, ENOMEM, "workload catalog");
	for (size_t k = 0; k < json_array_size(params); k++) {
		const char *p = json_string_value(json_array_get(params, k));
		if (p == NULL)
			return bench_error_set(err, 0,
			                       "workload catalog entry %zu: params[%zu] is not "
			                       "a string",
			                       i, k);
		if ((w->params[k] = strdup(p)) == NULL)
			return bench_error_set(err, ENOMEM, "workload catalog");
	}
	json_t *range = json_object_get(e, "size_range");
	if (range != NULL) {
		json_t *lo = json_array_get(range, 0), *hi = json_array_get(range, 1);
		if (json_array_size(range) != 2 || !json_is_integer(lo) || !json_is_integer(hi) ||
		    json_integer_value(lo) < 0 || json_integer_value(hi) < 0)
			return bench_error_set(err, 0,
			                       "workload catalog entry %zu: size_range is not "
			                       "[min, max] in bytes",
			                       i);
		w->size_min = (uint64_t)json_integer_value(lo);
		w->size_max = (uint64_t)json_integer_value(hi);
	}
	return 0;
}

int catalog_parse(const char *text, struct catalog *c, struct bench_error **err)
{
	memset(c, 0, sizeof(*c));
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr);
	if (doc == NULL)
		return bench_error_set(err, 0, "workload catalog is not JSON: %s (line %d)",
		                       jerr.text, jerr.line);
	if (!json_is_array(doc) || json_array_size(doc) == 0) {
		json_decref(doc);
		return bench_error_set(err, 0, "workload catalog is not a non-empty array");
	}
	c->items = calloc(json_array_size(doc), sizeof(*c->items));
	if (c->items == NULL) {
		json_decref(doc);
		return bench_error_set(err, ENOMEM, "workload catalog");
	}
	for (size_t i = 0; i < json_array_size(doc); i++) {
		c->n = i + 1;
		if (parse_entry(json_array_get(doc, i), i, &c->items[i], err) < 0) {
			json_decref(doc);
			catalog_free(c);
			return -1;
		}
	}
	json_decref(doc);
	return 0;
}

int catalog_load(const char *wl_path, struct catalog *c, struct bench_error **err)
{
	if (access(wl_path, X_OK) < 0)
		return bench_error_set(err, errno,
		                       "workload runner '%s' (run make, or set BENCH_WL)", wl_path);
	char *argv[] = {(char *)wl_path, "list", "--json", NULL};
	size_t cap = 1 << 20;
	cleanup_free char *text = malloc(cap);
	if (text == NULL)
		return bench_error_set(err, ENOMEM, "workload catalog");
	int rc = spawn_run(argv, 30, SPAWN_STDOUT_ONLY, text, cap, err);
	if (rc < 0)
		return -1;
	if (rc != 0)
		return bench_error_set(err, 0, "'%s list --json' failed (exit status %d)", wl_path,
		                       rc);
	return catalog_parse(text, c, err);
}

const struct wl_info *catalog_find(const struct catalog *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->items[i].name, name) == 0)
			return &c->items[i];
	return NULL;
}

bool wl_info_takes(const struct wl_info *w, const char *param)
{
	for (char **p = w->params; p && *p; p++)
		if (strcmp(*p, param) == 0)
			return true;
	return false;
}

void catalog_names(const struct catalog *c, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < c->n && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", c->items[i].name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

int catalog_select(const struct catalog *c, const char *list, size_t **out, size_t *n_out,
                   struct bench_error **err)
{
	cleanup_free size_t *sel = calloc(c->n ? c->n : 1, sizeof(size_t));
	cleanup_free char *copy = strdup(list ? list : "");
	if (sel == NULL || copy == NULL)
		return bench_error_set(err, ENOMEM, "workload selection");
	size_t n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t from = 0, to = 0;
		if (strcmp(tok, "all") == 0) {
			to = c->n;
		} else {
			const struct wl_info *w = catalog_find(c, tok);
			if (w == NULL) {
				char names[1024];
				catalog_names(c, names, sizeof(names));
				return bench_error_set(
				    err, 0, "unknown workload '%s' (valid: %s, all)", tok, names);
			}
			from = (size_t)(w - c->items);
			to = from + 1;
		}
		for (size_t i = from; i < to; i++) {
			bool dup = false;
			for (size_t k = 0; k < n; k++)
				dup = dup || sel[k] == i;
			if (!dup)
				sel[n++] = i;
		}
	}
	if (n == 0)
		return bench_error_set(err, 0, "no workload given");
	*out = steal_pointer(&sel);
	*n_out = n;
	return 0;
}

void wl_path_resolve(char *buf, size_t len)
{
	const char *env = getenv("BENCH_WL");
	if (env != NULL && env[0] != '\0') {
		snprintf(buf, len, "%s", env);
		return;
	}
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		snprintf(buf, len, "wl");
		return;
	}
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (slash != NULL)
		*slash = '\0';
	snprintf(buf, len, "%s/wl", self);
}
