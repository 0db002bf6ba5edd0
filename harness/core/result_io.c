/* Run files on disk: atomic write of dir/run.json, validated read. */
#include "harness/core/result.h"

#include <string.h>

#include "harness/core/json_file.h"

#define RUN_FILE "run.json"

int run_write(const struct run *run, const char *dir, struct bench_error **err)
{
	/* Serialise first: a run that cannot be written creates nothing. */
	json_auto_t *doc = run_to_json(run);
	if (doc == NULL)
		return bench_error_set(
		    err, 0,
		    "%s: cannot serialise the run (no run_id, "
		    "a value that is not finite, invalid UTF-8, or out of memory)",
		    dir);
	return json_file_write(doc, dir, RUN_FILE, err);
}

int run_read(const char *path, struct run *run, struct bench_error **err)
{
	memset(run, 0, sizeof(*run));
	json_auto_t *doc = json_file_read(path, err);
	if (doc == NULL)
		return -1;
	if (run_from_json(doc, run, err) < 0)
		return bench_error_wrap(err, "%s", path);
	return 0;
}
