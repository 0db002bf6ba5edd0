/* The host's memory as the kernel reports it (/proc/meminfo). */
#ifndef BENCH_MEMINFO_H
#define BENCH_MEMINFO_H

#include <stdint.h>

/* MemTotal and MemAvailable in bytes. Returns 0, or -1 when /proc/meminfo
 * cannot be read or lacks them (both are then 0). */
int meminfo_read(uint64_t *total_bytes, uint64_t *available_bytes);

#endif
