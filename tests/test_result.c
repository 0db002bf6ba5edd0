/* Unit tests for harness/core/result.c and result_io.c: round trips, rejection
 * of malformed files, fuzz-like mutations, and clean write failures. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness/core/result.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fixtures ---------------------------------------------------------- */

struct fixture {
	char dir[64]; /* a fresh mkdtemp directory per test */
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_result.XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static void remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		chmod(path, 0700);
		DIR *d = opendir(path);
		struct dirent *de;
		while (d != NULL && (de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			char child[512];
			snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
			remove_tree(child);
		}
		if (d != NULL)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	remove_tree(fx->dir);
	free(fx);
	return 0;
}

static char *path_in(const struct fixture *fx, const char *name)
{
	static char buf[4][256];
	static int next;
	char *p = buf[next++ % 4];
	snprintf(p, sizeof(buf[0]), "%s/%s", fx->dir, name);
	return p;
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Names in dir other than . and .., space-separated, in readdir order. */
static void list_dir(const char *dir, char *out, size_t len)
{
	out[0] = '\0';
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		size_t used = strlen(out);
		snprintf(out + used, len - used, "%s%s", used ? " " : "", de->d_name);
	}
	closedir(d);
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* A run with two ok samples and one failed sample. */
static void build_run(struct run *run)
{
	run_init(run, "20261124-193000-testhost-4242");
	assert_non_null(run->run_id);
	assert_null(run->created);
	run->created = strdup("2026-11-24T19:30:00Z");
	run->host = json_loads(
	    "{\"hostname\": \"testhost\", \"kernel\": \"6.1.0-28-amd64\", \"kernel_version\": "
	    "\"#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1\", \"arch\": \"x86_64\", \"cpu_model\": "
	    "\"Test CPU @ 2.0GHz\", \"packages\": [{\"os_index\": 0, \"cpus\": \"0-1\", \"cores\": "
	    "2}], "
	    "\"numa_nodes\": [{\"os_index\": 0, \"memory_bytes\": 25769803776, \"cpus\": "
	    "\"0-1\"}], "
	    "\"cores\": 2, \"pus\": 2, \"caches\": [], \"memory_bytes\": 25769803776, "
	    "\"governor\": "
	    "\"unavailable\", \"smt\": \"unsupported\", \"thp\": \"madvise\", \"hypervisor\": "
	    "\"KVM\", "
	    "\"compiler\": \"gcc 12.2.0\", \"bench_version\": \"0.1.0\", \"git_commit\": "
	    "\"0123456789ab\"}",
	    0, NULL);
	run->invocation = json_loads("{\"argv\": [\"bench\", \"run\", \"--env\", \"bare\", "
	                             "\"--workload=all\"], \"options\": {\"warmup\": 1, "
	                             "\"max_reps\": 30, \"target_rel\": 0.02}}",
	                             0, NULL);
	assert_non_null(run->host);
	assert_non_null(run->invocation);

	struct bench_error *err = NULL;
	/* Caller-supplied stats and flags are ignored: run_add_sample
	 * recomputes both from the values. */
	double triad[] = {36850.5, 37012.25, 36990.0, 36911.125, 12000.0};
	json_t *config =
	    json_pack("{s:i, s:I}", "threads", 1, "array_bytes", (json_int_t)268435456);
	json_t *pinning = json_pack("{s:{s:s, s:i}, s:{s:s, s:i}}", "asked", "cpus", "0",
	                            "numa_node", 0, "seen", "cpus", "0", "numa_node", 0);
	json_t *steal = json_pack("{s:s, s:f, s:f, s:[f, f, f, f, f]}", "cpus", "0", "pct", 2.5,
	                          "host_pct", 1.25, "per_rep", 2.0, 0.0, 5.5, 2.5, 2.0);
	struct sample s = {
	    .env = "bare",
	    .workload = "mem.stream",
	    .metric = "triad",
	    .unit = "MB/s",
	    .better = BETTER_HIGHER,
	    .values = triad,
	    .n_values = N(triad),
	    .stats = {.n = 99, .mean = -1},
	    .config = config,
	    .pinning = pinning,
	    .steal = steal,
	};
	assert_int_equal(run_add_sample(run, &s, &err), 0);
	json_decref(steal);

	double lat[] = {1.5e-6, 1.25e-6, 0.1, 1, 0.3333333333333333, 1e-300};
	s = (struct sample){
	    .env = "container",
	    .workload = "net.latency",
	    .metric = "p99",
	    .unit = "s",
	    .better = BETTER_LOWER,
	    .values = lat,
	    .n_values = N(lat),
	    .config = config,
	};
	assert_int_equal(run_add_sample(run, &s, &err), 0);
	json_decref(config);
	json_decref(pinning);

	s = (struct sample){
	    .env = "bare",
	    .workload = "cpu.int",
	    .metric = "ops",
	    .unit = "ops/s",
	    .better = BETTER_HIGHER,
	    .failed = true,
	    .error = "wl exited with status 2",
	    .stderr_text = "wl: cpu.int: \"threads\" must be >= 1\n\ttab and ünïcode\n",
	};
	assert_int_equal(run_add_sample(run, &s, &err), 0);
	assert_null(err);
	assert_int_equal(run->n_samples, 3);
}

static void assert_same_string(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_same_json(const json_t *a, const json_t *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_true(json_equal(a, b));
}

static void assert_same_run(const struct run *a, const struct run *b)
{
	assert_string_equal(a->run_id, b->run_id);
	assert_string_equal(a->created, b->created);
	assert_same_json(a->host, b->host);
	assert_same_json(a->invocation, b->invocation);
	assert_int_equal(a->n_samples, b->n_samples);
	for (size_t i = 0; i < a->n_samples; i++) {
		const struct sample *x = &a->samples[i], *y = &b->samples[i];
		assert_string_equal(x->env, y->env);
		assert_string_equal(x->workload, y->workload);
		assert_string_equal(x->metric, y->metric);
		assert_string_equal(x->unit, y->unit);
		assert_int_equal(x->better, y->better);
		assert_int_equal(x->n_values, y->n_values);
		if (x->n_values > 0) {
			/* %.17g in the file: doubles come back bit for bit. */
			assert_memory_equal(x->values, y->values, x->n_values * sizeof(*x->values));
			assert_memory_equal(x->outliers, y->outliers,
			                    x->n_values * sizeof(*x->outliers));
			assert_memory_equal(&x->stats, &y->stats, sizeof(x->stats));
		}
		assert_same_json(x->config, y->config);
		assert_same_json(x->pinning, y->pinning);
		assert_same_json(x->wire, y->wire);
		assert_same_json(x->steal, y->steal);
		assert_int_equal(x->failed, y->failed);
		assert_same_string(x->error, y->error);
		assert_same_string(x->stderr_text, y->stderr_text);
	}
}

/* ---- round trip -------------------------------------------------------- */

static void test_round_trip(void **state)
{
	struct fixture *fx = *state;
	struct run run, back;
	struct bench_error *err = NULL;
	build_run(&run);

	/* The stats were recomputed, not copied: 12000 is a low outlier. */
	const struct sample *triad = &run.samples[0];
	assert_int_equal(triad->stats.n, 5);
	assert_int_equal(triad->stats.n_outliers, 1);
	assert_true(triad->outliers[4]);
	assert_false(triad->outliers[0]);
	assert_true(triad->stats.mean > 30000);

	const char *dir = path_in(fx, "20261124-193000-testhost-4242");
	assert_int_equal(run_write(&run, dir, &err), 0);
	assert_null(err);

	char names[256];
	list_dir(dir, names, sizeof(names));
	assert_string_equal(names, "run.json");
	struct stat st;
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);

	char file[256];
	snprintf(file, sizeof(file), "%s/run.json", dir);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(run_read(file, &back, &err), 0);
	assert_null(err);
	assert_same_run(&run, &back);
	run_free(&back);

	/* A second write replaces the file atomically and leaves no temp. */
	run.samples[0].values[0] = 1.0;
	struct stats old = run.samples[0].stats;
	assert_int_equal(run_write(&run, dir, &err), 0);
	list_dir(dir, names, sizeof(names));
	assert_string_equal(names, "run.json");
	assert_int_equal(run_read(file, &back, &err), 0);
	assert_float_equal(back.samples[0].values[0], 1.0, 0);
	/* Stats on read come from the values, not from the file. */
	assert_true(back.samples[0].stats.mean != old.mean);
	run_free(&back);
	run_free(&run);
	run_free(&run); /* idempotent */
}

static void test_document_shape(void **state)
{
	(void)state;
	struct run run;
	build_run(&run);
	json_t *doc = run_to_json(&run);
	assert_non_null(doc);
	/* Member order as in SCHEMA.md. */
	const char *order[] = {"schema", "run_id", "created", "host", "invocation", "samples"};
	size_t i = 0;
	const char *key;
	json_t *value;
	json_object_foreach(doc, key, value)
	{
		assert_true(i < N(order));
		assert_string_equal(key, order[i++]);
	}
	assert_string_equal(json_string_value(json_object_get(doc, "schema")), "bench.run/1");
	json_t *ok = json_array_get(json_object_get(doc, "samples"), 0);
	assert_string_equal(json_string_value(json_object_get(ok, "status")), "ok");
	assert_string_equal(json_string_value(json_object_get(ok, "better")), "higher");
	json_t *st = json_object_get(ok, "stats");
	const char *keys[] = {"n",         "mean",      "median",   "stddev", "cv",  "ci95_low",
	                      "ci95_high", "ci95_half", "ci95_rel", "min",    "max", "outliers"};
	for (i = 0; i < N(keys); i++)
		assert_non_null(json_object_get(st, keys[i]));
	assert_int_equal(json_integer_value(json_object_get(st, "n")), 5);
	assert_int_equal(json_integer_value(json_object_get(st, "outliers")), 1);
	assert_true(json_is_true(json_array_get(json_object_get(ok, "outliers"), 4)));
	json_t *failed = json_array_get(json_object_get(doc, "samples"), 2);
	assert_string_equal(json_string_value(json_object_get(failed, "status")), "failed");
	assert_int_equal(json_array_size(json_object_get(failed, "values")), 0);
	assert_null(json_object_get(failed, "stats"));
	assert_null(json_object_get(failed, "outliers"));
	assert_non_null(json_object_get(failed, "error"));
	assert_non_null(json_object_get(failed, "stderr"));
	/* The writer's output parses back through the reader. */
	struct run back;
	struct bench_error *err = NULL;
	assert_int_equal(run_from_json(doc, &back, &err), 0);
	assert_same_run(&run, &back);
	run_free(&back);
	json_decref(doc);

	/* No invocation: the member is left out, and the reader accepts that.
	 * No created: the writer stamps the current time. No host: {}. */
	json_decref(run.invocation);
	run.invocation = NULL;
	json_decref(run.host);
	run.host = NULL;
	free(run.created);
	run.created = NULL;
	doc = run_to_json(&run);
	assert_null(json_object_get(doc, "invocation"));
	assert_int_equal(run_from_json(doc, &back, &err), 0);
	assert_null(back.invocation);
	assert_int_equal(json_object_size(back.host), 0);
	assert_int_equal(strlen(back.created), strlen("2026-11-24T19:30:00Z"));
	assert_int_equal(back.created[19], 'Z');
	run_free(&back);
	json_decref(doc);
	run_free(&run);
}

static void test_add_sample_rules(void **state)
{
	(void)state;
	struct run run;
	run_init(&run, "r");
	struct bench_error *err = NULL;
	double v[] = {1, NAN, 3};
	json_t *arr = json_array();
	const struct {
		struct sample s;
		const char *fragment;
	} cases[] = {
	    {{.workload = "w", .metric = "m", .unit = "u", .better = 1, .values = v, .n_values = 1},
	     "env: missing"},
	    {{.env = "e",
	      .workload = "",
	      .metric = "m",
	      .unit = "u",
	      .better = 1,
	      .values = v,
	      .n_values = 1},
	     "workload: missing or empty"},
	    {{.env = "e", .workload = "w", .metric = "m", .better = 1, .values = v, .n_values = 1},
	     "unit: missing"},
	    {{.env = "e", .workload = "w", .metric = "m", .unit = "u", .values = v, .n_values = 1},
	     "better:"},
	    {{.env = "e",
	      .workload = "w",
	      .metric = "m",
	      .unit = "u",
	      .better = -1,
	      .values = v,
	      .n_values = 3},
	     "values[1]: not a finite number"},
	    {{.env = "e", .workload = "w", .metric = "m", .unit = "u", .better = -1},
	     "values: an ok sample needs at least one value"},
	    {{.env = "e",
	      .workload = "w",
	      .metric = "m",
	      .unit = "u",
	      .better = -1,
	      .failed = true},
	     "error: a failed sample needs a reason"},
	    {{.env = "e",
	      .workload = "w",
	      .metric = "m",
	      .unit = "u",
	      .better = 1,
	      .values = v,
	      .n_values = 1,
	      .config = arr},
	     "config: must be a JSON object"},
	    {{.env = "e",
	      .workload = "w",
	      .metric = "m",
	      .unit = "u",
	      .better = 1,
	      .values = v,
	      .n_values = 1,
	      .steal = arr},
	     "steal: must be a JSON object"},
	};
	for (size_t i = 0; i < N(cases); i++) {
		assert_int_equal(run_add_sample(&run, &cases[i].s, &err), -1);
		assert_non_null(err);
		if (strstr(err->msg, cases[i].fragment) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err->msg, cases[i].fragment);
		bench_error_free(&err);
	}
	assert_int_equal(run.n_samples, 0);

	/* Many samples: the array grows. */
	for (int i = 0; i < 100; i++) {
		struct sample s = {.env = "e",
		                   .workload = "w",
		                   .metric = "m",
		                   .unit = "",
		                   .better = 1,
		                   .values = v,
		                   .n_values = 1};
		assert_int_equal(run_add_sample(&run, &s, &err), 0);
	}
	assert_int_equal(run.n_samples, 100);
	json_decref(arr);
	run_free(&run);
}

static void test_invalid_utf8_is_replaced(void **state)
{
	struct fixture *fx = *state;
	struct run run, back;
	struct bench_error *err = NULL;
	run_init(&run, "utf8");
	run.host = json_object();
	run.created = strdup("2026-11-24T19:30:00Z");
	struct sample s = {
	    .env = "bare",
	    .workload = "cpu.int",
	    .metric = "ops",
	    .unit = "ops/s",
	    .better = BETTER_HIGHER,
	    .failed = true,
	    .error = "crashed",
	    .stderr_text = "bad \xff\xfe bytes \xc3(\xed\xa0\x80 end \xe2\x82\xac",
	};
	assert_int_equal(run_add_sample(&run, &s, &err), 0);
	assert_string_equal(run.samples[0].stderr_text,
	                    "bad \xef\xbf\xbd\xef\xbf\xbd bytes \xef\xbf\xbd(\xef\xbf\xbd"
	                    "\xef\xbf\xbd\xef\xbf\xbd end \xe2\x82\xac");
	const char *dir = path_in(fx, "utf8");
	assert_int_equal(run_write(&run, dir, &err), 0);
	assert_int_equal(run_read(path_in(fx, "utf8/run.json"), &back, &err), 0);
	assert_same_run(&run, &back);
	run_free(&back);
	run_free(&run);
}

/* A network sample's wire object (capture.h) goes out and comes back as
 * is; a sample without one has no "wire" member; a non-object is refused. */
static void test_wire_round_trip(void **state)
{
	struct fixture *fx = *state;
	struct run run, back;
	struct bench_error *err = NULL;
	build_run(&run);
	json_t *wire = json_loads(
	    "{\"iface\": \"lo\", \"filter\": \"host 127.0.0.1 and tcp port 40001\", "
	    "\"source\": \"live\", \"linktype\": \"EN10MB\", "
	    "\"to_peer\": {\"packets\": 12, \"bytes\": 1000, \"payload_bytes\": 160}, "
	    "\"from_peer\": {\"packets\": 11, \"bytes\": 900, \"payload_bytes\": 160}, "
	    "\"segments\": {\"to_peer\": [{\"le\": 0, \"count\": 2}, "
	    "{\"le\": null, \"count\": 0}], "
	    "\"from_peer\": [], \"mean_payload_to_peer\": 16.5, \"mean_payload_from_peer\": null}, "
	    "\"request_response\": {\"n\": 10, \"p50_us\": 14.25, \"p99_us\": 31.0, "
	    "\"mean_us\": 0.1}, \"truncated\": 0, \"dropped\": null}",
	    0, NULL);
	assert_non_null(wire);
	double v[] = {21.5, 22.0, 20.75};
	struct sample s = {
	    .env = "bare",
	    .workload = "net.tcp_rr",
	    .metric = "latency",
	    .unit = "us/round trip",
	    .better = BETTER_LOWER,
	    .values = v,
	    .n_values = N(v),
	    .wire = wire,
	};
	assert_int_equal(run_add_sample(&run, &s, &err), 0);
	assert_ptr_equal(run.samples[3].wire, wire); /* a reference, not a copy */
	json_t *doc = run_to_json(&run);
	assert_non_null(doc);
	json_t *samples = json_object_get(doc, "samples");
	assert_null(json_object_get(json_array_get(samples, 0), "wire"));
	assert_true(json_equal(json_object_get(json_array_get(samples, 3), "wire"), wire));
	/* Written after pinning, before status. */
	const char *key, *prev = NULL;
	json_t *value;
	json_object_foreach(json_array_get(samples, 3), key, value)
	{
		if (strcmp(key, "status") == 0)
			assert_string_equal(prev, "wire");
		prev = key;
	}
	json_decref(doc);

	const char *dir = path_in(fx, "wire");
	assert_int_equal(run_write(&run, dir, &err), 0);
	assert_int_equal(run_read(path_in(fx, "wire/run.json"), &back, &err), 0);
	assert_null(err);
	assert_same_run(&run, &back);
	assert_null(back.samples[0].wire);
	assert_true(json_equal(back.samples[3].wire, wire));
	run_free(&back);

	s.wire = json_array();
	assert_int_equal(run_add_sample(&run, &s, &err), -1);
	assert_non_null(strstr(err->msg, "wire: must be a JSON object"));
	bench_error_free(&err);
	json_decref(s.wire);
	json_decref(wire);
	run_free(&run);
}

/* ---- rejection of malformed files --------------------------------------- */

#define HEAD                                                                                       \
	"{\"schema\":\"bench.run/1\",\"run_id\":\"r1\",\"created\":\"2026-11-24T19:30:00Z\","      \
	"\"host\":{\"kernel\":\"6.1\"},"
#define OK_SAMPLE                                                                                  \
	"{\"env\":\"bare\",\"workload\":\"mem.stream\",\"metric\":\"triad\",\"unit\":\"MB/s\","    \
	"\"better\":\"higher\",\"values\":[1,2.5,3],\"status\":\"ok\"}"

struct bad_case {
	const char *name;
	const char *text;
	const char *fragment; /* must appear in the error message */
};

static const struct bad_case bad_cases[] = {
    {"empty file", "", "not valid JSON"},
    {"whitespace only", " \n\n ", "not valid JSON"},
    {"truncated", HEAD "\"samples\":[" OK_SAMPLE ",{\"env\":\"ba", ":1:"},
    {"not json", "run_id = 3\n", "not valid JSON"},
    {"trailing garbage", HEAD "\"samples\":[]} x", "not valid JSON"},
    {"root is an array", "[1,2,3]", "(root): expected an object, found an array"},
    {"root is a string", "\"bench.run/1\"", "not valid JSON"},
    {"schema missing", "{\"run_id\":\"r1\",\"samples\":[]}", "schema: missing"},
    {"other schema", "{\"schema\":\"bench.run/2\",\"samples\":[]}",
     "schema: found \"bench.run/2\", this reader supports only \"bench.run/1\""},
    {"schema wrong type", "{\"schema\":1}", "schema: expected the string"},
    {"run_id missing",
     "{\"schema\":\"bench.run/1\",\"created\":\"2026-11-24T19:30:00Z\",\"host\":{},"
     "\"samples\":[]}",
     "run_id: missing"},
    {"run_id with slash",
     "{\"schema\":\"bench.run/1\",\"run_id\":\"../x\",\"created\":\"2026-11-24T19:30:00Z\","
     "\"host\":{},\"samples\":[]}",
     "run_id: \"../x\""},
    {"created not a time",
     "{\"schema\":\"bench.run/1\",\"run_id\":\"r\",\"created\":\"yesterday\",\"host\":{},"
     "\"samples\":[]}",
     "created: \"yesterday\""},
    {"created local time",
     "{\"schema\":\"bench.run/1\",\"run_id\":\"r\",\"created\":\"2026-11-24T19:30:00+01:00\","
     "\"host\":{},\"samples\":[]}",
     "created:"},
    {"host is a string",
     "{\"schema\":\"bench.run/1\",\"run_id\":\"r\",\"created\":\"2026-11-24T19:30:00Z\","
     "\"host\":\"x\",\"samples\":[]}",
     "host: expected an object, found a string"},
    {"invocation is an array", HEAD "\"invocation\":[],\"samples\":[]}",
     "invocation: expected an object, found an array"},
    {"samples missing", HEAD "\"samplez\":[]}", "samples: missing"},
    {"samples not an array", HEAD "\"samples\":{\"0\":" OK_SAMPLE "}}",
     "samples: expected an array, found an object"},
    {"sample is an array", HEAD "\"samples\":[" OK_SAMPLE ",[1,2]]}",
     "samples[1]: expected an object, found an array"},
    {"sample is null", HEAD "\"samples\":[null]}", "samples[0]: expected an object, found null"},
    {"env missing",
     HEAD "\"samples\":[{\"workload\":\"w\",\"metric\":\"m\",\"unit\":\"u\","
          "\"better\":\"higher\",\"values\":[1],\"status\":\"ok\"}]}",
     "samples[0].env: missing"},
    {"env empty",
     HEAD "\"samples\":[{\"env\":\"\",\"workload\":\"w\",\"metric\":\"m\",\"unit\":\"u\","
          "\"better\":\"higher\",\"values\":[1],\"status\":\"ok\"}]}",
     "samples[0].env: must not be empty"},
    {"metric a number",
     HEAD "\"samples\":[{\"env\":\"e\",\"workload\":\"w\",\"metric\":7,\"unit\":\"u\","
          "\"better\":\"higher\",\"values\":[1],\"status\":\"ok\"}]}",
     "samples[0].metric: expected a string, found an integer"},
    {"value as string",
     HEAD "\"samples\":[" OK_SAMPLE ",{\"env\":\"e\",\"workload\":\"w\",\"metric\":\"m\","
          "\"unit\":\"u\",\"better\":\"lower\",\"values\":[1,2,\"3\"],\"status\":\"ok\"}]}",
     "samples[1].values[2]: expected a number, found a string"},
    {"values not an array",
     HEAD "\"samples\":[{\"env\":\"e\",\"workload\":\"w\",\"metric\":\"m\",\"unit\":\"u\","
          "\"better\":\"higher\",\"values\":{},\"status\":\"ok\"}]}",
     "samples[0].values: expected an array, found an object"},
    {"values/outliers length mismatch",
     HEAD "\"samples\":[{\"env\":\"e\",\"workload\":\"w\",\"metric\":\"m\",\"unit\":\"u\","
          "\"better\":\"higher\",\"values\":[1,2,3],\"outliers\":[false,false],"
          "\"status\":\"ok\"}]}",
     "samples[0].outliers: has 2 entries but values has 3"},
    {"outlier flag not boolean",
     HEAD "\"samples\":[{\"env\":\"e\",\"workload\":\"w\",\"metric\":\"m\",\"unit\":\"u\","
          "\"better\":\"higher\",\"values\":[1,2],\"outliers\":[false,0],"
          "\"status\":\"ok\"}]}",
     "samples[0].outliers[1]: expected true or false, found an integer"},
    {"better sideways",
     HEAD "\"samples\":[{\"env\":\"e\",\"workload\":\"w\",\"metric\":\"m\",\"unit\":\"u\","
          "\"better\":\"sideways\",\"values\":[1],\"status\":\"ok\"}]}",
     "samples[0].better: expected \"higher\" or \"lower\", found \"sideways\""},
    {"status unknown",
     HEAD "\"samples\":[{\"env\":\"e\",\"workload\":\"w\",\"metric\":\"m\",\"unit\":\"u\","
          "\"better\":\"lower\",\"values\":[1],\"status\":\"maybe\"}]}",
     "samples[0].status: expected \"ok\" or \"failed\", found \"maybe\""},
    {"status missing",
     HEAD "\"samples\":[{\"env\":\"e\",\"workload\":\"w\",\"metric\":\"m\",\"unit\":\"u\","
          "\"better\":\"lower\",\"values\":[1]}]}",
     "samples[0].status: missing"},
    {"ok without values",
     HEAD "\"samples\":[{\"env\":\"e\",\"workload\":\"w\",\"metric\":\"m\",\"unit\":\"u\","
          "\"better\":\"lower\",\"values\":[],\"status\":\"ok\"}]}",
     "samples[0].values: an ok sample needs at least one value"},
    {"failed without error",
     HEAD "\"samples\":[{\"env\":\"e\",\"workload\":\"w\",\"metric\":\"m\",\"unit\":\"u\","
          "\"better\":\"lower\",\"values\":[],\"status\":\"failed\"}]}",
     "samples[0].error: missing"},
    {"stderr not a string",
     HEAD "\"samples\":[{\"env\":\"e\",\"workload\":\"w\",\"metric\":\"m\",\"unit\":\"u\","
          "\"better\":\"lower\",\"values\":[],\"status\":\"failed\",\"error\":\"x\","
          "\"stderr\":[\"x\"]}]}",
     "samples[0].stderr: expected a string, found an array"},
    {"config an array",
     HEAD "\"samples\":[{\"env\":\"e\",\"workload\":\"w\",\"metric\":\"m\",\"unit\":\"u\","
          "\"better\":\"lower\",\"values\":[1],\"config\":[],\"status\":\"ok\"}]}",
     "samples[0].config: expected an object, found an array"},
    {"wire a string",
     HEAD "\"samples\":[{\"env\":\"e\",\"workload\":\"w\",\"metric\":\"m\",\"unit\":\"u\","
          "\"better\":\"lower\",\"values\":[1],\"wire\":\"lo\",\"status\":\"ok\"}]}",
     "samples[0].wire: expected an object, found a string"},
    {"stats.n a string",
     HEAD "\"samples\":[{\"env\":\"e\",\"workload\":\"w\",\"metric\":\"m\",\"unit\":\"u\","
          "\"better\":\"lower\",\"values\":[1],\"stats\":{\"n\":\"1\"},\"status\":\"ok\"}]}",
     "samples[0].stats.n: expected an integer, found a string"},
    {"stats.mean null",
     HEAD "\"samples\":[{\"env\":\"e\",\"workload\":\"w\",\"metric\":\"m\",\"unit\":\"u\","
          "\"better\":\"lower\",\"values\":[1],\"stats\":{\"n\":1,\"mean\":null},"
          "\"status\":\"ok\"}]}",
     "samples[0].stats.mean: expected a number, found null"},
    {"stats an array",
     HEAD "\"samples\":[{\"env\":\"e\",\"workload\":\"w\",\"metric\":\"m\",\"unit\":\"u\","
          "\"better\":\"lower\",\"values\":[1],\"stats\":[],\"status\":\"ok\"}]}",
     "samples[0].stats: expected an object, found an array"},
    {"NaN token", HEAD "\"samples\":[{\"values\":[NaN]}]}", "not valid JSON"},
    {"Infinity token", HEAD "\"samples\":[{\"values\":[-Infinity]}]}", "not valid JSON"},
    {"real overflow", HEAD "\"samples\":[{\"values\":[1e400]}]}", "not valid JSON"},
    {"integer overflow", HEAD "\"samples\":[{\"values\":[123456789012345678901234567890]}]}",
     "not valid JSON"},
    {"huge values overflow the statistics",
     HEAD "\"samples\":[{\"env\":\"e\",\"workload\":\"w\",\"metric\":\"m\",\"unit\":\"u\","
          "\"better\":\"lower\",\"values\":[1.7e308,-1.7e308],\"status\":\"ok\"}]}",
     "samples[0].values: statistics of 2 values overflow"},
    {"duplicate key", HEAD "\"samples\":[],\"samples\":[]}", "duplicate"},
    {"nul in string", HEAD "\"samples\":[],\"x\":\"a\\u0000b\"}", "not valid JSON"},
};

static void test_rejects_malformed(void **state)
{
	struct fixture *fx = *state;
	const char *file = path_in(fx, "bad.json");
	for (size_t i = 0; i < N(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		write_file(file, c->text, strlen(c->text));
		struct run run;
		struct bench_error *err = NULL;
		int rc = run_read(file, &run, &err);
		if (rc != -1 || err == NULL)
			fail_msg("%s: accepted", c->name);
		if (strstr(err->msg, c->fragment) == NULL || strstr(err->msg, file) == NULL)
			fail_msg("%s: message \"%s\" lacks \"%s\" or the file name", c->name,
			         err->msg, c->fragment);
		if (getenv("TEST_RESULT_VERBOSE") != NULL)
			print_message("%-36s %s\n", c->name, err->msg);
		/* *run is left empty, so freeing it is harmless. */
		assert_int_equal(run.n_samples, 0);
		assert_null(run.samples);
		run_free(&run);
		bench_error_free(&err);
	}
}

static void test_read_errors(void **state)
{
	struct fixture *fx = *state;
	struct run run;
	struct bench_error *err = NULL;
	assert_int_equal(run_read(path_in(fx, "nope.json"), &run, &err), -1);
	assert_non_null(strstr(err->msg, "opening"));
	assert_int_equal(err->status, ENOENT);
	bench_error_free(&err);
	assert_int_equal(run_read(fx->dir, &run, &err), -1);
	assert_non_null(strstr(err->msg, "not a regular file"));
	bench_error_free(&err);
	/* A FIFO is refused at once instead of blocking for a writer. */
	assert_int_equal(mkfifo(path_in(fx, "fifo"), 0600), 0);
	assert_int_equal(run_read(path_in(fx, "fifo"), &run, &err), -1);
	assert_non_null(strstr(err->msg, "not a regular file"));
	bench_error_free(&err);
	/* A NULL err is allowed. */
	assert_int_equal(run_read(fx->dir, &run, NULL), -1);

	/* Minimal valid document: empty host, no samples, fractional time. */
	const char *min = "{\"schema\":\"bench.run/1\",\"run_id\":\"r\",\"created\":"
	                  "\"2026-11-24T19:30:00.123Z\",\"host\":{},\"samples\":[],\"extra\":1}";
	write_file(path_in(fx, "min.json"), min, strlen(min));
	assert_int_equal(run_read(path_in(fx, "min.json"), &run, &err), 0);
	assert_int_equal(run.n_samples, 0);
	run_free(&run);
}

/* ---- fuzz-like input ------------------------------------------------------ */

static char *valid_text(size_t *len)
{
	struct run run;
	build_run(&run);
	json_t *doc = run_to_json(&run);
	run_free(&run);
	char *text = json_dumps(doc, JSON_INDENT(1));
	json_decref(doc);
	assert_non_null(text);
	*len = strlen(text);
	return text;
}

/* Parses text and validates it; asserts the outcome is either success (then
 * frees it) or -1 with a message. Returns the status. */
static int try_text(const char *text, size_t len)
{
	json_error_t je;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL)
		return -1;
	struct run run;
	struct bench_error *err = NULL;
	int rc = run_from_json(doc, &run, &err);
	json_decref(doc);
	if (rc == 0) {
		assert_null(err);
		run_free(&run);
	} else {
		assert_int_equal(rc, -1);
		assert_non_null(err);
		assert_true(err->msg[0] != '\0');
		bench_error_free(&err);
	}
	return rc;
}

static void test_every_truncation_is_rejected(void **state)
{
	(void)state;
	size_t len;
	char *text = valid_text(&len);
	assert_int_equal(try_text(text, len), 0);
	for (size_t cut = 0; cut < len; cut++)
		assert_int_equal(try_text(text, cut), -1);
	free(text);
}

static void test_random_byte_mutations(void **state)
{
	(void)state;
	size_t len;
	char *text = valid_text(&len);
	char *copy = malloc(len);
	assert_non_null(copy);
	static const char pick[] = "{}[]\":,0123456789-+.eE tfnrul\\/x";
	uint64_t x = 0x9E3779B97F4A7C15ull;
	for (int iter = 0; iter < 4000; iter++) {
		memcpy(copy, text, len);
		int edits = 1 + iter % 4;
		for (int k = 0; k < edits; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			size_t at = (size_t)(x % len);
			copy[at] = (x >> 32) % 5 == 0 ? (char)(x >> 40)
			                              : pick[(x >> 24) % (sizeof(pick) - 1)];
		}
		try_text(copy, len);
	}
	free(copy);
	free(text);
}

/* Replaces (or deletes) the k-th node of doc in pre-order, root excluded. */
static bool mutate_nth(json_t *node, size_t *k, json_t *with)
{
	if (json_is_object(node)) {
		const char *key;
		json_t *child;
		void *tmp;
		json_object_foreach_safe(node, tmp, key, child)
		{
			if ((*k)-- == 0) {
				if (with == NULL)
					json_object_del(node, key);
				else
					json_object_set(node, key, with);
				return true;
			}
			if (mutate_nth(child, k, with))
				return true;
		}
	} else if (json_is_array(node)) {
		for (size_t i = 0; i < json_array_size(node); i++) {
			if ((*k)-- == 0) {
				if (with == NULL)
					json_array_remove(node, i);
				else
					json_array_set(node, i, with);
				return true;
			}
			if (mutate_nth(json_array_get(node, i), k, with))
				return true;
		}
	}
	return false;
}

static void test_every_node_replaced_or_deleted(void **state)
{
	(void)state;
	struct run run;
	build_run(&run);
	json_t *doc = run_to_json(&run);
	run_free(&run);
	json_t *kinds[] = {json_null(),      json_true(),  json_integer(-1), json_real(1e308),
	                   json_string("x"), json_array(), json_object(),    NULL /* delete */};
	size_t rejected = 0, total = 0;
	for (size_t n = 0;; n++) {
		bool found = false;
		for (size_t kind = 0; kind < N(kinds); kind++) {
			json_t *copy = json_deep_copy(doc);
			size_t k = n;
			found = mutate_nth(copy, &k, kinds[kind]);
			if (found) {
				struct bench_error *err = NULL;
				struct run back;
				int rc = run_from_json(copy, &back, &err);
				total++;
				if (rc == 0) {
					run_free(&back);
				} else {
					assert_non_null(err);
					rejected++;
					bench_error_free(&err);
				}
			}
			json_decref(copy);
		}
		if (!found)
			break;
	}
	/* Sanity: this walked the document and most damage was caught. */
	assert_true(total > 300);
	assert_true(rejected > total / 3);
	for (size_t kind = 0; kind < N(kinds); kind++)
		json_decref(kinds[kind]);
	json_decref(doc);
}

/* ---- write failures -------------------------------------------------------- */

static void test_write_to_missing_parent(void **state)
{
	struct fixture *fx = *state;
	struct run run;
	struct bench_error *err = NULL;
	build_run(&run);
	assert_int_equal(run_write(&run, path_in(fx, "no/such/dir"), &err), -1);
	assert_non_null(strstr(err->msg, "creating directory"));
	assert_int_equal(err->status, ENOENT);
	bench_error_free(&err);

	/* Parent is a regular file. */
	write_file(path_in(fx, "plain"), "x", 1);
	assert_int_equal(run_write(&run, path_in(fx, "plain/run"), &err), -1);
	assert_int_equal(err->status, ENOTDIR);
	bench_error_free(&err);
	/* dir itself is a regular file. */
	assert_int_equal(run_write(&run, path_in(fx, "plain"), &err), -1);
	assert_int_equal(err->status, ENOTDIR);
	bench_error_free(&err);

	char names[256];
	list_dir(fx->dir, names, sizeof(names));
	assert_string_equal(names, "plain");
	run_free(&run);
}

static void test_write_to_unwritable_dir(void **state)
{
	struct fixture *fx = *state;
	struct run run;
	struct bench_error *err = NULL;
	build_run(&run);
	/* root ignores mode bits, so root uses a directory of procfs instead,
	 * where nobody can create files. */
	const char *dir = "/proc/self";
	if (geteuid() != 0) {
		dir = path_in(fx, "ro");
		assert_int_equal(mkdir(dir, 0555), 0);
	}
	assert_int_equal(run_write(&run, dir, &err), -1);
	assert_non_null(strstr(err->msg, "creating a temporary file in"));
	bench_error_free(&err);
	if (geteuid() != 0) {
		char names[256];
		list_dir(dir, names, sizeof(names));
		assert_string_equal(names, "");
	}
	/* Under a read-only parent the run directory cannot be made either. */
	char sub[256];
	snprintf(sub, sizeof(sub), "%s/run", dir);
	assert_int_equal(run_write(&run, sub, &err), -1);
	assert_non_null(strstr(err->msg, "creating directory"));
	bench_error_free(&err);
	run_free(&run);
}

static void test_write_fails_midway(void **state)
{
	struct fixture *fx = *state;
	struct run run;
	struct bench_error *err = NULL;
	build_run(&run);
	/* A file size limit makes the write itself fail (EFBIG): the temp
	 * file and the directory run_write made are both removed. */
	struct rlimit old, small;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 100;
	void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	int rc = run_write(&run, path_in(fx, "big"), &err);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, prev);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err->msg, "writing run.json in"));
	assert_int_equal(err->status, EFBIG);
	bench_error_free(&err);
	assert_false(exists(path_in(fx, "big")));

	/* Same into an existing directory: it stays, empty. */
	assert_int_equal(mkdir(path_in(fx, "keep"), 0755), 0);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	prev = signal(SIGXFSZ, SIG_IGN);
	rc = run_write(&run, path_in(fx, "keep"), &err);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, prev);
	assert_int_equal(rc, -1);
	bench_error_free(&err);
	char names[256];
	list_dir(path_in(fx, "keep"), names, sizeof(names));
	assert_string_equal(names, "");

	/* A run that cannot be serialised (a NaN slipped in behind
	 * run_add_sample's back) creates nothing at all. */
	run.samples[0].values[2] = NAN;
	assert_int_equal(run_write(&run, path_in(fx, "nan"), &err), -1);
	assert_non_null(strstr(err->msg, "cannot serialise"));
	bench_error_free(&err);
	assert_false(exists(path_in(fx, "nan")));
	run_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	    cmocka_unit_test(test_document_shape),
	    cmocka_unit_test(test_add_sample_rules),
	    cmocka_unit_test_setup_teardown(test_invalid_utf8_is_replaced, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wire_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rejects_malformed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_errors, setup, teardown),
	    cmocka_unit_test(test_every_truncation_is_rejected),
	    cmocka_unit_test(test_random_byte_mutations),
	    cmocka_unit_test(test_every_node_replaced_or_deleted),
	    cmocka_unit_test_setup_teardown(test_write_to_missing_parent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_to_unwritable_dir, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_fails_midway, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
