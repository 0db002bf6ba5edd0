/* Least privilege (issue 19), driving the real bench as the unprivileged
 * user nobody (setpriv; no user is created): what reads and renders files
 * works (every --help, list, topo, report, compare, merge, history, tco,
 * pcap-stats) and writes nothing outside its own output; what needs root
 * (container, qemu and xen environments, through run, density, gate and all)
 * says so at once with exit 3; a bare run works and still takes the host's
 * lock, which root's runs hold too. Needs root to switch users; skipped
 * otherwise. About 5 s; one short bare run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "tests/fakerun.h"
#include "tests/testutil.h"

#define USER "nobody"

struct fixture {
	char dir[PATH_MAX]; /* scratch, owned by USER, removed after */
	char lock[PATH_MAX];
	char bench[PATH_MAX];
	char setpriv[PATH_MAX];
};

static void path_join(char out[PATH_MAX], const char *dir, const char *name)
{
	if ((size_t)snprintf(out, PATH_MAX, "%.*s/%s", PATH_MAX - 64, dir, name) >= PATH_MAX)
		fail_msg("path too long: %s/%s", dir, name);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct passwd *pw = getpwnam(USER);
	char rel[PATH_MAX];
	/* Absolute: the commands run in it. */
	if (fx == NULL || pw == NULL || make_build_tmpdir("unpriv-", rel) < 0 ||
	    realpath(rel, fx->dir) == NULL || chown(fx->dir, pw->pw_uid, pw->pw_gid) < 0)
		return -1;
	/* The host lock as root's runs leave it: root's file, mode 0644. */
	path_join(fx->lock, fx->dir, "measure.lock");
	int fd = open(fx->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	setenv("BENCH_LOCK", fx->lock, 1);
	build_path("bench", rel);
	if (realpath(rel, fx->bench) == NULL)
		return -1;
	snprintf(fx->setpriv, sizeof(fx->setpriv), "/usr/bin/setpriv");
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

static bool can_switch_user(void)
{
	if (geteuid() != 0 || access("/usr/bin/setpriv", X_OK) != 0 || getpwnam(USER) == NULL) {
		print_message("skipped: needs root, setpriv and the user " USER "\n");
		return false;
	}
	return true;
}

/* Runs bench ARGS... as USER in fx->dir (the working directory, so the
 * default results/ lands there), bounded. */
static struct cmd_result as_user(const struct fixture *fx, double timeout_s, char *const args[])
{
	char *argv[40] = {
	    (char *)fx->setpriv, "--reuid=" USER, "--regid=nogroup", "--clear-groups", "--",
	    (char *)fx->bench};
	size_t n = 6;
	for (size_t i = 0; args[i] != NULL && n < 39; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	char cwd[PATH_MAX];
	if (getcwd(cwd, sizeof(cwd)) == NULL || chdir(fx->dir) != 0)
		fail_msg("cannot enter %s", fx->dir);
	struct cmd_result r = run_cmd_bounded(argv, timeout_s);
	if (chdir(cwd) != 0)
		fail_msg("cannot return to %s", cwd);
	return r;
}

static void expect(const struct fixture *fx, int status, const char *says, char *const args[])
{
	struct cmd_result r = as_user(fx, 60, args);
	if (r.status != status ||
	    (says != NULL && strstr(r.out, says) == NULL && strstr(r.err, says) == NULL))
		fail_msg("bench %s %s as " USER ": exit %d, want %d%s%s; stdout: %.400s stderr: %s",
		         args[0], args[1] ? args[1] : "", r.status, status, says ? " with " : "",
		         says ? says : "", r.out, r.err);
	cmd_result_free(&r);
}

/* Two run files (readable by anyone) under fx->dir. */
static void write_runs(const struct fixture *fx)
{
	static const char *const names[] = {"a", "b"};
	struct passwd *pw = getpwnam(USER);
	for (size_t i = 0; i < 2; i++) {
		char dir[PATH_MAX];
		path_join(dir, fx->dir, names[i]);
		struct run run;
		fake_run(&run, names[i], "2026-12-01T00:00:00Z", fake_host("6.1.0", "madvise"));
		double v[5] = {100, 101, 99, 100.5, 100.2};
		fake_sample(&run, "bare", "cpu.int", "ops", BETTER_HIGHER, v, 5);
		fake_sample(&run, "container", "cpu.int", "ops", BETTER_HIGHER, v, 5);
		struct bench_error *err = NULL;
		if (run_write(&run, dir, &err) < 0)
			fail_msg("run_write: %s", err->msg);
		run_free(&run);
		assert_int_equal(chown(dir, pw->pw_uid, pw->pw_gid), 0);
	}
}

static void test_read_only_commands(void **state)
{
	struct fixture *fx = *state;
	if (!can_switch_user())
		skip();
	write_runs(fx);
	static const char *const commands[] = {"all",     "list",   "topo", "run",    "pcap-stats",
	                                       "density", "bundle", "tco",  "report", "compare",
	                                       "history", "gate",   "merge"};
	expect(fx, 0, "usage: bench COMMAND", (char *[]){"--help", NULL});
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		expect(fx, 0, "usage: bench", (char *[]){(char *)commands[i], "--help", NULL});
	expect(fx, 0, "needs root (container runtimes", (char *[]){"list", NULL});
	expect(fx, 0, "PUs", (char *[]){"topo", NULL});
	expect(fx, 0, "report written", (char *[]){"report", "a", NULL});
	expect(fx, 0, "verdict", (char *[]){"compare", "a", "b", NULL});
	expect(fx, 0, "2 hosts merged", (char *[]){"merge", "a", "b", "--out", "fleet", NULL});
	expect(fx, 0, "added", (char *[]){"history", "add", "a", "--db", "h.sqlite", NULL});
	expect(fx, 0, "1 run(s)", (char *[]){"history", "list", "--db", "h.sqlite", NULL});
	char model[PATH_MAX];
	if (realpath("reports/models/seed-002-consolidation.yaml", model) == NULL)
		fail_msg("reports/models/seed-002-consolidation.yaml: run from the source tree");
	expect(fx, 0, "scenario", (char *[]){"tco", model, NULL});
	char capture[PATH_MAX];
	if (realpath("tests/fuzz/corpus/fuzz_pcap/rr-v4.pcap", capture) == NULL)
		fail_msg("tests/fuzz/corpus/fuzz_pcap/rr-v4.pcap: run from the source tree");
	/* Its bytes are not the point: it reads (or refuses) as any user. */
	struct cmd_result r = as_user(
	    fx, 60,
	    (char *[]){"pcap-stats", capture, "--peer", "10.0.0.1", "--tcp-port", "1", NULL});
	if (r.status != 0 && r.status != 1)
		fail_msg("pcap-stats as " USER ": exit %d; stderr: %s", r.status, r.err);
	if (strstr(r.err, "ermission denied") != NULL)
		fail_msg("pcap-stats as " USER ": %s", r.err);
	cmd_result_free(&r);
}

/* Environments that need root say so before anything starts: exit 3 with
 * "needs root (WHY): run as root or with sudo", no run directory. */
static void test_root_needed_said_at_once(void **state)
{
	struct fixture *fx = *state;
	if (!can_switch_user())
		skip();
	static const char *const envs[] = {"container", "container/docker", "qemu", "xen",
	                                   "bare,container"};
	for (size_t i = 0; i < sizeof(envs) / sizeof(envs[0]); i++) {
		struct cmd_result r =
		    as_user(fx, 30,
		            (char *[]){"run", "--env", (char *)envs[i], "--workload", "cpu.int",
		                       "--out", "never", NULL});
		if (r.status != 3 || strstr(r.err, "needs root (") == NULL ||
		    strstr(r.err, "run as root or with sudo") == NULL)
			fail_msg("run --env %s as " USER ": exit %d; stderr: %s", envs[i], r.status,
			         r.err);
		cmd_result_free(&r);
	}
	expect(fx, 3, "needs root (tap devices",
	       (char *[]){"density", "--env", "qemu", "--workload", "cpu.int", NULL});
	expect(fx, 3, "needs root (container runtimes",
	       (char *[]){"all", "--envs", "bare,container", "--out", "never", NULL});
	char gate[PATH_MAX];
	path_join(gate, fx->dir, "gate.yaml");
	FILE *f = fopen(gate, "w");
	assert_non_null(f);
	fputs("envs: [bare, container]\nworkloads: [cpu.int]\ntolerance: 5\n", f);
	fclose(f);
	expect(fx, 3, "needs root (container runtimes",
	       (char *[]){"gate", gate, "--no-history", "--out", "never", NULL});
	char never[PATH_MAX];
	path_join(never, fx->dir, "never");
	assert_int_not_equal(access(never, F_OK), 0);
}

/* A bare run works without root and takes the host's lock even though it
 * may only read the lock file: while root holds it, the run waits. */
static void test_bare_run_shares_the_lock(void **state)
{
	struct fixture *fx = *state;
	if (!can_switch_user())
		skip();
	int held = open(fx->lock, O_RDWR | O_CLOEXEC);
	assert_true(held >= 0);
	assert_int_equal(flock(held, LOCK_EX), 0);
	char out[PATH_MAX], err_path[PATH_MAX];
	path_join(out, fx->dir, "bare");
	path_join(err_path, fx->dir, "bare.err");
	int err_fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(err_fd >= 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(err_fd, STDERR_FILENO);
		int null = open("/dev/null", O_RDWR);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDIN_FILENO);
		if (chdir(fx->dir) != 0)
			_exit(126);
		execl(fx->setpriv, fx->setpriv, "--reuid=" USER, "--regid=nogroup",
		      "--clear-groups", "--", fx->bench, "run", "--env", "bare", "--workload",
		      "cpu.int", "--reps", "1", "--max-warmup", "0", "--duration", "0.2", "--out",
		      out, "--quiet", (char *)NULL);
		_exit(127);
	}
	close(err_fd);
	/* It says it waits for the lock (and has not measured). */
	bool waiting = false;
	for (int i = 0; i < 1000 && !waiting; i++) {
		FILE *f = fopen(err_path, "r");
		char buf[1024] = "";
		if (f != NULL) {
			size_t n = fread(buf, 1, sizeof(buf) - 1, f);
			buf[n] = '\0';
			fclose(f);
		}
		waiting = strstr(buf, "another bench is measuring") != NULL;
		usleep(10000);
	}
	char run_json[PATH_MAX];
	path_join(run_json, out, "run.json");
	bool early = access(run_json, F_OK) == 0;
	close(held);
	bool timed_out = false;
	int status = wait_bounded(pid, 120, &timed_out);
	assert_true(waiting);
	assert_false(early);
	assert_int_equal(status, 0);
	assert_int_equal(access(run_json, R_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_read_only_commands, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_root_needed_said_at_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bare_run_shares_the_lock, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
