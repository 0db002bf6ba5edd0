/* The arithmetic of the cost model, exact (reports/tco_q.h). */
#include "reports/tco_calc.h"

#include <stdio.h>
#include <string.h>

const struct tco_term_info tco_terms[TCO_N_TERMS] = {
    [TCO_T_SERVERS] = {"server_cost", "servers", TCO_SERVER_COST, false, false, "hardware"},
    [TCO_T_SAN_CARDS] = {"san.cards", "SAN cards", TCO_SAN_CARDS, false, false, "SAN"},
    [TCO_T_SAN_STORAGE] = {"san.storage", "SAN storage", TCO_SAN_STORAGE, false, false, "SAN"},
    [TCO_T_LICENCE_SERVER] = {"licence.per_server", "licences per server", TCO_LICENCE_SERVER,
                              false, false, "licences"},
    [TCO_T_LICENCE_GUEST] = {"licence.per_guest", "licences per guest", TCO_LICENCE_GUEST, false,
                             true, "licences"},
    [TCO_T_MAINT_SERVER] = {"maintenance.per_server", "server maintenance", TCO_MAINT_SERVER, true,
                            false, "maintenance"},
    [TCO_T_MAINT_PLATFORM] = {"maintenance.per_platform", "platform maintenance",
                              TCO_MAINT_PLATFORM, true, false, "maintenance"},
    [TCO_T_MAINT_OS] = {"maintenance.per_os", "OS maintenance", TCO_MAINT_OS, true, true,
                        "OS maintenance"},
    [TCO_T_POWER] = {"power", "power", TCO_POWER_WATTS, true, false, "power"},
};

static const char *const extra_labels[] = {
    [TCO_P_PERIOD - TCO_N_INPUTS] = "period (years)",
    [TCO_P_HOURS - TCO_N_INPUTS] = "hours a year powered",
    [TCO_P_SERVERS - TCO_N_INPUTS] = "servers",
    [TCO_P_GUESTS - TCO_N_INPUTS] = "guests per server",
    [TCO_P_SLOWDOWN - TCO_N_INPUTS] = "slowdown against bare",
};
static const char *const extra_keys[] = {
    [TCO_P_PERIOD - TCO_N_INPUTS] = "period_years",
    [TCO_P_HOURS - TCO_N_INPUTS] = "hours_per_year",
    [TCO_P_SERVERS - TCO_N_INPUTS] = "servers",
    [TCO_P_GUESTS - TCO_N_INPUTS] = "guests_per_server",
    [TCO_P_SLOWDOWN - TCO_N_INPUTS] = "slowdown",
};

const char *tco_param_label(int i)
{
	return i < TCO_N_INPUTS ? tco_inputs[i].label : extra_labels[i - TCO_N_INPUTS];
}

const char *tco_param_key(int i, char *buf, size_t len)
{
	if (i >= TCO_N_INPUTS)
		snprintf(buf, len, "%s", extra_keys[i - TCO_N_INPUTS]);
	else if (tco_inputs[i].group != NULL)
		snprintf(buf, len, "%s.%s", tco_inputs[i].group, tco_inputs[i].key);
	else
		snprintf(buf, len, "%s", tco_inputs[i].key);
	return buf;
}

void tco_params(const struct tco_model *m, const struct tco_scenario *s, struct q p[TCO_N_PARAMS])
{
	memcpy(p, s->inputs, sizeof(s->inputs));
	p[TCO_P_PERIOD] = m->period;
	p[TCO_P_HOURS] = m->hours;
	p[TCO_P_SERVERS] = q_int(s->servers);
	p[TCO_P_GUESTS] = s->guests;
	p[TCO_P_SLOWDOWN] = s->slowdown;
}

void tco_eval(const struct q p[TCO_N_PARAMS], struct tco_figures *f)
{
	struct q servers = p[TCO_P_SERVERS], period = p[TCO_P_PERIOD];
	f->instances = q_mul(servers, p[TCO_P_GUESTS]);
	f->effective = q_div(f->instances, p[TCO_P_SLOWDOWN]);
	/* W x PUE x hours / 1000 = kWh a year, x price */
	struct q power_year = q_mul(
	    q_div(q_mul(q_mul(p[TCO_POWER_WATTS], p[TCO_POWER_PUE]), p[TCO_P_HOURS]), q_int(1000)),
	    p[TCO_POWER_PRICE]);
	f->tco = q_int(0);
	f->per_server = q_int(0);
	f->per_instance = q_int(0);
	for (int t = 0; t < TCO_N_TERMS; t++) {
		const struct tco_term_info *info = &tco_terms[t];
		struct q unit = t == TCO_T_POWER ? power_year : p[info->input];
		if (info->annual)
			unit = q_mul(unit, period);
		if (info->per_instance)
			f->per_instance = q_add(f->per_instance, unit);
		else
			f->per_server = q_add(f->per_server, unit);
		f->term[t] = q_mul(unit, info->per_instance ? f->instances : servers);
		f->tco = q_add(f->tco, f->term[t]);
	}
	f->cost_year = q_div(f->tco, q_mul(f->effective, period));
}

long long tco_break_even(const struct tco_figures *f, struct q slowdown, struct q period,
                         struct q target)
{
	/* slowdown x (A + B g) <= target x period x g, A per server and B per
	 * guest over the period: g >= s A / (target P - s B) */
	struct q room = q_sub(q_mul(target, period), q_mul(slowdown, f->per_instance));
	struct q fixed = q_mul(slowdown, f->per_server);
	if (room.bad || fixed.bad || q_cmp(room, q_int(0)) < 0 ||
	    (q_is_zero(room) && !q_is_zero(fixed)))
		return 0;
	if (q_is_zero(fixed))
		return 1;
	struct q g = q_div(fixed, room);
	if (g.bad || q_cmp(g, q_int(1000000000)) > 0)
		return 0;
	long long n = q_ceil(g);
	return n < 1 ? 1 : n;
}
