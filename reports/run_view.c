/* What a report reads off a run beyond its samples: the environments in
 * order, and which of them ran under emulation. */
#include "reports/run_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char **report_envs(const struct run *run, size_t *n)
{
	*n = 0;
	const char **envs = calloc(run->n_samples + 1, sizeof(*envs));
	if (envs == NULL)
		return NULL;
	for (size_t i = 0; i < run->n_samples; i++) {
		size_t j = 0;
		while (j < *n && strcmp(envs[j], run->samples[i].env) != 0)
			j++;
		if (j == *n)
			envs[(*n)++] = run->samples[i].env;
	}
	return envs;
}

bool report_env_is_tcg(const struct run *run, const char *env)
{
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *s = &run->samples[i];
		json_t *acc =
		    json_object_get(json_object_get(s->pinning, "backend"), "accelerator");
		if (strcmp(s->env, env) == 0 && json_is_string(acc) &&
		    strcmp(json_string_value(acc), "tcg") == 0)
			return true;
	}
	return false;
}

bool report_sample_below_llc(const struct sample *s)
{
	return json_is_true(json_object_get(s->config, "size_below_4x_llc"));
}

void report_env_label(const struct run *run, const char *env, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", env, report_env_is_tcg(run, env) ? " (TCG emulation)" : "");
}
