/* Fleet files: results/<campaign>/fleet.json, schema "bench.fleet/1" (see
 * results/SCHEMA.md): the runs of several hosts, each embedded whole as a
 * bench.run/1 document, with the host as a dimension; hosts grouped by a
 * fingerprint hash; declared groups whose hosts differ flagged; hosts that
 * delivered no run listed with the step that failed and why. */
#ifndef BENCH_FLEET_H
#define BENCH_FLEET_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness/core/error.h"
#include "harness/core/result.h"

#define FLEET_SCHEMA "bench.fleet/1"
#define FLEET_FILE   "fleet.json"

/* The host fingerprint members that go into the fingerprint hash, in the
 * order the fingerprint object lists them. */
extern const char *const fleet_fingerprint_fields[];
extern const size_t fleet_n_fingerprint_fields;

/* A host that delivered a run. */
struct fleet_host {
	char *name;           /* unique in the fleet */
	char *group;          /* declared group, or NULL */
	char *source;         /* where merge read the run from, or NULL */
	int exit_status;      /* bench's exit status on the host, -1 unknown */
	char fingerprint[17]; /* fleet_fingerprint of run.host */
	struct run run;
};

/* A host that delivered nothing: which step failed and why. */
struct fleet_absent {
	char *name;
	char *group;  /* or NULL */
	char *status; /* "failed" or "unreachable" */
	char *step;   /* or NULL when unknown */
	char *reason; /* or NULL when unknown */
};

/* A declared group (several hosts that should be alike). */
struct fleet_group {
	char *name;
	size_t n_hosts;        /* hosts of the group that delivered a run */
	size_t n_fingerprints; /* distinct fingerprints among them */
	bool mixed;            /* n_fingerprints > 1 */
	json_t *differs;       /* array of the fingerprint fields whose values differ */
};

struct fleet {
	char *campaign;
	char *created; /* ISO 8601 UTC; NULL = now on output */
	struct fleet_host *hosts;
	size_t n_hosts, cap_hosts;
	struct fleet_absent *absent;
	size_t n_absent, cap_absent;
	struct fleet_group *groups; /* derived by fleet_derive */
	size_t n_groups;
	json_t *warnings; /* array of strings, derived by fleet_derive */
};

void fleet_init(struct fleet *f, const char *campaign);
void fleet_free(struct fleet *f);

/* The fingerprint object of a host description: the members named in
 * fleet_fingerprint_fields, null when missing. New reference, or NULL when
 * out of memory. */
json_t *fleet_fingerprint_object(const json_t *host);

/* The FNV-1a 64-bit hash of the fingerprint object's compact JSON with
 * sorted keys, as 16 lower-case hex digits into hex[17]. Returns 0 or -1
 * (memory). */
int fleet_fingerprint(const json_t *host, char hex[17]);

/* Moves *run into the fleet as host name (group may be NULL, source may be
 * NULL, exit_status -1 when unknown); *run is left empty. Refuses an empty
 * name, a name already used by a host or an absent host. Returns 0 or -1
 * with *err. */
int fleet_add_host(struct fleet *f, const char *name, const char *group, const char *source,
                   int exit_status, struct run *run, struct bench_error **err);

/* Adds a host that delivered nothing. status is "failed" or "unreachable";
 * step, reason and group may be NULL. Same name rules. */
int fleet_add_absent(struct fleet *f, const char *name, const char *group, const char *status,
                     const char *step, const char *reason, struct bench_error **err);

/* Index of host name, or -1. */
long fleet_find_host(const struct fleet *f, const char *name);

/* Recomputes the groups and the warnings (hosts run with other bench
 * versions or other arguments). Returns 0 or -1 with *err (memory). */
int fleet_derive(struct fleet *f, struct bench_error **err);

/* The fleet as a bench.fleet/1 document (fleet_derive is called first).
 * New reference, or NULL with *err. */
json_t *fleet_to_json(struct fleet *f, struct bench_error **err);

/* Parses and validates a bench.fleet/1 document into *f (caller frees with
 * fleet_free). Each embedded run goes through run_from_json; fingerprints,
 * groups and warnings are recomputed. Returns 0, or -1 with *err naming the
 * place ("hosts[1].run.samples[0].values: ..."); *f is then empty. */
int fleet_from_json(const json_t *doc, struct fleet *f, struct bench_error **err);

/* dir/fleet.json, atomically (json_file_write). */
int fleet_write(struct fleet *f, const char *dir, struct bench_error **err);

/* Reads and validates path. Returns 0 or -1 with *err prefixed by path. */
int fleet_read(const char *path, struct fleet *f, struct bench_error **err);

#endif
