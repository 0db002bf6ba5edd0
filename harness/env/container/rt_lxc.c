/* lxc: LXC application containers through lxc-execute with a configuration
 * bench generates (lxc_conf.c) on the same root filesystem as runc's
 * bundle; init.lxc is PID 1 and runs `wl agent`, whose stdio is the
 * agent channel. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/core/cleanup.h"
#include "harness/core/spawn.h"
#include "harness/env/container/lxc_conf.h"
#include "harness/env/container/runtime.h"

static int lxc_probe(const struct ct_runtime *rt, char *reason, size_t len)
{
	(void)rt;
	char path[PATH_MAX];
	if (spawn_find("lxc-execute", path, sizeof(path)) < 0) {
		snprintf(reason, len, "lxc-execute is not installed (apt-get install lxc)");
		return -1;
	}
	return ct_probe_host("lxc", reason, len);
}

static int lxc_version(const struct ct_runtime *rt, char *out, size_t len)
{
	(void)rt;
	char path[PATH_MAX];
	if (spawn_find("lxc-execute", path, sizeof(path)) < 0)
		return -1;
	char *argv[] = {path, "--version", NULL};
	return ct_first_line(argv, 10, out, len) == 0 && out[0] != '\0' ? 0 : -1;
}

static int lxc_start(const struct ct_runtime *rt, struct ct_instance *c, struct agent *agent,
                     struct bench_error **err)
{
	(void)rt;
	char text[4096], path[PATH_MAX + 16];
	int n = lxc_config_text(c, ct_cgroup_v1(), text, sizeof(text));
	if (n < 0)
		return bench_error_set(err, 0, "the LXC configuration of %s is too long", c->id);
	lxc_cgroup_path(c, c->cgroup, sizeof(c->cgroup));
	snprintf(path, sizeof(path), "%s/lxc.conf", c->dir);
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, (size_t)n) != n)
		return bench_error_set(err, errno, "writing %s", path);
	/* -P: LXC keeps the container's state under the instance's directory */
	char *argv[] = {c->tool, "--name", c->id, "--lxcpath", c->dir, "--rcfile",
	                path,    "--",     "/wl", "agent",     NULL};
	return spawn_agent(argv, NULL, NULL, agent, err);
}

static void lxc_describe(const struct ct_runtime *rt, struct ct_instance *c, json_t *record)
{
	(void)rt;
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/lxc.conf", c->dir);
	json_object_set_new(record, "config", json_string(path));
	json_object_set_new(record, "init", json_string("init.lxc (lxc-execute) as PID 1"));
	json_object_set_new(record, "security",
	                    json_string("no seccomp, apparmor unconfined, no new privileges, "
	                                "capabilities kill and net_bind_service"));
}

/* lxc-execute ends with wl; a container still running is stopped. */
static void lxc_destroy(const struct ct_runtime *rt, struct ct_instance *c)
{
	(void)rt;
	char stop[PATH_MAX], out[512];
	if (c->id[0] == '\0' || spawn_find("lxc-stop", stop, sizeof(stop)) < 0)
		return;
	char state[PATH_MAX + 80];
	snprintf(state, sizeof(state), "%s/%s", c->dir, c->id);
	if (access(state, F_OK) < 0)
		return;
	char *argv[] = {stop, "--name", c->id, "--lxcpath", c->dir, "--kill", NULL};
	spawn_run(argv, 15, 0, out, sizeof(out), NULL);
}

/* A killed run's LXC container (its instance directory, the lxcpath,
 * holds lxc.conf): killed if it still runs. */
static void lxc_reclaim(const struct ct_runtime *rt, const char *name, const char *dir)
{
	(void)rt;
	char stop[PATH_MAX], conf[PATH_MAX + 16], out[512];
	snprintf(conf, sizeof(conf), "%s/lxc.conf", dir ? dir : "");
	if (dir == NULL || access(conf, F_OK) < 0 || spawn_find("lxc-stop", stop, sizeof(stop)) < 0)
		return;
	char *argv[] = {stop, "--name", (char *)name, "--lxcpath", (char *)dir, "--kill", NULL};
	spawn_run(argv, 15, 0, out, sizeof(out), NULL);
}

const struct ct_runtime ct_runtime_lxc = {
    .name = "lxc",
    .program = "lxc-execute",
    .summary = "LXC (lxc-execute, generated configuration)",
    .nets = 1u << CT_NET_BRIDGE | 1u << CT_NET_HOST | 1u << CT_NET_NONE,
    .needs_rootfs = true,
    .cli_monitors = true,
    .bridge = CT_BRIDGE_ADOPT,
    .probe = lxc_probe,
    .version = lxc_version,
    .start = lxc_start,
    .describe = lxc_describe,
    .destroy = lxc_destroy,
    .reclaim = lxc_reclaim,
};
