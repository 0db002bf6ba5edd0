/* CLI parsing: bench run's options and the workload catalog/selection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "harness/core/catalog.h"
#include "harness/core/run_options.h"

#define ARGS(...)                                                                                  \
	char *argv[] = {"run", __VA_ARGS__, NULL};                                                 \
	int argc = sizeof(argv) / sizeof(argv[0]) - 1

static void defaults(void **state)
{
	(void)state;
	ARGS("--env", "bare", "--workload", "cpu.int");
	struct run_options o;
	assert_int_equal(run_options_parse(argc, argv, &o, NULL), 0);
	assert_string_equal(o.env, "bare");
	assert_string_equal(o.workloads, "cpu.int");
	assert_int_equal(o.min_reps, 3);
	assert_int_equal(o.max_reps, 10);
	assert_true(o.target_ci == 2.0);
	assert_int_equal(o.threads, 1);
	assert_int_equal(o.numa, -1);
	assert_null(o.cpus);
	assert_false(o.json || o.quiet || o.help);
}

static void every_option(void **state)
{
	(void)state;
	ARGS("--env=bare", "--workload", "a,b", "--min-reps", "2", "--max-reps", "7", "--target-ci",
	     "0.5", "--threads", "2", "--cpus", "0-1", "--numa", "0", "--out", "/tmp/x", "--json",
	     "--quiet", "--size", "64K", "--duration", "0.1", "--iterations", "5", "--timeout",
	     "30");
	struct run_options o;
	assert_int_equal(run_options_parse(argc, argv, &o, NULL), 0);
	assert_int_equal(o.min_reps, 2);
	assert_int_equal(o.max_reps, 7);
	assert_true(o.target_ci == 0.5);
	assert_int_equal(o.threads, 2);
	assert_string_equal(o.cpus, "0-1");
	assert_int_equal(o.numa, 0);
	assert_string_equal(o.out_dir, "/tmp/x");
	assert_true(o.json && o.quiet);
	assert_string_equal(o.size, "64K");
	assert_string_equal(o.duration, "0.1");
	assert_string_equal(o.iterations, "5");
	assert_true(o.timeout_s == 30);
}

static void guest_options(void **state)
{
	(void)state;
	ARGS("--env", "qemu", "--workload", "a", "--memory", "256M", "--accel", "tcg", "--kernel",
	     "/k", "--initrd", "/i", "--disk-size", "64MiB", "--xen-mode", "pv");
	struct run_options o;
	assert_int_equal(run_options_parse(argc, argv, &o, NULL), 0);
	assert_string_equal(o.accel, "tcg");
	assert_string_equal(o.kernel, "/k");
	assert_string_equal(o.initrd, "/i");
	assert_string_equal(o.xen_mode, "pv");
	uint64_t v = 0;
	assert_int_equal(run_options_bytes(o.memory, &v), 0);
	assert_int_equal(v, 256ull << 20);
	assert_int_equal(run_options_bytes(o.disk_size, &v), 0);
	assert_int_equal(v, 64ull << 20);
	assert_int_equal(run_options_bytes("1G", &v), 0);
	assert_int_equal(v, 1ull << 30);
	assert_int_equal(run_options_bytes("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(run_options_bytes("2KB", &v), 0);
	assert_int_equal(v, 2048);
	assert_int_equal(run_options_bytes("-1", &v), -1);
	assert_int_equal(run_options_bytes("1X", &v), -1);
	assert_int_equal(run_options_bytes("G", &v), -1);
	assert_int_equal(run_options_bytes("99999999999T", &v), -1);
}

static void reps_sets_both(void **state)
{
	(void)state;
	ARGS("--env", "bare", "--workload", "all", "--reps", "4");
	struct run_options o;
	assert_int_equal(run_options_parse(argc, argv, &o, NULL), 0);
	assert_int_equal(o.min_reps, 4);
	assert_int_equal(o.max_reps, 4);
}

static void help_flag(void **state)
{
	(void)state;
	ARGS("--help");
	struct run_options o;
	assert_int_equal(run_options_parse(argc, argv, &o, NULL), 0);
	assert_true(o.help);
	assert_non_null(strstr(run_options_usage, "--target-ci"));
}

static void expect_usage_error(int argc, char *argv[], const char *fragment)
{
	struct run_options o;
	struct bench_error *err = NULL;
	assert_int_equal(run_options_parse(argc, argv, &o, &err), -1);
	assert_non_null(err);
	if (strstr(err->msg, fragment) == NULL)
		fail_msg("error '%s' lacks '%s'", err->msg, fragment);
	bench_error_free(&err);
}

static void usage_errors(void **state)
{
	(void)state;
	{
		ARGS("--workload", "cpu.int");
		expect_usage_error(argc, argv, "--env");
	}
	{
		ARGS("--env", "bare");
		expect_usage_error(argc, argv, "--workload");
	}
	{
		ARGS("--env", "bare", "--workload", "x", "--frobnicate");
		expect_usage_error(argc, argv, "valid: --env");
	}
	{
		ARGS("--env", "bare", "--workload", "x", "--reps", "0");
		expect_usage_error(argc, argv, "--reps");
	}
	{
		ARGS("--env", "bare", "--workload", "x", "--threads", "two");
		expect_usage_error(argc, argv, "--threads");
	}
	{
		ARGS("--env", "bare", "--workload", "x", "--min-reps", "5", "--max-reps", "4");
		expect_usage_error(argc, argv, "--max-reps");
	}
	{
		ARGS("--env", "bare", "--workload", "x", "--target-ci", "-1");
		expect_usage_error(argc, argv, "--target-ci");
	}
	{
		ARGS("--env", "bare", "--workload", "x", "--duration", "abc");
		expect_usage_error(argc, argv, "--duration");
	}
	{
		ARGS("--env", "bare", "--workload", "x", "stray");
		expect_usage_error(argc, argv, "stray");
	}
	{
		ARGS("--env", "bare", "--workload");
		expect_usage_error(argc, argv, "needs a value");
	}
	{
		ARGS("--env", "qemu", "--workload", "x", "--accel", "hvf");
		expect_usage_error(argc, argv, "valid values are auto, kvm, tcg");
	}
	{
		ARGS("--env", "xen", "--workload", "x", "--xen-mode", "hvm2");
		expect_usage_error(argc, argv, "pvh, pv, hvm");
	}
	{
		ARGS("--env", "qemu", "--workload", "x", "--memory", "1M");
		expect_usage_error(argc, argv, "--memory");
	}
	{
		ARGS("--env", "qemu", "--workload", "x", "--disk-size", "lots");
		expect_usage_error(argc, argv, "--disk-size");
	}
}

static const char catalog_json[] =
    "[{\"name\":\"cpu.int\",\"description\":\"d1\",\"unit\":\"ops/s\",\"better\":\"higher\","
    "\"params\":[\"threads\",\"duration\"]},"
    "{\"name\":\"os.syscall\",\"description\":\"d2\",\"unit\":\"ns/call\",\"better\":\"lower\","
    "\"params\":[\"threads\",\"duration\",\"iterations\"]}]";

static void catalog_parsing(void **state)
{
	(void)state;
	struct catalog c;
	assert_int_equal(catalog_parse(catalog_json, &c, NULL), 0);
	assert_int_equal(c.n, 2);
	const struct wl_info *w = catalog_find(&c, "os.syscall");
	assert_non_null(w);
	assert_int_equal(w->better, BETTER_LOWER);
	assert_true(wl_info_takes(w, "iterations"));
	assert_false(wl_info_takes(&c.items[0], "iterations"));
	assert_null(catalog_find(&c, "nope"));

	size_t *sel = NULL, n = 0;
	assert_int_equal(catalog_select(&c, "all", &sel, &n, NULL), 0);
	assert_int_equal(n, 2);
	free(sel);
	assert_int_equal(catalog_select(&c, "os.syscall,cpu.int,os.syscall", &sel, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_int_equal(sel[0], 1);
	assert_int_equal(sel[1], 0);
	free(sel);
	struct bench_error *err = NULL;
	assert_int_equal(catalog_select(&c, "cpu.int,bogus", &sel, &n, &err), -1);
	assert_non_null(strstr(err->msg, "bogus"));
	assert_non_null(strstr(err->msg, "cpu.int, os.syscall"));
	bench_error_free(&err);
	catalog_free(&c);
}

static void catalog_rejects_malformed(void **state)
{
	(void)state;
	const char *bad[] = {
	    "",
	    "{}",
	    "[]",
	    "[1]",
	    "[{\"name\":\"x\"}]",
	    "[{\"name\":\"x\",\"description\":\"d\",\"unit\":\"u\",\"better\":\"up\","
	    "\"params\":[]}]",
	    "[{\"name\":\"x\",\"description\":\"d\",\"unit\":\"u\",\"better\":\"higher\","
	    "\"params\":[1]}]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct catalog c;
		struct bench_error *err = NULL;
		assert_int_equal(catalog_parse(bad[i], &c, &err), -1);
		assert_non_null(err);
		bench_error_free(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults),        cmocka_unit_test(every_option),
	    cmocka_unit_test(guest_options),   cmocka_unit_test(reps_sets_both),
	    cmocka_unit_test(help_flag),       cmocka_unit_test(usage_errors),
	    cmocka_unit_test(catalog_parsing), cmocka_unit_test(catalog_rejects_malformed),
	};
	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
