#include "harness/env/explain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness/core/topo.h"

/* The number after "key " on a line of text that starts with key, or -1. */
static long long keyed(const char *text, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = text; p != NULL && *p != '\0';) {
		if (strncmp(p, key, n) == 0 && (p[n] == ' ' || p[n] == '\t'))
			return strtoll(p + n + 1, NULL, 10);
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return -1;
}

/* A file holding one number (or "max": -1). */
static long long number(const char *text)
{
	if (text == NULL || strncmp(text, "max", 3) == 0)
		return -1;
	char *end;
	long long v = strtoll(text, &end, 10);
	return end == text ? -1 : v;
}

void explain_memcg_v1(const char *oom_control, const char *failcnt, const char *max_usage,
                      const char *limit, struct memcg_facts *f)
{
	f->oom_kills = oom_control ? keyed(oom_control, "oom_kill") : -1;
	f->failcnt = number(failcnt);
	f->peak = number(max_usage);
	f->limit = number(limit);
	/* v1 says "no limit" with a huge page-rounded LLONG_MAX */
	if (f->limit >= (1ll << 62))
		f->limit = -1;
}

void explain_memcg_v2(const char *events, const char *peak, const char *max, struct memcg_facts *f)
{
	f->oom_kills = events ? keyed(events, "oom_kill") : -1;
	f->failcnt = events ? keyed(events, "max") : -1;
	f->peak = number(peak);
	f->limit = number(max);
}

bool explain_memcg_sentence(const struct memcg_facts *f, const char *who, char *buf, size_t len)
{
	if (f->oom_kills <= 0)
		return false;
	char peak[32] = "unknown", limit[32] = "no";
	if (f->peak >= 0)
		topo_fmt_bytes((uint64_t)f->peak, peak, sizeof(peak));
	if (f->limit >= 0)
		topo_fmt_bytes((uint64_t)f->limit, limit, sizeof(limit));
	snprintf(buf, len,
	         "%s OOM-killed%s: peak %s of the %s limit; raise --memory or lower --size", who,
	         f->oom_kills > 1 ? " (more than once)" : "", peak, limit);
	return true;
}

/* The line of text holding at, without its end of line or a leading
 * "[  12.345678] " timestamp, into line. */
static void take_line(const char *text, const char *at, char *line, size_t len)
{
	const char *start = at;
	while (start > text && start[-1] != '\n')
		start--;
	const char *end = strchr(at, '\n');
	size_t n = end ? (size_t)(end - start) : strlen(start);
	while (n > 0 && (start[n - 1] == '\r' || start[n - 1] == ' '))
		n--;
	if (*start == '[') {
		const char *close = memchr(start, ']', n);
		if (close != NULL) {
			n -= (size_t)(close + 1 - start);
			start = close + 1;
			while (n > 0 && *start == ' ')
				start++, n--;
		}
	}
	snprintf(line, len, "%.*s", (int)n, start);
}

/* The last occurrence of needle in text, or NULL. */
static const char *last(const char *text, const char *needle)
{
	const char *found = NULL;
	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		found = p;
	return found;
}

enum console_death explain_console(const char *text, char *line, size_t len)
{
	if (text == NULL)
		return CONSOLE_NOTHING;
	const char *panic = last(text, "Kernel panic - not syncing");
	if (panic != NULL) {
		take_line(text, panic, line, len);
		return CONSOLE_PANIC;
	}
	const char *oom = last(text, "Out of memory: Killed process");
	if (oom == NULL)
		oom = last(text, "Memory cgroup out of memory: Killed process");
	if (oom != NULL) {
		take_line(text, oom, line, len);
		return CONSOLE_OOM;
	}
	return CONSOLE_NOTHING;
}

int explain_guest_memory(const char *text, uint64_t *total, uint64_t *available)
{
	const char *p = text ? last(text, "guest-init: memory:") : NULL;
	unsigned long long t, a;
	if (p == NULL ||
	    sscanf(p, "guest-init: memory: MemTotal: %llu kB MemAvailable: %llu kB", &t, &a) != 2)
		return -1;
	*total = t * 1024;
	*available = a * 1024;
	return 0;
}

bool explain_guest_console(const char *console, const char *who, uint64_t ram, char *buf,
                           size_t len)
{
	char line[400], mem[32], avail[64] = "";
	uint64_t total, available;
	topo_fmt_bytes(ram, mem, sizeof(mem));
	if (explain_guest_memory(console, &total, &available) == 0) {
		char a[32];
		snprintf(avail, sizeof(avail), ", %s of it available after boot",
		         topo_fmt_bytes(available, a, sizeof(a)));
	}
	buf[0] = '\0';
	switch (explain_console(console, line, sizeof(line))) {
	case CONSOLE_OOM:
		snprintf(
		    buf, len,
		    "%s agent OOM-killed by the guest kernel (\"%s\"): the guest has %s RAM%s; "
		    "raise --memory or lower --size",
		    who, line, mem, avail);
		return true;
	case CONSOLE_PANIC:
		snprintf(buf, len, "%s kernel panicked (\"%s\") with %s RAM", who, line, mem);
		return true;
	case CONSOLE_NOTHING:
		break;
	}
	const char *exited =
	    console ? strstr(console, "guest-init: agent exited with status") : NULL;
	if (exited == NULL)
		return false;
	snprintf(buf, len, "%s agent ended (console: \"%.*s\")", who, (int)strcspn(exited, "\r\n;"),
	         exited);
	return true;
}

void explain_wait_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status)) {
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		const char *abbrev = sigabbrev_np(WTERMSIG(status));
		if (abbrev != NULL)
			snprintf(buf, len, "was killed by SIG%s", abbrev);
		else
			snprintf(buf, len, "was killed by signal %d", WTERMSIG(status));
	} else {
		snprintf(buf, len, "ended with wait status 0x%x", (unsigned)status);
	}
}

long long explain_vmstat_oom_kills(const char *vmstat)
{
	return vmstat ? keyed(vmstat, "oom_kill") : -1;
}

bool explain_kmsg_killed(const char *text, pid_t pid, char *line, size_t len)
{
	char needle[48];
	snprintf(needle, sizeof(needle), "Killed process %d (", (int)pid);
	const char *p = text ? last(text, needle) : NULL;
	if (p == NULL)
		return false;
	/* a /dev/kmsg record is "prio,seq,usec,flags;message" */
	take_line(text, p, line, len);
	char *semi = strchr(line, ';');
	if (semi != NULL && semi < strstr(line, "Killed process"))
		memmove(line, semi + 1, strlen(semi + 1) + 1);
	return true;
}
