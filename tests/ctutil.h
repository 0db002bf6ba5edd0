/* For the container integration tests (runc, docker, lxc): whether a
 * runtime can run here, and that nothing of bench's is left on the host.
 * Include after cmocka.h. */
#ifndef BENCH_CTUTIL_H
#define BENCH_CTUTIL_H

#include <sys/stat.h>

#include "testrun.h"
#include "testutil.h"

/* "" when `bench list` says container/<runtime> can run here, else its
 * reason, into reason[0..len). */
static inline void runtime_unavailable(const char *bench, const char *runtime, char *reason,
                                       size_t len)
{
	char *argv[] = {(char *)bench, "list", "--json", NULL};
	struct cmd_result r = run_cmd(argv);
	json_t *doc = json_loads(r.out, 0, NULL);
	json_t *envs = json_object_get(doc, "environments");
	snprintf(reason, len, "runtime %s is not in `bench list`", runtime);
	for (size_t i = 0; i < json_array_size(envs); i++) {
		json_t *details = json_object_get(json_array_get(envs, i), "details");
		for (size_t k = 0; k < json_array_size(details); k++) {
			json_t *d = json_array_get(details, k);
			const char *name = json_string_value(json_object_get(d, "name"));
			if (name == NULL || strcmp(name, runtime) != 0)
				continue;
			if (json_is_true(json_object_get(d, "available")))
				reason[0] = '\0';
			else
				snprintf(reason, len, "%s",
				         json_string_value(json_object_get(d, "reason")));
		}
	}
	json_decref(doc);
	cmd_result_free(&r);
}

/* What of bench's container environment is on the host, one "kind name"
 * line each: runc containers, network namespaces, instance directories,
 * the harness bridge and its veths, the per-instance cgroups and their
 * "bench" parents. */
struct host_state {
	char lines[16384];
};

static inline void host_state_add(struct host_state *h, const char *kind, const char *name)
{
	size_t used = strlen(h->lines);
	snprintf(h->lines + used, sizeof(h->lines) - used, "%s %s\n", kind, name);
}

/* Adds every entry of dir starting with prefix, as kind. */
static inline void host_state_dir(struct host_state *h, const char *kind, const char *dir,
                                  const char *prefix)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			host_state_add(h, kind, e->d_name);
	closedir(d);
}

static inline void host_state_collect(struct host_state *h)
{
	h->lines[0] = '\0';
	struct stat st;
	char *runc_list[] = {"/usr/sbin/runc", "list", "-q", NULL};
	if (stat(runc_list[0], &st) < 0)
		runc_list[0] = "/usr/bin/runc";
	if (stat(runc_list[0], &st) == 0) {
		struct cmd_result r = run_cmd(runc_list);
		char *save = NULL;
		for (char *l = strtok_r(r.out, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			if (strncmp(l, "bench-", 6) == 0)
				host_state_add(h, "runc-container", l);
		cmd_result_free(&r);
	}
	host_state_dir(h, "netns", "/run/netns", "bench-");
	host_state_dir(h, "instance-dir", "/run/bench/bundles", "bench-");
	host_state_dir(h, "bridge", "/sys/class/net", "benchbr0");
	host_state_dir(h, "veth", "/sys/class/net", "bvh");
	const char *controllers[] = {"cpuset", "cpu",     "cpuacct", "memory", "pids",
	                             "blkio",  "devices", "freezer", "unified"};
	for (size_t i = 0; i < sizeof(controllers) / sizeof(controllers[0]); i++) {
		char dir[96];
		snprintf(dir, sizeof(dir), "/sys/fs/cgroup/%s", controllers[i]);
		host_state_dir(h, "cgroup-parent", dir, "bench");
		snprintf(dir, sizeof(dir), "/sys/fs/cgroup/%s/bench", controllers[i]);
		host_state_dir(h, "cgroup", dir, "");
	}
	host_state_dir(h, "cgroup-parent", "/sys/fs/cgroup", "bench");
	host_state_dir(h, "cgroup", "/sys/fs/cgroup/bench", "");
}

/* Whether the process whose pid a "bench-PID-N" name carries is alive
 * (false for names without one). */
static inline bool owner_alive(const char *name)
{
	const char *p = strstr(name, "bench-");
	if (p == NULL)
		return false;
	long pid = strtol(p + 6, NULL, 10);
	return pid > 0 && kill((pid_t)pid, 0) == 0;
}

/* The state on the host when the test program started: what other,
 * earlier processes left (a killed run's stopped container) is theirs for
 * bench to reclaim, not this test's to answer for. */
static struct host_state ct_baseline;

static inline void host_state_baseline(void)
{
	host_state_collect(&ct_baseline);
}

/* Nothing of bench's container environment left by this test: every item
 * on the host now was there at the baseline, or belongs to another live
 * process (a "bench-PID-N" name whose PID runs). */
static inline void assert_host_clean(void)
{
	struct host_state now;
	host_state_collect(&now);
	char *save = NULL;
	for (char *l = strtok_r(now.lines, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char line[320];
		snprintf(line, sizeof(line), "%s\n", l);
		if (strstr(ct_baseline.lines, line) != NULL || owner_alive(l))
			continue;
		fail_msg("left on the host (absent when the test started): %s", l);
	}
}

/* The first sample of workload in run, or NULL. */
static inline const struct sample *sample_of(const struct run *run, const char *env,
                                             const char *workload)
{
	for (size_t i = 0; i < run->n_samples; i++)
		if (strcmp(run->samples[i].env, env) == 0 &&
		    strcmp(run->samples[i].workload, workload) == 0)
			return &run->samples[i];
	return NULL;
}

/* pinning.backend.cgroup_settings.<key> of s as an integer (-2 if absent). */
static inline long long cgroup_setting(const struct sample *s, const char *key)
{
	json_t *b = json_object_get(s->pinning, "backend");
	json_t *v = json_object_get(json_object_get(b, "cgroup_settings"), key);
	return json_is_integer(v) ? (long long)json_integer_value(v) : -2;
}

/* Whether pinning.backend.runtime_processes of s has a process whose comm
 * starts with comm and whose PSS was measured. */
static inline bool helper_named(const struct sample *s, const char *comm)
{
	json_t *list = json_object_get(json_object_get(s->pinning, "backend"), "runtime_processes");
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *p = json_array_get(list, i);
		const char *c = json_string_value(json_object_get(p, "comm"));
		if (c != NULL && strncmp(c, comm, strlen(comm)) == 0 &&
		    json_integer_value(json_object_get(p, "pss_bytes")) > 0)
			return true;
	}
	return false;
}

/* The checks every "one workload of every family" run shares, whatever the
 * runtime: s ran in env with runtime (its version recorded) on bench's
 * bridge, pinned to CPU 0 (the cgroup and the agent agree), with its start
 * latency, memory and the runtime's own process (comm prefix
 * runtime_process) measured, and network samples crossing a bridge veth. */
static inline void assert_family_sample(const struct sample *s, const char *env,
                                        const char *runtime, const char *runtime_process)
{
	assert_false(s->failed);
	assert_string_equal(s->env, env);
	json_t *backend = json_object_get(s->pinning, "backend");
	assert_string_equal(json_string_value(json_object_get(backend, "runtime")), runtime);
	assert_non_null(json_string_value(json_object_get(backend, "runtime_version")));
	assert_string_equal(json_string_value(json_object_get(backend, "net")), "bridge");
	assert_string_equal(json_string_value(json_object_get(backend, "cpuset_cpus")), "0");
	json_t *seen = json_object_get(s->pinning, "seen");
	assert_string_equal(json_string_value(json_object_get(seen, "cpus_allowed")), "0");
	json_t *inst = json_object_get(s->config, "instance");
	assert_true(json_real_value(json_object_get(inst, "start_s")) > 0);
	assert_true(json_integer_value(json_object_get(inst, "mem_bytes")) > 0);
	assert_true(helper_named(s, runtime_process));
	if (strncmp(s->workload, "net.", 4) == 0) {
		const char *iface = json_string_value(json_object_get(s->wire, "iface"));
		assert_non_null(iface);
		assert_int_equal(strncmp(iface, "bvh", 3), 0); /* bench's bridge */
		json_t *to = json_object_get(s->wire, "to_peer");
		assert_true(json_integer_value(json_object_get(to, "packets")) > 0);
	}
}

#endif
