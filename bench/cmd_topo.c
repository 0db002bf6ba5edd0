/* bench topo: the host topology as hwloc sees it. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>

#include "bench/commands.h"
#include "harness/core/topo.h"

static const char usage[] = "usage: bench topo [--json]\n\n"
                            "Shows packages, NUMA nodes with their memory, cores, PUs and\n"
                            "caches, as hwloc reports them.\n";

static double gib(json_t *bytes)
{
	return (double)json_integer_value(bytes) / (1024.0 * 1024 * 1024);
}

static void print_text(json_t *t)
{
	json_t *packages = json_object_get(t, "packages"),
	       *nodes = json_object_get(t, "numa_nodes");
	printf("memory   %.2f GiB\n", gib(json_object_get(t, "memory_bytes")));
	printf("cores    %" JSON_INTEGER_FORMAT "\n",
	       json_integer_value(json_object_get(t, "cores")));
	printf("PUs      %" JSON_INTEGER_FORMAT "\n",
	       json_integer_value(json_object_get(t, "pus")));
	for (size_t i = 0; i < json_array_size(packages); i++) {
		json_t *p = json_array_get(packages, i);
		printf("package  P#%" JSON_INTEGER_FORMAT ": cores %" JSON_INTEGER_FORMAT
		       ", PUs %s\n",
		       json_integer_value(json_object_get(p, "os_index")),
		       json_integer_value(json_object_get(p, "cores")),
		       json_string_value(json_object_get(p, "cpus")));
	}
	for (size_t i = 0; i < json_array_size(nodes); i++) {
		json_t *n = json_array_get(nodes, i);
		printf("numa     node %" JSON_INTEGER_FORMAT ": %.2f GiB, PUs %s\n",
		       json_integer_value(json_object_get(n, "os_index")),
		       gib(json_object_get(n, "memory_bytes")),
		       json_string_value(json_object_get(n, "cpus")));
	}
	json_t *caches = json_object_get(t, "caches");
	for (size_t i = 0; i < json_array_size(caches); i++) {
		json_t *c = json_array_get(caches, i);
		printf("cache    L%" JSON_INTEGER_FORMAT " %-11s %" JSON_INTEGER_FORMAT
		       " KiB x %" JSON_INTEGER_FORMAT "\n",
		       json_integer_value(json_object_get(c, "level")),
		       json_string_value(json_object_get(c, "type")),
		       json_integer_value(json_object_get(c, "size_bytes")) / 1024,
		       json_integer_value(json_object_get(c, "count")));
	}
}

int cmd_topo(int argc, char *argv[])
{
	int json;
	int rc = parse_json_flag(argc, argv, usage, &json);
	if (rc != 0)
		return rc > 0 ? EXIT_OK : EXIT_USAGE;
	struct topo topo;
	struct bench_error *err = NULL;
	if (topo_open(&topo, &err) < 0) {
		fprintf(stderr, "bench topo: %s\n", err->msg);
		bench_error_free(&err);
		return EXIT_FAILED;
	}
	json_t *t = topo_to_json(&topo);
	if (json) {
		json_dumpf(t, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("\n");
	} else {
		print_text(t);
	}
	json_decref(t);
	topo_close(&topo);
	return EXIT_OK;
}
