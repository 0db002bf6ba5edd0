/* Reading density studies and overhead figures into a cost model. */
#include "reports/tco_density.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report_density.h"

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s != NULL ? s : "";
}

static bool study_matches(json_t *d, const struct tco_density_spec *spec)
{
	bool idle = strcmp(spec->workload, "idle") == 0;
	if (strcmp(str(d, "env"), spec->env) != 0)
		return false;
	if (idle != (strcmp(str(d, "mode"), "idle") == 0))
		return false;
	if (!idle && strcmp(str(d, "workload"), spec->workload) != 0)
		return false;
	return !spec->has_qos ||
	       fabs(json_number_value(json_object_get(d, "qos")) - spec->qos) < 1e-9;
}

/* "container/idle qos 0.9 (run X)" for every study of the runs. */
static void list_studies(const struct tco_run *runs, size_t n, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t r = 0; r < n; r++) {
		size_t i;
		json_t *d;
		json_array_foreach(runs[r].run.density, i, d)
		{
			const char *w = str(d, "workload");
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s/%s qos %g (%s)",
			         buf[0] ? ", " : "", str(d, "env"), *w ? w : "idle",
			         json_number_value(json_object_get(d, "qos")), runs[r].dir);
		}
	}
	if (buf[0] == '\0')
		snprintf(buf, len,
		         "none: the runs have no density array (bench density, or bench "
		         "all, writes one)");
}

static void host_text(json_t *host, char *buf, size_t len)
{
	double gib = (double)json_integer_value(json_object_get(host, "memory_bytes")) /
	             (1024.0 * 1024 * 1024);
	snprintf(buf, len, "%s (%s, %lld cores, %.1f GiB)", str(host, "hostname"),
	         str(host, "cpu_model"),
	         (long long)json_integer_value(json_object_get(host, "cores")), gib);
}

/* Footprint and start time: for a projected count, the footprint the
 * projection used (the figure the count comes from), else the median of
 * the step at max_ok instances; the start time is that step's median. */
static void footprint(json_t *study, long long max_ok, bool projected, struct tco_source *src)
{
	size_t n;
	src->mem_bytes = src->start_s = NAN;
	src->mem_basis[0] = '\0';
	json_t **steps = report_density_steps(study, &n);
	for (size_t i = 0; steps != NULL && i < n; i++) {
		if (json_integer_value(json_object_get(steps[i], "instances")) != max_ok)
			continue;
		src->mem_bytes = report_density_median(json_object_get(steps[i], "mem_bytes"));
		src->start_s = report_density_median(json_object_get(steps[i], "start_s"));
		snprintf(src->mem_basis, sizeof(src->mem_basis), "median at %lld", max_ok);
	}
	free(steps);
	json_t *fp = json_object_get(json_object_get(study, "projected"), "footprint");
	json_t *bytes = json_object_get(fp, "bytes");
	const char *method = json_string_value(json_object_get(fp, "method"));
	if (projected && json_is_number(bytes) && json_number_value(bytes) > 0) {
		src->mem_bytes = json_number_value(bytes);
		snprintf(src->mem_basis, sizeof(src->mem_basis), "%s",
		         method ? method : "projection");
	}
}

/* projected: {instances, low, high, binding, target_host}: see
 * reports/TCO.md. */
static int projected(struct tco_scenario *s, json_t *p, const char *where, struct bench_error **err)
{
	json_t *inst = json_object_get(p, "instances"), *lo = json_object_get(p, "low"),
	       *hi = json_object_get(p, "high");
	if (!json_is_number(inst) || json_number_value(inst) < 1)
		return bench_error_set(
		    err, 0, "%s: density.projected.instances: expected a number >= 1", where);
	if ((lo != NULL && !json_is_number(lo)) || (hi != NULL && !json_is_number(hi)) ||
	    (lo != NULL) != (hi != NULL))
		return bench_error_set(err, 0,
		                       "%s: density.projected.low and .high: expected both or "
		                       "neither, as numbers",
		                       where);
	snprintf(s->src.kind, sizeof(s->src.kind), "projected");
	s->guests = q_int((long long)floor(json_number_value(inst)));
	if (lo != NULL) {
		double l = json_number_value(lo), h = json_number_value(hi);
		if (!(l <= json_number_value(inst) && json_number_value(inst) <= h) || l < 0)
			return bench_error_set(
			    err, 0,
			    "%s: density.projected: the interval [%g, %g] does not "
			    "hold instances %g",
			    where, l, h, json_number_value(inst));
		s->has_guest_interval = true;
		s->guests_low = q_int((long long)floor(l) < 1 ? 1 : (long long)floor(l));
		s->guests_high = q_int((long long)floor(h));
	}
	snprintf(s->src.binding, sizeof(s->src.binding), "%s", str(p, "binding"));
	json_t *t = json_object_get(p, "target_host");
	if (json_is_string(t))
		snprintf(s->src.target, sizeof(s->src.target), "%s", json_string_value(t));
	else if (json_is_object(t))
		snprintf(s->src.target, sizeof(s->src.target), "%lld cores, %.1f GiB",
		         (long long)json_integer_value(json_object_get(t, "cores")),
		         json_number_value(json_object_get(t, "memory_bytes")) /
		             (1024.0 * 1024 * 1024));
	return 0;
}

static int measured(struct tco_scenario *s, json_t *d, const char *where, struct bench_error **err)
{
	long long max_ok = json_integer_value(json_object_get(d, "max_ok"));
	const char *why = str(d, "stop_reason");
	if (max_ok < 1)
		return bench_error_set(err, 0,
		                       "%s: no instance met the QoS bar (stopped: %s); nothing to "
		                       "cost",
		                       where, why);
	snprintf(s->src.kind, sizeof(s->src.kind), "measured");
	s->guests = q_int(max_ok);
	s->src.max_ok = max_ok;
	s->src.lower_bound = strncmp(why, "reached --max", 13) == 0;
	snprintf(s->src.stop_reason, sizeof(s->src.stop_reason), "%s", why);
	return 0;
}

/* The slowdown against bare that the scenario is charged. */
static int overhead(struct tco_scenario *s, const struct run *run, const char *where,
                    struct bench_error **err)
{
	const struct tco_density_spec *d = &s->density;
	char *o = s->src.overhead;
	size_t len = sizeof(s->src.overhead);
	bool named = d->overhead_workload[0] != '\0';
	const char *w = named ? d->overhead_workload : d->workload;
	if (d->overhead_none) {
		snprintf(o, len, "none charged (the model says overhead: none)");
		return 0;
	}
	if (strcmp(d->env, "bare") == 0) {
		snprintf(o, len, "none: bare is the baseline of the overhead figures");
		return 0;
	}
	if (!named && strcmp(w, "idle") == 0) {
		snprintf(o, len,
		         "none charged: an idle study names no workload (set density.overhead "
		         "to charge one)");
		return 0;
	}
	size_t i;
	json_t *e, *hit = NULL;
	json_array_foreach(run->overhead, i, e)
	{
		if (strcmp(str(e, "env"), d->env) == 0 && strcmp(str(e, "workload"), w) == 0 &&
		    (d->overhead_metric[0] == '\0' ||
		     strcmp(str(e, "metric"), d->overhead_metric) == 0)) {
			hit = e;
			break;
		}
	}
	if (hit == NULL) {
		if (named)
			return bench_error_set(
			    err, 0,
			    "%s: the run has no overhead figure for %s %s%s%s (run "
			    "the workload in %s and bare together: bench run --env "
			    "bare,%s)",
			    where, d->env, w, d->overhead_metric[0] ? " " : "", d->overhead_metric,
			    d->env, d->env);
		snprintf(o, len,
		         "none charged: the run has no overhead figure for %s %s (bench run "
		         "--env bare,%s gives one)",
		         d->env, w, d->env);
		return 0;
	}
	double sd = json_number_value(json_object_get(hit, "slowdown"));
	json_t *lo = json_object_get(hit, "slowdown_ci95_low"),
	       *hi = json_object_get(hit, "slowdown_ci95_high");
	bool sig = json_is_true(json_object_get(hit, "significant"));
	if (!(sd > 0))
		return bench_error_set(err, 0, "%s: overhead %s %s: slowdown %g is not positive",
		                       where, d->env, w, sd);
	if (json_is_number(lo) && json_is_number(hi) && json_number_value(lo) > 0) {
		s->has_slowdown_interval = true;
		s->slowdown_low = q_from_double(json_number_value(lo), 6);
		s->slowdown_high = q_from_double(json_number_value(hi), 6);
	}
	if (sig)
		s->slowdown = q_from_double(sd, 6);
	char ci[64] = "unbounded";
	if (s->has_slowdown_interval)
		snprintf(ci, sizeof(ci), "%.4g .. %.4g", json_number_value(lo),
		         json_number_value(hi));
	s->overhead_applies = true;
	snprintf(o, len, "%s %s %s: slowdown %.4g against bare (95%% CI %s, p = %.2g), %s: %s",
	         d->env, w, str(hit, "metric"), sd, ci,
	         json_number_value(json_object_get(hit, "p_value")),
	         sig ? "significant" : "within noise",
	         sig ? "each instance does 1/slowdown of a bare instance's work"
	             : "none charged to the point figure (the range uses the interval)");
	return 0;
}

static int apply_one(struct tco_scenario *s, const struct tco_run *runs, size_t n,
                     struct bench_error **err)
{
	const struct tco_density_spec *d = &s->density;
	char where[256];
	/* what an earlier apply filled */
	memset(&s->src, 0, sizeof(s->src));
	s->slowdown = q_int(1);
	s->has_slowdown_interval = s->has_guest_interval = s->overhead_applies = false;
	snprintf(where, sizeof(where), "scenario '%s'", s->name);
	if (n == 0)
		return bench_error_set(err, 0,
		                       "%s takes guests per server from a run's density study (%s, "
		                       "%s): pass --run RUN_DIR",
		                       where, d->env, d->workload);
	for (size_t r = 0; r < n; r++) {
		const struct run *run = &runs[r].run;
		if (d->run_id[0] != '\0' && strcmp(run->run_id, d->run_id) != 0)
			continue;
		size_t i;
		json_t *st;
		json_array_foreach(run->density, i, st)
		{
			if (!study_matches(st, d))
				continue;
			snprintf(where, sizeof(where), "scenario '%s', run %s", s->name,
			         runs[r].dir);
			json_t *p = json_object_get(st, "projected");
			if (strcmp(d->source, "projected") == 0 && !json_is_object(p))
				return bench_error_set(
				    err, 0,
				    "%s: the density study %s/%s has no projected "
				    "block (source: projected); use source: measured "
				    "or auto",
				    where, d->env, d->workload);
			int rc = strcmp(d->source, "measured") != 0 && json_is_object(p)
			             ? projected(s, p, where, err)
			             : measured(s, st, where, err);
			if (rc < 0)
				return -1;
			snprintf(s->src.run_dir, sizeof(s->src.run_dir), "%s", runs[r].dir);
			snprintf(s->src.run_id, sizeof(s->src.run_id), "%s", run->run_id);
			host_text(run->host, s->src.host, sizeof(s->src.host));
			footprint(st, json_integer_value(json_object_get(st, "max_ok")),
			          strcmp(s->src.kind, "projected") == 0, &s->src);
			return overhead(s, run, where, err);
		}
	}
	char have[1500], qos[32] = "";
	list_studies(runs, n, have, sizeof(have));
	if (d->has_qos)
		snprintf(qos, sizeof(qos), ", qos %g", d->qos);
	return bench_error_set(err, 0,
	                       "%s: no density study for env %s, workload %s%s%s%s in the runs "
	                       "given (they have: %s)",
	                       where, d->env, d->workload, qos, d->run_id[0] ? ", run " : "",
	                       d->run_id, have);
}

int tco_density_apply(struct tco_model *m, const struct tco_run *runs, size_t n_runs,
                      struct bench_error **err)
{
	for (size_t i = 0; i < m->n_scenarios; i++)
		if (m->scenarios[i].from_run && apply_one(&m->scenarios[i], runs, n_runs, err) < 0)
			return -1;
	return 0;
}
