/* bench bundle: writes the OCI bundle the container environment runs (host
 * networking), for inspection, for running by hand with runc, and for
 * scripts/bench-container's reference measurement. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/commands.h"
#include "harness/env/container/oci.h"

static const char usage[] =
    "usage: bench bundle DIR [--cpus LIST] [-- COMMAND [ARG...]]\n\n"
    "Writes DIR/config.json and DIR/rootfs (holding only the static wl as /wl),\n"
    "the bundle `bench run --env container --net host` uses. COMMAND (inside the\n"
    "container, default: /wl agent) replaces the agent. Run it with\n"
    "`runc run --bundle DIR ID`.\n";

int cmd_bundle(int argc, char *argv[])
{
	const char *dir = NULL, *cpus = "0";
	const char *args[64] = {NULL};
	int i = 1;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			printf("%s", usage);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--cpus") == 0 && i + 1 < argc) {
			cpus = argv[++i];
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (argv[i][0] != '-' && dir == NULL) {
			dir = argv[i];
		} else {
			fprintf(stderr,
			        "bench bundle: unexpected '%s' (valid: DIR, --cpus, --, --help)\n",
			        argv[i]);
			return EXIT_USAGE;
		}
	}
	for (int k = 0; i < argc && k < 63; i++, k++)
		args[k] = argv[i];
	if (dir == NULL) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "bench bundle: cannot create %s: %s\n", dir, strerror(errno));
		return EXIT_FAILED;
	}
	char wl[PATH_MAX];
	wl_path_resolve(wl, sizeof(wl));
	struct oci_spec spec = {
	    .hostname = "bench",
	    .cpus = cpus,
	    .numa_node = -1,
	    .memory_bytes = 2ull << 30,
	    .cgroups_path = "/bench/bundle",
	    .args = args[0] ? args : NULL,
	};
	struct bench_error *err = NULL;
	if (oci_bundle_write(dir, wl, &spec, &err) < 0) {
		fprintf(stderr, "bench bundle: %s\n", err->msg);
		bench_error_free(&err);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}
