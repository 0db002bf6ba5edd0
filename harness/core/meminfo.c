#include "harness/core/meminfo.h"

#include <stdio.h>

#include "harness/core/cleanup.h"

int meminfo_read(uint64_t *total_bytes, uint64_t *available_bytes)
{
	*total_bytes = *available_bytes = 0;
	cleanup_fclose FILE *f = fopen("/proc/meminfo", "re");
	if (f == NULL)
		return -1;
	char line[256];
	unsigned long long v;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "MemTotal: %llu kB", &v) == 1)
			*total_bytes = (uint64_t)v << 10;
		else if (sscanf(line, "MemAvailable: %llu kB", &v) == 1)
			*available_bytes = (uint64_t)v << 10;
	}
	return *total_bytes && *available_bytes ? 0 : -1;
}
