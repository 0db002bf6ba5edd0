/* Reliability (issue 19), driving the real bench: options refused before
 * anything starts, a run file that cannot be written (a full tmpfs this test
 * mounts), two runs at once (the host lock), SIGTERM during `bench report`,
 * over-long fields in a run file. About 10 s; bare runs only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "tests/fakerun.h"
#include "tests/testutil.h"

struct fixture {
	char dir[PATH_MAX];  /* scratch for this test, removed after */
	char lock[PATH_MAX]; /* BENCH_LOCK: a private host lock */
	char bench[PATH_MAX];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	if (fx == NULL || make_build_tmpdir("rel-", fx->dir) < 0)
		return -1;
	if ((size_t)snprintf(fx->lock, sizeof(fx->lock), "%.*s/measure.lock", PATH_MAX - 32,
	                     fx->dir) >= sizeof(fx->lock))
		return -1;
	setenv("BENCH_LOCK", fx->lock, 1);
	build_path("bench", fx->bench);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	remove_tree(fx->dir);
	unsetenv("BENCH_LOCK");
	free(fx);
	return 0;
}

static void path_join(char out[PATH_MAX], const char *dir, const char *name)
{
	if ((size_t)snprintf(out, PATH_MAX, "%.*s/%s", PATH_MAX - 64, dir, name) >= PATH_MAX)
		fail_msg("path too long: %s/%s", dir, name);
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Options that cannot work are usage errors (exit 2) naming the range, and
 * nothing is created: not even the --out directory. */
static void test_options_refused_first(void **state)
{
	struct fixture *fx = *state;
	char out[PATH_MAX];
	path_join(out, fx->dir, "never");
	static const struct {
		const char *workload, *option, *value, *says;
	} cases[] = {
	    {"mem.stream", "--size", "99999999999G", "not a size"},
	    {"mem.stream", "--size", "1e20", "not a size"},
	    {"mem.stream", "--size", "1", "mem.stream takes --size 4K..64G"},
	    {"mem.stream", "--size", "100G", "mem.stream takes --size 4K..64G"},
	    {"cpu.int", "--size", "17G", "cpu.int takes --size 1000..16G"},
	    {"cpu.int", "--reps", "99999999", "1..100000"},
	    {"cpu.int", "--duration", "1e9", "(0, 86400]"},
	    {"cpu.int", "--iterations", "0", "1..1000000000000"},
	    {"cpu.int", "--memory", "99999T", "16M..1024T"},
	    {"net.tcp_stream", "--msg-size", "2G", "1..1G"},
	    {"net.tcp_rr", "--req-size", "1", "8..1G"},
	    {"disk.seq_read", "--block-size", "3", "a multiple of 4K"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[] = {fx->bench,
		                "run",
		                "--env",
		                "bare",
		                "--workload",
		                (char *)cases[i].workload,
		                (char *)cases[i].option,
		                (char *)cases[i].value,
		                "--out",
		                out,
		                "--quiet",
		                NULL};
		struct cmd_result r = run_cmd_bounded(argv, 60);
		if (r.status != 2 || strstr(r.err, cases[i].says) == NULL)
			fail_msg("%s %s: exit %d, want 2 with \"%s\"; stderr: %s", cases[i].option,
			         cases[i].value, r.status, cases[i].says, r.err);
		assert_false(exists(out));
		cmd_result_free(&r);
	}
}

/* A results directory on a full file system: exit 7 (not 1, "a workload
 * failed"), a message saying the results are lost, and no run directory or
 * temporary file left. Needs root for the tmpfs; skipped otherwise. */
static void test_disk_full(void **state)
{
	struct fixture *fx = *state;
	if (geteuid() != 0) {
		print_message("skipped: mounting a tmpfs needs root\n");
		skip();
	}
	char mnt[PATH_MAX], fill[PATH_MAX], out[PATH_MAX];
	path_join(mnt, fx->dir, "full");
	assert_int_equal(mkdir(mnt, 0755), 0);
	assert_int_equal(mount("tmpfs", mnt, "tmpfs", 0, "size=64k"), 0);
	path_join(fill, mnt, "fill");
	FILE *f = fopen(fill, "w");
	assert_non_null(f);
	char block[4096] = {0};
	while (fwrite(block, 1, sizeof(block), f) == sizeof(block) && fflush(f) == 0)
		;
	fclose(f);
	path_join(out, mnt, "run");
	char *argv[] = {fx->bench, "run", "--env",        "bare", "--workload", "cpu.int",
	                "--reps",  "1",   "--max-warmup", "0",    "--duration", "0.2",
	                "--out",   out,   "--quiet",      NULL};
	struct cmd_result r = run_cmd_bounded(argv, 120);
	bool dir_left = exists(out);
	umount2(mnt, MNT_DETACH);
	rmdir(mnt);
	if (r.status != 7 || strstr(r.err, "could not be written") == NULL ||
	    strstr(r.err, "No space left") == NULL)
		fail_msg("exit %d, want 7 with the reason; stderr: %s", r.status, r.err);
	assert_false(dir_left);
	cmd_result_free(&r);
}

/* Two runs at once: the second names the first (its pid and command), waits,
 * and both finish with their run files. */
static void test_two_at_once(void **state)
{
	struct fixture *fx = *state;
	char out1[PATH_MAX], out2[PATH_MAX], err2[PATH_MAX];
	path_join(out1, fx->dir, "first");
	path_join(out2, fx->dir, "second");
	path_join(err2, fx->dir, "second.err");
	char *argv1[] = {fx->bench, "run", "--env",        "bare", "--workload", "cpu.int",
	                 "--reps",  "3",   "--max-warmup", "0",    "--duration", "0.5",
	                 "--out",   out1,  "--quiet",      NULL};
	pid_t first = spawn_silent(argv1);
	/* Wait until the first holds the lock (its note is in the file). */
	char note[512] = "", want[32];
	snprintf(want, sizeof(want), "pid %d:", (int)first);
	for (int i = 0; i < 3000 && strstr(note, want) == NULL; i++) {
		int fd = open(fx->lock, O_RDONLY);
		ssize_t n = fd >= 0 ? pread(fd, note, sizeof(note) - 1, 0) : 0;
		note[n > 0 ? n : 0] = '\0';
		if (fd >= 0)
			close(fd);
		usleep(10000);
	}
	assert_non_null(strstr(note, want));
	char *argv2[] = {fx->bench, "run", "--env",        "bare", "--workload", "cpu.int",
	                 "--reps",  "1",   "--max-warmup", "0",    "--duration", "0.2",
	                 "--out",   out2,  "--quiet",      NULL};
	struct cmd_result r2 = run_cmd_bounded(argv2, 120);
	bool timed_out = false;
	int s1 = wait_bounded(first, 120, &timed_out);
	assert_int_equal(s1, 0);
	if (r2.status != 0 || strstr(r2.err, want) == NULL ||
	    strstr(r2.err, "another bench is measuring") == NULL)
		fail_msg("second run: exit %d, want 0 naming %s; stderr: %s", r2.status, want,
		         r2.err);
	char f1[PATH_MAX], f2[PATH_MAX];
	path_join(f1, out1, "run.json");
	path_join(f2, out2, "run.json");
	assert_true(exists(f1));
	assert_true(exists(f2));
	/* The lock is free again: it can be taken without waiting. */
	int fd = open(fx->lock, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	close(fd);
	cmd_result_free(&r2);
}

/* A run with many workloads, so the report takes a few seconds. */
static void write_many(const char *dir, size_t workloads)
{
	struct run run;
	fake_run(&run, "rel-many", "2026-12-01T00:00:00Z", fake_host("6.1.0", "madvise"));
	for (size_t w = 0; w < workloads; w++) {
		char name[32];
		snprintf(name, sizeof(name), "wl%zu", w);
		double v[5] = {100 + (double)w, 101, 99, 100.5, 100.2};
		fake_sample(&run, "bare", name, "m", BETTER_HIGHER, v, 5);
		fake_sample(&run, "container", name, "m", BETTER_HIGHER, v, 5);
	}
	struct bench_error *err = NULL;
	if (run_write(&run, dir, &err) < 0)
		fail_msg("run_write: %s", err->msg);
	run_free(&run);
}

static bool has_report_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	bool found = false;
	struct dirent *e;
	while (d != NULL && (e = readdir(d)) != NULL)
		found = found || strncmp(e->d_name, ".report.", 8) == 0;
	if (d != NULL)
		closedir(d);
	return found;
}

/* SIGTERM while the report renders: exit 130, no .report.XXXXXX left, no
 * half report renamed into place. */
static void test_report_sigterm(void **state)
{
	struct fixture *fx = *state;
	char run_dir[PATH_MAX], out[PATH_MAX], page[PATH_MAX];
	path_join(run_dir, fx->dir, "many");
	write_many(run_dir, 80);
	path_join(out, fx->dir, "many-report");
	path_join(page, out, "report.html");
	char *argv[] = {fx->bench, "report", run_dir, "--out", out, NULL};
	pid_t pid = spawn_silent(argv);
	bool rendering = false;
	for (int i = 0; i < 5000 && !rendering; i++) {
		rendering = has_report_tmp(out);
		if (!rendering)
			usleep(1000);
	}
	assert_true(rendering);
	kill(pid, SIGTERM);
	bool timed_out = false;
	int status = wait_bounded(pid, 180, &timed_out);
	assert_false(timed_out);
	assert_int_equal(status, 130);
	assert_false(has_report_tmp(out));
	assert_false(exists(page));
}

/* Milliseconds since an arbitrary start. */
static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Whether dir holds a temporary of write_atomic (NAME.XXXXXX). */
static bool has_atomic_tmp(const char *dir, const char *const *names)
{
	DIR *d = opendir(dir);
	bool found = false;
	struct dirent *e;
	while (d != NULL && (e = readdir(d)) != NULL)
		for (size_t i = 0; names[i] != NULL; i++)
			found = found || (strncmp(e->d_name, names[i], strlen(names[i])) == 0 &&
			                  strlen(e->d_name) == strlen(names[i]) + 7);
	if (d != NULL)
		closedir(d);
	return found;
}

/* Runs argv N times, sending SIGTERM at moments spread over an
 * uninterrupted run's length (and past it); after each: exit 0 or 130 (143
 * when it came before the handlers), no temporary left in dir (check), and
 * what is there is whole (whole). */
static void interrupt_anywhere(char *const argv[], const char *dir, bool (*check)(const char *dir),
                               bool (*whole)(const char *dir, int status))
{
	double t0 = now_ms();
	struct cmd_result r = run_cmd_bounded(argv, 120);
	double full = now_ms() - t0;
	if (r.status != 0)
		fail_msg("%s %s uninterrupted: exit %d; stderr: %s", argv[1], argv[2], r.status,
		         r.err);
	cmd_result_free(&r);
	int interrupted = 0;
	static const double at[] = {0.05, 0.15, 0.3, 0.45, 0.6, 0.75, 0.85, 0.92, 0.97, 1.1};
	const int tries = (int)(sizeof(at) / sizeof(at[0]));
	for (int i = 0; i < tries; i++) {
		remove_tree(dir);
		pid_t pid = spawn_silent(argv);
		usleep((useconds_t)(full * 1000 * at[i]));
		kill(pid, SIGTERM);
		bool timed_out = false;
		int status = wait_bounded(pid, 120, &timed_out);
		assert_false(timed_out);
		/* 143: killed before its handlers were installed, at start-up */
		if (status != 0 && status != 130 && status != 128 + SIGTERM)
			fail_msg("%s: SIGTERM after %.0f%% of %.0f ms: exit %d", argv[1],
			         100 * at[i], full, status);
		interrupted += status == 130;
		if (check(dir))
			fail_msg("%s: a temporary left in %s (try %d, exit %d)", argv[1], dir, i,
			         status);
		if (!whole(dir, status))
			fail_msg("%s: a partial file in %s (try %d, exit %d)", argv[1], dir, i,
			         status);
	}
	assert_true(interrupted > 0);
	print_message("%s: %d of %d tries interrupted (an uninterrupted run: %.0f ms)\n", argv[1],
	              interrupted, tries, full);
}

static const char *const compare_files[] = {"comparison.json", "junit.xml", "summary.md", NULL};

static bool compare_tmp(const char *dir)
{
	return has_atomic_tmp(dir, compare_files);
}

static bool compare_whole(const char *dir, int status)
{
	char path[PATH_MAX];
	path_join(path, dir, "comparison.json");
	if (exists(path)) {
		json_error_t je;
		json_t *doc = json_load_file(path, 0, &je);
		json_decref(doc);
		if (doc == NULL)
			return false;
	}
	path_join(path, dir, "junit.xml");
	if (exists(path)) {
		FILE *f = fopen(path, "r");
		char tail[64] = "";
		if (f == NULL || fseek(f, -14, SEEK_END) != 0 || fread(tail, 1, 13, f) != 13)
			tail[0] = '\0';
		if (f != NULL)
			fclose(f);
		if (strncmp(tail, "</testsuites>", 13) != 0)
			return false;
	}
	return status != 0 || exists(path);
}

/* SIGTERM at any moment of bench compare --out --junit --markdown: exit 130
 * (or 0 when it had finished), every file there whole, no NAME.XXXXXX. */
static void test_compare_interrupted(void **state)
{
	struct fixture *fx = *state;
	char a[PATH_MAX], b[PATH_MAX], out[PATH_MAX], junit[PATH_MAX], md[PATH_MAX];
	path_join(a, fx->dir, "a");
	path_join(b, fx->dir, "b");
	write_many(a, 300);
	write_many(b, 300);
	path_join(out, fx->dir, "cmp");
	path_join(junit, out, "junit.xml");
	path_join(md, out, "summary.md");
	char *argv[] = {fx->bench, "compare",    a,  b,   "--out", out, "--junit",
	                junit,     "--markdown", md, NULL};
	interrupt_anywhere(argv, out, compare_tmp, compare_whole);
}

static bool tco_tmp(const char *dir)
{
	return has_report_tmp(dir);
}

static bool tco_whole(const char *dir, int status)
{
	char page[PATH_MAX];
	path_join(page, dir, "tco.html");
	return status != 0 ? !exists(page) : exists(page);
}

/* SIGTERM at any moment of bench tco --out: exit 130 with nothing renamed
 * into place and no .report.XXXXXX, or 0 with the pages. */
static void test_tco_interrupted(void **state)
{
	struct fixture *fx = *state;
	char out[PATH_MAX];
	path_join(out, fx->dir, "tco");
	char *argv[] = {fx->bench, "tco", "reports/models/seed-002-consolidation.yaml",
	                "--out",   out,   NULL};
	interrupt_anywhere(argv, out, tco_tmp, tco_whole);
}

/* An over-long name in a run file is refused with where it is. */
static void test_long_field_refused(void **state)
{
	struct fixture *fx = *state;
	char dir[PATH_MAX], file[PATH_MAX];
	path_join(dir, fx->dir, "long");
	write_many(dir, 2);
	path_join(file, dir, "run.json");
	json_error_t je;
	json_t *doc = json_load_file(file, 0, &je);
	assert_non_null(doc);
	size_t len = 1 << 20;
	char *name = malloc(len + 1);
	assert_non_null(name);
	memset(name, 'x', len);
	name[len] = '\0';
	json_t *s = json_array_get(json_object_get(doc, "samples"), 1);
	json_object_set_new(s, "metric", json_string(name));
	free(name);
	assert_int_equal(json_dump_file(doc, file, 0), 0);
	json_decref(doc);
	struct run run;
	struct bench_error *err = NULL;
	assert_int_equal(run_read(file, &run, &err), -1);
	assert_non_null(err);
	if (strstr(err->msg, "samples[1].metric: 1048576 bytes, longer than the 256") == NULL)
		fail_msg("unexpected message: %s", err->msg);
	bench_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_options_refused_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_two_at_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_report_sigterm, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_compare_interrupted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tco_interrupted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_long_field_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
