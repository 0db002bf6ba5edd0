/* The run history in SQLite: schema and migrations, adding runs, listing
 * and loading them, series of one metric, baseline moves. */
#include "reports/history.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "harness/core/cleanup.h"

/* Each step takes the schema from version i to i + 1. Never edit a step
 * that has shipped: add one. */
static const char *const migrations[] = {
    /* 0 -> 1: runs (whole documents) and their samples' figures */
    "CREATE TABLE runs(id INTEGER PRIMARY KEY, run_id TEXT NOT NULL UNIQUE,"
    " created TEXT NOT NULL, added TEXT NOT NULL, hostname TEXT, kernel TEXT,"
    " hypervisor TEXT, git_commit TEXT, tag TEXT, source TEXT, doc TEXT NOT NULL);"
    "CREATE TABLE samples(run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " env TEXT NOT NULL, workload TEXT NOT NULL, metric TEXT NOT NULL, unit TEXT NOT NULL,"
    " better INTEGER NOT NULL, n INTEGER NOT NULL, mean REAL NOT NULL, stddev REAL,"
    " ci_low REAL, ci_high REAL, vals TEXT NOT NULL, PRIMARY KEY(run, env, workload, metric));",
    /* 1 -> 2: recorded baseline moves; indexes for series and time order */
    "CREATE TABLE baselines(id INTEGER PRIMARY KEY,"
    " from_run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " env_glob TEXT NOT NULL, workload_glob TEXT NOT NULL, metric_glob TEXT NOT NULL,"
    " reason TEXT NOT NULL CHECK(length(reason) > 0), moved TEXT NOT NULL);"
    "CREATE INDEX samples_series ON samples(env, workload, metric);"
    "CREATE INDEX runs_created ON runs(created, id);",
};

static int db_error(struct history *h, struct bench_error **err, const char *what)
{
	return bench_error_set(err, 0, "%s: %s: %s", h->path, what,
	                       h->db ? sqlite3_errmsg(h->db) : "cannot open");
}

static int exec(struct history *h, const char *sql, struct bench_error **err)
{
	char *msg = NULL;
	if (sqlite3_exec(h->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		bench_error_set(err, 0, "%s: %s", h->path, msg ? msg : "sqlite error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int history_schema_version(struct history *h)
{
	sqlite3_stmt *st = NULL;
	int v = -1;
	if (sqlite3_prepare_v2(h->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int count_tables(struct history *h)
{
	sqlite3_stmt *st = NULL;
	int n = -1;
	if (sqlite3_prepare_v2(h->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) ==
	        SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int migrate(struct history *h, struct bench_error **err)
{
	const int target = (int)(sizeof(migrations) / sizeof(migrations[0]));
	if (exec(h, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	int v = history_schema_version(h);
	int rc = 0;
	if (v < 0)
		rc = db_error(h, err, "reading the schema version");
	else if (v > target)
		rc = bench_error_set(err, 0,
		                     "%s: schema version %d is newer than this bench knows (%d): "
		                     "use a newer bench or another --db",
		                     h->path, v, target);
	else if (v == 0 && count_tables(h) != 0)
		rc = bench_error_set(err, 0,
		                     "%s: an SQLite database that is not a bench history (it "
		                     "has tables but no schema version)",
		                     h->path);
	for (int step = v; rc == 0 && step < target; step++) {
		char pragma[64];
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", step + 1);
		if (exec(h, migrations[step], err) < 0 || exec(h, pragma, err) < 0) {
			bench_error_wrap(err, "migrating the history schema %d -> %d", step,
			                 step + 1);
			rc = -1;
		}
	}
	exec(h, rc == 0 ? "COMMIT" : "ROLLBACK", rc == 0 ? err : NULL);
	return rc;
}

int history_open(struct history *h, const char *path, struct bench_error **err)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->path, sizeof(h->path), "%s", path);
	/* the directory, one level (results/ by default) */
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return bench_error_set(err, errno, "%s: cannot create %s", path, dir);
	}
	if (sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK)
		return db_error(h, err, "cannot open");
	sqlite3_busy_timeout(h->db, HISTORY_BUSY_MS);
	if (exec(h, "PRAGMA foreign_keys = ON", err) < 0)
		return -1;
	if (history_schema_version(h) < 0) /* e.g. "file is not a database" */
		return db_error(h, err, "not a history database");
	if (exec(h, "PRAGMA journal_mode = WAL", err) < 0)
		return -1;
	return migrate(h, err);
}

void history_close(struct history *h)
{
	if (h->db != NULL)
		sqlite3_close(h->db);
	h->db = NULL;
}

static const char *host_str(const json_t *host, const char *key)
{
	const char *s = json_string_value(json_object_get(host, key));
	return s ? s : "unavailable";
}

static void now_iso(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int add_samples(struct history *h, const struct run *run, sqlite3_int64 id,
                       struct bench_error **err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(h->db,
	                       "INSERT INTO samples(run, env, workload, metric, unit, better, n,"
	                       " mean, stddev, ci_low, ci_high, vals)"
	                       " VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_error(h, err, "adding samples");
	int rc = 0;
	for (size_t i = 0; i < run->n_samples && rc == 0; i++) {
		const struct sample *s = &run->samples[i];
		if (s->failed || s->n_values == 0)
			continue;
		json_t *vals = json_array();
		for (size_t k = 0; k < s->n_values; k++)
			json_array_append_new(vals, json_real(s->values[k]));
		cleanup_free char *text = json_dumps(vals, JSON_COMPACT);
		json_decref(vals);
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, s->env, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, s->workload, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, s->metric, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, s->unit, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 6, s->better);
		sqlite3_bind_int64(st, 7, (sqlite3_int64)s->n_values);
		sqlite3_bind_double(st, 8, s->stats.mean);
		sqlite3_bind_double(st, 9, s->stats.stddev);
		sqlite3_bind_double(st, 10, s->stats.ci_low);
		sqlite3_bind_double(st, 11, s->stats.ci_high);
		sqlite3_bind_text(st, 12, text ? text : "[]", -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_error(h, err, "adding a sample (duplicate env/workload/metric?)");
	}
	sqlite3_finalize(st);
	return rc;
}

int history_add(struct history *h, const struct run *run, const char *tag, const char *source,
                bool *added, struct bench_error **err)
{
	*added = false;
	json_t *doc = run_to_json(run);
	cleanup_free char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	if (text == NULL)
		return bench_error_set(err, ENOMEM, "%s: serialising run %s", h->path, run->run_id);
	if (exec(h, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	sqlite3_stmt *st = NULL;
	int rc = 0;
	char now[40];
	now_iso(now, sizeof(now));
	if (sqlite3_prepare_v2(
	        h->db,
	        "INSERT OR IGNORE INTO runs(run_id, created, added, hostname, kernel,"
	        " hypervisor, git_commit, tag, source, doc)"
	        " VALUES(?,?,?,?,?,?,?,?,?,?)",
	        -1, &st, NULL) != SQLITE_OK) {
		rc = db_error(h, err, "adding a run");
	} else {
		sqlite3_bind_text(st, 1, run->run_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, run->created ? run->created : now, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, host_str(run->host, "hostname"), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, host_str(run->host, "kernel"), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, host_str(run->host, "hypervisor"), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, host_str(run->host, "git_commit"), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, tag ? tag : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 9, source ? source : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, text, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_error(h, err, "adding a run");
		else if (sqlite3_changes(h->db) == 1)
			*added = true;
	}
	sqlite3_finalize(st);
	if (rc == 0 && *added)
		rc = add_samples(h, run, sqlite3_last_insert_rowid(h->db), err);
	if (rc == 0 && exec(h, "COMMIT", err) < 0)
		rc = -1;
	if (rc < 0) {
		exec(h, "ROLLBACK", NULL);
		*added = false;
	}
	return rc;
}

static int set_key(struct history_selector *sel, const char *key, const char *value,
                   struct bench_error **err)
{
	struct {
		const char *name;
		char *slot;
		size_t len;
	} keys[] = {
	    {"host", sel->host, sizeof(sel->host)},
	    {"kernel", sel->kernel, sizeof(sel->kernel)},
	    {"hypervisor", sel->hypervisor, sizeof(sel->hypervisor)},
	    {"commit", sel->commit, sizeof(sel->commit)},
	    {"tag", sel->tag, sizeof(sel->tag)},
	};
	if (strcmp(key, "last") == 0) {
		char *end;
		errno = 0;
		long v = strtol(value, &end, 10);
		if (errno || end == value || *end || v < 1)
			return bench_error_set(
			    err, 0, "history selector: last=%s is not a count >= 1", value);
		sel->last = v;
		return 0;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(key, keys[i].name) != 0)
			continue;
		if (strlen(value) >= keys[i].len || *value == '\0')
			return bench_error_set(err, 0, "history selector: %s=%s: empty or too long",
			                       key, value);
		snprintf(keys[i].slot, keys[i].len, "%s", value);
		return 0;
	}
	return bench_error_set(err, 0,
	                       "history selector: unknown key '%s' (valid: host, kernel, "
	                       "hypervisor, commit, tag, last)",
	                       key);
}

int history_selector_parse(const char *text, struct history_selector *sel, struct bench_error **err)
{
	memset(sel, 0, sizeof(*sel));
	char copy[1024], *save = NULL;
	if (strlen(text) >= sizeof(copy))
		return bench_error_set(err, 0, "history selector too long");
	snprintf(copy, sizeof(copy), "%s", text);
	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (eq == NULL)
			return bench_error_set(err, 0,
			                       "history selector: '%s' is not key=value (e.g. "
			                       "history:host=node7,last=20)",
			                       kv);
		*eq = '\0';
		if (set_key(sel, kv, eq + 1, err) < 0)
			return -1;
	}
	return 0;
}

/* "WHERE ..." for sel over runs r; binds from index 1 in the same order. */
static void where_clause(const struct history_selector *sel, char *buf, size_t len)
{
	snprintf(buf, len, "WHERE 1");
	const char *cols[] = {"r.hostname", "r.kernel", "r.hypervisor", "r.git_commit", "r.tag"};
	const char *vals[] = {sel->host, sel->kernel, sel->hypervisor, sel->commit, sel->tag};
	for (size_t i = 0; i < 5; i++)
		if (vals[i][0])
			snprintf(buf + strlen(buf), len - strlen(buf), " AND %s GLOB ?", cols[i]);
	if (sel->before_run[0])
		snprintf(
		    buf + strlen(buf), len - strlen(buf),
		    " AND (r.created, r.id) < (SELECT created, id FROM runs WHERE run_id = ?)");
	if (sel->before_time[0])
		snprintf(buf + strlen(buf), len - strlen(buf), " AND r.created <= ?");
	if (sel->exclude_run[0])
		snprintf(buf + strlen(buf), len - strlen(buf), " AND r.run_id != ?");
}

static int bind_selector(sqlite3_stmt *st, const struct history_selector *sel, int first)
{
	const char *vals[] = {sel->host, sel->kernel,     sel->hypervisor,  sel->commit,
	                      sel->tag,  sel->before_run, sel->before_time, sel->exclude_run};
	int k = first;
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		if (vals[i][0])
			sqlite3_bind_text(st, k++, vals[i], -1, SQLITE_STATIC);
	return k;
}

static void col_text(sqlite3_stmt *st, int col, char *out, size_t len)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	snprintf(out, len, "%s", s ? (const char *)s : "");
}

/* The selected runs' ids in time order, honouring last=N: a CTE. */
static void selected_cte(const struct history_selector *sel, char *buf, size_t len)
{
	char where[1024];
	where_clause(sel, where, sizeof(where));
	if (sel->last > 0)
		snprintf(buf, len,
		         "WITH sel AS (SELECT * FROM (SELECT r.* FROM runs r %s"
		         " ORDER BY r.created DESC, r.id DESC LIMIT %ld))",
		         where, sel->last);
	else
		snprintf(buf, len, "WITH sel AS (SELECT r.* FROM runs r %s)", where);
}

int history_runs(struct history *h, const struct history_selector *sel, struct history_run **out,
                 size_t *n, struct bench_error **err)
{
	*out = NULL;
	*n = 0;
	char cte[1400], sql[2048];
	selected_cte(sel, cte, sizeof(cte));
	snprintf(sql, sizeof(sql),
	         "%s SELECT s.id, s.run_id, s.created, s.added, s.hostname, s.kernel,"
	         " s.hypervisor, s.git_commit, s.tag, s.source,"
	         " (SELECT count(*) FROM samples WHERE run = s.id)"
	         " FROM sel s ORDER BY s.created, s.id",
	         cte);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(h, err, "listing runs");
	bind_selector(st, sel, 1);
	size_t cap = 0;
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			struct history_run *v = realloc(*out, cap * sizeof(*v));
			if (v == NULL) {
				rc = bench_error_set(err, ENOMEM, "history runs");
				break;
			}
			*out = v;
		}
		struct history_run *r = &(*out)[(*n)++];
		r->id = (long)sqlite3_column_int64(st, 0);
		col_text(st, 1, r->run_id, sizeof(r->run_id));
		col_text(st, 2, r->created, sizeof(r->created));
		col_text(st, 3, r->added, sizeof(r->added));
		col_text(st, 4, r->hostname, sizeof(r->hostname));
		col_text(st, 5, r->kernel, sizeof(r->kernel));
		col_text(st, 6, r->hypervisor, sizeof(r->hypervisor));
		col_text(st, 7, r->commit, sizeof(r->commit));
		col_text(st, 8, r->tag, sizeof(r->tag));
		col_text(st, 9, r->source, sizeof(r->source));
		r->n_samples = (size_t)sqlite3_column_int64(st, 10);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = db_error(h, err, "listing runs");
	sqlite3_finalize(st);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int history_load(struct history *h, long id, struct run *run, json_t **doc,
                 struct bench_error **err)
{
	sqlite3_stmt *st = NULL;
	if (doc != NULL)
		*doc = NULL;
	if (sqlite3_prepare_v2(h->db, "SELECT doc, run_id FROM runs WHERE id = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return db_error(h, err, "loading a run");
	sqlite3_bind_int64(st, 1, id);
	int rc = 0;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = bench_error_set(err, 0, "%s: no run with id %ld", h->path, id);
	} else {
		json_error_t jerr;
		json_t *d = json_loads((const char *)sqlite3_column_text(st, 0), 0, &jerr);
		if (d == NULL)
			rc = bench_error_set(err, 0, "%s: run %s: stored document: %s", h->path,
			                     (const char *)sqlite3_column_text(st, 1), jerr.text);
		else if (run_from_json(d, run, err) < 0)
			rc = bench_error_wrap(err, "%s: run %s", h->path,
			                      (const char *)sqlite3_column_text(st, 1));
		if (rc == 0 && doc != NULL)
			*doc = json_incref(d);
		json_decref(d);
	}
	sqlite3_finalize(st);
	return rc;
}

int history_series(struct history *h, const struct history_selector *sel, const char *env,
                   const char *workload, const char *metric, struct history_point **out, size_t *n,
                   struct bench_error **err)
{
	*out = NULL;
	*n = 0;
	char cte[1400], sql[2048];
	selected_cte(sel, cte, sizeof(cte));
	snprintf(sql, sizeof(sql),
	         "%s SELECT s.id, s.run_id, s.created, s.kernel, s.hypervisor, s.git_commit,"
	         " p.n, p.mean, p.ci_low, p.ci_high FROM sel s JOIN samples p ON p.run = s.id"
	         " WHERE p.env = ? AND p.workload = ? AND p.metric = ? ORDER BY s.created, s.id",
	         cte);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(h, err, "reading a series");
	int k = bind_selector(st, sel, 1);
	sqlite3_bind_text(st, k++, env, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k++, workload, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k, metric, -1, SQLITE_STATIC);
	size_t cap = 0;
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			struct history_point *v = realloc(*out, cap * sizeof(*v));
			if (v == NULL) {
				rc = bench_error_set(err, ENOMEM, "history series");
				break;
			}
			*out = v;
		}
		struct history_point *p = &(*out)[(*n)++];
		p->run = (long)sqlite3_column_int64(st, 0);
		col_text(st, 1, p->run_id, sizeof(p->run_id));
		col_text(st, 2, p->created, sizeof(p->created));
		col_text(st, 3, p->kernel, sizeof(p->kernel));
		col_text(st, 4, p->hypervisor, sizeof(p->hypervisor));
		col_text(st, 5, p->commit, sizeof(p->commit));
		p->n = (size_t)sqlite3_column_int64(st, 6);
		p->mean = sqlite3_column_double(st, 7);
		p->ci_low = sqlite3_column_double(st, 8);
		p->ci_high = sqlite3_column_double(st, 9);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = db_error(h, err, "reading a series");
	sqlite3_finalize(st);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

json_t *history_metrics(struct history *h, const struct history_selector *sel,
                        struct bench_error **err)
{
	char cte[1400], sql[2048];
	selected_cte(sel, cte, sizeof(cte));
	snprintf(sql, sizeof(sql),
	         "%s SELECT DISTINCT p.env, p.workload, p.metric FROM sel s JOIN samples p"
	         " ON p.run = s.id ORDER BY p.env, p.workload, p.metric",
	         cte);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_error(h, err, "listing metrics");
		return NULL;
	}
	bind_selector(st, sel, 1);
	json_t *list = json_array();
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, json_pack("[s, s, s]", sqlite3_column_text(st, 0),
		                                      sqlite3_column_text(st, 1),
		                                      sqlite3_column_text(st, 2)));
	if (step != SQLITE_DONE) {
		db_error(h, err, "listing metrics");
		json_decref(list);
		list = NULL;
	}
	sqlite3_finalize(st);
	return list;
}

int history_move_baseline(struct history *h, const char *run_id, const char *env_glob,
                          const char *workload_glob, const char *metric_glob, const char *reason,
                          struct bench_error **err)
{
	if (reason == NULL || *reason == '\0')
		return bench_error_set(err, 0, "a baseline move needs a reason (--reason TEXT)");
	char now[40];
	now_iso(now, sizeof(now));
	sqlite3_stmt *st = NULL;
	if (exec(h, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	int rc = 0;
	if (sqlite3_prepare_v2(
	        h->db,
	        "INSERT INTO baselines(from_run, env_glob, workload_glob, metric_glob,"
	        " reason, moved) SELECT id, ?, ?, ?, ?, ? FROM runs WHERE run_id = ?",
	        -1, &st, NULL) != SQLITE_OK) {
		rc = db_error(h, err, "moving the baseline");
	} else {
		sqlite3_bind_text(st, 1, env_glob, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, workload_glob, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, metric_glob, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, run_id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_error(h, err, "moving the baseline");
		else if (sqlite3_changes(h->db) == 0)
			rc = bench_error_set(err, 0,
			                     "%s: no run '%s' in the history (see bench "
			                     "history list)",
			                     h->path, run_id);
	}
	sqlite3_finalize(st);
	if (rc == 0 && exec(h, "COMMIT", err) < 0)
		rc = -1;
	if (rc < 0)
		exec(h, "ROLLBACK", NULL);
	return rc;
}

int history_moves(struct history *h, struct history_move **out, size_t *n, struct bench_error **err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(
	        h->db,
	        "SELECT r.run_id, b.env_glob, b.workload_glob, b.metric_glob,"
	        " b.reason, b.moved FROM baselines b JOIN runs r ON r.id = b.from_run"
	        " ORDER BY b.id",
	        -1, &st, NULL) != SQLITE_OK)
		return db_error(h, err, "reading baseline moves");
	size_t cap = 0;
	int rc = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 8;
			struct history_move *v = realloc(*out, cap * sizeof(*v));
			if (v == NULL) {
				rc = bench_error_set(err, ENOMEM, "baseline moves");
				break;
			}
			*out = v;
		}
		struct history_move *m = &(*out)[(*n)++];
		col_text(st, 0, m->run_id, sizeof(m->run_id));
		col_text(st, 1, m->env, sizeof(m->env));
		col_text(st, 2, m->workload, sizeof(m->workload));
		col_text(st, 3, m->metric, sizeof(m->metric));
		col_text(st, 4, m->reason, sizeof(m->reason));
		col_text(st, 5, m->moved, sizeof(m->moved));
	}
	sqlite3_finalize(st);
	return rc;
}

size_t history_move_index(const struct history_move *moves, size_t n_moves,
                          const char *const *run_ids, size_t n, const char *env,
                          const char *workload, const char *metric, const char **reason)
{
	size_t index = 0;
	*reason = NULL;
	for (size_t k = 0; k < n_moves; k++) {
		const struct history_move *m = &moves[k];
		if (fnmatch(m->env, env, 0) != 0 || fnmatch(m->workload, workload, 0) != 0 ||
		    fnmatch(m->metric, metric, 0) != 0)
			continue;
		for (size_t i = 0; i < n; i++)
			if (strcmp(run_ids[i], m->run_id) == 0 && (*reason == NULL || i >= index)) {
				index = i; /* the latest in series order wins */
				*reason = m->reason;
			}
	}
	return index;
}

int history_baseline_start(struct history *h, const struct history_point *pts, size_t n,
                           const char *env, const char *workload, const char *metric, size_t *index,
                           char *reason, size_t len, struct bench_error **err)
{
	struct history_move *moves;
	size_t n_moves;
	*index = 0;
	reason[0] = '\0';
	if (history_moves(h, &moves, &n_moves, err) < 0)
		return -1;
	const char **ids = malloc((n ? n : 1) * sizeof(*ids));
	if (ids == NULL) {
		free(moves);
		return bench_error_set(err, ENOMEM, "baseline moves");
	}
	for (size_t i = 0; i < n; i++)
		ids[i] = pts[i].run_id;
	const char *why = NULL;
	*index = history_move_index(moves, n_moves, ids, n, env, workload, metric, &why);
	if (why != NULL)
		snprintf(reason, len, "%s", why);
	free(ids);
	free(moves);
	return 0;
}
