#include "harness/run/size_plan.h"

#include <numa.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"
#include "harness/env/env.h"

struct usable_ctx {
	const struct env_ops *env;
	struct env_spec spec;
};

static int env_usable(void *ctx, uint64_t memory, uint64_t *usable, char *basis, size_t len,
                      struct bench_error **err)
{
	struct usable_ctx *u = ctx;
	struct env_memory m;
	if (u->env->memory(&u->spec, memory, true, &m, err) < 0)
		return -1;
	*usable = m.usable_bytes;
	snprintf(basis, len, "%s", m.basis);
	return 0;
}

/* "MemAvailable 22.8 GiB", or the node's MemFree with --numa when smaller. */
static uint64_t host_available(int numa_node, char *basis, size_t len)
{
	char text[8192], b[32];
	unsigned long long kib = 0;
	if (env_read_text("/proc/meminfo", text, sizeof(text)) == 0) {
		const char *p = strstr(text, "MemAvailable:");
		if (p != NULL)
			kib = strtoull(p + strlen("MemAvailable:"), NULL, 10);
	}
	uint64_t bytes = kib * 1024;
	snprintf(basis, len, "MemAvailable %s", topo_fmt_bytes(bytes, b, sizeof(b)));
	/* libnuma: the node's free memory (its MemFree) */
	long long node_free = 0;
	if (numa_node < 0 || numa_available() < 0 || numa_node_size64(numa_node, &node_free) < 0)
		return bytes;
	uint64_t node = (uint64_t)node_free;
	if (node < bytes) {
		snprintf(basis, len, "node %d's MemFree %s", numa_node,
		         topo_fmt_bytes(node, b, sizeof(b)));
		return node;
	}
	return bytes;
}

int size_plan_resolve(const struct run_options *opts, const struct env_choice *envs, size_t n_envs,
                      const struct catalog *cat, const struct topo *topo,
                      const struct topo_binding *binding, const char *wl_path,
                      struct size_plan *out, struct bench_error **err)
{
	struct size_inputs in = {.threads = binding->threads ? binding->threads : 1,
	                         .instances_at_once = (unsigned)n_envs,
	                         .user_size_text = opts->size,
	                         .user_disk_path = opts->disk_path != NULL};
	char llc_basis[160], host_basis[96];
	topo_instance_llc(topo, binding, &in.llc_bytes, llc_basis, sizeof(llc_basis));
	in.llc_basis = llc_basis;
	in.host_available = host_available(binding->numa_node, host_basis, sizeof(host_basis));
	in.host_basis = host_basis;
	if (opts->size != NULL &&
	    (run_options_bytes(opts->size, &in.user_size) < 0 || in.user_size == 0))
		return bench_error_set(err, 0,
		                       "--size %s is not a size: a whole number of bytes with an "
		                       "optional K, M, G or T suffix (powers of 1024), at least 1",
		                       opts->size),
		       SIZES_USAGE;
	cleanup_free size_t *sel = NULL;
	size_t n_sel = 0;
	if (catalog_select(cat, opts->workloads, &sel, &n_sel, err) < 0)
		return SIZES_USAGE;
	for (size_t i = 0; i < n_sel && in.n_workloads < SIZES_MAX_WORKLOADS; i++) {
		const struct wl_info *w = &cat->items[sel[i]];
		in.wl[in.n_workloads++] = (struct size_workload){
		    .name = w->name,
		    .takes_size = wl_info_takes(w, "size"),
		    .disk = wl_info_takes(w, "disk_dir"),
		    .size_min = w->size_min,
		    .size_max = w->size_max,
		};
	}
	struct usable_ctx ctx[SIZES_MAX_ENVS];
	for (size_t i = 0; i < n_envs && i < SIZES_MAX_ENVS; i++) {
		struct size_env *e = &in.env[in.n_envs++];
		*e = (struct size_env){.name = envs[i].name, .given = opts->memory != NULL};
		if (envs[i].ops->memory == NULL)
			continue;
		ctx[i].env = envs[i].ops;
		if (env_spec_init(&ctx[i].spec, opts, topo, binding, wl_path, NULL, err) < 0)
			return SIZES_USAGE;
		env_spec_choose(&ctx[i].spec, &envs[i]);
		struct env_memory m;
		if (envs[i].ops->memory(&ctx[i].spec, 0, false, &m, err) < 0)
			return -1;
		e->own_memory = true;
		e->memory = m.memory_bytes;
		e->disk_bytes = m.disk_bytes;
		e->usable = env_usable;
		e->ctx = &ctx[i];
	}
	return sizes_choose(&in, out, err);
}

void size_plan_print(FILE *out, const struct size_plan *p)
{
	if (p->n_choices == 0)
		return;
	fprintf(out, "sizes, the same in every environment (LLC: %s):\n", p->llc_basis);
	for (size_t i = 0; i < p->n_choices; i++)
		fprintf(out, "  %-16s %s%s\n", p->choice[i].workload, p->choice[i].reason,
		        p->choice[i].below_4x_llc ? " [below 4x LLC]" : "");
	for (size_t i = 0; i < p->n_envs; i++)
		fprintf(out, "  %-16s %s\n", p->env[i].name, p->env[i].reason);
}

void size_plan_config(const struct size_plan *p, const char *env, const char *workload,
                      json_t *wl_config, json_t *config)
{
	const struct size_choice *c = size_plan_find(p, workload);
	if (c != NULL) {
		json_int_t reported = json_integer_value(json_object_get(wl_config, "size_bytes"));
		if (c->size != 0)
			json_object_set_new(config, "size", json_integer((json_int_t)c->size));
		else if (reported > 0)
			json_object_set_new(config, "size", json_integer(reported));
		json_object_set_new(config, "size_reason", json_string(c->reason));
		if (c->kind == SIZE_STREAM || c->kind == SIZE_LATENCY || c->kind == SIZE_RANDOM)
			json_object_set_new(config, "size_below_4x_llc",
			                    json_boolean(c->below_4x_llc));
	}
	const struct size_env_plan *e = size_plan_env(p, env);
	if (e != NULL)
		json_object_set_new(
		    config, "memory",
		    json_pack("{s:o, s:o, s:s}", "bytes",
		              e->memory ? json_integer((json_int_t)e->memory) : json_null(),
		              "usable_bytes",
		              e->usable ? json_integer((json_int_t)e->usable) : json_null(),
		              "reason", e->reason));
}

uint64_t size_plan_memory(const struct size_plan *p, const char *env)
{
	const struct size_env_plan *e = size_plan_env(p, env);
	return e ? e->memory : 0;
}
