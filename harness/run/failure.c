#include "harness/run/failure.h"

#include <stdio.h>

static void explain_death(const struct env_ops *env, struct env_instance *inst, double timeout_s,
                          struct bench_error **err)
{
	char why[1536] = "", timeout[160] = "";
	if (env->explain != NULL)
		env->explain(inst, why, sizeof(why));
	if (inst->agent.timed_out)
		snprintf(timeout, sizeof(timeout), "no reply within --timeout %g s%s", timeout_s,
		         why[0] ? ""
		                : " (the instance is still up; raise --timeout if the "
		                  "workload needs longer)");
	if (why[0] == '\0' && timeout[0] == '\0')
		return;
	struct bench_error *told = NULL;
	bench_error_set(&told, 0, "%s%s%s (%s)", timeout, timeout[0] && why[0] ? ": " : "", why,
	                (*err)->msg);
	if (told == NULL)
		return;
	told->status = (*err)->status;
	bench_error_free(err);
	*err = told;
}

void failure_explain(const struct env_ops *env, struct env_instance *inst, double timeout_s,
                     struct bench_error **err)
{
	if (err == NULL || *err == NULL || inst == NULL)
		return;
	if (inst->agent.broken)
		explain_death(env, inst, timeout_s, err);
	if (*err != NULL && inst->wl_note[0] != '\0')
		bench_error_append(err, "; %s", inst->wl_note);
}
