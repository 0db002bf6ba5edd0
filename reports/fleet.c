/* The fleet model: hosts with their runs, absent hosts, fingerprints, declared
 * groups, warnings; and its JSON form (bench.fleet/1). */
#include "reports/fleet.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/core/cleanup.h"
#include "harness/core/clock.h"
#include "harness/core/json_file.h"

const char *const fleet_fingerprint_fields[] = {
    "arch", "cpu_model",  "kernel",   "kernel_version", "memory_bytes", "governor", "smt",
    "thp",  "hypervisor", "packages", "numa_nodes",     "cores",        "pus",      "caches",
};
const size_t fleet_n_fingerprint_fields =
    sizeof(fleet_fingerprint_fields) / sizeof(fleet_fingerprint_fields[0]);

void fleet_init(struct fleet *f, const char *campaign)
{
	memset(f, 0, sizeof(*f));
	f->campaign = campaign != NULL ? strdup(campaign) : NULL;
}

static void groups_free(struct fleet *f)
{
	for (size_t i = 0; i < f->n_groups; i++) {
		free(f->groups[i].name);
		json_decref(f->groups[i].differs);
	}
	free(f->groups);
	f->groups = NULL;
	f->n_groups = 0;
	json_decref(f->warnings);
	f->warnings = NULL;
}

void fleet_free(struct fleet *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n_hosts; i++) {
		free(f->hosts[i].name);
		free(f->hosts[i].group);
		free(f->hosts[i].source);
		run_free(&f->hosts[i].run);
	}
	free(f->hosts);
	for (size_t i = 0; i < f->n_absent; i++) {
		struct fleet_absent *a = &f->absent[i];
		free(a->name);
		free(a->group);
		free(a->status);
		free(a->step);
		free(a->reason);
	}
	free(f->absent);
	groups_free(f);
	free(f->campaign);
	free(f->created);
	memset(f, 0, sizeof(*f));
}

/* ---- fingerprints ------------------------------------------------------ */

json_t *fleet_fingerprint_object(const json_t *host)
{
	json_t *o = json_object();
	for (size_t i = 0; o != NULL && i < fleet_n_fingerprint_fields; i++) {
		json_t *v = json_object_get(host, fleet_fingerprint_fields[i]);
		if (json_object_set_new(o, fleet_fingerprint_fields[i],
		                        v != NULL ? json_deep_copy(v) : json_null()) < 0) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

int fleet_fingerprint(const json_t *host, char hex[17])
{
	json_auto_t *o = fleet_fingerprint_object(host);
	cleanup_free char *text =
	    o != NULL ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
	if (text == NULL)
		return -1;
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 */
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	snprintf(hex, 17, "%016" PRIx64, h);
	return 0;
}

/* ---- building ---------------------------------------------------------- */

long fleet_find_host(const struct fleet *f, const char *name)
{
	for (size_t i = 0; i < f->n_hosts; i++)
		if (strcmp(f->hosts[i].name, name) == 0)
			return (long)i;
	return -1;
}

static long find_absent(const struct fleet *f, const char *name)
{
	for (size_t i = 0; i < f->n_absent; i++)
		if (strcmp(f->absent[i].name, name) == 0)
			return (long)i;
	return -1;
}

static int check_name(const struct fleet *f, const char *name, struct bench_error **err)
{
	if (name == NULL || *name == '\0')
		return bench_error_set(err, 0, "a host needs a non-empty name");
	if (fleet_find_host(f, name) >= 0 || find_absent(f, name) >= 0)
		return bench_error_set(err, 0, "host \"%s\" appears twice", name);
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

int fleet_add_host(struct fleet *f, const char *name, const char *group, const char *source,
                   int exit_status, struct run *run, struct bench_error **err)
{
	if (check_name(f, name, err) < 0)
		return -1;
	if (f->n_hosts == f->cap_hosts) {
		size_t cap = f->cap_hosts ? 2 * f->cap_hosts : 8;
		struct fleet_host *v = realloc(f->hosts, cap * sizeof(*v));
		if (v == NULL)
			return bench_error_set(err, errno, "adding host %s", name);
		f->hosts = v;
		f->cap_hosts = cap;
	}
	struct fleet_host h = {
	    .name = strdup(name),
	    .group = dup_or_null(group),
	    .source = dup_or_null(source),
	    .exit_status = exit_status,
	};
	if (h.name == NULL || (group != NULL && h.group == NULL) ||
	    (source != NULL && h.source == NULL) ||
	    fleet_fingerprint(run->host, h.fingerprint) < 0) {
		free(h.name);
		free(h.group);
		free(h.source);
		return bench_error_set(err, ENOMEM, "adding host %s", name);
	}
	h.run = *run;
	memset(run, 0, sizeof(*run));
	f->hosts[f->n_hosts++] = h;
	return 0;
}

int fleet_add_absent(struct fleet *f, const char *name, const char *group, const char *status,
                     const char *step, const char *reason, struct bench_error **err)
{
	if (check_name(f, name, err) < 0)
		return -1;
	if (status == NULL || (strcmp(status, "failed") != 0 && strcmp(status, "unreachable") != 0))
		return bench_error_set(
		    err, 0, "host \"%s\": status must be \"failed\" or \"unreachable\"", name);
	if (f->n_absent == f->cap_absent) {
		size_t cap = f->cap_absent ? 2 * f->cap_absent : 8;
		struct fleet_absent *v = realloc(f->absent, cap * sizeof(*v));
		if (v == NULL)
			return bench_error_set(err, errno, "adding host %s", name);
		f->absent = v;
		f->cap_absent = cap;
	}
	struct fleet_absent a = {
	    .name = strdup(name),
	    .group = dup_or_null(group),
	    .status = strdup(status),
	    .step = dup_or_null(step),
	    .reason = dup_or_null(reason),
	};
	if (a.name == NULL || a.status == NULL || (group && !a.group) || (step && !a.step) ||
	    (reason && !a.reason)) {
		free(a.name);
		free(a.group);
		free(a.status);
		free(a.step);
		free(a.reason);
		return bench_error_set(err, ENOMEM, "adding host %s", name);
	}
	f->absent[f->n_absent++] = a;
	return 0;
}

/* ---- derived: groups and warnings -------------------------------------- */

static long find_group(const struct fleet *f, const char *name)
{
	for (size_t i = 0; i < f->n_groups; i++)
		if (strcmp(f->groups[i].name, name) == 0)
			return (long)i;
	return -1;
}

static int group_touch(struct fleet *f, const char *name)
{
	if (name == NULL || find_group(f, name) >= 0)
		return 0;
	struct fleet_group *v = realloc(f->groups, (f->n_groups + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	f->groups = v;
	struct fleet_group *g = &f->groups[f->n_groups];
	*g = (struct fleet_group){.name = strdup(name), .differs = json_array()};
	if (g->name == NULL || g->differs == NULL) {
		free(g->name);
		json_decref(g->differs);
		return -1;
	}
	f->n_groups++;
	return 0;
}

static bool in_group(const struct fleet_host *h, const struct fleet_group *g)
{
	return h->group != NULL && strcmp(h->group, g->name) == 0;
}

/* Fills g's counts and the fingerprint fields that differ among its hosts. */
static int group_compare(const struct fleet *f, struct fleet_group *g)
{
	const struct fleet_host *first = NULL;
	for (size_t i = 0; i < f->n_hosts; i++) {
		const struct fleet_host *h = &f->hosts[i];
		if (!in_group(h, g))
			continue;
		g->n_hosts++;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = in_group(&f->hosts[j], g) &&
			       strcmp(f->hosts[j].fingerprint, h->fingerprint) == 0;
		if (!seen)
			g->n_fingerprints++;
		if (first == NULL)
			first = h;
	}
	g->mixed = g->n_fingerprints > 1;
	for (size_t k = 0; g->mixed && k < fleet_n_fingerprint_fields; k++) {
		const char *field = fleet_fingerprint_fields[k];
		json_t *a = json_object_get(first->run.host, field);
		bool differ = false;
		for (size_t i = 0; i < f->n_hosts && !differ; i++) {
			const struct fleet_host *h = &f->hosts[i];
			json_t *b = json_object_get(h->run.host, field);
			differ = in_group(h, g) &&
			         ((a == NULL) != (b == NULL) || (a != NULL && !json_equal(a, b)));
		}
		if (differ && json_array_append_new(g->differs, json_string(field)) < 0)
			return -1;
	}
	return 0;
}

static const char *host_str(const struct fleet_host *h, const char *key)
{
	const char *s = json_string_value(json_object_get(h->run.host, key));
	return s != NULL ? s : "?";
}

/* The host's bench argument vector without the value of --out (which names
 * the host's own directory), as one string; NULL when the run has none. */
static char *argv_key(const struct fleet_host *h)
{
	json_t *argv = json_object_get(h->run.invocation, "argv");
	if (!json_is_array(argv) || json_array_size(argv) == 0)
		return NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (m == NULL)
		return NULL;
	size_t i;
	json_t *a;
	bool skip = false;
	json_array_foreach(argv, i, a)
	{
		const char *s = json_is_string(a) ? json_string_value(a) : "?";
		if (skip) {
			skip = false;
			continue;
		}
		if (strcmp(s, "--out") == 0) {
			skip = true;
			continue;
		}
		if (strncmp(s, "--out=", 6) == 0)
			continue;
		fprintf(m, "%s%s", i ? " " : "", s);
	}
	if (fclose(m) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static int warn(json_t *warnings, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int warn(json_t *warnings, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = NULL;
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	int rc = json_array_append_new(warnings, json_string(text));
	free(text);
	return rc;
}

/* One warning listing "host: value" for every host when the values of
 * key_fn differ between hosts; nothing when they agree. */
static int warn_differ(const struct fleet *f, const char *what,
                       char *(*key_fn)(const struct fleet_host *))
{
	if (f->n_hosts < 2)
		return 0;
	char **keys = calloc(f->n_hosts, sizeof(*keys));
	if (keys == NULL)
		return -1;
	bool differ = false;
	for (size_t i = 0; i < f->n_hosts; i++) {
		keys[i] = key_fn(&f->hosts[i]);
		differ |= i > 0 && (keys[i] == NULL) != (keys[0] == NULL);
		differ |=
		    i > 0 && keys[i] != NULL && keys[0] != NULL && strcmp(keys[i], keys[0]) != 0;
	}
	int rc = 0;
	if (differ) {
		char *text = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&text, &len);
		if (m == NULL) {
			rc = -1;
		} else {
			fprintf(m, "%s: ", what);
			for (size_t i = 0; i < f->n_hosts; i++)
				fprintf(m, "%s%s: %s", i ? "; " : "", f->hosts[i].name,
				        keys[i] != NULL ? keys[i] : "(unknown)");
			rc = fclose(m) == 0 ? warn(f->warnings, "%s", text) : -1;
			free(text);
		}
	}
	for (size_t i = 0; i < f->n_hosts; i++)
		free(keys[i]);
	free(keys);
	return rc;
}

static char *build_key(const struct fleet_host *h)
{
	char *s = NULL;
	if (asprintf(&s, "bench %s (%s)", host_str(h, "bench_version"), host_str(h, "git_commit")) <
	    0)
		return NULL;
	return s;
}

int fleet_derive(struct fleet *f, struct bench_error **err)
{
	groups_free(f);
	if ((f->warnings = json_array()) == NULL)
		return bench_error_set(err, ENOMEM, "fleet");
	for (size_t i = 0; i < f->n_hosts; i++)
		if (group_touch(f, f->hosts[i].group) < 0)
			return bench_error_set(err, ENOMEM, "fleet groups");
	for (size_t i = 0; i < f->n_absent; i++)
		if (group_touch(f, f->absent[i].group) < 0)
			return bench_error_set(err, ENOMEM, "fleet groups");
	for (size_t i = 0; i < f->n_groups; i++) {
		struct fleet_group *g = &f->groups[i];
		if (group_compare(f, g) < 0)
			return bench_error_set(err, ENOMEM, "fleet groups");
		if (!g->mixed)
			continue;
		cleanup_free char *fields = json_dumps(g->differs, JSON_COMPACT);
		if (warn(f->warnings,
		         "group %s mixes %zu host fingerprints (they differ in %s): its hosts are "
		         "not alike",
		         g->name, g->n_fingerprints, fields != NULL ? fields : "?") < 0)
			return bench_error_set(err, ENOMEM, "fleet warnings");
	}
	if (warn_differ(f, "hosts ran different bench builds", build_key) < 0 ||
	    warn_differ(f, "hosts ran bench with different arguments (figures are not matched)",
	                argv_key) < 0)
		return bench_error_set(err, ENOMEM, "fleet warnings");
	return 0;
}

/* ---- writing ----------------------------------------------------------- */

static json_t *str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static int put(json_t *o, const char *key, json_t *v)
{
	return json_object_set_new(o, key, v);
}

static json_t *host_to_json(const struct fleet_host *h)
{
	json_t *o = json_object();
	if (o == NULL || put(o, "name", json_string(h->name)) < 0 ||
	    put(o, "group", str_or_null(h->group)) < 0 ||
	    put(o, "fingerprint", json_string(h->fingerprint)) < 0 ||
	    put(o, "exit_status",
	        h->exit_status >= 0 ? json_integer(h->exit_status) : json_null()) < 0 ||
	    put(o, "source", str_or_null(h->source)) < 0 ||
	    put(o, "run", run_to_json(&h->run)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *absent_to_json(const struct fleet_absent *a)
{
	return json_pack("{s:s, s:o, s:s, s:o, s:o}", "name", a->name, "group",
	                 str_or_null(a->group), "status", a->status, "step", str_or_null(a->step),
	                 "reason", str_or_null(a->reason));
}

/* Hosts grouped by fingerprint, in order of first appearance. */
static json_t *fingerprints_to_json(const struct fleet *f)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr != NULL && i < f->n_hosts; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(f->hosts[j].fingerprint, f->hosts[i].fingerprint) == 0;
		if (seen)
			continue;
		json_t *names = json_array();
		for (size_t j = i; names != NULL && j < f->n_hosts; j++)
			if (strcmp(f->hosts[j].fingerprint, f->hosts[i].fingerprint) == 0)
				json_array_append_new(names, json_string(f->hosts[j].name));
		json_t *o =
		    json_pack("{s:s, s:o, s:o}", "fingerprint", f->hosts[i].fingerprint, "hosts",
		              names, "host", fleet_fingerprint_object(f->hosts[i].run.host));
		if (o == NULL || json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *groups_to_json(const struct fleet *f)
{
	json_t *arr = json_array();
	for (size_t g = 0; arr != NULL && g < f->n_groups; g++) {
		const struct fleet_group *grp = &f->groups[g];
		json_t *hosts = json_array(), *absent = json_array(), *fps = json_array();
		for (size_t i = 0; hosts && fps && i < f->n_hosts; i++) {
			if (!in_group(&f->hosts[i], grp))
				continue;
			json_array_append_new(hosts, json_string(f->hosts[i].name));
			bool seen = false;
			for (size_t k = 0; k < json_array_size(fps) && !seen; k++)
				seen = strcmp(json_string_value(json_array_get(fps, k)),
				              f->hosts[i].fingerprint) == 0;
			if (!seen)
				json_array_append_new(fps, json_string(f->hosts[i].fingerprint));
		}
		for (size_t i = 0; absent && i < f->n_absent; i++)
			if (f->absent[i].group != NULL &&
			    strcmp(f->absent[i].group, grp->name) == 0)
				json_array_append_new(absent, json_string(f->absent[i].name));
		json_t *o = json_pack("{s:s, s:o, s:o, s:o, s:b, s:O}", "name", grp->name, "hosts",
		                      hosts, "absent", absent, "fingerprints", fps, "mixed",
		                      grp->mixed, "differs", grp->differs);
		if (o == NULL || json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

json_t *fleet_to_json(struct fleet *f, struct bench_error **err)
{
	if (fleet_derive(f, err) < 0)
		return NULL;
	if (f->created == NULL && (f->created = clock_utc_now()) == NULL) {
		bench_error_set(err, ENOMEM, "fleet");
		return NULL;
	}
	json_t *fields = json_array(), *hosts = json_array(), *absent = json_array();
	json_t *fps = fingerprints_to_json(f), *groups = groups_to_json(f);
	bool ok =
	    fields != NULL && hosts != NULL && absent != NULL && fps != NULL && groups != NULL;
	for (size_t i = 0; ok && i < fleet_n_fingerprint_fields; i++)
		ok = json_array_append_new(fields, json_string(fleet_fingerprint_fields[i])) == 0;
	for (size_t i = 0; ok && i < f->n_hosts; i++)
		ok = json_array_append_new(hosts, host_to_json(&f->hosts[i])) == 0;
	for (size_t i = 0; ok && i < f->n_absent; i++)
		ok = json_array_append_new(absent, absent_to_json(&f->absent[i])) == 0;
	json_t *doc = NULL;
	if (ok && f->campaign != NULL)
		doc = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:O}", "schema",
		                FLEET_SCHEMA, "campaign", f->campaign, "created", f->created,
		                "fingerprint_fields", fields, "hosts", hosts, "absent", absent,
		                "fingerprints", fps, "groups", groups, "warnings", f->warnings);
	else {
		json_decref(fields);
		json_decref(hosts);
		json_decref(absent);
		json_decref(fps);
		json_decref(groups);
	}
	if (doc == NULL)
		bench_error_set(err, 0,
		                "cannot serialise the fleet (no campaign, a run that cannot be "
		                "written, or out of memory)");
	return doc;
}

int fleet_write(struct fleet *f, const char *dir, struct bench_error **err)
{
	json_auto_t *doc = fleet_to_json(f, err);
	if (doc == NULL)
		return bench_error_wrap(err, "%s", dir);
	return json_file_write(doc, dir, FLEET_FILE, err);
}

/* ---- reading ----------------------------------------------------------- */

/* obj.key as a string (required: non-empty) or null/missing (optional);
 * *out NULL when null or missing. */
static int opt_string(const json_t *obj, const char *path, const char *key, bool required,
                      const char **out, struct bench_error **err)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return bench_error_set(err, 0, "%s.%s: missing", path, key);
		return 0;
	}
	if (!json_is_string(v))
		return bench_error_set(err, 0, "%s.%s: expected a string%s", path, key,
		                       required ? "" : " or null");
	if (required && json_string_length(v) == 0)
		return bench_error_set(err, 0, "%s.%s: must not be empty", path, key);
	*out = json_string_value(v);
	return 0;
}

static int parse_host(const json_t *h, size_t i, struct fleet *f, struct bench_error **err)
{
	char path[64];
	snprintf(path, sizeof(path), "hosts[%zu]", i);
	if (!json_is_object(h))
		return bench_error_set(err, 0, "%s: expected an object", path);
	const char *name, *group, *source, *fp;
	if (opt_string(h, path, "name", true, &name, err) < 0 ||
	    opt_string(h, path, "group", false, &group, err) < 0 ||
	    opt_string(h, path, "source", false, &source, err) < 0 ||
	    opt_string(h, path, "fingerprint", false, &fp, err) < 0)
		return -1;
	json_t *status = json_object_get(h, "exit_status");
	if (status != NULL && !json_is_null(status) &&
	    (!json_is_integer(status) || json_integer_value(status) < 0 ||
	     json_integer_value(status) > 255))
		return bench_error_set(err, 0, "%s.exit_status: expected an integer 0..255 or null",
		                       path);
	json_t *run = json_object_get(h, "run");
	if (run == NULL)
		return bench_error_set(err, 0, "%s.run: missing", path);
	struct run r;
	if (run_from_json(run, &r, err) < 0)
		return bench_error_wrap(err, "%s.run", path);
	int rc =
	    fleet_add_host(f, name, group, source,
	                   json_is_integer(status) ? (int)json_integer_value(status) : -1, &r, err);
	run_free(&r);
	return rc < 0 ? bench_error_wrap(err, "%s", path) : 0;
}

static int parse_absent(const json_t *a, size_t i, struct fleet *f, struct bench_error **err)
{
	char path[64];
	snprintf(path, sizeof(path), "absent[%zu]", i);
	if (!json_is_object(a))
		return bench_error_set(err, 0, "%s: expected an object", path);
	const char *name, *group, *status, *step, *reason;
	if (opt_string(a, path, "name", true, &name, err) < 0 ||
	    opt_string(a, path, "group", false, &group, err) < 0 ||
	    opt_string(a, path, "status", true, &status, err) < 0 ||
	    opt_string(a, path, "step", false, &step, err) < 0 ||
	    opt_string(a, path, "reason", false, &reason, err) < 0)
		return -1;
	if (fleet_add_absent(f, name, group, status, step, reason, err) < 0)
		return bench_error_wrap(err, "%s", path);
	return 0;
}

int fleet_from_json(const json_t *doc, struct fleet *out, struct bench_error **err)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_object(doc))
		return bench_error_set(err, 0, "(root): expected an object");
	json_t *schema = json_object_get(doc, "schema");
	if (!json_is_string(schema))
		return bench_error_set(err, 0,
		                       "schema: missing or not a string (this reader supports "
		                       "\"%s\")",
		                       FLEET_SCHEMA);
	if (strcmp(json_string_value(schema), FLEET_SCHEMA) != 0)
		return bench_error_set(err, 0,
		                       "schema: found \"%.64s\", this reader supports only \"%s\"",
		                       json_string_value(schema), FLEET_SCHEMA);
	const char *campaign, *created;
	if (opt_string(doc, "(root)", "campaign", true, &campaign, err) < 0 ||
	    opt_string(doc, "(root)", "created", true, &created, err) < 0)
		return -1;
	json_t *hosts = json_object_get(doc, "hosts"), *absent = json_object_get(doc, "absent");
	if (!json_is_array(hosts))
		return bench_error_set(err, 0, "hosts: missing or not an array");
	if (absent != NULL && !json_is_array(absent))
		return bench_error_set(err, 0, "absent: expected an array");
	static const char *const derived[] = {"fingerprints", "groups", "warnings",
	                                      "fingerprint_fields"};
	for (size_t i = 0; i < sizeof(derived) / sizeof(derived[0]); i++) {
		json_t *v = json_object_get(doc, derived[i]);
		if (v != NULL && !json_is_array(v))
			return bench_error_set(err, 0, "%s: expected an array", derived[i]);
	}
	struct fleet f;
	fleet_init(&f, campaign);
	f.created = strdup(created);
	if (f.campaign == NULL || f.created == NULL) {
		fleet_free(&f);
		return bench_error_set(err, ENOMEM, "fleet");
	}
	size_t i;
	json_t *v;
	json_array_foreach(hosts, i, v)
	{
		if (parse_host(v, i, &f, err) < 0) {
			fleet_free(&f);
			return -1;
		}
	}
	json_array_foreach(absent, i, v)
	{
		if (parse_absent(v, i, &f, err) < 0) {
			fleet_free(&f);
			return -1;
		}
	}
	if (fleet_derive(&f, err) < 0) {
		fleet_free(&f);
		return -1;
	}
	*out = f;
	return 0;
}

int fleet_read(const char *path, struct fleet *f, struct bench_error **err)
{
	memset(f, 0, sizeof(*f));
	json_auto_t *doc = json_file_read(path, err);
	if (doc == NULL)
		return -1;
	if (fleet_from_json(doc, f, err) < 0)
		return bench_error_wrap(err, "%s", path);
	return 0;
}
