/* Run files: results/<run-id>/run.json, schema "bench.run/1" (see
 * results/SCHEMA.md). In memory a run is a struct run; on disk, JSON. */
#ifndef BENCH_RESULT_H
#define BENCH_RESULT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness/core/error.h"
#include "harness/core/stats.h"

#define RUN_SCHEMA "bench.run/1"

/* The longest strings run_read accepts (bytes): names (env, workload,
 * metric, unit, run_id, ...), a failed sample's error, its stderr. */
#define RUN_NAME_MAX   256
#define RUN_ERROR_MAX  (64 * 1024)
#define RUN_STDERR_MAX (1024 * 1024)

enum better { BETTER_HIGHER = 1, BETTER_LOWER = -1 };

/* One metric of one workload in one environment: every repetition's value
 * and their statistics. A failed sample has failed = true, an error message
 * and the workload's stderr, and usually no values (repetitions that
 * completed before the failure may be kept; consumers skip failed samples). */
struct sample {
	char *env;
	char *workload;
	char *metric;
	char *unit;
	enum better better;
	double *values; /* n_values repetitions, warm-up excluded */
	bool *outliers; /* n_values flags, or NULL */
	size_t n_values;
	struct stats stats; /* valid when n_values > 0 */
	json_t *config;     /* owned reference: what was asked (threads, size, ...) */
	json_t *pinning;    /* owned reference: asked vs seen CPUs and NUMA nodes */
	json_t *wire;       /* owned reference: packet capture accounting (capture.h), or NULL */
	json_t *order;  /* owned reference: when each value ran (interleaving blocks), or NULL */
	json_t *warmup; /* owned reference: the warm-up before the values, or NULL */
	json_t *steal;  /* owned reference: CPU time the hypervisor took meanwhile, or NULL */
	bool failed;
	char *error;       /* failed samples: one-line reason */
	char *stderr_text; /* failed samples: the workload's stderr, may be NULL */
};

struct run {
	char *run_id;
	char *created;      /* ISO 8601 UTC, "2026-11-24T19:30:00Z"; NULL = now */
	json_t *host;       /* owned reference: host fingerprint object */
	json_t *invocation; /* owned reference: argv array and options, may be NULL */
	json_t *overhead;   /* owned reference: array of comparisons with the
	                     * baseline environment (reports/overhead.h), may be NULL */
	json_t *density;    /* owned reference: array of density studies
	                     * (harness/run/density.h), may be NULL */
	struct sample *samples;
	size_t n_samples;
	size_t cap_samples;
};

/* Initialises an empty run with the given id (copied). created, host and
 * invocation start NULL; the caller may set them (malloc'd string, owned
 * json references). On output a NULL created becomes the current UTC time
 * and a NULL host becomes {}. */
void run_init(struct run *run, const char *run_id);
/* Frees everything a run owns (not the struct itself). */
void run_free(struct run *run);

/* Appends a copy of *s to the run (strings duplicated, arrays copied,
 * json references incremented). s->stats and s->outliers are ignored: both
 * are recomputed from the values with stats_compute, so a stored sample is
 * always self-consistent. Bytes that are not valid UTF-8 (e.g. in a
 * workload's stderr) are replaced with U+FFFD. Rejects, with -1 and *err
 * naming the field: empty env/workload/metric, NULL unit, better not +-1,
 * a non-finite value, an ok sample without values, a failed sample without
 * error, config/pinning/wire/order/warmup that are not objects. The reader applies the same
 * rules, so whatever run_add_sample accepts can be written and read back. */
int run_add_sample(struct run *run, const struct sample *s, struct bench_error **err);

/* Serialises the run to a new JSON object (caller owns the reference), or
 * NULL on allocation failure or a run that cannot be represented (NULL
 * run_id/created, a non-finite value put into samples behind
 * run_add_sample's back). */
json_t *run_to_json(const struct run *run);

/* Parses and validates a run object: schema string, required fields and
 * their types. Fills *run (which the caller frees with run_free). Returns 0,
 * or -1 with *err naming the first problem by its path inside the document
 * ("samples[3].values[2]: expected a number, found a string"); *run is then
 * left empty. Stored stats and outlier flags are type-checked, then
 * recomputed from the values. Unknown members are ignored. */
int run_from_json(const json_t *doc, struct run *run, struct bench_error **err);

/* The two halves of run_from_json, for a reader that does not hold the
 * whole document (run_read). run_header_from_json checks everything but the
 * elements of "samples" (schema first, then run_id, created, host,
 * invocation, that samples is present and an array, overhead, density) and
 * fills *run without samples; -1 with *err leaves *run empty. doc needs only
 * the members run_header_member names, plus "samples" (any array will do).
 * run_sample_from_json parses one element of "samples", at index, and
 * appends it to run; its messages name the element ("samples[3].values[2]:
 * ..."). Both give run_from_json's messages exactly. */
int run_header_from_json(const json_t *doc, struct run *run, struct bench_error **err);
bool run_header_member(const char *name);
int run_sample_from_json(const json_t *j, size_t index, struct run *run, struct bench_error **err);

/* Writes dir/run.json atomically: dir/.run.json.XXXXXX, fsync, rename,
 * fsync(dir). Creates dir (one level, 0755) if missing. Returns 0 or -1 with
 * *err. On failure before the rename, the temp file (and dir, if this call
 * made it) is removed and an existing run.json is untouched; if only the
 * final fsync(dir) fails, the complete run.json stays in place. */
int run_write(const struct run *run, const char *dir, struct bench_error **err);

/* Reads and validates a run file: run_from_json's checks and messages, on a
 * file read one top-level member, and one element of "samples", at a time
 * (json_stream.h), so memory grows with the samples kept, not with the
 * file's JSON document. Returns 0 or -1 with *err prefixed by path, and the
 * file's JSON line:column for syntax errors; never crashes on malformed
 * input. Members may come in any order; a syntax error anywhere is reported
 * before the header's problems, and those before a sample's, as a reader of
 * the whole document would. */
int run_read(const char *path, struct run *run, struct bench_error **err);

#endif
