/* The one explicit list of environments, in display order. */
#include <stdio.h>
#include <string.h>

#include "harness/env/env.h"

const struct env_ops *const env_registry[] = {
    &env_bare_ops,
    &env_container_ops,
    &env_qemu_ops,
    &env_xen_ops,
};
const size_t env_registry_count = sizeof(env_registry) / sizeof(env_registry[0]);

const struct env_ops *env_find(const char *name)
{
	for (size_t i = 0; i < env_registry_count; i++)
		if (strcmp(env_registry[i]->name, name) == 0)
			return env_registry[i];
	return NULL;
}

void env_reclaim_stale(void)
{
	for (size_t i = 0; i < env_registry_count; i++)
		if (env_registry[i]->reclaim != NULL)
			env_registry[i]->reclaim();
}

void env_names(char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < env_registry_count && used < len; i++) {
		int n =
		    snprintf(buf + used, len - used, "%s%s", i ? ", " : "", env_registry[i]->name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}
