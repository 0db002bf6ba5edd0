#include "bench/all_budget.h"

#include <stdio.h>
#include <string.h>

#include "bench/commands.h"

/* The plan's input: the environments, the selected workloads with their
 * sizes, the profile's repetition policy and density studies, the costs
 * measured on this host (costs), spent_s already gone. */
void all_budget_input(const struct run_options *ro, const struct env_choice *envs, size_t n_envs,
                      const struct catalog *cat, const size_t *sel, size_t n_sel,
                      const struct size_plan *sizes, size_t density_studies, const json_t *costs,
                      double spent_s, struct all_budget *b)
{
	struct budget_input *in = &b->in;
	*in = (struct budget_input){.budget_s = b->budget_s,
	                            .spent_s = spent_s,
	                            .report_s = REPORT_S,
	                            .n_envs = n_envs < BUDGET_MAX_ENVS ? n_envs : BUDGET_MAX_ENVS,
	                            .n_workloads =
	                                n_sel < BUDGET_MAX_WORKLOADS ? n_sel : BUDGET_MAX_WORKLOADS,
	                            .min_reps = ro->min_reps,
	                            .max_reps = ro->max_reps,
	                            .max_warmup = ro->max_warmup,
	                            .rep_min_s = REP_MIN_S,
	                            .rep_max_s = REP_MAX_S,
	                            .rep_fraction = BUDGET_REPETITIONS,
	                            .density_studies = density_studies,
	                            .density_fraction = BUDGET_DENSITY,
	                            .density_min_s = DENSITY_MIN_S};
	for (size_t e = 0; e < in->n_envs; e++)
		in->env[e] = (struct budget_env){
		    .name = envs[e].name, .baseline = strcmp(envs[e].name, BASELINE_ENV) == 0};
	for (size_t w = 0; w < in->n_workloads; w++) {
		const struct wl_info *info = &cat->items[sel[w]];
		const struct size_choice *sized = size_plan_find(sizes, info->name);
		in->workload[w] = info->name;
		b->size[w] = sized ? sized->size : 0;
		b->fixed[w] = !wl_info_takes(info, "duration");
	}
	b->shape = (struct budget_shape){
	    .size = b->size, .fixed_length = b->fixed, .threads = ro->threads};
	b->known = budget_costs_fill(costs, &b->shape, in);
}

/* Plans b (b->budget_s > 0) into ro: the repetition length, warm-ups and
 * the runner's budget; prints the plan (with dir, where the costs are
 * kept) and every cut. */
void all_budget_apply(bool quiet, struct all_budget *b, const char *dir, struct run_options *ro)
{
	const struct budget_input *in = &b->in;
	struct budget_plan *p = &b->plan;
	budget_plan_make(in, p);
	snprintf(b->duration, sizeof(b->duration), "%.2f", p->rep_s);
	ro->duration = b->duration;
	ro->max_warmup = p->warmups;
	ro->budget_s = p->workloads_s;
	if (quiet)
		return;
	fprintf(stderr,
	        "bench all: budget %.0f s: plan %.1f s spent, workloads %.0f s (%zu "
	        "environment(s) x %zu workload(s), up to %u warm-up(s) + %u-%u repetitions of "
	        "%s s), density studies %.0f s each, report %.0f s; estimate %.0f s%s\n",
	        in->budget_s, in->spent_s, p->workloads_s, in->n_envs, in->n_workloads, p->warmups,
	        in->min_reps, in->max_reps, b->duration, p->density_s, in->report_s, p->estimate_s,
	        p->fits ? "" : " (over)");
	size_t pairs = in->n_envs * in->n_workloads;
	if (b->known < pairs)
		fprintf(stderr,
		        "bench all: budget: %zu of %zu (workload, environment) costs measured on "
		        "this host by an earlier run (%s/%s); the others are planned without their "
		        "set-up, and bounded by their share as they run; this run measures them\n",
		        b->known, pairs, dir, BUDGET_COSTS_NAME);
	for (size_t i = 0; i < p->n_cuts; i++)
		fprintf(stderr, "bench all: budget cut: %s\n", p->cut[i]);
}

/* How far each environment's density studies ran past their time
 * budget of study_s each, into costs. */
void all_budget_density_costs(const struct all_budget *b, size_t density_studies,
                              const struct run_timing *timing, double study_s, json_t *costs)
{
	size_t k = 0;
	while (k < timing->n_steps && strcmp(timing->step[k], "density") != 0)
		k++;
	for (size_t e = 0; k < timing->n_steps && e < b->in.n_envs; e++) {
		size_t studies = b->budget_s > 0 ? b->plan.density_studies[e] : density_studies;
		for (size_t i = 0; i < timing->n_envs; i++)
			if (studies > 0 && strcmp(timing->env[i], b->in.env[e].name) == 0)
				budget_costs_density(costs, b->in.env[e].name,
				                     timing->step_env_s[k][i] / (double)studies -
				                         study_s);
	}
}

void all_budget_costs_free(json_t **costs)
{
	json_decref(*costs);
}

/* The plan and what happened, for the run file's timing.budget. */
json_t *all_budget_json(const struct all_budget *b, const struct runner_totals *totals,
                        double planned_workloads_s)
{
	const struct budget_input *in = &b->in;
	const struct budget_plan *p = &b->plan;
	json_t *doc = json_pack("{s:f, s:f, s:o, s:i, s:i}", "budget_s", b->budget_s, "workloads_s",
	                        planned_workloads_s, "duration",
	                        b->budget_s > 0 ? json_string(b->duration) : json_null(),
	                        "cut_warmups", (int)totals->budget_cut_warmups, "cut_repetitions",
	                        (int)totals->budget_cut_reps);
	if (!(b->budget_s > 0))
		return doc;
	json_t *cuts = json_array(), *not_run = json_array(), *studies = json_object(), *s;
	size_t k;
	for (size_t i = 0; i < p->n_cuts; i++)
		json_array_append_new(cuts, json_string(p->cut[i]));
	json_array_foreach(totals->skipped, k, s)
	{
		char text[640];
		snprintf(text, sizeof(text), "%s: %s not run: %s",
		         json_string_value(json_object_get(s, "env")),
		         json_string_value(json_object_get(s, "workload")),
		         json_string_value(json_object_get(s, "reason")));
		json_array_append_new(cuts, json_string(text));
		json_array_append(not_run, s);
	}
	for (size_t e = 0; e < in->n_envs; e++) {
		json_object_set_new(studies, in->env[e].name,
		                    json_integer((json_int_t)p->density_studies[e]));
		for (size_t w = 0; w < in->n_workloads; w++)
			if (!p->run[w][e])
				json_array_append_new(
				    not_run, json_pack("{s:s, s:s}", "env", in->env[e].name,
				                       "workload", in->workload[w]));
	}
	json_t *plan = json_pack(
	    "{s:f, s:f, s:i, s:f, s:o, s:f, s:b, s:I, s:I, s:o, s:o}", "spent_s", in->spent_s,
	    "report_s", in->report_s, "warmups", (int)p->warmups, "density_s", p->density_s,
	    "density_studies", studies, "estimate_s", p->estimate_s, "fits", p->fits, "costs_known",
	    (json_int_t)b->known, "costs_pairs", (json_int_t)(in->n_envs * in->n_workloads),
	    "not_run", not_run, "cuts", cuts);
	json_object_update(doc, plan);
	json_decref(plan);
	return doc;
}
