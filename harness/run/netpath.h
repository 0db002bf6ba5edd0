/* The network path of a run: the host-side peer that network workloads
 * talk to, and the libpcap capture on the host-side interface that turns
 * their traffic into a sample's `wire` block. */
#ifndef BENCH_NETPATH_H
#define BENCH_NETPATH_H

#include <jansson.h>
#include <stdbool.h>

#include "harness/core/placement.h"
#include "harness/net/capture.h"
#include "harness/env/env.h"
#include "harness/net/peer.h"

struct netpath {
	const struct topo *topo;           /* with peer_cpus: where `wl serve` is bound */
	const struct placement *peer_cpus; /* NULL = not bound */
	struct peer_server server;
	struct env_peer where;
	struct capture *capture;
	json_t *capture_error; /* why there is no capture, or NULL */
};

/* Makes sure a peer is listening where the instance reaches the host
 * (env->peer), starting `wl serve` (bound to np->peer_cpus) on first use
 * or when that address changed. Returns 0 or -1 with *err. */
int netpath_ensure(struct netpath *np, const char *wl_path, const struct env_ops *env,
                   struct env_instance *inst, struct bench_error **err);

/* The peer's pinning record: the placement {cpus, policy, reason} and the
 * CPUs hwloc read back for the running peer ("confirmed"). Caller owns. */
json_t *netpath_peer_pinning(const struct netpath *np);

/* Starts capturing the peer's ports on the path's interface. Never fails
 * the run: a capture that cannot start is remembered as the reason. */
void netpath_capture_begin(struct netpath *np, bool request_response);

/* Stops the capture and returns the wire block (caller owns): the
 * accounting, or {"error": reason} when there was no capture. */
json_t *netpath_capture_end(struct netpath *np);

/* Stops the capture (if any) and the peer. */
void netpath_close(struct netpath *np);

#endif
