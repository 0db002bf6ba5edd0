/* container: wl as the process of an OCI container run by runc (or another
 * OCI runtime with the same CLI). The bundle is a root filesystem holding
 * only the static wl plus a generated config.json; the cgroup cpuset uses
 * the same hwloc-resolved CPUs and NUMA node as bare runs. Networking is a
 * veth on the harness bridge (--net bridge, default) or the host's stack
 * (--net host). */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/core/clock.h"
#include "harness/env/env.h"
#include "harness/env/explain.h"
#include "harness/core/fingerprint.h"
#include "harness/net/netns.h"
#include "harness/env/container/oci.h"
#include "harness/env/container/runtime.h"
#include "harness/core/spawn.h"
#include "harness/core/stale.h"

#define BUNDLE_ROOT      "/run/bench/bundles"
#define READY_TIMEOUT_MS 30000
#define DEFAULT_MEMORY   (2ull << 30)
/* What the container itself charges to its memory limit besides the
 * workload: the agent's own pages, page tables and the cgroup's kernel
 * memory (an idle container's usage is a few MiB). */
#define CONTAINER_OVERHEAD (32ull << 20)

struct container {
	char id[64];
	char runtime[PATH_MAX];
	char bundle[PATH_MAX];
	char cgroup[96]; /* cgroupsPath, "/bench/<id>" */
	bool bridged;
	struct netns_slot net;
	long long oom_kills_at_start; /* the host's OOM kill counter, for explain */
};

static const char *runtime_name(const struct env_spec *spec)
{
	return spec->runtime ? spec->runtime : RUNTIME_DEFAULT;
}

/* "runc" for /usr/sbin/runc. */
static const char *runtime_name_of(const struct container *c)
{
	const char *slash = strrchr(c->runtime, '/');
	return slash ? slash + 1 : c->runtime;
}

static int container_probe(char *reason, size_t len)
{
	return runtime_probe(RUNTIME_DEFAULT, reason, len);
}

static int container_prepare(const struct env_spec *spec, struct bench_error **err)
{
	char reason[512];
	if (runtime_probe(runtime_name(spec), reason, sizeof(reason)) < 0)
		return bench_error_set(err, 0, "%s", reason);
	if (spec->net_mode && strcmp(spec->net_mode, "bridge") != 0 &&
	    strcmp(spec->net_mode, "host") != 0)
		return bench_error_set(err, 0, "--net %s: valid modes are bridge, host",
		                       spec->net_mode);
	if (access(spec->wl_path, X_OK) < 0)
		return bench_error_set(err, errno, "workload runner '%s'", spec->wl_path);
	unsigned cpus = 0;
	for (size_t i = 0; i < CPULIST_MAX; i++)
		cpus += spec->binding.cpus[i];
	if (spec->cpu_limit > (double)cpus)
		return bench_error_set(
		    err, 0,
		    "--cpu-limit %g is more than the %u CPU(s) of the container's "
		    "cpuset (%s): it would limit nothing",
		    spec->cpu_limit, cpus, spec->binding.cpus_text);
	return 0;
}

/* Removes the bundle without crossing into mounts. */
static void remove_bundle(const char *dir)
{
	stale_remove_tree(dir);
}

/* A container of a killed run: deleted by the runtime, bundle removed. */
static void reclaim_container(const char *name, const char *path, void *ctx)
{
	char out[512];
	char *argv[] = {(char *)ctx, "delete", "--force", (char *)name, NULL};
	spawn_run(argv, 15, 0, out, sizeof(out), NULL);
	if (path != NULL)
		remove_bundle(path);
}

/* A runtime's state entry without a bundle (the bundle went first). */
static void reclaim_runtime_state(const char *name, const char *path, void *ctx)
{
	(void)path;
	reclaim_container(name, NULL, ctx);
}

/* Removes what killed runs left: their containers (also stopped ones a
 * runtime still lists) and bundles. */
static void container_reclaim(void)
{
	static const char *const runtimes[] = {"runc", "crun"};
	for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++) {
		char path[PATH_MAX], state_root[64];
		if (spawn_find(runtimes[i], path, sizeof(path)) < 0)
			continue;
		snprintf(state_root, sizeof(state_root), "/run/%s", runtimes[i]);
		stale_sweep(BUNDLE_ROOT, reclaim_container, path);
		stale_sweep(state_root, reclaim_runtime_state, path);
	}
}

/* Removes the now-empty "bench" parent cgroups the runtime left. */
static void remove_parent_cgroups(void)
{
	const char *controllers[] = {"cpuset",  "cpu",     "cpuacct", "memory",  "devices",
	                             "pids",    "blkio",   "freezer", "net_cls", "perf_event",
	                             "hugetlb", "systemd", "unified", ""};
	char path[PATH_MAX];
	for (size_t i = 0; i < sizeof(controllers) / sizeof(controllers[0]); i++) {
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s%sbench", controllers[i],
		         controllers[i][0] ? "/" : "");
		rmdir(path); /* fails harmlessly while another run still uses it */
	}
}

static void container_destroy(struct container *c)
{
	if (c->id[0] != '\0' && c->runtime[0] != '\0') {
		char out[512];
		char *argv[] = {c->runtime, "delete", "--force", c->id, NULL};
		spawn_run(argv, 15, 0, out, sizeof(out), NULL);
	}
	if (c->bridged)
		netns_teardown(&c->net);
	remove_bundle(c->bundle);
	remove_parent_cgroups();
}

static void container_stop(struct env_instance *inst)
{
	if (inst == NULL)
		return;
	agent_shutdown(&inst->agent, 3000);
	struct container *c = inst->priv;
	if (c != NULL)
		container_destroy(c);
	free(c);
	json_decref(inst->pinning);
	free(inst);
}

static int make_bundle_dir(struct container *c, struct bench_error **err)
{
	if (mkdir("/run/bench", 0755) < 0 && errno != EEXIST)
		return bench_error_set(err, errno, "creating /run/bench");
	if (mkdir(BUNDLE_ROOT, 0700) < 0 && errno != EEXIST)
		return bench_error_set(err, errno, "creating %s", BUNDLE_ROOT);
	snprintf(c->bundle, sizeof(c->bundle), "%s/%s", BUNDLE_ROOT, c->id);
	if (mkdir(c->bundle, 0700) < 0)
		return bench_error_set(err, errno, "creating %s", c->bundle);
	return 0;
}

static int container_start(const struct env_spec *spec, struct env_instance **out,
                           struct bench_error **err)
{
	static unsigned counter;
	struct env_instance *inst = calloc(1, sizeof(*inst));
	struct container *c = calloc(1, sizeof(*c));
	if (inst == NULL || c == NULL) {
		free(inst);
		free(c);
		return bench_error_set(err, ENOMEM, "container instance");
	}
	inst->ops = &env_container_ops;
	inst->priv = c;
	agent_init(&inst->agent);
	snprintf(c->id, sizeof(c->id), "bench-%d-%u", (int)getpid(), counter++);
	snprintf(c->cgroup, sizeof(c->cgroup), "/bench/%s", c->id);
	double t0 = monotonic_seconds();
	if (spawn_find(runtime_name(spec), c->runtime, sizeof(c->runtime)) < 0) {
		bench_error_set(err, 0, "runtime %s not found", runtime_name(spec));
		goto fail;
	}
	container_reclaim();
	c->bridged = spec->net_mode == NULL || strcmp(spec->net_mode, "bridge") == 0;
	if (c->bridged && netns_setup(&c->net, err) < 0) {
		c->bridged = false;
		goto fail;
	}
	char scratch[PATH_MAX];
	bool has_scratch = spec->work_dir && realpath(spec->work_dir, scratch) != NULL;
	struct oci_spec oci = {
	    .hostname = c->id,
	    .cpus = spec->binding.cpus_text,
	    .numa_node = spec->binding.numa_node,
	    .memory_bytes = spec->memory_bytes ? spec->memory_bytes : DEFAULT_MEMORY,
	    .cpu_limit = spec->cpu_limit,
	    .netns_path = c->bridged ? c->net.ns_path : NULL,
	    .scratch_dir = has_scratch ? scratch : NULL,
	    .cgroups_path = c->cgroup,
	};
	if (make_bundle_dir(c, err) < 0 ||
	    oci_bundle_write(c->bundle, spec->wl_path, &oci, err) < 0)
		goto fail;
	/* --keep: the container (and its cgroup, with the memory record that
	 * explains an OOM kill) stays until container_destroy deletes it */
	char *argv[] = {c->runtime, "run", "--keep", "--bundle", c->bundle, c->id, NULL};
	json_t *ready = NULL;
	if (spawn_agent(argv, NULL, NULL, &inst->agent, err) < 0)
		goto fail;
	if (agent_expect(&inst->agent, "ready", READY_TIMEOUT_MS, &ready, err) < 0) {
		char *text = agent_stderr(&inst->agent, 2048);
		if (text != NULL)
			bench_error_wrap(err, "%s run (stderr: %s)", runtime_name(spec), text);
		free(text);
		goto fail;
	}
	json_decref(ready);
	inst->start_s = monotonic_seconds() - t0;
	c->oom_kills_at_start = env_host_oom_kills();
	*out = inst;
	return 0;
fail:
	container_stop(inst);
	return -1;
}

/* cgroup v1 controller file, or the v2 unified one. */
static int cgroup_read(const struct container *c, const char *v1_controller, const char *v1_file,
                       const char *v2_file, char *buf, size_t len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "/sys/fs/cgroup/%s%s/%s", v1_controller, c->cgroup, v1_file);
	if (read_first_line(path, buf, len) == 0)
		return 0;
	snprintf(path, sizeof(path), "/sys/fs/cgroup%s/%s", c->cgroup, v2_file);
	return read_first_line(path, buf, len);
}

/* The CFS quota the cgroup holds: cgroup v1 cpu.cfs_quota_us and
 * cpu.cfs_period_us, or v2 cpu.max ("max 100000" or "80000 100000").
 * quota -1 = unlimited. -1 when neither can be read. */
static int cgroup_cpu_quota(const struct container *c, long long *quota, long long *period)
{
	char q[64], p[64], max[128];
	if (cgroup_read(c, "cpu", "cpu.cfs_quota_us", "cpu.max", q, sizeof(q)) < 0)
		return -1;
	if (cgroup_read(c, "cpu", "cpu.cfs_period_us", "cpu.max", p, sizeof(p)) == 0 &&
	    strchr(q, ' ') == NULL) {
		*quota = strtoll(q, NULL, 10);
		*period = strtoll(p, NULL, 10);
		return 0;
	}
	snprintf(max, sizeof(max), "%s", q); /* v2: both in one line */
	*quota = strncmp(max, "max", 3) == 0 ? -1 : strtoll(max, NULL, 10);
	const char *sp = strchr(max, ' ');
	*period = sp ? strtoll(sp + 1, NULL, 10) : 0;
	return 0;
}

/* pinning.backend.cpu_limit: what was asked and what the cgroup holds (null
 * without --cpu-limit); -1 with *err when the cgroup does not hold it. */
static int record_cpu_limit(const struct container *c, const struct env_spec *spec, json_t **out,
                            struct bench_error **err)
{
	*out = json_null();
	if (spec->cpu_limit <= 0)
		return 0;
	long long quota = 0, period = 0;
	if (cgroup_cpu_quota(c, &quota, &period) < 0)
		return bench_error_set(
		    err, 0, "--cpu-limit: cannot read the CPU quota of cgroup %s", c->cgroup);
	*out = json_pack("{s:f, s:I, s:I, s:f}", "asked", spec->cpu_limit, "quota_us",
	                 (json_int_t)quota, "period_us", (json_int_t)period, "cpus",
	                 period > 0 && quota > 0 ? (double)quota / (double)period : 0.0);
	if (quota != oci_cpu_quota_us(spec->cpu_limit) || period != OCI_CPU_PERIOD_US)
		return bench_error_set(
		    err, 0,
		    "container CPU quota is %lld us per %lld us, asked %lld per %d "
		    "(--cpu-limit %g)",
		    quota, period, (long long)oci_cpu_quota_us(spec->cpu_limit), OCI_CPU_PERIOD_US,
		    spec->cpu_limit);
	return 0;
}

/* runc applied the cpuset and CPU quota from config.json; record what the
 * cgroup holds. */
static int container_pin(struct env_instance *inst, const struct env_spec *spec,
                         struct bench_error **err)
{
	struct container *c = inst->priv;
	char cpus[256] = "", mems[64] = "";
	cgroup_read(c, "cpuset", "cpuset.cpus", "cpuset.cpus.effective", cpus, sizeof(cpus));
	cgroup_read(c, "cpuset", "cpuset.mems", "cpuset.mems.effective", mems, sizeof(mems));
	json_t *limit = NULL;
	int limit_rc = record_cpu_limit(c, spec, &limit, err);
	json_decref(inst->pinning);
	inst->pinning = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:s}", "method",
	                          "cgroup cpuset (OCI runtime)", "runtime", runtime_name(spec),
	                          "cgroup", c->cgroup, "net", c->bridged ? "bridge" : "host",
	                          "binding", topo_binding_to_json(&spec->binding), "cpuset_cpus",
	                          cpus, "cpuset_mems", mems, "cpu_limit", limit, "id", c->id);
	if (inst->pinning == NULL)
		return bench_error_set(err, ENOMEM, "pinning record");
	if (limit_rc < 0)
		return -1;
	if (strcmp(cpus, spec->binding.cpus_text) != 0)
		return bench_error_set(err, 0, "container cpuset is '%s', asked '%s'", cpus,
		                       spec->binding.cpus_text);
	return 0;
}

static int container_account(struct env_instance *inst, struct env_account *out,
                             struct bench_error **err)
{
	(void)err;
	struct container *c = inst->priv;
	char buf[128];
	out->start_s = inst->start_s;
	out->mem_bytes = -1;
	out->cpu_s = -1;
	if (cgroup_read(c, "memory", "memory.usage_in_bytes", "memory.current", buf, sizeof(buf)) ==
	    0)
		out->mem_bytes = strtoll(buf, NULL, 10);
	if (cgroup_read(c, "cpuacct", "cpuacct.usage", "cpu.stat", buf, sizeof(buf)) == 0) {
		unsigned long long v = 0;
		if (sscanf(buf, "usage_usec %llu", &v) == 1)
			out->cpu_s = (double)v / 1e6;
		else
			out->cpu_s = (double)strtoull(buf, NULL, 10) / 1e9;
	}
	return 0;
}

static int container_peer(struct env_instance *inst, struct env_peer *out, struct bench_error **err)
{
	(void)err;
	struct container *c = inst->priv;
	if (!c->bridged) {
		snprintf(out->iface, sizeof(out->iface), "lo");
		snprintf(out->host_address, sizeof(out->host_address), "127.0.0.1");
		snprintf(out->instance_address, sizeof(out->instance_address), "127.0.0.1");
		return 0;
	}
	snprintf(out->iface, sizeof(out->iface), "%s", c->net.host_veth);
	snprintf(out->host_address, sizeof(out->host_address), "%s", c->net.bridge_addr);
	snprintf(out->instance_address, sizeof(out->instance_address), "%s", c->net.inst_addr);
	return 0;
}

/* The container's memory limit: the most its processes can take. */
static uint64_t container_host_memory(const struct env_spec *spec)
{
	return spec->memory_bytes ? spec->memory_bytes : DEFAULT_MEMORY;
}

static int container_memory(const struct env_spec *spec, uint64_t memory_bytes, bool measure,
                            struct env_memory *out, struct bench_error **err)
{
	(void)err, (void)measure; /* stated, nothing to measure */
	out->memory_bytes = memory_bytes         ? memory_bytes
	                    : spec->memory_bytes ? spec->memory_bytes
	                                         : DEFAULT_MEMORY;
	out->usable_bytes =
	    out->memory_bytes > CONTAINER_OVERHEAD ? out->memory_bytes - CONTAINER_OVERHEAD : 0;
	snprintf(out->basis, sizeof(out->basis),
	         "the limit less 32 MiB for the agent's own pages and the cgroup's kernel memory");
	out->disk_bytes = 0;
	return 0;
}

/* The cgroup's memory record (kept by runc run --keep) says whether the
 * kernel OOM-killed the agent at the limit; the runtime's exit status
 * says how the container's process ended. */
static void container_explain(struct env_instance *inst, char *buf, size_t len)
{
	struct container *c = inst->priv;
	int status = agent_wait_exit(&inst->agent, inst->agent.timed_out ? 0 : 3000);
	char path[PATH_MAX], oom[512], fail[64], peak[64], limit[64];
	struct memcg_facts f;
	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/fs/cgroup/memory%s/memory.oom_control", c->cgroup);
	if (env_read_text(path, oom, sizeof(oom)) == 0) {
		cgroup_read(c, "memory", "memory.failcnt", "-", fail, sizeof(fail));
		cgroup_read(c, "memory", "memory.max_usage_in_bytes", "-", peak, sizeof(peak));
		cgroup_read(c, "memory", "memory.limit_in_bytes", "-", limit, sizeof(limit));
		explain_memcg_v1(oom, fail, peak, limit, &f);
	} else {
		snprintf(path, sizeof(path), "/sys/fs/cgroup%s/memory.events", c->cgroup);
		env_read_text(path, oom, sizeof(oom));
		cgroup_read(c, "-", "-", "memory.peak", peak, sizeof(peak));
		cgroup_read(c, "-", "-", "memory.max", limit, sizeof(limit));
		explain_memcg_v2(oom[0] ? oom : NULL, peak[0] ? peak : NULL,
		                 limit[0] ? limit : NULL, &f);
	}
	if (explain_memcg_sentence(&f, "container agent", buf, len))
		return;
	if (status < 0)
		return; /* still running: it did not answer (the runner says so) */
	char how[64], host[768];
	explain_wait_status(status, how, sizeof(how));
	env_explain_host_oom(0, c->oom_kills_at_start, host, sizeof(host));
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
	if (code > 128 && code < 128 + 65) /* the runtime passes on its process's signal */
		snprintf(buf, len,
		         "container agent was killed by signal %d (%s %s), not by its cgroup's "
		         "OOM killer%s%s",
		         code - 128, runtime_name_of(c), how, host[0] ? "; " : "", host);
	else
		snprintf(buf, len, "container agent ended: %s %s%s%s", runtime_name_of(c), how,
		         host[0] ? "; " : "", host);
}

static json_t *container_details(void)
{
	return runtime_report();
}

const struct env_ops env_container_ops = {
    .name = "container",
    .reclaim = container_reclaim,
    .description = "OCI container (runc by default; --runtime, --net bridge|host)",
    .probe = container_probe,
    .prepare = container_prepare,
    .start = container_start,
    .pin = container_pin,
    .account = container_account,
    .peer = container_peer,
    .stop = container_stop,
    .host_memory = container_host_memory,
    .details = container_details,
    .memory = container_memory,
    .explain = container_explain,
};
