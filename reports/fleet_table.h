/* The tables of a fleet report, built once from a fleet (the data; the
 * page and markdown that show them are in fleet_report.c). */
#ifndef BENCH_FLEET_TABLE_H
#define BENCH_FLEET_TABLE_H

#include "harness/core/error.h"
#include "reports/fleet.h"
#include "reports/rtable.h"

struct fleet_tables {
	char summary[1024];     /* one sentence: hosts, absent, fingerprints */
	struct rtable warnings; /* one column */
	struct rtable absent;   /* host | group | status | step | reason */
	struct rtable
	    hosts; /* host | group | fingerprint | CPU | kernel | memory | bench exit | samples */
	struct rtable fingerprints; /* fingerprint | hosts | CPU | kernel | memory | governor, SMT,
	                               THP | hypervisor | topology */
	struct rtable groups;       /* group | hosts | fingerprints | verdict */
	struct rtable spread; /* env | workload / metric | unit | hosts | median | range | worst vs
	                         best | hosts differ? */
	struct rtable
	    bare; /* host | workload / metric | mean ± 95% CI | unit | n | CV% | vs fleet median */
	struct rtable
	    overhead; /* host | env | workload / metric | slowdown [95% CI] | p | verdict */
	struct rtable
	    density; /* host | env | mode | workload | max instances | per GiB | stop reason */
};

/* Returns 0, or -1 with *err (memory). Free with fleet_tables_free, also
 * after a failure. */
int fleet_tables_build(const struct fleet *f, struct fleet_tables *t, struct bench_error **err);
void fleet_tables_free(struct fleet_tables *t);

#endif
