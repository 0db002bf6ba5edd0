#include "harness/run/density_project.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/run_options.h"

#define GIB (1024.0 * 1024.0 * 1024.0)
#define MIB (1024.0 * 1024.0)

static int host_key(struct density_host *h, const char *key, const char *val,
                    struct bench_error **err)
{
	char *end;
	uint64_t bytes;
	if (strcmp(key, "cores") == 0 || strcmp(key, "threads") == 0) {
		double v = strtod(val, &end);
		if (*val == '\0' || *end != '\0' || !(v >= 1 && v <= 1e6))
			return bench_error_set(err, 0, "--target-host %s=%s: expected a count >= 1",
			                       key, val);
		if (key[0] == 'c')
			h->cores = v;
		else {
			h->cpus = v;
			h->threads_given = true;
		}
		return 0;
	}
	if (strcmp(key, "memory") == 0 || strcmp(key, "base") == 0) {
		if (run_options_bytes(val, &bytes) < 0 || (key[0] == 'm' && bytes < (1u << 20)))
			return bench_error_set(
			    err, 0,
			    "--target-host %s=%s: expected a size such as 512G or "
			    "1536M",
			    key, val);
		if (key[0] == 'm')
			h->memory = (double)bytes;
		else {
			h->base = (double)bytes;
			h->base_given = true;
		}
		return 0;
	}
	return bench_error_set(err, 0,
	                       "--target-host: unknown key '%s' (valid: cores, memory, threads, "
	                       "base; e.g. cores=64,memory=512G)",
	                       key);
}

int density_host_parse(const char *text, struct density_host *h, struct bench_error **err)
{
	memset(h, 0, sizeof(*h));
	h->base = -1;
	char buf[256];
	if (text == NULL || strlen(text) >= sizeof(buf))
		return bench_error_set(err, 0, "--target-host: expected cores=N,memory=SIZE");
	snprintf(buf, sizeof(buf), "%s", text);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (eq == NULL)
			return bench_error_set(err, 0, "--target-host: '%s' is not key=value", tok);
		*eq = '\0';
		if (host_key(h, tok, eq + 1, err) < 0)
			return -1;
	}
	if (h->cores == 0 || h->memory == 0)
		return bench_error_set(err, 0,
		                       "--target-host %s: both cores= and memory= are required "
		                       "(e.g. cores=64,memory=512G)",
		                       text);
	if (!h->threads_given)
		h->cpus = h->cores;
	if (h->base_given && h->base >= h->memory)
		return bench_error_set(err, 0, "--target-host: base= is not below memory=");
	return 0;
}

int density_fit(const double *x, const double *y, size_t n, double *a, double *b, double *b_low,
                double *b_high)
{
	*a = *b = *b_low = *b_high = NAN;
	if (n < 3)
		return -1;
	double mx = 0, my = 0;
	for (size_t i = 0; i < n; i++) {
		mx += x[i] / (double)n;
		my += y[i] / (double)n;
	}
	double sxx = 0, sxy = 0;
	for (size_t i = 0; i < n; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		sxy += (x[i] - mx) * (y[i] - my);
	}
	if (!(sxx > 0))
		return -1;
	*b = sxy / sxx;
	*a = my - *b * mx;
	double sse = 0;
	for (size_t i = 0; i < n; i++) {
		double r = y[i] - (*a + *b * x[i]);
		sse += r * r;
	}
	double se = sqrt(sse / (double)(n - 2) / sxx);
	double t = gsl_cdf_tdist_Pinv(0.975, (double)(n - 2));
	*b_low = *b - t * se;
	*b_high = *b + t * se;
	return 0;
}

static void limit_set(struct density_limit *l, double v, double lo, double hi, bool measured)
{
	l->instances = v;
	l->low = lo;
	l->high = hi;
	l->measured = measured;
}

/* No limit is below what was measured to hold on the measured host. */
static void floor_at(struct density_limit *l, double held)
{
	l->instances = fmax(l->instances, held);
	l->low = fmax(l->low, held);
	l->high = fmax(l->high, held);
}

static bool positive(double v)
{
	return isfinite(v) && v > 0;
}

/* Footprint per instance: the MemAvailable slope when it is resolved (its
 * interval above zero), else the direct figures; the interval is the hull
 * of the slope's 95% interval and every direct figure. */
static void footprint(const struct density_measured *m, struct density_projection *p)
{
	double direct_lo = INFINITY, direct_hi = -INFINITY;
	const double d[] = {m->pss, m->accounted};
	for (size_t i = 0; i < 2; i++)
		if (positive(d[i])) {
			direct_lo = fmin(direct_lo, d[i]);
			direct_hi = fmax(direct_hi, d[i]);
		}
	double a;
	p->slope = p->slope_low = p->slope_high = NAN;
	if (density_fit(m->avail_n, m->avail_bytes, m->n_avail, &a, &p->slope, &p->slope_low,
	                &p->slope_high) == 0) {
		/* MemAvailable falls: the drop per instance is -slope */
		double s = -p->slope, lo = -p->slope_high, hi = -p->slope_low;
		p->slope = s;
		p->slope_low = lo;
		p->slope_high = hi;
	}
	if (positive(p->slope_low)) {
		snprintf(p->footprint_method, sizeof(p->footprint_method), "memavailable_slope");
		p->footprint = p->slope;
		p->footprint_low = fmin(p->slope_low, direct_lo);
		p->footprint_high = fmax(p->slope_high, direct_hi);
	} else if (direct_hi > 0) {
		snprintf(p->footprint_method, sizeof(p->footprint_method), "direct");
		p->footprint = direct_hi;
		p->footprint_low = direct_lo;
		p->footprint_high = fmax(direct_hi, positive(p->slope_high) ? p->slope_high : 0);
	} else {
		snprintf(p->footprint_method, sizeof(p->footprint_method), "none");
		p->footprint = p->footprint_low = p->footprint_high = NAN;
	}
}

static void memory_limit(const struct density_measured *m, const struct density_host *t,
                         struct density_projection *p)
{
	struct density_limit *l = &p->memory;
	double base = t && t->base_given ? t->base : m->mem_total - m->avail_before;
	p->usable =
	    t ? t->memory * (1 - m->reserve) - base : m->avail_before - m->reserve * m->mem_total;
	if (!positive(p->footprint)) {
		limit_set(l, INFINITY, INFINITY, INFINITY, false);
		snprintf(l->basis, sizeof(l->basis), "no memory footprint measured");
		return;
	}
	if (p->usable < 0)
		p->usable = 0;
	limit_set(l, p->usable / p->footprint, p->usable / p->footprint_high,
	          p->usable / p->footprint_low, false);
	snprintf(l->basis, sizeof(l->basis),
	         "%.0f MiB usable (%s, less %.0f%% of memory kept free) / %.2f MiB per instance "
	         "(%s; interval %.2f .. %.2f MiB)",
	         p->usable / MIB,
	         t ? (t->base_given ? "target memory less the given base"
	                            : "target memory less this host's use before the study")
	           : "MemAvailable before the first instance",
	         100 * m->reserve, p->footprint / MIB,
	         strcmp(p->footprint_method, "memavailable_slope") == 0
	             ? "drop of MemAvailable per instance"
	             : "PSS / the backend's own figure",
	         p->footprint_low / MIB, p->footprint_high / MIB);
	if (t == NULL && m->memory_stop) {
		limit_set(l, m->max_ok, m->max_ok, m->max_ok, true);
		snprintf(l->basis, sizeof(l->basis),
		         "measured: MemAvailable fell under %.0f%% of MemTotal after %u instances",
		         100 * m->reserve, m->max_ok);
	}
}

static void cpu_limit(const struct density_measured *m, const struct density_host *t,
                      struct density_limit *l)
{
	double c = t ? t->cpus : m->cpus, q = m->workload ? m->qos : 1;
	double model = positive(m->demand) ? c / (m->demand * q) : INFINITY;
	double mlo = positive(m->demand_high) ? c / (m->demand_high * q) : model;
	double mhi = positive(m->demand_low) ? c / (m->demand_low * q) : INFINITY;
	if (m->workload && m->first_bad > 0) {
		double r = c / m->cpus, lo = m->max_ok * r, hi = m->first_bad * r;
		if (t == NULL) {
			limit_set(l, m->max_ok, m->max_ok, m->max_ok, true);
			snprintf(l->basis, sizeof(l->basis),
			         "measured: QoS (%.2f) held with %u instances and broke with %u",
			         m->qos, m->max_ok, m->first_bad);
		} else {
			double v = isfinite(model) ? fmin(fmax(model, lo), hi) : lo;
			limit_set(l, v, lo, hi, false);
			snprintf(l->basis, sizeof(l->basis),
			         "QoS held with %u and broke with %u on %.0f CPUs, scaled to %.0f "
			         "CPUs; point from the fair-share model %.0f / (%.3g x %.2f)",
			         m->max_ok, m->first_bad, m->cpus, c, c, m->demand, q);
		}
		return;
	}
	if (!isfinite(model)) {
		limit_set(l, INFINITY, INFINITY, INFINITY, false);
		snprintf(l->basis, sizeof(l->basis), "%s",
		         positive(m->demand) || isnan(m->demand)
		             ? "no CPU demand measured"
		             : "the instances used no measurable CPU");
		return;
	}
	limit_set(l, model, fmin(mlo, model), fmax(mhi, model), false);
	bool other = m->qos_resource != NULL && strcmp(m->qos_resource, "cpu") != 0;
	if (m->workload)
		snprintf(l->basis, sizeof(l->basis),
		         "%sfair share: %.0f CPUs / (%.3g CPUs per instance x QoS %.2f); demand "
		         "%.3g .. %.3g across instances",
		         other ? "QoS did not break while measured; the CPU bound only (what the "
		                 "workload shares besides CPUs can bind sooner): "
		               : "",
		         c, m->demand, q, m->demand_low, m->demand_high);
	else
		snprintf(l->basis, sizeof(l->basis),
		         "%.0f CPUs / %.3g CPUs per idle instance (%.3g .. %.3g across instances)",
		         c, m->demand, m->demand_low, m->demand_high);
}

static void start_limit(const struct density_measured *m, const struct density_host *t,
                        struct density_limit *l)
{
	limit_set(l, INFINITY, INFINITY, INFINITY, false);
	if (m->start_fail > 0 && t == NULL) {
		limit_set(l, m->start_fail - 1, m->start_fail - 1, m->start_fail - 1, true);
		snprintf(l->basis, sizeof(l->basis), "measured: instance %u failed to start",
		         m->start_fail);
		return;
	}
	if (m->n_start == 0 || !positive(m->start_s[0])) {
		snprintf(l->basis, sizeof(l->basis), "no start latency measured");
		return;
	}
	double bar = fmax(m->start_factor * m->start_s[0], DENSITY_START_FLOOR_S);
	for (size_t k = 1; k < m->n_start; k++)
		if (m->start_s[k] > bar) {
			limit_set(l, (double)k, (double)k, (double)k, true);
			snprintf(l->basis, sizeof(l->basis),
			         "measured: instance %zu took %.3g s to start, over the bar %.3g s "
			         "(%.3g x the first's)",
			         k + 1, m->start_s[k], bar, m->start_factor);
			return;
		}
	double *x = malloc(m->n_start * sizeof(double)), a, b, blo, bhi;
	if (x == NULL)
		return;
	for (size_t k = 0; k < m->n_start; k++)
		x[k] = (double)(k + 1);
	int fit = density_fit(x, m->start_s, m->n_start, &a, &b, &blo, &bhi);
	free(x);
	if (fit < 0 || !(b > 0)) {
		snprintf(l->basis, sizeof(l->basis),
		         "start latency does not grow with the count (%zu starts, bar %.3g s)",
		         m->n_start, bar);
		return;
	}
	/* the count whose start reaches the bar: a + b n = bar */
	double v = fmax((bar - a) / b, 1);
	limit_set(l, v, positive(bhi) ? fmin(v, fmax((bar - a) / bhi, 1)) : v,
	          positive(blo) ? fmax(v, (bar - a) / blo) : INFINITY, false);
	snprintf(l->basis, sizeof(l->basis),
	         "start latency %.3g s + %.3g s per running instance (%zu starts) reaches the "
	         "bar %.3g s (%.3g x the first's)",
	         a, b, m->n_start, bar, m->start_factor);
}

int density_project(const struct density_measured *m, const struct density_host *target,
                    struct density_projection *p, struct bench_error **err)
{
	memset(p, 0, sizeof(*p));
	footprint(m, p);
	memory_limit(m, target, p);
	cpu_limit(m, target, &p->cpu);
	start_limit(m, target, &p->start);
	if (target == NULL) {
		floor_at(&p->memory, m->max_ok);
		floor_at(&p->cpu, m->max_ok);
		floor_at(&p->start, m->max_ok);
	}
	const struct density_limit *lim[] = {&p->cpu, &p->memory, &p->start};
	const char *names[] = {m->workload && m->qos_resource ? m->qos_resource : "cpu", "memory",
	                       m->start_fail > 0 && target == NULL ? "start_failure"
	                                                           : "start_time"};
	size_t best = 0;
	for (size_t i = 1; i < 3; i++)
		if (lim[i]->instances < lim[best]->instances)
			best = i;
	if (!isfinite(lim[best]->instances))
		return bench_error_set(err, 0,
		                       "nothing bounds the projection: no memory footprint, no CPU "
		                       "demand and no start latency growth were measured");
	p->instances = lim[best]->instances;
	p->low = fmin(fmin(lim[0]->low, lim[1]->low), lim[2]->low);
	p->high = fmin(fmin(lim[0]->high, lim[1]->high), lim[2]->high);
	snprintf(p->binding, sizeof(p->binding), "%s", names[best]);
	for (size_t i = 0; i < 3; i++)
		if (i != best && lim[i]->low <= p->instances)
			snprintf(p->close + strlen(p->close), sizeof(p->close) - strlen(p->close),
			         "%s%s", p->close[0] ? "," : "", names[i]);
	double gib = (target ? target->memory : m->mem_total) / GIB;
	p->per_gib = p->instances / gib;
	p->per_gib_low = p->low / gib;
	p->per_gib_high = p->high / gib;
	return 0;
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *limit_json(const struct density_limit *l)
{
	return json_pack("{s:o, s:o, s:o, s:b, s:s}", "instances", num(l->instances), "low",
	                 num(l->low), "high", num(l->high), "measured", l->measured, "basis",
	                 l->basis);
}

json_t *density_projection_json(const struct density_projection *p,
                                const struct density_host *target, const char *target_text)
{
	json_t *o = json_pack(
	    "{s:f, s:f, s:f, s:s, s:s, s:s, s:f, s:f, s:f, s:f, s:{s:o, s:o, s:o, s:s, s:o, s:o, "
	    "s:o}, s:{s:o, s:o, s:o}}",
	    "instances", p->instances, "low", p->low, "high", isfinite(p->high) ? p->high : 0.0,
	    "binding", p->binding, "binding_close", p->close, "host",
	    target ? "target" : "measured", "instances_per_gib", p->per_gib, "per_gib_low",
	    p->per_gib_low, "per_gib_high", isfinite(p->per_gib_high) ? p->per_gib_high : 0.0,
	    "usable_bytes", p->usable, "footprint", "bytes", num(p->footprint), "low",
	    num(p->footprint_low), "high", num(p->footprint_high), "method", p->footprint_method,
	    "memavailable_slope", num(p->slope), "slope_low", num(p->slope_low), "slope_high",
	    num(p->slope_high), "limits", "cpu", limit_json(&p->cpu), "memory",
	    limit_json(&p->memory), "start_time", limit_json(&p->start));
	if (!isfinite(p->high)) {
		/* bench tco takes low and high together or neither */
		json_object_del(o, "low");
		json_object_del(o, "high");
		json_object_set_new(o, "low_bound", json_real(p->low));
		json_object_set_new(o, "per_gib_high", json_null());
	}
	if (target != NULL) {
		json_object_set_new(
		    o, "target_host",
		    json_pack("{s:s, s:I, s:I, s:I, s:o}", "spec", target_text, "cores",
		              (json_int_t)target->cores, "threads", (json_int_t)target->cpus,
		              "memory_bytes", (json_int_t)target->memory, "base_bytes",
		              target->base_given ? json_integer((json_int_t)target->base)
		                                 : json_null()));
	}
	return o;
}

double density_knee(const double *n, const double *agg, size_t k, double baseline, double frac,
                    double *peak_n)
{
	*peak_n = k > 0 ? n[0] : 0;
	double peak = k > 0 ? agg[0] : 0;
	for (size_t i = 1; i < k; i++)
		if (agg[i] > peak) {
			peak = agg[i];
			*peak_n = n[i];
		}
	for (size_t i = 0; i + 1 < k; i++) {
		double gain = (agg[i + 1] - agg[i]) / (n[i + 1] - n[i]);
		if (gain < frac * baseline)
			return n[i];
	}
	return 0;
}
