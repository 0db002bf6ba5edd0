#include "harness/core/progress.h"

#include "harness/core/clock.h"

#include <stdio.h>
#include <unistd.h>

void progress_init(struct progress *p, bool quiet)
{
	p->enabled = !quiet && isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
	p->t0 = monotonic_seconds();
	p->last_len = 0;
}

void progress_update(struct progress *p, const char *label, unsigned rep, unsigned reps,
                     double eta_s)
{
	if (!p->enabled)
		return;
	char eta[32] = "";
	if (eta_s >= 0)
		snprintf(eta, sizeof(eta), "  ETA ~%.0fs", eta_s);
	char line[256];
	int n = snprintf(line, sizeof(line), "%s  rep %u/%u  elapsed %.0fs%s", label, rep, reps,
	                 monotonic_seconds() - p->t0, eta);
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	p->last_len = n;
}

void progress_done(struct progress *p)
{
	if (!p->enabled || p->last_len == 0)
		return;
	fprintf(stderr, "\r\033[K");
	fflush(stderr);
	p->last_len = 0;
}
