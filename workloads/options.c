/* Workload options, shared by `wl run` and the agent's `open`. */
#include "workload.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <strings.h>

/* name: the option without "--"; param: its name in `wl list` (as the
 * config key, hence llc_bytes). */
static const struct opt {
	const char *name, *param;
	unsigned flag;
} opts[] = {
    {"threads", "threads", WL_P_THREADS},    {"size", "size", WL_P_SIZE},
    {"duration", "duration", WL_P_DURATION}, {"iterations", "iterations", WL_P_ITERATIONS},
    {"llc-bytes", "llc_bytes", WL_P_LLC},    {"reps", "reps", WL_P_REPS},
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

/* Every workload takes --llc-bytes (a host fact the harness may always
 * pass); only those with WL_P_LLC list it, because only they use it. */
static unsigned accepted(const struct workload *w, bool reps)
{
	return w->params | WL_P_LLC | (reps ? WL_P_REPS : 0);
}

static void accepted_list(const struct workload *w, bool reps, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NOPTS; i++)
		if ((accepted(w, reps) & opts[i].flag) && used < len)
			used += snprintf(buf + used, len - used, "%s--%s", used ? " " : "",
			                 opts[i].name);
}

void wl_print_params(FILE *f, const struct workload *w, bool json)
{
	bool first = true;

	fputs(json ? "[" : "", f);
	for (size_t i = 0; i < NOPTS; i++) {
		if (!(w->params & opts[i].flag))
			continue;
		fprintf(f, json ? "%s\"%s\"" : "%s%s", first ? "" : ",", opts[i].param);
		first = false;
	}
	fputs(json ? "]" : "", f);
}

/* Unsigned decimal with an optional K/M/G (KiB/MiB/GiB) suffix when
 * suffix is true. Returns 0, or -1 on junk, overflow or out of [lo, hi]. */
static int parse_u64(const char *s, bool suffix, uint64_t lo, uint64_t hi, uint64_t *out)
{
	unsigned long long v;
	uint64_t mult = 1;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (suffix && *end) {
		switch (toupper((unsigned char)*end)) {
		case 'K':
			mult = KIB;
			break;
		case 'M':
			mult = MIB;
			break;
		case 'G':
			mult = GIB;
			break;
		default:
			return -1;
		}
		end++;
		if (strcasecmp(end, "iB") == 0 || strcasecmp(end, "B") == 0)
			end += strlen(end);
	}
	if (*end || v > UINT64_MAX / mult)
		return -1;
	v *= mult;
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!isdigit((unsigned char)s[0]) && s[0] != '.')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v <= 0 || v > 86400)
		return -1;
	*out = v;
	return 0;
}

static int set_option(const struct opt *o, const char *val, struct wl_config *cfg, unsigned *reps,
                      char *errbuf, size_t errlen)
{
	uint64_t v = 0;
	int rc = 0;

	switch (o->flag) {
	case WL_P_THREADS:
		if ((rc = parse_u64(val, false, 1, 4096, &v)) == 0)
			cfg->threads = (unsigned)v;
		break;
	case WL_P_SIZE:
		rc = parse_u64(val, true, 1, UINT64_MAX, &cfg->size_bytes);
		break;
	case WL_P_DURATION:
		rc = parse_seconds(val, &cfg->duration_s);
		break;
	case WL_P_ITERATIONS:
		rc = parse_u64(val, false, 1, UINT64_MAX, &cfg->iterations);
		break;
	case WL_P_LLC:
		rc = parse_u64(val, true, 1, UINT64_MAX, &cfg->llc_bytes);
		break;
	case WL_P_REPS:
		if ((rc = parse_u64(val, false, 1, 1000000, &v)) == 0)
			*reps = (unsigned)v;
		break;
	}
	if (rc < 0) {
		static const char *const want[] = {
		    "an integer from 1 to 4096",
		    "a positive byte count (suffix K, M or G allowed)",
		    "a positive number of seconds up to 86400",
		    "a positive integer",
		    "a positive byte count (suffix K, M or G allowed)",
		    "an integer from 1 to 1000000",
		};
		return wl_err(errbuf, errlen, "bad value '%s' for --%s: want %s", val, o->name,
		              want[__builtin_ctz(o->flag)]);
	}
	cfg->given |= o->flag;
	return 0;
}

int wl_parse_options(const struct workload *w, int argc, char *const argv[], struct wl_config *cfg,
                     unsigned *reps, char *errbuf, size_t errlen)
{
	char valid[160];

	accepted_list(w, reps != NULL, valid, sizeof(valid));
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *val = NULL, *eq;
		const struct opt *o = NULL;
		size_t namelen;

		if (strncmp(arg, "--", 2) != 0)
			return wl_err(errbuf, errlen,
			              "unexpected argument '%s' (options for %s: %s)", arg, w->name,
			              valid);
		eq = strchr(arg, '=');
		namelen = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		for (size_t k = 0; k < NOPTS; k++)
			if (strlen(opts[k].name) == namelen &&
			    strncmp(opts[k].name, arg + 2, namelen) == 0)
				o = &opts[k];
		if (!o || !(accepted(w, reps != NULL) & o->flag))
			return wl_err(errbuf, errlen, "%s option '%.*s' for %s (valid: %s)",
			              o ? "unsupported" : "unknown", (int)namelen + 2, arg, w->name,
			              valid);
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return wl_err(errbuf, errlen, "--%s needs a value", o->name);
		if (set_option(o, val, cfg, reps, errbuf, errlen) < 0)
			return -1;
	}
	return 0;
}
