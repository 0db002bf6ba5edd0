/* Density studies (results/SCHEMA.md, "density") as a report table, and
 * the helpers the density charts share. */
#ifndef BENCH_REPORT_DENSITY_H
#define BENCH_REPORT_DENSITY_H

#include <jansson.h>
#include "harness/core/result.h"
#include "reports/rtable.h"

/* Fills *density with one row per density study of the run (none without a
 * density array). Returns 0, or -1 when out of memory. */
int report_density_tables(const struct run *run, struct rtable *density);

/* Fills *nodes with the per-node results of the studies that spread their
 * instances node by node (--spread nodes): for each, at the largest step
 * that met QoS (else the smallest step), one row per NUMA node: instances,
 * aggregate and worst. No rows when no study did. Returns 0, or -1 when out
 * of memory. */
int report_density_node_table(const struct run *run, struct rtable *nodes);

/* Fills *shape with one row per idle study of a container or qemu run:
 * the footprint and the memory-bound count on a 16 GiB host, beside the
 * seed's 536 LXD containers vs 47 KVM guests. Returns 0, or -1 when out of
 * memory. */
int report_density_shape(const struct run *run, struct rtable *shape);

/* The steps of a density study sorted by instances, as a malloc'd array of
 * borrowed references (*n of them); NULL when there are none or out of
 * memory. */
json_t **report_density_steps(json_t *study, size_t *n);

/* Median of the non-negative numbers in the JSON array a; NAN when none. */
double report_density_median(json_t *a);

#endif
