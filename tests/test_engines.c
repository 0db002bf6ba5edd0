/* Container engines without running any: how --env names a variant, the
 * docker run command line, the LXC configuration, the OCI CPU quota, the
 * options that feed them, the runtime list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "harness/core/run_options.h"
#include "harness/env/container/docker_cmd.h"
#include "harness/env/container/lxc_conf.h"
#include "harness/env/container/oci.h"
#include "harness/env/container/runtime.h"
#include "harness/env/env.h"

static void choose_ok(const char *text, const char *runtime, const char *name, const char *variant,
                      const struct env_ops *ops)
{
	struct env_choice c;
	struct bench_error *err = NULL;
	if (env_choose(text, runtime, &c, &err) < 0)
		fail_msg("env_choose(%s): %s", text, err->msg);
	assert_ptr_equal(c.ops, ops);
	assert_string_equal(c.name, name);
	assert_string_equal(c.variant, variant);
}

static void choose_fails(const char *text, const char *fragment)
{
	struct env_choice c;
	struct bench_error *err = NULL;
	assert_int_equal(env_choose(text, NULL, &c, &err), -1);
	if (strstr(err->msg, fragment) == NULL)
		fail_msg("error '%s' lacks '%s'", err->msg, fragment);
	bench_error_free(&err);
}

/* Plain "container" keeps its old name for runc (old run files, histories);
 * any other runtime carries its name, however it was asked for. */
static void env_names_and_variants(void **state)
{
	(void)state;
	choose_ok("bare", NULL, "bare", "", &env_bare_ops);
	choose_ok("bare", "docker", "bare", "", &env_bare_ops);
	choose_ok("container", NULL, "container", "runc", &env_container_ops);
	choose_ok("container", "runc", "container", "runc", &env_container_ops);
	choose_ok("container", "docker", "container/docker", "docker", &env_container_ops);
	choose_ok("container/lxc", NULL, "container/lxc", "lxc", &env_container_ops);
	choose_ok("container/runc", NULL, "container/runc", "runc", &env_container_ops);
	choose_ok("container/docker", "lxc", "container/docker", "docker", &env_container_ops);
	choose_ok("container/docker:nat", NULL, "container/docker:nat", "docker",
	          &env_container_ops);
	choose_ok("container:host", NULL, "container:host", "runc", &env_container_ops);
	struct env_choice c;
	struct env_spec spec = {.net_mode = "bridge"};
	assert_int_equal(env_choose("container/lxc:none", NULL, &c, NULL), 0);
	assert_string_equal(c.net, "none");
	env_spec_choose(&spec, &c);
	assert_string_equal(spec.net_mode, "none");
	assert_string_equal(spec.runtime, "lxc");
	struct env_choice plain;
	spec.net_mode = "host";
	assert_int_equal(env_choose("container/lxc", NULL, &plain, NULL), 0);
	env_spec_choose(&spec, &plain);
	assert_string_equal(spec.net_mode, "host"); /* the run's --net stays */
	choose_fails("bare:host", "takes no network mode");
	choose_fails("container/docker:overlay", "bridge, host, nat, none");
	choose_fails("bare/x", "has no variants");
	choose_fails("container/", "NAME/VARIANT");
	choose_fails("container/a/b", "NAME/VARIANT");
	choose_fails("vm", "unknown environment 'vm'");
	choose_fails("contaner/docker", "valid: bare, container");
}

static void variant_probe_knows_the_runtimes(void **state)
{
	(void)state;
	struct env_choice c;
	char reason[512];
	assert_int_equal(env_choose("container/kata", NULL, &c, NULL), 0);
	assert_int_equal(env_choice_probe(&c, reason, sizeof(reason)), -2);
	assert_non_null(strstr(reason, "kata"));
	assert_non_null(strstr(reason, "runc, crun, docker, lxc"));
	for (size_t i = 0; i < ct_runtime_count; i++) {
		const struct ct_runtime *rt = ct_runtimes[i];
		assert_ptr_equal(ct_runtime_find(rt->name), rt);
		assert_non_null(rt->program);
		assert_non_null(rt->probe);
		assert_non_null(rt->version);
		assert_non_null(rt->start);
		assert_non_null(rt->destroy);
		assert_true(rt->nets & (1u << CT_NET_BRIDGE)); /* every one matches runc's path */
	}
	assert_true(ct_runtime_docker.nets & (1u << CT_NET_NAT));
	assert_false(ct_runtime_runc.nets & (1u << CT_NET_NAT));
	assert_null(ct_runtime_find("podman"));
}

static struct ct_instance instance(enum ct_net net)
{
	struct ct_instance c = {
	    .id = "bench-42-0",
	    .dir = "/run/bench/bundles/bench-42-0",
	    .rootfs = "/run/bench/bundles/bench-42-0/rootfs",
	    .tool = "/usr/bin/docker",
	    .net = net,
	    .cpus = "0-1",
	    .numa_node = 0,
	    .memory_bytes = 1ull << 30,
	    .cpu_limit = 0.5,
	    .scratch = "/data/scratch",
	    .image = "bench-wl:0123456789abcdef",
	};
	return c;
}

static bool has_arg(const struct ct_argv *a, const char *arg)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->argv[i], arg) == 0)
			return true;
	return false;
}

static void docker_command_line(void **state)
{
	(void)state;
	struct ct_instance c = instance(CT_NET_NAT);
	struct ct_argv a = {0};
	docker_run_argv(&c, DOCKER_CGROUPFS, &a);
	assert_false(a.overflow);
	assert_string_equal(a.argv[0], "/usr/bin/docker");
	assert_string_equal(a.argv[1], "run");
	const char *want[] = {"--interactive",
	                      "--rm",
	                      "--name=bench-42-0",
	                      "--cidfile=/run/bench/bundles/bench-42-0/cid",
	                      "--pull=never",
	                      "--log-driver=none",
	                      "--cgroup-parent=/bench",
	                      "--cpuset-cpus=0-1",
	                      "--cpuset-mems=0",
	                      "--memory=1073741824",
	                      "--cpus=0.500",
	                      "--read-only",
	                      "--cap-drop=ALL",
	                      "--network=bridge",
	                      "--hostname=bench-42-0",
	                      "--mount=type=bind,source=/data/scratch,target=/data/scratch"};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!has_arg(&a, want[i]))
			fail_msg("docker run lacks %s", want[i]);
	assert_string_equal(a.argv[a.n - 3], "bench-wl:0123456789abcdef");
	assert_string_equal(a.argv[a.n - 2], "/wl");
	assert_string_equal(a.argv[a.n - 1], "agent");
	assert_null(a.argv[a.n]);

	c = instance(CT_NET_HOST);
	c.numa_node = -1;
	c.cpu_limit = 0;
	c.scratch = NULL;
	struct ct_argv h = {0};
	docker_run_argv(&c, DOCKER_SYSTEMD, &h);
	assert_true(has_arg(&h, "--network=host"));
	assert_true(has_arg(&h, "--cgroup-parent=bench.slice"));
	for (size_t i = 0; i < h.n; i++) {
		assert_null(strstr(h.argv[i], "--hostname"));
		assert_null(strstr(h.argv[i], "--cpuset-mems"));
		assert_null(strstr(h.argv[i], "--cpus="));
		assert_null(strstr(h.argv[i], "--mount"));
	}
	c = instance(CT_NET_BRIDGE);
	struct ct_argv b = {0};
	docker_run_argv(&c, DOCKER_CGROUPFS, &b);
	assert_true(has_arg(&b, "--network=none")); /* the bridge's veth comes after start */

	char tag[96], path[192];
	docker_image_tag("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", tag,
	                 sizeof(tag));
	assert_string_equal(tag, "bench-wl:0123456789abcdef");
	docker_cgroup_path(DOCKER_CGROUPFS, "abc", path, sizeof(path));
	assert_string_equal(path, "/bench/abc");
	docker_cgroup_path(DOCKER_SYSTEMD, "abc", path, sizeof(path));
	assert_string_equal(path, "/bench.slice/docker-abc.scope");
}

static void lxc_configuration(void **state)
{
	(void)state;
	struct ct_instance c = instance(CT_NET_BRIDGE);
	char text[4096];
	assert_true(lxc_config_text(&c, true, text, sizeof(text)) > 0);
	const char *want[] = {"lxc.rootfs.path = dir:/run/bench/bundles/bench-42-0/rootfs\n",
	                      "lxc.rootfs.options = ro\n",
	                      "lxc.net.0.type = empty\n",
	                      "lxc.cgroup.dir.container = bench/bench-42-0\n",
	                      "lxc.cgroup.cpuset.cpus = 0-1\n",
	                      "lxc.cgroup.cpuset.mems = 0\n",
	                      "lxc.cgroup.memory.limit_in_bytes = 1073741824\n",
	                      "lxc.cgroup.cpu.cfs_period_us = 100000\n",
	                      "lxc.cgroup.cpu.cfs_quota_us = 50000\n",
	                      "lxc.mount.entry = /data/scratch data/scratch none rbind,rw 0 0\n",
	                      "lxc.cap.keep = kill net_bind_service\n",
	                      "lxc.no_new_privs = 1\n",
	                      "lxc.log.file = /run/bench/bundles/bench-42-0/lxc.log\n"};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strstr(text, want[i]) == NULL)
			fail_msg("LXC configuration lacks '%s':\n%s", want[i], text);
	char path[192];
	lxc_cgroup_path(&c, path, sizeof(path));
	assert_string_equal(path, "/bench/bench-42-0");

	/* cgroup v2 keys, host network, no quota, no NUMA binding */
	c = instance(CT_NET_HOST);
	c.cpu_limit = 0;
	c.numa_node = -1;
	assert_true(lxc_config_text(&c, false, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, "lxc.net.0.type = none\n"));
	assert_non_null(strstr(text, "lxc.cgroup2.cpuset.cpus = 0-1\n"));
	assert_non_null(strstr(text, "lxc.cgroup2.memory.max = 1073741824\n"));
	assert_null(strstr(text, "cpuset.mems"));
	assert_null(strstr(text, "cpu.max"));
	assert_null(strstr(text, "lxc.cgroup.cpuset"));
	c.cpu_limit = 1.5;
	assert_true(lxc_config_text(&c, false, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, "lxc.cgroup2.cpu.max = 150000 100000\n"));
	assert_int_equal(lxc_config_text(&c, true, text, 64), -1);
}

static void oci_cpu_quota_and_empty_netns(void **state)
{
	(void)state;
	struct oci_spec s = {.hostname = "h",
	                     .cpus = "0",
	                     .numa_node = -1,
	                     .memory_bytes = 1 << 28,
	                     .cgroups_path = "/bench/q",
	                     .cpu_limit = 0.25,
	                     .empty_netns = true};
	json_t *c = oci_config(&s);
	json_t *linux_ = json_object_get(c, "linux");
	json_t *cpu = json_object_get(json_object_get(linux_, "resources"), "cpu");
	assert_int_equal(json_integer_value(json_object_get(cpu, "quota")), 25000);
	assert_int_equal(json_integer_value(json_object_get(cpu, "period")), 100000);
	json_t *ns = json_object_get(linux_, "namespaces");
	bool net = false;
	for (size_t i = 0; i < json_array_size(ns); i++) {
		json_t *e = json_array_get(ns, i);
		if (strcmp(json_string_value(json_object_get(e, "type")), "network") == 0)
			net = json_object_get(e, "path") == NULL; /* new, not joined */
	}
	assert_true(net);
	json_decref(c);
	assert_int_equal(ct_cfs_quota_us(0), -1);
	assert_int_equal(ct_cfs_quota_us(2), 200000);
}

#define ARGS(...)                                                                                  \
	char *argv[] = {"run", __VA_ARGS__, NULL};                                                 \
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1

static void engine_options(void **state)
{
	(void)state;
	{
		ARGS("--env", "container/docker", "--workload", "all", "--net", "nat",
		     "--keep-image", "--cpu-limit", "1.5", "--runtime", "lxc");
		struct run_options o;
		assert_int_equal(run_options_parse(argc, argv, &o, NULL), 0);
		assert_string_equal(o.net, "nat");
		assert_true(o.keep_image);
		assert_true(o.cpu_limit == 1.5);
		assert_string_equal(o.runtime, "lxc");
		struct env_spec spec;
		struct topo_binding b = {0};
		assert_int_equal(env_spec_init(&spec, &o, NULL, &b, "/wl", NULL, NULL), 0);
		assert_true(spec.cpu_limit == 1.5 && spec.keep_image);
		struct env_choice c;
		assert_int_equal(env_choose(o.env, o.runtime, &c, NULL), 0);
		env_spec_choose(&spec, &c);
		assert_string_equal(spec.runtime, "docker");
	}
	{
		ARGS("--env", "bare", "--workload", "all");
		struct run_options o;
		assert_int_equal(run_options_parse(argc, argv, &o, NULL), 0);
		assert_true(o.cpu_limit == 0);
		assert_false(o.keep_image);
	}
	const char *bad[][2] = {{"--net", "overlay"},
	                        {"--cpu-limit", "0"},
	                        {"--cpu-limit", "-1"},
	                        {"--cpu-limit", "x"}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ARGS("--env", "container", "--workload", "all", (char *)bad[i][0],
		     (char *)bad[i][1]);
		struct run_options o;
		struct bench_error *err = NULL;
		assert_int_equal(run_options_parse(argc, argv, &o, &err), -1);
		assert_non_null(strstr(err->msg, bad[i][0]));
		bench_error_free(&err);
	}
	enum ct_net net;
	assert_int_equal(ct_net_parse(NULL, &net), 0);
	assert_int_equal(net, CT_NET_BRIDGE);
	assert_int_equal(ct_net_parse("nat", &net), 0);
	assert_string_equal(ct_net_name(net), "nat");
	assert_int_equal(ct_net_parse("overlay", &net), -1);
	char nets[64];
	ct_runtime_nets(&ct_runtime_docker, nets, sizeof(nets));
	assert_string_equal(nets, "bridge, host, nat, none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(env_names_and_variants),
	    cmocka_unit_test(variant_probe_knows_the_runtimes),
	    cmocka_unit_test(docker_command_line),
	    cmocka_unit_test(lxc_configuration),
	    cmocka_unit_test(oci_cpu_quota_and_empty_netns),
	    cmocka_unit_test(engine_options),
	};
	return cmocka_run_group_tests_name("container engines", tests, NULL, NULL);
}
