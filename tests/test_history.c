/* Unit tests for reports/history.c: schema version and migration, refusals,
 * adding and reading runs, selectors, baseline moves, two processes writing
 * at once, and the change point of a series with a shift after its 6th run. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "reports/changepoint.h"
#include "reports/history.h"
#include "fakerun.h"
#include "testutil.h"

static char dir[PATH_MAX], db[PATH_MAX + 32];

static int setup(void **state)
{
	(void)state;
	assert_int_equal(make_build_tmpdir("hist-", dir), 0);
	snprintf(db, sizeof(db), "%s/h.sqlite", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	remove_tree(dir);
	return 0;
}

static void add_fake(struct history *h, const char *id, const char *created, double level,
                     const char *tag)
{
	struct run run;
	fake_run(&run, id, created, fake_host("6.1.0-28-amd64", "madvise"));
	double v[3] = {level - 1, level, level + 1};
	fake_sample(&run, "bare", "cpu.int", "ops", BETTER_HIGHER, v, 3);
	fake_sample(&run, "container", "cpu.int", "ops", BETTER_HIGHER, v, 3);
	bool added = false;
	struct bench_error *err = NULL;
	if (history_add(h, &run, tag, "test", &added, &err) < 0)
		fail_msg("history_add: %s", err->msg);
	assert_true(added);
	run_free(&run);
}

static void schema_and_runs(void **state)
{
	(void)state;
	struct history h;
	struct bench_error *err = NULL;
	assert_int_equal(history_open(&h, db, &err), 0);
	assert_int_equal(history_schema_version(&h), HISTORY_SCHEMA_VERSION);
	add_fake(&h, "r1", "2026-01-01T00:00:01Z", 100, "main");
	add_fake(&h, "r2", "2026-01-01T00:00:02Z", 110, "");
	/* the same run again: left alone */
	struct run run;
	fake_run(&run, "r1", "2026-01-01T00:00:01Z", fake_host("k", "madvise"));
	bool added = true;
	assert_int_equal(history_add(&h, &run, NULL, NULL, &added, &err), 0);
	assert_false(added);
	run_free(&run);

	struct history_selector sel;
	assert_int_equal(history_selector_parse("", &sel, &err), 0);
	struct history_run *runs;
	size_t n;
	assert_int_equal(history_runs(&h, &sel, &runs, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(runs[0].run_id, "r1");
	assert_string_equal(runs[0].tag, "main");
	assert_string_equal(runs[1].kernel, "6.1.0-28-amd64");
	assert_int_equal(runs[1].n_samples, 2);
	/* a stored run reads back whole */
	json_t *doc = NULL;
	assert_int_equal(history_load(&h, runs[1].id, &run, &doc, &err), 0);
	assert_int_equal(run.n_samples, 2);
	assert_true(run.samples[0].stats.mean == 110);
	assert_non_null(json_object_get(doc, "samples"));
	json_decref(doc);
	run_free(&run);
	free(runs);

	assert_int_equal(history_selector_parse("tag=ma*", &sel, &err), 0);
	assert_int_equal(history_runs(&h, &sel, &runs, &n, &err), 0);
	assert_int_equal(n, 1);
	free(runs);
	assert_int_equal(history_selector_parse("last=1", &sel, &err), 0);
	assert_int_equal(history_runs(&h, &sel, &runs, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(runs[0].run_id, "r2");
	free(runs);
	assert_int_equal(history_selector_parse("colour=red", &sel, &err), -1);
	assert_non_null(strstr(err->msg, "unknown key 'colour'"));
	bench_error_free(&err);
	assert_int_equal(history_selector_parse("last=0", &sel, &err), -1);
	bench_error_free(&err);

	/* baseline moves need a reason and an existing run */
	assert_int_equal(history_move_baseline(&h, "r2", "*", "*", "*", "", &err), -1);
	bench_error_free(&err);
	assert_int_equal(history_move_baseline(&h, "nope", "*", "*", "*", "x", &err), -1);
	assert_non_null(strstr(err->msg, "no run 'nope'"));
	bench_error_free(&err);
	assert_int_equal(
	    history_move_baseline(&h, "r2", "container", "cpu.*", "*", "new kernel", &err), 0);
	history_selector_parse("", &sel, NULL);
	struct history_point *pts;
	assert_int_equal(history_series(&h, &sel, "container", "cpu.int", "ops", &pts, &n, &err),
	                 0);
	assert_int_equal(n, 2);
	size_t start;
	char reason[128];
	assert_int_equal(history_baseline_start(&h, pts, n, "container", "cpu.int", "ops", &start,
	                                        reason, sizeof(reason), &err),
	                 0);
	assert_int_equal(start, 1);
	assert_string_equal(reason, "new kernel");
	/* the move does not apply to bare */
	assert_int_equal(history_baseline_start(&h, pts, n, "bare", "cpu.int", "ops", &start,
	                                        reason, sizeof(reason), &err),
	                 0);
	assert_int_equal(start, 0);
	free(pts);
	history_close(&h);
}

/* A version-1 file (as the first release wrote it) is migrated in place. */
static void migrates_version_1(void **state)
{
	(void)state;
	sqlite3 *s;
	assert_int_equal(sqlite3_open(db, &s), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(s,
	                 "CREATE TABLE runs(id INTEGER PRIMARY KEY, run_id TEXT NOT NULL UNIQUE,"
	                 " created TEXT NOT NULL, added TEXT NOT NULL, hostname TEXT, kernel TEXT,"
	                 " hypervisor TEXT, git_commit TEXT, tag TEXT, source TEXT, doc TEXT NOT "
	                 "NULL);"
	                 "CREATE TABLE samples(run INTEGER NOT NULL REFERENCES runs(id) ON DELETE "
	                 "CASCADE, env TEXT NOT NULL, workload TEXT NOT NULL, metric TEXT NOT NULL,"
	                 " unit TEXT NOT NULL, better INTEGER NOT NULL, n INTEGER NOT NULL, mean "
	                 "REAL NOT NULL, stddev REAL, ci_low REAL, ci_high REAL, vals TEXT NOT "
	                 "NULL, PRIMARY KEY(run, env, workload, metric));"
	                 "INSERT INTO runs VALUES(1, 'old', '2025-01-01T00:00:00Z', "
	                 "'2025-01-01T00:00:00Z', 'h', 'k', 'none', 'c', '', '', '{}');"
	                 "PRAGMA user_version = 1;",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(s);
	struct history h;
	struct bench_error *err = NULL;
	assert_int_equal(history_open(&h, db, &err), 0);
	assert_int_equal(history_schema_version(&h), 2);
	struct history_selector sel = {0};
	struct history_run *runs;
	size_t n;
	assert_int_equal(history_runs(&h, &sel, &runs, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(runs[0].run_id, "old");
	free(runs);
	assert_int_equal(history_move_baseline(&h, "old", "*", "*", "*", "v2 table", &err), 0);
	history_close(&h);
}

static void refuses_foreign_files(void **state)
{
	(void)state;
	sqlite3 *s;
	struct history h;
	struct bench_error *err = NULL;
	assert_int_equal(sqlite3_open(db, &s), SQLITE_OK);
	sqlite3_exec(s, "PRAGMA user_version = 99", NULL, NULL, NULL);
	sqlite3_close(s);
	assert_int_equal(history_open(&h, db, &err), -1);
	assert_non_null(strstr(err->msg, "schema version 99 is newer"));
	bench_error_free(&err);
	history_close(&h);
	unlink(db);
	assert_int_equal(sqlite3_open(db, &s), SQLITE_OK);
	sqlite3_exec(s, "CREATE TABLE t(x)", NULL, NULL, NULL);
	sqlite3_close(s);
	assert_int_equal(history_open(&h, db, &err), -1);
	assert_non_null(strstr(err->msg, "not a bench history"));
	bench_error_free(&err);
	history_close(&h);
	unlink(db);
	FILE *f = fopen(db, "w");
	fputs("this is not a database, it is a long enough line of text to look like one\n", f);
	fclose(f);
	assert_int_equal(history_open(&h, db, &err), -1);
	assert_non_null(strstr(err->msg, db));
	bench_error_free(&err);
	history_close(&h);
}

#define WRITER_RUNS 25

/* Two processes open the same new file and add runs as fast as they can:
 * every run lands, no writer sees SQLITE_BUSY (WAL + busy timeout). */
static void concurrent_writers(void **state)
{
	(void)state;
	pid_t pids[2];
	for (int w = 0; w < 2; w++) {
		pids[w] = fork();
		if (pids[w] == 0) {
			struct history h;
			struct bench_error *err = NULL;
			if (history_open(&h, db, &err) < 0) {
				fprintf(stderr, "writer %d: %s\n", w, err->msg);
				_exit(1);
			}
			for (int i = 0; i < WRITER_RUNS; i++) {
				char id[32], created[32];
				snprintf(id, sizeof(id), "w%d-%02d", w, i);
				snprintf(created, sizeof(created), "2026-01-01T00:%02d:%02dZ", i,
				         w);
				struct run run;
				fake_run(&run, id, created, fake_host("k", "madvise"));
				double v[2] = {1, 2};
				fake_sample(&run, "bare", "cpu.int", "ops", BETTER_HIGHER, v, 2);
				bool added;
				if (history_add(&h, &run, NULL, NULL, &added, &err) < 0 || !added) {
					fprintf(stderr, "writer %d: %s\n", w, err ? err->msg : "?");
					_exit(1);
				}
				run_free(&run);
			}
			history_close(&h);
			_exit(0);
		}
	}
	for (int w = 0; w < 2; w++) {
		bool timed_out;
		assert_int_equal(wait_bounded(pids[w], 120, &timed_out), 0);
	}
	struct history h;
	assert_int_equal(history_open(&h, db, NULL), 0);
	struct history_selector sel = {0};
	struct history_run *runs;
	size_t n;
	assert_int_equal(history_runs(&h, &sel, &runs, &n, NULL), 0);
	assert_int_equal(n, 2 * WRITER_RUNS);
	free(runs);
	history_close(&h);
}

/* 10 runs added, the last 4 10% slower: the series' change point is at
 * index 6 (the 7th run). */
static void change_point_in_history(void **state)
{
	(void)state;
	struct history h;
	assert_int_equal(history_open(&h, db, NULL), 0);
	static const double jitter[10] = {0.4, -0.3, 0.1, -0.5, 0.2, 0.0, 0.3, -0.2, 0.5, -0.1};
	for (int i = 0; i < 10; i++) {
		char id[16], created[32];
		snprintf(id, sizeof(id), "run%02d", i);
		snprintf(created, sizeof(created), "2026-02-01T10:%02d:00Z", i);
		add_fake(&h, id, created, (i < 6 ? 1000 : 900) + jitter[i], NULL);
	}
	struct history_selector sel = {0};
	struct history_point *pts;
	size_t n;
	assert_int_equal(history_series(&h, &sel, "bare", "cpu.int", "ops", &pts, &n, NULL), 0);
	assert_int_equal(n, 10);
	double x[10];
	for (size_t i = 0; i < n; i++)
		x[i] = pts[i].mean;
	struct cp_options o = cp_defaults();
	struct change_point cp[4];
	assert_int_equal(cp_find(x, n, &o, cp, 4), 1);
	assert_int_equal(cp[0].index, 6);
	assert_string_equal(pts[cp[0].index].run_id, "run06");
	free(pts);
	history_close(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(schema_and_runs, setup, teardown),
	    cmocka_unit_test_setup_teardown(migrates_version_1, setup, teardown),
	    cmocka_unit_test_setup_teardown(refuses_foreign_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(concurrent_writers, setup, teardown),
	    cmocka_unit_test_setup_teardown(change_point_in_history, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
