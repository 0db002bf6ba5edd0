/* bench report: renders a run directory's run.json as CSV, markdown,
 * gnuplot charts and one HTML page. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/commands.h"
#include "reports/fleet_report.h"
#include "reports/report.h"
#include "reports/report_compare.h"

static const char usage[] =
    "usage: bench report RUN_DIR [--out DIR]\n"
    "\n"
    "Reads RUN_DIR/run.json (or, when there is none, the fleet file\n"
    "RUN_DIR/fleet.json that bench merge writes) and writes RUN_DIR/report/ (or DIR):\n"
    "  samples.csv    every repetition's value (failed samples with their error)\n"
    "  summary.md     the answer (a verdict per environment written from the\n"
    "                 figures, top overheads, density limit, failures, validity\n"
    "                 notes), then results per environment, overhead (markdown)\n"
    "  *.svg, *.png   charts: the overview forest plot, bars per workload and unit,\n"
    "                 overhead heatmap, request/response latency percentiles,\n"
    "                 instance start and memory, density against the QoS bar\n"
    "  report.html    all of it in one self-contained page, the answer first\n"
    "\n"
    "When RUN_DIR holds tco/tco.json (bench all --cost-model), the answer gives\n"
    "each scenario's cost per instance and report.html links tco/tco.html.\n"
    "A fleet's report (RUN_DIR/fleet.json) compares the hosts: hosts and their\n"
    "fingerprints, hosts without results (the step that failed and why), the\n"
    "spread of every figure across hosts (Welch's ANOVA), bare figures per host,\n"
    "overhead and density per host; samples.csv gets a host column.\n"
    "\n"
    "When RUN_DIR holds a comparison.json (bench compare --out, bench gate), the\n"
    "report also gets comparison.html: verdict, validity, every metric's change,\n"
    "a forest plot (change with its 95% interval against the tolerance band) and,\n"
    "with a history baseline, a chart per gated metric with its change points.\n"
    "A directory with only comparison.json gets only those.\n"
    "\n"
    "Needs gnuplot (Debian/Ubuntu: apt-get install gnuplot-nox).\n"
    "\n"
    "Exit status: 0 ok, 1 the run cannot be read or the report cannot be written,\n"
    "2 usage error, 130 interrupted (SIGINT, SIGTERM, SIGHUP: nothing is renamed\n"
    "into place and the temporary directory is removed).\n";

enum { OPT_OUT = 256, OPT_HELP };

static const struct option long_options[] = {
    {"out", required_argument, NULL, OPT_OUT},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "bench report: %s%s%s%s\n(see bench report --help)\n", what,
	        arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
	return EXIT_USAGE;
}

/* Finds gnuplot and renders into out_dir one of: run (with links), fleet, or the
 * comparison file cmp_file; prints the files written. Returns the exit
 * status. */
static int render(const struct run *run, const struct report_links *links,
                  const struct fleet *fleet, const char *cmp_file, const char *out_dir)
{
	struct bench_error *err = NULL;
	struct report_tools tools;
	struct report_files files = {0};
	/* SIGINT/SIGTERM/SIGHUP are recorded, the render stops at the next
	 * chart and its temporary directory is removed (exit 130). */
	install_signal_handlers();
	int rc = report_tools_find(&tools, &err);
	if (rc == 0)
		rc = run != NULL ? report_render_linked(run, out_dir, &tools, links, &files, &err)
		     : fleet != NULL
		         ? fleet_report_render(fleet, out_dir, &tools, &files, &err)
		         : report_compare_render(cmp_file, out_dir, &tools, &files, &err);
	if (rc < 0) {
		fprintf(stderr, "bench report: %s\n", err->msg);
		bench_error_free(&err);
		report_files_free(&files);
		return agent_interrupted ? EXIT_INTERRUPTED : EXIT_FAILED;
	}
	printf("%sreport written to %s/:\n", cmp_file != NULL ? "comparison " : "", out_dir);
	for (size_t i = 0; i < files.n; i++)
		printf("  %s/%s\n", out_dir, files.names[i]);
	report_files_free(&files);
	return EXIT_OK;
}

int cmd_report(int argc, char *argv[])
{
	const char *out = NULL;
	optind = 0; /* full reset; GNU getopt permutes, so RUN_DIR may come first */
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_OUT:
			out = optarg;
			break;
		case OPT_HELP:
		case 'h':
			printf("%s", usage);
			return EXIT_OK;
		case ':':
			return usage_error("option needs a value:", argv[optind - 1]);
		default:
			return usage_error("unknown option (valid: --out, --help):",
			                   argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("missing RUN_DIR", NULL);
	if (optind + 1 < argc)
		return usage_error("one RUN_DIR only, unexpected", argv[optind + 1]);
	const char *dir = argv[optind];
	char run_file[PATH_MAX], out_dir[PATH_MAX];
	if (out != NULL && *out == '\0')
		return usage_error("--out: empty directory name", NULL);
	if ((size_t)snprintf(run_file, sizeof(run_file), "%s/run.json", dir) >= sizeof(run_file) ||
	    (size_t)snprintf(out_dir, sizeof(out_dir), "%s", out ? out : dir) >= sizeof(out_dir) ||
	    (out == NULL && strlen(out_dir) + strlen("/report") >= sizeof(out_dir)))
		return usage_error("path too long:", out ? out : dir);
	if (out == NULL)
		strcat(out_dir, "/report");

	struct bench_error *err = NULL;
	char cmp_file[PATH_MAX + 32];
	struct stat st;
	snprintf(cmp_file, sizeof(cmp_file), "%s/comparison.json", dir);
	bool has_cmp = stat(cmp_file, &st) == 0;
	if (has_cmp && stat(run_file, &st) < 0)
		return render(NULL, NULL, NULL, cmp_file, out_dir);
	char fleet_file[PATH_MAX];
	if (!has_cmp && stat(run_file, &st) < 0 && errno == ENOENT &&
	    (size_t)snprintf(fleet_file, sizeof(fleet_file), "%s/" FLEET_FILE, dir) <
	        sizeof(fleet_file) &&
	    stat(fleet_file, &st) == 0) {
		struct fleet f;
		if (fleet_read(fleet_file, &f, &err) < 0) {
			fprintf(stderr, "bench report: %s\n", err->msg);
			bench_error_free(&err);
			return EXIT_FAILED;
		}
		int rc = render(NULL, NULL, &f, NULL, out_dir);
		fleet_free(&f);
		return rc;
	}
	struct run run;
	if (run_read(run_file, &run, &err) < 0) {
		fprintf(stderr, "bench report: %s\n", err->msg);
		bench_error_free(&err);
		return EXIT_FAILED;
	}
	/* a cost evaluation of this run beside it (bench all --cost-model) */
	char tco_json[PATH_MAX + 32], href[PATH_MAX + 32];
	struct report_links links = {0};
	snprintf(tco_json, sizeof(tco_json), "%s/tco/tco.json", dir);
	if (stat(tco_json, &st) == 0) {
		char abs[PATH_MAX];
		links.tco_json = tco_json;
		if (out == NULL)
			links.tco_href = "../tco/tco.html";
		else if (realpath(dir, abs) != NULL) {
			snprintf(href, sizeof(href), "file://%s/tco/tco.html", abs);
			links.tco_href = href;
		}
	}
	int rc = render(&run, &links, NULL, NULL, out_dir);
	run_free(&run);
	if (rc == EXIT_OK && has_cmp)
		rc = render(NULL, NULL, NULL, cmp_file, out_dir);
	return rc;
}
