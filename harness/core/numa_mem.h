/* Memory by NUMA node: how much of an instance's memory lies on each node,
 * as the host's kernel reports it. For a process tree (bare's wl, a guest's
 * QEMU, whose RAM is its memory) from /proc/PID/numa_maps; for a cgroup (a
 * container) from memory.numa_stat. */
#ifndef BENCH_NUMA_MEM_H
#define BENCH_NUMA_MEM_H

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

#define NUMA_MEM_NODES 64 /* nodes 0..63 counted; higher ones are ignored */

struct numa_mem {
	int64_t bytes[NUMA_MEM_NODES]; /* bytes on node i */
	int nodes;                     /* highest node seen + 1; 0 = nothing measured */
	const char *source;            /* "numa_maps" or "memory.numa_stat" (static) */
};

/* Adds the pages of a numa_maps text (one mapping per line: "N<node>=<pages>"
 * and "kernelpagesize_kB=<k>") to *m. Pages mapped by several processes
 * count in each. Returns the number of mappings read. */
int numa_mem_add_maps(struct numa_mem *m, const char *text);

/* Reads memory.numa_stat text into *m (which it clears): cgroup v1's
 * "hierarchical_total" line (else "total"), counted in pages of page_bytes;
 * cgroup v2's "anon" and "file" lines, in bytes. Returns 0, or -1 when the
 * text has none of these. */
int numa_mem_parse_cgroup(struct numa_mem *m, const char *text, uint64_t page_bytes);

/* The resident memory by node of process pid and its descendants (their
 * /proc/PID/numa_maps). Returns 0, or -1 when pid's numa_maps cannot be
 * read (the process is gone, or the kernel has no NUMA support). */
int numa_mem_process_tree(pid_t pid, struct numa_mem *m);

/* {"0": bytes, "1": bytes, ...} over the nodes seen (caller owns), or
 * JSON null when nothing was measured. */
json_t *numa_mem_to_json(const struct numa_mem *m);

#endif
