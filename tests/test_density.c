/* Integration: bench density on the real environments, small and bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/core/result.h"
#include "testrun.h"
#include "testutil.h"

static char bench[PATH_MAX];

static json_t *density_of(const char *dir, size_t index)
{
	struct run run = read_run(dir);
	json_t *d = json_incref(json_array_get(run.density, index));
	run_free(&run);
	assert_non_null(d);
	return d;
}

/* The projection of a study: an interval around the count, never below
 * what was measured, a binding resource, capacity per GiB of the host. */
static void check_projection(json_t *d, long long measured)
{
	json_t *p = json_object_get(d, "projected_here");
	if (!json_is_object(p))
		p = json_object_get(d, "projected");
	assert_true(json_is_object(p));
	double v = json_number_value(json_object_get(p, "instances"));
	assert_true(v >= (double)measured);
	assert_true(json_number_value(json_object_get(p, "low")) <= v);
	json_t *hi = json_object_get(p, "high");
	assert_true(json_is_null(hi) || v <= json_number_value(hi));
	const char *b = json_string_value(json_object_get(p, "binding"));
	assert_non_null(b);
	assert_true(strcmp(b, "cpu") == 0 || strcmp(b, "memory") == 0 ||
	            strcmp(b, "start_time") == 0 || strcmp(b, "memory_bandwidth") == 0);
	double total = (double)json_integer_value(
	    json_object_get(json_object_get(d, "footprint"), "mem_total_bytes"));
	assert_true(total > 0);
	assert_float_equal(json_number_value(json_object_get(d, "instances_per_gib")),
	                   v / (total / (1024.0 * 1024 * 1024)), 1e-6);
	json_t *fp = json_object_get(p, "footprint");
	assert_true(json_number_value(json_object_get(fp, "bytes")) > 0);
}

/* Idle bare instances: pure footprint and start time, up to --max. */
static void idle_bare(void **state)
{
	(void)state;
	char dir[] = "/tmp/bench-dens-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *argv[] = {bench,      "density", "--env", "bare", "--idle",  "--max", "4",
	                "--settle", "0.5",     "--out", dir,    "--quiet", NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 0)
		fail_msg("bench density exited %d: %s", r.status, r.err);
	json_t *d = density_of(dir, 0);
	assert_string_equal(json_string_value(json_object_get(d, "mode")), "idle");
	assert_int_equal(json_integer_value(json_object_get(d, "max_ok")), 4);
	json_t *steps = json_object_get(d, "steps");
	assert_int_equal(json_array_size(steps), 3); /* 1, 2, 4 */
	json_t *last = json_array_get(steps, 2);
	assert_int_equal(json_array_size(json_object_get(last, "mem_bytes")), 4);
	assert_true(json_integer_value(json_array_get(json_object_get(last, "mem_bytes"), 0)) > 0);
	assert_true(json_real_value(json_array_get(json_object_get(last, "start_s"), 0)) > 0);
	assert_int_equal(json_array_size(json_object_get(last, "pss_bytes")), 4);
	assert_true(json_integer_value(json_object_get(last, "mem_available_bytes")) > 0);
	assert_int_equal(json_array_size(json_object_get(last, "cpu_demand")), 4);
	check_projection(d, 4);
	assert_true(json_is_boolean(json_object_get(json_object_get(d, "ksm"), "available")));
	assert_true(json_array_size(json_object_get(d, "assumptions")) >= 3);
	json_decref(d);
	cmd_result_free(&r);
	remove_tree(dir);
}

/* A workload step: every instance measured, the single-instance baseline
 * recorded, a QoS verdict per step, instances spread over the CPUs. */
static void workload_steps(void **state)
{
	(void)state;
	char dir[] = "/tmp/bench-dens-XXXXXX";
	assert_non_null(mkdtemp(dir));
	/* node by node: on a one-node host both instances share node 0, on
	 * different CPUs of it */
	char *argv[] = {bench,         "density", "--env",    "bare",       "--workload",
	                "os.syscall",  "--max",   "2",        "--duration", "0.05",
	                "--step-reps", "2",       "--settle", "0.5",        "--out",
	                dir,           "--quiet", "--spread", "nodes",      NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 0)
		fail_msg("bench density exited %d: %s", r.status, r.err);
	json_t *d = density_of(dir, 0);
	assert_string_equal(json_string_value(json_object_get(d, "workload")), "os.syscall");
	assert_true(json_real_value(json_object_get(d, "baseline")) > 0);
	json_t *first = json_array_get(json_object_get(d, "steps"), 0);
	assert_true(json_is_true(json_object_get(first, "qos_ok")));
	assert_true(json_number_value(json_array_get(json_object_get(first, "cpu_demand"), 0)) > 0);
	assert_int_equal(json_array_size(json_object_get(first, "per_instance")), 1);
	assert_string_equal(json_string_value(json_object_get(d, "spread")), "nodes");
	json_t *node = json_array_get(json_object_get(first, "numa_nodes"), 0);
	assert_true(json_is_integer(node));
	char key[16];
	snprintf(key, sizeof(key), "%d", (int)json_integer_value(node));
	json_t *on_node = json_object_get(json_object_get(first, "per_node"), key);
	assert_int_equal(json_integer_value(json_object_get(on_node, "instances")), 1);
	assert_true(json_is_object(json_array_get(json_object_get(first, "mem_node_bytes"), 0)));
	json_t *steps = json_object_get(d, "steps");
	if (json_array_size(steps) > 1) {
		json_t *cpus = json_object_get(json_array_get(steps, 1), "cpus");
		assert_string_not_equal(json_string_value(json_array_get(cpus, 0)),
		                        json_string_value(json_array_get(cpus, 1)));
	}
	json_decref(d);
	cmd_result_free(&r);
	remove_tree(dir);
}

/* Without --max the study grows until its time budget (or memory) stops
 * it, and projects onto a host named with --target-host as well. */
static void beyond_max(void **state)
{
	(void)state;
	char dir[] = "/tmp/bench-dens-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *argv[] = {bench,
	                "density",
	                "--env",
	                "bare",
	                "--idle",
	                "--time-budget",
	                "12",
	                "--settle",
	                "0.5",
	                "--target-host",
	                "cores=64,memory=512G",
	                "--out",
	                dir,
	                "--quiet",
	                NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 0)
		fail_msg("bench density exited %d: %s", r.status, r.err);
	json_t *d = density_of(dir, 0);
	const char *why = json_string_value(json_object_get(d, "stop_reason"));
	if (strncmp(why, "time budget", 11) != 0 && strncmp(why, "memory", 6) != 0)
		fail_msg("stopped for another reason: %s", why);
	assert_true(json_integer_value(json_object_get(d, "tried_max")) >= 8);
	assert_true(json_number_value(json_object_get(d, "elapsed_s")) < 12 + 10);
	check_projection(d, json_integer_value(json_object_get(d, "max_ok")));
	json_t *there = json_object_get(d, "projected"),
	       *here = json_object_get(d, "projected_here");
	json_t *t = json_object_get(there, "target_host");
	assert_int_equal(json_integer_value(json_object_get(t, "cores")), 64);
	assert_int_equal(json_integer_value(json_object_get(t, "memory_bytes")), 512ll << 30);
	assert_true(json_number_value(json_object_get(there, "instances")) >=
	            json_number_value(json_object_get(here, "instances")));
	json_decref(d);
	cmd_result_free(&r);
	remove_tree(dir);
}

static void usage_errors(void **state)
{
	(void)state;
	char *metric[] = {bench, "density", "--env", "bare", "--qos-metric", NULL};
	struct cmd_result r = run_cmd(metric);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "needs a value"));
	cmd_result_free(&r);
	char *qos[] = {bench, "density", "--env", "bare", "--qos", "1.5", NULL};
	r = run_cmd(qos);
	assert_int_equal(r.status, 2);
	cmd_result_free(&r);
	char *target[] = {bench, "density", "--env", "bare", "--target-host", "cores=4", NULL};
	r = run_cmd(target);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "memory="));
	cmd_result_free(&r);
	char *env[] = {bench, "density", "--env", "nope", NULL};
	r = run_cmd(env);
	assert_int_equal(r.status, 2);
	cmd_result_free(&r);
	char *spread[] = {bench, "density", "--env", "bare", "--spread", "sockets", NULL};
	r = run_cmd(spread);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "valid: cpus, nodes"));
	cmd_result_free(&r);
	char *one_node[] = {bench,   "density", "--env", "bare", "--spread",
	                    "nodes", "--numa",  "0",     NULL};
	r = run_cmd(one_node);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "drop --numa 0"));
	cmd_result_free(&r);
}

int main(void)
{
	build_path("bench", bench);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(idle_bare),
	    cmocka_unit_test(workload_steps),
	    cmocka_unit_test(beyond_max),
	    cmocka_unit_test(usage_errors),
	};
	return cmocka_run_group_tests_name("density", tests, NULL, NULL);
}
