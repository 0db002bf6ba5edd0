/* The two sides of a comparison: a run file, or runs of the history. */
#include "reports/compare.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int add_run(struct compare_side *side, struct side_run **slot, struct bench_error **err)
{
	struct side_run *v = realloc(side->runs, (side->n_runs + 1) * sizeof(*v));
	if (v == NULL)
		return bench_error_set(err, ENOMEM, "comparison side");
	side->runs = v;
	*slot = &v[side->n_runs++];
	memset(*slot, 0, sizeof(**slot));
	return 0;
}

static int load_file(struct compare_side *side, const char *spec, struct bench_error **err)
{
	char path[PATH_MAX];
	struct stat st;
	if (stat(spec, &st) == 0 && S_ISDIR(st.st_mode))
		snprintf(path, sizeof(path), "%.*s/run.json", PATH_MAX - 10, spec);
	else
		snprintf(path, sizeof(path), "%s", spec);
	struct side_run *r;
	if (add_run(side, &r, err) < 0)
		return -1;
	snprintf(r->source, sizeof(r->source), "%s", path);
	if (run_read(path, &r->run, err) < 0) {
		side->n_runs--;
		return -1;
	}
	return 0;
}

static int load_history(struct compare_side *side, const char *selector, const char *db,
                        const struct run *exclude, bool latest_only, struct bench_error **err)
{
	struct history_selector sel;
	if (history_selector_parse(selector, &sel, err) < 0)
		return -1;
	if (exclude != NULL) {
		snprintf(sel.exclude_run, sizeof(sel.exclude_run), "%s", exclude->run_id);
		if (exclude->created != NULL)
			snprintf(sel.before_time, sizeof(sel.before_time), "%s", exclude->created);
	}
	struct history h;
	struct history_run *runs = NULL;
	size_t n = 0;
	int rc = history_open(&h, db ? db : HISTORY_DEFAULT_DB, err);
	if (rc == 0)
		rc = history_runs(&h, &sel, &runs, &n, err);
	if (rc == 0 && n == 0)
		rc = bench_error_set(err, 0,
		                     "history:%s selects no run in %s (see bench history list --db "
		                     "%s)",
		                     selector, h.path, h.path);
	for (size_t i = latest_only && n > 0 ? n - 1 : 0; rc == 0 && i < n; i++) {
		struct side_run *r;
		rc = add_run(side, &r, err);
		if (rc == 0) {
			snprintf(r->source, sizeof(r->source), "history:%s", runs[i].run_id);
			rc = history_load(&h, runs[i].id, &r->run, NULL, err);
			if (rc < 0)
				side->n_runs--;
		}
	}
	if (rc == 0)
		rc = history_moves(&h, &side->moves, &side->n_moves, err);
	free(runs);
	history_close(&h);
	return rc;
}

int compare_side_load(struct compare_side *side, const char *spec, const char *db,
                      const struct run *exclude, bool latest_only, struct bench_error **err)
{
	memset(side, 0, sizeof(*side));
	snprintf(side->label, sizeof(side->label), "%s", spec);
	if (strncmp(spec, "history:", 8) == 0) {
		side->history = true;
		return load_history(side, spec + 8, db, exclude, latest_only, err);
	}
	return load_file(side, spec, err);
}

void compare_side_of_run(struct compare_side *side, const char *label, struct run *run)
{
	memset(side, 0, sizeof(*side));
	snprintf(side->label, sizeof(side->label), "%s", label);
	side->runs = calloc(1, sizeof(*side->runs));
	if (side->runs == NULL)
		return;
	side->n_runs = 1;
	side->runs[0].run = *run; /* borrowed: compare_side_free leaves it */
	snprintf(side->runs[0].source, sizeof(side->runs[0].source), "%s", label);
	side->borrowed = true;
}

void compare_side_free(struct compare_side *side)
{
	bool borrowed = side->borrowed;
	for (size_t i = 0; i < side->n_runs; i++) {
		if (!borrowed)
			run_free(&side->runs[i].run);
	}
	free(side->runs);
	free(side->moves);
	memset(side, 0, sizeof(*side));
}
