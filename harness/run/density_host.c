#include "harness/run/density_host.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness/core/clock.h"
#include "harness/core/meminfo.h"
#include "harness/core/spawn.h"
#include "harness/env/env.h"

#define TREE_DEPTH 8

static int64_t tree_pss(pid_t pid, int depth)
{
	int64_t sum = proc_pss_bytes(pid);
	if (sum < 0 || depth >= TREE_DEPTH)
		return sum;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (d == NULL)
		return sum;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char file[300], text[4096];
		snprintf(file, sizeof(file), "/proc/%d/task/%s/children", (int)pid, e->d_name);
		if (env_read_text(file, text, sizeof(text)) < 0)
			continue;
		char *save = NULL;
		for (char *t = strtok_r(text, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
			int64_t child = tree_pss((pid_t)atoi(t), depth + 1);
			if (child > 0)
				sum += child;
		}
	}
	closedir(d);
	return sum;
}

int64_t density_tree_pss(pid_t pid)
{
	return pid > 0 ? tree_pss(pid, 0) : -1;
}

static uint64_t available(void)
{
	uint64_t total, avail;
	return meminfo_read(&total, &avail) == 0 ? avail : 0;
}

uint64_t density_settle(double max_s, double *waited_s, int *settled)
{
	const uint64_t still = 4u << 20;
	double t0 = monotonic_seconds();
	uint64_t last = available();
	int calm = 0;
	*settled = 0;
	while (monotonic_seconds() - t0 < max_s) {
		struct timespec ts = {0, 250 * 1000 * 1000};
		nanosleep(&ts, NULL);
		uint64_t now = available();
		uint64_t delta = now > last ? now - last : last - now;
		last = now;
		calm = delta < still ? calm + 1 : 0;
		if (calm >= 2) {
			*settled = 1;
			break;
		}
	}
	*waited_s = monotonic_seconds() - t0;
	return last;
}

static long long ksm_read(const char *name)
{
	char path[96], text[64];
	snprintf(path, sizeof(path), "/sys/kernel/mm/ksm/%s", name);
	if (env_read_text(path, text, sizeof(text)) < 0 || text[0] == '\0')
		return -1;
	return strtoll(text, NULL, 10);
}

json_t *density_ksm_state(void)
{
	long long run = ksm_read("run"), shared = ksm_read("pages_shared"),
	          sharing = ksm_read("pages_sharing"), unshared = ksm_read("pages_unshared");
	if (run < 0)
		return json_pack("{s:b}", "available", 0);
	long page = sysconf(_SC_PAGESIZE);
	return json_pack("{s:b, s:I, s:I, s:I, s:I, s:I}", "available", 1, "run", (json_int_t)run,
	                 "pages_shared", (json_int_t)shared, "pages_sharing", (json_int_t)sharing,
	                 "pages_unshared", (json_int_t)unshared, "saved_bytes",
	                 (json_int_t)(sharing > 0 ? sharing * page : 0));
}
