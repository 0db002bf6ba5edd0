/* bench report end to end: a run built in memory (two environments, a
 * workload with three units, request/response percentiles, a failed
 * sample, instance accounting, overhead) is written with run_write and
 * rendered by the real bench binary; then its files are checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <sys/stat.h>

#include "reports/overhead.h"
#include "testutil.h"

#define CPU_MODEL "BenchTest CPU 9000"

static char run_dir[1024]; /* short enough for a file name under it */
static size_t n_csv_rows;  /* data rows samples.csv must have */

static void add(struct run *run, const char *env, const char *workload, const char *metric,
                const char *unit, enum better better, const double *v, size_t n)
{
	json_t *config = json_pack("{s:{s:f, s:i, s:f}}", "instance", "cpu_s", 1.5, "mem_bytes",
	                           strcmp(env, "bare") == 0 ? 1048576 : 3145728, "start_s",
	                           strcmp(env, "bare") == 0 ? 0.001 : 0.065);
	struct sample s = {
	    .env = (char *)env,
	    .workload = (char *)workload,
	    .metric = (char *)metric,
	    .unit = (char *)unit,
	    .better = better,
	    .values = (double *)v,
	    .n_values = n,
	    .config = config,
	    .failed = n == 0,
	    .error = n == 0 ? "wl exited with status 2" : NULL,
	    .stderr_text = n == 0 ? "wl: os.syscall: boom\n" : NULL,
	};
	assert_int_equal(run_add_sample(run, &s, NULL), 0);
	json_decref(config);
	n_csv_rows += n > 0 ? n : 1;
}

/* Both environments; the container's values are `scale` times the bare ones
 * (plus a little jitter so that every sample has a spread). */
static void add_pair(struct run *run, const char *workload, const char *metric, const char *unit,
                     enum better better, double base, double scale)
{
	const double b[] = {base, base * 1.01, base * 0.99, base * 1.005};
	const double c[] = {base * scale, base * scale * 1.01, base * scale * 0.995};
	add(run, "bare", workload, metric, unit, better, b, 4);
	add(run, "container", workload, metric, unit, better, c, 3);
}

/* Two environments: bare runs cpu.int at 1, 2 and 4 instances (4 fails
 * QoS), the container only starts idle instances; qemu was not available. */
static void add_density(struct run *run)
{
	run->density = json_pack(
	    "[{s:s, s:s, s:s, s:s, s:f, s:f, s:i, s:f, s:s, s:["
	    "{s:i, s:[i], s:[f], s:[f], s:f, s:f, s:b},"
	    "{s:i, s:[i,i], s:[f,f], s:[f,f], s:f, s:f, s:b},"
	    "{s:i, s:[i,i,i,i], s:[f,f,f,f], s:[f,f,f,f], s:f, s:f, s:b}]},"
	    " {s:s, s:s, s:s, s:s, s:f, s:f, s:i, s:f, s:s, s:["
	    "{s:i, s:[i], s:[f], s:b}, {s:i, s:[i,i], s:[f,f], s:b}]}]",
	    "env", "bare", "mode", "workload", "workload", "cpu.int", "better", "higher", "qos",
	    0.9, "baseline", 123.5, "max_ok", 2, "instances_per_gib", 0.083, "stop_reason",
	    "QoS: 4 instances fell below 0.90", "steps", "instances", 1, "mem_bytes", 2097152,
	    "start_s", 0.002, "per_instance", 123.5, "aggregate", 123.5, "worst", 123.5, "qos_ok",
	    1, "instances", 2, "mem_bytes", 2097152, 3145728, "start_s", 0.002, 0.003,
	    "per_instance", 120.0, 118.0, "aggregate", 238.0, "worst", 118.0, "qos_ok", 1,
	    "instances", 4, "mem_bytes", 2097152, 3145728, 3145728, 4194304, "start_s", 0.002,
	    0.003, 0.004, 0.004, "per_instance", 80.0, 70.0, 75.0, 60.0, "aggregate", 285.0,
	    "worst", 60.0, "qos_ok", 0, "env", "container", "mode", "idle", "workload", "",
	    "better", "higher", "qos", 0.9, "baseline", 0.0, "max_ok", 2, "instances_per_gib",
	    0.083, "stop_reason", "reached --max 2", "steps", "instances", 1, "mem_bytes", 5242880,
	    "start_s", 0.065, "qos_ok", 1, "instances", 2, "mem_bytes", 5242880, 7340032, "start_s",
	    0.065, 0.070, "qos_ok", 1);
	assert_non_null(run->density);
	json_object_set_new(json_array_get(run->density, 0), "knee",
	                    json_pack("{s:i}", "instances", 2));
	/* bare spread its instances node by node: per-node results of step 2 */
	json_t *bare = json_array_get(run->density, 0);
	json_object_set_new(bare, "spread", json_string("nodes"));
	json_object_set_new(bare, "unit", json_string("ops/s"));
	json_object_set_new(json_array_get(json_object_get(bare, "steps"), 1), "per_node",
	                    json_pack("{s:{s:i, s:f, s:f}, s:{s:i, s:f, s:f}}", "0", "instances", 1,
	                              "aggregate", 120.0, "worst", 120.0, "1", "instances", 1,
	                              "aggregate", 118.0, "worst", 118.0));
	/* the container's projection (harness/run/density_project.c) */
	json_object_set_new(json_array_get(run->density, 1), "projected",
	                    json_pack("{s:f, s:f, s:f, s:s, s:f, s:{s:f, s:f, s:f, s:s}}",
	                              "instances", 1000.0, "low", 900.0, "high", 1200.0, "binding",
	                              "memory", "instances_per_gib", 41.7, "footprint", "bytes",
	                              10485760.0, "low", 8388608.0, "high", 12582912.0, "method",
	                              "memavailable_slope"));
	run->invocation = json_pack("{s:[s], s:[{s:s, s:b}, {s:s, s:b}, {s:s, s:b, s:s}]}", "argv",
	                            "bench", "environments", "name", "bare", "available", 1, "name",
	                            "container", "available", 1, "name", "qemu", "available", 0,
	                            "reason", "/dev/kvm is missing (no KVM here)");
	assert_non_null(run->invocation);
}

static int make_run(void **state)
{
	(void)state;
	char tmpl[PATH_MAX];
	assert_non_null(mkdtemp((char *)build_path("report-XXXXXX", tmpl)));
	assert_true(strlen(tmpl) < sizeof(run_dir));
	memcpy(run_dir, tmpl, strlen(tmpl) + 1);
	struct run run;
	run_init(&run, "report-test");
	run.host = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "hostname", "testhost", "kernel",
	                     "6.1.0-test", "cpu_model", CPU_MODEL, "hypervisor", "none",
	                     "memory_bytes", (json_int_t)25769803776, "bench_version", "0.1.0");
	const double exact[] = {123.25, 124.5, 122.75};
	add(&run, "bare", "cpu.int", "ops", "ops/s", BETTER_HIGHER, exact, 3);
	const double slower[] = {100.5, 101, 100.25};
	add(&run, "container", "cpu.int", "ops", "ops/s", BETTER_HIGHER, slower, 3);
	add_pair(&run, "mem.stream", "copy", "MB/s", BETTER_HIGHER, 30000, 1.0);
	add_pair(&run, "mem.stream", "triad", "MB/s", BETTER_HIGHER, 31000, 0.999);
	add_pair(&run, "net.tcp_stream", "throughput", "Gbit/s", BETTER_HIGHER, 30, 0.8);
	add_pair(&run, "net.tcp_stream", "cpu_send", "%", BETTER_LOWER, 50, 1.2);
	add_pair(&run, "net.tcp_stream", "retransmits", "count", BETTER_LOWER, 3, 1.5);
	add_pair(&run, "net.tcp_rr", "tps", "transactions/s", BETTER_HIGHER, 30000, 0.5);
	add_pair(&run, "net.tcp_rr", "lat_p50_us", "us", BETTER_LOWER, 30, 2);
	add_pair(&run, "net.tcp_rr", "lat_p90_us", "us", BETTER_LOWER, 35, 2.5);
	add_pair(&run, "net.tcp_rr", "lat_p99_us", "us", BETTER_LOWER, 45, 2.6);
	add_pair(&run, "net.tcp_rr", "lat_p999_us", "us", BETTER_LOWER, 70, 2.7);
	add(&run, "container", "os.syscall", "all", "ns/call", BETTER_LOWER, NULL, 0);
	run.overhead = overhead_for_run(&run, "bare");
	assert_non_null(run.overhead);
	add_density(&run);
	assert_int_equal(run_write(&run, run_dir, NULL), 0);
	run_free(&run);
	return 0;
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	char *text = NULL;
	size_t cap = 0;
	ssize_t n = getdelim(&text, &cap, '\0', f);
	fclose(f);
	*len = n > 0 ? (size_t)n : 0;
	return text;
}

/* name on PATH: its path in buf, or NULL. */
static const char *on_path(const char *name, char buf[PATH_MAX])
{
	const char *path = getenv("PATH");
	char copy[4096];
	snprintf(copy, sizeof(copy), "%s", path ? path : "");
	for (char *save, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(buf, PATH_MAX, "%s/%s", d, name);
		if (access(buf, X_OK) == 0)
			return buf;
	}
	return NULL;
}

static bool gnuplot_on_path(void)
{
	char buf[PATH_MAX];
	return on_path("gnuplot", buf) != NULL;
}

static void renders_everything(void **state)
{
	(void)state;
	if (!gnuplot_on_path()) {
		fprintf(stderr, "skipped: gnuplot is not on PATH (apt-get install gnuplot-nox)\n");
		skip();
	}
	char bench[PATH_MAX], report[PATH_MAX + 16];
	char *argv[] = {(char *)build_path("bench", bench), "report", run_dir, NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 0)
		fprintf(stderr, "%s%s", r.out, r.err);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "report.html"));
	snprintf(report, sizeof(report), "%s/report", run_dir);

	size_t len;
	char *csv = slurp(report, "samples.csv", &len);
	assert_non_null(csv);
	size_t lines = 0;
	for (char *p = csv; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 1 + n_csv_rows);
	assert_non_null(strstr(csv, "env,workload,metric,unit,better,rep,value,outlier,error\r\n"));
	assert_non_null(strstr(csv, "bare,cpu.int,ops,ops/s,higher,1,123.25,false,\r\n"));
	assert_non_null(strstr(csv, "container,os.syscall,all,ns/call,lower,,,,wl exited"));
	free(csv);

	char *md = slurp(report, "summary.md", &len);
	assert_non_null(md);
	const char *want_md[] = {
	    "cpu.int", "mem.stream", "net.tcp_stream", "net.tcp_rr", CPU_MODEL,
	    "| cpu.int | ops | 123.5 ± ", "significant, worse", "within noise",
	    "wl exited with status 2", "### Density",
	    "| bare | workload | cpu.int | 2 | QoS: 4 instances fell below 0.90 | 3.0 | - | 3.5 | "
	    "- | - | 0.083 | - | 2 |",
	    "| container | idle | - | 2 | reached --max 2 | 10.00 (8.00 .. 12.00, MemAvailable) | "
	    "- "
	    "| 67.5 | 1000 (900 .. 1200) | memory | 0.083 | - | - |",
	    "### Density: the published shape (per 16 GiB)",
	    "| container | 10.00 (8.00 .. 12.00) | 1474 (1228 .. 1843) | memory | 536 LXD "
	    "containers |",
	    "**Ran here:** bare, container.", "- qemu: /dev/kvm is missing (no KVM here)",
	    /* the answer, written from the figures */
	    "### The answer",
	    "bare and container on testhost (24 GiB, bare metal): 23 samples, 1 failed.",
	    "**container**: Memory within noise of bare (95% intervals within ±2%); CPU 23% "
	    "slower (cpu.int ops); network up to 2.7× slower (net.tcp_rr lat_p999_us; 8 of 8 "
	    "metrics significantly worse). 1 workload failed: os.syscall (exited with an error).",
	    "- net.tcp_rr lat_p999_us: 2.7× slower (slowdown 2.7, 95% CI 2.64–2.76; Welch t, "
	    "Fieller interval)",
	    "Density limit: 2 instances running cpu.int met the 0.90 QoS bar, 4 did not: bound "
	    "by CPU.",
	    "Per instance: starts in 67.5 ms, 6 MiB of host memory (median of 2 idle instances).",
	    "- *Conditions*: The run file does not record its conditions",
	    "### Density per NUMA node", "| bare | cpu.int | 2 | 0 | 1 | 120 | 120 | ops/s |",
	    "| bare | cpu.int | 2 | 1 | 1 | 118 | 118 | ops/s |"};
	for (size_t i = 0; i < sizeof(want_md) / sizeof(want_md[0]); i++)
		if (strstr(md, want_md[i]) == NULL)
			fail_msg("summary.md lacks '%s':\n%s", want_md[i], md);
	free(md);

	char *html = slurp(report, "report.html", &len);
	assert_non_null(html);
	assert_non_null(strstr(html, "<svg"));
	assert_non_null(strstr(html, CPU_MODEL));
	assert_non_null(strstr(html, "Fieller"));
	assert_non_null(strstr(html, "<li><strong>qemu</strong>: /dev/kvm is missing"));
	/* the answer comes before every chart and table */
	char *answer = strstr(html, "<section id=\"answer\">");
	assert_non_null(answer);
	assert_true(answer < strstr(html, "<svg"));
	assert_true(answer < strstr(html, "<table"));
	assert_non_null(strstr(answer, "<div class=\"answer-env tone-worse\" id=\"answer-1\">"));
	assert_true(strstr(html, "id=\"overview\"") < strstr(html, "id=\"workloads\""));
	assert_non_null(strstr(html, "<details><summary>Overhead table and heatmap</summary>"));
	assert_non_null(strstr(html, "Ran here: bare, container."));
	assert_non_null(strstr(html, "<td>QoS: 4 instances fell below 0.90</td>"));
	assert_non_null(strstr(html, "<td>reached --max 2</td>"));
	for (const char *p = html; (p = strstr(p, "http")) != NULL; p++)
		if (strncmp(p, "https://", 8) == 0 ||
		    (strncmp(p, "http://", 7) == 0 && strncmp(p, "http://www.w3.org/2000/svg", 26)))
			fail_msg("report.html refers to %.60s", p);
	free(html);

	const char *charts[] = {"overview",
	                        "bars-cpu.int-ops_s",
	                        "bars-mem.stream-MB_s",
	                        "bars-net.tcp_stream-Gbit_s",
	                        "bars-net.tcp_stream-pct",
	                        "bars-net.tcp_stream-count",
	                        "bars-net.tcp_rr-transactions_s",
	                        "latency-net.tcp_rr",
	                        "overhead",
	                        "instance",
	                        "density-cpu.int",
	                        "density-footprint",
	                        "density-start"};
	for (size_t i = 0; i < sizeof(charts) / sizeof(charts[0]); i++) {
		char name[256];
		snprintf(name, sizeof(name), "%s.svg", charts[i]);
		char *svg = slurp(report, name, &len);
		if (svg == NULL || strstr(svg, "<svg") == NULL)
			fail_msg("%s missing or not SVG", name);
		free(svg);
		snprintf(name, sizeof(name), "%s.png", charts[i]);
		char *png = slurp(report, name, &len);
		if (png == NULL || len < 8 || memcmp(png, "\x89PNG\r\n\x1a\n", 8) != 0)
			fail_msg("%s missing or not PNG", name);
		free(png);
	}
	/* the density chart marks the study's limit and knee */
	char *dens = slurp(report, "density-cpu.int.svg", &len);
	assert_non_null(dens);
	assert_non_null(strstr(dens, "bare: limit 2"));
	assert_non_null(strstr(dens, "bare: knee 2"));
	free(dens);
	/* no temporary directory left behind */
	DIR *d = opendir(report);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		if (strncmp(e->d_name, ".report.", 8) == 0)
			fail_msg("left behind: %s", e->d_name);
	closedir(d);
	cmd_result_free(&r);
}

/* The rendered report.html in headless Chromium: tests/report_check.html
 * loads it in a frame and checks that the answer is visible in the first
 * screen, every chart drew and every image loaded, and sorts a table;
 * Chromium's log must hold no console message from the page. A screenshot
 * of the first screen is kept as $BENCH_BUILD/tests/report-front.png. */
static void in_a_browser(void **state)
{
	(void)state;
	char chromium[PATH_MAX], bench[PATH_MAX], out[PATH_MAX], html[PATH_MAX + 16],
	    check[PATH_MAX], profile[PATH_MAX + 32], shot[PATH_MAX];
	if (!gnuplot_on_path() || on_path("chromium", chromium) == NULL) {
		fprintf(stderr, "skipped: needs gnuplot and chromium (scripts/deps.sh installs "
		                "both)\n");
		skip();
	}
	snprintf(out, sizeof(out), "%s/browser", run_dir);
	char *render[] = {
	    (char *)build_path("bench", bench), "report", "--out", out, run_dir, NULL};
	struct cmd_result r = run_cmd(render);
	assert_int_equal(r.status, 0);
	cmd_result_free(&r);
	char abs_out[PATH_MAX];
	assert_non_null(realpath(out, abs_out));
	assert_non_null(realpath("tests/report_check.html", check));
	snprintf(html, sizeof(html), "%s/report.html", abs_out);
	snprintf(profile, sizeof(profile), "%s/chromium-profile", abs_out);
	char url[3 * PATH_MAX], profile_arg[PATH_MAX + 64];
	snprintf(url, sizeof(url), "file://%s?r=file://%s", check, html);
	snprintf(profile_arg, sizeof(profile_arg), "--user-data-dir=%s", profile);
	char *dump[] = {chromium,
	                "--headless",
	                "--no-sandbox",
	                "--disable-gpu",
	                profile_arg,
	                "--allow-file-access-from-files",
	                "--enable-logging=stderr",
	                "--v=0",
	                "--virtual-time-budget=10000",
	                "--dump-dom",
	                url,
	                NULL};
	r = run_cmd_bounded(dump, 120);
	char *result = strstr(r.out, "<pre id=\"result\">");
	if (r.status != 0 || result == NULL || strncmp(result + 17, "OK ", 3) != 0)
		fail_msg("chromium (status %d): %.400s\n%.2000s", r.status, result ? result : r.out,
		         r.err);
	for (const char *p = r.err; (p = strstr(p, ":CONSOLE")) != NULL; p++)
		if (strstr(p, "report.html") != NULL && strstr(p, "report.html") < strchr(p, '\n'))
			fail_msg("console message from report.html: %.300s", p);
	fprintf(stderr, "browser: %.*s\n", (int)strcspn(result + 17, "<"), result + 17);
	cmd_result_free(&r);

	char shot_dir[PATH_MAX], shot_arg[PATH_MAX + 64], page[PATH_MAX + 32];
	assert_non_null(realpath(build_path("tests", shot), shot_dir));
	snprintf(shot_arg, sizeof(shot_arg), "--screenshot=%s/report-front.png", shot_dir);
	snprintf(page, sizeof(page), "file://%s", html);
	char *screenshot[] = {chromium,
	                      "--headless",
	                      "--no-sandbox",
	                      "--disable-gpu",
	                      profile_arg,
	                      "--hide-scrollbars",
	                      "--window-size=1280,1400",
	                      shot_arg,
	                      page,
	                      NULL};
	r = run_cmd_bounded(screenshot, 120);
	if (r.status != 0)
		fail_msg("chromium --screenshot: status %d\n%.2000s", r.status, r.err);
	cmd_result_free(&r);
	size_t len;
	char *png = slurp(shot_dir, "report-front.png", &len);
	if (png == NULL || len < 8 || memcmp(png, "\x89PNG\r\n\x1a\n", 8) != 0)
		fail_msg("no screenshot in %s/report-front.png", shot_dir);
	free(png);
}

/* --out puts the report elsewhere. */
static void out_option(void **state)
{
	(void)state;
	if (!gnuplot_on_path()) {
		fprintf(stderr, "skipped: gnuplot is not on PATH (apt-get install gnuplot-nox)\n");
		skip();
	}
	char bench[PATH_MAX], out[PATH_MAX], file[PATH_MAX + 16];
	snprintf(out, sizeof(out), "%s/elsewhere", run_dir);
	char *argv[] = {(char *)build_path("bench", bench), "report", "--out", out, run_dir, NULL};
	struct cmd_result r = run_cmd(argv);
	assert_int_equal(r.status, 0);
	snprintf(file, sizeof(file), "%s/summary.md", out);
	assert_int_equal(access(file, R_OK), 0);
	cmd_result_free(&r);
}

/* Without gnuplot nothing is written and the message says what to install. */
static void gnuplot_required(void **state)
{
	(void)state;
	char bench[PATH_MAX], out[PATH_MAX];
	snprintf(out, sizeof(out), "%s/nognuplot", run_dir);
	char *argv[] = {(char *)build_path("bench", bench), "report", run_dir, "--out", out, NULL};
	char *saved = strdup(getenv("PATH") ? getenv("PATH") : "");
	setenv("PATH", "/nonexistent", 1);
	struct cmd_result r = run_cmd(argv);
	setenv("PATH", saved, 1);
	free(saved);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "gnuplot is required"));
	assert_non_null(strstr(r.err, "apt-get install gnuplot-nox"));
	assert_int_equal(access(out, F_OK), -1);
	cmd_result_free(&r);
}

static void errors(void **state)
{
	(void)state;
	char bench[PATH_MAX], bad[PATH_MAX], file[PATH_MAX + 16];
	build_path("bench", bench);
	char *missing[] = {bench, "report", "/nonexistent/run", NULL};
	struct cmd_result r = run_cmd(missing);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "/nonexistent/run/run.json"));
	cmd_result_free(&r);

	snprintf(bad, sizeof(bad), "%s/bad", run_dir);
	assert_int_equal(mkdir(bad, 0755), 0);
	snprintf(file, sizeof(file), "%s/run.json", bad);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fputs("{\"schema\": \"bench.run/1\", ", f);
	fclose(f);
	char *malformed[] = {bench, "report", bad, NULL};
	r = run_cmd(malformed);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "run.json"));
	cmd_result_free(&r);

	char *option[] = {bench, "report", run_dir, "--bogus", NULL};
	r = run_cmd(option);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "--bogus"));
	cmd_result_free(&r);
	char *none[] = {bench, "report", NULL};
	r = run_cmd(none);
	assert_int_equal(r.status, 2);
	cmd_result_free(&r);
}

/* A bench tco evaluation beside the run (what bench all --cost-model
 * writes): the answer gives each scenario's cost per instance and
 * report.html links the cost page. */
static void with_cost_model(void **state)
{
	(void)state;
	if (!gnuplot_on_path()) {
		fprintf(stderr, "skipped: gnuplot is not on PATH (apt-get install gnuplot-nox)\n");
		skip();
	}
	char model[PATH_MAX + 16], tco[PATH_MAX + 16], bench[PATH_MAX], report[PATH_MAX + 16];
	snprintf(model, sizeof(model), "%s/model.yaml", run_dir);
	snprintf(tco, sizeof(tco), "%s/tco", run_dir);
	FILE *f = fopen(model, "w");
	assert_non_null(f);
	fputs("name: test-model\ntitle: t\nsource: test\ncurrency: USD\ndisplay_unit: 1\n"
	      "period_years: 5\nbaseline: servers\nplatforms:\n"
	      "  physical:\n    kind: physical\n    server_cost: 5000\n"
	      "    maintenance: {per_server: 420, per_os: 350}\n"
	      "  processes:\n    kind: virtual\n    server_cost: 7000\n"
	      "    maintenance: {per_server: 420, per_platform: 350}\n"
	      "scenarios:\n  - name: servers\n    platform: physical\n    servers: 2\n"
	      "  - name: processes\n    platform: processes\n"
	      "    density: {env: bare, workload: cpu.int, qos: 0.9}\n",
	      f);
	fclose(f);
	char *tco_argv[] = {
	    (char *)build_path("bench", bench), "tco", model, "--run", run_dir, "--out", tco, NULL};
	struct cmd_result r = run_cmd(tco_argv);
	if (r.status != 0)
		fail_msg("bench tco: %s%s", r.out, r.err);
	cmd_result_free(&r);
	char *argv[] = {bench, "report", run_dir, NULL};
	r = run_cmd(argv);
	assert_int_equal(r.status, 0);
	cmd_result_free(&r);
	snprintf(report, sizeof(report), "%s/report", run_dir);
	size_t len;
	char *html = slurp(report, "report.html", &len);
	assert_non_null(html);
	const char *want[] = {
	    "<p class=\"cost\" id=\"cost\">Cost model test-model over 5 years, per instance and "
	    "year: servers ",
	    " USD (the baseline); processes ", "guests per server measured by this run.",
	    "<a href=\"../tco/tco.html\">The cost page</a>"};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strstr(html, want[i]) == NULL)
			fail_msg("report.html lacks '%s'", want[i]);
	free(html);
}

static int remove_run(void **state)
{
	(void)state;
	char *argv[] = {"/bin/rm", "-rf", run_dir, NULL};
	struct cmd_result r = run_cmd(argv);
	cmd_result_free(&r);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(renders_everything),
	    cmocka_unit_test(in_a_browser),
	    cmocka_unit_test(out_option),
	    cmocka_unit_test(gnuplot_required),
	    cmocka_unit_test(errors),
	    cmocka_unit_test(with_cost_model),
	};
	return cmocka_run_group_tests_name("report", tests, make_run, remove_run);
}
