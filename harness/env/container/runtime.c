/* The one list of container runtimes, and what `bench list` says of them. */
#include "harness/env/container/runtime.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "harness/core/spawn.h"

const struct ct_runtime *const ct_runtimes[] = {
    &ct_runtime_runc,
    &ct_runtime_crun,
    &ct_runtime_docker,
    &ct_runtime_lxc,
};
const size_t ct_runtime_count = sizeof(ct_runtimes) / sizeof(ct_runtimes[0]);

const struct ct_runtime *ct_runtime_find(const char *name)
{
	for (size_t i = 0; i < ct_runtime_count; i++)
		if (strcmp(ct_runtimes[i]->name, name) == 0)
			return ct_runtimes[i];
	return NULL;
}

void ct_runtime_names(char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < ct_runtime_count && used < len; i++) {
		int n =
		    snprintf(buf + used, len - used, "%s%s", i ? ", " : "", ct_runtimes[i]->name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

void ct_runtime_nets(const struct ct_runtime *rt, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; i < CT_NET_COUNT && used < len; i++) {
		if (!(rt->nets & (1u << i)))
			continue;
		int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
		                 ct_net_name((enum ct_net)i));
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* podman: a CLI around its own engine, not a runtime bench drives. */
static json_t *podman_entry(void)
{
	char path[PATH_MAX], line[512], reason[700];
	json_t *e = json_pack("{s:s, s:b}", "name", "podman", "available", 0);
	if (spawn_find("podman", path, sizeof(path)) < 0) {
		json_object_set_new(e, "reason",
		                    json_string("not installed; not driven by bench "
		                                "(use container/docker or runc)"));
		return e;
	}
	char *argv[] = {path, "--version", NULL};
	ct_first_line(argv, 10, line, sizeof(line));
	snprintf(reason, sizeof(reason), "%s: not driven by bench (use container/docker or runc)",
	         line);
	json_object_set_new(e, "reason", json_string(reason));
	return e;
}

json_t *ct_runtime_report(void)
{
	json_t *list = json_array();
	for (size_t i = 0; i < ct_runtime_count; i++) {
		const struct ct_runtime *rt = ct_runtimes[i];
		char reason[512] = "", version[128] = "", env[64], nets[64];
		bool ok = rt->probe(rt, reason, sizeof(reason)) == 0;
		snprintf(env, sizeof(env), "container/%s", rt->name);
		ct_runtime_nets(rt, nets, sizeof(nets));
		json_t *e = json_pack("{s:s, s:s, s:b, s:s, s:s}", "name", rt->name, "env", env,
		                      "available", ok, "summary", rt->summary, "net", nets);
		if (ok && rt->version(rt, version, sizeof(version)) == 0)
			json_object_set_new(e, "version", json_string(version));
		if (!ok)
			json_object_set_new(e, "reason", json_string(reason));
		json_array_append_new(list, e);
	}
	json_array_append_new(list, podman_entry());
	return list;
}
