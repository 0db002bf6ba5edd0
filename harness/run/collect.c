#include "harness/run/collect.h"

#include <errno.h>
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
	c->n++;
	json_decref(c->last_rep);
	c->last_rep = json_incref(rep);
	return 0;
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
