/* The streamed run-file reader (run_read over harness/core/json_stream.c)
 * against the whole-document reader it replaced (json_file_read, then
 * run_from_json): the same run from the same file, whatever the members'
 * order and layout; the same refusal, word for word, of every truncation
 * and of thousands of damaged files; the file's line and column in syntax
 * errors; and `bench report` of 20,000 samples within a memory bound that
 * the whole-document reader cannot meet. About 8 s (4.5 s of it the report). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness/core/json_file.h"
#include "harness/core/result.h"
#include "tests/testutil.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct fixture {
	char dir[PATH_MAX];
	char file[PATH_MAX];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	if (fx == NULL || make_build_tmpdir("result-stream-", fx->dir) < 0)
		return -1;
	snprintf(fx->file, sizeof(fx->file), "%.*s/run.json", PATH_MAX - 16, fx->dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	remove_tree(fx->dir);
	free(fx);
	return 0;
}

static void write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* The reader run_read was before it streamed: the whole document, then
 * run_from_json. */
static int whole_read(const char *path, struct run *run, struct bench_error **err)
{
	memset(run, 0, sizeof(*run));
	json_t *doc = json_file_read(path, err);
	if (doc == NULL)
		return -1;
	int rc = run_from_json(doc, run, err);
	json_decref(doc);
	if (rc < 0)
		bench_error_wrap(err, "%s", path);
	return rc;
}

/* A run as text, compact, members in their written order, values bit for
 * bit (17 digits). */
static char *run_text(const struct run *run)
{
	json_t *doc = run_to_json(run);
	assert_non_null(doc);
	char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
	json_decref(doc);
	assert_non_null(text);
	return text;
}

struct outcome {
	int rc;
	char *run; /* run_text of what was read, or NULL */
	char msg[2048];
};

static void read_both(const char *path, struct outcome *streamed, struct outcome *whole)
{
	struct outcome *o[2] = {streamed, whole};
	for (int k = 0; k < 2; k++) {
		struct run run;
		struct bench_error *err = NULL;
		o[k]->rc = k == 0 ? run_read(path, &run, &err) : whole_read(path, &run, &err);
		o[k]->run = o[k]->rc == 0 ? run_text(&run) : NULL;
		snprintf(o[k]->msg, sizeof(o[k]->msg), "%s", err != NULL ? err->msg : "");
		if (o[k]->rc < 0) {
			/* A refused file leaves *run empty and says why. */
			assert_int_equal(run.n_samples, 0);
			assert_null(run.samples);
			assert_null(run.run_id);
			assert_non_null(err);
		}
		run_free(&run);
		bench_error_free(&err);
	}
}

/* Both readers give the same run, or the same message. Returns rc. */
static int assert_same_outcome(const char *path, const char *what)
{
	struct outcome s, w;
	read_both(path, &s, &w);
	if (s.rc != w.rc)
		fail_msg("%s: streamed rc %d (%s), whole-document rc %d (%s)", what, s.rc, s.msg,
		         w.rc, w.msg);
	if (s.rc == 0 && strcmp(s.run, w.run) != 0)
		fail_msg("%s: the two readers read different runs", what);
	if (s.rc != 0 && strcmp(s.msg, w.msg) != 0)
		fail_msg("%s: messages differ:\n  streamed: %s\n  whole:    %s", what, s.msg,
		         w.msg);
	free(s.run);
	free(w.run);
	return s.rc;
}

/* A run with everything a reader keeps: header members, ok and failed
 * samples with config, pinning, wire, order and warm-up, an overhead and a
 * density array, and members no reader knows. */
static json_t *rich_doc(void)
{
	struct run run;
	run_init(&run, "20261201-103000-host-77");
	run.created = strdup("2026-12-01T10:30:00.5Z");
	run.host = json_pack("{s:s, s:s, s:[{s:i, s:s}], s:I}", "hostname", "h\xc3\xa9te", "kernel",
	                     "6.1", "numa_nodes", "os_index", 0, "cpus", "0-1", "memory_bytes",
	                     (json_int_t)25769803776);
	run.invocation =
	    json_pack("{s:[s, s], s:{s:i}}", "argv", "bench", "run", "options", "max_reps", 30);
	run.overhead = json_pack("[{s:s, s:f}]", "env", "container", "ratio", 0.97);
	run.density = json_pack("[{s:s, s:i}]", "study", "mem", "instances", 4);
	struct bench_error *err = NULL;
	for (int i = 0; i < 3; i++) {
		double v[] = {100 + i, 101.5 + i, 99.25, 1e-300, 0.1 * i, 3.3333333333333335};
		char metric[16];
		snprintf(metric, sizeof(metric), "m%d", i);
		json_t *config = json_pack("{s:{s:i, s:s}, s:I}", "asked", "threads", i, "duration",
		                           "0.5", "size", (json_int_t)1 << 30);
		json_t *pinning =
		    json_pack("{s:{s:s}, s:{s:s}}", "asked", "cpus", "0", "seen", "cpus", "0");
		json_t *order = json_pack("{s:b, s:[i, i, i, i, i, i]}", "interleaved", 1, "block",
		                          0, 1, 2, 3, 4, 5);
		json_t *warmup = json_pack("{s:i, s:b}", "runs", 2, "settled", 1);
		json_t *wire = i == 2 ? json_pack("{s:i, s:n}", "packets", 10, "dropped") : NULL;
		struct sample s = {
		    .env = i % 2 ? "container" : "bare",
		    .workload = "mem.stream",
		    .metric = metric,
		    .unit = "MB/s",
		    .better = i == 3 ? BETTER_LOWER : BETTER_HIGHER,
		    .values = v,
		    .n_values = N(v),
		    .config = config,
		    .pinning = pinning,
		    .order = order,
		    .warmup = warmup,
		    .wire = wire,
		};
		assert_int_equal(run_add_sample(&run, &s, &err), 0);
		json_decref(config);
		json_decref(pinning);
		json_decref(order);
		json_decref(warmup);
		json_decref(wire);
	}
	struct sample failed = {
	    .env = "qemu",
	    .workload = "disk.rand_read",
	    .metric = "iops",
	    .unit = "IO/s",
	    .better = BETTER_HIGHER,
	    .failed = true,
	    .error = "guest did not answer",
	    .stderr_text = "line 1\n\ttab \"quoted\" \\ back\xc3\xbc\n",
	};
	assert_int_equal(run_add_sample(&run, &failed, &err), 0);
	json_t *doc = run_to_json(&run);
	run_free(&run);
	assert_non_null(doc);
	json_object_set_new(doc, "future",
	                    json_pack("{s:[i, {s:s}], s:s}", "a", 1, "b", "c", "d", "}]\"{["));
	json_object_set_new(doc, "zz_number", json_real(-1.5e-7));
	return doc;
}

/* doc's members in the order of keys[], as text with the given indent
 * (0: compact). */
static char *doc_text(const json_t *doc, const char *const *keys, size_t n, int indent)
{
	json_t *o = json_object();
	for (size_t i = 0; i < n; i++)
		json_object_set(o, keys[i], json_object_get(doc, keys[i]));
	size_t flags = JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17) |
	               (indent > 0 ? JSON_INDENT(indent) : JSON_COMPACT);
	char *text = json_dumps(o, flags);
	json_decref(o);
	assert_non_null(text);
	return text;
}

static size_t doc_keys(const json_t *doc, const char **keys, size_t max)
{
	size_t n = 0;
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)doc, key, v)
	{
		assert_true(n < max);
		keys[n++] = key;
	}
	return n;
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* The same run through both readers: the fuzz corpus's real run file, and
 * a rich run with its members in 40 orders (samples first, schema last,
 * unknown members between) and three layouts. */
static void test_same_run_any_order(void **state)
{
	struct fixture *fx = *state;
	assert_int_equal(assert_same_outcome("tests/fuzz/corpus/fuzz_run_file/two-samples.json",
	                                     "two-samples.json"),
	                 0);
	json_t *doc = rich_doc();
	const char *keys[16];
	size_t n = doc_keys(doc, keys, N(keys));
	uint64_t x = 0x2545F4914F6CDD1Dull;
	for (int round = 0; round < 40; round++) {
		if (round == 1) { /* reversed: samples before the schema */
			for (size_t i = 0; i < n / 2; i++) {
				const char *t = keys[i];
				keys[i] = keys[n - 1 - i];
				keys[n - 1 - i] = t;
			}
		} else if (round > 1) {
			for (size_t i = n - 1; i > 0; i--) {
				size_t j = xorshift(&x) % (i + 1);
				const char *t = keys[i];
				keys[i] = keys[j];
				keys[j] = t;
			}
		}
		char *text = doc_text(doc, keys, n, round % 3 == 2 ? 4 : round % 3);
		write_text(fx->file, text, strlen(text));
		char what[64];
		snprintf(what, sizeof(what), "member order %d", round);
		assert_int_equal(assert_same_outcome(fx->file, what), 0);
		free(text);
	}
	/* And the run is the one written, not merely the same twice. */
	struct run run;
	struct bench_error *err = NULL;
	assert_int_equal(run_read(fx->file, &run, &err), 0);
	assert_int_equal(run.n_samples, 4);
	assert_string_equal(run.samples[3].stderr_text,
	                    "line 1\n\ttab \"quoted\" \\ back\xc3\xbc\n");
	assert_non_null(run.overhead);
	assert_non_null(run.density);
	assert_true(json_is_true(json_object_get(run.samples[1].order, "interleaved")));
	run_free(&run);
	json_decref(doc);
}

/* Every prefix of a run file is refused, with the whole-document reader's
 * message: the same words, line and column. Two member orders, indented
 * (so lines count) and compact. */
static void test_every_truncation(void **state)
{
	struct fixture *fx = *state;
	json_t *doc = rich_doc();
	const char *keys[16];
	size_t n = doc_keys(doc, keys, N(keys));
	for (int variant = 0; variant < 2; variant++) {
		if (variant == 1) {
			const char *t = keys[0];
			keys[0] = keys[n - 1];
			keys[n - 1] = t;
		}
		char *text = doc_text(doc, keys, n, variant == 0 ? 1 : 0);
		size_t len = strlen(text);
		for (size_t cut = 0; cut < len; cut++) {
			write_text(fx->file, text, cut);
			char what[64];
			snprintf(what, sizeof(what), "variant %d cut at %zu of %zu", variant, cut,
			         len);
			assert_int_equal(assert_same_outcome(fx->file, what), -1);
		}
		free(text);
	}
	json_decref(doc);
}

/* Damaged files (bytes replaced by JSON punctuation, letters or anything):
 * the same outcome from both readers, the same message word for word. */
static void test_same_refusals_of_damage(void **state)
{
	struct fixture *fx = *state;
	json_t *doc = rich_doc();
	const char *keys[16];
	size_t n = doc_keys(doc, keys, N(keys));
	char *text = doc_text(doc, keys, n, 1);
	size_t len = strlen(text);
	char *copy = malloc(len);
	assert_non_null(copy);
	static const char pick[] = "{}[]\":,0123456789-+.eE tfnrul\\/x\n";
	uint64_t x = 0x9E3779B97F4A7C15ull;
	size_t refused = 0;
	for (int iter = 0; iter < 2000; iter++) {
		memcpy(copy, text, len);
		for (int k = 0; k < 1 + iter % 3; k++) {
			uint64_t r = xorshift(&x);
			copy[r % len] = (r >> 32) % 5 == 0 ? (char)(r >> 40)
			                                   : pick[(r >> 24) % (sizeof(pick) - 1)];
		}
		write_text(fx->file, copy, len);
		char what[64];
		snprintf(what, sizeof(what), "mutation %d", iter);
		if (assert_same_outcome(fx->file, what) < 0)
			refused++;
	}
	/* Sanity: most damage is refused, some is harmless. */
	assert_true(refused > 1000 && refused < 2000);
	free(copy);
	free(text);
	json_decref(doc);
}

struct refusal {
	const char *name;
	const char *text;
	const char *want; /* the message after "path:" */
};

#define HEAD                                                                                       \
	"{\n \"schema\": \"bench.run/1\",\n \"run_id\": \"r1\",\n"                                 \
	" \"created\": \"2026-11-24T19:30:00Z\",\n \"host\": {},\n"
#define SAMPLE                                                                                     \
	"{\"env\": \"bare\", \"workload\": \"w\", \"metric\": \"m\", \"unit\": \"u\", "            \
	"\"better\": \"higher\", \"values\": [1, 2], \"status\": \"ok\"}"

/* The refusals the reader must keep, with the file's line and column. */
static const struct refusal refusals[] = {
    {"duplicate top-level member", HEAD " \"samples\": [],\n \"samples\": []\n}\n",
     "7:10: not valid JSON: duplicate object key near '\"samples\"'"},
    {"duplicate run_id after the samples", HEAD " \"samples\": [" SAMPLE "],\n \"run_id\": \"r2\"}",
     "7:9: not valid JSON: duplicate object key near '\"run_id\"'"},
    {"duplicate key inside a sample",
     HEAD " \"samples\": [\n  " SAMPLE ",\n  {\"env\": \"a\",\n   \"env\": \"b\"}]}",
     "9:8: not valid JSON: duplicate object key near '\"env\"'"},
    {"syntax error in the second sample",
     HEAD " \"samples\": [\n  " SAMPLE ",\n  {\"env\": \"bare\", \"values\": [1 2]}\n ]\n}",
     "8:32: not valid JSON: ']' expected near '2'"},
    {"trailing garbage", HEAD " \"samples\": []\n}\n\n  x",
     "9:3: not valid JSON: end of file expected near 'x'"},
    {"a second document", HEAD " \"samples\": []\n}{}",
     "7:2: not valid JSON: end of file expected near '{'"},
    {"missing comma between members", HEAD " \"samples\": []\n \"x\": 1}",
     "7:4: not valid JSON: '}' expected near '\"x\"'"},
    {"cut after a member", HEAD " \"samples\": [],",
     "6:15: not valid JSON: string or '}' expected near end of file"},
    {"cut inside the samples", HEAD " \"samples\": [" SAMPLE ",",
     "6:128: not valid JSON: ']' expected near end of file"},
    {"cut inside a sample", HEAD " \"samples\": [{\"env\": \"ba",
     "6:24: not valid JSON: premature end of input near '\"ba'"},
    {"invalid UTF-8 in a sample", HEAD " \"samples\": [{\"env\": \"b\xff\"}]}",
     "6:23: not valid JSON: unable to decode byte 0xff near '\"b'"},
    {"invalid UTF-8 in a member name", HEAD " \"sam\xc3\x28\": []}",
     "6:5: not valid JSON: unable to decode byte 0xc3 near '\"sam'"},
    {"NaN", HEAD " \"samples\": [{\"values\": [NaN]}]}",
     "6:28: not valid JSON: invalid token near 'NaN'"},
    {"schema after a bad sample", "{\"samples\": [{\"env\": 1}], \"schema\": \"bench.run/2\"}",
     "schema: found \"bench.run/2\", this reader supports only \"bench.run/1\""},
    {"bad sample, then a syntax error", HEAD " \"samples\": [{\"env\": 1}],\n \"x\": [1,]}",
     "7:10: not valid JSON: unexpected token near ']'"},
    {"first bad sample named", HEAD " \"samples\": [" SAMPLE ", {\"env\": 1}, {\"env\": []}]}",
     "samples[1].env: expected a string, found an integer"},
    {"samples an object", HEAD " \"samples\": {}}", "samples: expected an array, found an object"},
    {"root an array", "[" SAMPLE "]", "(root): expected an object, found an array"},
    {"root a number", "12", "1:2: not valid JSON: '[' or '{' expected near '12'"},
};

static void test_refusals(void **state)
{
	struct fixture *fx = *state;
	int wrong = 0;
	for (size_t i = 0; i < N(refusals); i++) {
		const struct refusal *c = &refusals[i];
		write_text(fx->file, c->text, strlen(c->text));
		struct run run;
		struct bench_error *err = NULL;
		assert_int_equal(run_read(fx->file, &run, &err), -1);
		char want[PATH_MAX + 512];
		bool syntax = strstr(c->want, "not valid JSON") != NULL;
		snprintf(want, sizeof(want), "%s%s%s", fx->file, syntax ? ":" : ": ", c->want);
		if (strcmp(err->msg, want) != 0) {
			print_error("%s:\n  got  %s\n  want %s\n", c->name, err->msg, want);
			wrong++;
		}
		bench_error_free(&err);
		/* Worded as the whole-document reader words it: jansson's own
		 * words and position. */
		assert_same_outcome(fx->file, c->name);
	}
	assert_int_equal(wrong, 0);
}

/* Nesting: the same limit as the whole-document reader for containers,
 * counted from the document's root, and no crash far beyond it. */
static void test_nesting_limit(void **state)
{
	struct fixture *fx = *state;
	const size_t head = strlen(HEAD);
	size_t cap = head + 2 * 4000 + 64;
	char *text = malloc(cap);
	assert_non_null(text);
	/* "host": {"x": [[...[]...]]}: the arrays start at depth 4. */
	size_t levels[] = {2040, 2044, 2045, 2046, 2047, 4000};
	for (size_t k = 0; k < N(levels); k++) {
		size_t len = 0;
		len += (size_t)snprintf(text + len, cap - len, "%s \"samples\": [],\n \"deep\": [",
		                        HEAD);
		for (size_t i = 0; i < levels[k]; i++)
			text[len++] = '[';
		for (size_t i = 0; i < levels[k]; i++)
			text[len++] = ']';
		len += (size_t)snprintf(text + len, cap - len, "]}");
		write_text(fx->file, text, len);
		char what[64];
		snprintf(what, sizeof(what), "%zu levels", levels[k]);
		int rc = assert_same_outcome(fx->file, what);
		/* The deepest array is at depth 2 + levels. */
		assert_int_equal(rc, levels[k] + 2 <= JSON_PARSER_MAX_DEPTH ? 0 : -1);
	}
	free(text);
}

/* Regular files only: a FIFO is refused at once, a directory too. */
static void test_not_regular(void **state)
{
	struct fixture *fx = *state;
	char fifo[PATH_MAX];
	snprintf(fifo, sizeof(fifo), "%.*s/fifo", PATH_MAX - 16, fx->dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	struct run run;
	struct bench_error *err = NULL;
	assert_int_equal(run_read(fifo, &run, &err), -1);
	assert_non_null(strstr(err->msg, "not a regular file"));
	bench_error_free(&err);
	assert_int_equal(run_read(fx->dir, &run, &err), -1);
	assert_non_null(strstr(err->msg, "not a regular file"));
	bench_error_free(&err);
	assert_int_equal(run_read("/nonexistent/run.json", &run, &err), -1);
	assert_int_equal(err->status, ENOENT);
	bench_error_free(&err);
	assert_int_equal(run_read(fifo, &run, NULL), -1);
}

/* ---- bounded memory ---------------------------------------------------- */

/* Writes a run file of n samples shaped like those bench writes: per
 * environment and workload ten metrics that share the workload's config
 * (asked options, the instance's footprint, the memory choice), pinning and
 * interleaving order, as in real run files; per sample its own values,
 * stats, outlier flags and warm-up (with its own values). Every number
 * differs from workload to workload. Returns the file's size in bytes. */
static long write_large_run(const char *path, size_t n)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "{\n \"schema\": \"bench.run/1\",\n \"run_id\": \"large\",\n"
	           " \"created\": \"2026-12-01T10:30:00Z\",\n"
	           " \"host\": {\"hostname\": \"h\", \"kernel\": \"6.1\", \"pus\": 2},\n"
	           " \"samples\": [");
	uint64_t x = 88172645463325252ull;
	for (size_t i = 0; i < n; i++) {
		size_t group = i / 10; /* one workload in one environment */
		double v[10], w[5], sum = 0;
		for (int k = 0; k < 10; k++) {
			v[k] = 100 + (double)(xorshift(&x) % 100000) / 1000;
			sum += v[k];
		}
		for (int k = 0; k < 5; k++)
			w[k] = 100 + (double)(xorshift(&x) % 100000) / 1000;
		fprintf(f,
		        "%s\n  {\n   \"env\": \"%s\",\n   \"workload\": \"wl%zu\",\n"
		        "   \"metric\": \"m%zu\",\n   \"unit\": \"ops/s\",\n   \"better\": "
		        "\"higher\",\n"
		        "   \"values\": [",
		        i ? "," : "", group % 2 ? "container" : "bare", group / 2, i % 10);
		for (int k = 0; k < 10; k++)
			fprintf(f, "%s%.17g", k ? ", " : "", v[k]);
		fprintf(f, "],\n   \"outliers\": [false, false, false, false, false, false, false, "
		           "false, false, false],\n");
		fprintf(
		    f,
		    "   \"stats\": {\"n\": 10, \"mean\": %.17g, \"median\": %.17g, \"stddev\": "
		    "0.5, \"cv\": 0.004, \"ci95_low\": 99.5, \"ci95_high\": 100.5, \"ci95_half\": "
		    "0.5, \"ci95_rel\": 0.005, \"min\": 100, \"max\": 200, \"outliers\": 0},\n",
		    sum / 10, v[5]);
		fprintf(
		    f,
		    "   \"config\": {\"asked\": {\"threads\": 1, \"duration\": \"0.53\", "
		    "\"min_reps\": 3, \"max_reps\": 10, \"target_ci_pct\": 2.0, \"max_warmup\": 5, "
		    "\"budget_s\": %.17g}, \"wl\": {\"threads\": 1, \"size_bytes\": %zu, "
		    "\"duration_s\": 0.53}, \"instance\": {\"cpu_s\": %.3f, \"mem_bytes\": %zu, "
		    "\"start_s\": 0.0017148170009022579, \"mem_node_bytes\": {\"0\": %zu}, "
		    "\"mem_node_source\": \"numa_maps\"}, \"size\": %zu, \"size_reason\": \"the "
		    "workload's own default\", \"memory\": {\"bytes\": null, \"usable_bytes\": "
		    "6533643196, \"reason\": \"no memory of its own: 6.1 GiB, 4/5 of the host's "
		    "MemAvailable 22.8 GiB over 3 instances up at once\"}},\n",
		    818.1 + (double)group, 1000000 + group, (double)group / 7, 2080768 + group,
		    2080768 + group, 1000000 + group);
		fprintf(
		    f,
		    "   \"pinning\": {\"asked\": {\"cpus\": \"0\", \"numa_node\": null}, \"seen\": "
		    "{\"cpus\": \"0\", \"numa_nodes\": \"0\", \"threads\": 1, \"cpu_nodes\": "
		    "\"0\", "
		    "\"memory_locality\": \"local\", \"tids\": [%zu]}, \"peer\": {\"cpus\": \"1\", "
		    "\"policy\": \"other\", \"reason\": \"the first CPU outside the instance\"}},\n"
		    "   \"order\": {\"interleaved\": true, \"scheme\": \"random\", \"seed\": %zu, "
		    "\"block\": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], \"position\": [%zu, %zu, %zu, %zu, "
		    "%zu, %zu, %zu, %zu, %zu, %zu]},\n",
		    4000 + group, group / 2, group % 3, (group + 1) % 3, (group + 2) % 3, group % 2,
		    (group + 1) % 2, group % 3, (group + 1) % 3, (group + 2) % 3, group % 2,
		    (group + 1) % 2);
		fprintf(
		    f,
		    "   \"warmup\": {\"reps\": 5, \"rule\": \"warm-up rounds (one repetition in "
		    "every environment) until the last 3 agree on the workload's first metric "
		    "((max - min) / mean <= 5%%) in every environment, at most 5\", \"settled\": "
		    "false, \"settled_after\": null, \"values\": [%.17g, %.17g, %.17g, %.17g, "
		    "%.17g]},\n   \"status\": \"ok\"\n  }",
		    w[0], w[1], w[2], w[3], w[4]);
	}
	fprintf(f, "\n ]\n}\n");
	long size = ftell(f);
	assert_int_equal(fclose(f), 0);
	return size;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* `bench report` of a run file of 20,000 samples, in a child whose peak
 * resident memory (wait4's ru_maxrss) must stay under three times the
 * file's size. The bound, derived from measurements here: jansson's tree
 * of a run file is 7.4 to 7.5 times the file (251 MB for the 34 MB file of
 * tests/large_run.py, 292 MB for this 39 MB one), so any return to reading
 * the whole document, even for a moment, passes 7 times the file and
 * fails; the streamed reader keeps what the run keeps (each sample's C
 * form, its warm-up object, the shared config, pinning and order objects:
 * 55 MB here, 1.4 times the file) and the report adds a few MB (61 MB,
 * 1.6 times), so three times leaves about half again for another libc or
 * allocator. Under AddressSanitizer (whose shadow memory and quarantine
 * are not the program's) the report still runs but the bound is not
 * checked. */
static void test_report_memory_bounded(void **state)
{
	struct fixture *fx = *state;
	char run_dir[PATH_MAX], out_dir[PATH_MAX], bench[PATH_MAX];
	snprintf(run_dir, sizeof(run_dir), "%.*s/large", PATH_MAX - 32, fx->dir);
	snprintf(out_dir, sizeof(out_dir), "%.*s/report", PATH_MAX - 32, fx->dir);
	/* RESULT_STREAM_LARGE_DIR keeps the file there, for measuring by hand. */
	const char *keep = getenv("RESULT_STREAM_LARGE_DIR");
	if (keep != NULL && *keep != '\0')
		snprintf(run_dir, sizeof(run_dir), "%s", keep);
	else
		assert_int_equal(mkdir(run_dir, 0755), 0);
	char file[PATH_MAX];
	snprintf(file, sizeof(file), "%.*s/run.json", PATH_MAX - 16, run_dir);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	const size_t n = 20000;
	long size = write_large_run(file, n);
	double t_write = seconds_since(&t0);

	build_path("bench", bench);
	char *argv[] = {bench, "report", run_dir, "--out", out_dir, NULL};
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	int status;
	struct rusage ru;
	/* bench report is bounded in time on its own; a hang shows as the
	 * test's timeout. */
	assert_int_equal(wait4(pid, &status, 0, &ru), pid);
	double t_report = seconds_since(&t0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	long peak_kb = ru.ru_maxrss, limit_kb = 3 * (size / 1024);
	print_message("run file %zu samples, %ld kB (written in %.1f s); bench report peak RSS "
	              "%ld kB, limit %ld kB, %.1f s\n",
	              n, size / 1024, t_write, peak_kb, limit_kb, t_report);
#ifndef __SANITIZE_ADDRESS__
	assert_true(peak_kb < limit_kb);
#endif
	/* The report holds every sample: the CSV has a line per sample. */
	char csv[PATH_MAX];
	snprintf(csv, sizeof(csv), "%.*s/samples.csv", PATH_MAX - 16, out_dir);
	FILE *f = fopen(csv, "r");
	assert_non_null(f);
	size_t lines = 0;
	int c;
	while ((c = fgetc(f)) != EOF)
		lines += c == '\n';
	fclose(f);
	assert_true(lines >= n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_same_run_any_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_every_truncation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_same_refusals_of_damage, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nesting_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_regular, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_report_memory_bounded, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
