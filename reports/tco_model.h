/* The cost model of bench tco: a YAML file of platforms (what a server, its
 * licences, maintenance, SAN and power cost) and scenarios (a platform, a
 * number of servers and guests per server, fixed or taken from a run's
 * density), with exact money (reports/tco_q.h). The file format is in
 * reports/models/README.md. */
#ifndef BENCH_TCO_MODEL_H
#define BENCH_TCO_MODEL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness/core/error.h"
#include "reports/tco_q.h"

/* The priced inputs of a platform, each of which a scenario may override. */
enum tco_input {
	TCO_SERVER_COST,    /* server_cost: one server's purchase price */
	TCO_LICENCE_SERVER, /* licence.per_server: one-off, per server (hypervisor) */
	TCO_LICENCE_GUEST,  /* licence.per_guest: one-off, per instance */
	TCO_MAINT_SERVER,   /* maintenance.per_server: a year, per server (hardware) */
	TCO_MAINT_PLATFORM, /* maintenance.per_platform: a year, per server (VM platform, host OS)
	                     */
	TCO_MAINT_OS,       /* maintenance.per_os: a year, per OS instance */
	TCO_SAN_CARDS,      /* san.cards: one-off, per server */
	TCO_SAN_STORAGE,    /* san.storage: per server, for the whole period */
	TCO_POWER_WATTS,    /* power.watts: average draw of one server */
	TCO_POWER_PRICE,    /* power.price_per_kwh */
	TCO_POWER_PUE,      /* power.pue: facility factor on the draw (default 1) */
	TCO_N_INPUTS
};

struct tco_input_info {
	const char *group; /* YAML mapping the key is in, NULL at the platform's top */
	const char *key;
	const char *label; /* for tables: "server maintenance / yr" */
	bool money;        /* an amount in the model's currency */
};
extern const struct tco_input_info tco_inputs[TCO_N_INPUTS];

/* The figures a document printed for a scenario, checked against the
 * model's arithmetic (reports/tco_check.h). */
enum tco_figure { TCO_FIG_TCO, TCO_FIG_COST_YEAR, TCO_FIG_SAVING_YEAR, TCO_N_FIGURES };
extern const char *const tco_figure_keys[TCO_N_FIGURES];

struct tco_published {
	bool has[TCO_N_FIGURES];
	struct q value[TCO_N_FIGURES]; /* in currency units (text x unit) */
	int decimals[TCO_N_FIGURES];   /* as printed, in `unit`s */
	char text[TCO_N_FIGURES][32];  /* as printed */
	struct q unit;                 /* what the printed figures count in (1000: thousands) */
};

/* Where a scenario's guests per server come from when not fixed. */
struct tco_density_spec {
	char env[64];
	char workload[64]; /* a workload, or "idle" */
	bool has_qos;
	double qos;
	char source[16];  /* "auto" (projected when present, else measured), "measured", "projected"
	                   */
	char run_id[160]; /* "" = the first run given that has the study */
	bool overhead_none;
	char overhead_workload[64], overhead_metric[64]; /* "" = defaults (tco_density.h) */
};

/* Filled by tco_density_apply from a run. */
struct tco_source {
	char kind[16]; /* "fixed", "measured", "projected" */
	char run_dir[PATH_MAX];
	char run_id[160];
	char host[320];   /* the run's host: name, CPU, cores, memory */
	long long max_ok; /* measured: the study's max_ok */
	bool lower_bound; /* measured count stopped at --max: the host holds at least this */
	char stop_reason[256];
	/* Per-instance footprint: the one the study's projection used (its
	 * method in mem_basis), else the median at max_ok; NAN when unknown. */
	double mem_bytes;
	char mem_basis[48];
	double start_s;     /* median start latency at max_ok, NAN when unknown */
	char binding[64];   /* projected: the binding resource */
	char target[256];   /* projected: the host projected to ("" = the run's host) */
	char overhead[512]; /* how the overhead was charged, or why it was not */
};

struct tco_platform {
	char name[64];
	char description[256];
	bool physical; /* one instance per server, its own OS: no guests */
	struct q inputs[TCO_N_INPUTS];
};

struct tco_scenario {
	char name[128];
	char note[512];
	size_t platform;
	long long servers;
	struct q guests; /* per server (1 on a physical platform) */
	struct q inputs[TCO_N_INPUTS];
	bool from_run;
	struct tco_density_spec density;
	struct tco_source src;
	/* from a run: the slowdown against bare that costs capacity (1 = none),
	 * and intervals when the run gives them */
	struct q slowdown;
	bool overhead_applies; /* the run has an overhead figure for it (charged or not) */
	bool has_slowdown_interval;
	struct q slowdown_low, slowdown_high;
	bool has_guest_interval;
	struct q guests_low, guests_high;
	struct tco_published published;
};

struct tco_model {
	char path[PATH_MAX];
	char name[128], title[256], source[512], currency[16];
	struct q display_unit; /* amounts are printed in these (1000: thousands) */
	struct q period;       /* years */
	struct q hours;        /* hours a year the power is drawn (8760) */
	size_t baseline;       /* the scenario every other is compared with */
	struct tco_platform *platforms;
	size_t n_platforms;
	struct tco_scenario *scenarios;
	size_t n_scenarios;
};

/* Reads and checks a model file. Returns 0, or -1 with *err naming the
 * file, line, column and key at fault. Free with tco_model_free (also after
 * a failure). */
int tco_model_read(const char *path, struct tco_model *m, struct bench_error **err);
void tco_model_free(struct tco_model *m);

/* "kUSD" for a display unit of 1000 USD, "USD" for 1, "x250 USD" otherwise. */
void tco_unit_label(const struct tco_model *m, char *buf, size_t len);

#endif
