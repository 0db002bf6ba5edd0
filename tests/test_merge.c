/* bench merge and the fleet file: fingerprints, host names, the campaign's
 * status file, declared groups, warnings, the reader's rejections, Welch's
 * ANOVA, and bench merge + bench report of a fleet through the real binary.
 * Runs are built in memory (unit tests of bookkeeping); the real campaign is
 * scripts/test-fleet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <sys/stat.h>

#include "reports/fleet.h"
#include "reports/fleet_stats.h"
#include "reports/merge.h"
#include "reports/overhead.h"
#include "testutil.h"

static char tmp[256];

static json_t *host_json(const char *hostname, const char *kernel, const char *thp)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:[{s:i, s:s, s:i}],"
	                 " s:i, s:i, s:s, s:s}",
	                 "hostname", hostname, "kernel", kernel, "kernel_version", "#1 SMP", "arch",
	                 "x86_64", "cpu_model", "BenchTest CPU 9000", "memory_bytes",
	                 (json_int_t)25769803776LL, "governor", "performance", "smt", "on", "thp",
	                 thp, "hypervisor", "none", "packages", "os_index", 0, "cpus", "0-1",
	                 "cores", 2, "cores", 2, "pus", 2, "bench_version", "0.1.0", "git_commit",
	                 "abc");
}

/* A run with bare cpu.int (values around base) and container cpu.int
 * (scale times slower). */
static void make_run(struct run *run, const char *id, json_t *host, double base, double scale,
                     const char *reps)
{
	run_init(run, id);
	run->created = strdup("2026-11-24T19:30:00Z");
	run->host = host;
	run->invocation = json_pack("{s:[s,s,s,s,s,s,s,s,s]}", "argv", "bench", "run", "--env",
	                            "bare,container", "--reps", reps, "--out", id, "--quiet");
	const double b[] = {base, base * 1.01, base * 0.99, base * 1.005};
	const double c[] = {base / scale, base / scale * 1.01, base / scale * 0.995};
	struct sample s = {.env = "bare",
	                   .workload = "cpu.int",
	                   .metric = "all",
	                   .unit = "ops/s",
	                   .better = BETTER_HIGHER,
	                   .values = (double *)b,
	                   .n_values = 4};
	assert_int_equal(run_add_sample(run, &s, NULL), 0);
	s.env = "container";
	s.values = (double *)c;
	s.n_values = 3;
	assert_int_equal(run_add_sample(run, &s, NULL), 0);
	run->overhead = overhead_for_run(run, "bare");
	run->density = json_pack("[{s:s, s:s, s:s, s:s, s:f, s:f, s:i, s:f, s:s, s:[]}]", "env",
	                         "container", "mode", "idle", "workload", "", "better", "higher",
	                         "qos", 0.9, "baseline", 0.0, "max_ok", (int)(8 * base / 100),
	                         "instances_per_gib", 0.3, "stop_reason", "reached --max", "steps");
}

static void write_run(const char *host, json_t *hj, double base, double scale, const char *reps)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/%s", tmp, host);
	struct run run;
	make_run(&run, host, hj, base, scale, reps);
	struct bench_error *err = NULL;
	if (run_write(&run, dir, &err) < 0)
		fail_msg("%s", err->msg);
	run_free(&run);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/test_merge.XXXXXX");
	assert_non_null(mkdtemp(tmp));
	write_run("a1", host_json("a1", "6.1.0-28-amd64", "madvise"), 100, 1.10, "3");
	write_run("a2", host_json("a2", "6.1.0-28-amd64", "madvise"), 101, 1.12, "3");
	write_run("b1", host_json("b1", "6.12.0-1-amd64", "never"), 80, 1.30, "3");
	write_run("odd", host_json("odd", "6.1.0-28-amd64", "madvise"), 100, 1.1, "9");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *argv[] = {"/bin/rm", "-rf", tmp, NULL};
	struct cmd_result r = run_cmd(argv);
	cmd_result_free(&r);
	return 0;
}

static void fingerprints(void **state)
{
	(void)state;
	char a[17], b[17], c[17], d[17];
	json_t *h1 = host_json("x", "6.1", "madvise"), *h2 = host_json("y", "6.1", "madvise"),
	       *h3 = host_json("x", "6.2", "madvise"), *h4 = host_json("x", "6.1", "never");
	assert_int_equal(fleet_fingerprint(h1, a), 0);
	assert_int_equal(fleet_fingerprint(h2, b), 0);
	assert_int_equal(fleet_fingerprint(h3, c), 0);
	assert_int_equal(fleet_fingerprint(h4, d), 0);
	assert_string_equal(a, b);     /* the host name is not part of it */
	assert_string_not_equal(a, c); /* the kernel is */
	assert_string_not_equal(a, d); /* and THP */
	assert_int_equal(strlen(a), 16);
	/* documented: FNV-1a 64 over the compact sorted JSON of the fields */
	json_t *empty = json_object();
	assert_int_equal(fleet_fingerprint(empty, a), 0);
	json_t *o = fleet_fingerprint_object(empty);
	char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(strstr(text, "\"arch\":null"));
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	char want[17];
	snprintf(want, sizeof(want), "%016llx", (unsigned long long)h);
	assert_string_equal(a, want);
	free(text);
	json_decref(o);
	json_decref(empty);
	json_decref(h1);
	json_decref(h2);
	json_decref(h3);
	json_decref(h4);
}

static void run_arguments(void **state)
{
	(void)state;
	struct merge_run r;
	struct bench_error *err = NULL;
	char arg[600];
	snprintf(arg, sizeof(arg), "%s/a1", tmp);
	assert_int_equal(merge_run_arg(arg, &r, NULL), 0);
	assert_string_equal(r.name, "a1");
	assert_non_null(strstr(r.file, "/a1/run.json"));
	snprintf(arg, sizeof(arg), "%s/a1/", tmp);
	assert_int_equal(merge_run_arg(arg, &r, NULL), 0);
	assert_string_equal(r.name, "a1");
	snprintf(arg, sizeof(arg), "%s/a1/run.json", tmp);
	assert_int_equal(merge_run_arg(arg, &r, NULL), 0);
	assert_string_equal(r.name, "a1");
	snprintf(arg, sizeof(arg), "node-7=%s/a1", tmp);
	assert_int_equal(merge_run_arg(arg, &r, NULL), 0);
	assert_string_equal(r.name, "node-7");
	snprintf(arg, sizeof(arg), "%s/missing", tmp);
	assert_int_equal(merge_run_arg(arg, &r, &err), -1);
	assert_non_null(strstr(err->msg, "no run directory or run file"));
	bench_error_free(&err);
	assert_int_equal(merge_run_arg("=x", &r, &err), -1);
	bench_error_free(&err);
}

static void args_for(struct merge_run *runs, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char arg[600];
		snprintf(arg, sizeof(arg), "%s/%s", tmp, names[i]);
		assert_int_equal(merge_run_arg(arg, &runs[i], NULL), 0);
	}
}

static void write_text(const char *name, const char *text)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void groups_and_absent(void **state)
{
	(void)state;
	const char *names[] = {"a1", "a2", "b1"};
	struct merge_run runs[3];
	args_for(runs, names, 3);
	write_text("hosts.json",
	           "[{\"host\": \"a1\", \"status\": \"ok\", \"group\": \"a\", \"exit_status\": 0},"
	           " {\"host\": \"a2\", \"status\": \"ok\", \"group\": \"a\", \"exit_status\": 1},"
	           " {\"host\": \"b1\", \"status\": \"ok\", \"group\": \"a\"},"
	           " {\"host\": \"c1\", \"status\": \"unreachable\", \"group\": \"c\","
	           "  \"step\": \"wait for bench\", \"reason\": \"host unreachable over SSH\"}]");
	char hosts[600];
	snprintf(hosts, sizeof(hosts), "%s/hosts.json", tmp);
	struct fleet f;
	struct bench_error *err = NULL;
	if (merge_fleet(&f, "camp", runs, 3, NULL, 0, hosts, &err) < 0)
		fail_msg("%s", err->msg);
	assert_int_equal(f.n_hosts, 3);
	assert_int_equal(f.hosts[1].exit_status, 1);
	assert_int_equal(f.hosts[2].exit_status, -1);
	assert_int_equal(f.n_absent, 1);
	assert_string_equal(f.absent[0].step, "wait for bench");
	/* group a mixes the 6.1/madvise hosts with the 6.12/never one */
	assert_int_equal(f.n_groups, 2);
	assert_string_equal(f.groups[0].name, "a");
	assert_true(f.groups[0].mixed);
	assert_int_equal(f.groups[0].n_fingerprints, 2);
	char *differs = json_dumps(f.groups[0].differs, JSON_COMPACT);
	assert_string_equal(differs, "[\"kernel\",\"thp\"]");
	free(differs);
	assert_false(f.groups[1].mixed); /* c: only an absent host */
	assert_int_equal(json_array_size(f.warnings), 1);
	assert_non_null(strstr(json_string_value(json_array_get(f.warnings, 0)), "group a mixes"));

	/* round trip through the file: the reader recomputes the same */
	assert_int_equal(fleet_write(&f, tmp, NULL), 0);
	fleet_free(&f);
	char path[600];
	snprintf(path, sizeof(path), "%s/fleet.json", tmp);
	if (fleet_read(path, &f, &err) < 0)
		fail_msg("%s", err->msg);
	assert_int_equal(f.n_hosts, 3);
	assert_int_equal(f.n_absent, 1);
	assert_true(f.groups[0].mixed);
	assert_string_equal(f.hosts[0].run.samples[0].workload, "cpu.int");
	fleet_free(&f);

	/* --group: a host twice, an unknown host */
	struct merge_group g[] = {{"x=a1,a2"}, {"y=a1"}};
	assert_int_equal(merge_fleet(&f, "camp", runs, 3, g, 2, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "already in group x"));
	bench_error_free(&err);
	struct merge_group g2[] = {{"x=a1,zz"}};
	assert_int_equal(merge_fleet(&f, "camp", runs, 3, g2, 1, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "no host \"zz\""));
	bench_error_free(&err);

	/* the status file and the RUNs must agree */
	write_text("h2.json", "[{\"host\": \"a1\", \"status\": \"failed\"}]");
	snprintf(hosts, sizeof(hosts), "%s/h2.json", tmp);
	assert_int_equal(merge_fleet(&f, "camp", runs, 1, NULL, 0, hosts, &err), -1);
	assert_non_null(strstr(err->msg, "listed as failed, yet"));
	bench_error_free(&err);
	write_text("h3.json", "[{\"host\": \"a1\", \"status\": \"ok\"}, {\"host\": \"a2\", "
	                      "\"status\": \"ok\"}]");
	snprintf(hosts, sizeof(hosts), "%s/h3.json", tmp);
	assert_int_equal(merge_fleet(&f, "camp", runs, 1, NULL, 0, hosts, &err), -1);
	assert_non_null(strstr(err->msg, "\"a2\" is listed as ok, but no RUN names it"));
	bench_error_free(&err);
	write_text("h4.json", "[{\"host\": \"a1\", \"status\": \"gone\"}]");
	snprintf(hosts, sizeof(hosts), "%s/h4.json", tmp);
	assert_int_equal(merge_fleet(&f, "camp", runs, 1, NULL, 0, hosts, &err), -1);
	assert_non_null(strstr(err->msg, "(valid: ok, failed, unreachable)"));
	bench_error_free(&err);
}

static void warnings_for_unmatched_runs(void **state)
{
	(void)state;
	const char *names[] = {"a1", "odd"};
	struct merge_run runs[2];
	args_for(runs, names, 2);
	struct fleet f;
	assert_int_equal(merge_fleet(&f, "camp", runs, 2, NULL, 0, NULL, NULL), 0);
	assert_int_equal(json_array_size(f.warnings), 1);
	const char *w = json_string_value(json_array_get(f.warnings, 0));
	/* --out differs (it names the host) and does not count; --reps does */
	assert_non_null(strstr(w, "different arguments"));
	assert_non_null(strstr(w, "--reps 9"));
	fleet_free(&f);
}

static void reader_rejects(void **state)
{
	(void)state;
	struct fleet f;
	struct bench_error *err = NULL;
	static const struct {
		const char *doc, *msg;
	} cases[] = {
	    {"{\"schema\": \"bench.run/1\"}", "this reader supports only \"bench.fleet/1\""},
	    {"{\"schema\": \"bench.fleet/1\", \"created\": \"x\", \"hosts\": []}",
	     "campaign: missing"},
	    {"{\"schema\": \"bench.fleet/1\", \"campaign\": \"c\", \"created\": \"x\"}",
	     "hosts: missing"},
	    {"{\"schema\": \"bench.fleet/1\", \"campaign\": \"c\", \"created\": \"x\", "
	     "\"hosts\": [{\"name\": \"h\"}]}",
	     "hosts[0].run: missing"},
	    {"{\"schema\": \"bench.fleet/1\", \"campaign\": \"c\", \"created\": \"x\", "
	     "\"hosts\": [{\"name\": \"h\", \"run\": {\"schema\": \"bench.run/1\", \"run_id\": "
	     "\"r\", \"created\": \"2026-01-01T00:00:00Z\", \"host\": {}, \"samples\": [1]}}]}",
	     "hosts[0].run: samples[0]: expected an object"},
	    {"{\"schema\": \"bench.fleet/1\", \"campaign\": \"c\", \"created\": \"x\", "
	     "\"hosts\": [], \"absent\": [{\"name\": \"h\", \"status\": \"late\"}]}",
	     "status must be \"failed\" or \"unreachable\""},
	    {"{\"schema\": \"bench.fleet/1\", \"campaign\": \"c\", \"created\": \"x\", "
	     "\"hosts\": [], \"absent\": [{\"name\": \"h\", \"status\": \"failed\"}, "
	     "{\"name\": \"h\", \"status\": \"failed\"}]}",
	     "appears twice"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *doc = json_loads(cases[i].doc, 0, NULL);
		assert_non_null(doc);
		assert_int_equal(fleet_from_json(doc, &f, &err), -1);
		if (strstr(err->msg, cases[i].msg) == NULL)
			fail_msg("case %zu: \"%s\" does not contain \"%s\"", i, err->msg,
			         cases[i].msg);
		bench_error_free(&err);
		json_decref(doc);
	}
}

static void welch_anova_values(void **state)
{
	(void)state;
	/* Two groups: F = Welch's t squared, df2 = Welch-Satterthwaite, p the
	 * same as Welch's t-test (computed independently by overhead.c). */
	const double a[] = {10.1, 10.3, 9.8, 10.0, 10.4}, b[] = {10.9, 11.2, 10.7, 11.5};
	const double *v[] = {a, b};
	size_t n[] = {5, 4};
	double F, df1, df2, p;
	assert_int_equal(welch_anova(v, n, 2, &F, &df1, &df2, &p), 0);
	struct overhead o;
	assert_int_equal(overhead_compute(b, 4, a, 5, BETTER_HIGHER, &o), 0);
	assert_float_equal(df1, 1, 1e-12);
	assert_float_equal(df2, o.df, 1e-9);
	assert_float_equal(p, o.p_value, 1e-9);
	/* Three groups, by hand: means 2, 5, 11; variances 1, 1, 4 (n = 3 each):
	 * w = 3, 3, 0.75; W = 6.75; mean_w = (6 + 15 + 8.25) / 6.75 = 4.3333;
	 * A = (3*5.4444 + 3*0.4444 + 0.75*44.4444) / 2 = 25.5;
	 * lambda = ((1-3/6.75)^2 + (1-3/6.75)^2 + (1-0.75/6.75)^2) / 2 = 0.70370;
	 * B = 1 + 2*1/8 * 0.70370 = 1.17593; F = 21.685; df2 = 8 / (3*0.70370) = 3.7895 */
	const double x[] = {1, 2, 3}, y[] = {4, 5, 6}, z[] = {9, 11, 13};
	const double *w3[] = {x, y, z};
	size_t n3[] = {3, 3, 3};
	assert_int_equal(welch_anova(w3, n3, 3, &F, &df1, &df2, &p), 0);
	assert_float_equal(F, 25.5 / (1 + 0.25 * (19.0 / 27.0)), 1e-9);
	assert_float_equal(df1, 2, 1e-12);
	assert_float_equal(df2, 8 / (3 * (19.0 / 27.0)), 1e-9);
	assert_true(p > 0.005 && p < 0.02);
	/* undefined: one group, a group of one value, no variance */
	assert_int_equal(welch_anova(v, n, 1, &F, &df1, &df2, &p), -1);
	size_t n1[] = {5, 1};
	assert_int_equal(welch_anova(v, n1, 2, &F, &df1, &df2, &p), -1);
	const double flat[] = {3, 3, 3};
	const double *vf[] = {x, flat};
	size_t nf[] = {3, 3};
	assert_int_equal(welch_anova(vf, nf, 2, &F, &df1, &df2, &p), -1);
}

static void spreads(void **state)
{
	(void)state;
	const char *names[] = {"a1", "a2", "b1"};
	struct merge_run runs[3];
	args_for(runs, names, 3);
	struct fleet f;
	assert_int_equal(merge_fleet(&f, "camp", runs, 3, NULL, 0, NULL, NULL), 0);
	struct fleet_spread *sp;
	size_t n;
	assert_int_equal(fleet_spreads(&f, &sp, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(sp[0].env, "bare"); /* bare first */
	assert_int_equal(sp[0].n, 3);
	assert_string_equal(f.hosts[sp[0].hosts[sp[0].worst]].name, "b1");
	assert_string_equal(f.hosts[sp[0].hosts[sp[0].best]].name, "a2");
	assert_float_equal(
	    sp[0].worst_vs_best,
	    sp[0].samples[sp[0].best]->stats.mean / sp[0].samples[sp[0].worst]->stats.mean, 1e-12);
	assert_true(sp[0].tested);
	assert_true(sp[0].differ); /* 80 against 100: far beyond 1% noise */
	fleet_spreads_free(sp, n);
	fleet_free(&f);
}

/* The real binary: bench merge, then bench report of the fleet. */
static void merge_and_report_cli(void **state)
{
	(void)state;
	const char *build = getenv("BENCH_BUILD");
	char bench[512], out[600], a1[600], a2[600], b1[600], grp[] = "--group";
	snprintf(bench, sizeof(bench), "%s/bench", build && *build ? build : "build");
	snprintf(out, sizeof(out), "%s/camp", tmp);
	snprintf(a1, sizeof(a1), "%s/a1", tmp);
	snprintf(a2, sizeof(a2), "%s/a2", tmp);
	snprintf(b1, sizeof(b1), "%s/b1", tmp);
	char *argv[] = {bench, "merge", "--out", out, grp, "a=a1,a2,b1", a1, a2, b1, NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 0)
		fail_msg("bench merge: %d %s", r.status, r.err);
	assert_non_null(strstr(r.out, "fleet camp: 3 hosts merged"));
	assert_non_null(strstr(r.out, "warning: group a mixes 2 host fingerprints"));
	cmd_result_free(&r);
	char *dup[] = {bench, "merge", "--out", out, a1, a1, NULL};
	r = run_cmd(dup);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "named twice"));
	cmd_result_free(&r);
	char *none[] = {bench, "merge", NULL};
	r = run_cmd(none);
	assert_int_equal(r.status, 2);
	cmd_result_free(&r);

	char *rep[] = {bench, "report", out, NULL};
	r = run_cmd(rep);
	if (r.status != 0)
		fail_msg("bench report: %d %s", r.status, r.err);
	cmd_result_free(&r);
	static const char *const files[] = {"report.html",
	                                    "summary.md",
	                                    "samples.csv",
	                                    "fleet-spread-bare.svg",
	                                    "fleet-overhead-container.png",
	                                    "fleet-density.svg"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[700];
		struct stat st;
		snprintf(path, sizeof(path), "%s/report/%s", out, files[i]);
		if (stat(path, &st) != 0 || st.st_size == 0)
			fail_msg("%s missing or empty", path);
	}
	char md_path[700];
	snprintf(md_path, sizeof(md_path), "%s/report/summary.md", out);
	FILE *f = fopen(md_path, "r");
	char *md = NULL;
	size_t len = 0;
	assert_true(getdelim(&md, &len, '\0', f) > 0);
	fclose(f);
	assert_non_null(strstr(md, "MIXED: hosts differ in [\"kernel\",\"thp\"]"));
	assert_non_null(strstr(md, "| bare | cpu.int / all | ops/s | 3 |"));
	assert_non_null(strstr(md, "(b1 vs a2)"));
	assert_non_null(strstr(md, "| a1 | container | cpu.int / all |"));
	assert_non_null(strstr(md, "Density per host"));
	free(md);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fingerprints),      cmocka_unit_test(run_arguments),
	    cmocka_unit_test(groups_and_absent), cmocka_unit_test(warnings_for_unmatched_runs),
	    cmocka_unit_test(reader_rejects),    cmocka_unit_test(welch_anova_values),
	    cmocka_unit_test(spreads),           cmocka_unit_test(merge_and_report_cli),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
