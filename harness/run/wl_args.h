/* Turning run options into a workload's `open` command, and recording what
 * was asked. One table maps each bench option to the wl parameter that
 * takes it, so a workload only receives the options it declares. */
#ifndef BENCH_WL_ARGS_H
#define BENCH_WL_ARGS_H

#include <jansson.h>
#include <stdint.h>

#include "harness/core/catalog.h"
#include "harness/core/run_options.h"

#define WL_OPEN_MAX_ARGS 48

/* Facts the runner learned, passed to the workloads that take them. */
struct wl_open_facts {
	uint64_t llc_bytes; /* from hwloc; 0 = unknown */
	uint64_t size;      /* the run's size for this workload (size_plan), 0 = --size as given */
	const char *peer_addr; /* network peer, or NULL */
	uint16_t tcp_port, udp_port;
	const char *disk_dir;  /* scratch directory, or NULL */
	const char *disk_path; /* the instance's own scratch disk (a guest's block
	                          device), or NULL; --disk-path overrides it */
};

struct wl_open_cmd {
	const char *argv[WL_OPEN_MAX_ARGS];
	size_t argc;
	char threads[16], llc[32], size[24], tcp_port[8], udp_port[8];
};

/* Fills c with "open", w->name and the options w takes. c owns the small
 * number buffers; string values point into o and facts (keep them alive). */
void wl_open_cmd_build(struct wl_open_cmd *c, const struct run_options *o, const struct wl_info *w,
                       const struct wl_open_facts *facts);

/* The options asked for w, plus the repetition policy, as JSON. */
json_t *wl_asked_config(const struct run_options *o, const struct wl_info *w);

#endif
