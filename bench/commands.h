/* The subcommands of bench: one file each, listed in main.c. */
#ifndef BENCH_COMMANDS_H
#define BENCH_COMMANDS_H

#include "catalog.h"

struct command {
	const char *name;
	const char *summary;
	/* argv[0] is the subcommand name. Returns the process exit status. */
	int (*run)(int argc, char *argv[]);
};

int cmd_list(int argc, char *argv[]);
int cmd_topo(int argc, char *argv[]);
int cmd_run(int argc, char *argv[]);
int cmd_bundle(int argc, char *argv[]);
int cmd_pcap_stats(int argc, char *argv[]);

/* Exit statuses shared by the subcommands. */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_UNAVAILABLE = 3,
	EXIT_INTERRUPTED = 130,
};

/* Path of the wl binary: $BENCH_WL, else "wl" next to the bench executable.
 * Writes it into buf. */
void wl_path_resolve(char *buf, size_t len);

/* Loads the workload catalog from wl, printing the error on failure. */
int load_catalog(const char *wl_path, struct catalog *cat);

/* True when argv[1..] holds exactly `flag` or nothing, for subcommands whose
 * only option is --json. Prints a usage error otherwise. */
int parse_json_flag(int argc, char *argv[], const char *usage, int *json);

#endif
