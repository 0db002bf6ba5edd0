/* Workload options, shared by `wl run` and the agent's `open`. */
#include "workload.h"

#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <strings.h>

enum opt_kind { K_THREADS, K_BYTES, K_SECONDS, K_COUNT, K_REPS, K_PORT, K_STRING, K_FLAG };

/* name: the option without "--"; param: its name in `wl list` (as the
 * config key, hence llc_bytes); field: where it lands in wl_config. */
static const struct opt {
	const char *name, *param;
	unsigned flag;
	enum opt_kind kind;
	size_t field;
	size_t field_len; /* K_STRING: buffer size */
} opts[] = {
#define F(m) offsetof(struct wl_config, m)
    {"threads", "threads", WL_P_THREADS, K_THREADS, F(threads), 0},
    {"size", "size", WL_P_SIZE, K_BYTES, F(size_bytes), 0},
    {"duration", "duration", WL_P_DURATION, K_SECONDS, F(duration_s), 0},
    {"iterations", "iterations", WL_P_ITERATIONS, K_COUNT, F(iterations), 0},
    {"llc-bytes", "llc_bytes", WL_P_LLC, K_BYTES, F(llc_bytes), 0},
    {"reps", "reps", WL_P_REPS, K_REPS, 0, 0},
    {"peer", "peer", WL_P_PEER, K_STRING, F(peer), sizeof(((struct wl_config *)0)->peer)},
    {"port", "port", WL_P_PEER, K_PORT, F(port), 0},
    {"udp-port", "udp_port", WL_P_PEER, K_PORT, F(udp_port), 0},
    {"io-timeout", "io_timeout", WL_P_PEER, K_SECONDS, F(io_timeout_s), 0},
    {"streams", "streams", WL_P_STREAMS, K_THREADS, F(streams), 0},
    {"msg-size", "msg_size", WL_P_MSG, K_BYTES, F(msg_size), 0},
    {"req-size", "req_size", WL_P_MSG, K_BYTES, F(req_size), 0},
    {"resp-size", "resp_size", WL_P_MSG, K_BYTES, F(resp_size), 0},
    {"disk-dir", "disk_dir", WL_P_DISK, K_STRING, F(disk_dir),
     sizeof(((struct wl_config *)0)->disk_dir)},
    {"disk-path", "disk_path", WL_P_DISK, K_STRING, F(disk_path),
     sizeof(((struct wl_config *)0)->disk_path)},
    {"buffered", "buffered", WL_P_DISK, K_FLAG, F(buffered), 0},
    {"qd", "qd", WL_P_QD, K_THREADS, F(qd), 0},
    {"block-size", "block_size", WL_P_BLOCK, K_BYTES, F(block_size), 0},
#undef F
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
	static const char *const want[] = {
	    [K_THREADS] = "an integer from 1 to 4096",
	    [K_BYTES] = "a positive byte count (suffix K, M or G allowed)",
	    [K_SECONDS] = "a positive number of seconds up to 86400",
	    [K_COUNT] = "a positive integer",
	    [K_REPS] = "an integer from 1 to 1000000",
	    [K_PORT] = "a port number from 1 to 65535",
	    [K_STRING] = "a non-empty string without TAB or newline",
	    [K_FLAG] = "no value",
	};
	char *field = (char *)cfg + o->field;
	uint64_t v = 0;
	int rc = 0;

	switch (o->kind) {
	case K_THREADS:
	case K_PORT:
		if ((rc = parse_u64(val, false, 1, o->kind == K_PORT ? 65535 : 4096, &v)) == 0)
			*(unsigned *)field = (unsigned)v;
		break;
	case K_BYTES:
		rc = parse_u64(val, true, 1, UINT64_MAX, (uint64_t *)field);
		break;
	case K_SECONDS:
		rc = parse_seconds(val, (double *)field);
		break;
	case K_COUNT:
		rc = parse_u64(val, false, 1, UINT64_MAX, (uint64_t *)field);
		break;
	case K_REPS:
		if ((rc = parse_u64(val, false, 1, 1000000, &v)) == 0)
			*reps = (unsigned)v;
		break;
	case K_STRING:
		if (val[0] == '\0' || strlen(val) >= o->field_len || strpbrk(val, "\t\n"))
			rc = -1;
		else
			memcpy(field, val, strlen(val) + 1);
		break;
	case K_FLAG:
		*(bool *)field = true;
		break;
	}
	if (rc < 0)
		return wl_err(errbuf, errlen, "bad value '%s' for --%s: want %s", val, o->name,
		              want[o->kind]);
	cfg->given |= o->flag;
	return 0;
}

int wl_parse_options(const struct workload *w, int argc, char *const argv[], struct wl_config *cfg,
                     unsigned *reps, char *errbuf, size_t errlen)
{
	char valid[512];

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
		if (o->kind == K_FLAG && eq)
			return wl_err(errbuf, errlen, "--%s takes no value", o->name);
		if (o->kind == K_FLAG)
			val = "";
		else if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return wl_err(errbuf, errlen, "--%s needs a value", o->name);
		if (set_option(o, val, cfg, reps, errbuf, errlen) < 0)
			return -1;
	}
	if ((cfg->given & WL_P_SIZE) &&
	    (cfg->size_bytes < w->size_min || (w->size_max && cfg->size_bytes > w->size_max))) {
		char got[32], lo[32], hi[32] = "";
		wl_fmt_size(cfg->size_bytes, got, sizeof(got));
		wl_fmt_size(w->size_min, lo, sizeof(lo));
		if (w->size_max)
			wl_fmt_size(w->size_max, hi, sizeof(hi));
		return wl_err(errbuf, errlen, "--size %s is outside %s's range %s..%s", got,
		              w->name, lo, w->size_max ? hi : "(its target's size)");
	}
	return 0;
}
