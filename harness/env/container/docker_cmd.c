#include "harness/env/container/docker_cmd.h"

#include <inttypes.h>
#include <stdio.h>

void docker_image_tag(const char *sha256_hex, char *out, size_t len)
{
	snprintf(out, len, "%s:%.16s", DOCKER_IMAGE_REPO, sha256_hex);
}

const char *docker_cgroup_parent(enum docker_cgroups driver)
{
	return driver == DOCKER_SYSTEMD ? "bench.slice" : "/bench";
}

void docker_cgroup_path(enum docker_cgroups driver, const char *id, char *out, size_t len)
{
	if (driver == DOCKER_SYSTEMD)
		snprintf(out, len, "/bench.slice/docker-%s.scope", id);
	else
		snprintf(out, len, "/bench/%s", id);
}

void docker_run_argv(const struct ct_instance *c, enum docker_cgroups driver, struct ct_argv *a)
{
	ct_argv_add(a, "%s", c->tool);
	ct_argv_add(a, "run");
	ct_argv_add(a, "--interactive");
	ct_argv_add(a, "--rm");
	ct_argv_add(a, "--name=%s", c->id);
	ct_argv_add(a, "--cidfile=%s/cid", c->dir);
	ct_argv_add(a, "--pull=never");
	ct_argv_add(a, "--log-driver=none");
	ct_argv_add(a, "--sig-proxy=false");
	ct_argv_add(a, "--cgroup-parent=%s", docker_cgroup_parent(driver));
	ct_argv_add(a, "--cpuset-cpus=%s", c->cpus);
	if (c->numa_node >= 0)
		ct_argv_add(a, "--cpuset-mems=%d", c->numa_node);
	ct_argv_add(a, "--memory=%" PRIu64, c->memory_bytes);
	if (c->cpu_limit > 0)
		ct_argv_add(a, "--cpus=%.3f", c->cpu_limit);
	ct_argv_add(a, "--read-only");
	ct_argv_add(a, "--cap-drop=ALL");
	ct_argv_add(a, "--cap-add=KILL");
	ct_argv_add(a, "--cap-add=NET_BIND_SERVICE");
	ct_argv_add(a, "--security-opt=no-new-privileges");
	ct_argv_add(a, "--network=%s",
	            c->net == CT_NET_NAT    ? "bridge"
	            : c->net == CT_NET_HOST ? "host"
	                                    : "none");
	if (c->net != CT_NET_HOST) /* the host's name in host mode */
		ct_argv_add(a, "--hostname=%s", c->id);
	if (c->scratch != NULL)
		ct_argv_add(a, "--mount=type=bind,source=%s,target=%s", c->scratch, c->scratch);
	ct_argv_add(a, "--workdir=/");
	ct_argv_add(a, "%s", c->image);
	ct_argv_add(a, "/wl");
	ct_argv_add(a, "agent");
}
