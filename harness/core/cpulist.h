/* Linux cpulist strings ("0-3,6,8-9"): parsing and formatting. */
#ifndef BENCH_CPULIST_H
#define BENCH_CPULIST_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/core/error.h"

#define CPULIST_MAX 1024 /* highest index accepted + 1 */

/* Parses text into set[0..CPULIST_MAX) (true = member). Accepts "N",
 * "A-B", comma-separated, surrounding blanks; rejects empty lists, reversed
 * ranges, indices >= CPULIST_MAX and junk. Returns the member count (>= 1),
 * or -1 with *err. */
int cpulist_parse(const char *text, bool set[CPULIST_MAX], struct bench_error **err);

/* Formats set as a compact cpulist into buf ("" for the empty set).
 * Returns 0, or -1 if buf is too small (buf then holds a truncated list). */
int cpulist_format(const bool set[CPULIST_MAX], char *buf, size_t len);

#endif
