/* Affinity, cpulists, NUMA placement of pages and the LLC size. */
#include "workload.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int pin_allowed_cpus(int **cpus, char *errbuf, size_t errlen)
{
	for (int ncpu = 1024; ncpu <= (1 << 20); ncpu *= 2) {
		cpu_set_t *set = CPU_ALLOC(ncpu);
		size_t size = CPU_ALLOC_SIZE(ncpu);
		int n = 0, *v;

		if (!set)
			return wl_err(errbuf, errlen, "out of memory");
		if (sched_getaffinity(0, size, set) < 0) {
			int e = errno;

			CPU_FREE(set);
			if (e == EINVAL)
				continue;
			return wl_err(errbuf, errlen, "sched_getaffinity: %s", strerror(e));
		}
		v = malloc(sizeof(*v) * (size_t)CPU_COUNT_S(size, set));
		if (!v) {
			CPU_FREE(set);
			return wl_err(errbuf, errlen, "out of memory");
		}
		for (int c = 0; c < ncpu; c++)
			if (CPU_ISSET_S(c, size, set))
				v[n++] = c;
		CPU_FREE(set);
		if (n == 0) {
			free(v);
			return wl_err(errbuf, errlen, "empty CPU affinity mask");
		}
		*cpus = v;
		return n;
	}
	return wl_err(errbuf, errlen, "sched_getaffinity: mask too large");
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

void pin_cpulist(const int *v, size_t n, char *buf, size_t len)
{
	_cleanup_free_ int *s = malloc(sizeof(*s) * (n ? n : 1));
	size_t m = 0, used = 0;

	snprintf(buf, len, "unknown");
	if (!s)
		return;
	for (size_t i = 0; i < n; i++)
		if (v[i] >= 0)
			s[m++] = v[i];
	if (m == 0)
		return;
	qsort(s, m, sizeof(*s), cmp_int);
	buf[0] = '\0';
	for (size_t i = 0; i < m;) {
		size_t j = i;

		while (j + 1 < m && s[j + 1] <= s[j] + 1)
			j++;
		if (used < len)
			used += snprintf(buf + used, len - used, "%s%d", i ? "," : "", s[i]);
		if (s[j] != s[i] && used < len)
			used += snprintf(buf + used, len - used, "-%d", s[j]);
		i = j + 1;
	}
}

/* move_pages(2) as numaif.h declares it, but as a raw syscall: libnuma.a's
 * wrapper drags in libnuma's constructor (sysfs parsing at start-up) and
 * its getaddrinfo user, neither of which belongs in a static guest binary. */
static long query_pages(unsigned long count, void **pages, int *status)
{
	return syscall(SYS_move_pages, 0, count, pages, NULL, status, 0);
}

void pin_mem_nodes(const void *base, size_t len, char *buf, size_t buflen)
{
	enum { SAMPLES = 64 };
	size_t page = (size_t)sysconf(_SC_PAGESIZE), npages, n;
	void *pages[SAMPLES];
	int status[SAMPLES];
	uintptr_t first;

	snprintf(buf, buflen, "unknown");
	if (!base || len == 0)
		return;
	first = (uintptr_t)base & ~(uintptr_t)(page - 1);
	npages = ((uintptr_t)base + len - 1 - first) / page + 1;
	n = npages < SAMPLES ? npages : SAMPLES;
	for (size_t i = 0; i < n; i++)
		pages[i] = (void *)(first + (n > 1 ? i * (npages - 1) / (n - 1) : 0) * page);
	if (query_pages(n, pages, status) < 0)
		return; /* ENOSYS, or refused by a seccomp filter */
	pin_cpulist(status, n, buf, buflen);
}

/* Reads a small sysfs file into buf without the trailing newline. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return -1;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

uint64_t pin_llc_bytes(void)
{
	static const char dir[] = "/sys/devices/system/cpu/cpu0/cache";
	DIR *d = opendir(dir);
	struct dirent *e;
	uint64_t best = 0;
	int best_level = -1;

	while (d && (e = readdir(d))) {
		char path[512], level[32], type[32], size[32], *end;
		unsigned long long v;

		if (strncmp(e->d_name, "index", 5) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/level", dir, e->d_name);
		if (read_line(path, level, sizeof(level)) < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/type", dir, e->d_name);
		if (read_line(path, type, sizeof(type)) < 0 ||
		    (strcmp(type, "Unified") != 0 && strcmp(type, "Data") != 0))
			continue;
		snprintf(path, sizeof(path), "%s/%s/size", dir, e->d_name);
		if (read_line(path, size, sizeof(size)) < 0)
			continue;
		v = strtoull(size, &end, 10);
		if (*end == 'K')
			v *= KIB;
		else if (*end == 'M')
			v *= MIB;
		else if (*end == 'G')
			v *= GIB;
		if (v && atoi(level) > best_level) {
			best_level = atoi(level);
			best = v;
		}
	}
	if (d)
		closedir(d);
	return best ? best : 32 * MIB;
}

/* get_mempolicy(2) modes (linux/mempolicy.h), named for the rep object. */
static const char *const policy_names[] = {
    "default", "preferred", "bind", "interleave", "local", "preferred_many", "weighted_interleave"};

void pin_mem_policy(char *buf, size_t len)
{
	unsigned long mask[16] = {0};
	int mode = -1;

	if (syscall(SYS_get_mempolicy, &mode, mask, sizeof(mask) * 8, NULL, 0UL) < 0 || mode < 0) {
		snprintf(buf, len, "unknown");
		return;
	}
	mode &= 0xff; /* drop MPOL_F_* mode flags */
	const char *name = (size_t)mode < sizeof(policy_names) / sizeof(policy_names[0])
	                       ? policy_names[mode]
	                       : "other";
	int nodes[64];
	size_t n = 0;
	for (int i = 0; i < 16 * 64 && n < 64; i++)
		if (mask[i / 64] & (1UL << (i % 64)))
			nodes[n++] = i;
	char list[128];
	pin_cpulist(nodes, n, list, sizeof(list));
	if (n == 0)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%s:%s", name, list);
}
