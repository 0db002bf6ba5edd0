#include "harness/run/collect.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void collected_free(struct collected *c)
{
	for (size_t m = 0; m < c->n_metrics; m++) {
		free(c->name[m]);
		free(c->unit[m]);
		free(c->values[m]);
	}
	free(c->block);
	free(c->position);
	free(c->steal_pct);
	json_decref(c->last_rep);
	memset(c, 0, sizeof(*c));
}

static int fix_metrics(struct collected *c, json_t *metrics, struct bench_error **err)
{
	for (size_t m = 0; m < json_array_size(metrics); m++) {
		json_t *mj = json_array_get(metrics, m);
		const char *name = json_string_value(json_object_get(mj, "name"));
		const char *unit = json_string_value(json_object_get(mj, "unit"));
		const char *better = json_string_value(json_object_get(mj, "better"));
		if (!name || !unit || !better)
			return bench_error_set(err, 0, "metric %zu lacks name/unit/better", m);
		c->name[m] = strdup(name);
		c->unit[m] = strdup(unit);
		c->better[m] = strcmp(better, "lower") == 0 ? BETTER_LOWER : BETTER_HIGHER;
		c->n_metrics = m + 1;
	}
	return 0;
}

static int grow(struct collected *c, struct bench_error **err)
{
	size_t cap = c->cap ? c->cap * 2 : 16;
	for (size_t m = 0; m < c->n_metrics; m++) {
		double *nv = realloc(c->values[m], cap * sizeof(double));
		if (nv == NULL)
			return bench_error_set(err, ENOMEM, "repetition values");
		c->values[m] = nv;
	}
	size_t *nb = realloc(c->block, cap * sizeof(size_t));
	if (nb == NULL)
		return bench_error_set(err, ENOMEM, "repetition blocks");
	c->block = nb;
	size_t *np = realloc(c->position, cap * sizeof(size_t));
	if (np == NULL)
		return bench_error_set(err, ENOMEM, "repetition positions");
	c->position = np;
	double *ns = realloc(c->steal_pct, cap * sizeof(double));
	if (ns == NULL)
		return bench_error_set(err, ENOMEM, "repetition steal");
	c->steal_pct = ns;
	c->cap = cap;
	return 0;
}

int collected_add(struct collected *c, json_t *rep, size_t block, size_t position,
                  struct bench_error **err)
{
	json_t *metrics = json_object_get(rep, "metrics");
	if (!json_is_array(metrics) || json_array_size(metrics) == 0 ||
	    json_array_size(metrics) > COLLECT_MAX_METRICS)
		return bench_error_set(err, 0, "repetition has no usable 'metrics' array");
	if (json_object_get(rep, "valid") != json_true())
		return bench_error_set(err, 0, "the workload reported an invalid result");
	if (c->n == 0 && c->n_metrics == 0 && fix_metrics(c, metrics, err) < 0)
		return -1;
	if (json_array_size(metrics) != c->n_metrics)
		return bench_error_set(err, 0, "the set of metrics changed between repetitions");
	if (c->n == c->cap && grow(c, err) < 0)
		return -1;
	for (size_t m = 0; m < c->n_metrics; m++) {
		json_t *mj = json_array_get(metrics, m);
		const char *name = json_string_value(json_object_get(mj, "name"));
		json_t *v = json_object_get(mj, "value");
		if (name == NULL || strcmp(name, c->name[m]) != 0 || !json_is_number(v))
			return bench_error_set(err, 0, "metric %zu ('%s') changed or has no value",
			                       m, c->name[m]);
		c->values[m][c->n] = json_number_value(v);
	}
	c->block[c->n] = block;
	c->position[c->n] = position;
	c->steal_pct[c->n] = NAN;
	c->n++;
	json_decref(c->last_rep);
	c->last_rep = json_incref(rep);
	return 0;
}

/* Adds the interval a..b to sum when both readings worked and belong
 * together (an interval shorter than a tick adds nothing but counts). */
static void add_ticks(struct cpu_ticks *sum, const struct cpu_ticks *a, const struct cpu_ticks *b)
{
	if (a->n_cpus == 0 || a->n_cpus != b->n_cpus || b->total < a->total || b->steal < a->steal)
		return;
	sum->total += b->total - a->total;
	sum->steal += b->steal - a->steal;
	sum->n_cpus = b->n_cpus;
}

void collected_note_steal(struct collected *c, const struct cpu_ticks *inst_before,
                          const struct cpu_ticks *inst_after, const struct cpu_ticks *host_before,
                          const struct cpu_ticks *host_after)
{
	if (c->n == 0)
		return;
	c->steal_pct[c->n - 1] = cpu_ticks_steal_pct(inst_before, inst_after);
	add_ticks(&c->steal_sum, inst_before, inst_after);
	add_ticks(&c->host_steal_sum, host_before, host_after);
}

/* sum's stolen share in percent, to 3 decimals; null when nothing was read */
static json_t *pct_of(const struct cpu_ticks *sum)
{
	const struct cpu_ticks none = {.n_cpus = sum->n_cpus};
	double pct = cpu_ticks_steal_pct(&none, sum);
	return isnan(pct) ? json_null() : json_real(round(1e3 * pct) / 1e3);
}

json_t *collected_steal_json(const struct collected *c, const char *cpus_text)
{
	if (c->steal_sum.n_cpus == 0)
		return NULL;
	json_t *per_rep = json_array();
	for (size_t i = 0; i < c->n; i++)
		json_array_append_new(per_rep, isnan(c->steal_pct[i])
		                                   ? json_null()
		                                   : json_real(round(10 * c->steal_pct[i]) / 10));
	return json_pack("{s:s, s:o, s:o, s:o}", "cpus", cpus_text, "pct", pct_of(&c->steal_sum),
	                 "host_pct", pct_of(&c->host_steal_sum), "per_rep", per_rep);
}

bool collected_converged(const struct collected *c, const struct run_options *o)
{
	if (c->n >= o->max_reps)
		return true;
	if (c->n < o->min_reps)
		return false;
	for (size_t m = 0; m < c->n_metrics; m++) {
		struct stats s;
		if (stats_compute(c->values[m], c->n, &s, NULL, NULL) < 0 ||
		    !stats_converged(&s, o->min_reps, o->max_reps, o->target_ci / 100.0))
			return false;
	}
	return true;
}
