/* wl: command line (list, run, serve, --version, --help) and the agent loop;
 * `wl serve` itself is in net_serve.c. */
#include "workload.h"
#include "json_out.h"
#include "net.h"

#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define EXIT_USAGE 2

static void usage(FILE *f)
{
	fputs("usage: wl list [--json]            the workloads, as a table or a JSON array\n"
	      "       wl run NAME [options]       run NAME, one JSON object per repetition\n"
	      "       wl NAME [options]           same as `wl run NAME`\n"
	      "       wl agent                    TAB-separated commands on stdin (see README)\n"
	      "       wl serve [--bind ADDR] [--lifetime SECONDS]\n"
	      "                                   peer of the net.* workloads, until stdin EOF\n"
	      "       wl --version | --help\n"
	      "options: --threads N  --size BYTES[K|M|G]  --duration SECONDS  --iterations N\n"
	      "         --reps N (run only, default 1)  --llc-bytes BYTES\n"
	      "(`wl list` shows which options each workload takes)\n",
	      f);
}

static int cmd_list(int argc, char **argv)
{
	bool json = argc == 1 && strcmp(argv[0], "--json") == 0;

	if (argc > 0 && !json) {
		fprintf(stderr, "wl list: unexpected argument '%s' (valid: --json)\n", argv[0]);
		return EXIT_USAGE;
	}
	if (!json)
		printf("%-15s %-14s %-7s %-44s %s\n", "NAME", "UNIT", "BETTER", "PARAMS",
		       "DESCRIPTION");
	for (size_t i = 0; i < wl_registry_len; i++) {
		const struct workload *w = wl_registry[i];
		char params[128];
		FILE *mf = fmemopen(params, sizeof(params), "w");

		if (mf) {
			wl_print_params(mf, w, false);
			fclose(mf);
		} else {
			params[0] = '\0';
		}
		if (json) {
			struct jw j;

			fputs(i ? "," : "[", stdout);
			jw_init(&j, stdout);
			jw_open(&j, NULL, '{');
			jw_str(&j, "name", w->name);
			jw_str(&j, "description", w->description);
			jw_str(&j, "unit", w->unit);
			jw_str(&j, "better", w->better == WL_HIGHER ? "higher" : "lower");
			fputs(",\"params\":", stdout);
			wl_print_params(stdout, w, true);
			if (w->params & WL_P_SIZE)
				printf(",\"size_range\":[%llu,%llu]",
				       (unsigned long long)w->size_min,
				       (unsigned long long)w->size_max);
			jw_close(&j);
		} else {
			printf("%-15s %-14s %-7s %-44s %s\n", w->name, w->unit,
			       w->better == WL_HIGHER ? "higher" : "lower", params, w->description);
		}
	}
	if (json)
		puts("]");
	return fflush(stdout) == 0 ? 0 : 1;
}

/* Looks up argv[0] and parses the rest; on failure a usage message. */
static const struct workload *parse_open(int argc, char **argv, struct wl_config *cfg,
                                         unsigned *reps, char *errbuf, size_t errlen)
{
	const struct workload *w;
	char names[256];

	*cfg = (struct wl_config){.threads = 1};
	wl_names(names, sizeof(names));
	if (argc < 1) {
		wl_err(errbuf, errlen, "missing workload name (valid: %s)", names);
		return NULL;
	}
	w = wl_find(argv[0]);
	if (!w) {
		wl_err(errbuf, errlen, "unknown workload '%s' (valid: %s)", argv[0], names);
		return NULL;
	}
	if (wl_parse_options(w, argc - 1, argv + 1, cfg, reps, errbuf, errlen) < 0)
		return NULL;
	return w;
}

static int cmd_run(int argc, char **argv)
{
	struct wl_config cfg;
	struct wl_result res;
	struct wl_ctx ctx;
	unsigned reps = 1;
	char err[512];
	double setup_s;
	const struct workload *w = parse_open(argc, argv, &cfg, &reps, err, sizeof(err));
	int rc = 0;

	if (!w) {
		fprintf(stderr, "wl: %s\n", err);
		return EXIT_USAGE;
	}
	if (wl_open(&ctx, w, &cfg, &setup_s, err, sizeof(err)) < 0) {
		fprintf(stderr, "wl: %s: setup: %s\n", w->name, err);
		return 1;
	}
	for (unsigned r = 0; r < reps && rc == 0; r++) {
		if (wl_rep(&ctx, &res, err, sizeof(err)) < 0) {
			fprintf(stderr, "wl: %s: rep %u: %s\n", w->name, r, err);
			rc = 1;
			break;
		}
		wl_print_rep(stdout, &ctx, r, &res);
		if (fflush(stdout) != 0)
			rc = 1;
		if (!res.valid) {
			fprintf(stderr, "wl: %s: rep %u: validation failed: %s\n", w->name, r, err);
			rc = 1;
		}
	}
	wl_close(&ctx);
	return rc;
}

/* One-line replies of the agent. */
static void reply(const char *type, const char *key, const char *val)
{
	struct jw j;

	jw_init(&j, stdout);
	jw_open(&j, NULL, '{');
	jw_str(&j, "type", type);
	if (key)
		jw_str(&j, key, val);
	jw_close(&j);
	fputc('\n', stdout);
}

/* Splits line at TABs in place into at most max fields; returns the count. */
static int split_tabs(char *line, char **fields, int max)
{
	int n = 0;

	for (char *p = line; n < max;) {
		fields[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

/* When the agent speaks on a terminal (a Xen domain's PV console), the
 * line discipline must pass bytes through: no echo of the commands, no
 * CR/LF translation, no line editing. */
static void raw_if_tty(int fd)
{
	struct termios t;

	if (!isatty(fd) || tcgetattr(fd, &t) < 0)
		return;
	cfmakeraw(&t);
	tcsetattr(fd, TCSANOW, &t);
}

static int cmd_agent(void)
{
	struct wl_ctx ctx = {0};
	unsigned rep = 0;
	char *line = NULL, err[512];
	size_t cap = 0;
	ssize_t len;
	bool quit = false;
	int rc = 0;

	raw_if_tty(STDIN_FILENO);
	raw_if_tty(STDOUT_FILENO);
	printf("{\"type\":\"ready\",\"version\":\"%s\",\"pid\":%d}\n", BENCH_VERSION,
	       (int)getpid());
	fflush(stdout);
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		char *f[64];
		int n;

		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		n = split_tabs(line, f, 64);
		if (strcmp(f[0], "quit") == 0) {
			quit = true;
			break;
		} else if (strcmp(f[0], "open") == 0) {
			struct wl_config cfg;
			const struct workload *w;
			double setup_s;

			if (ctx.opened) {
				snprintf(err, sizeof(err), "'%s' is open; close it first",
				         ctx.w->name);
				reply("error", "message", err);
			} else if (!(w = parse_open(n - 1, f + 1, &cfg, NULL, err, sizeof(err))) ||
			           wl_open(&ctx, w, &cfg, &setup_s, err, sizeof(err)) < 0) {
				reply("error", "message", err);
			} else {
				struct jw j;

				rep = 0;
				jw_init(&j, stdout);
				jw_open(&j, NULL, '{');
				jw_str(&j, "type", "opened");
				jw_str(&j, "workload", w->name);
				jw_num(&j, "setup_s", setup_s);
				jw_close(&j);
				fputc('\n', stdout);
			}
		} else if (strcmp(f[0], "rep") == 0 || strcmp(f[0], "close") == 0) {
			if (n > 1) {
				snprintf(err, sizeof(err), "'%s' takes no arguments", f[0]);
				reply("error", "message", err);
			} else if (!ctx.opened) {
				reply("error", "message", "no workload is open");
			} else if (f[0][0] == 'c') {
				wl_close(&ctx);
				reply("closed", NULL, NULL);
			} else {
				struct wl_result res;
				char msg[600];

				if (wl_rep(&ctx, &res, err, sizeof(err)) < 0) {
					reply("error", "message", err);
				} else if (!res.valid) {
					snprintf(msg, sizeof(msg), "validation failed: %s", err);
					reply("error", "message", msg);
				} else {
					wl_print_rep(stdout, &ctx, rep, &res);
				}
				rep++;
			}
		} else {
			snprintf(err, sizeof(err),
			         "unknown command '%.200s' (valid: open, rep, close, quit)", f[0]);
			reply("error", "message", err);
		}
		if (fflush(stdout) != 0) {
			rc = 1;
			break;
		}
	}
	free(line);
	if (ctx.opened)
		wl_close(&ctx);
	if (quit)
		reply("bye", NULL, NULL);
	if (fflush(stdout) != 0)
		rc = 1;
	return rc;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	signal(SIGPIPE, SIG_IGN); /* a vanished reader is a write error, not a kill */
	if (!cmd) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("wl %s (%s)\n", BENCH_VERSION, BENCH_GIT_COMMIT);
		return 0;
	}
	if (strcmp(cmd, "list") == 0)
		return cmd_list(argc - 2, argv + 2);
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 2, argv + 2);
	if (strcmp(cmd, "agent") == 0) {
		if (argc > 2) {
			fprintf(stderr, "wl agent: takes no arguments\n");
			return EXIT_USAGE;
		}
		return cmd_agent();
	}
	if (strcmp(cmd, "serve") == 0)
		return net_serve_main(argc - 2, argv + 2);
	if (cmd[0] == '-') {
		fprintf(stderr, "wl: unknown option '%s' (valid: --help, --version)\n", cmd);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!wl_find(cmd)) {
		char names[256];

		wl_names(names, sizeof(names));
		fprintf(stderr,
		        "wl: unknown command or workload '%s' (commands: list, run, agent, serve; "
		        "workloads: %s)\n",
		        cmd, names);
		return EXIT_USAGE;
	}
	return cmd_run(argc - 1, argv + 1);
}
