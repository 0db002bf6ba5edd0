/* One evaluation of the cost model: a scenario's parameters in, its period
 * totals term by term, TCO and cost per instance and year out. */
#ifndef BENCH_TCO_CALC_H
#define BENCH_TCO_CALC_H

#include "reports/tco_model.h"
#include "reports/tco_q.h"

/* Everything an evaluation reads: the priced inputs, then these. */
enum tco_param {
	TCO_P_PERIOD = TCO_N_INPUTS, /* years */
	TCO_P_HOURS,                 /* hours a year the power is drawn */
	TCO_P_SERVERS,
	TCO_P_GUESTS,   /* instances per server */
	TCO_P_SLOWDOWN, /* work of one bare instance = slowdown instances here */
	TCO_N_PARAMS
};

/* The label of parameter i ("server maintenance / yr", "guests per server"). */
const char *tco_param_label(int i);
/* Its key in JSON and CSV ("maintenance.per_server", "guests_per_server"). */
const char *tco_param_key(int i, char *buf, size_t len);

/* The period totals a TCO is the sum of. */
enum tco_term {
	TCO_T_SERVERS,
	TCO_T_SAN_CARDS,
	TCO_T_SAN_STORAGE,
	TCO_T_LICENCE_SERVER,
	TCO_T_LICENCE_GUEST,
	TCO_T_MAINT_SERVER,
	TCO_T_MAINT_PLATFORM,
	TCO_T_MAINT_OS,
	TCO_T_POWER,
	TCO_N_TERMS
};

struct tco_term_info {
	const char *key;       /* "maintenance.per_server" */
	const char *label;     /* "server maintenance" */
	int input;             /* the tco_input it prices (power: TCO_POWER_WATTS) */
	bool annual;           /* paid every year of the period */
	bool per_instance;     /* per instance, else per server */
	const char *component; /* chart group: hardware, SAN, licences, maintenance, power */
};
extern const struct tco_term_info tco_terms[TCO_N_TERMS];

struct tco_figures {
	struct q term[TCO_N_TERMS]; /* over the period, all servers */
	struct q tco;               /* their sum */
	struct q instances;         /* servers x guests */
	struct q effective;         /* instances / slowdown: bare-equivalent instances */
	struct q cost_year;         /* tco / (effective x period) */
	struct q per_server;        /* per-server terms / servers (break-even's fixed part) */
	struct q per_instance;      /* per-instance terms / instances */
};

/* The parameters of scenario s of model m. */
void tco_params(const struct tco_model *m, const struct tco_scenario *s, struct q p[TCO_N_PARAMS]);

/* Evaluates p. Any result may be bad (overflow, a zero period or count):
 * check f->cost_year.bad. */
void tco_eval(const struct q p[TCO_N_PARAMS], struct tco_figures *f);

/* The smallest whole number of guests per server at which a host priced
 * like f (per_server, per_instance) at this slowdown costs at most target
 * per instance and year over period; 0 when no guest count reaches it. */
long long tco_break_even(const struct tco_figures *f, struct q slowdown, struct q period,
                         struct q target);

#endif
