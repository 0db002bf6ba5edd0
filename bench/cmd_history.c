/* bench history: the SQLite run history (add, list, show a series with its
 * change points and baseline segment, move the baseline with a reason). */
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/commands.h"
#include "reports/changepoint.h"
#include "reports/history.h"

static const char usage[] =
    "usage: bench history add RUN... [--tag TAG] [--db PATH]\n"
    "       bench history list [SELECTOR] [--json] [--db PATH]\n"
    "       bench history show [ENV/]WORKLOAD[:METRIC] [SELECTOR] [--json] [--db PATH]\n"
    "       bench history baseline --from RUN_ID --reason TEXT\n"
    "                              [--metric [ENV/]WORKLOAD[:METRIC]] [--db PATH]\n"
    "\n"
    "The history is an SQLite database (default results/history.sqlite; WAL, safe\n"
    "for concurrent writers) of whole run files.\n"
    "  add       adds run directories or run.json files (a run already there is\n"
    "            skipped; failed samples are kept in the document, not in series)\n"
    "  list      the runs, oldest first: id, created, host, kernel, hypervisor,\n"
    "            commit, tag, samples\n"
    "  show      each matching metric's series (one point per run: mean and 95% CI,\n"
    "            kernel, hypervisor, commit), its change points (E-divisive means,\n"
    "            permutation test, p < 0.05) and the baseline segment a comparison\n"
    "            uses: from the latest recorded baseline move to the next change point\n"
    "  baseline  records that the baseline starts at RUN_ID (for the metrics\n"
    "            matching --metric, patterns allowed; default all), with a reason;\n"
    "            a baseline moves only this way\n"
    "\n"
    "SELECTOR: key=value[,key=value], keys host, kernel, hypervisor, commit, tag\n"
    "(fnmatch patterns) and last=N.\n"
    "\n"
    "Exit status: 0 ok, 1 the database or a run cannot be read or written, 2 usage.\n";

enum { OPT_DB = 256, OPT_TAG, OPT_JSON, OPT_FROM, OPT_REASON, OPT_METRIC, OPT_HELP };

static const struct option long_options[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"tag", required_argument, NULL, OPT_TAG},
    {"json", no_argument, NULL, OPT_JSON},
    {"from", required_argument, NULL, OPT_FROM},
    {"reason", required_argument, NULL, OPT_REASON},
    {"metric", required_argument, NULL, OPT_METRIC},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

struct history_args {
	const char *db, *tag, *from, *reason, *metric;
	bool json;
	char **rest;
	int n_rest;
};

static int fail(struct bench_error **err)
{
	fprintf(stderr, "bench history: %s\n", (*err)->msg);
	bench_error_free(err);
	return EXIT_FAILED;
}

/* [ENV/]WORKLOAD[:METRIC] into patterns ("*" where absent). */
static void metric_spec(const char *spec, char env[64], char workload[64], char metric[64])
{
	const char *slash = strchr(spec, '/'), *w = slash ? slash + 1 : spec;
	const char *colon = strchr(w, ':');
	snprintf(env, 64, "%.*s", slash ? (int)(slash - spec) : 1, slash ? spec : "*");
	snprintf(workload, 64, "%.*s", colon ? (int)(colon - w) : 63, w);
	snprintf(metric, 64, "%s", colon ? colon + 1 : "*");
}

static int do_add(struct history *h, const struct history_args *a)
{
	int status = EXIT_OK;
	for (int i = 0; i < a->n_rest; i++) {
		char path[PATH_MAX];
		struct stat st;
		if (stat(a->rest[i], &st) == 0 && S_ISDIR(st.st_mode))
			snprintf(path, sizeof(path), "%.*s/run.json", PATH_MAX - 10, a->rest[i]);
		else
			snprintf(path, sizeof(path), "%s", a->rest[i]);
		struct run run;
		struct bench_error *err = NULL;
		bool added = false;
		if (run_read(path, &run, &err) < 0 ||
		    history_add(h, &run, a->tag, path, &added, &err) < 0) {
			status = fail(&err);
			continue;
		}
		printf("%s %s (%s)\n", added ? "added" : "already there:", run.run_id, path);
		run_free(&run);
	}
	return status;
}

static int do_list(struct history *h, const struct history_selector *sel, bool json)
{
	struct history_run *runs;
	size_t n;
	struct bench_error *err = NULL;
	if (history_runs(h, sel, &runs, &n, &err) < 0)
		return fail(&err);
	json_t *list = json_array();
	if (!json)
		printf("%-4s %-36s %-20s %-10s %-18s %-10s %-14s %-8s %s\n", "#", "run_id",
		       "created", "host", "kernel", "hypervisor", "commit", "tag", "samples");
	for (size_t i = 0; i < n; i++) {
		struct history_run *r = &runs[i];
		if (json)
			json_array_append_new(
			    list,
			    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}",
			              "run_id", r->run_id, "created", r->created, "added", r->added,
			              "hostname", r->hostname, "kernel", r->kernel, "hypervisor",
			              r->hypervisor, "commit", r->commit, "tag", r->tag, "source",
			              r->source, "samples", (json_int_t)r->n_samples));
		else
			printf("%-4zu %-36s %-20s %-10s %-18s %-10s %-14s %-8s %zu\n", i, r->run_id,
			       r->created, r->hostname, r->kernel, r->hypervisor, r->commit,
			       r->tag[0] ? r->tag : "-", r->n_samples);
	}
	if (json) {
		json_dumpf(list, stdout, JSON_INDENT(1));
		printf("\n");
	} else {
		printf("%zu run(s) in %s\n", n, h->path);
	}
	json_decref(list);
	free(runs);
	return EXIT_OK;
}

/* One metric's series, change points and baseline segment. */
static int show_one(struct history *h, const struct history_selector *sel, const char *env,
                    const char *workload, const char *metric, json_t *out)
{
	struct history_point *pts;
	size_t n;
	struct bench_error *err = NULL;
	if (history_series(h, sel, env, workload, metric, &pts, &n, &err) < 0)
		return fail(&err);
	double *x = malloc((n ? n : 1) * sizeof(double));
	struct change_point cps[16];
	int n_cp = 0;
	size_t start = 0;
	char reason[256] = "";
	if (x != NULL) {
		for (size_t i = 0; i < n; i++)
			x[i] = pts[i].mean;
		struct cp_options o = cp_defaults();
		n_cp = cp_find(x, n, &o, cps, 16);
		if (n_cp < 0)
			n_cp = 0;
	}
	free(x);
	if (history_baseline_start(h, pts, n, env, workload, metric, &start, reason, sizeof(reason),
	                           &err) < 0) {
		free(pts);
		return fail(&err);
	}
	size_t end = cp_segment_end(cps, n_cp, start, n);
	json_t *points = json_array(), *cpj = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
		    points, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:f, s:f, s:f}", "run_id",
		                      pts[i].run_id, "created", pts[i].created, "kernel",
		                      pts[i].kernel, "hypervisor", pts[i].hypervisor, "commit",
		                      pts[i].commit, "n", (json_int_t)pts[i].n, "mean", pts[i].mean,
		                      "ci95_low", pts[i].ci_low, "ci95_high", pts[i].ci_high));
	for (int k = 0; k < n_cp; k++)
		json_array_append_new(
		    cpj, json_pack("{s:I, s:s, s:f, s:f, s:f}", "index", (json_int_t)cps[k].index,
		                   "run_id", pts[cps[k].index].run_id, "p", cps[k].p, "before",
		                   cps[k].before, "after", cps[k].after));
	if (out != NULL) {
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:o, s:o, s:{s:I, s:I, s:s}}",
		                                     "env", env, "workload", workload, "metric",
		                                     metric, "points", points, "change_points", cpj,
		                                     "baseline", "start", (json_int_t)start, "end",
		                                     (json_int_t)end, "reason", reason));
		free(pts);
		return EXIT_OK;
	}
	printf("\n%s/%s:%s (%zu runs)\n", env, workload, metric, n);
	printf("  %-3s %-36s %-20s %-18s %-10s %-14s %4s %14s %12s\n", "#", "run_id", "created",
	       "kernel", "hypervisor", "commit", "n", "mean", "+-95% CI");
	for (size_t i = 0; i < n; i++) {
		bool cp = false;
		for (int k = 0; k < n_cp; k++)
			cp = cp || cps[k].index == i;
		printf("%s %-3zu %-36s %-20s %-18s %-10s %-14s %4zu %14.6g %12.4g%s\n",
		       cp ? "|" : " ", i, pts[i].run_id, pts[i].created, pts[i].kernel,
		       pts[i].hypervisor, pts[i].commit, pts[i].n, pts[i].mean,
		       (pts[i].ci_high - pts[i].ci_low) / 2,
		       i >= start && i < end ? "  baseline" : "");
	}
	for (int k = 0; k < n_cp; k++)
		printf("  change point at #%zu (%s): %.6g -> %.6g (%+.1f%%), p = %.3f\n",
		       cps[k].index, pts[cps[k].index].run_id, cps[k].before, cps[k].after,
		       100 * (cps[k].after / cps[k].before - 1), cps[k].p);
	if (n_cp == 0)
		printf("  no change point (E-divisive, %zu permutations, p < 0.05)\n",
		       cp_defaults().permutations);
	if (n > 0)
		printf("  baseline: runs #%zu..#%zu%s%s%s\n", start, end - 1,
		       reason[0] ? " (moved: " : "", reason, reason[0] ? ")" : "");
	json_decref(points);
	json_decref(cpj);
	free(pts);
	return EXIT_OK;
}

static int do_show(struct history *h, const struct history_args *a,
                   const struct history_selector *sel)
{
	char env[64], workload[64], metric[64];
	metric_spec(a->rest[0], env, workload, metric);
	struct bench_error *err = NULL;
	json_t *all = history_metrics(h, sel, &err);
	if (all == NULL)
		return fail(&err);
	json_t *out = a->json ? json_array() : NULL;
	size_t shown = 0;
	int status = EXIT_OK;
	for (size_t i = 0; i < json_array_size(all) && status == EXIT_OK; i++) {
		json_t *t = json_array_get(all, i);
		const char *e = json_string_value(json_array_get(t, 0));
		const char *w = json_string_value(json_array_get(t, 1));
		const char *m = json_string_value(json_array_get(t, 2));
		if (fnmatch(env, e, 0) != 0 || fnmatch(workload, w, 0) != 0 ||
		    fnmatch(metric, m, 0) != 0)
			continue;
		shown++;
		status = show_one(h, sel, e, w, m, out);
	}
	json_decref(all);
	if (out != NULL) {
		json_dumpf(out, stdout, JSON_INDENT(1));
		printf("\n");
		json_decref(out);
	}
	if (shown == 0 && status == EXIT_OK) {
		fprintf(stderr, "bench history: no metric matches '%s' in %s\n", a->rest[0],
		        h->path);
		return EXIT_FAILED;
	}
	return status;
}

static int do_baseline(struct history *h, const struct history_args *a)
{
	char env[64] = "*", workload[64] = "*", metric[64] = "*";
	if (a->metric != NULL)
		metric_spec(a->metric, env, workload, metric);
	struct bench_error *err = NULL;
	if (history_move_baseline(h, a->from, env, workload, metric, a->reason, &err) < 0)
		return fail(&err);
	printf("baseline of %s/%s:%s moved to run %s: %s\n", env, workload, metric, a->from,
	       a->reason);
	return EXIT_OK;
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "bench history: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see bench history --help)\n");
	return EXIT_USAGE;
}

int cmd_history(int argc, char *argv[])
{
	if (argc < 2)
		return usage_error("%s", "a subcommand is required: add, list, show, baseline");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		printf("%s", usage);
		return EXIT_OK;
	}
	const char *sub = argv[1];
	struct history_args a = {0};
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc - 1, argv + 1, ":h", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			a.db = optarg;
			break;
		case OPT_TAG:
			a.tag = optarg;
			break;
		case OPT_JSON:
			a.json = true;
			break;
		case OPT_FROM:
			a.from = optarg;
			break;
		case OPT_REASON:
			a.reason = optarg;
			break;
		case OPT_METRIC:
			a.metric = optarg;
			break;
		case OPT_HELP:
		case 'h':
			printf("%s", usage);
			return EXIT_OK;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind]);
		default:
			return usage_error("unknown option '%s'", argv[optind]);
		}
	}
	a.rest = argv + 1 + optind;
	a.n_rest = argc - 1 - optind;
	bool add = strcmp(sub, "add") == 0, list = strcmp(sub, "list") == 0,
	     show = strcmp(sub, "show") == 0, base = strcmp(sub, "baseline") == 0;
	if (!add && !list && !show && !base)
		return usage_error("unknown subcommand '%s' (valid: add, list, show, baseline)",
		                   sub);
	if ((add && a.n_rest < 1) || (list && a.n_rest > 1) ||
	    (show && (a.n_rest < 1 || a.n_rest > 2)) || (base && a.n_rest != 0))
		return usage_error("%s: wrong arguments", sub);
	if (base && (a.from == NULL || a.reason == NULL || *a.reason == '\0'))
		return usage_error("%s", "baseline needs --from RUN_ID and --reason TEXT");
	struct history_selector sel = {0};
	struct bench_error *err = NULL;
	const char *seltext = list && a.n_rest == 1   ? a.rest[0]
	                      : show && a.n_rest == 2 ? a.rest[1]
	                                              : "";
	if (strncmp(seltext, "history:", 8) == 0)
		seltext += 8;
	if (history_selector_parse(seltext, &sel, &err) < 0)
		return command_usage_error("history", &err);
	struct history h;
	if (history_open(&h, a.db ? a.db : HISTORY_DEFAULT_DB, &err) < 0) {
		history_close(&h);
		return fail(&err);
	}
	int status = add    ? do_add(&h, &a)
	             : list ? do_list(&h, &sel, a.json)
	             : show ? do_show(&h, &a, &sel)
	                    : do_baseline(&h, &a);
	history_close(&h);
	return status;
}
