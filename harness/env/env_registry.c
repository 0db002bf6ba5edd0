/* The one explicit list of environments, in display order. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/env/env.h"
#include "harness/net/netns.h"

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
	netns_reclaim_stale(stderr);
	for (size_t i = 0; i < env_registry_count; i++)
		if (env_registry[i]->reclaim != NULL)
			env_registry[i]->reclaim();
}

/* NAME[/VARIANT] of env_choose, without the :NET suffix. */
static int choose_variant(const char *text, const char *runtime, struct env_choice *out,
                          struct bench_error **err)
{
	char base[64];
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);
	if (n >= sizeof(base))
		n = sizeof(base) - 1;
	memcpy(base, text, n);
	base[n] = '\0';
	out->ops = env_find(base);
	if (out->ops == NULL) {
		char names[256];
		env_names(names, sizeof(names));
		return bench_error_set(err, 0, "unknown environment '%s' (valid: %s)", text, names);
	}
	const char *deflt = out->ops->default_variant;
	if (slash != NULL && deflt == NULL)
		return bench_error_set(err, 0, "environment '%s' has no variants ('%s')", base,
		                       text);
	if (slash != NULL && (slash[1] == '\0' || strchr(slash + 1, '/') != NULL))
		return bench_error_set(err, 0, "'%s': write NAME/VARIANT, e.g. container/docker",
		                       text);
	if (deflt == NULL) {
		snprintf(out->name, sizeof(out->name), "%s", base);
		return 0;
	}
	const char *variant = slash ? slash + 1 : runtime && *runtime ? runtime : deflt;
	if (strlen(variant) >= sizeof(out->variant))
		return bench_error_set(err, 0, "variant name '%s' is too long", variant);
	snprintf(out->variant, sizeof(out->variant), "%s", variant);
	if (slash == NULL && strcmp(variant, deflt) == 0)
		snprintf(out->name, sizeof(out->name), "%s", base);
	else
		snprintf(out->name, sizeof(out->name), "%s/%s", base, out->variant);
	return 0;
}

int env_choose(const char *text, const char *runtime, struct env_choice *out,
               struct bench_error **err)
{
	memset(out, 0, sizeof(*out));
	char head[128];
	const char *colon = strchr(text, ':');
	size_t n = colon ? (size_t)(colon - text) : strlen(text);
	if (n >= sizeof(head))
		return bench_error_set(err, 0, "environment name '%s' is too long", text);
	memcpy(head, text, n);
	head[n] = '\0';
	if (choose_variant(head, runtime, out, err) < 0)
		return -1;
	if (colon == NULL)
		return 0;
	const char *net = colon + 1;
	if (out->ops->default_variant == NULL)
		return bench_error_set(err, 0, "environment '%s' takes no network mode ('%s')",
		                       out->name, text);
	if (!run_options_net_mode(net))
		return bench_error_set(err, 0, "'%s': network mode '%s' is none of %s", text, net,
		                       RUN_OPTIONS_NET_MODES);
	snprintf(out->net, sizeof(out->net), "%s", net);
	size_t len = strlen(out->name);
	snprintf(out->name + len, sizeof(out->name) - len, ":%s", out->net);
	return 0;
}

/* -3 and "needs root (WHY)" when ops needs root and the caller is not
 * root (before any probe: what a probe finds as another user may not hold
 * for root); 0 otherwise. */
static int root_check(const struct env_ops *ops, char *reason, size_t len)
{
	if (ops->needs_root == NULL || geteuid() == 0)
		return 0;
	snprintf(reason, len, "needs root (%s)", ops->needs_root);
	return -3;
}

int env_probe(const struct env_ops *ops, char *reason, size_t len)
{
	return root_check(ops, reason, len) < 0 ? -3 : ops->probe(reason, len);
}

int env_choice_probe(const struct env_choice *c, char *reason, size_t len)
{
	if (c->variant[0] != '\0' && c->ops->probe_variant != NULL) {
		/* An unknown variant stays a usage error for anyone. */
		int rc = c->ops->probe_variant(c->variant, reason, len);
		return rc == -2 ? rc : root_check(c->ops, reason, len) < 0 ? -3 : rc;
	}
	return env_probe(c->ops, reason, len);
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
