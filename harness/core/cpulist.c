#include "harness/core/cpulist.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_index(const char **p, long *out)
{
	if (!isdigit((unsigned char)**p))
		return -1;
	char *end;
	errno = 0;
	long v = strtol(*p, &end, 10);
	if (errno != 0 || v < 0 || v >= CPULIST_MAX)
		return -1;
	*p = end;
	*out = v;
	return 0;
}

int cpulist_parse(const char *text, bool set[CPULIST_MAX], struct bench_error **err)
{
	memset(set, 0, sizeof(bool) * CPULIST_MAX);
	if (text == NULL)
		return bench_error_set(err, 0, "empty CPU list");
	const char *p = text;
	int count = 0;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0')
		return bench_error_set(err, 0, "empty CPU list");
	for (;;) {
		long lo, hi;
		if (parse_index(&p, &lo) < 0)
			return bench_error_set(err, 0,
			                       "bad CPU list '%s': expected a CPU number below %d "
			                       "at '%s'",
			                       text, CPULIST_MAX, p);
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_index(&p, &hi) < 0 || hi < lo)
				return bench_error_set(
				    err, 0, "bad CPU list '%s': bad range ending at '%s'", text, p);
		}
		for (long i = lo; i <= hi; i++) {
			if (!set[i])
				count++;
			set[i] = true;
		}
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		if (*p != ',')
			return bench_error_set(err, 0, "bad CPU list '%s': unexpected '%s'", text,
			                       p);
		p++;
		while (isspace((unsigned char)*p))
			p++;
	}
	return count;
}

int cpulist_format(const bool set[CPULIST_MAX], char *buf, size_t len)
{
	size_t used = 0;
	if (len == 0)
		return -1;
	buf[0] = '\0';
	for (int i = 0; i < CPULIST_MAX; i++) {
		if (!set[i])
			continue;
		int j = i;
		while (j + 1 < CPULIST_MAX && set[j + 1])
			j++;
		int n = (i == j)
		            ? snprintf(buf + used, len - used, "%s%d", used ? "," : "", i)
		            : snprintf(buf + used, len - used, "%s%d-%d", used ? "," : "", i, j);
		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += (size_t)n;
		i = j;
	}
	return 0;
}
