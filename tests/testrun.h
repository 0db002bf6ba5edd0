/* For integration tests: reading the run file a real bench wrote. Include
 * after cmocka.h. */
#ifndef BENCH_TESTRUN_H
#define BENCH_TESTRUN_H

#include <limits.h>
#include <stdio.h>

#include "result.h"

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

#endif
