/* Unit tests of bench tco's library: exact money, the model file, the
 * seed's seven-row table reproduced to the cent with the assumptions its
 * figures imply, break-even, sensitivity, and guests per server read from
 * a run's density and overhead. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/tco.h"
#include "reports/tco_density.h"
#include "reports/tco_table.h"

#define SEED_MODEL "reports/models/seed-002-consolidation.yaml"

static char tmp_model[64];

/* The shipped seed model, from the tree's top (where make test runs) or
 * from this file's folder. */
static const char *seed_path(char buf[PATH_MAX])
{
	if (access(SEED_MODEL, R_OK) == 0)
		return SEED_MODEL;
	const char *slash = strrchr(__FILE__, '/');
	snprintf(buf, PATH_MAX, "%.*s/../%s", slash ? (int)(slash - __FILE__) : 1,
	         slash ? __FILE__ : ".", SEED_MODEL);
	return buf;
}

static void write_model(const char *text)
{
	snprintf(tmp_model, sizeof(tmp_model), "/tmp/test_tco_%d.yaml", (int)getpid());
	FILE *f = fopen(tmp_model, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int teardown(void **state)
{
	(void)state;
	if (tmp_model[0])
		unlink(tmp_model);
	return 0;
}

static void fmt(struct q v, int decimals, char *buf)
{
	q_format(v, decimals, buf, 64);
}

/* ---- exact money ---------------------------------------------------- */

static void exact_rationals(void **state)
{
	(void)state;
	char b[64];
	/* half away from zero, on exact values (no binary drift) */
	fmt(q_div(q_frac(58520, 1), q_int(8)), 0, b); /* 7315 */
	assert_string_equal(b, "7315");
	fmt(q_frac(7315, 1000), 2, b);
	assert_string_equal(b, "7.32");
	fmt(q_frac(8255, 1000), 2, b);
	assert_string_equal(b, "8.26");
	fmt(q_frac(1015, 1000), 2, b);
	assert_string_equal(b, "1.02");
	fmt(q_frac(-5, 1000), 2, b);
	assert_string_equal(b, "-0.01");
	fmt(q_frac(-4, 1000), 2, b);
	assert_string_equal(b, "0.00");
	fmt(q_frac(1, 3), 4, b);
	assert_string_equal(b, "0.3333");
	/* 0.1 + 0.2 is 0.3 here */
	struct q s =
	    q_add(q_dec((struct yaml_decimal){1, -1}), q_dec((struct yaml_decimal){2, -1}));
	assert_int_equal(q_cmp(s, q_dec((struct yaml_decimal){3, -1})), 0);
	assert_int_equal(q_ceil(q_frac(44, 5)), 9);
	assert_int_equal(q_floor(q_frac(-1, 2)), -1);
	struct q x = q_from_double(1.0734567891, 6);
	fmt(x, 6, b);
	assert_string_equal(b, "1.073460");
	/* overflow and division by zero are sticky, never a wrong number */
	struct q big = q_int(LLONG_MAX);
	for (int i = 0; i < 4; i++)
		big = q_mul(big, q_int(LLONG_MAX));
	assert_true(big.bad);
	assert_true(q_add(big, q_int(1)).bad);
	assert_true(q_div(q_int(1), q_int(0)).bad);
	fmt(big, 2, b);
	assert_string_equal(b, "overflow");
}

/* ---- the seed's table ----------------------------------------------- */

/* The seed's seven rows as printed (thousands of USD): the inputs, then the
 * five-year TCO, the "annualized cost per guest or server" and the "cost
 * efficiency against one 1U server". */
static const struct seed_row {
	const char *name;
	const char *server, *servers, *guests, *cards, *storage, *maint, *licence, *vm_maint,
	    *os_maint;
	const char *tco, *per_guest, *efficiency;
} seed[] = {
    {"VMware, 2 guests", "7", "1", "2", "0.00", "0.00", "0.42", "5", "1.4", "0.35", "25.02",
     "12.51", "-3.24"},
    {"VMware, 4 guests", "10", "1", "4", "4.00", "3.00", "0.42", "5", "1.4", "0.35", "38.52",
     "9.63", "-0.36"},
    {"VMware, 8 guests", "20", "1", "8", "4.00", "6.00", "0.42", "5", "1.4", "0.35", "58.52",
     "7.32", "3.13"},
    {"Xen, 2 guests", "7", "1", "2", "0.00", "0.00", "0.42", "0", "0", "0.35", "13.02", "6.51",
     "2.76"},
    {"Xen, 4 guests", "10", "1", "4", "4.00", "3.00", "0.42", "0", "1.3", "0.35", "33.02", "8.26",
     "1.02"},
    {"two 1U servers", "5", "2", "0", "0.00", "0.00", "0.42", "0", "0", "0.35", "18.54", "9.27",
     "0.00"},
    {"four 1U servers", "5", "4", "0", "0.00", "0.00", "0.42", "0", "0", "0.35", "37.08", "9.27",
     "0.00"},
};

/* v (USD) in thousands, as text with the decimals of `as` ("7" -> 0, "1.4" -> 1). */
static void k(struct q v, const char *as, char *buf)
{
	const char *dot = strchr(as, '.');
	fmt(q_div(v, q_int(1000)), dot ? (int)strlen(dot + 1) : 0, buf);
}

static void load_seed(struct tco_model *m, struct tco_results *r)
{
	char buf[PATH_MAX];
	struct bench_error *err = NULL;
	int rc = tco_model_read(seed_path(buf), m, &err);
	if (rc < 0)
		fail_msg("%s", err->msg);
	assert_int_equal(tco_density_apply(m, NULL, 0, &err), 0);
	assert_int_equal(tco_compute(m, q_frac(1, 10), r, &err), 0);
	assert_null(err);
}

static void seed_inputs_are_the_table(void **state)
{
	(void)state;
	struct tco_model m;
	struct tco_results r;
	load_seed(&m, &r);
	assert_int_equal(m.n_scenarios, 7);
	assert_string_equal(m.scenarios[m.baseline].name, "two 1U servers");
	for (size_t i = 0; i < 7; i++) {
		const struct tco_scenario *s = &m.scenarios[i];
		const struct seed_row *e = &seed[i];
		char b[64];
		assert_string_equal(s->name, e->name);
		k(s->inputs[TCO_SERVER_COST], e->server, b);
		assert_string_equal(b, e->server);
		snprintf(b, sizeof(b), "%lld", s->servers);
		assert_string_equal(b, e->servers);
		/* the seed writes 0 guests for a physical server: one OS, its own */
		fmt(m.platforms[s->platform].physical ? q_int(0) : s->guests, 0, b);
		assert_string_equal(b, e->guests);
		k(s->inputs[TCO_SAN_CARDS], e->cards, b);
		assert_string_equal(b, e->cards);
		k(s->inputs[TCO_SAN_STORAGE], e->storage, b);
		assert_string_equal(b, e->storage);
		k(s->inputs[TCO_MAINT_SERVER], e->maint, b);
		assert_string_equal(b, e->maint);
		k(s->inputs[TCO_LICENCE_SERVER], e->licence, b);
		assert_string_equal(b, e->licence);
		k(s->inputs[TCO_MAINT_PLATFORM], e->vm_maint, b);
		assert_string_equal(b, e->vm_maint);
		k(s->inputs[TCO_MAINT_OS], e->os_maint, b);
		assert_string_equal(b, e->os_maint);
	}
	tco_results_free(&r);
	tco_model_free(&m);
}

/* Every one of the 21 printed figures is reproduced to the cent (of the
 * thousands it is printed in), and each that disagrees with the model's own
 * arithmetic is named with its consistent value and the assumption it
 * implies. */
static void seed_seven_rows_to_the_cent(void **state)
{
	(void)state;
	struct tco_model m;
	struct tco_results r;
	load_seed(&m, &r);
	/* the consistent values: five years of maintenance, per year, per guest */
	static const char *const tco[] = {"24.60", "38.10", "58.10", "12.60",
	                                  "32.60", "17.70", "35.40"};
	static const char *const per_year[] = {"2.46", "1.91", "1.45", "1.26",
	                                       "1.63", "1.77", "1.77"};
	static const char *const saving[] = {"-0.69", "-0.14", "0.32", "0.51",
	                                     "0.14",  "0.00",  "0.00"};
	const char *const tco_slip = "server maintenance counted for 6 years instead of the "
	                             "period's 5";
	const char *const cost_slip = "cost per instance over the 5-year period, not per year";
	for (size_t i = 0; i < 7; i++) {
		const struct tco_result *x = &r.r[i];
		const char *printed[] = {seed[i].tco, seed[i].per_guest, seed[i].efficiency};
		char b[64];
		for (int f = 0; f < TCO_N_FIGURES; f++) {
			const struct tco_check *c = &x->check[f];
			assert_true(c->present);
			assert_int_not_equal(c->status, TCO_CHECK_UNEXPLAINED);
			assert_string_equal(m.scenarios[i].published.text[f], printed[f]);
			k(c->reproduced, printed[f], b);
			if (strcmp(b, printed[f]) != 0)
				fail_msg("%s, figure %d: reproduced %s, printed %s", seed[i].name,
				         f, b, printed[f]);
		}
		k(x->fig.tco, "0.00", b);
		assert_string_equal(b, tco[i]);
		k(x->fig.cost_year, "0.00", b);
		assert_string_equal(b, per_year[i]);
		k(x->saving_year, "0.00", b);
		assert_string_equal(b, saving[i]);
		k(x->check[TCO_FIG_TCO].consistent, "0.00", b);
		assert_string_equal(b, tco[i]);
		/* the TCO of every row: one more year of server maintenance */
		assert_int_equal(x->check[TCO_FIG_TCO].status, TCO_CHECK_IMPLIED);
		assert_string_equal(x->check[TCO_FIG_TCO].general, tco_slip);
		assert_int_equal(x->check[TCO_FIG_TCO].alternatives, 0);
		/* "annualized cost per guest": the five-year total per guest */
		assert_int_equal(x->check[TCO_FIG_COST_YEAR].status, TCO_CHECK_IMPLIED);
		assert_string_equal(x->check[TCO_FIG_COST_YEAR].general, cost_slip);
	}
	/* the efficiency is the difference of those per-guest figures... */
	for (size_t i = 0; i < 5; i++)
		if (i != 2)
			assert_int_equal(r.r[i].check[TCO_FIG_SAVING_YEAR].status,
			                 TCO_CHECK_FOLLOWS);
	assert_int_equal(r.r[5].check[TCO_FIG_SAVING_YEAR].status, TCO_CHECK_AGREES);
	assert_int_equal(r.r[6].check[TCO_FIG_SAVING_YEAR].status, TCO_CHECK_AGREES);
	/* ...except VMware with 8 guests: (8 x 9.27 - 58.52) / 5 = 3.128, the
	 * whole host's saving per year, where 9.27 - 7.315 = 1.955 */
	const struct tco_check *c = &r.r[2].check[TCO_FIG_SAVING_YEAR];
	assert_int_equal(c->status, TCO_CHECK_IMPLIED);
	assert_non_null(strstr(c->general, "whole host's saving per year"));
	assert_int_equal(q_cmp(c->reproduced, q_int(3128)), 0);
	/* Xen, 4 guests: 9.27 - 8.255 = 1.015, printed 1.02 (not 9.27 - 8.26) */
	assert_int_equal(q_cmp(r.r[4].check[TCO_FIG_SAVING_YEAR].reproduced, q_int(1015)), 0);
	/* exact: 58 100 / (8 x 5) */
	assert_int_equal(q_cmp(r.r[2].fig.cost_year, q_frac(2905, 2)), 0);
	assert_int_equal(r.n_published, 21);
	assert_int_equal(r.n_status[TCO_CHECK_AGREES], 2);
	assert_int_equal(r.n_status[TCO_CHECK_FOLLOWS], 4);
	assert_int_equal(r.n_status[TCO_CHECK_IMPLIED], 15);
	assert_int_equal(r.n_unexplained, 0);
	tco_results_free(&r);
	tco_model_free(&m);
}

/* ---- break-even and sensitivity -------------------------------------- */

/* Cost per instance and year of scenario i with parameter p set to v. */
static struct q cost_with(const struct tco_model *m, size_t i, int p, struct q v)
{
	struct q par[TCO_N_PARAMS];
	struct tco_figures f;
	tco_params(m, &m->scenarios[i], par);
	par[p] = v;
	tco_eval(par, &f);
	return f.cost_year;
}

static void break_even_is_the_first_count_that_pays(void **state)
{
	(void)state;
	struct tco_model m;
	struct tco_results r;
	load_seed(&m, &r);
	for (size_t i = 0; i < r.n; i++) {
		for (size_t j = 0; j < r.n; j++) {
			long long g = r.r[i].break_even[j];
			if (i == j || m.platforms[m.scenarios[i].platform].physical) {
				assert_int_equal(g, -1);
				continue;
			}
			/* brute force over guest counts */
			long long want = 0;
			for (long long n = 1; n <= 1000 && want == 0; n++)
				if (q_cmp(cost_with(&m, i, TCO_P_GUESTS, q_int(n)),
				          r.r[j].fig.cost_year) <= 0)
					want = n;
			assert_int_equal(g, want);
		}
	}
	/* the seed says VMware needs eight guests to match Xen hosts of two: its
	 * eight-guest host needs ten; a two-guest VMware host beats a 1U server
	 * from three guests */
	assert_int_equal(r.r[2].break_even[3], 10);
	assert_int_equal(r.r[0].break_even[5], 3);
	tco_results_free(&r);
	tco_model_free(&m);
}

static void sensitivity_swings(void **state)
{
	(void)state;
	struct tco_model m;
	struct tco_results r;
	load_seed(&m, &r);
	for (size_t i = 0; i < r.n; i++) {
		const struct tco_result *x = &r.r[i];
		assert_true(x->n_swing > 0);
		for (size_t k = 0; k < x->n_swing; k++) {
			const struct tco_swing *w = &x->swing[k];
			struct q p[TCO_N_PARAMS];
			tco_params(&m, &m.scenarios[i], p);
			assert_int_equal(
			    q_cmp(w->low,
			          cost_with(&m, i, w->param, q_mul(p[w->param], q_frac(9, 10)))),
			    0);
			assert_int_equal(
			    q_cmp(w->high,
			          cost_with(&m, i, w->param, q_mul(p[w->param], q_frac(11, 10)))),
			    0);
			if (k > 0)
				assert_true(q_cmp(x->swing[k - 1].width, w->width) >= 0);
			/* a fixed scenario has no slowdown; a physical one no guests */
			assert_int_not_equal(w->param, TCO_P_SLOWDOWN);
			if (m.platforms[m.scenarios[i].platform].physical)
				assert_int_not_equal(w->param, TCO_P_GUESTS);
		}
	}
	/* VMware, 2 guests: the guest count swings most, 2.69 .. 2.27 */
	assert_int_equal(r.r[0].swing[0].param, TCO_P_GUESTS);
	tco_results_free(&r);
	tco_model_free(&m);
}

/* ---- the model file -------------------------------------------------- */

static const char *const base_model =
    "name: t\nperiod_years: 3\nbaseline: phys\n"
    "platforms:\n"
    "  metal: {kind: physical, server_cost: 3000, maintenance: {per_server: 100}}\n"
    "  kvm: {kind: virtual, server_cost: 6000, licence: {per_guest: 50},\n"
    "        power: {watts: 200, price_per_kwh: 0.25, pue: 1.5}}\n"
    "scenarios:\n"
    "  - {name: phys, platform: metal, servers: 3}\n";

static void expect_error(const char *extra, const char *needle)
{
	char text[4096];
	snprintf(text, sizeof(text), "%s%s", base_model, extra);
	write_model(text);
	struct tco_model m;
	struct bench_error *err = NULL;
	assert_int_equal(tco_model_read(tmp_model, &m, &err), -1);
	assert_non_null(err);
	if (strstr(err->msg, needle) == NULL)
		fail_msg("expected '%s' in: %s", needle, err->msg);
	assert_non_null(strstr(err->msg, tmp_model));
	bench_error_free(&err);
	tco_model_free(&m);
}

static void model_power_and_errors(void **state)
{
	(void)state;
	char text[4096];
	snprintf(text, sizeof(text), "%s%s", base_model,
	         "  - {name: kvm, platform: kvm, guests_per_server: 6}\n");
	write_model(text);
	struct tco_model m;
	struct tco_results r;
	struct bench_error *err = NULL;
	assert_int_equal(tco_model_read(tmp_model, &m, &err), 0);
	assert_int_equal(tco_compute(&m, q_frac(1, 10), &r, &err), 0);
	/* power: 200 W x 1.5 x 8760 h / 1000 x 0.25 = 657 a year, 3 years */
	assert_int_equal(q_cmp(r.r[1].fig.term[TCO_T_POWER], q_int(1971)), 0);
	/* 6000 + 6 x 50 + 1971 over 6 instances and 3 years */
	assert_int_equal(q_cmp(r.r[1].fig.tco, q_int(8271)), 0);
	assert_int_equal(q_cmp(r.r[1].fig.cost_year, q_frac(8271, 18)), 0);
	assert_int_equal(q_cmp(r.r[0].fig.cost_year, q_frac(3000 + 300, 3)), 0);
	tco_results_free(&r);
	tco_model_free(&m);

	expect_error("  - {name: x, platform: kvm, guests_per_server: 2, typo: 1}\n",
	             "unknown key 'typo'");
	expect_error("  - {name: x, platform: vmware, guests_per_server: 2}\n",
	             "no platform 'vmware' (platforms: metal, kvm)");
	expect_error("  - {name: x, platform: metal, guests_per_server: 2}\n",
	             "platform 'metal' is physical");
	expect_error("  - {name: x, platform: kvm}\n", "give either guests_per_server or density");
	expect_error("  - {name: x, platform: kvm, guests_per_server: 2, san: {cards: -4}}\n",
	             "must not be negative");
	expect_error("  - {name: x, platform: kvm, guests_per_server: 2.5}\n",
	             "expected a whole number, found '2.5'");
	expect_error("  - {name: x, platform: kvm, guests_per_server: 2, server_cost: 1.2.3}\n",
	             "expected a decimal number");
	expect_error("  - {name: phys, platform: kvm, guests_per_server: 2}\n",
	             "a second scenario named 'phys'");
	expect_error("  - {name: x, platform: kvm, density: {env: container}}\n",
	             "missing key 'workload'");
	expect_error("  - {name: x, platform: kvm, guests_per_server: 2, power: {pue: 0.5}}\n",
	             "a PUE is at least 1");
	/* the location of a fault: line 10, column 62, the unknown key */
	expect_error("  - {name: x, platform: kvm, guests_per_server: 2, licence: {per_vm: 1}}\n",
	             ":10:62: ");
}

/* ---- published figures that nothing explains ------------------------- */

static void checks_left_out_and_unexplained(void **state)
{
	(void)state;
	char text[4096];
	/* the phys TCO is 3 x (3000 + 3 x 100) = 9900; printed 9.00 (thousands)
	 * is 9900 without the maintenance; 12.34 is nothing */
	snprintf(
	    text, sizeof(text), "%s%s", base_model,
	    "  - {name: p2, platform: metal, servers: 3, published: {unit: 1000, tco: 9.00}}\n"
	    "  - {name: p3, platform: metal, servers: 3, published: {unit: 1000, tco: 12.34}}\n");
	write_model(text);
	struct tco_model m;
	struct tco_results r;
	struct bench_error *err = NULL;
	assert_int_equal(tco_model_read(tmp_model, &m, &err), 0);
	assert_int_equal(tco_compute(&m, q_frac(1, 10), &r, &err), 0);
	assert_int_equal(r.r[1].check[TCO_FIG_TCO].status, TCO_CHECK_IMPLIED);
	assert_string_equal(r.r[1].check[TCO_FIG_TCO].general, "server maintenance left out");
	assert_int_equal(r.r[2].check[TCO_FIG_TCO].status, TCO_CHECK_UNEXPLAINED);
	assert_int_equal(r.n_unexplained, 1);
	struct tco_tables t;
	assert_int_equal(tco_tables_build(&r, 3, &t, &err), 0);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	tco_print_text(f, &r, &t);
	fclose(f);
	assert_non_null(strstr(out, "UNEXPLAINED"));
	assert_non_null(strstr(out, "server maintenance left out"));
	free(out);
	tco_tables_free(&t);
	tco_results_free(&r);
	tco_model_free(&m);
}

/* ---- guests per server from a run ------------------------------------ */

static const char *const run_model =
    "name: runfed\nperiod_years: 4\nbaseline: metal\n"
    "platforms:\n"
    "  physical: {kind: physical, server_cost: 4000}\n"
    "  containers: {kind: virtual, server_cost: 8000, maintenance: {per_os: 10}}\n"
    "scenarios:\n"
    "  - {name: metal, platform: physical}\n";

/* A run holding one density study (and, when slowdown > 0, an overhead
 * figure for it), in memory. */
static void make_run(struct run *run, const char *mode, json_t *projected, double slowdown,
                     bool significant)
{
	run_init(run, "r1");
	run->host = json_pack("{s:s, s:s, s:i, s:I}", "hostname", "h", "cpu_model", "cpu", "cores",
	                      2, "memory_bytes", (json_int_t)24 << 30);
	bool idle = strcmp(mode, "idle") == 0;
	json_t *steps =
	    json_pack("[{s:i, s:[I], s:[f]}, {s:i, s:[I, I, I, I], s:[f, f, f, f]}]", "instances",
	              1, "mem_bytes", (json_int_t)1 << 20, "start_s", 0.5, "instances", 4,
	              "mem_bytes", (json_int_t)2 << 20, (json_int_t)3 << 20, (json_int_t)3 << 20,
	              (json_int_t)9 << 20, "start_s", 0.1, 0.2, 0.3, 0.4);
	json_t *study = json_pack("{s:s, s:s, s:s, s:f, s:i, s:s, s:o}", "env", "container", "mode",
	                          mode, "workload", idle ? "" : "cpu.int", "qos", 0.9, "max_ok", 4,
	                          "stop_reason", "reached --max 4", "steps", steps);
	if (projected != NULL)
		json_object_set_new(study, "projected", projected);
	run->density = json_pack("[o]", study);
	if (slowdown > 0)
		run->overhead =
		    json_pack("[{s:s, s:s, s:s, s:f, s:f, s:f, s:b}]", "env", "container",
		              "workload", "cpu.int", "metric", "all", "slowdown", slowdown,
		              "slowdown_ci95_low", slowdown - 0.05, "slowdown_ci95_high",
		              slowdown + 0.05, "significant", significant);
}

static int model_with(const char *scenario, struct tco_model *m)
{
	char text[4096];
	snprintf(text, sizeof(text), "%s%s", run_model, scenario);
	write_model(text);
	struct bench_error *err = NULL;
	int rc = tco_model_read(tmp_model, m, &err);
	if (rc < 0)
		fail_msg("%s", err->msg);
	return rc;
}

static void measured_density_and_overhead(void **state)
{
	(void)state;
	struct tco_model m;
	struct tco_run run = {"results/r1", {0}};
	struct bench_error *err = NULL;
	struct tco_results r;
	model_with("  - {name: c, platform: containers, density: {env: container, workload: "
	           "cpu.int, qos: 0.9}}\n",
	           &m);
	make_run(&run.run, "workload", NULL, 1.25, true);
	assert_int_equal(tco_density_apply(&m, &run, 1, &err), 0);
	const struct tco_scenario *s = &m.scenarios[1];
	assert_string_equal(s->src.kind, "measured");
	assert_int_equal(q_cmp(s->guests, q_int(4)), 0);
	assert_true(s->src.lower_bound);
	assert_true(s->src.mem_bytes == 3 << 20); /* median of 2, 3, 3, 9 MiB */
	assert_true(s->src.start_s > 0.24 && s->src.start_s < 0.26);
	assert_int_equal(q_cmp(s->slowdown, q_frac(5, 4)), 0);
	assert_true(s->has_slowdown_interval);
	assert_int_equal(tco_compute(&m, q_frac(1, 10), &r, &err), 0);
	/* 4 instances at slowdown 1.25 do the work of 3.2 bare ones:
	 * (8000 + 4 x 10 x 4) / (3.2 x 4) */
	assert_int_equal(q_cmp(r.r[1].fig.effective, q_frac(16, 5)), 0);
	assert_int_equal(q_cmp(r.r[1].fig.cost_year, q_frac(8160 * 5, 16 * 4)), 0);
	assert_int_equal(q_cmp(r.r[1].overhead_year, q_sub(q_frac(8160 * 5, 64), q_frac(8160, 16))),
	                 0);
	assert_true(r.r[1].has_interval);
	bool slowdown_swings = false;
	for (size_t k = 0; k < r.r[1].n_swing; k++)
		slowdown_swings |= r.r[1].swing[k].param == TCO_P_SLOWDOWN;
	assert_true(slowdown_swings);
	assert_true(q_cmp(r.r[1].cost_low, r.r[1].fig.cost_year) < 0);
	assert_true(q_cmp(r.r[1].cost_high, r.r[1].fig.cost_year) > 0);
	tco_results_free(&r);
	run_free(&run.run);

	/* within noise: no slowdown charged to the point figure */
	make_run(&run.run, "workload", NULL, 1.02, false);
	assert_int_equal(tco_density_apply(&m, &run, 1, &err), 0);
	assert_int_equal(q_cmp(m.scenarios[1].slowdown, q_int(1)), 0);
	assert_non_null(strstr(m.scenarios[1].src.overhead, "within noise"));
	run_free(&run.run);
	tco_model_free(&m);
}

static void projected_block_is_used(void **state)
{
	(void)state;
	struct tco_model m;
	struct tco_run run = {"results/r1", {0}};
	struct bench_error *err = NULL;
	model_with(
	    "  - {name: c, platform: containers, density: {env: container, workload: idle}}\n", &m);
	make_run(&run.run, "idle",
	         json_pack("{s:f, s:f, s:f, s:s, s:{s:i, s:I}, s:{s:f, s:s}}", "instances", 536.7,
	                   "low", 500.0, "high", 560.2, "binding", "memory", "target_host", "cores",
	                   64, "memory_bytes", (json_int_t)512 << 30, "footprint", "bytes",
	                   2.5 * (1 << 20), "method", "memavailable_slope"),
	         0, false);
	assert_int_equal(tco_density_apply(&m, &run, 1, &err), 0);
	const struct tco_scenario *s = &m.scenarios[1];
	assert_string_equal(s->src.kind, "projected");
	/* the footprint shown is the one the count comes from */
	assert_true(s->src.mem_bytes == 2.5 * (1 << 20));
	assert_string_equal(s->src.mem_basis, "memavailable_slope");
	assert_int_equal(q_cmp(s->guests, q_int(536)), 0);
	assert_int_equal(q_cmp(s->guests_low, q_int(500)), 0);
	assert_int_equal(q_cmp(s->guests_high, q_int(560)), 0);
	assert_string_equal(s->src.binding, "memory");
	assert_string_equal(s->src.target, "64 cores, 512.0 GiB");
	assert_non_null(strstr(s->src.overhead, "idle study names no workload"));
	run_free(&run.run);
	tco_model_free(&m);

	/* source: measured ignores the projection */
	model_with("  - {name: c, platform: containers, density: {env: container, workload: idle, "
	           "source: measured}}\n",
	           &m);
	make_run(&run.run, "idle", json_pack("{s:f}", "instances", 536.0), 0, false);
	assert_int_equal(tco_density_apply(&m, &run, 1, &err), 0);
	assert_int_equal(q_cmp(m.scenarios[1].guests, q_int(4)), 0);
	assert_true(m.scenarios[1].src.mem_bytes == 3 << 20); /* the step's median */
	assert_string_equal(m.scenarios[1].src.mem_basis, "median at 4");
	run_free(&run.run);
	tco_model_free(&m);
}

static void density_errors(void **state)
{
	(void)state;
	struct tco_model m;
	struct tco_run run = {"results/r1", {0}};
	struct bench_error *err = NULL;
	model_with("  - {name: c, platform: containers, density: {env: qemu, workload: idle}}\n",
	           &m);
	assert_int_equal(tco_density_apply(&m, NULL, 0, &err), -1);
	assert_non_null(strstr(err->msg, "pass --run RUN_DIR"));
	bench_error_free(&err);
	make_run(&run.run, "idle", NULL, 0, false);
	assert_int_equal(tco_density_apply(&m, &run, 1, &err), -1);
	assert_non_null(strstr(err->msg, "no density study for env qemu"));
	assert_non_null(strstr(err->msg, "container/idle qos 0.9 (results/r1)"));
	bench_error_free(&err);
	run_free(&run.run);
	tco_model_free(&m);

	model_with("  - {name: c, platform: containers, density: {env: container, workload: idle, "
	           "source: projected}}\n",
	           &m);
	make_run(&run.run, "idle", NULL, 0, false);
	assert_int_equal(tco_density_apply(&m, &run, 1, &err), -1);
	assert_non_null(strstr(err->msg, "has no projected block"));
	bench_error_free(&err);
	run_free(&run.run);
	make_run(&run.run, "idle", json_pack("{s:s}", "instances", "many"), 0, false);
	assert_int_equal(tco_density_apply(&m, &run, 1, &err), -1);
	assert_non_null(strstr(err->msg, "density.projected.instances"));
	bench_error_free(&err);
	run_free(&run.run);
	tco_model_free(&m);

	/* an overhead the model names and the run lacks */
	model_with("  - {name: c, platform: containers, density: {env: container, workload: idle, "
	           "overhead: {workload: mem.stream}}}\n",
	           &m);
	make_run(&run.run, "idle", NULL, 1.1, true);
	assert_int_equal(tco_density_apply(&m, &run, 1, &err), -1);
	assert_non_null(strstr(err->msg, "no overhead figure for container mem.stream"));
	bench_error_free(&err);
	run_free(&run.run);
	tco_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(exact_rationals),
	    cmocka_unit_test(seed_inputs_are_the_table),
	    cmocka_unit_test(seed_seven_rows_to_the_cent),
	    cmocka_unit_test(break_even_is_the_first_count_that_pays),
	    cmocka_unit_test(sensitivity_swings),
	    cmocka_unit_test_teardown(model_power_and_errors, teardown),
	    cmocka_unit_test_teardown(checks_left_out_and_unexplained, teardown),
	    cmocka_unit_test_teardown(measured_density_and_overhead, teardown),
	    cmocka_unit_test_teardown(projected_block_is_used, teardown),
	    cmocka_unit_test_teardown(density_errors, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
