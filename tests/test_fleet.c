/* The fleet playbook, checked on what a real campaign produced:
 * scripts/test-fleet runs ansible-playbook over SSH to two hosts made in
 * network namespaces and points BENCH_FLEET_OUT at its directory
 * (results/<campaign>/ and <campaign>.rc for each campaign). Without
 * BENCH_FLEET_OUT (the ordinary run of every test program) every case
 * skips: run make test-fleet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "reports/fleet.h"
#include "testutil.h"

static const char *out_dir;

static int find_results(void **state)
{
	(void)state;
	out_dir = getenv("BENCH_FLEET_OUT");
	return 0;
}

#define NEED_RESULTS()                                                                             \
	do {                                                                                       \
		if (out_dir == NULL || out_dir[0] == '\0') {                                       \
			print_message(                                                             \
			    "skipped: no fleet campaign results (run make test-fleet)\n");         \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

static int campaign_rc(const char *campaign)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s.rc", out_dir, campaign);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		fail_msg("%s is missing", path);
	int rc = -1;
	if (fscanf(f, "%d", &rc) != 1)
		fail_msg("%s: no exit status", path);
	fclose(f);
	return rc;
}

static struct fleet read_fleet(const char *campaign)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/results/%s/fleet.json", out_dir, campaign);
	struct fleet f;
	struct bench_error *err = NULL;
	if (fleet_read(path, &f, &err) < 0)
		fail_msg("%s rejected: %s", path, err->msg);
	return f;
}

static bool exists(const char *campaign, const char *name)
{
	char path[PATH_MAX];
	struct stat st;
	snprintf(path, sizeof(path), "%s/results/%s/%s", out_dir, campaign, name);
	return stat(path, &st) == 0 && st.st_size > 0;
}

static char *slurp(const char *campaign, const char *name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/results/%s/%s", out_dir, campaign, name);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		fail_msg("%s is missing", path);
	char *text = NULL;
	size_t len = 0;
	if (getdelim(&text, &len, '\0', f) < 0)
		fail_msg("%s: cannot read", path);
	fclose(f);
	return text;
}

static const struct sample *find(const struct run *run, const char *workload)
{
	for (size_t i = 0; i < run->n_samples; i++)
		if (strcmp(run->samples[i].workload, workload) == 0 &&
		    strcmp(run->samples[i].env, "bare") == 0)
			return &run->samples[i];
	return NULL;
}

static time_t utc(const char *iso)
{
	struct tm tm = {0};
	assert_non_null(strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm));
	return timegm(&tm);
}

/* Both hosts measured, fetched, merged, reported; exit status 0. */
static void both_hosts_merged(void **state)
{
	(void)state;
	NEED_RESULTS();
	assert_int_equal(campaign_rc("both"), 0);
	struct fleet f = read_fleet("both");
	assert_string_equal(f.campaign, "both");
	assert_int_equal(f.n_hosts, 2);
	assert_int_equal(f.n_absent, 0);
	for (size_t i = 0; i < 2; i++) {
		const struct fleet_host *h = &f.hosts[i];
		char name[8], out_suffix[64];
		snprintf(name, sizeof(name), "h%zu", i + 1);
		assert_string_equal(h->name, name);
		assert_string_equal(h->group, "twins");
		assert_int_equal(h->exit_status, 0);
		for (size_t k = 0; k < 2; k++) {
			const struct sample *s = find(&h->run, k ? "os.syscall" : "cpu.int");
			assert_non_null(s);
			assert_false(s->failed);
			assert_int_equal(s->n_values, 3);
		}
		/* the host ran with --out naming the campaign and itself */
		json_t *argv = json_object_get(h->run.invocation, "argv");
		bool out_ok = false;
		snprintf(out_suffix, sizeof(out_suffix), "/results/both/%s", name);
		for (size_t a = 0; a + 1 < json_array_size(argv); a++) {
			const char *arg = json_string_value(json_array_get(argv, a));
			const char *val = json_string_value(json_array_get(argv, a + 1));
			size_t n = val ? strlen(val) : 0;
			out_ok |= strcmp(arg, "--out") == 0 && n >= strlen(out_suffix) &&
			          strcmp(val + n - strlen(out_suffix), out_suffix) == 0;
		}
		assert_true(out_ok);
	}
	/* one machine, one fingerprint; the declared group is alike */
	assert_string_equal(f.hosts[0].fingerprint, f.hosts[1].fingerprint);
	assert_int_equal(f.n_groups, 1);
	assert_string_equal(f.groups[0].name, "twins");
	assert_false(f.groups[0].mixed);
	assert_int_equal(json_array_size(f.warnings), 0);
	/* bench_machine: h2 started after h1 had finished (1 s: created has
	 * whole seconds) */
	double wall1 = json_number_value(
	    json_object_get(json_object_get(f.hosts[0].run.invocation, "timing"), "wall_s"));
	assert_true(wall1 > 0);
	time_t c1 = utc(f.hosts[0].run.created), c2 = utc(f.hosts[1].run.created);
	print_message("h1 started %ld, ran %.2f s; h2 started %ld\n", (long)c1, wall1, (long)c2);
	assert_true((double)c2 + 1 >= (double)c1 + wall1);
	/* the status file and the report */
	char *hosts = slurp("both", "hosts.json");
	json_t *doc = json_loads(hosts, 0, NULL);
	assert_int_equal(json_array_size(doc), 2);
	for (size_t i = 0; i < 2; i++)
		assert_string_equal(
		    json_string_value(json_object_get(json_array_get(doc, i), "status")), "ok");
	json_decref(doc);
	free(hosts);
	assert_true(exists("both", "report/report.html"));
	assert_true(exists("both", "report/fleet-spread-bare.svg"));
	assert_true(exists("both", "report/fleet-spread-bare.png"));
	char *csv = slurp("both", "report/samples.csv");
	assert_true(strncmp(csv, "host,env,workload,metric", 24) == 0);
	assert_non_null(strstr(csv, "\nh1,bare,cpu.int,"));
	assert_non_null(strstr(csv, "\nh2,bare,os.syscall,"));
	free(csv);
	char *md = slurp("both", "report/summary.md");
	assert_non_null(strstr(md, "Spread across hosts"));
	assert_non_null(strstr(md, "2 hosts delivered results, 0 did not"));
	free(md);
	/* nothing left on the controller but the results */
	assert_false(exists("both", ".h1.tar.gz"));
	fleet_free(&f);
}

/* h1's sshd stopped mid-run: h1 reported with its step and reason, h2
 * merged and reported, exit status 2. */
static void unreachable_host_reported(void **state)
{
	(void)state;
	NEED_RESULTS();
	assert_int_equal(campaign_rc("unreachable"), 2);
	struct fleet f = read_fleet("unreachable");
	assert_int_equal(f.n_hosts, 1);
	assert_string_equal(f.hosts[0].name, "h2");
	assert_non_null(find(&f.hosts[0].run, "cpu.int"));
	assert_int_equal(f.n_absent, 1);
	const struct fleet_absent *a = &f.absent[0];
	print_message("absent: %s %s at '%s': %s\n", a->name, a->status, a->step, a->reason);
	assert_string_equal(a->name, "h1");
	assert_string_equal(a->status, "unreachable");
	assert_string_equal(a->step, "wait for bench");
	assert_non_null(strstr(a->reason, "unreachable over SSH"));
	assert_string_equal(a->group, "twins");
	char *md = slurp("unreachable", "report/summary.md");
	assert_non_null(strstr(md, "Hosts without results"));
	assert_non_null(strstr(md, "| h1 | twins | unreachable | wait for bench |"));
	free(md);
	fleet_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(both_hosts_merged),
	    cmocka_unit_test(unreachable_host_reported),
	};
	return cmocka_run_group_tests(tests, find_results, NULL);
}
