/* Helpers every subcommand may use: usage errors, the workload catalog, a
 * lone --json flag. */
#include <stdio.h>
#include <string.h>

#include "bench/commands.h"

int command_usage_error(const char *command, struct bench_error **err)
{
	fprintf(stderr, "bench %s: %s\n(see bench %s --help)\n", command, (*err)->msg, command);
	bench_error_free(err);
	return EXIT_USAGE;
}

int load_catalog(const char *wl_path, struct catalog *cat)
{
	struct bench_error *err = NULL;
	if (catalog_load(wl_path, cat, &err) < 0) {
		fprintf(stderr, "bench: cannot read the workload list: %s\n", err->msg);
		bench_error_free(&err);
		return -1;
	}
	return 0;
}

int parse_json_flag(int argc, char *argv[], const char *usage_text, int *json)
{
	*json = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			*json = 1;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("%s", usage_text);
			return 1;
		} else {
			fprintf(stderr, "bench %s: unknown option '%s' (valid: --json, --help)\n",
			        argv[0], argv[i]);
			return -1;
		}
	}
	return 0;
}
