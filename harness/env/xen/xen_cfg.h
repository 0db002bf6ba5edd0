/* The xl domain configuration for one bench guest (see xl.cfg(5)), built
 * from a plain description so it can be unit-tested without Xen, and the
 * parsers for what `xl` prints back. */
#ifndef BENCH_XEN_CFG_H
#define BENCH_XEN_CFG_H

#include <stddef.h>
#include <stdint.h>

#define XEN_MAX_VCPUS 64

struct xen_domain {
	const char *name;
	const char *type; /* "pvh", "pv" or "hvm" */
	const char *kernel;
	const char *initrd;
	const char *extra; /* kernel command line */
	uint64_t memory_bytes;
	unsigned vcpus;
	const int *pcpus;   /* hard affinity: vCPU i on pcpus[i]; NULL = any */
	const char *bridge; /* vif on this bridge, or NULL for no network */
	const char *mac;
	const char *disk; /* raw image as xvda, or NULL */
};

/* Writes the configuration into buf. Returns 0, or -1 when it does not fit
 * or a value holds a character xl's syntax cannot carry here (quotes,
 * backslash, newline; a comma in the disk path). */
int xen_cfg_write(const struct xen_domain *d, char *buf, size_t len);

/* One line of `xl vcpu-list`. */
struct xen_vcpu {
	unsigned vcpu;
	int cpu;       /* where it is (or last was) running, -1 when not running */
	char hard[64]; /* hard affinity, as xl prints it ("0", "0-1", "all") */
	char soft[64];
};

/* Parses `xl vcpu-list DOMAIN` output into out[0..max). Returns the number
 * of vCPUs found (0 when none: not that domain's output). */
size_t xen_parse_vcpu_list(const char *text, struct xen_vcpu *out, size_t max);

/* Parses `xl list DOMAIN` output: memory in MiB and CPU seconds. Returns 0,
 * or -1 when there is no domain line. */
int xen_parse_list(const char *text, long *mem_mib, double *cpu_s);

/* "major.minor<extra>" from `xl info` output, into buf. Returns 0 or -1. */
int xen_parse_version(const char *info, char *buf, size_t len);

#endif
