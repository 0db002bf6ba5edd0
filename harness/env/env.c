/* What every environment shares: the instance spec from the run options, and
 * the account hook of backends whose instance is one host process tree. */
#include "harness/env/env.h"

#include "harness/core/spawn.h"

int env_spec_init(struct env_spec *spec, const struct run_options *o, const struct topo *t,
                  const struct topo_binding *b, const char *wl_path, const char *work_dir,
                  struct bench_error **err)
{
	*spec = (struct env_spec){
	    .topo = t,
	    .binding = *b,
	    .wl_path = wl_path,
	    .work_dir = work_dir,
	    .runtime = o->runtime,
	    .net_mode = o->net,
	    .accel = o->accel,
	    .kernel = o->kernel,
	    .initrd = o->initrd,
	    .xen_mode = o->xen_mode,
	    .cpu_limit = o->cpu_limit,
	};
	if (o->memory != NULL && run_options_bytes(o->memory, &spec->memory_bytes) < 0)
		return bench_error_set(err, 0, "--memory %s is not a size", o->memory);
	if (o->disk_size != NULL && run_options_bytes(o->disk_size, &spec->disk_bytes) < 0)
		return bench_error_set(err, 0, "--disk-size %s is not a size", o->disk_size);
	return 0;
}

int env_account_process(struct env_instance *inst, struct env_account *out,
                        struct bench_error **err)
{
	(void)err;
	out->cpu_s = proc_cpu_seconds(inst->agent.pid);
	out->mem_bytes = proc_pss_bytes(inst->agent.pid);
	out->start_s = inst->start_s;
	return 0;
}
