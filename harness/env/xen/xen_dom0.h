/* The Xen dom0 toolstack, driven with argument vectors: xl for domains,
 * xenstore-read for the console pty, /proc for dom0's back-end threads. */
#ifndef BENCH_XEN_DOM0_H
#define BENCH_XEN_DOM0_H

#include <jansson.h>
#include <stddef.h>

#include "harness/core/error.h"
#include "harness/env/xen/xen_cfg.h"

/* 0 when this host is a privileged Xen dom0 (/proc/xen/capabilities says
 * control_d) with a working `xl info`; otherwise -1 and the precise reason
 * in reason[0..len). */
int xen_dom0_probe(char *reason, size_t len);

/* The hypervisor's version from `xl info` ("4.17.5-pre"), cached. */
int xen_dom0_version(char *buf, size_t len, struct bench_error **err);

/* `xl create -p CFG` (paused), then the new domain's id. */
int xen_dom0_create_paused(const char *cfg, const char *name, int *domid, struct bench_error **err);

/* The pty xenconsoled made for the domain's PV console (from xenstore),
 * waiting up to a few seconds for it to appear. */
int xen_dom0_console_tty(int domid, char *buf, size_t len, struct bench_error **err);

int xen_dom0_unpause(const char *name, struct bench_error **err);

/* `xl vcpu-pin NAME VCPU PCPU` (hard affinity). */
int xen_dom0_vcpu_pin(const char *name, unsigned vcpu, int pcpu, struct bench_error **err);

/* `xl vcpu-list NAME`, parsed; *n = the number of vCPUs. */
int xen_dom0_vcpu_list(const char *name, struct xen_vcpu *out, size_t max, size_t *n,
                       struct bench_error **err);

/* `xl list NAME`: memory (MiB) and CPU time (s) of the domain. */
int xen_dom0_list(const char *name, long *mem_mib, double *cpu_s, struct bench_error **err);

/* CPU seconds of dom0's back-end kernel threads serving domid (blkback.<id>.*,
 * vif<id>.*), or -1 when none is found. */
double xen_dom0_backend_cpu_s(int domid);

/* Those back-end threads as an array of {tid, name, cpus_allowed,
 * last_cpu} (dom0's vCPUs; caller owns). */
json_t *xen_dom0_backend_threads(int domid);

/* Appends what dom0 can tell about a domain that did not come up to *err:
 * its `xl list` line (state) and the tail of `xl dmesg`. */
void xen_dom0_explain(const char *name, struct bench_error **err);

/* `xl destroy NAME`, silently (the domain may be gone already). */
void xen_dom0_destroy(const char *name);

#endif
