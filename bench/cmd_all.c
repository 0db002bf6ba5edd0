/* bench all: every available environment against every workload with the
 * same pinning and sizes, then the density study, then the report. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/commands.h"
#include "harness/core/cleanup.h"
#include "harness/core/hostlock.h"
#include "harness/run/density.h"
#include "harness/env/env.h"
#include "harness/core/clock.h"
#include "harness/core/fingerprint.h"
#include "reports/overhead.h"
#include "reports/report.h"
#include "reports/tco.h"
#include "reports/tco_density.h"
#include "reports/tco_render.h"
#include "harness/core/run_options.h"
#include "reports/run_table.h"
#include "bench/all_budget.h"
#include "harness/run/budget_costs.h"
#include "harness/run/conditions.h"
#include "harness/run/runner.h"
#include "harness/run/size_plan.h"

static const struct profile {
	const char *name, *summary;
	unsigned min_reps, max_reps;
	double target_ci;
	unsigned max_warmup;   /* warm-up rounds at most */
	const char *duration;  /* for duration-bounded workloads, NULL = theirs */
	unsigned density_max;  /* instances at most, 0 = no cap but time and memory */
	unsigned density_reps; /* measured rounds per density step */
	const char *density_duration;
	double density_budget_s; /* per density study without a run budget */
	bool density_bandwidth;  /* mem.stream and net.tcp_rr studies too */
	double budget_s;         /* default --budget, 0 = none */
} profiles[] = {
    {"quick",
     "5 minutes: 2-3 repetitions after up to 3 warm-ups, idle and cpu.int density studies to "
     "the limit",
     2, 3, 5.0, 3, "0.2", 0, 2, "0.3", 20, false, 300},
    {"standard",
     "20 minutes: 3-10 repetitions to 2% after up to 5 warm-ups, default sizes, density "
     "studies (idle, cpu.int, mem.stream, net.tcp_rr p99) to the limit",
     3, 10, 2.0, 5, NULL, 0, 3, "1", 240, true, 1200},
    {"full",
     "a night: 5-30 repetitions to 1% after up to 8 warm-ups, 2 s repetitions, density "
     "studies of 20 minutes each, no budget",
     5, 30, 1.0, 8, "2", 0, 5, "2", 1200, true, 0},
};

static const char usage_head[] =
    "usage: bench all [--profile quick|standard|full] [--envs LIST] [--workloads LIST]\n"
    "                 [--cpus LIST] [--numa NODE] [--peer-cpus LIST] [--io-cpus LIST]\n"
    "                 [--spread cpus|nodes] [--no-interleave] [--budget SECONDS]\n"
    "                 [--cost-model MODEL] [--target-host cores=N,memory=SIZE] [--out DIR]\n"
    "                 [--quiet]\n\n"
    "Runs every environment available here (or --envs) against every workload (or\n"
    "--workloads) with the same pinning, sizes and repetition policy, then the\n"
    "density studies (idle footprint, cpu.int under a 0.9 QoS bar, and in the standard\n"
    "and full profiles mem.stream's aggregate and net.tcp_rr's p99 within 2x) in each,\n"
    "each to the QoS, memory or\n"
    "start-time limit or its time budget and projected beyond (--target-host: onto\n"
    "a host you do not have, as bench density --help describes), and\n"
    "renders DIR/report/ (gnuplot charts, report.html, summary.md, samples.csv).\n"
    "--spread nodes places the density study's instances node by node (each one's\n"
    "CPUs and memory on one NUMA node) and the report shows per-node results; the\n"
    "comparison runs keep --cpus/--numa, the same for every environment.\n"
    "Environments that cannot run here are listed in the report with the reason.\n"
    "At the end it prints where the time went (plan, workloads per environment and\n"
    "phase, density, report), also in the run file's invocation.timing.\n\n"
    "--budget SECONDS (default: the profile's; 0 = none, the profile's fixed\n"
    "durations) plans the whole run before anything starts: what the plan step\n"
    "spent, each instance's start, each workload's set-up, repetitions and teardown\n"
    "in each environment (as measured on this host by an earlier run, kept in\n"
    "/run/bench/costs.json), the density studies (20% of the budget, each at least\n"
    "10 s) and the report. Repetitions get 40% of the runner's time left after the\n"
    "known costs (0.1 to 2 s each). When the estimate is over the budget it cuts, in\n"
    "this order, each cut printed and kept in the run file and the report:\n"
    "repetitions to 0.1 s and one warm-up; density studies to 10 s; studies past the\n"
    "idle one outside bare; the costliest workloads outside bare (bare is never\n"
    "cut). While running, each workload gets an equal share of the time left (its\n"
    "warm-up at most a third; measuring stops at the share once the minimum\n"
    "repetitions are in), and one never measured in an environment is skipped there\n"
    "when its set-up, guessed from bare's, is over what is left of its share.\n"
    "\nWith --cost-model MODEL (bench tco's YAML, reports/models/) the run feeds the\n"
    "model's scenarios: DIR/tco/ holds the evaluation (tco.html, tco.json, ...) and\n"
    "the report's answer gives each scenario's cost per instance and links it.\n\n"
    "Default: --profile standard, results/<run-id>/.\n\nprofiles:\n";

static void usage(FILE *out)
{
	fputs(usage_head, out);
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		fprintf(out, "  %-9s %s\n", profiles[i].name, profiles[i].summary);
}

struct all_args {
	const struct profile *profile;
	const char *envs, *workloads, *cpus, *numa, *peer_cpus, *io_cpus, *out, *cost_model,
	    *spread_text, *target_text;
	struct density_host target;
	bool quiet, no_interleave;
	double budget_s; /* -1 = the profile's */
	enum spread_mode spread;
};

static int parse(int argc, char *argv[], struct all_args *a, struct bench_error **err)
{
	*a = (struct all_args){.profile = &profiles[1], .workloads = "all", .budget_s = -1};
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		if (strcmp(o, "--help") == 0)
			return 1;
		if (strcmp(o, "--quiet") == 0 || strcmp(o, "--no-interleave") == 0) {
			*(strcmp(o, "--quiet") == 0 ? &a->quiet : &a->no_interleave) = true;
			continue;
		}
		const char **slot = strcmp(o, "--envs") == 0          ? &a->envs
		                    : strcmp(o, "--workloads") == 0   ? &a->workloads
		                    : strcmp(o, "--cpus") == 0        ? &a->cpus
		                    : strcmp(o, "--numa") == 0        ? &a->numa
		                    : strcmp(o, "--peer-cpus") == 0   ? &a->peer_cpus
		                    : strcmp(o, "--io-cpus") == 0     ? &a->io_cpus
		                    : strcmp(o, "--out") == 0         ? &a->out
		                    : strcmp(o, "--cost-model") == 0  ? &a->cost_model
		                    : strcmp(o, "--spread") == 0      ? &a->spread_text
		                    : strcmp(o, "--target-host") == 0 ? &a->target_text
		                                                      : NULL;
		bool is_profile = strcmp(o, "--profile") == 0,
		     is_budget = strcmp(o, "--budget") == 0;
		if (slot == NULL && !is_profile && !is_budget)
			return bench_error_set(
			    err, 0,
			    "unknown option '%s' (valid: --profile, --envs, "
			    "--workloads, --cpus, --numa, --peer-cpus, --io-cpus, "
			    "--spread, --no-interleave, --budget, --cost-model, --target-host, "
			    "--out, --quiet, "
			    "--help)",
			    o);
		if (i + 1 >= argc)
			return bench_error_set(err, 0, "option '%s' needs a value", o);
		const char *v = argv[++i];
		if (slot != NULL) {
			*slot = v;
			if (slot == &a->target_text && density_host_parse(v, &a->target, err) < 0)
				return -1;
			continue;
		}
		if (is_budget) {
			char *end = NULL;
			errno = 0;
			a->budget_s = strtod(v, &end);
			if (errno || end == v || *end || a->budget_s < 0 || a->budget_s > 7 * 86400)
				return bench_error_set(
				    err, 0, "--budget '%s': seconds from 0 (none) to a week", v);
			continue;
		}
		a->profile = NULL;
		for (size_t k = 0; k < sizeof(profiles) / sizeof(profiles[0]); k++)
			if (strcmp(profiles[k].name, v) == 0)
				a->profile = &profiles[k];
		if (a->profile == NULL)
			return bench_error_set(
			    err, 0, "unknown profile '%s' (valid: quick, standard, full)", v);
	}
	if (a->spread_text != NULL && spread_parse(a->spread_text, &a->spread, err) < 0)
		return -1;
	return 0;
}

/* One environment of the survey: probed, listed with its reason when it
 * cannot run, kept in envs when it can. */
static void survey_one(json_t *list, const char *text, struct env_choice envs[MAX_ENVS], size_t *n)
{
	struct env_choice c;
	struct bench_error *err = NULL;
	char reason[512] = "";
	bool ok = env_choose(text, NULL, &c, &err) == 0;
	if (!ok) {
		snprintf(reason, sizeof(reason), "%.*s", (int)sizeof(reason) - 1, err->msg);
		bench_error_free(&err);
	} else {
		ok = env_choice_probe(&c, reason, sizeof(reason)) == 0;
	}
	json_t *entry = json_pack("{s:s, s:b}", "name", ok ? c.name : text, "available", ok);
	if (!ok)
		json_object_set_new(entry, "reason", json_string(reason));
	json_array_append_new(list, entry);
	if (ok && *n < MAX_ENVS)
		envs[(*n)++] = c;
}

/* Every registered environment (its default variant), or the --envs list
 * (NAME or NAME/VARIANT each), available or not (with the reason): the
 * available ones go into envs. */
static json_t *survey_envs(const char *wanted, struct env_choice envs[MAX_ENVS], size_t *n)
{
	json_t *list = json_array();
	*n = 0;
	if (wanted == NULL) {
		for (size_t i = 0; i < env_registry_count; i++)
			survey_one(list, env_registry[i]->name, envs, n);
		return list;
	}
	char copy[256], *save = NULL;
	snprintf(copy, sizeof(copy), "%s", wanted);
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		survey_one(list, t, envs, n);
	return list;
}

/* Environments that need root (env_probe's "needs root (...)") when not
 * root: named in --envs (named), the run stops at once (true); surveyed,
 * each is left out with a note. */
static bool refuse_without_root(json_t *survey, bool named)
{
	for (size_t i = 0; i < json_array_size(survey); i++) {
		json_t *e = json_array_get(survey, i);
		const char *reason = json_string_value(json_object_get(e, "reason"));
		if (reason == NULL || strncmp(reason, "needs root (", 12) != 0)
			continue;
		const char *name = json_string_value(json_object_get(e, "name"));
		if (named) {
			fprintf(stderr, "bench all: --envs %s %s: run as root or with sudo\n", name,
			        reason);
			return true;
		}
		fprintf(stderr, "bench all: leaving out %s: it %s (run as root or with sudo)\n",
		        name, reason);
	}
	return false;
}

/* How many density studies the profile runs per environment. */
static size_t density_studies(const struct all_args *a)
{
	return a->profile->density_bandwidth ? 4 : 2;
}

static void phase(const struct all_args *a, const char *fmt, const char *what)
{
	if (!a->quiet) {
		fprintf(stderr, fmt, what);
		fflush(stderr);
	}
}

/* Density in every environment: idle footprint, cpu.int under QoS, and
 * (profiles that ask) mem.stream's aggregate and net.tcp_rr's p99. */
static int density_phase(const struct all_args *a, struct run_options *ro,
                         const struct env_choice *envs, size_t n_envs, const struct catalog *cat,
                         const struct topo *topo, const struct topo_binding *binding,
                         const char *wl, const struct size_plan *sizes, struct run *run,
                         struct run_timing *timing, double study_budget_s,
                         const size_t *studies_per_env)
{
	bool more = a->profile->density_bandwidth;
	/* idle; cpu.int under 0.9; mem.stream's knee; net.tcp_rr's p99 within 2x */
	const struct wl_info *studies[] = {NULL, catalog_find(cat, "cpu.int"),
	                                   more ? catalog_find(cat, "mem.stream") : NULL,
	                                   more ? catalog_find(cat, "net.tcp_rr") : NULL};
	const double qos[] = {0.9, 0.9, 0.9, 0.5};
	const char *metric[] = {NULL, NULL, NULL, "lat_p99_us"};
	ro->duration = a->profile->density_duration;
	run->density = json_array();
	for (size_t i = 0; i < n_envs; i++) {
		size_t done = 0;
		for (size_t k = 0; k < sizeof(studies) / sizeof(studies[0]); k++) {
			if (k > 0 && studies[k] == NULL)
				continue;
			if (studies_per_env != NULL && done++ >= studies_per_env[i])
				break; /* the budget's plan cut the rest (it says so) */
			struct density_options o = {.env = &envs[i],
			                            .workload = studies[k],
			                            .run = ro,
			                            .topo = topo,
			                            .binding = binding,
			                            .spread = a->spread,
			                            .wl_path = wl,
			                            .qos = qos[k],
			                            .qos_metric = metric[k],
			                            .max = a->profile->density_max,
			                            .step_reps = a->profile->density_reps,
			                            .time_budget_s = study_budget_s,
			                            .start_factor = 10,
			                            .settle_max_s = 5,
			                            .sizes = sizes,
			                            .target = a->target_text ? &a->target : NULL,
			                            .target_text = a->target_text,
			                            .quiet = a->quiet};
			json_t *result = NULL;
			struct bench_error *err = NULL;
			double t0 = monotonic_seconds();
			int rc = density_run(&o, &result, &err);
			run_timing_step(timing, "density", envs[i].name, monotonic_seconds() - t0);
			if (rc < 0) {
				fprintf(stderr, "bench all: density in %s: %s\n", envs[i].name,
				        err->msg);
				bench_error_free(&err);
				if (agent_interrupted)
					return -1;
				continue;
			}
			json_array_append_new(run->density, result);
		}
	}
	return 0;
}

/* The cost model evaluated with run (dir/run.json) into dir/tco/. Returns
 * 0, or -1 with *err. */
static int cost_model(const char *model, const char *dir, const struct run *run,
                      const struct report_tools *tools, struct bench_error **err)
{
	struct tco_model m;
	struct tco_results res = {0};
	struct tco_run one = {.dir = dir, .run = *run}; /* borrowed: not freed here */
	char out[PATH_MAX + 8];
	snprintf(out, sizeof(out), "%s/tco", dir);
	if (tco_model_read(model, &m, err) < 0)
		return -1;
	int rc = tco_density_apply(&m, &one, 1, err);
	if (rc == 0)
		rc = tco_compute(&m, q_from_double(0.1, 6), &res, err);
	struct report_files files = {0};
	if (rc == 0)
		rc = tco_render(&res, out, tools, &files, err);
	report_files_free(&files);
	tco_results_free(&res);
	tco_model_free(&m);
	return rc;
}

int cmd_all(int argc, char *argv[])
{
	double start = monotonic_seconds(), t0;
	struct all_args a;
	struct bench_error *err = NULL;
	int prc = parse(argc, argv, &a, &err);
	if (prc > 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (prc < 0)
		return command_usage_error("all", &err);
	if (a.cost_model != NULL) { /* a model that cannot be read fails before the run */
		struct tco_model m;
		if (tco_model_read(a.cost_model, &m, &err) < 0)
			return command_usage_error("all", &err);
		tco_model_free(&m);
	}
	struct report_tools tools;
	if (report_tools_find(&tools, &err) < 0) {
		fprintf(stderr, "bench all: %s\n", err->msg);
		bench_error_free(&err);
		return EXIT_UNAVAILABLE;
	}
	/* The same options bench run would get, so the runs are matched. */
	char *run_argv[24] = {"run", "--env", "bare", "--workload", (char *)a.workloads};
	int n = 5;
	if (a.cpus) {
		run_argv[n++] = "--cpus";
		run_argv[n++] = (char *)a.cpus;
	}
	const char *passed[][2] = {{"--numa", a.numa},
	                           {"--peer-cpus", a.peer_cpus},
	                           {"--io-cpus", a.io_cpus},
	                           {"--no-interleave", a.no_interleave ? "" : NULL}};
	for (size_t i = 0; i < sizeof(passed) / sizeof(passed[0]); i++) {
		if (passed[i][1] == NULL)
			continue;
		run_argv[n++] = (char *)passed[i][0];
		if (passed[i][1][0] != '\0')
			run_argv[n++] = (char *)passed[i][1];
	}
	struct run_options ro;
	if (run_options_parse(n, run_argv, &ro, &err) < 0)
		return command_usage_error("all", &err);
	ro.min_reps = a.profile->min_reps;
	ro.max_reps = a.profile->max_reps;
	ro.target_ci = a.profile->target_ci;
	ro.max_warmup = a.profile->max_warmup;
	ro.duration = a.profile->duration;
	ro.quiet = a.quiet;
	struct env_choice envs[MAX_ENVS];
	size_t n_envs = 0;
	json_t *survey = survey_envs(a.envs, envs, &n_envs);
	if (refuse_without_root(survey, a.envs != NULL)) {
		json_decref(survey);
		return EXIT_UNAVAILABLE;
	}
	if (n_envs == 0) {
		fprintf(stderr, "bench all: no environment can run here (see bench list)\n");
		json_decref(survey);
		return EXIT_UNAVAILABLE;
	}
	char wl[PATH_MAX];
	wl_path_resolve(wl, sizeof(wl));
	struct catalog cat;
	if (load_catalog(wl, &cat) < 0) {
		json_decref(survey);
		return EXIT_FAILED;
	}
	struct topo topo;
	struct topo_binding binding;
	char run_id[128], created[32], dir[PATH_MAX], report[PATH_MAX + 16];
	make_run_id(run_id, sizeof(run_id), created, sizeof(created));
	run_dir_choose(a.out, run_id, dir);
	bool own_dir = false;
	cleanup_free size_t *sel = NULL;
	size_t n_sel = 0;
	if (catalog_select(&cat, ro.workloads, &sel, &n_sel, &err) < 0 ||
	    topo_open(&topo, &err) < 0) {
		catalog_free(&cat);
		json_decref(survey);
		return command_usage_error("all", &err);
	}
	static struct all_budget b; /* large: cuts' texts */
	b.budget_s = a.budget_s >= 0 ? a.budget_s : a.profile->budget_s;
	double budget = b.budget_s;
	/* The comparison's instance gets placement_instance's CPUs (leaving
	 * the others to the peer and I/O threads); the density studies spread
	 * their instances over --cpus (default: every CPU). */
	struct topo_binding first, density_base;
	struct placement instance_cpus;
	if (placement_instance(&topo, ro.cpus, ro.numa, ro.threads, &instance_cpus, &err) < 0 ||
	    topo_resolve(&topo, placement_instance_cpus(&instance_cpus), ro.numa, ro.threads,
	                 &binding, &err) < 0 ||
	    topo_resolve(&topo, ro.cpus, ro.numa, ro.threads, &density_base, &err) < 0 ||
	    spread_instance(&topo, &density_base, a.spread, 0, &first, &err) < 0) {
		topo_close(&topo);
		catalog_free(&cat);
		json_decref(survey);
		return command_usage_error("all", &err);
	}
	/* sizes and instance memory before anything starts */
	install_signal_handlers();
	t0 = monotonic_seconds(); /* the plan step: stale reclaim, sizes, conditions */
	env_reclaim_stale();      /* what killed runs left goes first */
	struct size_plan sizes;
	int sized = resolve_sizes("all", &ro, envs, n_envs, &cat, &topo, &binding, wl, &sizes);
	if (sized != EXIT_OK) {
		topo_close(&topo);
		catalog_free(&cat);
		json_decref(survey);
		return sized;
	}
	/* the plan before anything starts: the warm-up rule and repetition
	 * length it sets are part of the conditions */
	const char *costs_dir =
	    getenv("BENCH_COSTS_DIR") ? getenv("BENCH_COSTS_DIR") : BUDGET_COSTS_DIR;
	__attribute__((cleanup(all_budget_costs_free))) json_t *costs =
	    budget_costs_load(costs_dir);
	all_budget_input(&ro, envs, n_envs, &cat, sel, n_sel, &sizes, density_studies(&a), costs,
	                 monotonic_seconds() - start, &b);
	if (budget > 0)
		all_budget_apply(a.quiet, &b, costs_dir, &ro);
	struct run_conditions cond = {.sizes = &sizes, .instance = instance_cpus};
	if (run_conditions_resolve(&ro, envs, n_envs, &topo, &binding,
	                           runner_networked(&cat, ro.workloads), &cond, &err) < 0 ||
	    prepare_run_dir(dir, &own_dir, &err) < 0) {
		run_conditions_free(&cond);
		topo_close(&topo);
		catalog_free(&cat);
		json_decref(survey);
		return command_usage_error("all", &err);
	}
	double plan_s = monotonic_seconds() - t0;
	/* Held until return: closing the fd releases the host lock. */
	cleanup_close int lock = hostlock_acquire(argc, argv, stderr, &err);
	if (lock < 0) {
		fprintf(stderr, "bench all: %s\n", err->msg);
		bench_error_free(&err);
		if (own_dir)
			rmdir(dir);
		run_conditions_free(&cond);
		topo_close(&topo);
		catalog_free(&cat);
		json_decref(survey);
		return agent_interrupted ? EXIT_INTERRUPTED : EXIT_FAILED;
	}
	struct scratch scratch;
	scratch_prepare(&scratch, dir, NULL, needs_scratch(&cat, ro.workloads));
	struct run run;
	run_init(&run, run_id);
	run.created = strdup(created);
	run.host = fingerprint_collect(&topo);
	char names[256] = "";
	for (size_t i = 0; i < n_envs; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
		         i ? ", " : "", envs[i].name);
	phase(&a, "bench all: phase 1/3: workloads in %s\n", names);
	struct runner_totals totals = {0};
	struct run_timing timing = {0};
	int status = EXIT_OK;
	t0 = monotonic_seconds();
	/* the plan counted from bench all's start: the wait for the host lock
	 * comes out of the workloads' time */
	double planned_workloads_s = ro.budget_s;
	if (ro.budget_s > 0) {
		double late = t0 - start - b.in.spent_s;
		ro.budget_s = planned_workloads_s - late > 1 ? planned_workloads_s - late : 1;
	}
	struct runner_setup setup = {.opts = &ro,
	                             .envs = envs,
	                             .n_envs = n_envs,
	                             .cat = &cat,
	                             .topo = &topo,
	                             .binding = &binding,
	                             .wl_path = wl,
	                             .scratch_dir = scratch.path[0] ? scratch.path : NULL,
	                             .planned = budget > 0 ? b.plan.run : NULL,
	                             .baseline = BASELINE_ENV,
	                             .costs = budget > 0 ? &b.in : NULL};
	if (runner_run(&setup, &cond, &run, &totals, &err) < 0) {
		fprintf(stderr, "bench all: %s\n", err->msg);
		bench_error_free(&err);
		status = agent_interrupted ? EXIT_INTERRUPTED : EXIT_FAILED;
	}
	/* the runner's split by environment and phase, then bench all's steps */
	timing = totals.timing;
	run_timing_step(&timing, "plan", NULL, plan_s);
	run_timing_step(&timing, "workloads", NULL, monotonic_seconds() - t0);
	if (status == EXIT_OK) {
		phase(&a, "bench all: phase 2/3: density in %s\n", names);
		if (density_phase(&a, &ro, envs, n_envs, &cat, &topo, &density_base, wl, &sizes,
		                  &run, &timing,
		                  budget > 0 ? b.plan.density_s : a.profile->density_budget_s,
		                  budget > 0 ? b.plan.density_studies : NULL) < 0)
			status = EXIT_INTERRUPTED;
	}
	scratch_release(&scratch);
	if (status == EXIT_OK) {
		steal_warn("all", &run);
		run.overhead = overhead_for_run(&run, BASELINE_ENV);
		/* the report's time is not in the run file (it is written first) */
		run.invocation =
		    json_pack("{s:[s, s, s], s:s, s:o, s:o, s:o}", "argv", "bench", "all",
		              a.profile->name, "profile", a.profile->name, "environments",
		              json_incref(survey), "conditions", run_conditions_to_json(&cond),
		              "timing", timing_json(&totals, &timing, monotonic_seconds() - start));
		json_object_set_new(json_object_get(run.invocation, "timing"), "budget",
		                    all_budget_json(&b, &totals, planned_workloads_s));
		if (run_write(&run, dir, &err) < 0) {
			fprintf(stderr,
			        "bench all: the results could not be written: %s; the "
			        "measurements are lost (exit %d)\n",
			        err->msg, EXIT_UNWRITTEN);
			bench_error_free(&err);
			status = EXIT_UNWRITTEN;
		}
	}
	if (status == EXIT_OK) {
		phase(&a, "bench all: phase 3/3: %s\n", "report");
		t0 = monotonic_seconds();
		snprintf(report, sizeof(report), "%s/report", dir);
		char tco_json[PATH_MAX + 32];
		struct report_links links = {0};
		if (a.cost_model != NULL) {
			phase(&a, "bench all: cost model %s\n", a.cost_model);
			if (cost_model(a.cost_model, dir, &run, &tools, &err) < 0) {
				fprintf(stderr, "bench all: cost model %s: %s\n", a.cost_model,
				        err->msg);
				bench_error_free(&err);
				status = EXIT_FAILED;
			} else {
				snprintf(tco_json, sizeof(tco_json), "%s/tco/tco.json", dir);
				links = (struct report_links){tco_json, "../tco/tco.html"};
			}
		}
		struct report_files files = {0};
		if (report_render_linked(&run, report, &tools, &links, &files, &err) < 0) {
			fprintf(stderr, "bench all: report: %s\n", err->msg);
			bench_error_free(&err);
			status = EXIT_FAILED;
		}
		report_files_free(&files);
		double report_s = monotonic_seconds() - t0;
		run_timing_step(&timing, "report", NULL, report_s);
		/* what this run measured, for the next one's plan */
		budget_costs_update(costs, &totals.timing, &b.in, &b.shape,
		                    ro.duration ? atof(ro.duration) : 0, report_s);
		all_budget_density_costs(
		    &b, density_studies(&a), &timing,
		    budget > 0 ? b.plan.density_s : a.profile->density_budget_s, costs);
		if (budget_costs_save(costs, costs_dir, &err) < 0) {
			fprintf(stderr, "bench all: the measured costs were not kept: %s\n",
			        err->msg);
			bench_error_free(&err);
		}
		run_print_table(stdout, &run);
		if (run.overhead != NULL)
			overhead_print_table(stdout, run.overhead);
		for (size_t i = 0; i < json_array_size(run.density); i++)
			density_print_study(stdout, json_array_get(run.density, i));
		for (size_t i = 0; i < json_array_size(survey); i++) {
			json_t *e = json_array_get(survey, i);
			if (!json_is_true(json_object_get(e, "available")))
				printf("not run: %s: %s\n",
				       json_string_value(json_object_get(e, "name")),
				       json_string_value(json_object_get(e, "reason")));
		}
		printf("\n");
		run_timing_print(stdout, &timing, monotonic_seconds() - start);
		if (budget > 0) {
			printf(
			    "budget %.0f s%s (planned %.0f s); %u warm-up(s) and %u measurement(s) "
			    "stopped at their share\n",
			    budget, monotonic_seconds() - start > budget ? " (exceeded)" : "",
			    b.plan.estimate_s, totals.budget_cut_warmups, totals.budget_cut_reps);
			json_t *cuts = json_object_get(
			           json_object_get(json_object_get(run.invocation, "timing"),
			                           "budget"),
			           "cuts"),
			       *c;
			size_t k;
			json_array_foreach(cuts, k, c)
			{
				printf("budget cut: %s\n", json_string_value(c));
			}
		}
		printf("\nrun file: %s/run.json\nreport:   %s/report.html\n", dir, report);
		if (links.tco_json != NULL)
			printf("cost:     %s/tco/tco.html\n", dir);
		run_conditions_print_warnings(stderr, &cond);
		if (totals.failed > 0)
			status = EXIT_FAILED;
	} else if (own_dir) {
		rmdir(dir);
	}
	json_decref(totals.skipped);
	json_decref(survey);
	run_conditions_free(&cond);
	run_free(&run);
	topo_close(&topo);
	catalog_free(&cat);
	return status;
}
