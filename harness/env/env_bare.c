/* bare: wl as a host process, pinned with hwloc. The reference every other
 * environment is compared with. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/core/clock.h"
#include "harness/env/env.h"
#include "harness/env/explain.h"
#include "harness/core/spawn.h"

#define READY_TIMEOUT_MS 10000

struct bare {
	long long oom_kills_at_start; /* the host's OOM kill counter, for explain */
};

static int bare_probe(char *reason, size_t len)
{
	(void)reason;
	(void)len;
	return 0;
}

static int bare_prepare(const struct env_spec *spec, struct bench_error **err)
{
	if (access(spec->wl_path, X_OK) < 0)
		return bench_error_set(err, errno, "workload runner '%s' is not executable",
		                       spec->wl_path);
	return 0;
}

static int bare_start(const struct env_spec *spec, struct env_instance **out,
                      struct bench_error **err)
{
	struct env_instance *inst = calloc(1, sizeof(*inst));
	if (inst == NULL)
		return bench_error_set(err, ENOMEM, "bare instance");
	inst->ops = &env_bare_ops;
	agent_init(&inst->agent);
	char *argv[] = {(char *)spec->wl_path, "agent", NULL};
	double t0 = monotonic_seconds();
	json_t *ready = NULL;
	if (spawn_agent(argv, spec->topo, &spec->binding, &inst->agent, err) < 0 ||
	    agent_expect(&inst->agent, "ready", READY_TIMEOUT_MS, &ready, err) < 0) {
		char *text = agent_stderr(&inst->agent, 2048);
		if (text != NULL && err != NULL && *err != NULL)
			bench_error_wrap(err, "starting wl agent (stderr: %s)", text);
		free(text);
		agent_shutdown(&inst->agent, 1000);
		free(inst);
		return -1;
	}
	json_decref(ready);
	inst->start_s = monotonic_seconds() - t0;
	struct bare *b = calloc(1, sizeof(*b));
	if (b != NULL)
		b->oom_kills_at_start = env_host_oom_kills();
	inst->priv = b;
	*out = inst;
	return 0;
}

/* The binding happened in the child before exec (hwloc, inherited across
 * exec); here we record it. What wl itself saw is in every repetition. */
static int bare_pin(struct env_instance *inst, const struct env_spec *spec,
                    struct bench_error **err)
{
	json_decref(inst->pinning);
	inst->pinning = json_pack("{s:s, s:o, s:s}", "method", "hwloc process binding", "binding",
	                          topo_binding_to_json(&spec->binding), "memory_policy",
	                          spec->binding.numa_node >= 0 ? "bind strict" : "default");
	if (inst->pinning == NULL)
		return bench_error_set(err, ENOMEM, "pinning record");
	return 0;
}

static int bare_peer(struct env_instance *inst, struct env_peer *out, struct bench_error **err)
{
	(void)inst;
	(void)err;
	snprintf(out->iface, sizeof(out->iface), "lo");
	snprintf(out->host_address, sizeof(out->host_address), "127.0.0.1");
	snprintf(out->instance_address, sizeof(out->instance_address), "127.0.0.1");
	return 0;
}

/* The process's wait status (it has no sandbox of its own); an OOM kill
 * shows in the host's kernel log or its OOM kill counter. */
static void bare_explain(struct env_instance *inst, char *buf, size_t len)
{
	pid_t pid = inst->agent.pid;
	int status = agent_wait_exit(&inst->agent, inst->agent.timed_out ? 0 : 2000);
	buf[0] = '\0';
	if (status < 0)
		return; /* alive: it did not answer (the runner says so) */
	char how[64], host[768];
	explain_wait_status(status, how, sizeof(how));
	const struct bare *b = inst->priv;
	env_explain_host_oom(pid, b ? b->oom_kills_at_start : -1, host, sizeof(host));
	if (host[0] != '\0')
		snprintf(buf, len, "bare agent (wl, pid %d) %s: %s; lower --size", (int)pid, how,
		         host);
	else
		snprintf(buf, len, "bare agent (wl, pid %d) %s", (int)pid, how);
}

static void bare_stop(struct env_instance *inst)
{
	if (inst == NULL)
		return;
	agent_shutdown(&inst->agent, 2000);
	json_decref(inst->pinning);
	free(inst->priv);
	free(inst);
}

const struct env_ops env_bare_ops = {
    .name = "bare",
    .description = "host processes pinned with hwloc (the reference)",
    .probe = bare_probe,
    .prepare = bare_prepare,
    .start = bare_start,
    .pin = bare_pin,
    .account = env_account_process,
    .peer = bare_peer,
    .stop = bare_stop,
    .explain = bare_explain,
};
