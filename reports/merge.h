/* bench merge: building a fleet from the run files of several hosts, the
 * declared groups and the hosts a campaign could not measure. */
#ifndef BENCH_MERGE_H
#define BENCH_MERGE_H

#include <stddef.h>

#include "harness/core/error.h"
#include "reports/fleet.h"

/* One RUN argument, "[HOST=]PATH": PATH is a run directory (holding
 * run.json) or a run file. Without HOST the host is named after the
 * directory holding run.json (results/<campaign>/<host>/ in a fleet
 * campaign). */
struct merge_run {
	char name[256];
	char file[4096];
};

/* Parses arg into *r. Returns 0, or -1 with *err (no host name can be
 * derived, path too long). Does not touch the file system beyond a stat. */
int merge_run_arg(const char *arg, struct merge_run *r, struct bench_error **err);

/* "--group NAME=HOST[,HOST...]" declarations, in order. */
struct merge_group {
	const char *arg; /* borrowed: "NAME=HOST,HOST" */
};

/* Builds *f (campaign given) from the runs (read with run_read), the group
 * declarations and, when hosts_file is not NULL, the campaign's host status
 * file (results/SCHEMA.md, "hosts.json": every host's status, group, failed
 * step and reason). Rules: host names are unique; a host named by a
 * declaration or the status file must be known; a host the status file calls
 * "ok" must have a RUN, one it calls "failed" or "unreachable" must not; a
 * host is in at most one group. Returns 0, or -1 with *err naming the
 * argument or file at fault (*f is then freed). */
int merge_fleet(struct fleet *f, const char *campaign, const struct merge_run *runs, size_t n_runs,
                const struct merge_group *groups, size_t n_groups, const char *hosts_file,
                struct bench_error **err);

#endif
