/* Every death explained: the sentence a failed sample carries when its
 * instance or agent died or went silent. */
#ifndef BENCH_FAILURE_H
#define BENCH_FAILURE_H

#include "harness/core/error.h"
#include "harness/env/env.h"

/* When inst's agent channel broke (inst->agent.broken), puts in front of
 * *err what died and why and what to change: the environment's explain
 * hook (an OOM kill with the limit and the peak, a guest's panic, a
 * signal), and after a timeout "no reply within --timeout N s". The
 * original message follows in parentheses. When the instance's wl is
 * known not to be the host's (inst->wl_note: a stale guest image), says
 * so after the message, whether or not the agent died. Leaves *err alone otherwise. */
void failure_explain(const struct env_ops *env, struct env_instance *inst, double timeout_s,
                     struct bench_error **err);

#endif
