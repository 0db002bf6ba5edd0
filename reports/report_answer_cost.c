/* The cost line of the answer: a bench tco evaluation of the run
 * (tco.json, schema bench.tco/1, reports/TCO.md) in one sentence, and the
 * link to its page. */
#include "reports/report_answer.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

int report_answer_cost(struct answer *a, const char *tco_json, const char *href,
                       struct bench_error **err)
{
	json_error_t je;
	json_t *doc = json_load_file(tco_json, 0, &je);
	if (doc == NULL)
		return bench_error_set(err, 0, "%s:%d: %s", tco_json, je.line, je.text);
	const char *schema = json_string_value(json_object_get(doc, "schema"));
	if (schema == NULL || strcmp(schema, "bench.tco/1") != 0) {
		json_decref(doc);
		return bench_error_set(err, 0, "%s: not a bench tco evaluation (schema %s)",
		                       tco_json, schema ? schema : "missing");
	}
	json_t *model = json_object_get(doc, "model"), *s;
	const char *cur = json_string_value(json_object_get(model, "currency"));
	const char *name = json_string_value(json_object_get(model, "name"));
	double years = json_number_value(json_object_get(model, "period_years"));
	char *c = a->cost;
	size_t len = sizeof(a->cost), i;
	c[0] = '\0';
	report_cat(c, len,
	           "Cost model %s over %g years, per instance and year:", name ? name : "(unnamed)",
	           years);
	json_array_foreach(json_object_get(doc, "scenarios"), i, s)
	{
		json_t *cost = json_object_get(s, "cost_per_instance_year"),
		       *saving = json_object_get(s, "saving_per_instance_year"),
		       *src = json_object_get(json_object_get(s, "source"), "kind");
		report_cat(c, len, "%s %s ", i ? ";" : "",
		           json_string_value(json_object_get(s, "name")));
		if (!json_is_number(cost)) {
			report_cat(c, len, "(not computed)");
			continue;
		}
		report_cat(c, len, "%.2f %s", json_number_value(cost), cur ? cur : "");
		if (json_is_true(json_object_get(s, "baseline")))
			report_cat(c, len, " (the baseline)");
		else if (json_is_number(saving))
			report_cat(c, len, " (%s %.2f)",
			           json_number_value(saving) >= 0 ? "saves" : "costs",
			           json_number_value(saving) >= 0 ? json_number_value(saving)
			                                          : -json_number_value(saving));
		if (json_is_string(src) && strcmp(json_string_value(src), "fixed") != 0)
			report_cat(c, len, ", guests per server %s by this run",
			           json_string_value(src));
	}
	report_cat(c, len, ".");
	snprintf(a->cost_href, sizeof(a->cost_href), "%s", href ? href : "");
	json_decref(doc);
	return 0;
}
