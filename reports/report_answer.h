/* The answer first: what a run says, written from its figures, for the
 * front of report.html and summary.md. Per environment a verdict against
 * the baseline (family by family: within noise, slower, faster, mixed),
 * its largest significant overheads with their intervals, its density
 * limit and what binds it, start time and footprint per instance, what
 * failed; for the run the notes that change how to read the figures
 * (emulation, sizes under 4x the LLC, unmatched conditions, comparisons
 * that were not interleaved, warm-ups that never settled) and what did not
 * run. Members a run file lacks (older writers) leave their line out. */
#ifndef BENCH_REPORT_ANSWER_H
#define BENCH_REPORT_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "harness/core/error.h"
#include "harness/core/result.h"
#include "reports/rtable.h"
#include "reports/run_view.h"

#define ANSWER_TOP 3 /* significant overheads listed per environment */
/* Intervals wider than this (either edge this far from 1) make a family
 * without a significant difference "not distinguishable" rather than
 * "within noise". */
#define ANSWER_NOISE_MAX 0.10

/* How an environment came out against the baseline. */
enum answer_tone {
	ANSWER_BASELINE, /* it is the baseline */
	ANSWER_ALONE,    /* nothing to compare it with */
	ANSWER_NOISE,    /* every compared metric within noise (tight intervals) */
	ANSWER_UNCLEAR,  /* no significant difference, but intervals too wide to tell */
	ANSWER_WORSE,    /* significant slowdowns, no significant gains */
	ANSWER_BETTER,   /* significant gains, no significant slowdowns */
	ANSWER_MIXED,    /* both */
	ANSWER_FAILED,   /* nothing measured: every workload failed */
};

struct answer_env {
	const char *env; /* borrowed from the run */
	char label[160]; /* "qemu (TCG emulation)" */
	enum answer_tone tone;
	bool emulated;      /* ran under TCG: the verdict says so first */
	char verdict[1536]; /* one sentence, written from the figures */
	char lead[512];     /* its gist: where it differs significantly; "" when not compared
	                     * (the verdict says why) */
	char clauses[REPORT_N_FAMILIES + 2][480]; /* the verdict's clauses, one a family */
	size_t n_clauses;
	char failed_line[640];         /* "2 workloads failed: a (out of memory), b (...)."; "" */
	char top[ANSWER_TOP + 1][320]; /* largest significant slowdowns, then the
	                                * largest gain when there is one */
	size_t n_top;
	char density[1024];     /* the density limit and what binds it; "" without a study */
	char instance[320];     /* start time and footprint per instance; "" when unmeasured */
	struct rtable failures; /* workload | cause | error, one row per failed sample */
};

struct answer {
	char headline[768];      /* environments, host, samples, failures in one line */
	struct answer_env *envs; /* the run's environments, baseline first */
	size_t n_envs;
	struct rtable notes;   /* topic | text: how to read the figures */
	struct rtable not_run; /* what | why: environments and studies that did not run */
	char cost[2048];       /* a bench tco evaluation in one sentence; "" without one */
	char cost_href[512];   /* its tco.html relative to the page; "" for no link */
};

/* Builds the answer of run against baseline_env ("bare"). Returns 0, or -1
 * with *err (out of memory). Free with report_answer_free, also after a
 * failure. */
int report_answer_build(const struct run *run, const char *baseline_env, struct answer *a,
                        struct bench_error **err);
void report_answer_free(struct answer *a);

/* Fills a->cost from a bench tco evaluation of the run (tco_json, schema
 * bench.tco/1): each scenario's cost per instance and year and its saving;
 * href (may be NULL) links the page. Returns 0, or -1 with *err (the file
 * unreadable or not an evaluation). report_answer_cost.c. */
int report_answer_cost(struct answer *a, const char *tco_json, const char *href,
                       struct bench_error **err);

/* Fills e->density and e->instance from run's density studies and
 * samples. report_answer_density.c. */
void report_answer_density(const struct run *run, struct answer_env *e);

/* The validity notes of run (the `notes` of the answer). Returns 0 or -1
 * (out of memory). report_answer_notes.c. */
int report_answer_notes(const struct run *run, const char *baseline_env, struct rtable *notes);

/* What a failed sample's error says killed it: "out of memory", "kernel
 * panic", "timeout", "killed by a signal", "exited with an error",
 * "rejected its options" or "failed". */
const char *report_failure_cause(const char *error);

/* "45% slower", "5.2x slower", "12% faster", "same" for a slowdown. */
void report_fmt_slowdown(double slowdown, char *buf, size_t len);

/* The answer as the front section of report.html (report_answer_out.c). */
void report_answer_html(FILE *out, const struct answer *a);
/* ... and of summary.md. */
void report_answer_markdown(FILE *out, const struct answer *a);

#endif
