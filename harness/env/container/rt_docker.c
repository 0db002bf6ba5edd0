/* docker: containers of a Docker engine through the docker CLI (which
 * honours DOCKER_HOST). The image is the same root filesystem as runc's
 * bundle (the static wl), imported once from a reproducible tar and tagged
 * by the tar's checksum; the agent talks over `docker run -i` stdio. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/core/fingerprint.h"
#include "harness/core/spawn.h"
#include "harness/core/stale.h"
#include "harness/env/container/docker_cmd.h"
#include "harness/env/container/oci.h"
#include "harness/env/container/runtime.h"

#define DOCKER_TIMEOUT_S 60
#define IMAGE_WORK_DIR   "/run/bench/images"

/* The image of this process's runs: prepared once, shared by every
 * instance, released when the last prepare is. */
static struct {
	char tag[96];
	char sha256[65];
	unsigned users;
	bool imported; /* by this process: removed at release unless kept */
	bool keep;
	enum docker_cgroups driver;
} image;

static int docker_tool(char *path, size_t len)
{
	return spawn_find("docker", path, len);
}

/* Runs `docker ARGS...` (args NULL-terminated) and keeps its first line. */
static int docker_line(char *const args[], char *out, size_t len)
{
	char tool[PATH_MAX];
	if (docker_tool(tool, sizeof(tool)) < 0) {
		snprintf(out, len, "the docker CLI is not installed");
		return -1;
	}
	char *argv[16] = {tool};
	size_t n = 1;
	for (; args[n - 1] != NULL && n < 15; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	return ct_first_line(argv, DOCKER_TIMEOUT_S, out, len);
}

static int docker_version(const struct ct_runtime *rt, char *out, size_t len)
{
	(void)rt;
	char *args[] = {"version", "--format", "{{.Server.Version}}", NULL};
	return docker_line(args, out, len) == 0 && out[0] != '\0' ? 0 : -1;
}

static int docker_probe(const struct ct_runtime *rt, char *reason, size_t len)
{
	char tool[PATH_MAX], line[400];
	if (docker_tool(tool, sizeof(tool)) < 0) {
		snprintf(reason, len, "docker is not installed (apt-get install docker.io)");
		return -1;
	}
	if (ct_probe_host("docker", reason, len) < 0)
		return -1;
	if (docker_version(rt, line, sizeof(line)) == 0)
		return 0;
	const char *host = getenv("DOCKER_HOST");
	snprintf(reason, len,
	         "the Docker daemon is not reachable at %s (%s); start one as root: "
	         "`dockerd --storage-driver=vfs &` on hosts like this one (cgroupfs, no "
	         "systemd), else `systemctl start docker`",
	         host && *host ? host : "unix:///var/run/docker.sock", line);
	return -1;
}

/* The daemon's cgroup driver; cgroupfs when it does not say. */
static enum docker_cgroups daemon_driver(void)
{
	char line[64];
	char *args[] = {"info", "--format", "{{.CgroupDriver}}", NULL};
	if (docker_line(args, line, sizeof(line)) == 0 && strcmp(line, "systemd") == 0)
		return DOCKER_SYSTEMD;
	return DOCKER_CGROUPFS;
}

/* A reproducible tar of the root filesystem (the same wl as runc's bundle):
 * names sorted, times, owners and modes fixed, so its checksum names it. */
static int build_tar(const char *wl_path, const char *work, char *tar, size_t len,
                     struct bench_error **err)
{
	char rootfs[PATH_MAX], tool[PATH_MAX], out[1024];
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", work);
	snprintf(tar, len, "%s/image.tar", work);
	if (oci_rootfs_write(rootfs, wl_path, NULL, err) < 0)
		return -1;
	if (spawn_find("tar", tool, sizeof(tool)) < 0)
		return bench_error_set(err, 0, "tar not found (GNU tar is needed for the image)");
	char *argv[] = {tool,          "--sort=name",
	                "--mtime=@0",  "--owner=0",
	                "--group=0",   "--numeric-owner",
	                "--mode=go-w", "--format=gnu",
	                "-C",          rootfs,
	                "-cf",         tar,
	                ".",           NULL};
	int rc = spawn_run(argv, 60, 0, out, sizeof(out), err);
	if (rc != 0)
		return rc < 0 ? -1 : bench_error_set(err, 0, "tar of the image failed: %s", out);
	return 0;
}

/* 1 when tag exists with our full checksum, 0 when absent or different. */
static int image_matches(const char *tag, const char *sha256)
{
	char line[128], format[64];
	snprintf(format, sizeof(format), "{{index .Config.Labels \"%s\"}}", DOCKER_IMAGE_LABEL);
	char *args[] = {"image", "inspect", "--format", format, (char *)tag, NULL};
	return docker_line(args, line, sizeof(line)) == 0 && strcmp(line, sha256) == 0;
}

static int import_image(const char *tar, struct bench_error **err)
{
	char label[128], line[1024];
	snprintf(label, sizeof(label), "LABEL %s=%s", DOCKER_IMAGE_LABEL, image.sha256);
	char *args[] = {"import",
	                "--change",
	                label,
	                "--change",
	                "ENV PATH=/",
	                "--message",
	                "bench: the static wl",
	                (char *)tar,
	                image.tag,
	                NULL};
	if (docker_line(args, line, sizeof(line)) != 0)
		return bench_error_set(err, 0, "docker import of %s as %s failed: %s", tar,
		                       image.tag, line);
	if (!image_matches(image.tag, image.sha256))
		return bench_error_set(err, 0,
		                       "docker import made %s, but it does not carry label "
		                       "%s=%s",
		                       image.tag, DOCKER_IMAGE_LABEL, image.sha256);
	return 0;
}

static int docker_prepare(const struct ct_runtime *rt, const struct env_spec *spec,
                          struct bench_error **err)
{
	(void)rt;
	image.keep = image.keep || spec->keep_image;
	if (image.users++ > 0)
		return 0;
	image.driver = daemon_driver();
	char work[128], tar[PATH_MAX];
	snprintf(work, sizeof(work), "%s/%d", IMAGE_WORK_DIR, (int)getpid());
	if ((mkdir("/run/bench", 0755) < 0 && errno != EEXIST) ||
	    (mkdir(IMAGE_WORK_DIR, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(work, 0700) < 0 && errno != EEXIST))
		return bench_error_set(err, errno, "creating %s", work);
	int rc = build_tar(spec->wl_path, work, tar, sizeof(tar), err);
	if (rc == 0)
		rc = file_sha256(tar, image.sha256, err);
	if (rc == 0) {
		docker_image_tag(image.sha256, image.tag, sizeof(image.tag));
		if (!image_matches(image.tag, image.sha256)) {
			rc = import_image(tar, err);
			image.imported = rc == 0;
		}
	}
	stale_remove_tree(work);
	if (rc < 0)
		image.tag[0] = '\0';
	return rc;
}

static void docker_release(const struct ct_runtime *rt, const struct env_spec *spec)
{
	(void)rt;
	(void)spec;
	if (image.users == 0 || --image.users > 0)
		return;
	if (image.imported && !image.keep && image.tag[0] != '\0') {
		char line[512];
		char *args[] = {"image", "rm", image.tag, NULL};
		docker_line(args, line, sizeof(line));
	}
	image.imported = false;
	image.keep = false;
	image.tag[0] = '\0';
}

static int docker_start(const struct ct_runtime *rt, struct ct_instance *c, struct agent *agent,
                        struct bench_error **err)
{
	(void)rt;
	if (image.tag[0] == '\0')
		return bench_error_set(err, 0, "docker: no image prepared");
	if (c->scratch != NULL && strpbrk(c->scratch, ",:=\"") != NULL)
		return bench_error_set(err, 0,
		                       "docker cannot bind the scratch directory '%s' (it holds "
		                       "one of , : = \"): choose another with --disk-dir",
		                       c->scratch);
	snprintf(c->image, sizeof(c->image), "%s", image.tag);
	struct ct_argv a = {0};
	docker_run_argv(c, image.driver, &a);
	if (a.overflow)
		return bench_error_set(err, 0, "docker run: the command line is too long");
	return spawn_agent(a.argv, NULL, NULL, agent, err);
}

/* The container's id from its cid file, then its cgroup and a process. */
static int docker_started(const struct ct_runtime *rt, struct ct_instance *c,
                          struct bench_error **err)
{
	(void)rt;
	char path[PATH_MAX + 8], id[128];
	snprintf(path, sizeof(path), "%s/cid", c->dir);
	if (read_first_line(path, id, sizeof(id)) < 0 || strlen(id) != 64)
		return bench_error_set(err, errno, "docker wrote no container id to %s", path);
	docker_cgroup_path(image.driver, id, c->cgroup, sizeof(c->cgroup));
	/* containerd's shim serves the container whoever drives it: the
	 * runtime's own footprint, beside runc's and lxc-execute's */
	ct_add_helper(c, ct_find_process_with_arg(id));
	c->pid = ct_cgroup_pid(c);
	if (c->pid <= 0) {
		char line[64];
		char *args[] = {"inspect", "--format", "{{.State.Pid}}", c->id, NULL};
		if (docker_line(args, line, sizeof(line)) == 0)
			c->pid = (pid_t)strtol(line, NULL, 10);
	}
	if (c->pid <= 0)
		return bench_error_set(err, 0, "no process of container %s found (cgroup %s)",
		                       c->id, c->cgroup);
	if (c->net == CT_NET_NAT)
		return ct_host_veth(c->pid, c->veth, sizeof(c->veth), err);
	return 0;
}

static void docker_describe(const struct ct_runtime *rt, struct ct_instance *c, json_t *record)
{
	(void)rt;
	json_object_set_new(record, "image", json_string(c->image));
	json_object_set_new(record, "image_sha256", json_string(image.sha256));
	json_object_set_new(record, "cgroup_driver",
	                    json_string(image.driver == DOCKER_SYSTEMD ? "systemd" : "cgroupfs"));
	json_object_set_new(record, "security",
	                    json_string("Docker's default seccomp profile, no new privileges, "
	                                "capabilities KILL and NET_BIND_SERVICE"));
	if (c->net == CT_NET_NAT) {
		char line[64];
		char *args[] = {"inspect", "--format", "{{.NetworkSettings.IPAddress}}", c->id,
		                NULL};
		if (docker_line(args, line, sizeof(line)) == 0)
			snprintf(c->address, sizeof(c->address), "%s", line);
		json_object_set_new(record, "docker_network", json_string("bridge (docker0, NAT)"));
	}
}

static void docker_destroy(const struct ct_runtime *rt, struct ct_instance *c)
{
	(void)rt;
	if (c->id[0] == '\0')
		return;
	char line[512];
	char *args[] = {"rm", "--force", c->id, NULL};
	docker_line(args, line, sizeof(line));
}

/* A killed run's container (its instance directory holds docker's cid
 * file): removed with its anonymous state. Its image stays (it is reused
 * while its checksum matches). */
static void docker_reclaim(const struct ct_runtime *rt, const char *name, const char *dir)
{
	(void)rt;
	char cid[PATH_MAX + 8], line[512];
	snprintf(cid, sizeof(cid), "%s/cid", dir ? dir : "");
	if (dir == NULL || access(cid, F_OK) < 0)
		return;
	char *args[] = {"rm", "--force", (char *)name, NULL};
	docker_line(args, line, sizeof(line));
}

const struct ct_runtime ct_runtime_docker = {
    .name = "docker",
    .program = "docker",
    .summary = "Docker engine (docker run of an image of the same wl)",
    .nets = 1u << CT_NET_BRIDGE | 1u << CT_NET_HOST | 1u << CT_NET_NAT | 1u << CT_NET_NONE,
    .needs_rootfs = false,
    .bridge = CT_BRIDGE_ADOPT,
    .probe = docker_probe,
    .version = docker_version,
    .prepare = docker_prepare,
    .release = docker_release,
    .start = docker_start,
    .started = docker_started,
    .describe = docker_describe,
    .destroy = docker_destroy,
    .reclaim = docker_reclaim,
};
