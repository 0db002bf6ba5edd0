/* What bench compare and bench gate share: writing the comparison's files
 * and turning its verdict into an exit status. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/commands.h"
#include "reports/compare_out.h"

static int write_json(FILE *out, const void *arg)
{
	json_t *doc = compare_to_json(arg);
	int rc = doc ? json_dumpf(doc, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : -1;
	fputc('\n', out);
	json_decref(doc);
	return rc;
}

static int write_junit(FILE *out, const void *arg)
{
	return junit_write(out, arg);
}

static int write_md(FILE *out, const void *arg)
{
	return compare_markdown(out, arg);
}

/* path.XXXXXX, written, flushed, renamed over path; after a signal that
 * install_signal_handlers recorded, removed instead (nothing half-written
 * and no temporary file stays). */
static int write_atomic(const char *path, int (*fn)(FILE *, const void *), const void *arg,
                        struct bench_error **err)
{
	char tmp[PATH_MAX + 16];
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return bench_error_set(err, errno, "cannot write %s", path);
	FILE *f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		unlink(tmp);
		return bench_error_set(err, errno, "cannot write %s", path);
	}
	fchmod(fd, 0644);
	int rc = fn(f, arg);
	if (fflush(f) != 0 || ferror(f))
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	if (agent_interrupted) {
		unlink(tmp);
		return bench_error_set(err, 0, "interrupted by signal %d: %s not written",
		                       (int)agent_interrupted, path);
	}
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -1;
	if (rc < 0) {
		unlink(tmp);
		return bench_error_set(err, errno, "cannot write %s", path);
	}
	return 0;
}

int comparison_write(const char *command, const struct comparison *c,
                     const struct compare_outputs *o)
{
	struct bench_error *err = NULL;
	const char *paths[] = {o->json_file, o->junit, o->markdown};
	int (*fns[])(FILE *, const void *) = {write_json, write_junit, write_md};
	int rc = 0;
	for (int i = 0; i < 3; i++) {
		if (paths[i] == NULL || write_atomic(paths[i], fns[i], c, &err) == 0)
			continue;
		fprintf(stderr, "bench %s: %s\n", command, err->msg);
		bench_error_free(&err);
		rc = -1;
	}
	if (agent_interrupted)
		return -1;
	if (o->print_json)
		write_json(stdout, c);
	else if (!o->quiet)
		compare_print(stdout, c);
	return rc;
}

int comparison_exit(const struct comparison *c, bool bisect)
{
	/* bisecting, any gated metric too noisy to decide makes the step a skip */
	if (bisect && c->status == COMPARE_OK && c->counts[VERDICT_INCONCLUSIVE] > 0)
		return BISECT_SKIP;
	switch (c->status) {
	case COMPARE_OK:
		return bisect ? BISECT_GOOD : EXIT_OK;
	case COMPARE_REGRESSION:
		return bisect ? BISECT_BAD : EXIT_REGRESSION;
	case COMPARE_INCONCLUSIVE:
		return bisect ? BISECT_SKIP : EXIT_INCONCLUSIVE;
	case COMPARE_INVALID:
		return bisect ? BISECT_ABORT : EXIT_INVALID;
	}
	return EXIT_FAILED;
}

int expect_add(const char *list, const char **expect, size_t max, size_t *n,
               struct bench_error **err)
{
	char *copy = strdup(list), *save = NULL;
	if (copy == NULL)
		return bench_error_set(err, ENOMEM, "--expect");
	int rc = 0;
	for (char *k = strtok_r(copy, ",", &save); k && rc == 0; k = strtok_r(NULL, ",", &save)) {
		if (validity_key_check(k, err) < 0)
			rc = -1;
		else if (*n == max)
			rc = bench_error_set(err, 0, "--expect: more than %zu keys", max);
		else
			expect[(*n)++] = strdup(k); /* lives as long as the process */
	}
	free(copy);
	return rc;
}
