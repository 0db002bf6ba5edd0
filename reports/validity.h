/* Whether two sides of a comparison ran under matched conditions: the host
 * fingerprints (run.json "host") and, for every compared metric, what was
 * asked and resolved (pinning, sizes and durations, runtime, accelerator,
 * network mode, CPU limit, guest kernel). Every difference is listed with
 * the key that declares it (--expect KEY); undeclared ones refuse the
 * comparison unless forced. */
#ifndef BENCH_VALIDITY_H
#define BENCH_VALIDITY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness/core/error.h"
#include "harness/core/result.h"

enum diff_effect {
	DIFF_REFUSES,       /* undeclared: the comparison is invalid */
	DIFF_DECLARED,      /* declared with --expect (or the gate file's expect) */
	DIFF_FORCED,        /* undeclared, but --force */
	DIFF_INFORMATIONAL, /* cannot move a figure (e.g. the repetition policy) */
};

struct difference {
	char key[32];    /* the --expect key: kernel, thp, pinning, size, ... */
	char where[160]; /* "host", or "container/cpu.int:ops" */
	char path[128];  /* "host.thp", "config.asked.size", ... */
	char base[160], new_[160];
	size_t count; /* how many base runs (or metrics) showed it */
	enum diff_effect effect;
};

struct validity {
	struct difference *d;
	size_t n, cap;
	bool valid;
};

/* The keys --expect accepts, NULL-terminated. */
extern const char *const validity_keys[];

/* 0 when key is one of validity_keys; else -1 with *err listing them. */
int validity_key_check(const char *key, struct bench_error **err);

/* Adds the differences between two host fingerprints. */
void validity_hosts(struct validity *v, const json_t *base, const json_t *new_);

/* Adds the differences in the conditions of two matched samples (config
 * and pinning), attributed to where ("env/workload:metric"). */
void validity_samples(struct validity *v, const struct sample *base, const struct sample *new_,
                      const char *where);
/* The same for two different environments (--base-env, --new-env): what
 * their backends did differs by construction and is informational, except
 * a CPU limit. */
void validity_samples_across(struct validity *v, const struct sample *base,
                             const struct sample *new_, const char *where);

/* Sets each difference's effect from the declared keys and force, and
 * v->valid (no difference refuses). */
void validity_finish(struct validity *v, const char *const *expect, size_t n_expect, bool force);

void validity_free(struct validity *v);

/* "declared", "refuses", "forced", "informational". */
const char *diff_effect_name(enum diff_effect e);

#endif
