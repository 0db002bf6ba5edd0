/* The in-memory run (construction, copying samples in, freeing) and its
 * JSON form (run_to_json, run_from_json). Files are in result_io.c. */
#include "harness/core/result.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/core/cleanup.h"
#include "harness/core/clock.h"
#include "harness/core/utf8.h"

void run_init(struct run *run, const char *run_id)
{
	memset(run, 0, sizeof(*run));
	run->run_id = run_id != NULL ? strdup(run_id) : NULL;
}

static void sample_free(struct sample *s)
{
	free(s->env);
	free(s->workload);
	free(s->metric);
	free(s->unit);
	free(s->values);
	free(s->outliers);
	json_decref(s->config);
	json_decref(s->pinning);
	json_decref(s->wire);
	json_decref(s->order);
	json_decref(s->warmup);
	json_decref(s->steal);
	free(s->error);
	free(s->stderr_text);
	memset(s, 0, sizeof(*s));
}

void run_free(struct run *run)
{
	if (run == NULL)
		return;
	for (size_t i = 0; i < run->n_samples; i++)
		sample_free(&run->samples[i]);
	free(run->samples);
	free(run->run_id);
	free(run->created);
	json_decref(run->host);
	json_decref(run->invocation);
	json_decref(run->overhead);
	json_decref(run->density);
	memset(run, 0, sizeof(*run));
}

/* Error paths: "" for the document root, "samples[3]" inside a sample, and
 * "samples[3].values[2]" for a member; join() builds the dotted form. */
static const char *join(char *buf, size_t len, const char *prefix, const char *key)
{
	snprintf(buf, len, "%s%s%s", prefix, prefix[0] != '\0' ? "." : "", key);
	return buf;
}

/* strdup that replaces every byte that is not valid UTF-8 with U+FFFD, so
 * a workload's stderr (arbitrary bytes) can always be stored as JSON. */
static int dup_utf8(char **dst, const char *src, const char *path, struct bench_error **err)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	size_t n = strlen(src);
	if (n > (SIZE_MAX - 1) / 3)
		return bench_error_set(err, ENOMEM, "%s: string too long", path);
	char *out = malloc(3 * n + 1), *w = out;
	if (out == NULL)
		return bench_error_set(err, errno, "%s: copying a string", path);
	const unsigned char *p = (const unsigned char *)src;
	while (*p != '\0') {
		size_t len = utf8_seq_len(p);
		if (len == 0) {
			memcpy(w, "\xEF\xBF\xBD", 3);
			w += 3;
			p++;
		} else {
			memcpy(w, p, len);
			w += len;
			p += len;
		}
	}
	*w = '\0';
	*dst = out;
	return 0;
}

/* The rules a sample must satisfy to be stored. The reader builds every
 * sample through sample_add() too, so whatever can be written can be read
 * back. prefix is the sample's path for error messages ("" or "samples[3]"). */
static int sample_check(const struct sample *s, const char *prefix, struct bench_error **err)
{
	char path[128];
	const struct {
		const char *name, *value;
	} names[] = {{"env", s->env}, {"workload", s->workload}, {"metric", s->metric}};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].value == NULL || names[i].value[0] == '\0')
			return bench_error_set(err, 0, "%s: missing or empty",
			                       join(path, sizeof(path), prefix, names[i].name));
	}
	if (s->unit == NULL)
		return bench_error_set(err, 0, "%s: missing",
		                       join(path, sizeof(path), prefix, "unit"));
	if (s->better != BETTER_HIGHER && s->better != BETTER_LOWER)
		return bench_error_set(err, 0, "%s: must be higher or lower",
		                       join(path, sizeof(path), prefix, "better"));
	join(path, sizeof(path), prefix, "values");
	if (s->n_values > 0 && s->values == NULL)
		return bench_error_set(err, 0, "%s: NULL with n_values = %zu", path, s->n_values);
	for (size_t i = 0; i < s->n_values; i++) {
		if (!isfinite(s->values[i]))
			return bench_error_set(err, 0, "%s[%zu]: not a finite number", path, i);
	}
	if (!s->failed && s->n_values == 0)
		return bench_error_set(err, 0, "%s: an ok sample needs at least one value", path);
	if (s->failed && s->error == NULL)
		return bench_error_set(err, 0, "%s: a failed sample needs a reason",
		                       join(path, sizeof(path), prefix, "error"));
	if (s->config != NULL && !json_is_object(s->config))
		return bench_error_set(err, 0, "%s: must be a JSON object",
		                       join(path, sizeof(path), prefix, "config"));
	if (s->pinning != NULL && !json_is_object(s->pinning))
		return bench_error_set(err, 0, "%s: must be a JSON object",
		                       join(path, sizeof(path), prefix, "pinning"));
	if (s->wire != NULL && !json_is_object(s->wire))
		return bench_error_set(err, 0, "%s: must be a JSON object",
		                       join(path, sizeof(path), prefix, "wire"));
	if (s->order != NULL && !json_is_object(s->order))
		return bench_error_set(err, 0, "%s: must be a JSON object",
		                       join(path, sizeof(path), prefix, "order"));
	if (s->warmup != NULL && !json_is_object(s->warmup))
		return bench_error_set(err, 0, "%s: must be a JSON object",
		                       join(path, sizeof(path), prefix, "warmup"));
	if (s->steal != NULL && !json_is_object(s->steal))
		return bench_error_set(err, 0, "%s: must be a JSON object",
		                       join(path, sizeof(path), prefix, "steal"));
	return 0;
}

/* Deep-copies *src into *dst, recomputing stats and outlier flags from the
 * values. On failure *dst is untouched. */
static int sample_copy(struct sample *dst, const struct sample *src, const char *prefix,
                       struct bench_error **err)
{
	char path[128];
	struct sample c = {
	    .better = src->better,
	    .n_values = src->n_values,
	    .failed = src->failed,
	};
	if (dup_utf8(&c.env, src->env, join(path, sizeof(path), prefix, "env"), err) < 0 ||
	    dup_utf8(&c.workload, src->workload, join(path, sizeof(path), prefix, "workload"),
	             err) < 0 ||
	    dup_utf8(&c.metric, src->metric, join(path, sizeof(path), prefix, "metric"), err) < 0 ||
	    dup_utf8(&c.unit, src->unit, join(path, sizeof(path), prefix, "unit"), err) < 0 ||
	    dup_utf8(&c.error, src->error, join(path, sizeof(path), prefix, "error"), err) < 0 ||
	    dup_utf8(&c.stderr_text, src->stderr_text, join(path, sizeof(path), prefix, "stderr"),
	             err) < 0)
		goto fail;
	if (c.n_values > 0) {
		join(path, sizeof(path), prefix, "values");
		c.values = calloc(c.n_values, sizeof(*c.values));
		c.outliers = calloc(c.n_values, sizeof(*c.outliers));
		if (c.values == NULL || c.outliers == NULL) {
			bench_error_set(err, errno, "%s: copying %zu values", path, c.n_values);
			goto fail;
		}
		memcpy(c.values, src->values, c.n_values * sizeof(*c.values));
		if (stats_compute(c.values, c.n_values, &c.stats, c.outliers, err) < 0) {
			bench_error_wrap(err, "%s", path);
			goto fail;
		}
	}
	c.config = json_incref(src->config);
	c.pinning = json_incref(src->pinning);
	c.wire = json_incref(src->wire);
	c.order = json_incref(src->order);
	c.warmup = json_incref(src->warmup);
	c.steal = json_incref(src->steal);
	*dst = c;
	return 0;
fail:
	sample_free(&c);
	return -1;
}

static int sample_add(struct run *run, const struct sample *s, const char *prefix,
                      struct bench_error **err)
{
	if (sample_check(s, prefix, err) < 0)
		return -1;
	if (run->n_samples == run->cap_samples) {
		size_t cap = run->cap_samples ? run->cap_samples * 2 : 8;
		if (cap < run->cap_samples || cap > SIZE_MAX / sizeof(*run->samples))
			return bench_error_set(err, ENOMEM, "too many samples");
		struct sample *grown = realloc(run->samples, cap * sizeof(*grown));
		if (grown == NULL)
			return bench_error_set(err, errno, "growing the sample list");
		run->samples = grown;
		run->cap_samples = cap;
	}
	if (sample_copy(&run->samples[run->n_samples], s, prefix, err) < 0)
		return -1;
	run->n_samples++;
	return 0;
}

int run_add_sample(struct run *run, const struct sample *s, struct bench_error **err)
{
	return sample_add(run, s, "", err);
}

/* ---- writing ---------------------------------------------------------- */

static json_t *stats_to_json(const struct stats *st)
{
	return json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I}", "n",
	                 (json_int_t)st->n, "mean", st->mean, "median", st->median, "stddev",
	                 st->stddev, "cv", st->cv, "ci95_low", st->ci_low, "ci95_high", st->ci_high,
	                 "ci95_half", st->ci_half, "ci95_rel", st->ci_rel, "min", st->min, "max",
	                 st->max, "outliers", (json_int_t)st->n_outliers);
}

/* json_object_set_new: steals value, and returns -1 when value is NULL, so
 * a failed constructor (json_real(NAN), json_string of bad UTF-8, out of
 * memory) propagates to the caller. */
static int put(json_t *obj, const char *key, json_t *value)
{
	return json_object_set_new(obj, key, value);
}

static json_t *sample_to_json(const struct sample *s)
{
	json_t *o = json_object();
	json_t *values = json_array();
	if (o == NULL || values == NULL ||
	    (s->better != BETTER_HIGHER && s->better != BETTER_LOWER))
		goto fail;
	for (size_t i = 0; i < s->n_values; i++) {
		if (json_array_append_new(values, json_real(s->values[i])) < 0)
			goto fail;
	}
	if (put(o, "env", json_string(s->env)) < 0 ||
	    put(o, "workload", json_string(s->workload)) < 0 ||
	    put(o, "metric", json_string(s->metric)) < 0 ||
	    put(o, "unit", json_string(s->unit)) < 0 ||
	    put(o, "better", json_string(s->better == BETTER_HIGHER ? "higher" : "lower")) < 0)
		goto fail;
	int rc = put(o, "values", values);
	values = NULL;
	if (rc < 0)
		goto fail;
	if (s->n_values > 0) {
		json_t *flags = json_array();
		for (size_t i = 0; flags != NULL && i < s->n_values; i++) {
			bool flag = s->outliers != NULL && s->outliers[i];
			if (json_array_append_new(flags, json_boolean(flag)) < 0) {
				json_decref(flags);
				flags = NULL;
			}
		}
		if (put(o, "outliers", flags) < 0 || put(o, "stats", stats_to_json(&s->stats)) < 0)
			goto fail;
	}
	if ((s->config != NULL && json_object_set(o, "config", s->config) < 0) ||
	    (s->pinning != NULL && json_object_set(o, "pinning", s->pinning) < 0) ||
	    (s->wire != NULL && json_object_set(o, "wire", s->wire) < 0) ||
	    (s->order != NULL && json_object_set(o, "order", s->order) < 0) ||
	    (s->warmup != NULL && json_object_set(o, "warmup", s->warmup) < 0) ||
	    (s->steal != NULL && json_object_set(o, "steal", s->steal) < 0) ||
	    put(o, "status", json_string(s->failed ? "failed" : "ok")) < 0)
		goto fail;
	if (s->failed && put(o, "error", json_string(s->error)) < 0)
		goto fail;
	if (s->failed && s->stderr_text != NULL &&
	    put(o, "stderr", json_string(s->stderr_text)) < 0)
		goto fail;
	return o;
fail:
	json_decref(values);
	json_decref(o);
	return NULL;
}

json_t *run_to_json(const struct run *run)
{
	cleanup_free char *now = run->created == NULL ? clock_utc_now() : NULL;
	const char *created = run->created != NULL ? run->created : now;
	json_t *doc = json_object();
	json_t *samples = json_array();
	if (doc == NULL || samples == NULL)
		goto fail;
	if (put(doc, "schema", json_string(RUN_SCHEMA)) < 0 ||
	    put(doc, "run_id", json_string(run->run_id)) < 0 ||
	    put(doc, "created", json_string(created)) < 0 ||
	    put(doc, "host", run->host != NULL ? json_incref(run->host) : json_object()) < 0)
		goto fail;
	if (run->invocation != NULL && json_object_set(doc, "invocation", run->invocation) < 0)
		goto fail;
	for (size_t i = 0; i < run->n_samples; i++) {
		if (json_array_append_new(samples, sample_to_json(&run->samples[i])) < 0)
			goto fail;
	}
	int rc = put(doc, "samples", samples);
	samples = NULL;
	if (rc < 0)
		goto fail;
	if (run->overhead != NULL && json_object_set(doc, "overhead", run->overhead) < 0)
		goto fail;
	if (run->density != NULL && json_object_set(doc, "density", run->density) < 0)
		goto fail;
	return doc;
fail:
	json_decref(samples);
	json_decref(doc);
	return NULL;
}

/* ---- reading ---------------------------------------------------------- */

static const char *type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real number";
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	case JSON_NULL:
		return "null";
	}
	return "an unknown type";
}

static int wrong_type(const char *path, const char *want, const json_t *got,
                      struct bench_error **err)
{
	return bench_error_set(err, 0, "%s: expected %s, found %s", path, want, type_name(got));
}

/* Looks up obj.key. Missing and required: error "path: missing". Missing
 * and optional: 0 with *out = NULL. */
static int member(const json_t *obj, const char *path, const char *key, bool required, json_t **out,
                  struct bench_error **err)
{
	*out = json_object_get(obj, key);
	if (*out == NULL && required)
		return bench_error_set(err, 0, "%s: missing", path);
	return 0;
}

/* The longest string a run file may hold under key: names (env, workload,
 * metric, unit, ids) are short by construction; a failed sample's error and
 * its captured stderr are bounded where they are captured. A longer one is
 * refused, so that one field cannot make every table, CSV and chart of a
 * report enormous. */
static size_t string_limit(const char *key)
{
	if (strcmp(key, "stderr") == 0)
		return RUN_STDERR_MAX;
	if (strcmp(key, "error") == 0)
		return RUN_ERROR_MAX;
	return RUN_NAME_MAX;
}

static int get_string(const json_t *obj, const char *prefix, const char *key, bool required,
                      bool nonempty, const char **out, struct bench_error **err)
{
	char path[128];
	json_t *j;
	*out = NULL;
	if (member(obj, join(path, sizeof(path), prefix, key), key, required, &j, err) < 0)
		return -1;
	if (j == NULL)
		return 0;
	if (!json_is_string(j))
		return wrong_type(path, "a string", j, err);
	if (nonempty && json_string_length(j) == 0)
		return bench_error_set(err, 0, "%s: must not be empty", path);
	size_t limit = string_limit(key);
	if (json_string_length(j) > limit)
		return bench_error_set(err, 0,
		                       "%s: %zu bytes, longer than the %zu allowed (a run file "
		                       "from another tool, or damaged?)",
		                       path, json_string_length(j), limit);
	*out = json_string_value(j);
	return 0;
}

static int get_object(const json_t *obj, const char *prefix, const char *key, bool required,
                      json_t **out, struct bench_error **err)
{
	char path[128];
	if (member(obj, join(path, sizeof(path), prefix, key), key, required, out, err) < 0)
		return -1;
	if (*out != NULL && !json_is_object(*out))
		return wrong_type(path, "an object", *out, err);
	return 0;
}

static int get_array(const json_t *obj, const char *prefix, const char *key, bool required,
                     json_t **out, struct bench_error **err)
{
	char path[128];
	if (member(obj, join(path, sizeof(path), prefix, key), key, required, out, err) < 0)
		return -1;
	if (*out != NULL && !json_is_array(*out))
		return wrong_type(path, "an array", *out, err);
	return 0;
}

static int check_number(const json_t *j, const char *path, double *out, struct bench_error **err)
{
	if (!json_is_number(j))
		return wrong_type(path, "a number", j, err);
	double v = json_number_value(j);
	if (!isfinite(v))
		return bench_error_set(err, 0, "%s: not a finite number", path);
	if (out != NULL)
		*out = v;
	return 0;
}

/* "better": "higher" | "lower". */
static int get_better(const json_t *obj, const char *prefix, enum better *out,
                      struct bench_error **err)
{
	char path[128];
	const char *s;
	if (get_string(obj, prefix, "better", true, false, &s, err) < 0)
		return -1;
	if (strcmp(s, "higher") == 0)
		*out = BETTER_HIGHER;
	else if (strcmp(s, "lower") == 0)
		*out = BETTER_LOWER;
	else
		return bench_error_set(err, 0,
		                       "%s: expected \"higher\" or \"lower\", found \"%.64s\"",
		                       join(path, sizeof(path), prefix, "better"), s);
	return 0;
}

/* "status": "ok" | "failed". */
static int get_failed(const json_t *obj, const char *prefix, bool *failed, struct bench_error **err)
{
	char path[128];
	const char *s;
	if (get_string(obj, prefix, "status", true, false, &s, err) < 0)
		return -1;
	if (strcmp(s, "ok") == 0)
		*failed = false;
	else if (strcmp(s, "failed") == 0)
		*failed = true;
	else
		return bench_error_set(err, 0, "%s: expected \"ok\" or \"failed\", found \"%.64s\"",
		                       join(path, sizeof(path), prefix, "status"), s);
	return 0;
}

/* The stored statistics are recomputed on read, but a present "stats"
 * object must still be well-typed: counts are non-negative integers, the
 * rest finite numbers. Unknown members are ignored. */
static int check_stats(const json_t *obj, const char *prefix, struct bench_error **err)
{
	static const char *const counts[] = {"n", "outliers"};
	static const char *const reals[] = {"mean",      "median",    "stddev",   "cv",  "ci95_low",
	                                    "ci95_high", "ci95_half", "ci95_rel", "min", "max"};
	char base[128], path[160];
	json_t *st;
	if (get_object(obj, prefix, "stats", false, &st, err) < 0)
		return -1;
	if (st == NULL)
		return 0;
	join(base, sizeof(base), prefix, "stats");
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		json_t *j = json_object_get(st, counts[i]);
		join(path, sizeof(path), base, counts[i]);
		if (j != NULL && !json_is_integer(j))
			return wrong_type(path, "an integer", j, err);
		if (j != NULL && json_integer_value(j) < 0)
			return bench_error_set(err, 0, "%s: must not be negative", path);
	}
	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
		json_t *j = json_object_get(st, reals[i]);
		if (j != NULL &&
		    check_number(j, join(path, sizeof(path), base, reals[i]), NULL, err) < 0)
			return -1;
	}
	return 0;
}

int run_sample_from_json(const json_t *j, size_t index, struct run *run, struct bench_error **err)
{
	char prefix[64], path[160];
	snprintf(prefix, sizeof(prefix), "samples[%zu]", index);
	if (!json_is_object(j))
		return wrong_type(prefix, "an object", j, err);

	struct sample s = {0};
	const char *env, *workload, *metric, *unit, *error, *stderr_text;
	json_t *values, *flags;
	if (get_string(j, prefix, "env", true, true, &env, err) < 0 ||
	    get_string(j, prefix, "workload", true, true, &workload, err) < 0 ||
	    get_string(j, prefix, "metric", true, true, &metric, err) < 0 ||
	    get_string(j, prefix, "unit", true, false, &unit, err) < 0 ||
	    get_better(j, prefix, &s.better, err) < 0 ||
	    get_array(j, prefix, "values", true, &values, err) < 0 ||
	    get_array(j, prefix, "outliers", false, &flags, err) < 0 ||
	    check_stats(j, prefix, err) < 0 ||
	    get_object(j, prefix, "config", false, &s.config, err) < 0 ||
	    get_object(j, prefix, "pinning", false, &s.pinning, err) < 0 ||
	    get_object(j, prefix, "wire", false, &s.wire, err) < 0 ||
	    get_object(j, prefix, "order", false, &s.order, err) < 0 ||
	    get_object(j, prefix, "warmup", false, &s.warmup, err) < 0 ||
	    get_object(j, prefix, "steal", false, &s.steal, err) < 0 ||
	    get_failed(j, prefix, &s.failed, err) < 0 ||
	    get_string(j, prefix, "error", s.failed, false, &error, err) < 0 ||
	    get_string(j, prefix, "stderr", false, false, &stderr_text, err) < 0)
		return -1;

	s.n_values = json_array_size(values);
	if (!s.failed && s.n_values == 0)
		return bench_error_set(err, 0, "%s: an ok sample needs at least one value",
		                       join(path, sizeof(path), prefix, "values"));
	if (flags != NULL && json_array_size(flags) != s.n_values)
		return bench_error_set(err, 0, "%s: has %zu entries but values has %zu",
		                       join(path, sizeof(path), prefix, "outliers"),
		                       json_array_size(flags), s.n_values);
	cleanup_free double *v = calloc(s.n_values ? s.n_values : 1, sizeof(*v));
	if (v == NULL)
		return bench_error_set(err, errno, "%s: %zu values", prefix, s.n_values);
	for (size_t i = 0; i < s.n_values; i++) {
		snprintf(path, sizeof(path), "%s.values[%zu]", prefix, i);
		if (check_number(json_array_get(values, i), path, &v[i], err) < 0)
			return -1;
		/* Flags are recomputed like stats; only their type is checked. */
		json_t *flag = json_array_get(flags, i);
		snprintf(path, sizeof(path), "%s.outliers[%zu]", prefix, i);
		if (flags != NULL && !json_is_boolean(flag))
			return wrong_type(path, "true or false", flag, err);
	}
	s.values = v;
	s.env = (char *)env;
	s.workload = (char *)workload;
	s.metric = (char *)metric;
	s.unit = (char *)unit;
	s.error = s.failed ? (char *)error : NULL;
	s.stderr_text = s.failed ? (char *)stderr_text : NULL;
	return sample_add(run, &s, prefix, err);
}

/* run_id names a directory under results/: no '/', not "." or "..". */
static int check_run_id(const char *id, struct bench_error **err)
{
	if (strchr(id, '/') != NULL || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return bench_error_set(
		    err, 0,
		    "run_id: \"%.64s\" cannot name a directory (contains '/' or is . or ..)", id);
	return 0;
}

/* created: "YYYY-MM-DDTHH:MM:SS" with optional ".fraction", then "Z". */
static int check_created(const char *s, struct bench_error **err)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *rest =
	    isdigit((unsigned char)s[0]) ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (rest != NULL && *rest == '.') {
		rest++;
		if (!isdigit((unsigned char)*rest))
			rest = NULL;
		while (rest != NULL && isdigit((unsigned char)*rest))
			rest++;
	}
	if (rest == NULL || strcmp(rest, "Z") != 0)
		return bench_error_set(err, 0,
		                       "created: \"%.64s\" is not an ISO 8601 UTC time like "
		                       "2026-11-24T19:30:00Z",
		                       s);
	return 0;
}

/* The members of the root that run_header_from_json reads ("samples" is
 * only type-checked there). */
static const char *const header_members[] = {"schema",     "run_id",   "created", "host",
                                             "invocation", "overhead", "density"};

bool run_header_member(const char *name)
{
	for (size_t i = 0; i < sizeof(header_members) / sizeof(header_members[0]); i++) {
		if (strcmp(name, header_members[i]) == 0)
			return true;
	}
	return false;
}

int run_header_from_json(const json_t *doc, struct run *run, struct bench_error **err)
{
	struct run r;
	memset(&r, 0, sizeof(r));
	memset(run, 0, sizeof(*run));
	if (doc == NULL || !json_is_object(doc))
		return doc == NULL ? bench_error_set(err, 0, "(root): no document")
		                   : wrong_type("(root)", "an object", doc, err);

	json_t *schema = json_object_get(doc, "schema");
	if (schema == NULL)
		return bench_error_set(err, 0, "schema: missing (this reader supports \"%s\")",
		                       RUN_SCHEMA);
	if (!json_is_string(schema))
		return wrong_type("schema", "the string \"" RUN_SCHEMA "\"", schema, err);
	if (strcmp(json_string_value(schema), RUN_SCHEMA) != 0)
		return bench_error_set(err, 0,
		                       "schema: found \"%.64s\", this reader supports only \"%s\"",
		                       json_string_value(schema), RUN_SCHEMA);

	const char *run_id, *created;
	json_t *host, *invocation, *samples, *overhead, *density;
	if (get_string(doc, "", "run_id", true, true, &run_id, err) < 0 ||
	    check_run_id(run_id, err) < 0 ||
	    get_string(doc, "", "created", true, true, &created, err) < 0 ||
	    check_created(created, err) < 0 || get_object(doc, "", "host", true, &host, err) < 0 ||
	    get_object(doc, "", "invocation", false, &invocation, err) < 0 ||
	    get_array(doc, "", "samples", true, &samples, err) < 0 ||
	    get_array(doc, "", "overhead", false, &overhead, err) < 0 ||
	    get_array(doc, "", "density", false, &density, err) < 0)
		return -1;

	r.run_id = strdup(run_id);
	r.created = strdup(created);
	if (r.run_id == NULL || r.created == NULL) {
		run_free(&r);
		return bench_error_set(err, ENOMEM, "copying the run header");
	}
	r.host = json_incref(host);
	r.invocation = json_incref(invocation);
	r.overhead = json_incref(overhead);
	r.density = json_incref(density);
	*run = r;
	return 0;
}

int run_from_json(const json_t *doc, struct run *run, struct bench_error **err)
{
	struct run r;
	memset(run, 0, sizeof(*run));
	if (run_header_from_json(doc, &r, err) < 0)
		return -1;
	json_t *samples = json_object_get(doc, "samples");
	for (size_t i = 0; i < json_array_size(samples); i++) {
		if (run_sample_from_json(json_array_get(samples, i), i, &r, err) < 0) {
			run_free(&r);
			return -1;
		}
	}
	*run = r;
	return 0;
}
