/* Matched conditions: fingerprint and per-sample condition differences. */
#include "reports/validity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const validity_keys[] = {
    "kernel",      "hypervisor", "cpu",          "topology", "memory",   "governor", "smt",
    "thp",         "host",       "bench",        "pinning",  "size",     "runtime",  "net",
    "accelerator", "cpu_limit",  "memory_limit", "guest",    "xen_mode", NULL,
};

/* host fingerprint member -> key; members not listed are their own key */
static const struct {
	const char *member, *key;
} host_keys[] = {
    {"kernel", "kernel"},
    {"kernel_version", "kernel"},
    {"hypervisor", "hypervisor"},
    {"cpu_model", "cpu"},
    {"arch", "cpu"},
    {"packages", "topology"},
    {"numa_nodes", "topology"},
    {"cores", "topology"},
    {"pus", "topology"},
    {"caches", "topology"},
    {"memory_bytes", "memory"},
    {"governor", "governor"},
    {"smt", "smt"},
    {"thp", "thp"},
    {"hostname", "host"},
    {"compiler", "bench"},
    {"bench_version", "bench"},
    {"git_commit", "bench"},
};

/* pinning.backend members that are conditions (the rest are ids, names of
 * taps and cgroups, thread ids and timings, which differ every run) */
static const struct {
	const char *member, *key;
} backend_keys[] = {
    {"runtime", "runtime"},
    {"net", "net"},
    {"accelerator", "accelerator"},
    {"cpu_limit", "cpu_limit"},
    {"cpuset_cpus", "pinning"},
    {"cpuset_mems", "pinning"},
    {"memory_bytes", "memory_limit"},
    {"guest", "guest"},
    {"xen_version", "hypervisor"},
    {"mode", "xen_mode"},
    {"memory_backend", "memory_limit"},
};

/* config.wl members that change every run without changing the work */
static const char *const volatile_wl[] = {"peer", "port", "udp_port", "tcp_port", NULL};

/* pinning.asked members derived from the others and the topology (which is
 * compared on its own): a run file from before they were recorded lacks
 * them, and that alone is no difference */
static const char *const derived_pinning[] = {"cpu_nodes", "memory_locality", NULL};

/* config.asked members that only set how many repetitions are taken */
static const char *const rep_policy[] = {"min_reps", "max_reps", "target_ci_pct", NULL};

int validity_key_check(const char *key, struct bench_error **err)
{
	char valid[512] = "";
	for (size_t i = 0; validity_keys[i] != NULL; i++) {
		if (strcmp(key, validity_keys[i]) == 0)
			return 0;
		snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid), "%s%s",
		         i ? ", " : "", validity_keys[i]);
	}
	return bench_error_set(err, 0, "--expect %s: unknown key (valid: %s)", key, valid);
}

const char *diff_effect_name(enum diff_effect e)
{
	switch (e) {
	case DIFF_REFUSES:
		return "refuses";
	case DIFF_DECLARED:
		return "declared";
	case DIFF_FORCED:
		return "forced";
	case DIFF_INFORMATIONAL:
		return "informational";
	}
	return "?";
}

static void text_of(const json_t *v, char *buf, size_t len)
{
	if (v == NULL) {
		snprintf(buf, len, "(absent)");
		return;
	}
	if (json_is_string(v)) {
		snprintf(buf, len, "%s", json_string_value(v));
		return;
	}
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY |
	                            JSON_REAL_PRECISION(10));
	snprintf(buf, len, "%s", s ? s : "?");
	free(s);
}

static void add(struct validity *v, const char *key, const char *where, const char *path,
                const json_t *base, const json_t *new_, bool informational)
{
	char b[160], n[160];
	text_of(base, b, sizeof(b));
	text_of(new_, n, sizeof(n));
	for (size_t i = 0; i < v->n; i++) {
		struct difference *d = &v->d[i];
		if (strcmp(d->path, path) == 0 && strcmp(d->base, b) == 0 &&
		    strcmp(d->new_, n) == 0) {
			d->count++;
			return;
		}
	}
	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 16;
		struct difference *d = realloc(v->d, cap * sizeof(*d));
		if (d == NULL)
			return; /* best effort: v->valid is still decided by what is listed */
		v->d = d;
		v->cap = cap;
	}
	struct difference *d = &v->d[v->n++];
	memset(d, 0, sizeof(*d));
	snprintf(d->key, sizeof(d->key), "%s", key);
	snprintf(d->where, sizeof(d->where), "%s", where);
	snprintf(d->path, sizeof(d->path), "%s", path);
	snprintf(d->base, sizeof(d->base), "%s", b);
	snprintf(d->new_, sizeof(d->new_), "%s", n);
	d->count = 1;
	d->effect = informational ? DIFF_INFORMATIONAL : DIFF_REFUSES;
}

static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* Member names of a and b (union), calling fn for each. */
static void each_member(const json_t *a, const json_t *b,
                        void (*fn)(void *ctx, const char *name, const json_t *x, const json_t *y),
                        void *ctx)
{
	const char *k;
	json_t *val;
	json_object_foreach((json_t *)a, k, val)
	{
		fn(ctx, k, val, json_object_get(b, k));
	}
	json_object_foreach((json_t *)b, k, val)
	{
		if (json_object_get(a, k) == NULL)
			fn(ctx, k, NULL, val);
	}
}

struct host_ctx {
	struct validity *v;
};

static void host_member(void *ctx, const char *name, const json_t *x, const json_t *y)
{
	struct host_ctx *c = ctx;
	if (x != NULL && y != NULL && json_equal((json_t *)x, (json_t *)y))
		return;
	const char *key = name;
	for (size_t i = 0; i < sizeof(host_keys) / sizeof(host_keys[0]); i++)
		if (strcmp(host_keys[i].member, name) == 0)
			key = host_keys[i].key;
	char path[128];
	snprintf(path, sizeof(path), "host.%s", name);
	add(c->v, key, "host", path, x, y, false);
}

void validity_hosts(struct validity *v, const json_t *base, const json_t *new_)
{
	struct host_ctx c = {v};
	each_member(base, new_, host_member, &c);
}

struct sample_ctx {
	struct validity *v;
	const char *where;
	const char *prefix;
	const char *fixed_key; /* NULL: by member */
	int kind;              /* 0 asked config, 1 wl config, 2 backend, 3 fixed */
	bool across;           /* two environments: backends differ by construction */
};

static void sample_member(void *ctx, const char *name, const json_t *x, const json_t *y)
{
	struct sample_ctx *c = ctx;
	if (x != NULL && y != NULL && json_equal((json_t *)x, (json_t *)y))
		return;
	const char *key = c->fixed_key;
	bool info = false;
	if (c->kind == 0) {
		info = in_list(rep_policy, name);
		key = info ? "reps" : strcmp(name, "threads") == 0 ? "pinning" : "size";
	} else if (c->kind == 1) {
		if (in_list(volatile_wl, name))
			return;
		key = strcmp(name, "threads") == 0 ? "pinning" : "size";
	} else if (c->kind == 3 && (x == NULL || y == NULL) && in_list(derived_pinning, name)) {
		return;
	} else if (c->kind == 2) {
		key = NULL;
		for (size_t i = 0; i < sizeof(backend_keys) / sizeof(backend_keys[0]); i++)
			if (strcmp(backend_keys[i].member, name) == 0)
				key = backend_keys[i].key;
		if (key == NULL)
			return;
		info = c->across && strcmp(key, "cpu_limit") != 0;
	}
	char path[128];
	snprintf(path, sizeof(path), "%s.%s", c->prefix, name);
	add(c->v, key, c->where, path, x, y, info);
}

static const json_t *get(const json_t *o, const char *a, const char *b)
{
	const json_t *x = json_object_get(o, a);
	return b ? json_object_get(x, b) : x;
}

static void compare_objects(struct validity *v, const char *where, const json_t *a, const json_t *b,
                            const char *prefix, int kind, const char *key, bool across)
{
	/* a backend that is null on one side and an object on the other (an
	 * environment that records none against one that does) compares its
	 * members against nothing */
	json_t *empty = json_object();
	const json_t *x = json_is_object(a) ? a : empty, *y = json_is_object(b) ? b : empty;
	struct sample_ctx c = {v, where, prefix, key, kind, across};
	each_member(x, y, sample_member, &c);
	json_decref(empty);
}

static void samples(struct validity *v, const struct sample *base, const struct sample *new_,
                    const char *where, bool across)
{
	compare_objects(v, where, get(base->config, "asked", NULL),
	                get(new_->config, "asked", NULL), "config.asked", 0, NULL, across);
	compare_objects(v, where, get(base->config, "wl", NULL), get(new_->config, "wl", NULL),
	                "config.wl", 1, NULL, across);
	compare_objects(v, where, get(base->pinning, "asked", NULL),
	                get(new_->pinning, "asked", NULL), "pinning.asked", 3, "pinning", across);
	compare_objects(v, where, get(base->pinning, "backend", NULL),
	                get(new_->pinning, "backend", NULL), "pinning.backend", 2, NULL, across);
}

void validity_samples(struct validity *v, const struct sample *base, const struct sample *new_,
                      const char *where)
{
	samples(v, base, new_, where, false);
}

void validity_samples_across(struct validity *v, const struct sample *base,
                             const struct sample *new_, const char *where)
{
	samples(v, base, new_, where, true);
}

void validity_finish(struct validity *v, const char *const *expect, size_t n_expect, bool force)
{
	v->valid = true;
	for (size_t i = 0; i < v->n; i++) {
		struct difference *d = &v->d[i];
		if (d->effect == DIFF_INFORMATIONAL)
			continue;
		bool declared = false;
		for (size_t k = 0; k < n_expect && !declared; k++)
			declared = strcmp(expect[k], d->key) == 0;
		d->effect = declared ? DIFF_DECLARED : force ? DIFF_FORCED : DIFF_REFUSES;
		if (d->effect == DIFF_REFUSES)
			v->valid = false;
	}
}

void validity_free(struct validity *v)
{
	free(v->d);
	memset(v, 0, sizeof(*v));
}
