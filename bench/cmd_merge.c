/* bench merge: the run files of several hosts into one fleet file. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bench/commands.h"
#include "reports/merge.h"

static const char usage[] =
    "usage: bench merge [options] [HOST=]RUN...\n"
    "\n"
    "Merges the run files of several hosts into one fleet file, DIR/fleet.json\n"
    "(schema bench.fleet/1, results/SCHEMA.md), with the host as a dimension, for\n"
    "`bench report DIR`. RUN is a run directory (holding run.json) or a run file;\n"
    "the host is named HOST, or else after the directory holding run.json\n"
    "(results/<campaign>/<host>/ in a fleet campaign). Hosts are grouped by a\n"
    "fingerprint hash of their CPU model, kernel, memory, governor, SMT, THP,\n"
    "hypervisor and topology; a declared group whose hosts differ is flagged, and\n"
    "so are hosts that ran other bench builds or other arguments.\n"
    "\n"
    "options:\n"
    "  --out DIR          where fleet.json goes (default: results/<campaign>)\n"
    "  --campaign ID      the campaign's name (default: the --out directory's name,\n"
    "                     else fleet-<UTC time>)\n"
    "  --group NAME=HOST[,HOST...]\n"
    "                     declare hosts that should be alike (repeatable)\n"
    "  --hosts FILE       the campaign's host status file (the fleet playbook's\n"
    "                     hosts.json): each host's status (ok, failed, unreachable),\n"
    "                     group, the step that failed and why; failed and unreachable\n"
    "                     hosts are kept in the fleet file as absent\n"
    "  --json             print the fleet file instead of the summary\n"
    "\n"
    "Exit status: 0 merged, 1 a run or the status file cannot be read or the fleet\n"
    "file cannot be written, 2 usage error (no RUN, a host named twice, an unknown\n"
    "host in --group).\n";

enum { OPT_OUT = 256, OPT_CAMPAIGN, OPT_GROUP, OPT_HOSTS, OPT_JSON, OPT_HELP };

static const struct option long_options[] = {
    {"out", required_argument, NULL, OPT_OUT},
    {"campaign", required_argument, NULL, OPT_CAMPAIGN},
    {"group", required_argument, NULL, OPT_GROUP},
    {"hosts", required_argument, NULL, OPT_HOSTS},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "bench merge: %s%s%s%s\n(see bench merge --help)\n", what, arg ? " '" : "",
	        arg ? arg : "", arg ? "'" : "");
	return EXIT_USAGE;
}

static void print_summary(const struct fleet *f, const char *dir)
{
	printf("fleet %s: %zu host%s merged into %s/" FLEET_FILE "\n", f->campaign, f->n_hosts,
	       f->n_hosts == 1 ? "" : "s", dir);
	printf("  %-16s %-12s %-16s %-8s %s\n", "host", "group", "fingerprint", "samples",
	       "cpu / kernel");
	for (size_t i = 0; i < f->n_hosts; i++) {
		const struct fleet_host *h = &f->hosts[i];
		const char *cpu = json_string_value(json_object_get(h->run.host, "cpu_model"));
		const char *kernel = json_string_value(json_object_get(h->run.host, "kernel"));
		printf("  %-16s %-12s %-16s %-8zu %s / %s\n", h->name, h->group ? h->group : "-",
		       h->fingerprint, h->run.n_samples, cpu ? cpu : "?", kernel ? kernel : "?");
	}
	for (size_t i = 0; i < f->n_absent; i++) {
		const struct fleet_absent *a = &f->absent[i];
		printf("  %-16s %-12s %s at step \"%s\": %s\n", a->name, a->group ? a->group : "-",
		       a->status, a->step ? a->step : "?", a->reason ? a->reason : "(no reason)");
	}
	size_t i;
	json_t *w;
	json_array_foreach(f->warnings, i, w)
	{
		printf("warning: %s\n", json_string_value(w));
	}
}

int cmd_merge(int argc, char *argv[])
{
	const char *out = NULL, *campaign = NULL, *hosts_file = NULL;
	int json = 0;
	struct merge_group *groups = calloc((size_t)argc + 1, sizeof(*groups));
	struct merge_run *runs = calloc((size_t)argc + 1, sizeof(*runs));
	size_t n_groups = 0, n_runs = 0;
	int rc = EXIT_OK;
	if (groups == NULL || runs == NULL) {
		fprintf(stderr, "bench merge: out of memory\n");
		rc = EXIT_FAILED;
		goto out;
	}
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_OUT:
			out = optarg;
			break;
		case OPT_CAMPAIGN:
			campaign = optarg;
			break;
		case OPT_GROUP:
			groups[n_groups++].arg = optarg;
			break;
		case OPT_HOSTS:
			hosts_file = optarg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_HELP:
		case 'h':
			printf("%s", usage);
			goto out;
		case ':':
			rc = usage_error("option needs a value:", argv[optind - 1]);
			goto out;
		default:
			rc = usage_error("unknown option (valid: --out, --campaign, --group, "
			                 "--hosts, --json, --help):",
			                 argv[optind - 1]);
			goto out;
		}
	}
	if (optind >= argc && hosts_file == NULL) {
		rc = usage_error("no RUN given", NULL);
		goto out;
	}
	if ((out != NULL && *out == '\0') || (campaign != NULL && *campaign == '\0')) {
		rc = usage_error("--out and --campaign must not be empty", NULL);
		goto out;
	}
	struct bench_error *err = NULL;
	for (int i = optind; i < argc; i++) {
		if (merge_run_arg(argv[i], &runs[n_runs], &err) < 0) {
			rc = usage_error(err->msg, NULL);
			bench_error_free(&err);
			goto out;
		}
		for (size_t k = 0; k < n_runs; k++)
			if (strcmp(runs[k].name, runs[n_runs].name) == 0) {
				fprintf(
				    stderr,
				    "bench merge: host \"%s\" named twice (%s and %s): name them "
				    "HOST=RUN\n",
				    runs[k].name, runs[k].file, runs[n_runs].file);
				rc = EXIT_USAGE;
				goto out;
			}
		n_runs++;
	}
	char id[128], dir[PATH_MAX];
	if (campaign == NULL && out != NULL) {
		const char *base = strrchr(out, '/');
		snprintf(id, sizeof(id), "%s", base != NULL && base[1] ? base + 1 : out);
	} else if (campaign == NULL) {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(id, sizeof(id), "fleet-%Y%m%d-%H%M%S", &tm);
	} else {
		snprintf(id, sizeof(id), "%s", campaign);
	}
	if (out != NULL) {
		snprintf(dir, sizeof(dir), "%s", out);
	} else {
		if (strchr(id, '/') != NULL || strcmp(id, ".") == 0 || strcmp(id, "..") == 0) {
			rc = usage_error("--campaign cannot name a directory under results/:", id);
			goto out;
		}
		if (mkdir("results", 0755) < 0 && errno != EEXIST) {
			fprintf(stderr, "bench merge: creating results/: %s\n", strerror(errno));
			rc = EXIT_FAILED;
			goto out;
		}
		snprintf(dir, sizeof(dir), "results/%s", id);
	}
	struct fleet f;
	if (merge_fleet(&f, id, runs, n_runs, groups, n_groups, hosts_file, &err) < 0) {
		/* Unknown hosts in --group and names used twice are usage errors;
		 * files that cannot be read are failures. */
		bool usage_fault = strncmp(err->msg, "--group", 7) == 0 ||
		                   strstr(err->msg, "appears twice") != NULL;
		fprintf(stderr, "bench merge: %s\n", err->msg);
		bench_error_free(&err);
		rc = usage_fault ? EXIT_USAGE : EXIT_FAILED;
		goto out;
	}
	if (f.n_hosts == 0 && f.n_absent == 0) {
		fleet_free(&f);
		rc = usage_error("nothing to merge: no RUN and no host in --hosts", NULL);
		goto out;
	}
	if (fleet_write(&f, dir, &err) < 0) {
		fprintf(stderr, "bench merge: %s\n", err->msg);
		bench_error_free(&err);
		fleet_free(&f);
		rc = EXIT_FAILED;
		goto out;
	}
	if (json) {
		json_t *doc = fleet_to_json(&f, NULL);
		json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(doc);
	} else {
		print_summary(&f, dir);
	}
	fleet_free(&f);
out:
	free(groups);
	free(runs);
	return rc;
}
