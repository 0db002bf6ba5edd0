/* The run history: an embedded SQLite database (default
 * results/history.sqlite) holding whole run files and, per sample, the
 * figures a series needs, so a gate compares with a stable stretch of the
 * past rather than with one run. Schema and migrations: results/SCHEMA.md,
 * "History database". Safe for concurrent writers (two CI jobs): WAL
 * journal, a busy timeout, every write one IMMEDIATE transaction. */
#ifndef BENCH_HISTORY_H
#define BENCH_HISTORY_H

#include <jansson.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness/core/error.h"
#include "harness/core/result.h"

#define HISTORY_DEFAULT_DB     "results/history.sqlite"
#define HISTORY_SCHEMA_VERSION 2
#define HISTORY_BUSY_MS        30000

struct history {
	sqlite3 *db;
	char path[PATH_MAX];
};

/* Opens path, creating it when missing (and its directory, one level),
 * turns on WAL and foreign keys, sets the busy timeout and migrates the
 * schema to HISTORY_SCHEMA_VERSION in one IMMEDIATE transaction (so two
 * processes opening a new file at once migrate it once). A file whose
 * user_version is newer than this bench knows, or that is not an SQLite
 * database, is refused. Returns 0, or -1 with *err ("PATH: ..."). Close
 * with history_close, also after a failure. */
int history_open(struct history *h, const char *path, struct bench_error **err);
void history_close(struct history *h);

/* The schema version stored in the file (PRAGMA user_version). */
int history_schema_version(struct history *h);

/* Adds run (its whole document and one row per ok sample) with an
 * optional tag (NULL) and the path it came from. A run_id already present
 * is left alone and *added is false. Returns 0, or -1 with *err. */
int history_add(struct history *h, const struct run *run, const char *tag, const char *source,
                bool *added, struct bench_error **err);

/* Which runs: every key optional. Strings match with fnmatch(3) patterns. */
struct history_selector {
	char host[128], kernel[128], hypervisor[64], commit[64], tag[64];
	long last;             /* only the last N runs (0 = all) */
	char before_run[128];  /* only runs created before this run_id's */
	char before_time[40];  /* only runs created before this time */
	char exclude_run[128]; /* never this run_id */
};

/* Parses "key=value,key=value" (keys: host, kernel, hypervisor, commit,
 * tag, last; "" selects everything). -1 with *err naming a bad key or value. */
int history_selector_parse(const char *text, struct history_selector *sel,
                           struct bench_error **err);

/* One run of the history, in time order (created, then insertion). */
struct history_run {
	long id;
	char run_id[128], created[40], added[40];
	char hostname[128], kernel[128], hypervisor[64], commit[64], tag[64], source[256];
	size_t n_samples;
};

/* The selected runs, oldest first, into a malloc'd array (caller frees).
 * Returns 0 or -1 with *err. */
int history_runs(struct history *h, const struct history_selector *sel, struct history_run **out,
                 size_t *n, struct bench_error **err);

/* Loads a stored run (id from history_runs) into *run, and its document
 * into *doc when doc is not NULL (caller owns it). Returns 0 or -1. */
int history_load(struct history *h, long id, struct run *run, json_t **doc,
                 struct bench_error **err);

/* One point of a metric's series: one run's figures. */
struct history_point {
	long run; /* history_run.id */
	char run_id[128], created[40], kernel[128], hypervisor[64], commit[64];
	size_t n;
	double mean, ci_low, ci_high;
};

/* The series of (env, workload, metric) over the selected runs, oldest
 * first (runs without that sample are skipped). Caller frees *out. */
int history_series(struct history *h, const struct history_selector *sel, const char *env,
                   const char *workload, const char *metric, struct history_point **out, size_t *n,
                   struct bench_error **err);

/* Every distinct (env, workload, metric) of the selected runs, as a JSON
 * array of [env, workload, metric] (caller owns it), or NULL with *err. */
json_t *history_metrics(struct history *h, const struct history_selector *sel,
                        struct bench_error **err);

/* Moves the baseline: from run_id on (in time order), for the metrics whose
 * env, workload and metric match the fnmatch patterns. reason must not be
 * empty: the history keeps who moved what, when and why. */
int history_move_baseline(struct history *h, const char *run_id, const char *env_glob,
                          const char *workload_glob, const char *metric_glob, const char *reason,
                          struct bench_error **err);

/* A recorded baseline move. */
struct history_move {
	char run_id[128], env[64], workload[64], metric[64], reason[256], moved[40];
};

/* Every baseline move, in the order recorded (caller frees *out). */
int history_moves(struct history *h, struct history_move **out, size_t *n,
                  struct bench_error **err);

/* Of moves[0..n_moves), the latest that applies to (env, workload, metric)
 * and whose run is one of run_ids[0..n) (a series, oldest first): its
 * position in run_ids, or 0 when none applies; *reason points to its
 * reason (NULL when none). */
size_t history_move_index(const struct history_move *moves, size_t n_moves,
                          const char *const *run_ids, size_t n, const char *env,
                          const char *workload, const char *metric, const char **reason);

/* history_moves and history_move_index over a series from history_series:
 * the series index where the baseline starts (into *index) and its reason
 * (into reason[0..len), "" when none). Returns 0 or -1. */
int history_baseline_start(struct history *h, const struct history_point *pts, size_t n,
                           const char *env, const char *workload, const char *metric, size_t *index,
                           char *reason, size_t len, struct bench_error **err);

#endif
