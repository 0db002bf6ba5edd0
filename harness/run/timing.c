#include "harness/run/timing.h"

#include <stdbool.h>
#include <string.h>

static const char *const phase_names[RUN_PHASES] = {
    [RUN_PHASE_PREPARE] = "prepare", [RUN_PHASE_START] = "start",
    [RUN_PHASE_SETUP] = "setup",     [RUN_PHASE_WARMUP] = "warmup",
    [RUN_PHASE_MEASURE] = "measure", [RUN_PHASE_TEARDOWN] = "teardown",
    [RUN_PHASE_STOP] = "stop",
};

const char *run_phase_name(enum run_phase p)
{
	return p < RUN_PHASES ? phase_names[p] : "?";
}

/* name's index in names[0..*n), appended (up to max) when add; -1 when
 * absent or full. */
static int name_index(const char **names, size_t *n, size_t max, const char *name, int add)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	if (!add || *n >= max)
		return -1;
	names[*n] = name;
	return (int)(*n)++;
}

static int env_index(struct run_timing *t, const char *env, int add)
{
	return name_index(t->env, &t->n_envs, TIMING_MAX_ENVS, env, add);
}

void run_timing_add(struct run_timing *t, const char *env, enum run_phase p, double seconds)
{
	int i = env_index(t, env, 1);
	if (i >= 0 && p < RUN_PHASES)
		t->s[i][p] += seconds;
}

static int workload_index(struct run_timing *t, const char *workload, int add)
{
	return name_index(t->workload, &t->n_workloads, TIMING_MAX_WORKLOADS, workload, add);
}

void run_timing_add_workload(struct run_timing *t, const char *env, const char *workload,
                             enum run_phase p, double seconds, unsigned reps)
{
	run_timing_add(t, env, p, seconds);
	int i = env_index(t, env, 0), k = workload_index(t, workload, 1);
	if (i < 0 || k < 0 || p >= RUN_PHASES)
		return;
	t->wl_s[k][i][p] += seconds;
	t->wl_reps[k][i][p] += reps;
}

void run_timing_add_timed(struct run_timing *t, const char *env, const char *workload,
                          double seconds)
{
	int i = env_index(t, env, 1), k = workload_index(t, workload, 1);
	if (i >= 0 && k >= 0)
		t->wl_timed_s[k][i] += seconds;
}

double run_timing_timed_s(const struct run_timing *t, const char *env, const char *workload)
{
	int i = env_index((struct run_timing *)t, env, 0),
	    k = workload_index((struct run_timing *)t, workload, 0);
	return i >= 0 && k >= 0 ? t->wl_timed_s[k][i] : 0;
}

void run_timing_add_start(struct run_timing *t, const char *env, double seconds)
{
	run_timing_add(t, env, RUN_PHASE_START, seconds);
	int i = env_index(t, env, 0);
	if (i >= 0)
		t->starts[i]++;
}

double run_timing_workload_s(const struct run_timing *t, const char *env, const char *workload,
                             enum run_phase p, unsigned *reps)
{
	int i = env_index((struct run_timing *)t, env, 0),
	    k = workload_index((struct run_timing *)t, workload, 0);
	bool found = i >= 0 && k >= 0 && p < RUN_PHASES;
	if (reps != NULL)
		*reps = found ? t->wl_reps[k][i][p] : 0;
	return found ? t->wl_s[k][i][p] : 0;
}

static json_t *workloads_json(const struct run_timing *t)
{
	static const enum run_phase phases[] = {RUN_PHASE_SETUP, RUN_PHASE_WARMUP,
	                                        RUN_PHASE_MEASURE, RUN_PHASE_TEARDOWN};
	json_t *doc = json_object();
	char key[64];
	for (size_t k = 0; k < t->n_workloads; k++) {
		json_t *w = json_object();
		for (size_t i = 0; i < t->n_envs; i++) {
			json_t *e = json_object();
			for (size_t j = 0; j < sizeof(phases) / sizeof(phases[0]); j++) {
				enum run_phase p = phases[j];
				snprintf(key, sizeof(key), "%s_s", phase_names[p]);
				json_object_set_new(e, key, json_real(t->wl_s[k][i][p]));
				if (p != RUN_PHASE_WARMUP && p != RUN_PHASE_MEASURE)
					continue;
				snprintf(key, sizeof(key), "%s_reps", phase_names[p]);
				json_object_set_new(e, key, json_integer(t->wl_reps[k][i][p]));
			}
			json_object_set_new(e, "timed_s", json_real(t->wl_timed_s[k][i]));
			json_object_set_new(w, t->env[i], e);
		}
		json_object_set_new(doc, t->workload[k], w);
	}
	return doc;
}

void run_timing_step(struct run_timing *t, const char *step, const char *env, double seconds)
{
	size_t k = 0;
	while (k < t->n_steps && strcmp(t->step[k], step) != 0)
		k++;
	if (k == t->n_steps) {
		if (t->n_steps >= TIMING_MAX_STEPS)
			return;
		t->step[t->n_steps++] = step;
	}
	t->step_s[k] += seconds;
	int i = env ? env_index(t, env, 1) : -1;
	if (i >= 0)
		t->step_env_s[k][i] += seconds;
}

double run_timing_env_total(const struct run_timing *t, const char *env)
{
	double sum = 0;
	for (size_t i = 0; i < t->n_envs; i++)
		if (env == NULL || strcmp(t->env[i], env) == 0)
			for (int p = 0; p < RUN_PHASES; p++)
				sum += t->s[i][p];
	return sum;
}

static bool step_has_envs(const struct run_timing *t, size_t k)
{
	for (size_t i = 0; i < t->n_envs; i++)
		if (t->step_env_s[k][i] != 0)
			return true;
	return false;
}

json_t *run_timing_to_json(const struct run_timing *t)
{
	json_t *by_env = json_object();
	char key[64];
	for (size_t i = 0; i < t->n_envs; i++) {
		json_t *e = json_object();
		for (int p = 0; p < RUN_PHASES; p++) {
			snprintf(key, sizeof(key), "%s_s", phase_names[p]);
			json_object_set_new(e, key, json_real(t->s[i][p]));
		}
		json_object_set_new(e, "total_s", json_real(run_timing_env_total(t, t->env[i])));
		json_object_set_new(by_env, t->env[i], e);
	}
	json_t *doc = json_pack("{s:o}", "by_env", by_env);
	if (t->n_workloads > 0)
		json_object_set_new(doc, "by_workload", workloads_json(t));
	if (t->n_steps == 0)
		return doc;
	json_t *steps = json_object();
	for (size_t k = 0; k < t->n_steps; k++) {
		snprintf(key, sizeof(key), "%s_s", t->step[k]);
		json_object_set_new(steps, key, json_real(t->step_s[k]));
		if (!step_has_envs(t, k))
			continue;
		json_t *split = json_object();
		for (size_t i = 0; i < t->n_envs; i++)
			json_object_set_new(split, t->env[i], json_real(t->step_env_s[k][i]));
		snprintf(key, sizeof(key), "%s_by_env", t->step[k]);
		json_object_set_new(steps, key, split);
	}
	json_object_set_new(doc, "steps", steps);
	return doc;
}

/* "4m05s" or "12.3s". */
static const char *dur(char *buf, size_t len, double s)
{
	if (s >= 60)
		snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		snprintf(buf, len, "%.1fs", s);
	return buf;
}

static double workload_total(const struct run_timing *t, size_t k, size_t i)
{
	double sum = 0;
	for (int p = 0; p < RUN_PHASES; p++)
		sum += t->wl_s[k][i][p];
	return sum;
}

/* "  costliest: qemu/mem.latency 61.2s (set-up 48.0s), ..." (at most 5). */
static void print_costliest(FILE *out, const struct run_timing *t)
{
	bool used[TIMING_MAX_WORKLOADS][TIMING_MAX_ENVS] = {{false}};
	char b[32], s[32];
	int n = 0;
	for (; n < 5; n++) {
		size_t bk = 0, bi = 0;
		double most = 0;
		for (size_t k = 0; k < t->n_workloads; k++)
			for (size_t i = 0; i < t->n_envs; i++)
				if (!used[k][i] && workload_total(t, k, i) > most) {
					most = workload_total(t, k, i);
					bk = k, bi = i;
				}
		if (most <= 0)
			break;
		used[bk][bi] = true;
		fprintf(out, "%s%s/%s %s (set-up %s)", n ? ", " : "  costliest: ", t->env[bi],
		        t->workload[bk], dur(b, sizeof(b), most),
		        dur(s, sizeof(s), t->wl_s[bk][bi][RUN_PHASE_SETUP]));
	}
	if (n > 0)
		fputc('\n', out);
}

void run_timing_print(FILE *out, const struct run_timing *t, double wall_s)
{
	char b[32];
	fprintf(out, "time: %s", dur(b, sizeof(b), wall_s));
	for (size_t k = 0; k < t->n_steps; k++) {
		fprintf(out, "%s%s %s", k ? ", " : " (", t->step[k],
		        dur(b, sizeof(b), t->step_s[k]));
		if (!step_has_envs(t, k))
			continue;
		for (size_t i = 0; i < t->n_envs; i++)
			fprintf(out, "%s%s %s", i ? ", " : " [", t->env[i],
			        dur(b, sizeof(b), t->step_env_s[k][i]));
		fputs("]", out);
	}
	fputs(t->n_steps ? ")\n" : "\n", out);
	if (t->n_envs == 0)
		return;
	fprintf(out, "  %-12s", "workloads, s");
	for (int p = 0; p < RUN_PHASES; p++)
		fprintf(out, " %9s", phase_names[p]);
	fprintf(out, " %9s\n", "total");
	double col[RUN_PHASES] = {0};
	for (size_t i = 0; i < t->n_envs; i++) {
		fprintf(out, "  %-12s", t->env[i]);
		for (int p = 0; p < RUN_PHASES; p++) {
			fprintf(out, " %9.1f", t->s[i][p]);
			col[p] += t->s[i][p];
		}
		fprintf(out, " %9.1f\n", run_timing_env_total(t, t->env[i]));
	}
	if (t->n_envs >= 2) {
		fprintf(out, "  %-12s", "all");
		for (int p = 0; p < RUN_PHASES; p++)
			fprintf(out, " %9.1f", col[p]);
		fprintf(out, " %9.1f\n", run_timing_env_total(t, NULL));
	}
	print_costliest(out, t);
}
