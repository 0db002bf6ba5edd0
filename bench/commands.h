/* The subcommands of bench: one file each, listed in main.c. */
#ifndef BENCH_COMMANDS_H
#define BENCH_COMMANDS_H

#include <limits.h>
#include <stdbool.h>

#include "harness/core/catalog.h"

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
int cmd_density(int argc, char *argv[]);
int cmd_all(int argc, char *argv[]);
int cmd_pcap_stats(int argc, char *argv[]);
int cmd_report(int argc, char *argv[]);
int cmd_tco(int argc, char *argv[]);

/* Exit statuses shared by the subcommands. */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_UNAVAILABLE = 3,
	EXIT_INTERRUPTED = 130,
};

/* Loads the workload catalog from wl, printing the error on failure. */
int load_catalog(const char *wl_path, struct catalog *cat);

/* True when argv[1..] holds exactly `flag` or nothing, for subcommands whose
 * only option is --json. Prints a usage error otherwise. */
int parse_json_flag(int argc, char *argv[], const char *usage, int *json);

/* run_common.c: shared by the commands that run workloads. */
#define MAX_ENVS     8
#define BASELINE_ENV "bare"
struct env_ops;
/* Routes SIGINT/SIGTERM/SIGHUP to agent_interrupted (no SA_RESTART). */
void install_signal_handlers(void);
/* "20261124-193000-host-1234" and "2026-11-24T19:30:00Z". */
void make_run_id(char *id, size_t id_len, char *created, size_t created_len);
/* Prints "bench COMMAND: message (see --help)", frees *err, returns 2. */
int command_usage_error(const char *command, struct bench_error **err);
/* --env LIST into envs: unknown names exit 2, unavailable ones exit 3
 * (returned, with the message printed); EXIT_OK otherwise. */
int resolve_envs(const char *list, const struct env_ops *envs[MAX_ENVS], size_t *n);
/* True when a selected workload takes a scratch directory (disk). */
bool needs_scratch(const struct catalog *cat, const char *list);
/* Makes dir (one level) unless it is a directory already; *own_dir says
 * whether this call made it. -1 with *err when dir is a file or cannot be
 * made. */
int prepare_run_dir(const char *dir, bool *own_dir, struct bench_error **err);

/* The run directory: out when given, else results/<run_id> (making
 * results/). */
void run_dir_choose(const char *out, const char *run_id, char dir[PATH_MAX]);

/* The scratch directory of disk workloads, absolute (a container sees the
 * same path): user_dir when given, else run_dir/scratch, made when needed
 * and owned (removed by scratch_release). path is "" when there is none. */
struct scratch {
	char path[PATH_MAX];
	bool owned;
};
void scratch_prepare(struct scratch *s, const char *run_dir, const char *user_dir, bool needed);
void scratch_release(struct scratch *s);

struct run_options;
struct topo;
struct topo_binding;
struct runner_totals;
struct run_conditions;
/* Runs the workloads in every environment (interleaved or in turn, as
 * cond says) into run. -1 with *err when nothing could be run. */
int run_envs(const struct run_options *opts, const struct env_ops *const *envs, size_t n_envs,
             const struct catalog *cat, const struct topo *topo, const struct topo_binding *binding,
             const char *wl, const char *scratch, struct run_conditions *cond, struct run *run,
             struct runner_totals *totals, struct bench_error **err);

#endif
