#include "harness/run/budget_plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void cut(struct budget_plan *p, const char *fmt, ...)
{
	if (p->n_cuts >= BUDGET_MAX_CUTS)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->cut[p->n_cuts++], BUDGET_CUT_LEN, fmt, ap);
	va_end(ap);
}

double budget_rep_s(const struct budget_cost *c, double rep_s)
{
	if (c->fixed_length)
		return c->rep_own_s;
	if (c->rep_at_s > 0 && c->rep_own_s > 0 && c->rep_own_s < 0.9 * c->rep_at_s)
		return c->rep_own_s < rep_s ? c->rep_own_s : rep_s;
	if (c->rep_at_s > 0 && c->rep_own_s > 1.1 * c->rep_at_s)
		return c->rep_own_s > rep_s ? c->rep_own_s : rep_s;
	return rep_s;
}

double budget_workload_s(const struct budget_input *in, const struct budget_plan *p, size_t w,
                         size_t e)
{
	const struct budget_cost *c = &in->cost[w][e];
	double rep = budget_rep_s(c, p->rep_s);
	return c->setup_s + c->teardown_s +
	       (double)(p->warmups + in->min_reps) * (rep + c->rep_over_s);
}

/* Instances' starts and every planned workload: the runner's part. */
static double runner_s(const struct budget_input *in, const struct budget_plan *p)
{
	double sum = 0;
	for (size_t e = 0; e < in->n_envs; e++)
		sum += in->env[e].start_s;
	for (size_t w = 0; w < in->n_workloads; w++)
		for (size_t e = 0; e < in->n_envs; e++)
			if (p->run[w][e])
				sum += budget_workload_s(in, p, w, e);
	return sum;
}

/* The density studies: each its budget plus what studies in its
 * environment ran past theirs before (settling, the last step, stopping
 * the instances). */
static double density_total(const struct budget_input *in, const struct budget_plan *p)
{
	double sum = 0;
	for (size_t e = 0; e < in->n_envs; e++)
		sum += (double)p->density_studies[e] * (p->density_s + in->env[e].density_over_s);
	return sum;
}

static void estimate(const struct budget_input *in, struct budget_plan *p)
{
	p->estimate_s = in->spent_s + in->report_s + runner_s(in, p) + density_total(in, p);
	p->fits = p->estimate_s <= in->budget_s;
}

/* The known time outside repetitions' timed parts, and the repetition
 * slots (warm-ups + max_reps per planned workload). */
static double fixed_s(const struct budget_input *in, const struct budget_plan *p, double *slots)
{
	double sum = 0;
	*slots = 0;
	for (size_t e = 0; e < in->n_envs; e++)
		sum += in->env[e].start_s;
	for (size_t w = 0; w < in->n_workloads; w++)
		for (size_t e = 0; e < in->n_envs; e++) {
			if (!p->run[w][e])
				continue;
			const struct budget_cost *c = &in->cost[w][e];
			sum += c->setup_s + c->teardown_s +
			       (double)(p->warmups + in->min_reps) * c->rep_over_s;
			*slots += (double)(p->warmups + in->max_reps);
		}
	return sum;
}

/* The repetition length from the runner's time left after the known
 * fixed costs, within [rep_min_s, rep_max_s]; and the runner's budget. */
static void spread_time(const struct budget_input *in, struct budget_plan *p)
{
	p->workloads_s = in->budget_s - in->spent_s - in->report_s - density_total(in, p);
	if (p->workloads_s < 1)
		p->workloads_s = 1;
	double slots, free_s = p->workloads_s - fixed_s(in, p, &slots);
	double rep = free_s * in->rep_fraction / (slots > 0 ? slots : 1);
	p->rep_s = rep < in->rep_min_s ? in->rep_min_s : rep > in->rep_max_s ? in->rep_max_s : rep;
}

/* Cut 3: one non-baseline environment's studies past the idle one, the
 * slowest-starting first. Returns false when none is left to cut. */
static bool cut_density_study(const struct budget_input *in, struct budget_plan *p)
{
	size_t pick = in->n_envs;
	for (size_t e = 0; e < in->n_envs; e++)
		if (!in->env[e].baseline && p->density_studies[e] > 1 &&
		    (pick == in->n_envs || in->env[e].start_s > in->env[pick].start_s))
			pick = e;
	if (pick == in->n_envs)
		return false;
	double before = p->estimate_s;
	size_t dropped = p->density_studies[pick] - 1;
	p->density_studies[pick] = 1;
	estimate(in, p);
	cut(p,
	    "%s: %zu density stud%s after the idle one not run (%.0f s of %.0f s planned; "
	    "its instances start in %.1f s)",
	    in->env[pick].name, dropped, dropped == 1 ? "y" : "ies", before - p->estimate_s, before,
	    in->env[pick].start_s);
	return true;
}

/* Cut 4: the costliest (workload, non-baseline environment) pair still
 * planned. Returns false when none with a known cost is left. */
static bool cut_workload(const struct budget_input *in, struct budget_plan *p)
{
	size_t pw = 0, pe = 0;
	double most = 0;
	for (size_t w = 0; w < in->n_workloads; w++)
		for (size_t e = 0; e < in->n_envs; e++) {
			if (!p->run[w][e] || in->env[e].baseline || !in->cost[w][e].known)
				continue;
			double s = budget_workload_s(in, p, w, e);
			if (s > most) {
				most = s, pw = w, pe = e;
			}
		}
	if (most <= 0)
		return false;
	double before = p->estimate_s;
	p->run[pw][pe] = false;
	estimate(in, p);
	const struct budget_cost *c = &in->cost[pw][pe];
	cut(p,
	    "%s: %s not run: it needs about %.0f s there (set-up %.1f s, %.2f s a "
	    "repetition beyond its timed part, measured on this host), and the plan's "
	    "%.0f s were over the %.0f s budget",
	    in->env[pe].name, in->workload[pw], most, c->setup_s, c->rep_over_s, before,
	    in->budget_s);
	return true;
}

void budget_plan_make(const struct budget_input *in, struct budget_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->warmups = in->max_warmup;
	size_t studies_all = in->n_envs * in->density_studies;
	p->density_s = studies_all ? in->budget_s * in->density_fraction / (double)studies_all : 0;
	if (p->density_s < in->density_min_s)
		p->density_s = in->density_min_s;
	for (size_t e = 0; e < in->n_envs; e++) {
		p->density_studies[e] = in->density_studies;
		for (size_t w = 0; w < in->n_workloads; w++)
			p->run[w][e] = true;
	}
	spread_time(in, p);
	estimate(in, p);
	if (p->fits)
		return;
	/* 1: the shortest repetitions, one warm-up */
	double before = p->estimate_s, rep_before = p->rep_s;
	unsigned warm_before = p->warmups;
	p->warmups = in->max_warmup < 1 ? in->max_warmup : 1;
	p->rep_s = in->rep_min_s;
	estimate(in, p);
	char what[128] = "";
	if (rep_before > p->rep_s)
		snprintf(what, sizeof(what), "repetitions %.2f s -> %.2f s", rep_before, p->rep_s);
	if (warm_before > p->warmups)
		snprintf(what + strlen(what), sizeof(what) - strlen(what),
		         "%swarm-ups at most %u -> %u", *what ? " and " : "", warm_before,
		         p->warmups);
	if (*what)
		cut(p, "%s: the plan's %.0f s were over the %.0f s budget", what, before,
		    in->budget_s);
	/* 2: every density study to its minimum */
	if (!p->fits && p->density_s > in->density_min_s) {
		before = p->estimate_s;
		double d_before = p->density_s;
		p->density_s = in->density_min_s;
		estimate(in, p);
		cut(p,
		    "density studies %.0f s -> %.0f s each: the plan's %.0f s were over the "
		    "%.0f s budget",
		    d_before, p->density_s, before, in->budget_s);
	}
	while (!p->fits && cut_density_study(in, p)) /* 3 */
		;
	while (!p->fits && cut_workload(in, p)) /* 4 */
		;
	double rep = p->rep_s;
	spread_time(in, p); /* what the cuts freed goes to the repetitions */
	if (p->rep_s > rep && (estimate(in, p), !p->fits)) {
		p->rep_s = rep;
		estimate(in, p);
	}
	if (!p->fits)
		cut(p,
		    "even so the plan needs about %.0f s, over the %.0f s budget by %.0f s "
		    "(the baseline's work, the instances' starts and what is already spent "
		    "are not cut)",
		    p->estimate_s, in->budget_s, p->estimate_s - in->budget_s);
}

double budget_setup_guess(const struct budget_cost *known, double base_setup_s, double env_sum_s,
                          double base_sum_s)
{
	if (known != NULL && known->known)
		return known->setup_s;
	if (base_setup_s < BUDGET_GUESS_MIN_S || base_sum_s < BUDGET_GUESS_MIN_S)
		return -1;
	return base_setup_s * env_sum_s / base_sum_s;
}

void budget_setup_sums(const struct budget_input *in, size_t e, size_t base, double *env_sum_s,
                       double *base_sum_s)
{
	*env_sum_s = *base_sum_s = 0;
	for (size_t w = 0; e < in->n_envs && base < in->n_envs && w < in->n_workloads; w++)
		if (in->cost[w][e].known && in->cost[w][base].known) {
			*env_sum_s += in->cost[w][e].setup_s;
			*base_sum_s += in->cost[w][base].setup_s;
		}
}
