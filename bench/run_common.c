/* Pieces every command that runs workloads shares: signals, run ids, the
 * run directory, the --env list. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/commands.h"
#include "harness/env/env.h"
#include "harness/run/runner.h"

/* True when a selected workload takes a scratch directory (disk). */
bool needs_scratch(const struct catalog *cat, const char *list)
{
	size_t *sel = NULL, n = 0;
	bool needed = false;
	if (catalog_select(cat, list, &sel, &n, NULL) < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		needed = needed || wl_info_takes(&cat->items[sel[i]], "disk_dir");
	free(sel);
	return needed;
}

static void on_signal(int sig)
{
	agent_interrupted = sig;
}

void install_signal_handlers(void)
{
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: waits wake up */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* "20261124-193000-host-1234" and "2026-11-24T19:30:00Z". */
void make_run_id(char *id, size_t id_len, char *created, size_t created_len)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char host[64] = "host";
	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	for (char *p = host; *p; p++)
		if (*p == '/' || *p == '.' || *p == ' ')
			*p = '_';
	char stamp[32];
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(id, id_len, "%s-%s-%d", stamp, host, (int)getpid());
	strftime(created, created_len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* --env LIST: every name known (else exit 2 with the valid ones) and able
 * to run here (else exit 3 with its reason). */
int resolve_envs(const char *list, const struct env_ops *envs[MAX_ENVS], size_t *n)
{
	char copy[256], *save = NULL;
	snprintf(copy, sizeof(copy), "%s", list);
	*n = 0;
	for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		const struct env_ops *env = env_find(name);
		if (env == NULL) {
			char names[256];
			struct bench_error *err = NULL;
			env_names(names, sizeof(names));
			bench_error_set(&err, 0, "unknown environment '%s' (valid: %s)", name,
			                names);
			return command_usage_error("run", &err);
		}
		char reason[512] = "";
		if (env->probe(reason, sizeof(reason)) < 0) {
			fprintf(stderr, "bench run: environment '%s' is not available here: %s\n",
			        env->name, reason);
			return EXIT_UNAVAILABLE;
		}
		for (size_t i = 0; i < *n; i++) {
			if (envs[i] == env) {
				struct bench_error *err = NULL;
				bench_error_set(&err, 0, "--env names %s twice", env->name);
				return command_usage_error("run", &err);
			}
		}
		if (*n == MAX_ENVS) {
			fprintf(stderr, "bench run: at most %d environments\n", MAX_ENVS);
			return EXIT_USAGE;
		}
		envs[(*n)++] = env;
	}
	if (*n == 0) {
		fprintf(stderr, "bench run: --env names no environment\n");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int prepare_run_dir(const char *dir, bool *own_dir, struct bench_error **err)
{
	struct stat st;
	*own_dir = false;
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
		return bench_error_set(err, 0, "--out %s exists and is not a directory", dir);
	if (stat(dir, &st) == 0)
		return 0;
	if (mkdir(dir, 0755) < 0)
		return bench_error_set(err, errno, "cannot create the run directory %s", dir);
	*own_dir = true;
	return 0;
}

int run_envs(const struct run_options *opts, const struct env_ops *const *envs, size_t n_envs,
             const struct catalog *cat, const struct topo *topo, const struct topo_binding *binding,
             const char *wl, const char *scratch, struct run_conditions *cond, struct run *run,
             struct runner_totals *totals, struct bench_error **err)
{
	struct runner_setup setup = {
	    .opts = opts,
	    .envs = envs,
	    .n_envs = n_envs,
	    .cat = cat,
	    .topo = topo,
	    .binding = binding,
	    .wl_path = wl,
	    .scratch_dir = scratch,
	};
	return runner_run(&setup, cond, run, totals, err);
}

void run_dir_choose(const char *out, const char *run_id, char dir[PATH_MAX])
{
	if (out != NULL) {
		snprintf(dir, PATH_MAX, "%s", out);
		return;
	}
	if (mkdir("results", 0755) < 0 && errno != EEXIST)
		fprintf(stderr, "bench: cannot create results/: %s\n", strerror(errno));
	snprintf(dir, PATH_MAX, "results/%s", run_id);
}

void scratch_prepare(struct scratch *s, const char *run_dir, const char *user_dir, bool needed)
{
	char path[PATH_MAX + 16];
	s->path[0] = '\0';
	s->owned = false;
	if (user_dir != NULL) {
		snprintf(path, sizeof(path), "%s", user_dir);
	} else if (needed) {
		snprintf(path, sizeof(path), "%s/scratch", run_dir);
		s->owned = mkdir(path, 0700) == 0;
		if (!s->owned && errno != EEXIST)
			fprintf(stderr, "bench: cannot create %s: %s\n", path, strerror(errno));
	} else {
		return;
	}
	/* Absolute, because the workload may see it from inside a container. */
	if (realpath(path, s->path) == NULL)
		snprintf(s->path, sizeof(s->path), "%.*s", (int)sizeof(s->path) - 1, path);
}

void scratch_release(struct scratch *s)
{
	if (s->owned)
		rmdir(s->path); /* wl unlinks its files as soon as it creates them */
	s->owned = false;
}
