/* The answer at the front of a report (reports/report_answer*.c), from run
 * files built in memory (bookkeeping: every figure here is chosen, none is
 * a measurement): verdicts per environment written from the overhead
 * figures, top overheads, density limits and projections, per-instance
 * start and footprint, failures and their causes, validity notes, what did
 * not run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "reports/overhead.h"
#include "reports/report_answer.h"
#include "fakerun.h"

/* An ok sample whose values are base x scale with a small spread, or a
 * failed one (n == 0) with error; config and backend as given (owned). */
static void add(struct run *run, const char *env, const char *workload, const char *metric,
                enum better better, double base, double scale, json_t *config, json_t *backend,
                const char *error)
{
	const double v[] = {base * scale, base * scale * 1.004, base * scale * 0.996,
	                    base * scale * 1.002};
	json_t *pinning = json_pack("{s:o}", "backend", backend ? backend : json_object());
	struct sample s = {.env = (char *)env,
	                   .workload = (char *)workload,
	                   .metric = (char *)metric,
	                   .unit = "u",
	                   .better = better,
	                   .values = error ? NULL : (double *)v,
	                   .n_values = error ? 0 : 4,
	                   .config = config ? config : json_object(),
	                   .pinning = pinning,
	                   .failed = error != NULL,
	                   .error = (char *)error};
	assert_int_equal(run_add_sample(run, &s, NULL), 0);
	json_decref(s.config);
	json_decref(pinning);
}

/* bare, container (CPU and memory the same, network 30% slower on a
 * bridge, one memory size under 4x LLC), qemu under TCG (CPU 8x slower),
 * xen where every sample died of OOM. */
static void build(struct run *run)
{
	fake_run(run, "answer-test", "2026-12-01T00:00:00Z", fake_host("6.1.0", "always"));
	const char *envs[] = {"bare", "container", "qemu", "xen"};
	for (int e = 0; e < 4; e++) {
		json_t *backend = e == 1   ? json_pack("{s:s}", "net", "bridge")
		                  : e == 2 ? json_pack("{s:s, s:s}", "accelerator", "tcg",
		                                       "accelerator_reason", "/dev/kvm is missing")
		                           : NULL;
		const char *oom = e == 3 ? "xen domU agent OOM-killed by the guest kernel "
		                           "(\"Out of memory: Killed process 99 (wl)\")"
		                         : NULL;
		double cpu = e == 2 ? 1.0 / 8 : 1;
		add(run, envs[e], "cpu.int", "ops", BETTER_HIGHER, 1000, cpu, NULL,
		    backend ? json_incref(backend) : NULL, oom);
		add(run, envs[e], "mem.stream", "copy", BETTER_HIGHER, 20000, 1,
		    e < 2 ? json_pack("{s:b, s:s, s:{s:f, s:f}}", "size_below_4x_llc", 1,
		                      "size_reason", "3 arrays x 64 MiB; below 4x LLC", "instance",
		                      "start_s", e ? 0.25 : 0.001, "mem_bytes",
		                      e ? 8388608.0 : 1048576.0)
		          : NULL,
		    backend ? json_incref(backend) : NULL, oom);
		add(run, envs[e], "net.tcp_rr", "tps", BETTER_HIGHER, 30000, e == 1 ? 1 / 1.3 : 1,
		    NULL, backend, oom);
	}
	run->overhead = overhead_for_run(run, "bare");
	assert_non_null(run->overhead);
}

static const struct answer_env *env_of(const struct answer *a, const char *env)
{
	for (size_t i = 0; i < a->n_envs; i++)
		if (strcmp(a->envs[i].env, env) == 0)
			return &a->envs[i];
	fail_msg("no answer for %s", env);
	return NULL;
}

static void has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("'%s' lacks '%s'", text, want);
}

static bool notes_have(const struct answer *a, const char *topic, const char *want)
{
	for (size_t r = 0; r < a->notes.n_rows; r++)
		if (strcmp(a->notes.cells[2 * r], topic) == 0 &&
		    strstr(a->notes.cells[2 * r + 1], want) != NULL)
			return true;
	return false;
}

static void verdicts(void **state)
{
	(void)state;
	struct run run;
	build(&run);
	struct answer a;
	assert_int_equal(report_answer_build(&run, "bare", &a, NULL), 0);
	assert_int_equal(a.n_envs, 4);
	assert_string_equal(a.envs[0].env, "bare");
	assert_int_equal(a.envs[0].tone, ANSWER_BASELINE);

	const struct answer_env *c = env_of(&a, "container");
	assert_int_equal(c->tone, ANSWER_WORSE);
	has(c->verdict, "CPU and memory within noise of bare");
	has(c->verdict, "network 30% slower on the bridge path (net.tcp_rr tps)");
	assert_string_equal(c->lead, "Significantly slower than bare in network (3 families "
	                             "compared).");
	assert_int_equal(c->n_clauses, 2);
	assert_string_equal(c->clauses[0], "CPU and memory within noise of bare (95% intervals "
	                                   "within \u00b10.6%).");
	assert_int_equal(c->n_top, 1);
	has(c->top[0], "net.tcp_rr tps: 30% slower (slowdown 1.3, 95% CI 1.2");
	has(c->instance, "starts in 250 ms, 8 MiB of host memory (median over this run");

	const struct answer_env *q = env_of(&a, "qemu");
	assert_true(q->emulated);
	assert_string_equal(q->label, "qemu (TCG emulation)");
	assert_int_equal(strncmp(q->verdict, "Emulated (TCG)", 14), 0);
	has(q->verdict, "CPU 8.0\u00d7 slower (cpu.int ops)");

	const struct answer_env *x = env_of(&a, "xen");
	assert_int_equal(x->tone, ANSWER_FAILED);
	has(x->verdict, "Nothing measured: every workload failed (3 failed samples");
	assert_int_equal(x->failures.n_rows, 3);
	assert_string_equal(x->failures.cells[1], "out of memory");

	has(a.headline, "bare, container, qemu (TCG emulation) and xen on node7 (2 CPUs, 24 GiB, "
	                "itself a KVM guest): 12 samples, 3 failed.");
	assert_true(notes_have(&a, "TCG emulation",
	                       "qemu ran on QEMU's TCG emulator (/dev/kvm "
	                       "is missing)"));
	assert_true(notes_have(&a, "Host", "itself a KVM guest"));
	assert_true(notes_have(&a, "Below 4\u00d7 LLC", "mem.stream in bare, container"));
	assert_true(notes_have(&a, "Conditions", "does not record its conditions"));
	assert_false(notes_have(&a, "Steal", "")); /* none recorded */
	report_answer_free(&a);

	/* steal: noted per environment at its worst workload, from 2% on */
	for (size_t i = 0; i < run.n_samples; i++) {
		struct sample *s = &run.samples[i];
		double pct = strcmp(s->env, "bare") == 0 && strcmp(s->workload, "net.tcp_rr") == 0
		                 ? 9.8
		             : strcmp(s->env, "container") == 0 ? 1.9
		                                                : 0.2;
		s->steal = json_pack("{s:s, s:f}", "cpus", "0", "pct", pct);
	}
	assert_int_equal(report_answer_build(&run, "bare", &a, NULL), 0);
	assert_true(notes_have(&a, "Steal", "bare up to 9.8% (net.tcp_rr). Figures"));
	assert_false(notes_have(&a, "Steal", "container"));
	report_answer_free(&a);
	run_free(&run);
}

/* invocation.conditions, density studies with and without a projection,
 * environments and studies that did not run. */
static void density_conditions_not_run(void **state)
{
	(void)state;
	struct run run;
	build(&run);
	run.invocation =
	    json_pack("{s:{s:[{s:s, s:[s,s], s:s}], s:[s, s]}, s:[{s:s, s:b}, {s:s, s:b, s:s}],"
	              " s:[{s:s, s:s, s:s}]}",
	              "conditions", "unmatched", "condition", "network peer", "envs", "bare",
	              "container", "detail", "the peer shares the instance's CPUs", "warnings",
	              "the peer shares the instance's CPUs 0-1", "THP differs", "environments",
	              "name", "bare", "available", 1, "name", "lxc", "available", 0, "reason",
	              "lxc-start is not installed", "density_failed", "env", "qemu", "workload",
	              "cpu.int", "error", "no instance started: QEMU exited with status 1");
	run.density = json_pack(
	    "[{s:s, s:s, s:s, s:f, s:i, s:s, s:{s:f, s:f, s:f, s:s, s:s, s:{s:s}},"
	    "  s:[{s:i, s:[s], s:[f], s:[f]}, {s:i, s:[s,s], s:[f,f], s:[f,f]},"
	    "     {s:i, s:[s,s,s], s:[f,f,f], s:[f,f,f]}]},"
	    " {s:s, s:s, s:s, s:f, s:i, s:s, s:[{s:i, s:[f,f], s:[f,f]}]}]",
	    "env", "container", "mode", "workload", "workload", "cpu.int", "qos", 0.9, "max_ok", 2,
	    "stop_reason", "QoS: 3 instances fell below 0.90", "projected", "instances", 41.7,
	    "low", 38.2, "high", 45.9, "binding", "cpu", "binding_close", "memory", "target_host",
	    "spec", "cores=64,memory=512G", "steps", "instances", 1, "cpus", "0", "start_s", 0.2,
	    "mem_bytes", 4194304.0, "instances", 2, "cpus", "0", "1", "start_s", 0.2, 0.3,
	    "mem_bytes", 4194304.0, 6291456.0, "instances", 3, "cpus", "0", "1", "0", "start_s",
	    0.2, 0.3, 0.3, "mem_bytes", 4194304.0, 4194304.0, 4194304.0, "env", "container", "mode",
	    "idle", "workload", "", "qos", 0.9, "max_ok", 2, "stop_reason", "reached --max 2",
	    "steps", "instances", 2, "start_s", 0.12, 0.14, "mem_bytes", 2097152.0, 2097152.0);
	assert_non_null(run.invocation);
	assert_non_null(run.density);
	struct answer a;
	assert_int_equal(report_answer_build(&run, "bare", &a, NULL), 0);
	const struct answer_env *c = env_of(&a, "container");
	assert_string_equal(c->density,
	                    "Projected: 41 instances (95% interval 38\u201345), bound by CPU "
	                    "(memory close), on the target host cores=64,memory=512G. Density "
	                    "limit: 2 instances running cpu.int on 2 CPUs "
	                    "met the 0.90 QoS bar, 3 did not: bound by CPU. Idle: 2 instances "
	                    "started (reached --max 2).");
	assert_string_equal(c->instance, "Per instance: starts in 130 ms, 2 MiB of host memory "
	                                 "(median of 2 idle instances).");
	assert_true(notes_have(&a, "Unmatched condition",
	                       "network peer (bare, container): the peer shares"));
	assert_true(notes_have(&a, "Warning", "THP differs"));
	assert_false(notes_have(&a, "Warning", "the peer shares")); /* said once */
	assert_false(notes_have(&a, "Conditions", "does not record"));
	assert_int_equal(a.not_run.n_rows, 2);
	assert_string_equal(a.not_run.cells[0], "lxc");
	assert_string_equal(a.not_run.cells[1], "lxc-start is not installed");
	assert_string_equal(a.not_run.cells[2], "density in qemu, cpu.int");
	report_answer_free(&a);
	/* an idle projection that counts the fall in MemAvailable says so */
	json_object_set_new(json_array_get(run.density, 1), "projected",
	                    json_pack("{s:{s:f, s:s}}", "footprint", "bytes", 3145728.0, "method",
	                              "memavailable_slope"));
	assert_int_equal(report_answer_build(&run, "bare", &a, NULL), 0);
	assert_non_null(strstr(env_of(&a, "container")->instance,
	                       "2 MiB of host memory (median of 2 idle instances). The projection "
	                       "counts 3 MiB each: the fall in MemAvailable"));
	report_answer_free(&a);
	run_free(&run);
}

/* No baseline in the run: nothing is compared, and the verdict says how to
 * get overhead figures. */
static void without_baseline(void **state)
{
	(void)state;
	struct run run;
	fake_run(&run, "alone", "2026-12-01T00:00:00Z", fake_host("6.1.0", "always"));
	add(&run, "container", "cpu.int", "ops", BETTER_HIGHER, 1000, 1, NULL, NULL, NULL);
	struct answer a;
	assert_int_equal(report_answer_build(&run, "bare", &a, NULL), 0);
	assert_int_equal(a.n_envs, 1);
	assert_int_equal(a.envs[0].tone, ANSWER_ALONE);
	has(a.envs[0].verdict, "run it with --env bare,container");
	report_answer_free(&a);
	run_free(&run);
}

/* No significant difference but intervals of +-50%: not "within noise". */
static void too_wide_to_tell(void **state)
{
	(void)state;
	struct run run;
	fake_run(&run, "wide", "2026-12-01T00:00:00Z", fake_host("6.1.0", "always"));
	const double b[] = {100, 160, 60}, c[] = {70, 150, 110};
	fake_sample(&run, "bare", "os.syscall", "ns_per_call", BETTER_LOWER, b, 3);
	fake_sample(&run, "container", "os.syscall", "ns_per_call", BETTER_LOWER, c, 3);
	run.overhead = overhead_for_run(&run, "bare");
	struct answer a;
	assert_int_equal(report_answer_build(&run, "bare", &a, NULL), 0);
	const struct answer_env *e = env_of(&a, "container");
	assert_int_equal(e->tone, ANSWER_UNCLEAR);
	has(e->verdict, "OS paths not distinguishable from bare (95% intervals up to \u00b1");
	has(e->verdict, "too wide to rule out a difference)");
	report_answer_free(&a);
	run_free(&run);
}

static void causes_and_amounts(void **state)
{
	(void)state;
	assert_string_equal(report_failure_cause("container agent OOM-killed: peak 2 GiB of the "
	                                         "2 GiB limit; raise --memory or lower --size"),
	                    "out of memory");
	assert_string_equal(report_failure_cause("qemu guest kernel panicked (\"x\") with 512 MiB "
	                                         "RAM"),
	                    "kernel panic");
	assert_string_equal(report_failure_cause("no reply within --timeout 60 s"), "timeout");
	assert_string_equal(report_failure_cause("QEMU (pid 4) was killed by SIGKILL"),
	                    "killed by a signal");
	assert_string_equal(report_failure_cause("wl exited with status 2"),
	                    "exited with an error");
	assert_string_equal(report_failure_cause("opening mem.random: unsupported option "
	                                         "'--duration' for mem.random"),
	                    "rejected its options");
	assert_string_equal(report_failure_cause("something else"), "failed");
	assert_string_equal(report_failure_cause(NULL), "failed");
	char buf[64];
	report_fmt_slowdown(1.3, buf, sizeof(buf));
	assert_string_equal(buf, "30% slower");
	report_fmt_slowdown(1.004, buf, sizeof(buf));
	assert_string_equal(buf, "0.4% slower");
	report_fmt_slowdown(0.8, buf, sizeof(buf));
	assert_string_equal(buf, "25% faster");
	report_fmt_slowdown(5.21, buf, sizeof(buf));
	assert_string_equal(buf, "5.2\u00d7 slower");
	report_fmt_slowdown(1, buf, sizeof(buf));
	assert_string_equal(buf, "the same");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(verdicts),           cmocka_unit_test(density_conditions_not_run),
	    cmocka_unit_test(without_baseline),   cmocka_unit_test(too_wide_to_tell),
	    cmocka_unit_test(causes_and_amounts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
