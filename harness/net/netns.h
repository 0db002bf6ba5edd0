/* Container networking in "bridge" mode: a harness-owned Linux bridge on the
 * host with its own address and, per instance, a named network namespace
 * joined to the bridge by a veth pair. runc joins the namespace through
 * config.json (linux.namespaces network path = slot.ns_path).
 *
 * Addresses are shared by every bench process on the host: allocation is
 * serialised by flock on NETNS_LOCK_PATH, and each used octet N is a file
 * NETNS_ADDR_DIR/N holding its owner's pid. A file whose pid is gone is
 * stale and is reclaimed (with its namespace) by the next setup. */
#ifndef BENCH_NETNS_H
#define BENCH_NETNS_H

#include <stdio.h>
#include <sys/types.h>

#include "harness/core/error.h"

#define NETNS_BRIDGE        "benchbr0"
#define NETNS_SUBNET_PREFIX "10.213.77" /* /24; bridge is .1, instances .2 .. .254 */
#define NETNS_STATE_DIR     "/run/bench"
#define NETNS_LOCK_PATH     NETNS_STATE_DIR "/netns.lock"
#define NETNS_ADDR_DIR      NETNS_STATE_DIR "/addr"
#define NETNS_OCTET_MIN     2
#define NETNS_OCTET_MAX     254

/* What carries an instance's traffic to the bridge. */
enum netns_kind {
	NETNS_VETH,      /* a namespace plus a veth pair (containers) */
	NETNS_TAP,       /* a persistent tap device QEMU opens by name */
	NETNS_ADDR_ONLY, /* just the bridge and an address; the hypervisor's
	                    tooling plugs its own interface (Xen's vif) in */
};

struct netns_slot {
	char ns_name[32];     /* "bench-<pid>-<octet>" : /run/netns/<ns_name> */
	char ns_path[64];     /* "/run/netns/<ns_name>" */
	char host_veth[16];   /* host end, on the bridge: "bvh<pid>n<octet>", a tap
	                         "btp<pid>n<octet>" (< IFNAMSIZ), "" for ADDR_ONLY */
	char bridge_addr[16]; /* "10.213.77.1" */
	char inst_addr[16];   /* "10.213.77.N"; the namespace's end is "eth0" */
	int octet;            /* N, or 0 when no address is held */
	enum netns_kind kind;
};

/* Ensures the bridge exists, is up and has bridge_addr/24 (tolerating a
 * concurrent creator), allocates a free address, creates the namespace and
 * the veth pair (host end on the bridge and up; lo and eth0 up inside, eth0
 * with inst_addr/24). *slot is overwritten. On failure undoes what it did
 * and returns -1 with *err naming the failed command and ip's stderr. */
int netns_setup(struct netns_slot *slot, struct bench_error **err);

/* Like netns_setup, but the namespace is the network namespace process
 * pid already has (`ip netns attach`: a container whose runtime made an
 * empty one, docker --network none, lxc.net type empty): slot.ns_name
 * names it from then on, and the veth goes into it. netns_teardown
 * removes the name, the veth and the address; the namespace itself ends
 * with the container. */
int netns_adopt(struct netns_slot *slot, pid_t pid, struct bench_error **err);

/* Deletes the namespace (which removes the veth) and the host veth if still
 * there, releases the address, and deletes the bridge when no live slot of
 * any bench process uses it. Best effort and silent; safe after a partial
 * setup, on a zeroed slot, and twice (it clears the slot). */
void netns_teardown(struct netns_slot *slot);

/* Like netns_setup for kind NETNS_TAP (a tap on the bridge, up, owned by
 * nobody in particular so QEMU opens it by name; the guest configures
 * inst_addr itself) or NETNS_ADDR_ONLY (bridge and address only). Torn
 * down by netns_teardown. NETNS_VETH is netns_setup. */
int netns_attach(struct netns_slot *slot, enum netns_kind kind, struct bench_error **err);

/* Removes every slot whose owner pid is dead (its namespace, veth or tap,
 * and address), saying so on notes (may be NULL). For the start of a run,
 * so that a SIGKILLed run's network leaves with the next bench whatever
 * environments it runs. Returns how many. */
int netns_reclaim_stale(FILE *notes);

#endif
