/* bench tco as a user runs it: the seed model's table, JSON, CSV, the
 * --out directory, usage and model errors, exit statuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <sys/stat.h>

#include "tests/testutil.h"

#define SEED "reports/models/seed-002-consolidation.yaml"

static char bench[PATH_MAX], tmp_dir[PATH_MAX];

static struct cmd_result tco(const char *a1, const char *a2, const char *a3, const char *a4)
{
	char *argv[] = {bench, "tco", (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL};
	return run_cmd_bounded(argv, 120);
}

static int setup(void **state)
{
	(void)state;
	build_path("bench", bench);
	if (access(SEED, R_OK) != 0) /* run from the tree's top, as make test does */
		return -1;
	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/test_tco_cli_%d", (int)getpid());
	return mkdir(tmp_dir, 0755);
}

static int teardown(void **state)
{
	(void)state;
	remove_tree(tmp_dir);
	return 0;
}

static void seed_table(void **state)
{
	(void)state;
	struct cmd_result r = tco(SEED, NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	static const char *const want[] = {
	    "VMware, 8 guests  TCO over the period       58.52      58.10       58.52  implied [1]",
	    "                  saving / instance / yr     3.13       0.32        3.13  implied [4]",
	    "[1] server maintenance counted for 6 years instead of the period's 5",
	    "21 printed figures: 2 agree with the model's arithmetic, 4 follow",
	    "15 hold only under an assumption above, 0 are unexplained",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strstr(r.out, want[i]) == NULL)
			fail_msg("missing '%s' in:\n%s", want[i], r.out);
	assert_string_equal(r.err, "");
	cmd_result_free(&r);
}

static void json_and_csv(void **state)
{
	(void)state;
	struct cmd_result r = tco(SEED, "--json", NULL, NULL);
	assert_int_equal(r.status, 0);
	json_error_t e;
	json_t *doc = json_loads(r.out, 0, &e);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "schema")), "bench.tco/1");
	json_t *sc = json_object_get(doc, "scenarios");
	assert_int_equal(json_array_size(sc), 7);
	json_t *vm8 = json_array_get(sc, 2);
	assert_string_equal(json_string_value(json_object_get(vm8, "name")), "VMware, 8 guests");
	assert_true(json_real_value(json_object_get(vm8, "tco")) == 58100.0);
	assert_true(json_real_value(json_object_get(vm8, "cost_per_instance_year")) == 1452.5);
	json_t *sav = json_array_get(json_object_get(vm8, "published"), 2);
	assert_string_equal(json_string_value(json_object_get(sav, "printed")), "3.13");
	assert_string_equal(json_string_value(json_object_get(sav, "status")), "implied");
	assert_true(json_real_value(json_object_get(sav, "reproduced")) == 3128.0);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(doc, "published"), "unexplained")),
	    0);
	/* money is written to the cent, not as binary noise */
	assert_null(strstr(r.out, "0000000"));
	json_decref(doc);
	cmd_result_free(&r);

	r = tco(SEED, "--csv", NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "scenario,platform,kind,servers,guests_per_server,"));
	assert_non_null(strstr(r.out, "\"VMware, 8 guests\",vmware,virtual,1,8,8,8,fixed,58100.00,"
	                              "1452.50,,,317.50,0.820621,"));
	cmd_result_free(&r);
}

static void out_directory(void **state)
{
	(void)state;
	char *which[] = {"/bin/sh", "-c", "command -v gnuplot", NULL};
	struct cmd_result w = run_cmd_bounded(which, 30);
	int found = w.status;
	cmd_result_free(&w);
	if (found != 0) {
		fprintf(stderr, "skipped: gnuplot is not on PATH (apt-get install gnuplot-nox)\n");
		skip();
	}
	char out[PATH_MAX + 8];
	snprintf(out, sizeof(out), "%s/out", tmp_dir);
	struct cmd_result r = tco(SEED, "--out", out, NULL);
	assert_int_equal(r.status, 0);
	static const char *const files[] = {
	    "tco.json",           "tco.csv",      "tco-sensitivity.csv", "tco-break-even.csv",
	    "tco-published.csv",  "tco-cost.svg", "tco-cost.png",        "tco-break-even.png",
	    "tco-components.svg", "tco.html"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[PATH_MAX * 2];
		snprintf(path, sizeof(path), "%s/%s", out, files[i]);
		if (access(path, R_OK) != 0)
			fail_msg("%s was not written", path);
	}
	assert_true(dir_has_entries(out, "tco-tornado-VMware__8_guests"));
	assert_false(dir_has_entries(out, ".report"));
	char page[PATH_MAX * 2];
	snprintf(page, sizeof(page), "%s/tco.html", out);
	FILE *f = fopen(page, "r");
	assert_non_null(f);
	char *html = NULL;
	size_t cap = 0;
	assert_true(getdelim(&html, &cap, '\0', f) > 0);
	fclose(f);
	assert_non_null(strstr(html, "<section id=\"tco\">"));
	assert_non_null(strstr(html, "<svg"));
	assert_non_null(strstr(html, "server maintenance counted for 6 years"));
	free(html);
	cmd_result_free(&r);
	/* --out on a file: nothing written, an error naming it */
	char file[PATH_MAX * 2];
	snprintf(file, sizeof(file), "%s/tco.json", out);
	r = tco(SEED, "--out", file, NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, file));
	cmd_result_free(&r);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *const head = "name: m\nperiod_years: 2\nbaseline: a\nplatforms:\n"
                                "  p: {kind: physical, server_cost: 100}\n"
                                "  v: {kind: virtual, server_cost: 300}\nscenarios:\n"
                                "  - {name: a, platform: p}\n";

/* model = head + scenario; bench tco on it exits 1 with out_has in stdout
 * (when not NULL) and err_has in stderr. */
static void expect_failure(const char *model, const char *scenario, const char *out_has,
                           const char *err_has)
{
	char text[1024];
	snprintf(text, sizeof(text), "%s%s", head, scenario);
	write_file(model, text);
	struct cmd_result r = tco(model, NULL, NULL, NULL);
	assert_int_equal(r.status, 1);
	if (out_has != NULL && strstr(r.out, out_has) == NULL)
		fail_msg("'%s' not in: %s", out_has, r.out);
	if (strstr(r.err, err_has) == NULL)
		fail_msg("'%s' not in: %s", err_has, r.err);
	cmd_result_free(&r);
}

static void errors_and_statuses(void **state)
{
	(void)state;
	struct cmd_result r = tco("--help", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "usage: bench tco MODEL"));
	cmd_result_free(&r);
	const char *usage[][3] = {{NULL, NULL, NULL},
	                          {SEED, "--bogus", NULL},
	                          {SEED, "--json", "--csv"},
	                          {SEED, "--swing", "0"},
	                          {SEED, SEED, NULL}};
	for (size_t i = 0; i < sizeof(usage) / sizeof(usage[0]); i++) {
		r = tco(usage[i][0], usage[i][1], usage[i][2], NULL);
		assert_int_equal(r.status, 2);
		assert_non_null(strstr(r.err, "see bench tco --help"));
		cmd_result_free(&r);
	}
	char model[PATH_MAX + 16];
	snprintf(model, sizeof(model), "%s/m.yaml", tmp_dir);
	/* a typo, located; a printed figure nothing reproduces (shown, exit 1);
	 * guests from a run without --run */
	expect_failure(model, "  - {name: b, platform: p, servers: 2, sever_cost: 1}\n", NULL,
	               ":9:40: /scenarios/1/.key(sever_cost): unknown key 'sever_cost'");
	expect_failure(model, "  - {name: b, platform: p, published: {tco: 123.45}}\n",
	               "UNEXPLAINED", "1 published figure(s) reproduced by nothing");
	expect_failure(model,
	               "  - {name: b, platform: v, density: {env: container, workload: idle}}\n",
	               NULL, "pass --run RUN_DIR");
	r = tco(model, "--run", tmp_dir, NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "run.json"));
	cmd_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(seed_table),
	    cmocka_unit_test(json_and_csv),
	    cmocka_unit_test(out_directory),
	    cmocka_unit_test(errors_and_statuses),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
