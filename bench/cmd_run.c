/* bench run: some environments, some workloads, one run file. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/commands.h"
#include "reports/overhead.h"
#include "harness/core/run_options.h"
#include "reports/run_table.h"
#include "harness/run/runner.h"

int cmd_run(int argc, char *argv[])
{
	struct run_options opts;
	struct bench_error *err = NULL;
	if (run_options_parse(argc, argv, &opts, &err) < 0)
		return command_usage_error("run", &err);
	if (opts.help) {
		printf(run_options_usage);
		return EXIT_OK;
	}
	struct run_session session;
	int status = run_session(&opts, argc, argv, &session);
	if (session.written) {
		if (opts.json) {
			json_t *doc = run_to_json(&session.run);
			json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
			printf("\n");
			json_decref(doc);
		} else {
			run_print_table(stdout, &session.run);
			if (session.run.overhead != NULL)
				overhead_print_table(stdout, session.run.overhead);
			printf("\nrun file: %s/run.json (%.1f s; instances' start/stop %.1f s; "
			       "harness overhead %.1f%%)\n",
			       session.dir, session.totals.wall_s, session.totals.env_s,
			       session.totals.wall_s > 0
			           ? 100 * runner_harness_s(&session.totals) / session.totals.wall_s
			           : 0.0);
		}
		run_conditions_print_warnings(stderr, &session.cond);
		if (session.totals.failed > 0)
			fprintf(stderr, "bench run: %u workload(s) failed; see the run file\n",
			        session.totals.failed);
	}
	run_session_free(&session);
	return status;
}
