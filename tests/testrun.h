/* For integration tests: reading the run file a real bench wrote. Include
 * after cmocka.h. */
#ifndef BENCH_TESTRUN_H
#define BENCH_TESTRUN_H

#include <limits.h>
#include <stdio.h>

#include "harness/core/result.h"
#include "testutil.h"

/* dir/run.json, read and validated; the test fails with the reader's
 * message when it is rejected. The caller frees it with run_free. */
static inline struct run read_run(const char *dir)
{
	char file[PATH_MAX + 16];
	snprintf(file, sizeof(file), "%s/run.json", dir);
	struct run run;
	struct bench_error *err = NULL;
	if (run_read(file, &run, &err) < 0)
		fail_msg("%s rejected: %s", file, err->msg);
	return run;
}

/* "" when `bench list` says environment name can run here, else its
 * reason, into reason[0..len). */
static inline void env_unavailable(const char *bench, const char *name, char *reason, size_t len)
{
	char *argv[] = {(char *)bench, "list", "--json", NULL};
	struct cmd_result r = run_cmd(argv);
	json_t *doc = json_loads(r.out, 0, NULL);
	json_t *envs = json_object_get(doc, "environments");
	snprintf(reason, len, "%s is not in `bench list`", name);
	for (size_t i = 0; i < json_array_size(envs); i++) {
		json_t *e = json_array_get(envs, i);
		if (strcmp(json_string_value(json_object_get(e, "name")), name) != 0)
			continue;
		if (json_is_true(json_object_get(e, "available")))
			reason[0] = '\0';
		else
			snprintf(reason, len, "%s",
			         json_string_value(json_object_get(e, "reason")));
	}
	json_decref(doc);
	cmd_result_free(&r);
}

#endif
