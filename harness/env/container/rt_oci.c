/* runc and crun: OCI runtimes driven through their common CLI, `run
 * --bundle DIR ID` on a bundle bench writes (oci.c): config.json with the
 * cgroup cpuset, memory and CPU quota, joining the instance's network
 * namespace made beforehand. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/core/spawn.h"
#include "harness/env/container/oci.h"
#include "harness/env/container/runtime.h"

static int oci_probe(const struct ct_runtime *rt, char *reason, size_t len)
{
	char path[PATH_MAX];
	if (spawn_find(rt->name, path, sizeof(path)) < 0) {
		snprintf(reason, len, "%s is not installed (apt-get install %s)", rt->name,
		         rt->name);
		return -1;
	}
	return ct_probe_host(rt->name, reason, len);
}

/* "runc version 1.1.5+ds1" (first line of --version): the third word. */
static int oci_version(const struct ct_runtime *rt, char *out, size_t len)
{
	char path[PATH_MAX], line[256], word[128];
	if (spawn_find(rt->name, path, sizeof(path)) < 0)
		return -1;
	char *argv[] = {path, "--version", NULL};
	if (ct_first_line(argv, 10, line, sizeof(line)) != 0 ||
	    sscanf(line, "%*s version %127s", word) != 1)
		return -1;
	snprintf(out, len, "%s", word);
	return 0;
}

static int oci_start(const struct ct_runtime *rt, struct ct_instance *c, struct agent *agent,
                     struct bench_error **err)
{
	(void)rt;
	struct oci_spec oci = {
	    .hostname = c->id,
	    .cpus = c->cpus,
	    .numa_node = c->numa_node,
	    .memory_bytes = c->memory_bytes,
	    .netns_path = c->netns_path,
	    .empty_netns = c->net == CT_NET_NONE,
	    .cpu_limit = c->cpu_limit,
	    .scratch_dir = c->scratch,
	    .cgroups_path = c->cgroup,
	};
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/config.json", c->dir);
	json_t *config = oci_config(&oci);
	if (config == NULL)
		return bench_error_set(err, 0, "building config.json failed");
	int rc = json_dump_file(config, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(config);
	if (rc < 0)
		return bench_error_set(err, 0, "writing %s", path);
	/* --keep: the container (and its cgroup, with the memory record that
	 * explains an OOM kill) stays until oci_destroy deletes it */
	char *argv[] = {c->tool, "run", "--keep", "--bundle", c->dir, c->id, NULL};
	return spawn_agent(argv, NULL, NULL, agent, err);
}

static void oci_destroy(const struct ct_runtime *rt, struct ct_instance *c)
{
	(void)rt;
	if (c->id[0] == '\0' || c->tool[0] == '\0')
		return;
	char out[512];
	char *argv[] = {c->tool, "delete", "--force", c->id, NULL};
	spawn_run(argv, 15, 0, out, sizeof(out), NULL);
}

/* A killed run's container: its bundle holds config.json (or only the
 * runtime's state lists it); deleted even when stopped. */
static void oci_reclaim(const struct ct_runtime *rt, const char *name, const char *dir)
{
	char tool[PATH_MAX], config[PATH_MAX + 16], out[512];
	snprintf(config, sizeof(config), "%s/config.json", dir ? dir : "");
	if ((dir != NULL && access(config, F_OK) < 0) ||
	    spawn_find(rt->program, tool, sizeof(tool)) < 0)
		return;
	char *argv[] = {tool, "delete", "--force", (char *)name, NULL};
	spawn_run(argv, 15, 0, out, sizeof(out), NULL);
}

const struct ct_runtime ct_runtime_runc = {
    .name = "runc",
    .program = "runc",
    .summary = "OCI runtime, bundle and config.json of bench's own",
    .nets = 1u << CT_NET_BRIDGE | 1u << CT_NET_HOST | 1u << CT_NET_NONE,
    .needs_rootfs = true,
    .cli_monitors = true,
    .bridge = CT_BRIDGE_JOIN,
    .probe = oci_probe,
    .version = oci_version,
    .start = oci_start,
    .destroy = oci_destroy,
    .reclaim = oci_reclaim,
    .state_root = "/run/runc",
};

const struct ct_runtime ct_runtime_crun = {
    .name = "crun",
    .program = "crun",
    .summary = "OCI runtime (C), the same bundle as runc",
    .nets = 1u << CT_NET_BRIDGE | 1u << CT_NET_HOST | 1u << CT_NET_NONE,
    .needs_rootfs = true,
    .cli_monitors = true,
    .bridge = CT_BRIDGE_JOIN,
    .probe = oci_probe,
    .version = oci_version,
    .start = oci_start,
    .destroy = oci_destroy,
    .reclaim = oci_reclaim,
    .state_root = "/run/crun",
};
