/* The host fingerprint stored in every run file (results/SCHEMA.md). */
#ifndef BENCH_FINGERPRINT_H
#define BENCH_FINGERPRINT_H

#include <jansson.h>

#include "harness/core/topo.h"

/* Collects kernel, CPU model, topology summary, memory, governor, SMT, THP,
 * hypervisor underneath, compiler, bench version and git commit. Fields
 * that cannot be read say "unavailable" rather than being left out. Caller
 * owns the reference; never returns NULL except on allocation failure. */
json_t *fingerprint_collect(const struct topo *t);

/* Reads the first line of a small file into buf without the newline.
 * Returns 0, or -1 if it cannot be read (buf then holds ""). */
int read_first_line(const char *path, char *buf, size_t len);

/* The hypervisor underneath ("none", "KVM", "QEMU TCG", "xen", ...): the
 * cpuid vendor signature, or /sys/hypervisor/type when it names one. */
void fingerprint_hypervisor(char *buf, size_t len);

#endif
