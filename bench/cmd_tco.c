/* bench tco: a cost model (YAML) evaluated, optionally fed by runs' density
 * and overhead: terminal tables, JSON, CSV, or a directory with an HTML page
 * and gnuplot charts. */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/commands.h"
#include "reports/tco.h"
#include "reports/tco_density.h"
#include "reports/tco_export.h"
#include "reports/tco_render.h"
#include "reports/tco_table.h"

static const char usage[] =
    "usage: bench tco MODEL [--run RUN_DIR]... [--swing PCT] [--top N]\n"
    "                 [--json | --csv] [--out DIR]\n"
    "\n"
    "Evaluates the cost model MODEL (YAML: platforms and scenarios, see\n"
    "reports/TCO.md; reports/models/ has examples, among them the seed's table\n"
    "seed-002-consolidation.yaml) and prints, per scenario: the TCO over the model's\n"
    "period, the cost per instance and year, the saving against the baseline, the\n"
    "break-even guests per server against every other scenario, and the sensitivity\n"
    "of the cost per instance to each input. Money is exact (no floating point):\n"
    "figures are rounded to the cent only when printed. A scenario's `published`\n"
    "figures are checked against this arithmetic, and each that disagrees is named\n"
    "with its consistent value and the assumption that reproduces it.\n"
    "\n"
    "  --run RUN_DIR  a run directory (RUN_DIR/run.json) whose density studies and\n"
    "                 overhead figures feed the scenarios with a `density` key\n"
    "                 (repeatable; the first run holding a study is used)\n"
    "  --swing PCT    sensitivity: each input PCT%% lower and higher (default 10)\n"
    "  --top N        the N widest swings per scenario in the terminal table\n"
    "                 (default 3; 0: all)\n"
    "  --json         print the results as JSON (schema bench.tco/1, reports/TCO.md)\n"
    "  --csv          print one CSV row per scenario\n"
    "  --out DIR      also write DIR/: tco.json, tco.csv, tco-sensitivity.csv,\n"
    "                 tco-break-even.csv, tco-published.csv, charts (SVG and PNG) and\n"
    "                 tco.html; written into a temporary directory and renamed into\n"
    "                 place (needs gnuplot: apt-get install gnuplot-nox)\n"
    "\n"
    "Exit status: 0 ok; 1 the model or a run cannot be read, a scenario cannot be\n"
    "computed, the output cannot be written, or a published figure is reproduced by\n"
    "nothing bench tco knows (UNEXPLAINED); 2 usage error; 130 interrupted (SIGINT,\n"
    "SIGTERM, SIGHUP: nothing of --out is renamed into place, no temporary is left;\n"
    "a signal after --out is in place leaves it whole and the status as it was).\n";

enum { OPT_RUN = 256, OPT_SWING, OPT_TOP, OPT_JSON, OPT_CSV, OPT_OUT, OPT_HELP };

static const struct option long_options[] = {
    {"run", required_argument, NULL, OPT_RUN}, {"swing", required_argument, NULL, OPT_SWING},
    {"top", required_argument, NULL, OPT_TOP}, {"json", no_argument, NULL, OPT_JSON},
    {"csv", no_argument, NULL, OPT_CSV},       {"out", required_argument, NULL, OPT_OUT},
    {"help", no_argument, NULL, OPT_HELP},     {NULL, 0, NULL, 0},
};

#define MAX_RUNS 32

struct tco_args {
	const char *model;
	const char *runs[MAX_RUNS];
	size_t n_runs;
	double swing_pct;
	long top;
	bool json, csv;
	const char *out;
};

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "bench tco: %s%s%s%s\n(see bench tco --help)\n", what, arg ? " '" : "",
	        arg ? arg : "", arg ? "'" : "");
	return EXIT_USAGE;
}

/* Returns -1 to go on, else the exit status. */
static int parse(int argc, char *argv[], struct tco_args *a)
{
	*a = (struct tco_args){.swing_pct = 10, .top = 3};
	optind = 0;
	opterr = 0;
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_RUN:
			if (a->n_runs == MAX_RUNS)
				return usage_error("at most 32 --run", NULL);
			a->runs[a->n_runs++] = optarg;
			break;
		case OPT_SWING:
			a->swing_pct = strtod(optarg, &end);
			if (end == optarg || *end || !(a->swing_pct > 0 && a->swing_pct < 100))
				return usage_error(
				    "--swing: a percentage above 0 and below 100, not", optarg);
			break;
		case OPT_TOP:
			a->top = strtol(optarg, &end, 10);
			if (end == optarg || *end || a->top < 0 || a->top > 100)
				return usage_error("--top: a count from 0 to 100, not", optarg);
			break;
		case OPT_JSON:
			a->json = true;
			break;
		case OPT_CSV:
			a->csv = true;
			break;
		case OPT_OUT:
			if (*optarg == '\0')
				return usage_error("--out: empty directory name", NULL);
			a->out = optarg;
			break;
		case OPT_HELP:
		case 'h':
			printf("%s", usage);
			return EXIT_OK;
		case ':':
			return usage_error("option needs a value:", argv[optind - 1]);
		default:
			return usage_error("unknown option (valid: --run, --swing, --top, --json, "
			                   "--csv, --out, --help):",
			                   argv[optind - 1]);
		}
	}
	if (a->json && a->csv)
		return usage_error("--json and --csv: choose one", NULL);
	if (optind >= argc)
		return usage_error(
		    "missing MODEL (e.g. reports/models/seed-002-consolidation.yaml)", NULL);
	if (optind + 1 < argc)
		return usage_error("one MODEL only, unexpected", argv[optind + 1]);
	a->model = argv[optind];
	return -1;
}

static int fail(struct bench_error **err)
{
	fprintf(stderr, "bench tco: %s\n", (*err)->msg);
	bench_error_free(err);
	return EXIT_FAILED;
}

static int read_runs(const struct tco_args *a, struct tco_run *runs, struct bench_error **err)
{
	for (size_t i = 0; i < a->n_runs; i++) {
		char path[PATH_MAX];
		runs[i].dir = a->runs[i];
		if ((size_t)snprintf(path, sizeof(path), "%s/run.json", a->runs[i]) >= sizeof(path))
			return bench_error_set(err, 0, "%s: path too long", a->runs[i]);
		if (run_read(path, &runs[i].run, err) < 0)
			return -1;
	}
	return 0;
}

static int emit(const struct tco_args *a, const struct tco_results *res, struct bench_error **err)
{
	if (a->json)
		return tco_json_print(stdout, res, err);
	if (a->csv)
		return tco_csv_scenarios(stdout, res) < 0
		           ? bench_error_set(err, 0, "writing the CSV to stdout")
		           : 0;
	struct tco_tables t;
	int rc = tco_tables_build(res, (size_t)a->top, &t, err);
	if (rc == 0)
		tco_print_text(stdout, res, &t);
	tco_tables_free(&t);
	return rc;
}

int cmd_tco(int argc, char *argv[])
{
	struct tco_args a;
	int status = parse(argc, argv, &a);
	if (status >= 0)
		return status;
	/* --out is rendered into a temporary directory: after SIGINT, SIGTERM
	 * or SIGHUP it is removed and nothing is renamed into place (exit 130). */
	install_signal_handlers();
	struct bench_error *err = NULL;
	struct tco_model m;
	struct tco_run runs[MAX_RUNS];
	memset(runs, 0, sizeof(runs));
	struct tco_results res = {0};
	int rc = tco_model_read(a.model, &m, &err);
	if (rc == 0)
		rc = read_runs(&a, runs, &err);
	if (rc == 0)
		rc = tco_density_apply(&m, runs, a.n_runs, &err);
	if (rc == 0)
		rc = tco_compute(&m, q_from_double(a.swing_pct / 100, 6), &res, &err);
	if (rc == 0)
		rc = emit(&a, &res, &err);
	bool placed = false; /* --out renamed into place: whole, whatever comes after */
	if (rc == 0 && a.out != NULL) {
		struct report_tools tools;
		struct report_files files = {0};
		rc = report_tools_find(&tools, &err);
		if (rc == 0)
			rc = tco_render(&res, a.out, &tools, &files, &err);
		placed = rc == 0;
		FILE *say = a.json || a.csv ? stderr : stdout;
		if (rc == 0)
			fprintf(say, "\nwritten to %s/:", a.out);
		for (size_t i = 0; rc == 0 && i < files.n; i++)
			fprintf(say, "%s%s", i % 4 ? " " : "\n  ", files.names[i]);
		if (rc == 0)
			fputc('\n', say);
		report_files_free(&files);
	}
	status = rc < 0 ? fail(&err) : EXIT_OK;
	if (agent_interrupted && !placed)
		status = EXIT_INTERRUPTED;
	if (rc == 0 && res.n_unexplained > 0) {
		fprintf(stderr,
		        "bench tco: %zu published figure(s) reproduced by nothing bench tco knows "
		        "(UNEXPLAINED above)\n",
		        res.n_unexplained);
		status = EXIT_FAILED;
	}
	tco_results_free(&res);
	for (size_t i = 0; i < a.n_runs; i++)
		run_free(&runs[i].run);
	tco_model_free(&m);
	return status;
}
