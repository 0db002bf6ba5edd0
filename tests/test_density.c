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

/* Idle bare instances: pure footprint and start time, up to --max. */
static void idle_bare(void **state)
{
	(void)state;
	char dir[] = "/tmp/bench-dens-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *argv[] = {bench, "density", "--env", "bare",    "--idle", "--max",
	                "4",   "--out",   dir,     "--quiet", NULL};
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
	char *argv[] = {bench,   "density", "--env",      "bare",     "--workload",  "os.syscall",
	                "--max", "2",       "--duration", "0.05",     "--step-reps", "2",
	                "--out", dir,       "--quiet",    "--spread", "nodes",       NULL};
	struct cmd_result r = run_cmd(argv);
	if (r.status != 0)
		fail_msg("bench density exited %d: %s", r.status, r.err);
	json_t *d = density_of(dir, 0);
	assert_string_equal(json_string_value(json_object_get(d, "workload")), "os.syscall");
	assert_true(json_real_value(json_object_get(d, "baseline")) > 0);
	json_t *first = json_array_get(json_object_get(d, "steps"), 0);
	assert_true(json_is_true(json_object_get(first, "qos_ok")));
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

static void usage_errors(void **state)
{
	(void)state;
	char *net[] = {bench, "density", "--env", "bare", "--workload", "net.tcp_rr", NULL};
	struct cmd_result r = run_cmd(net);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "non-network"));
	cmd_result_free(&r);
	char *qos[] = {bench, "density", "--env", "bare", "--qos", "1.5", NULL};
	r = run_cmd(qos);
	assert_int_equal(r.status, 2);
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
	    cmocka_unit_test(usage_errors),
	};
	return cmocka_run_group_tests_name("density", tests, NULL, NULL);
}
