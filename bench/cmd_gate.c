/* bench gate GATEFILE: run the gated workloads (the same run path as bench
 * run), compare with the history's baseline, write JUnit and markdown, add
 * the run to the history when it passes, exit with the verdict. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/commands.h"
#include "harness/core/run_options.h"
#include "reports/compare_out.h"

static const char usage[] =
    "usage: bench gate GATEFILE [options] [-- BENCH_RUN_OPTIONS...]\n"
    "\n"
    "Runs the gate file's workloads in its environments with its run options\n"
    "(repetition policy, sizes, pinning; options after -- are added, e.g.\n"
    "-- --kernel PATH when bisecting a guest kernel), writes the run as bench run\n"
    "does, compares it with the baseline (default history:host=<this host>: each\n"
    "metric's last stable segment), writes DIR/comparison.json, DIR/junit.xml and\n"
    "DIR/comparison.md, adds the run to the history when it passes (add_to_history:\n"
    "pass, always or never) and exits with the verdict.\n"
    "\n"
    "  --baseline SPEC   history:SELECTOR or a run directory (overrides the file)\n"
    "  --db PATH         history database (default: the file's db, else\n"
    "                    results/history.sqlite)\n"
    "  --out DIR         run directory (default: the file's out, else results/<run-id>)\n"
    "  --junit FILE, --markdown FILE   elsewhere than DIR/junit.xml, DIR/comparison.md\n"
    "  --tag TAG         tag of the run in the history (default: the file's tag)\n"
    "  --no-history      never add the run to the history\n"
    "  --bisect          for git bisect run: exit 0 good, 1 bad, 125 skip (too noisy to\n"
    "                    decide, or the workloads failed), 128 abort; never adds to the\n"
    "                    history\n"
    "  --json            print the comparison document instead of the table\n"
    "  --quiet           no progress line\n"
    "\n"
    "Gate file (YAML; unknown keys are errors, reported with file:line:col):\n"
    "  envs: [bare, container]            environments, run in turn\n"
    "  workloads: [cpu.int, os.syscall]   the gated workloads\n"
    "  run: {reps: 10, duration: 0.2}     bench run options (reps, min_reps, max_reps,\n"
    "                                     target_ci, threads, cpus, numa, size,\n"
    "                                     duration, iterations, cpu_limit, memory,\n"
    "                                     runtime, net, accel, kernel, initrd, ...)\n"
    "  tolerance: 5                       percent, every gated metric\n"
    "  alpha: 0.05\n"
    "  metrics:                           optional refinements, first match wins:\n"
    "    - {workload: os.syscall, tolerance: 10}\n"
    "    - {env: container, workload: cpu.int, metric: ops, gated: false}\n"
    "  expect: [kernel]                   declared fingerprint differences\n"
    "  baseline: history:host=node7,tag=main\n"
    "  db: results/history.sqlite\n"
    "  tag: main\n"
    "  on_inconclusive: pass              or fail (exit 6)\n"
    "  add_to_history: pass               or always, never\n"
    "  out: DIR, junit: FILE, markdown: FILE\n"
    "\n"
    "Exit status: 0 no regression, 1 a workload failed (its metrics are missing) or\n"
    "a file cannot be read or written, 2 usage error (gate file included), 3 an\n"
    "environment is not available here, 4 regression, 5 comparison refused\n"
    "(undeclared differences, or no baseline yet: seed the history with bench\n"
    "history add), 6 inconclusive with on_inconclusive: fail, 130 interrupted.\n";

enum {
	OPT_BASELINE = 256,
	OPT_DB,
	OPT_OUT,
	OPT_JUNIT,
	OPT_MARKDOWN,
	OPT_TAG,
	OPT_NO_HISTORY,
	OPT_BISECT,
	OPT_JSON,
	OPT_QUIET,
	OPT_HELP,
};

static const struct option long_options[] = {
    {"baseline", required_argument, NULL, OPT_BASELINE},
    {"db", required_argument, NULL, OPT_DB},
    {"out", required_argument, NULL, OPT_OUT},
    {"junit", required_argument, NULL, OPT_JUNIT},
    {"markdown", required_argument, NULL, OPT_MARKDOWN},
    {"tag", required_argument, NULL, OPT_TAG},
    {"no-history", no_argument, NULL, OPT_NO_HISTORY},
    {"bisect", no_argument, NULL, OPT_BISECT},
    {"json", no_argument, NULL, OPT_JSON},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

struct gate_args {
	const char *file, *baseline, *db, *out, *junit, *markdown, *tag;
	bool no_history, bisect, json, quiet;
	char **extra;
	int n_extra;
};

static int parse(int argc, char *argv[], struct gate_args *a, struct bench_error **err)
{
	memset(a, 0, sizeof(*a));
	if (argc > 1 && argv[1][0] != '-') { /* GATEFILE first, options after */
		a->file = argv[1];
		argv++;
		argc--;
	}
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "+:h", long_options, NULL)) != -1) {
		const char **slot = c == OPT_BASELINE   ? &a->baseline
		                    : c == OPT_DB       ? &a->db
		                    : c == OPT_OUT      ? &a->out
		                    : c == OPT_JUNIT    ? &a->junit
		                    : c == OPT_MARKDOWN ? &a->markdown
		                    : c == OPT_TAG      ? &a->tag
		                                        : NULL;
		if (slot != NULL) {
			*slot = optarg;
			continue;
		}
		switch (c) {
		case OPT_NO_HISTORY:
			a->no_history = true;
			break;
		case OPT_BISECT:
			a->bisect = true;
			break;
		case OPT_JSON:
			a->json = true;
			break;
		case OPT_QUIET:
			a->quiet = true;
			break;
		case OPT_HELP:
		case 'h':
			return 1;
		case ':':
			return bench_error_set(err, 0, "option '%s' needs a value",
			                       argv[optind - 1]);
		default:
			return bench_error_set(err, 0, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (a->file == NULL && optind < argc && strcmp(argv[optind], "--") != 0)
		a->file = argv[optind++];
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	else if (optind < argc)
		return bench_error_set(err, 0,
		                       "unexpected argument '%s' (bench run options go "
		                       "after --)",
		                       argv[optind]);
	a->extra = argv + optind;
	a->n_extra = argc - optind;
	if (a->file == NULL)
		return bench_error_set(err, 0, "GATEFILE is required");
	return 0;
}

/* "a,b,c" of items. */
static void join(const char *const *items, size_t n, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? "," : "", items[i]);
}

/* The gate's bench run argument vector (argv[0] "gate"). */
static int run_argv(const struct gate_file *g, const struct gate_args *a, char *envs,
                    char *workloads, char **argv, int max)
{
	int n = 0;
	argv[n++] = "gate";
	argv[n++] = "--env";
	argv[n++] = envs;
	argv[n++] = "--workload";
	argv[n++] = workloads;
	for (int i = 0; i < g->n_run_args && n < max - 8; i++)
		argv[n++] = (char *)g->run_args[i];
	for (int i = 0; i < a->n_extra && n < max - 8; i++)
		argv[n++] = a->extra[i];
	const char *out = a->out ? a->out : g->out;
	if (out != NULL) {
		argv[n++] = "--out";
		argv[n++] = (char *)out;
	}
	if (a->quiet)
		argv[n++] = "--quiet";
	argv[n] = NULL;
	return n;
}

static bool should_add(const struct gate_file *g, const struct gate_args *a,
                       const struct comparison *c, int status)
{
	if (a->bisect || a->no_history || g->add == GATE_ADD_NEVER)
		return false;
	return g->add == GATE_ADD_ALWAYS || (status == EXIT_OK && c->status == COMPARE_OK);
}

static int add_to_history(const char *db, const struct run *run, const char *tag, const char *dir)
{
	struct history h;
	struct bench_error *err = NULL;
	bool added = false;
	char source[PATH_MAX + 16];
	snprintf(source, sizeof(source), "%s/run.json", dir);
	int rc = history_open(&h, db, &err);
	if (rc == 0)
		rc = history_add(&h, run, tag, source, &added, &err);
	if (rc < 0) {
		fprintf(stderr, "bench gate: adding the run to the history: %s\n", err->msg);
		bench_error_free(&err);
	} else {
		printf("history: %s %s in %s\n", added ? "added" : "already had", run->run_id,
		       h.path);
	}
	history_close(&h);
	return rc;
}

/* Compares the session's run with the baseline and writes the outputs;
 * returns the exit status. */
static int gate_compare(const struct gate_file *g, const struct gate_args *a, struct run_session *s,
                        int run_status)
{
	char host[128] = "", baseline[256];
	gethostname(host, sizeof(host) - 1);
	snprintf(baseline, sizeof(baseline), "history:host=%s", host);
	const char *spec = a->baseline ? a->baseline : g->baseline ? g->baseline : baseline;
	const char *db = a->db ? a->db : g->db ? g->db : HISTORY_DEFAULT_DB;
	struct compare_policy p = compare_policy_default();
	p.tolerance = g->tolerance;
	p.alpha = g->alpha;
	p.inconclusive_fails = g->inconclusive_fails;
	p.expect = g->expect;
	p.n_expect = g->n_expect;
	p.gate = g;
	p.db = db; /* a file baseline: run-to-run variation from the history */
	struct compare_side base = {0}, new_;
	struct comparison cmp = {0};
	struct bench_error *err = NULL;
	char label[PATH_MAX + 16];
	snprintf(label, sizeof(label), "%s", s->dir);
	compare_side_of_run(&new_, label, &s->run);
	int status;
	if (compare_side_load(&base, spec, db, &s->run, false, &err) < 0 ||
	    compare_run(&base, &new_, &p, &cmp, &err) < 0) {
		fprintf(stderr, "bench gate: baseline %s: %s\n", spec, err->msg);
		if (strstr(err->msg, "selects no run") != NULL)
			fprintf(stderr,
			        "bench gate: no baseline yet: seed the history with this run "
			        "(bench history add %s --db %s) or another\n",
			        s->dir, db);
		bench_error_free(&err);
		status = a->bisect ? BISECT_ABORT : EXIT_INVALID;
	} else {
		char json_path[PATH_MAX + 32], junit[PATH_MAX + 32], md[PATH_MAX + 32];
		snprintf(json_path, sizeof(json_path), "%s/comparison.json", s->dir);
		snprintf(junit, sizeof(junit), "%s/junit.xml", s->dir);
		snprintf(md, sizeof(md), "%s/comparison.md", s->dir);
		struct compare_outputs o = {
		    .json_file = json_path,
		    .junit = a->junit   ? a->junit
		             : g->junit ? g->junit
		                        : junit,
		    .markdown = a->markdown   ? a->markdown
		                : g->markdown ? g->markdown
		                              : md,
		    .print_json = a->json,
		};
		int wrc = comparison_write("gate", &cmp, &o);
		status = comparison_exit(&cmp, a->bisect);
		/* a failed workload: its metrics are missing from the verdict */
		if (run_status != EXIT_OK && cmp.status != COMPARE_INVALID &&
		    cmp.status != COMPARE_REGRESSION)
			status = a->bisect ? BISECT_SKIP : run_status;
		if (wrc < 0 && status == EXIT_OK)
			status = EXIT_FAILED;
		if (!a->json)
			printf("outputs: %s, %s, %s\n", json_path, o.junit, o.markdown);
		if (should_add(g, a, &cmp, status))
			add_to_history(db, &s->run, a->tag ? a->tag : g->tag, s->dir);
	}
	comparison_free(&cmp);
	compare_side_free(&base);
	compare_side_free(&new_);
	return status;
}

int cmd_gate(int argc, char *argv[])
{
	struct gate_args a;
	struct bench_error *err = NULL;
	int prc = parse(argc, argv, &a, &err);
	if (prc > 0) {
		printf("%s", usage);
		return EXIT_OK;
	}
	if (prc < 0) {
		int rc = command_usage_error("gate", &err);
		return a.bisect ? BISECT_ABORT : rc;
	}
	struct gate_file g;
	if (gate_file_read(&g, a.file, &err) < 0) {
		gate_file_free(&g);
		int rc = command_usage_error("gate", &err);
		return a.bisect ? BISECT_ABORT : rc;
	}
	char envs[1024], workloads[2048];
	join(g.envs, g.n_envs, envs, sizeof(envs));
	join(g.workloads, g.n_workloads, workloads, sizeof(workloads));
	char *rargv[GATE_MAX_RUNARGS + 64];
	int rargc = run_argv(&g, &a, envs, workloads, rargv, GATE_MAX_RUNARGS + 64);
	struct run_options opts;
	if (run_options_parse(rargc, rargv, &opts, &err) < 0) {
		gate_file_free(&g);
		int rc = command_usage_error("gate", &err);
		return a.bisect ? BISECT_ABORT : rc;
	}
	struct run_session s;
	int status = run_session(&opts, rargc, rargv, &s);
	if (s.written)
		status = gate_compare(&g, &a, &s, status);
	else if (a.bisect)
		status = status == EXIT_FAILED ? BISECT_SKIP : BISECT_ABORT;
	run_session_free(&s);
	gate_file_free(&g);
	return status;
}
