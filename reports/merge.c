/* bench merge's library side: RUN arguments, group declarations and the
 * campaign's host status file into one fleet. */
#include "reports/merge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/core/cleanup.h"
#include "harness/core/json_file.h"

/* The last component of path's directory part ("a/b/run.json" -> "b"), or of
 * path itself when it is a directory. */
static void dir_name(const char *path, bool is_dir, char *out, size_t len)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	size_t n = strlen(buf);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	if (!is_dir) {
		char *slash = strrchr(buf, '/');
		if (slash == NULL)
			snprintf(buf, sizeof(buf), ".");
		else if (slash == buf)
			buf[1] = '\0';
		else
			*slash = '\0';
	}
	if (strcmp(buf, ".") == 0 || strcmp(buf, "..") == 0) {
		char cwd[4096];
		if (realpath(buf, cwd) != NULL)
			snprintf(buf, sizeof(buf), "%s", cwd);
	}
	const char *base = strrchr(buf, '/');
	snprintf(out, len, "%s", base != NULL && base[1] ? base + 1 : buf);
}

int merge_run_arg(const char *arg, struct merge_run *r, struct bench_error **err)
{
	memset(r, 0, sizeof(*r));
	const char *eq = strchr(arg, '=');
	const char *path = arg;
	/* NAME=PATH only when NAME has no '/': "./a=b" is a path */
	if (eq != NULL && memchr(arg, '/', (size_t)(eq - arg)) == NULL) {
		if (eq == arg)
			return bench_error_set(err, 0, "%s: empty host name before '='", arg);
		if ((size_t)(eq - arg) >= sizeof(r->name))
			return bench_error_set(err, 0, "%s: host name too long", arg);
		memcpy(r->name, arg, (size_t)(eq - arg));
		path = eq + 1;
	}
	if (*path == '\0')
		return bench_error_set(err, 0, "%s: empty path", arg);
	struct stat st;
	if (stat(path, &st) < 0)
		return bench_error_set(err, errno, "%s: no run directory or run file there", arg);
	bool is_dir = S_ISDIR(st.st_mode);
	if ((size_t)snprintf(r->file, sizeof(r->file), "%s%s", path, is_dir ? "/run.json" : "") >=
	    sizeof(r->file))
		return bench_error_set(err, 0, "%s: path too long", arg);
	if (r->name[0] == '\0')
		dir_name(path, is_dir, r->name, sizeof(r->name));
	if (r->name[0] == '\0' || strcmp(r->name, "/") == 0)
		return bench_error_set(
		    err, 0, "%s: cannot name the host after its directory: use HOST=%s", arg, path);
	return 0;
}

/* The entries of the status file: borrowed from doc. */
struct status_entry {
	const char *host, *status, *group, *step, *reason;
	int exit_status;
	bool used;
};

static int str_member(json_t *o, const char *key, bool required, const char **out, const char *file,
                      size_t i, struct bench_error **err)
{
	json_t *v = json_object_get(o, key);
	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return bench_error_set(err, 0, "%s: [%zu].%s: missing", file, i, key);
		return 0;
	}
	if (!json_is_string(v) || (required && json_string_length(v) == 0))
		return bench_error_set(err, 0, "%s: [%zu].%s: expected a non-empty string%s", file,
		                       i, key, required ? "" : " or null");
	*out = json_string_value(v);
	return 0;
}

static int read_status(const char *file, json_t *doc, struct status_entry **out, size_t *n,
                       struct bench_error **err)
{
	*out = NULL;
	*n = 0;
	if (!json_is_array(doc))
		return bench_error_set(err, 0, "%s: expected an array of hosts", file);
	struct status_entry *v = calloc(json_array_size(doc) + 1, sizeof(*v));
	if (v == NULL)
		return bench_error_set(err, ENOMEM, "%s", file);
	size_t i;
	json_t *o;
	json_array_foreach(doc, i, o)
	{
		struct status_entry *e = &v[i];
		if (!json_is_object(o)) {
			free(v);
			return bench_error_set(err, 0, "%s: [%zu]: expected an object", file, i);
		}
		if (str_member(o, "host", true, &e->host, file, i, err) < 0 ||
		    str_member(o, "status", true, &e->status, file, i, err) < 0 ||
		    str_member(o, "group", false, &e->group, file, i, err) < 0 ||
		    str_member(o, "step", false, &e->step, file, i, err) < 0 ||
		    str_member(o, "reason", false, &e->reason, file, i, err) < 0) {
			free(v);
			return -1;
		}
		if (strcmp(e->status, "ok") != 0 && strcmp(e->status, "failed") != 0 &&
		    strcmp(e->status, "unreachable") != 0) {
			bench_error_set(err, 0,
			                "%s: [%zu].status: \"%s\" (valid: ok, failed, unreachable)",
			                file, i, e->status);
			free(v);
			return -1;
		}
		json_t *x = json_object_get(o, "exit_status");
		e->exit_status =
		    json_is_integer(x) && json_integer_value(x) >= 0 && json_integer_value(x) <= 255
		        ? (int)json_integer_value(x)
		        : -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(v[j].host, e->host) == 0) {
				bench_error_set(err, 0, "%s: host \"%s\" listed twice", file,
				                e->host);
				free(v);
				return -1;
			}
	}
	*out = v;
	*n = json_array_size(doc);
	return 0;
}

static struct status_entry *status_find(struct status_entry *v, size_t n, const char *host)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].host, host) == 0)
			return &v[i];
	return NULL;
}

/* Applies one "--group NAME=HOST,HOST" declaration. */
static int apply_group(struct fleet *f, const char *arg, struct bench_error **err)
{
	const char *eq = strchr(arg, '=');
	if (eq == NULL || eq == arg || eq[1] == '\0')
		return bench_error_set(err, 0, "--group %s: expected NAME=HOST[,HOST...]", arg);
	cleanup_free char *name = strndup(arg, (size_t)(eq - arg));
	cleanup_free char *list = strdup(eq + 1);
	if (name == NULL || list == NULL)
		return bench_error_set(err, ENOMEM, "--group");
	char *save = NULL;
	for (char *h = strtok_r(list, ",", &save); h != NULL; h = strtok_r(NULL, ",", &save)) {
		long i = fleet_find_host(f, h);
		char **slot = NULL;
		if (i >= 0) {
			slot = &f->hosts[i].group;
		} else {
			for (size_t a = 0; a < f->n_absent && slot == NULL; a++)
				if (strcmp(f->absent[a].name, h) == 0)
					slot = &f->absent[a].group;
		}
		if (slot == NULL)
			return bench_error_set(err, 0, "--group %s: no host \"%s\" among the runs",
			                       arg, h);
		if (*slot != NULL && strcmp(*slot, name) != 0)
			return bench_error_set(err, 0,
			                       "--group %s: host \"%s\" is already in group %s",
			                       arg, h, *slot);
		if (*slot == NULL && (*slot = strdup(name)) == NULL)
			return bench_error_set(err, ENOMEM, "--group");
	}
	return 0;
}

int merge_fleet(struct fleet *f, const char *campaign, const struct merge_run *runs, size_t n_runs,
                const struct merge_group *groups, size_t n_groups, const char *hosts_file,
                struct bench_error **err)
{
	fleet_init(f, campaign);
	if (f->campaign == NULL)
		return bench_error_set(err, ENOMEM, "merge");
	json_auto_t *doc = NULL;
	cleanup_free struct status_entry *status = NULL;
	size_t n_status = 0;
	if (hosts_file != NULL) {
		if ((doc = json_file_read(hosts_file, err)) == NULL ||
		    read_status(hosts_file, doc, &status, &n_status, err) < 0)
			goto fail;
	}
	for (size_t i = 0; i < n_runs; i++) {
		const struct merge_run *r = &runs[i];
		struct status_entry *st = status_find(status, n_status, r->name);
		if (hosts_file != NULL && st == NULL) {
			bench_error_set(err, 0, "%s: host \"%s\" (%s) is not listed", hosts_file,
			                r->name, r->file);
			goto fail;
		}
		if (st != NULL && strcmp(st->status, "ok") != 0) {
			bench_error_set(err, 0, "%s: host \"%s\" is listed as %s, yet %s was given",
			                hosts_file, r->name, st->status, r->file);
			goto fail;
		}
		struct run run;
		if (run_read(r->file, &run, err) < 0)
			goto fail;
		if (st != NULL)
			st->used = true;
		int rc = fleet_add_host(f, r->name, st ? st->group : NULL, r->file,
		                        st ? st->exit_status : -1, &run, err);
		run_free(&run);
		if (rc < 0) {
			bench_error_wrap(err, "%s", r->file);
			goto fail;
		}
	}
	for (size_t i = 0; i < n_status; i++) {
		struct status_entry *st = &status[i];
		if (strcmp(st->status, "ok") == 0) {
			if (!st->used) {
				bench_error_set(
				    err, 0, "%s: host \"%s\" is listed as ok, but no RUN names it",
				    hosts_file, st->host);
				goto fail;
			}
			continue;
		}
		if (fleet_add_absent(f, st->host, st->group, st->status, st->step, st->reason,
		                     err) < 0) {
			bench_error_wrap(err, "%s", hosts_file);
			goto fail;
		}
	}
	for (size_t i = 0; i < n_groups; i++)
		if (apply_group(f, groups[i].arg, err) < 0)
			goto fail;
	if (fleet_derive(f, err) < 0)
		goto fail;
	return 0;
fail:
	fleet_free(f);
	return -1;
}
