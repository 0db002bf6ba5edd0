/* bench list: the workloads (from wl's own table) and the environments
 * (from the registry), with the reason an environment cannot run here. */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>

#include "bench/commands.h"
#include "harness/env/env.h"

static const char usage[] = "usage: bench list [--json]\n\n"
                            "Lists workloads (name, unit, whether higher or lower is better,\n"
                            "description) and environments (available here or why not).\n";

static const char *text_of(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "";
}

/* One detail of an environment: a container runtime (its --env name,
 * whether it runs here, its version and --net modes, or the reason), or
 * another backend's fact (name, available, reason). */
static void print_detail(json_t *d)
{
	int ok = json_is_true(json_object_get(d, "available"));
	const char *env = text_of(d, "env");
	printf("    %-18s %-10s ", env[0] ? env : text_of(d, "name"), ok ? "yes" : "no");
	if (ok && json_object_get(d, "summary") != NULL)
		printf("%s %s: %s (--net %s)\n", text_of(d, "name"), text_of(d, "version"),
		       text_of(d, "summary"), text_of(d, "net"));
	else
		printf("%s\n", text_of(d, "reason"));
}

int cmd_list(int argc, char *argv[])
{
	int json;
	int rc = parse_json_flag(argc, argv, usage, &json);
	if (rc != 0)
		return rc > 0 ? EXIT_OK : EXIT_USAGE;
	char wl[PATH_MAX];
	wl_path_resolve(wl, sizeof(wl));
	struct catalog cat;
	if (load_catalog(wl, &cat) < 0)
		return EXIT_FAILED;
	json_t *workloads = json_array(), *envs = json_array();
	for (size_t i = 0; i < cat.n; i++) {
		const struct wl_info *w = &cat.items[i];
		json_array_append_new(
		    workloads, json_pack("{s:s, s:s, s:s, s:s}", "name", w->name, "unit", w->unit,
		                         "better", w->better == BETTER_HIGHER ? "higher" : "lower",
		                         "description", w->description));
	}
	for (size_t i = 0; i < env_registry_count; i++) {
		char reason[512] = "";
		int ok = env_probe(env_registry[i], reason, sizeof(reason)) == 0;
		json_t *e = json_pack("{s:s, s:b, s:s}", "name", env_registry[i]->name, "available",
		                      ok, "description", env_registry[i]->description);
		if (!ok)
			json_object_set_new(e, "reason", json_string(reason));
		if (env_registry[i]->details != NULL)
			json_object_set_new(e, "details", env_registry[i]->details());
		json_array_append_new(envs, e);
	}
	if (json) {
		json_t *doc = json_pack("{s:o, s:o}", "workloads", workloads, "environments", envs);
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("\n");
		json_decref(doc);
	} else {
		printf("WORKLOADS\n  %-12s %-14s %-7s %s\n", "name", "unit", "better",
		       "description");
		for (size_t i = 0; i < cat.n; i++) {
			const struct wl_info *w = &cat.items[i];
			printf("  %-12s %-14s %-7s %s\n", w->name, w->unit,
			       w->better == BETTER_HIGHER ? "higher" : "lower", w->description);
		}
		printf("\nENVIRONMENTS\n  %-12s %-10s %s\n", "name", "available", "notes");
		for (size_t i = 0; i < json_array_size(envs); i++) {
			json_t *e = json_array_get(envs, i);
			int ok = json_is_true(json_object_get(e, "available"));
			printf(
			    "  %-12s %-10s %s\n", json_string_value(json_object_get(e, "name")),
			    ok ? "yes" : "no",
			    json_string_value(json_object_get(e, ok ? "description" : "reason")));
			json_t *details = json_object_get(e, "details");
			for (size_t k = 0; k < json_array_size(details); k++)
				print_detail(json_array_get(details, k));
		}
		json_decref(workloads);
		json_decref(envs);
	}
	catalog_free(&cat);
	return EXIT_OK;
}
