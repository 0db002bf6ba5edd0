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
int cmd_compare(int argc, char *argv[]);
int cmd_history(int argc, char *argv[]);
int cmd_gate(int argc, char *argv[]);
int cmd_merge(int argc, char *argv[]);

/* Exit statuses shared by the subcommands. */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_UNAVAILABLE = 3,
	EXIT_REGRESSION = 4,   /* compare, gate: a gated metric regressed */
	EXIT_INVALID = 5,      /* compare, gate: the comparison was refused */
	EXIT_INCONCLUSIVE = 6, /* compare, gate: inconclusive and the policy fails on it */
	EXIT_UNWRITTEN = 7,    /* the results (run file, report) could not be written */
	EXIT_INTERRUPTED = 130,
};

/* --bisect (compare, gate), for `git bisect run`: good, bad, skip (too
 * noisy to decide, or the workloads could not run), and abort (anything
 * else: a usage error or a refused comparison would refuse at every step). */
enum {
	BISECT_GOOD = 0,
	BISECT_BAD = 1,
	BISECT_SKIP = 125,
	BISECT_ABORT = 128,
};

/* Loads the workload catalog from wl, printing the error on failure. */
int load_catalog(const char *wl_path, struct catalog *cat);

/* True when argv[1..] holds exactly `flag` or nothing, for subcommands whose
 * only option is --json. Prints a usage error otherwise. */
int parse_json_flag(int argc, char *argv[], const char *usage, int *json);

/* run_common.c: shared by the commands that run workloads. */
#define MAX_ENVS     8
#define BASELINE_ENV "bare"
struct env_choice;
/* Routes SIGINT/SIGTERM/SIGHUP to agent_interrupted (no SA_RESTART). */
void install_signal_handlers(void);
/* "20261124-193000-host-1234" and "2026-11-24T19:30:00Z". */
void make_run_id(char *id, size_t id_len, char *created, size_t created_len);
/* Prints "bench COMMAND: message (see --help)", frees *err, returns 2. */
int command_usage_error(const char *command, struct bench_error **err);
/* --env LIST into envs (NAME or NAME/VARIANT each; runtime is --runtime,
 * the variant of a plain container): unknown names or variants exit 2,
 * unavailable ones exit 3 (returned, with the message printed); EXIT_OK
 * otherwise. */
int resolve_envs(const char *list, const char *runtime, struct env_choice *envs,
                 size_t *n); /* envs: MAX_ENVS entries */
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
struct size_plan;
/* A disk workload's span (plan) times n_envs against the free space of the
 * scratch directory: 0, or -1 with *err (a usage error: nothing started). */
int scratch_room_check(const struct size_plan *plan, const char *scratch, size_t n_envs,
                       struct bench_error **err);

struct run_options;
struct topo;
struct topo_binding;
struct runner_totals;
struct run_conditions;
/* Runs the workloads in every environment (interleaved or in turn, as
 * cond says) into run. -1 with *err when nothing could be run. */
int run_envs(const struct run_options *opts, const struct env_choice *envs, size_t n_envs,
             const struct catalog *cat, const struct topo *topo, const struct topo_binding *binding,
             const char *wl, const char *scratch, struct run_conditions *cond, struct run *run,
             struct runner_totals *totals, struct bench_error **err);

#include <limits.h>

#include "harness/core/result.h"
#include "harness/run/conditions.h"
#include "harness/run/runner.h"

/* The run file's invocation.timing: the runner's totals t, wall_s (the
 * command's, which may exceed t->wall_s) and split's phases and steps. */
json_t *timing_json(const struct runner_totals *t, const struct run_timing *split, double wall_s);
/* Warns on stderr about the (environment, workload) pairs whose steal
 * (results/SCHEMA.md) reached 2%: the time the hypervisor under this host
 * took from the instance's CPUs while they were measured. At most three
 * lines, then one that counts the rest. */
void steal_warn(const char *cmd, const struct run *run);

/* A density study (results/SCHEMA.md, "density") in a few lines to out:
 * measured count and why it stopped, per-instance footprint and CPU
 * demand, the projection(s) with interval and binding, the knee. */
void density_print_study(FILE *out, json_t *study);

/* The run's sizes (harness/run/size_plan.h), before any instance starts,
 * printed to stderr unless opts->quiet. Returns EXIT_OK; EXIT_USAGE (the
 * message printed as command's usage error) when --size or --memory cannot
 * hold a selected workload; EXIT_FAILED (message printed) otherwise. */
int resolve_sizes(const char *command, const struct run_options *opts,
                  const struct env_choice *envs, size_t n_envs, const struct catalog *cat,
                  const struct topo *topo, const struct topo_binding *binding, const char *wl,
                  struct size_plan *plan);

/* One run as `bench run` does it (resolve the environments and workloads,
 * the topology and pinning, the run directory, the fingerprint; run every
 * environment, interleaved or in turn; overhead figures; run.json written atomically), for
 * the commands that run workloads and then do more with the run. */
struct run_session {
	struct run run;
	char dir[PATH_MAX];
	struct runner_totals totals;
	struct size_plan sizes;     /* workload sizes, instance memory (cond.sizes) */
	struct run_conditions cond; /* placements, interleaving: warnings to print */
	bool written;               /* run.json is in dir (even with failed workloads) */
};
/* argv[0] names the command in messages; argv is recorded as the
 * invocation. Returns the exit status (EXIT_FAILED when workloads failed but
 * the run was written; usage and availability errors print their message).
 * Free with run_session_free, whatever it returned. */
int run_session(const struct run_options *opts, int argc, char *argv[], struct run_session *s);
void run_session_free(struct run_session *s);

/* compare_common.c: what compare and gate share. */
struct comparison;
struct compare_outputs {
	const char *json_file; /* --out DIR/comparison.json, or NULL */
	const char *junit, *markdown;
	bool print_json; /* the document on stdout instead of the table */
	bool quiet;      /* no table */
};
/* Writes the requested outputs (each file atomically: a temporary file
 * renamed into place). Returns 0, or -1 after printing what failed. */
int comparison_write(const char *command, const struct comparison *c,
                     const struct compare_outputs *o);
/* The exit status of a comparison: EXIT_OK, EXIT_REGRESSION, EXIT_INVALID,
 * EXIT_INCONCLUSIVE; with bisect, BISECT_GOOD, BISECT_BAD, BISECT_SKIP or
 * BISECT_ABORT. */
int comparison_exit(const struct comparison *c, bool bisect);
/* Appends a comma-separated --expect value to expect[] (each key checked). */
int expect_add(const char *list, const char **expect, size_t max, size_t *n,
               struct bench_error **err);

#endif
