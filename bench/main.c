/* bench: runs identical workloads on bare metal, containers and virtual
 * machines and compares them. This file only dispatches subcommands. */
#include <limits.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench/commands.h"

static const struct command commands[] = {
    {"all", "every environment x every workload, density, and the report", cmd_all},
    {"list", "workloads and environments (and why an environment cannot run)", cmd_list},
    {"topo", "the host topology as hwloc sees it", cmd_topo},
    {"run", "run workloads in one or more environments and write a run file", cmd_run},
    {"pcap-stats", "wire accounting (packets, payload sizes, request times) of a capture file",
     cmd_pcap_stats},
    {"density", "instances per host that still meet a QoS bar", cmd_density},
    {"bundle", "write the OCI bundle the container environment runs", cmd_bundle},
    {"tco", "cost model: TCO, cost per instance, break-even, sensitivity (YAML, runs)", cmd_tco},
    {"report", "render RUN_DIR/report/ (charts, HTML, markdown, CSV; comparisons and fleets too)",
     cmd_report},
    {"compare", "compare two runs (or a run with the history): regression verdicts", cmd_compare},
    {"history", "the run history (SQLite): add, list, show a series, move the baseline",
     cmd_history},
    {"gate", "run a gate file's workloads, compare with the history, exit with the verdict",
     cmd_gate},
    {"merge", "merge the runs of several hosts into one fleet file", cmd_merge},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: bench COMMAND [options]   (bench COMMAND --help for details)\n\n"
	             "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nbench %s (%s)\n", BENCH_VERSION, BENCH_GIT_COMMIT);
}

int main(int argc, char *argv[])
{
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("bench %s (%s)\n", BENCH_VERSION, BENCH_GIT_COMMIT);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "bench: unknown command '%s' (valid:", argv[1]);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(stderr, " %s", commands[i].name);
	fprintf(stderr, ")\n");
	return EXIT_USAGE;
}
