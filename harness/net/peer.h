/* The host-side network peer: a `wl serve` process outside the environment
 * under test, which the network workloads inside it talk to. */
#ifndef BENCH_PEER_H
#define BENCH_PEER_H

#include <stdint.h>

#include "harness/core/agent.h"
#include "harness/core/error.h"
#include "harness/core/topo.h"

struct peer_server {
	struct agent proc; /* the wl serve process (stdin open = keep serving) */
	char address[64];  /* where it listens */
	char netns[32];    /* the named network namespace it runs in, "" = the host's */
	uint16_t tcp_port; /* kernel-chosen, so parallel runs never collide */
	uint16_t udp_port;
	char cpus[256]; /* the CPUs hwloc reads back for the process ("" when unbound) */
	int running;
};

/* Starts `wl_path serve --bind address --lifetime lifetime_s` (inside the
 * named network namespace netns through `ip netns exec` when netns is
 * neither NULL nor ""), bound with hwloc to binding's CPUs when binding is
 * non-NULL (its threads inherit the binding), and waits (at most
 * timeout_ms) for its "listening" line; then reads the binding back into
 * out->cpus. Returns 0 or -1 with *err (its stderr is included). */
int peer_start(const char *wl_path, const char *address, const char *netns, double lifetime_s,
               int timeout_ms, const struct topo *t, const struct topo_binding *binding,
               struct peer_server *out, struct bench_error **err);

/* Closes its stdin (it then exits), waits briefly, kills if needed, reaps.
 * Safe on a server that never started. */
void peer_stop(struct peer_server *p);

#endif
