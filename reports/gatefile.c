/* Gate files through reports/yaml_file.h. */
#include "reports/gatefile.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "harness/core/run_options.h"
#include "reports/validity.h"

static const char *const top_keys[] = {
    "envs",           "workloads", "run", "tolerance", "alpha",    "metrics", "expect",
    "baseline",       "db",        "tag", "junit",     "markdown", "out",     "on_inconclusive",
    "add_to_history", NULL,
};

static const char *const metric_keys[] = {"env", "workload", "metric", "tolerance", "gated", NULL};

/* `run:` keys and the bench run option each becomes (flag options have a
 * boolean value). Output, printing and the environment/workload lists are
 * the gate's own business. */
static const struct {
	const char *key, *flag;
	bool boolean;
} run_keys[] = {
    {"reps", "--reps", false},
    {"min_reps", "--min-reps", false},
    {"max_reps", "--max-reps", false},
    {"target_ci", "--target-ci", false},
    {"threads", "--threads", false},
    {"cpus", "--cpus", false},
    {"numa", "--numa", false},
    {"size", "--size", false},
    {"duration", "--duration", false},
    {"iterations", "--iterations", false},
    {"streams", "--streams", false},
    {"msg_size", "--msg-size", false},
    {"req_size", "--req-size", false},
    {"resp_size", "--resp-size", false},
    {"disk_dir", "--disk-dir", false},
    {"disk_path", "--disk-path", false},
    {"buffered", "--buffered", true},
    {"qd", "--qd", false},
    {"block_size", "--block-size", false},
    {"runtime", "--runtime", false},
    {"net", "--net", false},
    {"memory", "--memory", false},
    {"cpu_limit", "--cpu-limit", false},
    {"accel", "--accel", false},
    {"kernel", "--kernel", false},
    {"initrd", "--initrd", false},
    {"disk_size", "--disk-size", false},
    {"xen_mode", "--xen-mode", false},
    {"timeout", "--timeout", false},
};
#define N_RUN_KEYS (sizeof(run_keys) / sizeof(run_keys[0]))

void gate_file_free(struct gate_file *g)
{
	yaml_file_close(&g->y);
}

/* Whether the options parse as bench run would take them. */
static int check_run_args(const char *const *args, int n, struct bench_error **err)
{
	char *argv[GATE_MAX_RUNARGS + 8] = {"run", "--env", "bare", "--workload", "all"};
	int argc = 5;
	for (int i = 0; i < n; i++)
		argv[argc++] = (char *)args[i];
	struct run_options o;
	return run_options_parse(argc, argv, &o, err);
}

static int read_run(struct gate_file *g, struct bench_error **err)
{
	struct fy_node *run = NULL;
	if (yaml_mapping(&g->y, g->y.root, "run", false, &run, err) < 0)
		return -1;
	if (run == NULL)
		return 0;
	static const char *allowed[N_RUN_KEYS + 1];
	for (size_t i = 0; i < N_RUN_KEYS; i++)
		allowed[i] = run_keys[i].key;
	if (yaml_check_keys(&g->y, run, allowed, err) < 0)
		return -1;
	for (size_t i = 0; i < N_RUN_KEYS; i++) {
		if (yaml_get(run, run_keys[i].key) == NULL)
			continue;
		int first = g->n_run_args;
		if (run_keys[i].boolean) {
			bool on = false;
			if (yaml_bool(&g->y, run, run_keys[i].key, true, &on, err) < 0)
				return -1;
			if (on)
				g->run_args[g->n_run_args++] = run_keys[i].flag;
		} else {
			const char *v = NULL;
			if (yaml_string(&g->y, run, run_keys[i].key, true, &v, err) < 0)
				return -1;
			g->run_args[g->n_run_args++] = run_keys[i].flag;
			g->run_args[g->n_run_args++] = v;
		}
		/* each option alone, so a bad value is reported where it is */
		struct bench_error *one = NULL;
		if (check_run_args(g->run_args + first, g->n_run_args - first, &one) < 0) {
			yaml_error_at(&g->y, yaml_get(run, run_keys[i].key), err, "%s", one->msg);
			bench_error_free(&one);
			return -1;
		}
	}
	struct bench_error *all = NULL;
	if (check_run_args(g->run_args, g->n_run_args, &all) < 0) {
		yaml_error_at(&g->y, run, err, "%s", all->msg);
		bench_error_free(&all);
		return -1;
	}
	return 0;
}

/* A tolerance in percent, in (0, 100): into *out as a fraction. */
static int read_tolerance(struct gate_file *g, struct fy_node *map, double *out,
                          struct bench_error **err)
{
	double pct = -1;
	if (yaml_number(&g->y, map, "tolerance", false, &pct, err) < 0)
		return -1;
	if (yaml_get(map, "tolerance") == NULL)
		return 0;
	if (!(pct > 0 && pct < 100))
		return yaml_error_at(&g->y, yaml_get(map, "tolerance"), err,
		                     "a tolerance is a percentage in (0, 100), found %g", pct);
	*out = pct / 100;
	return 0;
}

static int read_metrics(struct gate_file *g, struct bench_error **err)
{
	struct fy_node *seq = NULL;
	if (yaml_sequence(&g->y, g->y.root, "metrics", false, &seq, err) < 0)
		return -1;
	void *it = NULL;
	struct fy_node *item;
	while (seq != NULL && (item = fy_node_sequence_iterate(seq, &it)) != NULL) {
		if (fy_node_get_type(item) != FYNT_MAPPING)
			return yaml_error_at(&g->y, item, err,
			                     "expected a mapping such as {workload: cpu.int, "
			                     "tolerance: 5}");
		if (g->n_metrics == sizeof(g->metrics) / sizeof(g->metrics[0]))
			return yaml_error_at(&g->y, item, err, "too many metrics entries");
		struct gate_metric *m = &g->metrics[g->n_metrics++];
		*m = (struct gate_metric){.tolerance = -1, .gated = true};
		if (yaml_check_keys(&g->y, item, metric_keys, err) < 0 ||
		    yaml_string(&g->y, item, "workload", true, &m->workload, err) < 0 ||
		    yaml_string(&g->y, item, "env", false, &m->env, err) < 0 ||
		    yaml_string(&g->y, item, "metric", false, &m->metric, err) < 0 ||
		    yaml_bool(&g->y, item, "gated", false, &m->gated, err) < 0 ||
		    read_tolerance(g, item, &m->tolerance, err) < 0)
			return -1;
	}
	return 0;
}

static int read_decision(struct gate_file *g, struct bench_error **err)
{
	double alpha = 0.05;
	if (read_tolerance(g, g->y.root, &g->tolerance, err) < 0 ||
	    yaml_number(&g->y, g->y.root, "alpha", false, &alpha, err) < 0)
		return -1;
	if (!(alpha > 0 && alpha < 0.5))
		return yaml_error_at(&g->y, yaml_get(g->y.root, "alpha"), err,
		                     "alpha is a significance level in (0, 0.5), found %g", alpha);
	g->alpha = alpha;
	if (yaml_string_list(&g->y, g->y.root, "expect", false, g->expect, GATE_MAX_LIST,
	                     &g->n_expect, err) < 0)
		return -1;
	for (size_t i = 0; i < g->n_expect; i++) {
		struct bench_error *e = NULL;
		if (validity_key_check(g->expect[i], &e) < 0) {
			yaml_error_at(&g->y, yaml_get(g->y.root, "expect"), err, "%s", e->msg);
			bench_error_free(&e);
			return -1;
		}
	}
	static const char *const inconclusive[] = {"pass", "fail", NULL};
	static const char *const add[] = {"pass", "always", "never", NULL};
	const char *inc = "pass", *a = "pass";
	if (yaml_choice(&g->y, g->y.root, "on_inconclusive", false, inconclusive, &inc, err) < 0 ||
	    yaml_choice(&g->y, g->y.root, "add_to_history", false, add, &a, err) < 0)
		return -1;
	g->inconclusive_fails = strcmp(inc, "fail") == 0;
	g->add = strcmp(a, "always") == 0  ? GATE_ADD_ALWAYS
	         : strcmp(a, "never") == 0 ? GATE_ADD_NEVER
	                                   : GATE_ADD_PASS;
	const char **strings[] = {&g->baseline, &g->db, &g->tag, &g->junit, &g->markdown, &g->out};
	const char *names[] = {"baseline", "db", "tag", "junit", "markdown", "out"};
	for (size_t i = 0; i < 6; i++)
		if (yaml_string(&g->y, g->y.root, names[i], false, strings[i], err) < 0)
			return -1;
	if (g->baseline != NULL && *g->baseline == '\0')
		return yaml_error_at(&g->y, yaml_get(g->y.root, "baseline"), err,
		                     "empty (history:SELECTOR or a run directory)");
	return 0;
}

int gate_file_read(struct gate_file *g, const char *path, struct bench_error **err)
{
	memset(g, 0, sizeof(*g));
	g->tolerance = 0.05;
	g->alpha = 0.05;
	if (yaml_file_open(&g->y, path, err) < 0 ||
	    yaml_check_keys(&g->y, g->y.root, top_keys, err) < 0)
		return -1;
	if (yaml_string_list(&g->y, g->y.root, "envs", true, g->envs, GATE_MAX_LIST, &g->n_envs,
	                     err) < 0 ||
	    yaml_string_list(&g->y, g->y.root, "workloads", true, g->workloads, GATE_MAX_LIST,
	                     &g->n_workloads, err) < 0)
		return -1;
	if (g->n_envs == 0 || g->n_workloads == 0)
		return yaml_error_at(&g->y, yaml_get(g->y.root, g->n_envs ? "workloads" : "envs"),
		                     err, "an empty list");
	if (read_run(g, err) < 0 || read_metrics(g, err) < 0 || read_decision(g, err) < 0)
		return -1;
	for (size_t i = 0; i < g->n_metrics; i++)
		if (g->metrics[i].tolerance < 0)
			g->metrics[i].tolerance = g->tolerance;
	return 0;
}

static bool matches(const char *pattern, const char *s)
{
	return pattern == NULL || fnmatch(pattern, s, 0) == 0;
}

bool gate_lookup(const struct gate_file *g, const char *env, const char *workload,
                 const char *metric, double *tolerance)
{
	bool listed = false;
	for (size_t i = 0; i < g->n_workloads && !listed; i++)
		listed =
		    strcmp(g->workloads[i], workload) == 0 || strcmp(g->workloads[i], "all") == 0;
	if (!listed)
		return false;
	*tolerance = g->tolerance;
	for (size_t i = 0; i < g->n_metrics; i++) {
		const struct gate_metric *m = &g->metrics[i];
		if (matches(m->env, env) && matches(m->workload, workload) &&
		    matches(m->metric, metric)) {
			*tolerance = m->tolerance;
			return m->gated;
		}
	}
	return true;
}
