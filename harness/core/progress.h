/* One updating progress line on a terminal: phase, item, repetition, elapsed
 * and ETA. Disabled (every call a no-op) when not on a TTY or when quiet. */
#ifndef BENCH_PROGRESS_H
#define BENCH_PROGRESS_H

#include <stdbool.h>

struct progress {
	bool enabled;
	double t0;
	int last_len;
};

/* Enabled only when !quiet and both stdout and stderr are terminals. */
void progress_init(struct progress *p, bool quiet);
/* Rewrites the line: "<label>  rep i/n  elapsed 12s  ETA ~30s". eta_s < 0
 * prints no ETA. */
void progress_update(struct progress *p, const char *label, unsigned rep, unsigned reps,
                     double eta_s);
/* Clears the line. */
void progress_done(struct progress *p);

#endif
