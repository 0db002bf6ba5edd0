/* The generated OCI bundle: config.json content and the root filesystem. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/env/container/ct.h"
#include "harness/env/container/oci.h"
#include "testutil.h"

static bool has_namespace(json_t *config, const char *type, const char **path)
{
	json_t *ns = json_object_get(json_object_get(config, "linux"), "namespaces");
	for (size_t i = 0; i < json_array_size(ns); i++) {
		json_t *e = json_array_get(ns, i);
		if (strcmp(json_string_value(json_object_get(e, "type")), type) == 0) {
			if (path)
				*path = json_string_value(json_object_get(e, "path"));
			return true;
		}
	}
	return false;
}

static void bridged_config(void **state)
{
	(void)state;
	struct oci_spec s = {.hostname = "h",
	                     .cpus = "0-1",
	                     .numa_node = 0,
	                     .memory_bytes = 1 << 30,
	                     .netns_path = "/run/netns/x",
	                     .scratch_dir = "/data/scratch",
	                     .cgroups_path = "/bench/x"};
	json_t *c = oci_config(&s);
	assert_non_null(c);
	json_t *proc = json_object_get(c, "process");
	assert_false(json_is_true(json_object_get(proc, "terminal")));
	assert_true(json_is_true(json_object_get(proc, "noNewPrivileges")));
	json_t *args = json_object_get(proc, "args");
	assert_string_equal(json_string_value(json_array_get(args, 0)), "/wl");
	assert_string_equal(json_string_value(json_array_get(args, 1)), "agent");
	const char *path = NULL;
	for (const char *const *t = (const char *const[]){"pid", "mount", "ipc", "uts", NULL}; *t;
	     t++)
		assert_true(has_namespace(c, *t, NULL));
	assert_true(has_namespace(c, "network", &path));
	assert_string_equal(path, "/run/netns/x");
	json_t *res = json_object_get(json_object_get(c, "linux"), "resources");
	json_t *cpu = json_object_get(res, "cpu");
	assert_string_equal(json_string_value(json_object_get(cpu, "cpus")), "0-1");
	assert_string_equal(json_string_value(json_object_get(cpu, "mems")), "0");
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(res, "memory"), "limit")), 1 << 30);
	assert_true(json_is_true(json_object_get(json_object_get(c, "root"), "readonly")));
	json_t *mounts = json_object_get(c, "mounts");
	bool scratch = false;
	for (size_t i = 0; i < json_array_size(mounts); i++) {
		json_t *m = json_array_get(mounts, i);
		if (strcmp(json_string_value(json_object_get(m, "destination")), "/data/scratch") ==
		    0)
			scratch =
			    strcmp(json_string_value(json_object_get(m, "type")), "bind") == 0;
	}
	assert_true(scratch);
	json_decref(c);
}

static void host_network_config(void **state)
{
	(void)state;
	const char *args[] = {"/wl", "--version", NULL};
	struct oci_spec s = {.hostname = "h",
	                     .cpus = "1",
	                     .numa_node = -1,
	                     .memory_bytes = 1 << 20,
	                     .cgroups_path = "/bench/y",
	                     .args = args};
	json_t *c = oci_config(&s);
	assert_false(has_namespace(c, "network", NULL));
	json_t *cpu =
	    json_object_get(json_object_get(json_object_get(c, "linux"), "resources"), "cpu");
	assert_null(json_object_get(cpu, "mems"));
	assert_null(json_object_get(cpu, "quota")); /* no --cpu-limit: no quota */
	json_t *a = json_object_get(json_object_get(c, "process"), "args");
	assert_string_equal(json_string_value(json_array_get(a, 1)), "--version");
	json_decref(c);
}

/* --cpu-limit 0.8: a CFS quota of 80 ms per 100 ms period. */
static void cpu_limit_config(void **state)
{
	(void)state;
	struct oci_spec s = {.hostname = "h",
	                     .cpus = "0-1",
	                     .numa_node = -1,
	                     .memory_bytes = 1 << 30,
	                     .cpu_limit = 0.8,
	                     .cgroups_path = "/bench/z"};
	json_t *c = oci_config(&s);
	json_t *cpu =
	    json_object_get(json_object_get(json_object_get(c, "linux"), "resources"), "cpu");
	assert_int_equal(json_integer_value(json_object_get(cpu, "quota")), 80000);
	assert_int_equal(json_integer_value(json_object_get(cpu, "period")), 100000);
	assert_string_equal(json_string_value(json_object_get(cpu, "cpus")), "0-1");
	json_decref(c);
	assert_int_equal(ct_cfs_quota_us(1.5), 150000);
	assert_int_equal(ct_cfs_quota_us(0.01), 1000);
}

static void bundle_on_disk(void **state)
{
	(void)state;
	char dir[] = "/tmp/bench-oci-XXXXXX", wl[PATH_MAX], path[PATH_MAX + 32];
	assert_non_null(mkdtemp(dir));
	build_path("wl", wl);
	struct oci_spec s = {.hostname = "h",
	                     .cpus = "0",
	                     .numa_node = -1,
	                     .memory_bytes = 1 << 28,
	                     .scratch_dir = "/x/y",
	                     .cgroups_path = "/bench/z"};
	assert_int_equal(oci_bundle_write(dir, wl, &s, NULL), 0);
	struct stat st;
	snprintf(path, sizeof(path), "%s/rootfs/wl", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_mode & S_IXUSR);
	snprintf(path, sizeof(path), "%s/rootfs/x/y", dir);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	json_t *c = json_load_file(path, 0, NULL);
	assert_non_null(c);
	json_decref(c);
	struct bench_error *err = NULL;
	assert_int_equal(oci_bundle_write(dir, "/nonexistent/wl", &s, &err), -1);
	assert_non_null(strstr(err->msg, "/nonexistent/wl"));
	bench_error_free(&err);
	char *rm[] = {"/bin/rm", "-rf", dir, NULL};
	struct cmd_result r = run_cmd(rm);
	cmd_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(bridged_config),
	    cmocka_unit_test(host_network_config),
	    cmocka_unit_test(cpu_limit_config),
	    cmocka_unit_test(bundle_on_disk),
	};
	return cmocka_run_group_tests_name("oci bundle", tests, NULL, NULL);
}
