/* bench compare: a new run against a base run or the history's baseline,
 * with three-way verdicts, validity checks, JUnit, markdown and JSON. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/commands.h"
#include "reports/compare_out.h"

static const char usage[] =
    "usage: bench compare BASE NEW [options]\n"
    "       bench compare --baseline BASE NEW [options]\n"
    "\n"
    "Compares every (environment, workload, metric) present on both sides: the relative\n"
    "change of NEW against BASE with its 95% interval, a test named in the output\n"
    "(welch_t; mann_whitney_u when both sides have 8+ values; paired_t when both come\n"
    "from one interleaved run; runs_t against 3+ runs of a history baseline;\n"
    "welch_t+between_runs for two separate runs, below), and a\n"
    "verdict against the tolerance: regression (worse than the tolerance, significant\n"
    "after Benjamini-Hochberg across all metrics), improvement, equivalent (the\n"
    "interval inside +-tolerance: two one-sided tests), or inconclusive (with the\n"
    "change this noise can detect and the repetitions that would decide).\n"
    "Improvements never fail. The hosts' fingerprints and each metric's conditions\n"
    "(pinning, sizes, runtime, accelerator, CPU limit, ...) must match: every\n"
    "difference is listed and an undeclared one refuses the comparison.\n"
    "\n"
    "BASE and NEW are run directories or run.json files, or history:SELECTOR (runs of\n"
    "the history database; SELECTOR is key=value[,key=value] with keys host, kernel,\n"
    "hypervisor, commit, tag (fnmatch patterns) and last=N). A history BASE is the\n"
    "last stable segment of each metric's series (change points by E-divisive means)\n"
    "from the latest recorded baseline move on; a history NEW is the latest selected run.\n"
    "\n"
    "Two separate runs (BASE and NEW different run files): the repetitions of one run\n"
    "do not see the host drift between runs, so each metric also gets a run-to-run\n"
    "variance, estimated from the runs of the history (--db) whose host fingerprint\n"
    "matches BASE's exactly and whose sample of that metric ran under BASE's\n"
    "conditions (NEW itself never counts): with k >= 3 such runs the test is\n"
    "welch_t+between_runs (k - 1 df for the term; more repetitions cannot remove it).\n"
    "With fewer, the present test runs and the note says \"run-to-run variation not\n"
    "measured\": a regression is still a regression (exit 4), but between two single\n"
    "runs on a busy host it may be host drift. Calibrate once per host and build:\n"
    "  bench run ... --out r1; bench history add r1 --db DB   (3 or more times)\n"
    "  bench compare BASE NEW --db DB\n"
    "\n"
    "  --tolerance PCT     relative tolerance in percent (default 5)\n"
    "  --alpha A           significance after FDR control, and the TOST level (0.05)\n"
    "  --gate FILE         gated metrics, tolerances, expect, on_inconclusive and db\n"
    "                      from a gate file (see bench gate --help)\n"
    "  --expect KEY[,KEY]  declared differences: kernel, hypervisor, cpu, topology,\n"
    "                      memory, governor, smt, thp, host, bench, pinning, size,\n"
    "                      runtime, net, accelerator, cpu_limit, memory_limit, guest,\n"
    "                      xen_mode (repeatable)\n"
    "  --force             compare even with undeclared differences (listed as forced)\n"
    "  --inconclusive pass|fail  whether inconclusive metrics fail (default pass, with\n"
    "                      a warning)\n"
    "  --base-env ENV, --new-env ENV  compare these two environments (e.g. bare and\n"
    "                      container of one run: paired when the run was interleaved)\n"
    "  --db PATH           history database: history: sides, and the run-to-run\n"
    "                      variation of two separate runs (default\n"
    "                      results/history.sqlite; never created by compare)\n"
    "  --json              print the comparison document instead of the table\n"
    "  --junit FILE        JUnit XML (testsuite = environment, classname = workload,\n"
    "                      name = metric)\n"
    "  --markdown FILE     markdown for a pull-request comment\n"
    "  --out DIR           write DIR/comparison.json (bench report DIR draws it)\n"
    "  --bisect            exit for git bisect run: 0 good, 1 bad, 125 skip (too noisy\n"
    "                      to decide), 128 abort (usage error, refused comparison)\n"
    "\n"
    "Exit status: 0 no regression (inconclusive metrics warned about), 1 a side\n"
    "cannot be read or an output written, 2 usage error, 4 regression, 5 comparison\n"
    "refused (undeclared differences, nothing in common), 6 inconclusive with\n"
    "--inconclusive fail, 130 interrupted (SIGINT, SIGTERM, SIGHUP: --out, --junit\n"
    "and --markdown files are written whole, through a temporary renamed into place,\n"
    "or not at all).\n";

enum {
	OPT_TOLERANCE = 256,
	OPT_ALPHA,
	OPT_GATE,
	OPT_EXPECT,
	OPT_FORCE,
	OPT_INCONCLUSIVE,
	OPT_BASE_ENV,
	OPT_NEW_ENV,
	OPT_DB,
	OPT_JSON,
	OPT_JUNIT,
	OPT_MARKDOWN,
	OPT_OUT,
	OPT_BISECT,
	OPT_BASELINE,
	OPT_HELP,
};

static const struct option long_options[] = {
    {"tolerance", required_argument, NULL, OPT_TOLERANCE},
    {"alpha", required_argument, NULL, OPT_ALPHA},
    {"gate", required_argument, NULL, OPT_GATE},
    {"expect", required_argument, NULL, OPT_EXPECT},
    {"force", no_argument, NULL, OPT_FORCE},
    {"inconclusive", required_argument, NULL, OPT_INCONCLUSIVE},
    {"base-env", required_argument, NULL, OPT_BASE_ENV},
    {"new-env", required_argument, NULL, OPT_NEW_ENV},
    {"db", required_argument, NULL, OPT_DB},
    {"json", no_argument, NULL, OPT_JSON},
    {"junit", required_argument, NULL, OPT_JUNIT},
    {"markdown", required_argument, NULL, OPT_MARKDOWN},
    {"out", required_argument, NULL, OPT_OUT},
    {"bisect", no_argument, NULL, OPT_BISECT},
    {"baseline", required_argument, NULL, OPT_BASELINE},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

struct compare_args {
	struct compare_policy policy;
	const char *expect[64];
	size_t n_expect;
	const char *gate_path, *db, *base, *new_, *out;
	struct compare_outputs outputs;
	bool bisect, tolerance_set, inconclusive_set;
	char json_path[PATH_MAX + 32];
};

static int number(const char *flag, const char *text, double lo, double hi, double *out,
                  struct bench_error **err)
{
	char *end;
	double v = strtod(text, &end);
	if (end == text || *end != '\0' || !(v > lo && v < hi))
		return bench_error_set(err, 0, "%s %s: a number in (%g, %g)", flag, text, lo, hi);
	*out = v;
	return 0;
}

static int parse(int argc, char *argv[], struct compare_args *a, struct bench_error **err)
{
	memset(a, 0, sizeof(*a));
	a->policy = compare_policy_default();
	optind = 0;
	opterr = 0;
	int c;
	double pct;
	while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case OPT_TOLERANCE:
			rc = number("--tolerance", optarg, 0, 100, &pct, err);
			a->policy.tolerance = pct / 100;
			a->tolerance_set = true;
			break;
		case OPT_ALPHA:
			rc = number("--alpha", optarg, 0, 0.5, &a->policy.alpha, err);
			break;
		case OPT_GATE:
			a->gate_path = optarg;
			break;
		case OPT_EXPECT:
			rc = expect_add(optarg, a->expect, 64, &a->n_expect, err);
			break;
		case OPT_FORCE:
			a->policy.force = true;
			break;
		case OPT_INCONCLUSIVE:
			if (strcmp(optarg, "pass") != 0 && strcmp(optarg, "fail") != 0)
				rc = bench_error_set(err, 0, "--inconclusive %s: pass or fail",
				                     optarg);
			a->policy.inconclusive_fails = strcmp(optarg, "fail") == 0;
			a->inconclusive_set = true;
			break;
		case OPT_BASE_ENV:
			a->policy.base_env = optarg;
			break;
		case OPT_NEW_ENV:
			a->policy.new_env = optarg;
			break;
		case OPT_DB:
			a->db = optarg;
			break;
		case OPT_JSON:
			a->outputs.print_json = true;
			break;
		case OPT_JUNIT:
			a->outputs.junit = optarg;
			break;
		case OPT_MARKDOWN:
			a->outputs.markdown = optarg;
			break;
		case OPT_OUT:
			a->out = optarg;
			break;
		case OPT_BISECT:
			a->bisect = true;
			break;
		case OPT_BASELINE:
			a->base = optarg;
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
		if (rc < 0)
			return -1;
	}
	int left = argc - optind;
	if (a->base == NULL && left == 2) {
		a->base = argv[optind];
		a->new_ = argv[optind + 1];
	} else if (a->base != NULL && left == 1) {
		a->new_ = argv[optind];
	} else {
		return bench_error_set(err, 0, "expected BASE NEW (or --baseline BASE NEW)");
	}
	if ((a->policy.base_env == NULL) != (a->policy.new_env == NULL))
		return bench_error_set(err, 0, "--base-env and --new-env go together");
	return 0;
}

/* The gate file's decision settings, unless given on the command line. */
static void apply_gate(struct compare_args *a, const struct gate_file *g)
{
	a->policy.gate = g;
	if (!a->tolerance_set)
		a->policy.tolerance = g->tolerance;
	a->policy.alpha = g->alpha;
	if (!a->inconclusive_set)
		a->policy.inconclusive_fails = g->inconclusive_fails;
	for (size_t i = 0; i < g->n_expect && a->n_expect < 64; i++)
		a->expect[a->n_expect++] = g->expect[i];
	if (a->db == NULL)
		a->db = g->db;
}

int cmd_compare(int argc, char *argv[])
{
	struct compare_args a;
	struct bench_error *err = NULL;
	int prc = parse(argc, argv, &a, &err);
	if (prc > 0) {
		printf("%s", usage);
		return EXIT_OK;
	}
	if (prc < 0) {
		int rc = command_usage_error("compare", &err);
		return a.bisect ? BISECT_ABORT : rc;
	}
	install_signal_handlers(); /* files are written whole or not at all */
	struct gate_file gate = {0};
	if (a.gate_path != NULL) {
		if (gate_file_read(&gate, a.gate_path, &err) < 0) {
			gate_file_free(&gate);
			int rc = command_usage_error("compare", &err);
			return a.bisect ? BISECT_ABORT : rc;
		}
		apply_gate(&a, &gate);
	}
	a.policy.expect = a.expect;
	a.policy.n_expect = a.n_expect;
	a.policy.db = a.db;
	struct compare_side base = {0}, new_ = {0};
	struct comparison cmp = {0};
	int status = EXIT_FAILED;
	if (compare_side_load(&new_, a.new_, a.db, NULL, true, &err) < 0 ||
	    compare_side_load(&base, a.base, a.db, &new_.runs[0].run, false, &err) < 0 ||
	    compare_run(&base, &new_, &a.policy, &cmp, &err) < 0) {
		fprintf(stderr, "bench compare: %s\n", err->msg);
		bench_error_free(&err);
		status = a.bisect ? BISECT_ABORT : EXIT_FAILED;
	} else {
		bool made = false;
		if (a.out != NULL) {
			made = mkdir(a.out, 0755) == 0;
			if (!made && errno != EEXIST)
				fprintf(stderr, "bench compare: cannot create %s: %s\n", a.out,
				        strerror(errno));
			snprintf(a.json_path, sizeof(a.json_path), "%s/comparison.json", a.out);
			a.outputs.json_file = a.json_path;
		}
		int wrc = comparison_write("compare", &cmp, &a.outputs);
		status = comparison_exit(&cmp, a.bisect);
		if (agent_interrupted) {
			if (made)
				rmdir(a.out);
			status = a.bisect ? BISECT_ABORT : EXIT_INTERRUPTED;
		}
		if (wrc < 0 && (status == EXIT_OK || status == BISECT_GOOD))
			status = a.bisect ? BISECT_ABORT : EXIT_FAILED;
		if (cmp.status == COMPARE_OK && cmp.counts[VERDICT_INCONCLUSIVE] > 0)
			fprintf(stderr,
			        "bench compare: warning: %zu gated metric(s) inconclusive (see "
			        "above; --inconclusive fail makes this exit %d)\n",
			        cmp.counts[VERDICT_INCONCLUSIVE], EXIT_INCONCLUSIVE);
	}
	comparison_free(&cmp);
	compare_side_free(&base);
	compare_side_free(&new_);
	gate_file_free(&gate);
	return status;
}
