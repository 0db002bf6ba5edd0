#include "harness/core/numa_mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"

static void add(struct numa_mem *m, long node, int64_t bytes)
{
	if (node < 0 || node >= NUMA_MEM_NODES)
		return;
	m->bytes[node] += bytes;
	if (node + 1 > m->nodes)
		m->nodes = (int)node + 1;
}

/* One numa_maps line: its N<node>=<pages> fields times its page size. */
static void add_maps_line(struct numa_mem *m, const char *line, size_t len)
{
	int64_t page = 4096;
	static const char key[] = "kernelpagesize_kB=";
	const char *k = memmem(line, len, key, strlen(key));
	if (k != NULL)
		page = strtoll(k + strlen(key), NULL, 10) * 1024;
	for (const char *p = line; p < line + len; p++) {
		if (*p != 'N' || (p != line && p[-1] != ' '))
			continue;
		char *end;
		long node = strtol(p + 1, &end, 10);
		if (end == p + 1 || *end != '=')
			continue;
		long long pages = strtoll(end + 1, &end, 10);
		add(m, node, (int64_t)pages * page);
	}
}

int numa_mem_add_maps(struct numa_mem *m, const char *text)
{
	int n = 0;
	for (const char *line = text; *line != '\0';) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (len > 0) {
			add_maps_line(m, line, len);
			n++;
		}
		line += len + (nl != NULL);
	}
	m->source = "numa_maps";
	return n;
}

/* Adds the N<node>=<count> fields of line (up to its end) times unit. */
static void add_stat_line(struct numa_mem *m, const char *line, int64_t unit)
{
	const char *end = strchr(line, '\n');
	if (end == NULL)
		end = line + strlen(line);
	for (const char *p = strstr(line, " N"); p != NULL && p < end; p = strstr(p + 1, " N")) {
		char *e;
		long node = strtol(p + 2, &e, 10);
		if (e == p + 2 || *e != '=')
			continue;
		add(m, node, (int64_t)strtoll(e + 1, NULL, 10) * unit);
	}
}

/* The line of text that starts with key followed by sep, or NULL. */
static const char *stat_line(const char *text, const char *key, char sep)
{
	size_t k = strlen(key);
	for (const char *line = text; line != NULL && *line != '\0';) {
		if (strncmp(line, key, k) == 0 && line[k] == sep)
			return line;
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	return NULL;
}

int numa_mem_parse_cgroup(struct numa_mem *m, const char *text, uint64_t page_bytes)
{
	memset(m, 0, sizeof(*m));
	m->source = "memory.numa_stat";
	const char *v1 = stat_line(text, "hierarchical_total", '=');
	if (v1 == NULL)
		v1 = stat_line(text, "total", '=');
	if (v1 != NULL) {
		add_stat_line(m, v1, (int64_t)page_bytes);
		return 0;
	}
	const char *anon = stat_line(text, "anon", ' '), *file = stat_line(text, "file", ' ');
	if (anon == NULL && file == NULL)
		return -1;
	if (anon != NULL)
		add_stat_line(m, anon, 1);
	if (file != NULL)
		add_stat_line(m, file, 1);
	return 0;
}

/* Reads a whole /proc file into a malloc'd string, or NULL. */
static char *read_proc(const char *path)
{
	cleanup_fclose FILE *f = fopen(path, "re");
	if (f == NULL)
		return NULL;
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	while (buf != NULL) {
		size_t n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
		if (len + 1 == cap) {
			char *bigger = realloc(buf, cap * 2);
			if (bigger == NULL) {
				free(buf);
				return NULL;
			}
			buf = bigger;
			cap *= 2;
		}
	}
	if (buf != NULL)
		buf[len] = '\0';
	return buf;
}

int numa_mem_process_tree(pid_t pid, struct numa_mem *m)
{
	memset(m, 0, sizeof(*m));
	enum { MAX_PROCS = 256 };
	pid_t todo[MAX_PROCS];
	size_t n = 0, seen = 0;
	todo[n++] = pid;
	while (seen < n) {
		pid_t p = todo[seen++];
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/numa_maps", (int)p);
		char *maps = read_proc(path);
		if (maps == NULL && p == pid)
			return -1;
		if (maps != NULL)
			numa_mem_add_maps(m, maps);
		free(maps);
		/* children of every thread of p */
		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)p, (int)p);
		char *kids = read_proc(path);
		for (char *s = kids, *e; s != NULL && n < MAX_PROCS; s = e) {
			long k = strtol(s, &e, 10);
			if (e == s)
				break;
			todo[n++] = (pid_t)k;
		}
		free(kids);
	}
	m->source = "numa_maps";
	return 0;
}

json_t *numa_mem_to_json(const struct numa_mem *m)
{
	if (m->nodes == 0)
		return json_null();
	json_t *j = json_object();
	for (int i = 0; i < m->nodes; i++) {
		char key[16];
		snprintf(key, sizeof(key), "%d", i);
		json_object_set_new(j, key, json_integer(m->bytes[i]));
	}
	return j;
}
