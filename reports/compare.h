/* bench compare: two sides (a base and a new run, or a base drawn from the
 * history's last stable segment), every (environment, workload, metric) in
 * both, a ratio test per metric (reports/hypotest.h), Benjamini-Hochberg
 * q-values across the comparison, a three-way verdict against a tolerance,
 * and the validity of the comparison (reports/validity.h). The outputs
 * (terminal table, JSON, JUnit, markdown) are in compare_out.h. */
#ifndef BENCH_COMPARE_H
#define BENCH_COMPARE_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness/core/error.h"
#include "harness/core/result.h"
#include "reports/gatefile.h"
#include "reports/history.h"
#include "reports/hypotest.h"
#include "reports/validity.h"

#define COMPARE_SCHEMA "bench.comparison/1"

enum verdict {
	VERDICT_REGRESSION,
	VERDICT_IMPROVEMENT,
	VERDICT_EQUIVALENT,
	VERDICT_INCONCLUSIVE,
};
#define N_VERDICTS 4

/* "regression", "improvement", "equivalent", "inconclusive". */
const char *verdict_name(enum verdict v);

/* One run of a side. */
struct side_run {
	struct run run;
	char source[PATH_MAX]; /* the file, or "history:<run_id>" */
	bool used;             /* some metric's base uses it (validity checks these) */
};

struct compare_side {
	char label[PATH_MAX + 64]; /* as the user named it */
	bool history;              /* runs from the history, oldest first */
	struct side_run *runs;
	size_t n_runs;
	struct history_move *moves; /* history: recorded baseline moves */
	size_t n_moves;
	bool borrowed; /* compare_side_of_run: the run is the caller's */
};

/* Loads one side: "history:SELECTOR" (runs of the history at db, opened
 * when needed, created before `before` when it is not NULL and never the
 * run `exclude`), or a run directory or run.json file. For the new side
 * of a history selection, only the latest selected run is kept
 * (latest_only). Returns 0 or -1 with *err. */
int compare_side_load(struct compare_side *side, const char *spec, const char *db,
                      const struct run *exclude, bool latest_only, struct bench_error **err);
/* A side holding one run already in memory (copied by reference: the side
 * does not free it). */
void compare_side_of_run(struct compare_side *side, const char *label, struct run *run);
void compare_side_free(struct compare_side *side);

struct compare_policy {
	double tolerance; /* default relative tolerance (fraction) */
	double alpha;     /* significance after FDR control; TOST level */
	double power;     /* for the minimum detectable effect (0.8) */
	bool inconclusive_fails;
	const char *const *expect; /* declared difference keys */
	size_t n_expect;
	bool force;
	const struct gate_file *gate;   /* gated metrics and tolerances, or NULL = all */
	const char *base_env, *new_env; /* compare these environments (NULL = same names) */
	const char *db; /* history for run-to-run variation (NULL = HISTORY_DEFAULT_DB) */
};

/* The default policy: tolerance 5%, alpha 0.05, power 0.8. */
struct compare_policy compare_policy_default(void);

struct metric_cmp {
	char env[64], base_env[64], workload[64], metric[64], unit[32];
	enum better better;
	double tolerance;
	bool gated;  /* counts for the exit status */
	bool tested; /* a test could run (else: inconclusive, note says why) */
	enum ratio_test_kind test;
	size_t n_base, n_new; /* values (runs_t: base runs, 1) */
	double base_mean, new_mean;
	double ratio, ratio_low, ratio_high; /* the test's estimate, 95% interval */
	double p_worse, p_better, p_equiv;   /* one-sided against the tolerance edges */
	double q_worse, q_better;            /* Benjamini-Hochberg over the comparison */
	double mde;                          /* relative, at alpha and power */
	long reps_needed;                    /* per side (runs_t: base runs); -1 unknown */
	enum verdict verdict;
	char note[320];
	json_t *base_values, *new_values; /* arrays (runs_t base: run means) */
	json_t *history;                  /* series, change points, segment (history base) */
	json_t *between; /* separate runs: the between-run term and where it came from */
};

struct comparison {
	struct compare_policy policy;
	char base_label[PATH_MAX + 64], new_label[PATH_MAX + 64];
	json_t *base_info, *new_info; /* runs used: id, created, kernel, hypervisor, commit */
	struct validity validity;
	struct metric_cmp *m;
	size_t n;
	size_t counts[N_VERDICTS]; /* gated metrics only */
	json_t *notes;             /* strings: unmatched metrics, unaccepted changes, ... */
	enum compare_status {
		COMPARE_OK,
		COMPARE_REGRESSION,
		COMPARE_INVALID,
		COMPARE_INCONCLUSIVE, /* only when the policy fails on it */
	} status;
	char created[32];
};

/* Compares new (one run) with base under policy into *out (caller frees
 * with comparison_free). When base is one run file and new another run,
 * each metric's run-to-run variation comes from policy->db
 * (calibration_between; welch_t+between_runs), or a note says it was not
 * measured. Returns 0 (the verdicts are in *out, including an
 * invalid comparison), or -1 with *err when it cannot be computed at all
 * (new holds no run, out of memory). */
/* Runs of the history whose host fingerprint matches a base run's exactly
 * (reports/compare_between.c): the calibration of run-to-run variation
 * when two separate runs are compared. */
struct calibration {
	char db[PATH_MAX];
	bool present; /* the database file exists */
	struct run *runs;
	size_t n;
};

/* Loads into *cal the runs of db (NULL = HISTORY_DEFAULT_DB) whose host
 * fingerprint has no difference from base's (validity_hosts), except the
 * run new_run_id. A missing db is not an error (cal->present false, no
 * runs) and is not created. Returns 0, or -1 with *err when db cannot be
 * read. Free with calibration_free. */
int calibration_load(struct calibration *cal, const char *db, const struct run *base,
                     const char *new_run_id, struct bench_error **err);
void calibration_free(struct calibration *cal);

/* Of the calibration runs, those whose sample of base sample b's (env,
 * workload, metric) was taken under b's conditions (validity_samples) with
 * 2 or more values: their number k is returned, their run ids are put in
 * *ids (a new JSON array), and when k >= 3 the between-run variance
 * component into *est (else est->k is 0). */
size_t calibration_between(const struct calibration *cal, const struct sample *b,
                           struct between_runs *est, json_t **ids);

int compare_run(const struct compare_side *base, const struct compare_side *new_,
                const struct compare_policy *policy, struct comparison *out,
                struct bench_error **err);
void comparison_free(struct comparison *c);

#endif
