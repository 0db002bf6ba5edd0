/* Run files on disk: atomic write of dir/run.json, validated read. */
#include "harness/core/result.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"
#include "harness/core/json_file.h"
#include "harness/core/json_stream.h"

#define RUN_FILE "run.json"

int run_write(const struct run *run, const char *dir, struct bench_error **err)
{
	/* Serialise first: a run that cannot be written creates nothing. */
	json_auto_t *doc = run_to_json(run);
	if (doc == NULL)
		return bench_error_set(
		    err, 0,
		    "%s: cannot serialise the run (no run_id, "
		    "a value that is not finite, invalid UTF-8, or out of memory)",
		    dir);
	return json_file_write(doc, dir, RUN_FILE, err);
}

/* What a streamed read has gathered so far: the header members (small),
 * the samples parsed (as C structs), and the first sample's error, kept
 * until the end because a syntax error later in the file, or a problem of
 * the header (which may come after the samples), is reported first. */
struct gathered {
	json_t *header;
	struct run samples;
	json_t *shared; /* distinct sample members so far, by their text */
	bool sample_failed;
	struct bench_error *sample_err; /* its message, when err was given */
};

/* Adds (steals) a member for the header check. */
static int keep_member(struct json_stream *s, struct gathered *g, const char *name, json_t *v,
                       struct bench_error **err)
{
	if (json_object_set_new(g->header, name, v) < 0)
		return bench_error_set(err, 0, "reading %s: out of memory", s->path);
	return 0;
}

/* Replaces *member by an equal one read before, if any. The samples of one
 * workload in one environment (its metrics) carry the same config,
 * pinning, order and wire objects: in three run files of `bench all` and
 * `bench run` here, 123 samples held 42 distinct configs, 6 to 9 pinnings,
 * 4 to 18 orders and 10 wires (one in three to one in twenty), so sharing
 * them cuts these members' memory to about a quarter. Warm-ups are not
 * shared: each metric's has its own values. Nothing that reads a run
 * changes these objects; they are shared by reference count, as the
 * whole-document reader's samples shared its document. A member that
 * cannot be printed is kept as it is. */
static void share_member(json_t *shared, json_t **member)
{
	if (*member == NULL || shared == NULL)
		return;
	char *text = json_dumps(*member, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY |
	                                     JSON_REAL_PRECISION(17));
	if (text == NULL)
		return;
	json_t *seen = json_object_get(shared, text);
	if (seen != NULL) {
		json_decref(*member);
		*member = json_incref(seen);
	} else {
		json_object_set(shared, text, *member);
	}
	free(text);
}

static void share_members(json_t *shared, struct sample *s)
{
	share_member(shared, &s->config);
	share_member(shared, &s->pinning);
	share_member(shared, &s->wire);
	share_member(shared, &s->order);
}

/* "samples": each element parsed by jansson alone, handed to
 * run_sample_from_json and freed. After a sample's error the rest are
 * still parsed (syntax, duplicates) but no longer kept. */
static int read_samples(struct json_stream *s, struct gathered *g, struct bench_error **err)
{
	int more;
	for (size_t i = 0; (more = json_stream_element(s, err)) == 1; i++) {
		json_t *e;
		if (json_stream_value(s, 3, &e, err) < 0)
			return -1;
		if (!g->sample_failed &&
		    run_sample_from_json(e, i, &g->samples, err != NULL ? &g->sample_err : NULL) <
		        0) {
			g->sample_failed = true;
			run_free(&g->samples);
		} else if (!g->sample_failed) {
			share_members(g->shared, &g->samples.samples[g->samples.n_samples - 1]);
		}
		json_decref(e);
	}
	if (more < 0)
		return -1;
	/* The header check wants "samples" present and an array. */
	return keep_member(s, g, "samples", json_array(), err);
}

/* One member of the root: samples streamed, header members kept, anything
 * else parsed (so that it is valid JSON) and dropped. */
static int read_member(struct json_stream *s, const char *name, struct gathered *g,
                       struct bench_error **err)
{
	if (strcmp(name, "samples") == 0) {
		int array = json_stream_array_open(s, err);
		if (array != 0)
			return array < 0 ? -1 : read_samples(s, g, err);
	}
	json_t *v;
	if (json_stream_value(s, 2, &v, err) < 0)
		return -1;
	/* "samples" that is not an array stays, for the header's message. */
	if (strcmp(name, "samples") == 0 || run_header_member(name))
		return keep_member(s, g, name, v, err);
	json_decref(v);
	return 0;
}

/* The root is not an object: read it whole, so that the message is
 * run_from_json's ("(root): expected an object, found an array"). */
static int read_other_root(struct json_stream *s, struct run *run, struct bench_error **err)
{
	json_auto_t *doc = NULL;
	if (json_stream_value(s, 1, &doc, err) < 0 || json_stream_end(s, err) < 0)
		return -1;
	if (run_from_json(doc, run, err) < 0)
		return bench_error_wrap(err, "%s", s->path);
	return 0;
}

static int read_stream(struct json_stream *s, struct run *run, struct gathered *g,
                       struct bench_error **err)
{
	int rc = json_stream_object_open(s, err);
	if (rc <= 0)
		return rc < 0 ? -1 : read_other_root(s, run, err);
	const char *name;
	while ((rc = json_stream_member(s, &name, err)) == 1) {
		if (read_member(s, name, g, err) < 0)
			return -1;
	}
	if (rc < 0 || json_stream_end(s, err) < 0)
		return -1;
	if (run_header_from_json(g->header, run, err) < 0)
		return bench_error_wrap(err, "%s", s->path);
	if (g->sample_failed) {
		run_free(run);
		if (err != NULL && *err == NULL)
			*err = steal_pointer(&g->sample_err);
		return bench_error_wrap(err, "%s", s->path);
	}
	run->samples = g->samples.samples;
	run->n_samples = g->samples.n_samples;
	run->cap_samples = g->samples.cap_samples;
	memset(&g->samples, 0, sizeof(g->samples));
	return 0;
}

int run_read(const char *path, struct run *run, struct bench_error **err)
{
	memset(run, 0, sizeof(*run));
	struct gathered g = {.header = json_object(), .shared = json_object()};
	struct json_stream s;
	int rc = json_stream_open(&s, path, err);
	if (rc == 0 && g.header == NULL)
		rc = bench_error_set(err, 0, "reading %s: out of memory", path);
	if (rc == 0)
		rc = read_stream(&s, run, &g, err);
	json_stream_close(&s);
	json_decref(g.header);
	json_decref(g.shared);
	run_free(&g.samples);
	bench_error_free(&g.sample_err);
	if (rc < 0)
		run_free(run);
	return rc;
}
