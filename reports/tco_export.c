/* JSON and CSV of bench tco's results. */
#include "reports/tco_export.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "reports/report_data.h"

/* Money to the cent, as a JSON number. */
static json_t *jmoney(struct q v)
{
	return json_real(q_double(q_round(v, 2)));
}

/* A count or factor to 6 decimals. */
static json_t *jnum(struct q v)
{
	if (q_cmp(q_round(v, 0), v) == 0)
		return json_integer(q_floor(v));
	return json_real(q_double(q_round(v, 6)));
}

static json_t *source_json(const struct tco_scenario *s)
{
	const struct tco_source *src = &s->src;
	json_t *o = json_pack("{s:s}", "kind", src->kind);
	if (!s->from_run)
		return o;
	json_object_set_new(o, "run_dir", json_string(src->run_dir));
	json_object_set_new(o, "run_id", json_string(src->run_id));
	json_object_set_new(o, "host", json_string(src->host));
	json_object_set_new(o, "env", json_string(s->density.env));
	json_object_set_new(o, "workload", json_string(s->density.workload));
	json_object_set_new(o, "qos", s->density.has_qos ? json_real(s->density.qos) : json_null());
	if (strcmp(src->kind, "measured") == 0) {
		json_object_set_new(o, "max_ok", json_integer(src->max_ok));
		json_object_set_new(o, "lower_bound", json_boolean(src->lower_bound));
		json_object_set_new(o, "stop_reason", json_string(src->stop_reason));
	} else {
		json_object_set_new(o, "low",
		                    s->has_guest_interval ? jnum(s->guests_low) : json_null());
		json_object_set_new(o, "high",
		                    s->has_guest_interval ? jnum(s->guests_high) : json_null());
		json_object_set_new(o, "binding", json_string(src->binding));
		json_object_set_new(o, "target", json_string(src->target));
	}
	json_object_set_new(o, "mem_bytes",
	                    isnan(src->mem_bytes) ? json_null() : json_real(src->mem_bytes));
	json_object_set_new(o, "mem_basis", json_string(src->mem_basis));
	json_object_set_new(o, "start_s",
	                    isnan(src->start_s) ? json_null() : json_real(src->start_s));
	json_object_set_new(o, "overhead", json_string(src->overhead));
	json_object_set_new(o, "slowdown_low",
	                    s->has_slowdown_interval ? jnum(s->slowdown_low) : json_null());
	json_object_set_new(o, "slowdown_high",
	                    s->has_slowdown_interval ? jnum(s->slowdown_high) : json_null());
	return o;
}

static json_t *scenario_json(const struct tco_results *r, size_t i)
{
	const struct tco_model *m = r->m;
	const struct tco_scenario *s = &m->scenarios[i];
	const struct tco_result *x = &r->r[i];
	char key[64];
	json_t *inputs = json_object(), *terms = json_object(), *be = json_array(),
	       *sens = json_array(), *pub = json_array();
	for (int k = 0; k < TCO_N_INPUTS; k++)
		json_object_set_new(inputs, tco_param_key(k, key, sizeof(key)),
		                    tco_inputs[k].money ? json_real(q_double(s->inputs[k]))
		                                        : jnum(s->inputs[k]));
	for (int t = 0; t < TCO_N_TERMS; t++)
		json_object_set_new(terms, tco_terms[t].key, jmoney(x->fig.term[t]));
	for (size_t j = 0; j < r->n; j++)
		if (x->break_even[j] >= 0)
			json_array_append_new(
			    be, json_pack("{s:s, s:o}", "against", m->scenarios[j].name,
			                  "guests_per_server",
			                  x->break_even[j] ? json_integer(x->break_even[j])
			                                   : json_null()));
	struct q p[TCO_N_PARAMS];
	tco_params(m, s, p);
	for (size_t k = 0; k < x->n_swing; k++) {
		const struct tco_swing *w = &x->swing[k];
		json_array_append_new(sens,
		                      json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "input",
		                                tco_param_key(w->param, key, sizeof(key)), "label",
		                                tco_param_label(w->param), "value",
		                                jnum(p[w->param]), "low", jmoney(w->low), "high",
		                                jmoney(w->high), "swing", jmoney(w->width)));
	}
	for (int k = 0; k < TCO_N_FIGURES; k++) {
		const struct tco_check *c = &x->check[k];
		if (!c->present)
			continue;
		json_array_append_new(
		    pub,
		    json_pack("{s:s, s:s, s:o, s:s, s:o, s:o, s:s, s:s, s:i}", "figure",
		              tco_figure_keys[k], "printed", s->published.text[k], "unit",
		              jnum(s->published.unit), "status", tco_check_status_names[c->status],
		              "consistent", jmoney(c->consistent), "reproduced",
		              c->status == TCO_CHECK_UNEXPLAINED ? json_null()
		                                                 : jmoney(c->reproduced),
		              "assumption", c->assumption, "general", c->general, "alternatives",
		              c->alternatives));
	}
	json_t *o = json_pack(
	    "{s:s, s:s, s:s, s:s, s:b, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
	    "s:o, s:o}",
	    "name", s->name, "platform", m->platforms[s->platform].name, "kind",
	    m->platforms[s->platform].physical ? "physical" : "virtual", "note", s->note,
	    "baseline", i == m->baseline, "servers", (json_int_t)s->servers, "guests_per_server",
	    jnum(s->guests), "instances", jnum(x->fig.instances), "effective_instances",
	    jnum(x->fig.effective), "slowdown", jnum(s->slowdown), "source", source_json(s),
	    "inputs", inputs, "terms", terms, "tco", jmoney(x->fig.tco), "cost_per_instance_year",
	    jmoney(x->fig.cost_year), "saving_per_instance_year", jmoney(x->saving_year),
	    "cost_ratio", jnum(x->ratio), "overhead_per_instance_year", jmoney(x->overhead_year),
	    "break_even", be);
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "cost_interval",
	                    x->has_interval
	                        ? json_pack("[o, o]", jmoney(x->cost_low), jmoney(x->cost_high))
	                        : json_null());
	json_object_set_new(o, "sensitivity", sens);
	json_object_set_new(o, "published", pub);
	return o;
}

json_t *tco_json(const struct tco_results *r)
{
	const struct tco_model *m = r->m;
	json_t *scen = json_array();
	for (size_t i = 0; i < r->n; i++) {
		json_t *s = scenario_json(r, i);
		if (s == NULL || json_array_append_new(scen, s) < 0) {
			json_decref(scen);
			return NULL;
		}
	}
	return json_pack(
	    "{s:s, s:{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s}, s:o, s:o, s:{s:I, s:I, s:I}}",
	    "schema", TCO_SCHEMA, "model", "path", m->path, "name", m->name, "title", m->title,
	    "source", m->source, "currency", m->currency, "display_unit", jnum(m->display_unit),
	    "period_years", jnum(m->period), "hours_per_year", jnum(m->hours), "baseline",
	    m->scenarios[m->baseline].name, "swing", jnum(r->swing), "scenarios", scen, "published",
	    "figures", (json_int_t)r->n_published, "agrees",
	    (json_int_t)r->n_status[TCO_CHECK_AGREES], "follows",
	    (json_int_t)r->n_status[TCO_CHECK_FOLLOWS], "implied",
	    (json_int_t)r->n_status[TCO_CHECK_IMPLIED], "unexplained",
	    (json_int_t)r->n_status[TCO_CHECK_UNEXPLAINED]);
}

int tco_json_print(FILE *out, const struct tco_results *r, struct bench_error **err)
{
	json_t *doc = tco_json(r);
	if (doc == NULL)
		return bench_error_set(err, ENOMEM, "tco JSON");
	int rc = json_dumpf(doc, out, JSON_INDENT(1) | JSON_REAL_PRECISION(15));
	json_decref(doc);
	if (rc < 0 || fputc('\n', out) == EOF)
		return bench_error_set(err, errno, "writing the JSON");
	return 0;
}

static void money_field(FILE *out, struct q v, const char *sep)
{
	char buf[64];
	q_format(v, 2, buf, sizeof(buf));
	report_csv_field(out, buf, sep);
}

static void num_field(FILE *out, struct q v, const char *sep)
{
	char buf[64];
	q_format(v, q_cmp(q_round(v, 0), v) == 0 ? 0 : 6, buf, sizeof(buf));
	report_csv_field(out, buf, sep);
}

int tco_csv_scenarios(FILE *out, const struct tco_results *r)
{
	fputs("scenario,platform,kind,servers,guests_per_server,instances,effective_instances,"
	      "source,tco,cost_per_instance_year,cost_low,cost_high,saving_per_instance_year,"
	      "cost_ratio,overhead_per_instance_year",
	      out);
	for (int t = 0; t < TCO_N_TERMS; t++)
		fprintf(out, ",term.%s", tco_terms[t].key);
	fputs("\r\n", out);
	for (size_t i = 0; i < r->n; i++) {
		const struct tco_scenario *s = &r->m->scenarios[i];
		const struct tco_result *x = &r->r[i];
		const struct tco_platform *p = &r->m->platforms[s->platform];
		char n[32];
		snprintf(n, sizeof(n), "%lld", s->servers);
		report_csv_field(out, s->name, ",");
		report_csv_field(out, p->name, ",");
		report_csv_field(out, p->physical ? "physical" : "virtual", ",");
		report_csv_field(out, n, ",");
		num_field(out, s->guests, ",");
		num_field(out, x->fig.instances, ",");
		num_field(out, x->fig.effective, ",");
		report_csv_field(out, s->src.kind, ",");
		money_field(out, x->fig.tco, ",");
		money_field(out, x->fig.cost_year, ",");
		if (x->has_interval) {
			money_field(out, x->cost_low, ",");
			money_field(out, x->cost_high, ",");
		} else {
			fputs(",,", out);
		}
		money_field(out, x->saving_year, ",");
		num_field(out, x->ratio, ",");
		money_field(out, x->overhead_year, "");
		for (int t = 0; t < TCO_N_TERMS; t++) {
			fputc(',', out);
			money_field(out, x->fig.term[t], "");
		}
		fputs("\r\n", out);
	}
	return ferror(out) ? -1 : 0;
}

int tco_csv_sensitivity(FILE *out, const struct tco_results *r)
{
	fputs("scenario,input,label,value,cost_low,cost_high,swing\r\n", out);
	for (size_t i = 0; i < r->n; i++) {
		struct q p[TCO_N_PARAMS];
		tco_params(r->m, &r->m->scenarios[i], p);
		for (size_t k = 0; k < r->r[i].n_swing; k++) {
			const struct tco_swing *w = &r->r[i].swing[k];
			char key[64];
			report_csv_field(out, r->m->scenarios[i].name, ",");
			report_csv_field(out, tco_param_key(w->param, key, sizeof(key)), ",");
			report_csv_field(out, tco_param_label(w->param), ",");
			num_field(out, p[w->param], ",");
			money_field(out, w->low, ",");
			money_field(out, w->high, ",");
			money_field(out, w->width, "\r\n");
		}
	}
	return ferror(out) ? -1 : 0;
}

int tco_csv_break_even(FILE *out, const struct tco_results *r)
{
	fputs("scenario,against,guests_per_server\r\n", out);
	for (size_t i = 0; i < r->n; i++)
		for (size_t j = 0; j < r->n; j++) {
			long long g = r->r[i].break_even[j];
			char v[32] = "";
			if (g < 0)
				continue;
			if (g > 0)
				snprintf(v, sizeof(v), "%lld", g);
			report_csv_field(out, r->m->scenarios[i].name, ",");
			report_csv_field(out, r->m->scenarios[j].name, ",");
			report_csv_field(out, v, "\r\n");
		}
	return ferror(out) ? -1 : 0;
}

int tco_csv_published(FILE *out, const struct tco_results *r)
{
	fputs("scenario,figure,printed,unit,consistent,reproduced,status,assumption\r\n", out);
	for (size_t i = 0; i < r->n; i++) {
		const struct tco_scenario *s = &r->m->scenarios[i];
		for (int k = 0; k < TCO_N_FIGURES; k++) {
			const struct tco_check *c = &r->r[i].check[k];
			if (!c->present)
				continue;
			report_csv_field(out, s->name, ",");
			report_csv_field(out, tco_figure_keys[k], ",");
			report_csv_field(out, s->published.text[k], ",");
			num_field(out, s->published.unit, ",");
			money_field(out, c->consistent, ",");
			if (c->status == TCO_CHECK_UNEXPLAINED)
				fputc(',', out);
			else
				money_field(out, c->reproduced, ",");
			report_csv_field(out, tco_check_status_names[c->status], ",");
			report_csv_field(out, c->assumption, "\r\n");
		}
	}
	return ferror(out) ? -1 : 0;
}
