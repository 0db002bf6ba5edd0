/* container: wl as the process of a container run by one of the runtimes
 * of runtime.h (runc by default; crun, docker, lxc), named as variants:
 * --env container/docker, or --env container with --runtime. This file is
 * the one environment: the instance's directory, root filesystem, cgroup
 * name and network are made here the same way for every runtime, the
 * cgroup cpuset and memory come from the same hwloc resolution as bare
 * runs, and what the kernel applied is read back from the cgroup.
 * Networking (--net): bridge (default, a veth on the harness bridge),
 * host, nat (docker: Docker's default bridge, the peer beyond its NAT) or
 * none. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/core/clock.h"
#include "harness/core/spawn.h"
#include "harness/env/container/ct.h"
#include "harness/env/explain.h"
#include "harness/env/container/oci.h"
#include "harness/env/container/runtime.h"
#include "harness/core/stale.h"
#include "harness/env/env.h"
#include "harness/net/netns.h"

#define READY_TIMEOUT_MS 30000
#define DEFAULT_MEMORY   (2ull << 30)
/* What the container itself charges to its memory limit besides the
 * workload: the agent's own pages, page tables and the cgroup's kernel
 * memory (an idle container's usage is a few MiB). */
#define CONTAINER_OVERHEAD (32ull << 20)

struct container {
	const struct ct_runtime *rt;
	struct ct_instance ct;
	/* bridge: the instance's namespace and veth; nat: the peer's namespace
	 * beyond Docker's NAT */
	struct netns_slot slot;
	bool has_slot;
	long long oom_kills_at_start; /* the host's OOM kill counter, for explain */
};

static const struct ct_runtime *runtime_of(const struct env_spec *spec)
{
	return ct_runtime_find(spec->runtime ? spec->runtime : RUNTIME_DEFAULT);
}

static int container_probe_variant(const char *variant, char *reason, size_t len)
{
	const struct ct_runtime *rt = ct_runtime_find(variant);
	if (rt == NULL) {
		char names[128];
		ct_runtime_names(names, sizeof(names));
		snprintf(reason, len, "runtime '%s' is not supported (supported: %s)", variant,
		         names);
		return -2;
	}
	return rt->probe(rt, reason, len);
}

static int container_probe(char *reason, size_t len)
{
	return container_probe_variant(RUNTIME_DEFAULT, reason, len);
}

/* The runtime's version, asked once per process (docker's takes a daemon
 * round trip; it stays out of the start latency). */
static const char *version_of(const struct ct_runtime *rt)
{
	static char versions[8][64];
	static const struct ct_runtime *asked[8];
	for (size_t i = 0; i < 8; i++) {
		if (asked[i] == rt)
			return versions[i];
		if (asked[i] == NULL) {
			asked[i] = rt;
			if (rt->version(rt, versions[i], sizeof(versions[i])) < 0)
				snprintf(versions[i], sizeof(versions[i]), "unknown");
			return versions[i];
		}
	}
	return "unknown";
}

/* One orphaned instance directory (a killed run's "bench-PID-N"): the
 * runtime that ran it removes its container, then its cgroups and the
 * directory go. */
static void reclaim_instance(const char *name, const char *path, void *ctx)
{
	(void)ctx;
	for (size_t i = 0; i < ct_runtime_count; i++)
		if (ct_runtimes[i]->reclaim != NULL)
			ct_runtimes[i]->reclaim(ct_runtimes[i], name, path);
	ct_remove_instance_cgroups(name);
	stale_remove_tree(path);
}

/* A runtime's state entry whose instance directory went first. */
static void reclaim_state(const char *name, const char *path, void *ctx)
{
	(void)path;
	const struct ct_runtime *rt = ctx;
	rt->reclaim(rt, name, NULL);
	ct_remove_instance_cgroups(name);
}

/* Removes what killed runs left: their containers (also stopped ones a
 * runtime still lists), cgroups and instance directories. */
static void container_reclaim(void)
{
	stale_sweep(CT_DIR_ROOT, reclaim_instance, NULL);
	for (size_t i = 0; i < ct_runtime_count; i++)
		if (ct_runtimes[i]->state_root != NULL && ct_runtimes[i]->reclaim != NULL)
			stale_sweep(ct_runtimes[i]->state_root, reclaim_state,
			            (void *)ct_runtimes[i]);
}

static int container_prepare(const struct env_spec *spec, struct bench_error **err)
{
	const struct ct_runtime *rt = runtime_of(spec);
	char reason[512];
	int probe = container_probe_variant(spec->runtime ? spec->runtime : RUNTIME_DEFAULT, reason,
	                                    sizeof(reason));
	if (probe < 0)
		return bench_error_set(err, 0, "%s", reason);
	enum ct_net net;
	char nets[64];
	ct_runtime_nets(rt, nets, sizeof(nets));
	if (ct_net_parse(spec->net_mode, &net) < 0 || !(rt->nets & (1u << net)))
		return bench_error_set(err, 0, "--net %s: runtime %s offers %s", spec->net_mode,
		                       rt->name, nets);
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
	version_of(rt);
	return rt->prepare ? rt->prepare(rt, spec, err) : 0;
}

static void container_release(const struct env_spec *spec)
{
	const struct ct_runtime *rt = runtime_of(spec);
	if (rt != NULL && rt->release != NULL)
		rt->release(rt, spec);
}

static void container_destroy(struct container *c)
{
	if (c->rt != NULL)
		c->rt->destroy(c->rt, &c->ct);
	if (c->has_slot)
		netns_teardown(&c->slot);
	c->has_slot = false;
	stale_remove_tree(c->ct.dir);
	ct_remove_parent_cgroups();
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

static int make_dir(struct ct_instance *ct, struct bench_error **err)
{
	if (mkdir("/run/bench", 0755) < 0 && errno != EEXIST)
		return bench_error_set(err, errno, "creating /run/bench");
	if (mkdir(CT_DIR_ROOT, 0700) < 0 && errno != EEXIST)
		return bench_error_set(err, errno, "creating %s", CT_DIR_ROOT);
	snprintf(ct->dir, sizeof(ct->dir), "%s/%s", CT_DIR_ROOT, ct->id);
	if (mkdir(ct->dir, 0700) < 0)
		return bench_error_set(err, errno, "creating %s", ct->dir);
	return 0;
}

/* Everything the runtime needs before its start hook: names, directory,
 * resources, root filesystem, and the namespace it joins or the peer's. */
static int set_up(struct container *c, const struct env_spec *spec, struct bench_error **err)
{
	static unsigned counter;
	struct ct_instance *ct = &c->ct;
	snprintf(ct->id, sizeof(ct->id), "bench-%d-%u", (int)getpid(), counter++);
	snprintf(ct->cgroup, sizeof(ct->cgroup), "/bench/%s", ct->id);
	ct_net_parse(spec->net_mode, &ct->net);
	ct->cpus = spec->binding.cpus_text;
	ct->numa_node = spec->binding.numa_node;
	ct->memory_bytes = spec->memory_bytes ? spec->memory_bytes : DEFAULT_MEMORY;
	ct->cpu_limit = spec->cpu_limit;
	ct->pid = -1;
	if (spawn_find(c->rt->program, ct->tool, sizeof(ct->tool)) < 0)
		return bench_error_set(err, 0, "%s not found", c->rt->program);
	if (make_dir(ct, err) < 0)
		return -1;
	static char scratch[PATH_MAX]; /* realpath of the run's one scratch directory */
	if (spec->work_dir && realpath(spec->work_dir, scratch) != NULL)
		ct->scratch = scratch;
	if (c->rt->needs_rootfs) {
		snprintf(ct->rootfs, sizeof(ct->rootfs), "%s/rootfs", ct->dir);
		if (oci_rootfs_write(ct->rootfs, spec->wl_path, ct->scratch, err) < 0)
			return -1;
	}
	bool join = ct->net == CT_NET_BRIDGE && c->rt->bridge == CT_BRIDGE_JOIN;
	if (join || ct->net == CT_NET_NAT) {
		if (netns_setup(&c->slot, err) < 0)
			return -1;
		c->has_slot = true;
		if (join)
			ct->netns_path = c->slot.ns_path;
	}
	return 0;
}

/* After "ready": what only the running container tells, and the bridge's
 * veth for runtimes that made an empty namespace. */
static int after_ready(struct container *c, pid_t cli, struct bench_error **err)
{
	struct ct_instance *ct = &c->ct;
	if (c->rt->cli_monitors)
		ct_add_helper(ct, cli);
	if (c->rt->started != NULL && c->rt->started(c->rt, ct, err) < 0)
		return -1;
	if (ct->pid <= 0)
		ct->pid = ct_cgroup_pid(ct);
	if (ct->net != CT_NET_BRIDGE || c->rt->bridge != CT_BRIDGE_ADOPT)
		return 0;
	if (ct->pid <= 0)
		return bench_error_set(err, 0, "no process in cgroup %s to put on the bridge",
		                       ct->cgroup);
	if (netns_adopt(&c->slot, ct->pid, err) < 0)
		return -1;
	c->has_slot = true;
	return 0;
}

static int container_start(const struct env_spec *spec, struct env_instance **out,
                           struct bench_error **err)
{
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
	c->rt = runtime_of(spec);
	if (c->rt == NULL) {
		bench_error_set(err, 0, "runtime %s is not supported", spec->runtime);
		goto fail;
	}
	container_reclaim(); /* before the clock: not part of the start latency */
	double t0 = monotonic_seconds();
	json_t *ready = NULL;
	if (set_up(c, spec, err) < 0 || c->rt->start(c->rt, &c->ct, &inst->agent, err) < 0)
		goto fail;
	if (agent_expect(&inst->agent, "ready", READY_TIMEOUT_MS, &ready, err) < 0) {
		char *text = agent_stderr(&inst->agent, 2048);
		if (text != NULL)
			bench_error_wrap(err, "%s (stderr: %s)", c->rt->name, text);
		free(text);
		goto fail;
	}
	json_decref(ready);
	if (after_ready(c, inst->agent.pid, err) < 0) {
		bench_error_wrap(err, "%s container %s", c->rt->name, c->ct.id);
		goto fail;
	}
	inst->start_s = monotonic_seconds() - t0;
	c->oom_kills_at_start = env_host_oom_kills();
	*out = inst;
	return 0;
fail:
	container_stop(inst);
	return -1;
}

/* The limits asked, against what the cgroup holds: "" when they agree,
 * else what differs. */
static void check_settings(const struct ct_instance *ct, json_t *got, char *why, size_t len)
{
	const char *cpus = json_string_value(json_object_get(got, "cpuset_cpus"));
	json_t *mem = json_object_get(got, "memory_limit_bytes");
	json_t *quota = json_object_get(got, "cpu_quota_us");
	json_t *period = json_object_get(got, "cpu_period_us");
	long long page = sysconf(_SC_PAGESIZE);
	why[0] = '\0';
	if (cpus == NULL || strcmp(cpus, ct->cpus) != 0)
		snprintf(why, len, "container cpuset is '%s', asked '%s'", cpus ? cpus : "?",
		         ct->cpus);
	else if (!json_is_integer(mem) ||
	         llabs(json_integer_value(mem) - (long long)ct->memory_bytes) >= page)
		snprintf(why, len, "container memory limit is %lld, asked %llu",
		         (long long)json_integer_value(mem), (unsigned long long)ct->memory_bytes);
	else if (ct->cpu_limit > 0 &&
	         (!json_is_integer(quota) || !json_is_integer(period) ||
	          llabs(json_integer_value(quota) * CT_CFS_PERIOD_US -
	                ct_cfs_quota_us(ct->cpu_limit) * json_integer_value(period)) >
	              json_integer_value(period)))
		snprintf(why, len, "container CPU quota is %lld/%lld us, asked %.3f CPUs",
		         (long long)json_integer_value(quota),
		         (long long)json_integer_value(period), ct->cpu_limit);
}

/* pinning.backend.cpu_limit from what the cgroup holds (settings, see
 * ct_cgroup_settings): null without --cpu-limit, else {asked, quota_us,
 * period_us, cpus}. */
static json_t *cpu_limit_record(const struct ct_instance *ct, const json_t *settings)
{
	if (ct->cpu_limit <= 0)
		return json_null();
	json_int_t quota = json_integer_value(json_object_get(settings, "cpu_quota_us"));
	json_int_t period = json_integer_value(json_object_get(settings, "cpu_period_us"));
	return json_pack("{s:f, s:I, s:I, s:f}", "asked", ct->cpu_limit, "quota_us", quota,
	                 "period_us", period, "cpus",
	                 period > 0 && quota > 0 ? (double)quota / (double)period : 0.0);
}

/* The runtime applied cpuset, memory and quota; record what the cgroup
 * holds, the runtime, its version and the network. */
static int container_pin(struct env_instance *inst, const struct env_spec *spec,
                         struct bench_error **err)
{
	struct container *c = inst->priv;
	struct ct_instance *ct = &c->ct;
	json_t *settings = ct_cgroup_settings(ct);
	const char *cpus = json_string_value(json_object_get(settings, "cpuset_cpus"));
	const char *mems = json_string_value(json_object_get(settings, "cpuset_mems"));
	json_decref(inst->pinning);
	inst->pinning =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:O}", "method",
	              "cgroup cpuset", "runtime", c->rt->name, "runtime_version", version_of(c->rt),
	              "cgroup", ct->cgroup, "net", ct_net_name(ct->net), "binding",
	              topo_binding_to_json(&spec->binding), "cpuset_cpus", cpus ? cpus : "",
	              "cpuset_mems", mems ? mems : "", "id", ct->id, "cgroup_settings", settings);
	if (inst->pinning == NULL) {
		json_decref(settings);
		return bench_error_set(err, ENOMEM, "pinning record");
	}
	json_object_set_new(inst->pinning, "runtime_processes", ct_helpers_json(ct));
	json_object_set_new(inst->pinning, "cpu_limit", cpu_limit_record(ct, settings));
	if (c->rt->describe != NULL)
		c->rt->describe(c->rt, ct, inst->pinning);
	char why[256];
	check_settings(ct, settings, why, sizeof(why));
	json_decref(settings);
	return why[0] ? bench_error_set(err, 0, "%s", why) : 0;
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
	out->backend_cpu_s = ct_helpers_cpu_s(&c->ct);
	if (ct_cgroup_read(&c->ct, "memory", "memory.usage_in_bytes", "memory.current", buf,
	                   sizeof(buf)) == 0)
		out->mem_bytes = strtoll(buf, NULL, 10);
	char path[PATH_MAX], stat[4096];
	snprintf(path, sizeof(path), "/sys/fs/cgroup/memory%s/memory.numa_stat", c->ct.cgroup);
	if (env_read_text(path, stat, sizeof(stat)) < 0) {
		snprintf(path, sizeof(path), "/sys/fs/cgroup%s/memory.numa_stat", c->ct.cgroup);
		env_read_text(path, stat, sizeof(stat));
	}
	if (numa_mem_parse_cgroup(&out->mem_nodes, stat, (uint64_t)sysconf(_SC_PAGESIZE)) < 0)
		memset(&out->mem_nodes, 0, sizeof(out->mem_nodes));
	if (ct_cgroup_read(&c->ct, "cpuacct", "cpuacct.usage", "cpu.stat", buf, sizeof(buf)) == 0) {
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
	struct container *c = inst->priv;
	switch (c->ct.net) {
	case CT_NET_HOST:
		snprintf(out->iface, sizeof(out->iface), "lo");
		snprintf(out->host_address, sizeof(out->host_address), "127.0.0.1");
		snprintf(out->instance_address, sizeof(out->instance_address), "127.0.0.1");
		return 0;
	case CT_NET_NAT:
		/* The peer sits in a namespace of its own on the harness bridge, so
		 * the instance reaches it the way a container reaches any service
		 * beyond the host: through docker0, FORWARD and Docker's
		 * MASQUERADE. Captured where the instance's traffic enters the
		 * host, on its veth, as for bridge. */
		snprintf(out->iface, sizeof(out->iface), "%s", c->ct.veth);
		snprintf(out->host_address, sizeof(out->host_address), "%s", c->slot.inst_addr);
		snprintf(out->instance_address, sizeof(out->instance_address), "%s", c->ct.address);
		snprintf(out->netns, sizeof(out->netns), "%s", c->slot.ns_name);
		return 0;
	case CT_NET_NONE:
		return bench_error_set(err, 0,
		                       "--net none: the container has loopback only; network "
		                       "workloads need --net bridge, host or nat");
	default:
		snprintf(out->iface, sizeof(out->iface), "%s", c->slot.host_veth);
		snprintf(out->host_address, sizeof(out->host_address), "%s", c->slot.bridge_addr);
		snprintf(out->instance_address, sizeof(out->instance_address), "%s",
		         c->slot.inst_addr);
		return 0;
	}
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

/* The cgroup's memory record (kept by runc run --keep until destroy; docker
 * and lxc remove theirs with the container) says whether the kernel
 * OOM-killed the agent at the limit; the runtime's exit status says how the
 * container's process ended. */
static void container_explain(struct env_instance *inst, char *buf, size_t len)
{
	struct container *c = inst->priv;
	int status = agent_wait_exit(&inst->agent, inst->agent.timed_out ? 0 : 3000);
	char path[PATH_MAX], oom[512], fail[64], peak[64], limit[64];
	struct memcg_facts f;
	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/fs/cgroup/memory%s/memory.oom_control", c->ct.cgroup);
	if (env_read_text(path, oom, sizeof(oom)) == 0) {
		ct_cgroup_read(&c->ct, "memory", "memory.failcnt", "-", fail, sizeof(fail));
		ct_cgroup_read(&c->ct, "memory", "memory.max_usage_in_bytes", "-", peak,
		               sizeof(peak));
		ct_cgroup_read(&c->ct, "memory", "memory.limit_in_bytes", "-", limit,
		               sizeof(limit));
		explain_memcg_v1(oom, fail, peak, limit, &f);
	} else {
		snprintf(path, sizeof(path), "/sys/fs/cgroup%s/memory.events", c->ct.cgroup);
		env_read_text(path, oom, sizeof(oom));
		ct_cgroup_read(&c->ct, "-", "-", "memory.peak", peak, sizeof(peak));
		ct_cgroup_read(&c->ct, "-", "-", "memory.max", limit, sizeof(limit));
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
		         code - 128, c->rt->name, how, host[0] ? "; " : "", host);
	else
		snprintf(buf, len, "container agent ended: %s %s%s%s", c->rt->name, how,
		         host[0] ? "; " : "", host);
}

static json_t *container_details(void)
{
	return ct_runtime_report();
}

const struct env_ops env_container_ops = {
    .name = "container",
    .reclaim = container_reclaim,
    .description = "container (container/runc by default; container/crun, container/docker, "
                   "container/lxc; --net bridge|host|nat|none)",
    .needs_root = "container runtimes, network namespaces, veth and bridge devices, cgroups",
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
    .default_variant = RUNTIME_DEFAULT,
    .probe_variant = container_probe_variant,
    .release = container_release,
};
