/* Reading a cost model (reports/models/README.md) with reports/yaml_file.h. */
#include "reports/tco_model.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct tco_input_info tco_inputs[TCO_N_INPUTS] = {
    [TCO_SERVER_COST] = {NULL, "server_cost", "server", true},
    [TCO_LICENCE_SERVER] = {"licence", "per_server", "licence per server", true},
    [TCO_LICENCE_GUEST] = {"licence", "per_guest", "licence per guest", true},
    [TCO_MAINT_SERVER] = {"maintenance", "per_server", "server maintenance / yr", true},
    [TCO_MAINT_PLATFORM] = {"maintenance", "per_platform", "platform maintenance / yr", true},
    [TCO_MAINT_OS] = {"maintenance", "per_os", "OS maintenance / yr", true},
    [TCO_SAN_CARDS] = {"san", "cards", "SAN cards", true},
    [TCO_SAN_STORAGE] = {"san", "storage", "SAN storage", true},
    [TCO_POWER_WATTS] = {"power", "watts", "power draw (W)", false},
    [TCO_POWER_PRICE] = {"power", "price_per_kwh", "price per kWh", true},
    [TCO_POWER_PUE] = {"power", "pue", "PUE", false},
};

const char *const tco_figure_keys[TCO_N_FIGURES] = {
    [TCO_FIG_TCO] = "tco",
    [TCO_FIG_COST_YEAR] = "cost_per_instance_year",
    [TCO_FIG_SAVING_YEAR] = "saving_per_instance_year",
};

static const char *const group_keys[][4] = {
    {"per_server", "per_guest", NULL},
    {"per_server", "per_platform", "per_os", NULL},
    {"cards", "storage", NULL},
    {"watts", "price_per_kwh", "pue", NULL},
};
static const char *const group_names[] = {"licence", "maintenance", "san", "power"};

/* Copies the string at key into buf; -1 with *err when too long. */
static int copy_string(const struct yaml_file *f, struct fy_node *map, const char *key,
                       bool required, char *buf, size_t len, struct bench_error **err)
{
	const char *s = NULL;
	if (yaml_string(f, map, key, required, &s, err) < 0)
		return -1;
	if (s == NULL)
		return 0;
	if (strlen(s) >= len)
		return yaml_error_at(f, yaml_get(map, key), err, "longer than %zu characters",
		                     len - 1);
	if (required && *s == '\0')
		return yaml_error_at(f, yaml_get(map, key), err, "must not be empty");
	snprintf(buf, len, "%s", s);
	return 0;
}

/* A non-negative exact number at key (absent: *out untouched). */
static int read_amount(const struct yaml_file *f, struct fy_node *map, const char *key,
                       bool required, struct q *out, struct bench_error **err)
{
	struct yaml_decimal d = {LLONG_MIN, 0};
	if (yaml_decimal(f, map, key, required, &d, err) < 0)
		return -1;
	if (d.mantissa == LLONG_MIN)
		return 0;
	if (d.mantissa < 0)
		return yaml_error_at(f, yaml_get(map, key), err, "must not be negative");
	*out = q_dec(d);
	return 0;
}

/* The priced inputs present in map (a platform or a scenario) over *in. */
static int read_inputs(const struct yaml_file *f, struct fy_node *map, struct q in[TCO_N_INPUTS],
                       struct bench_error **err)
{
	for (size_t g = 0; g < sizeof(group_names) / sizeof(group_names[0]); g++) {
		struct fy_node *grp = NULL;
		if (yaml_mapping(f, map, group_names[g], false, &grp, err) < 0 ||
		    (grp != NULL && yaml_check_keys(f, grp, group_keys[g], err) < 0))
			return -1;
	}
	for (int i = 0; i < TCO_N_INPUTS; i++) {
		const struct tco_input_info *info = &tco_inputs[i];
		struct fy_node *where = info->group ? yaml_get(map, info->group) : map;
		if (where != NULL && read_amount(f, where, info->key, false, &in[i], err) < 0)
			return -1;
	}
	struct fy_node *power = yaml_get(map, "power");
	if (power != NULL && yaml_get(power, "pue") != NULL &&
	    q_cmp(in[TCO_POWER_PUE], q_int(1)) < 0)
		return yaml_error_at(f, yaml_get(power, "pue"), err,
		                     "a PUE is at least 1 (the facility's draw over the IT draw)");
	return 0;
}

static int read_platform(const struct yaml_file *f, struct fy_node *key, struct fy_node *map,
                         struct tco_platform *p, struct bench_error **err)
{
	static const char *const keys[] = {"kind",        "description", "server_cost", "licence",
	                                   "maintenance", "san",         "power",       NULL};
	const char *name = fy_node_get_scalar0(key), *kind = NULL;
	if (name == NULL || *name == '\0' || strlen(name) >= sizeof(p->name))
		return yaml_error_at(f, key, err, "a platform needs a name of 1 to %zu characters",
		                     sizeof(p->name) - 1);
	snprintf(p->name, sizeof(p->name), "%s", name);
	if (fy_node_get_type(map) != FYNT_MAPPING)
		return yaml_error_at(f, map, err, "a platform is a mapping of its costs");
	if (yaml_check_keys(f, map, keys, err) < 0 ||
	    yaml_string(f, map, "kind", true, &kind, err) < 0 ||
	    copy_string(f, map, "description", false, p->description, sizeof(p->description), err) <
	        0)
		return -1;
	if (strcmp(kind, "physical") != 0 && strcmp(kind, "virtual") != 0)
		return yaml_error_at(f, yaml_get(map, "kind"), err,
		                     "kind is 'physical' (one OS per server) or 'virtual' (guests "
		                     "on a host: VMs or containers), not '%.40s'",
		                     kind);
	p->physical = strcmp(kind, "physical") == 0;
	for (int i = 0; i < TCO_N_INPUTS; i++)
		p->inputs[i] = q_int(0);
	p->inputs[TCO_POWER_PUE] = q_int(1);
	return read_inputs(f, map, p->inputs, err);
}

static int read_published(const struct yaml_file *f, struct fy_node *map, struct tco_published *p,
                          struct bench_error **err)
{
	static const char *const keys[] = {"unit", "tco", "cost_per_instance_year",
	                                   "saving_per_instance_year", NULL};
	if (yaml_check_keys(f, map, keys, err) < 0)
		return -1;
	p->unit = q_int(1);
	if (read_amount(f, map, "unit", false, &p->unit, err) < 0)
		return -1;
	if (q_is_zero(p->unit))
		return yaml_error_at(f, yaml_get(map, "unit"), err, "must be positive");
	for (int k = 0; k < TCO_N_FIGURES; k++) {
		struct yaml_decimal d = {LLONG_MIN, 0};
		if (yaml_decimal(f, map, tco_figure_keys[k], false, &d, err) < 0)
			return -1;
		if (d.mantissa == LLONG_MIN)
			continue;
		p->has[k] = true;
		p->value[k] = q_mul(q_dec(d), p->unit);
		p->decimals[k] = d.exp10 < 0 ? -d.exp10 : 0;
		snprintf(p->text[k], sizeof(p->text[k]), "%s",
		         fy_node_get_scalar0(yaml_get(map, tco_figure_keys[k])));
	}
	return 0;
}

static int read_density(const struct yaml_file *f, struct fy_node *map, struct tco_density_spec *d,
                        struct bench_error **err)
{
	static const char *const keys[] = {"env", "workload", "qos", "source",
	                                   "run", "overhead", NULL};
	snprintf(d->source, sizeof(d->source), "auto");
	if (yaml_check_keys(f, map, keys, err) < 0 ||
	    copy_string(f, map, "env", true, d->env, sizeof(d->env), err) < 0 ||
	    copy_string(f, map, "workload", true, d->workload, sizeof(d->workload), err) < 0 ||
	    copy_string(f, map, "source", false, d->source, sizeof(d->source), err) < 0 ||
	    copy_string(f, map, "run", false, d->run_id, sizeof(d->run_id), err) < 0)
		return -1;
	if (strcmp(d->source, "auto") != 0 && strcmp(d->source, "measured") != 0 &&
	    strcmp(d->source, "projected") != 0)
		return yaml_error_at(f, yaml_get(map, "source"), err,
		                     "source is auto, measured or projected, not '%s'", d->source);
	struct fy_node *qos = yaml_get(map, "qos");
	if (qos != NULL) {
		if (yaml_node_number(f, qos, &d->qos, err) < 0)
			return -1;
		if (d->qos <= 0 || d->qos > 1)
			return yaml_error_at(f, qos, err, "a QoS bar is a fraction in (0, 1]");
		d->has_qos = true;
	}
	struct fy_node *ovh = yaml_get(map, "overhead");
	if (ovh == NULL)
		return 0;
	if (fy_node_get_type(ovh) == FYNT_SCALAR) {
		if (strcmp(fy_node_get_scalar0(ovh), "none") != 0)
			return yaml_error_at(f, ovh, err,
			                     "overhead is 'none' or a mapping {workload, metric}");
		d->overhead_none = true;
		return 0;
	}
	static const char *const okeys[] = {"workload", "metric", NULL};
	if (fy_node_get_type(ovh) != FYNT_MAPPING)
		return yaml_error_at(f, ovh, err,
		                     "overhead is 'none' or a mapping {workload, metric}");
	return yaml_check_keys(f, ovh, okeys, err) < 0 ||
	               copy_string(f, ovh, "workload", true, d->overhead_workload,
	                           sizeof(d->overhead_workload), err) < 0 ||
	               copy_string(f, ovh, "metric", false, d->overhead_metric,
	                           sizeof(d->overhead_metric), err) < 0
	           ? -1
	           : 0;
}

static int read_scenario(const struct yaml_file *f, struct fy_node *map, struct tco_model *m,
                         struct tco_scenario *s, struct bench_error **err)
{
	static const char *const keys[] = {
	    "name",    "platform",    "note",    "servers",     "guests_per_server",
	    "density", "server_cost", "licence", "maintenance", "san",
	    "power",   "published",   NULL};
	char platform[64] = "";
	if (fy_node_get_type(map) != FYNT_MAPPING)
		return yaml_error_at(f, map, err, "a scenario is a mapping (name, platform, ...)");
	if (yaml_check_keys(f, map, keys, err) < 0 ||
	    copy_string(f, map, "name", true, s->name, sizeof(s->name), err) < 0 ||
	    copy_string(f, map, "platform", true, platform, sizeof(platform), err) < 0 ||
	    copy_string(f, map, "note", false, s->note, sizeof(s->note), err) < 0)
		return -1;
	for (size_t i = 0; i < (size_t)(s - m->scenarios); i++)
		if (strcmp(m->scenarios[i].name, s->name) == 0)
			return yaml_error_at(f, yaml_get(map, "name"), err,
			                     "a second scenario named '%s'", s->name);
	s->platform = m->n_platforms;
	for (size_t i = 0; i < m->n_platforms; i++)
		if (strcmp(m->platforms[i].name, platform) == 0)
			s->platform = i;
	if (s->platform == m->n_platforms) {
		char valid[512] = "";
		for (size_t i = 0; i < m->n_platforms; i++)
			snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid), "%s%s",
			         i ? ", " : "", m->platforms[i].name);
		return yaml_error_at(f, yaml_get(map, "platform"), err,
		                     "no platform '%s' (platforms: %s)", platform, valid);
	}
	const struct tco_platform *p = &m->platforms[s->platform];
	memcpy(s->inputs, p->inputs, sizeof(s->inputs));
	s->servers = 1;
	s->guests = q_int(1);
	s->slowdown = q_int(1);
	snprintf(s->src.kind, sizeof(s->src.kind), "fixed");
	long long guests = 0;
	struct fy_node *density = NULL, *published = NULL;
	if (read_inputs(f, map, s->inputs, err) < 0 ||
	    yaml_integer(f, map, "servers", false, 1, 1000000, &s->servers, err) < 0 ||
	    yaml_integer(f, map, "guests_per_server", false, 1, 1000000, &guests, err) < 0 ||
	    yaml_mapping(f, map, "density", false, &density, err) < 0 ||
	    yaml_mapping(f, map, "published", false, &published, err) < 0)
		return -1;
	if (p->physical && (guests > 1 || density != NULL))
		return yaml_error_at(
		    f, yaml_get(map, guests ? "guests_per_server" : "density"), err,
		    "platform '%s' is physical: one instance per server, no guests", p->name);
	if (!p->physical && (guests > 0) == (density != NULL))
		return yaml_error_at(f, map, err,
		                     "scenario '%s': give either guests_per_server or density "
		                     "(guests per server taken from a run)",
		                     s->name);
	if (guests > 0)
		s->guests = q_int(guests);
	if (density != NULL) {
		s->from_run = true;
		if (read_density(f, density, &s->density, err) < 0)
			return -1;
	}
	return published != NULL ? read_published(f, published, &s->published, err) : 0;
}

static int read_top(const struct yaml_file *f, struct tco_model *m, struct bench_error **err)
{
	static const char *const keys[] = {"name",
	                                   "title",
	                                   "source",
	                                   "currency",
	                                   "display_unit",
	                                   "period_years",
	                                   "hours_per_year",
	                                   "baseline",
	                                   "platforms",
	                                   "scenarios",
	                                   NULL};
	m->display_unit = q_int(1);
	m->hours = q_int(8760);
	snprintf(m->currency, sizeof(m->currency), "USD");
	if (yaml_check_keys(f, f->root, keys, err) < 0 ||
	    copy_string(f, f->root, "name", true, m->name, sizeof(m->name), err) < 0 ||
	    copy_string(f, f->root, "title", false, m->title, sizeof(m->title), err) < 0 ||
	    copy_string(f, f->root, "source", false, m->source, sizeof(m->source), err) < 0 ||
	    copy_string(f, f->root, "currency", false, m->currency, sizeof(m->currency), err) < 0 ||
	    read_amount(f, f->root, "display_unit", false, &m->display_unit, err) < 0 ||
	    read_amount(f, f->root, "period_years", true, &m->period, err) < 0 ||
	    read_amount(f, f->root, "hours_per_year", false, &m->hours, err) < 0)
		return -1;
	if (q_is_zero(m->display_unit))
		return yaml_error_at(f, yaml_get(f->root, "display_unit"), err, "must be positive");
	if (q_is_zero(m->period) || q_cmp(m->period, q_int(100)) > 0)
		return yaml_error_at(f, yaml_get(f->root, "period_years"), err,
		                     "a period of more than 0 and at most 100 years");
	if (q_cmp(m->hours, q_int(8784)) > 0)
		return yaml_error_at(f, yaml_get(f->root, "hours_per_year"), err,
		                     "a year has at most 8784 hours");
	return 0;
}

int tco_model_read(const char *path, struct tco_model *m, struct bench_error **err)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->path, sizeof(m->path), "%s", path);
	struct yaml_file f;
	struct fy_node *platforms = NULL, *scenarios = NULL;
	const char *baseline = NULL;
	int rc = yaml_file_open(&f, path, err);
	if (rc == 0)
		rc = read_top(&f, m, err);
	if (rc == 0 && (yaml_mapping(&f, f.root, "platforms", true, &platforms, err) < 0 ||
	                yaml_sequence(&f, f.root, "scenarios", true, &scenarios, err) < 0 ||
	                yaml_string(&f, f.root, "baseline", true, &baseline, err) < 0))
		rc = -1;
	size_t np = rc == 0 ? (size_t)fy_node_mapping_item_count(platforms) : 0;
	size_t ns = rc == 0 ? (size_t)fy_node_sequence_item_count(scenarios) : 0;
	if (rc == 0 && (np == 0 || ns == 0))
		rc = yaml_error_at(&f, np == 0 ? platforms : scenarios, err,
		                   "needs at least one %s", np == 0 ? "platform" : "scenario");
	if (rc == 0) {
		m->platforms = calloc(np, sizeof(*m->platforms));
		m->scenarios = calloc(ns, sizeof(*m->scenarios));
		if (m->platforms == NULL || m->scenarios == NULL)
			rc = bench_error_set(err, ENOMEM, "%s", path);
	}
	void *it = NULL;
	struct fy_node_pair *pair;
	while (rc == 0 && (pair = fy_node_mapping_iterate(platforms, &it)) != NULL)
		rc = read_platform(&f, fy_node_pair_key(pair), fy_node_pair_value(pair),
		                   &m->platforms[m->n_platforms++], err);
	it = NULL;
	struct fy_node *item;
	while (rc == 0 && (item = fy_node_sequence_iterate(scenarios, &it)) != NULL) {
		m->n_scenarios++;
		rc = read_scenario(&f, item, m, &m->scenarios[m->n_scenarios - 1], err);
	}
	if (rc == 0) {
		m->baseline = m->n_scenarios;
		for (size_t i = 0; i < m->n_scenarios; i++)
			if (strcmp(m->scenarios[i].name, baseline) == 0)
				m->baseline = i;
		if (m->baseline == m->n_scenarios)
			rc = yaml_error_at(&f, yaml_get(f.root, "baseline"), err,
			                   "no scenario named '%s' to be the baseline", baseline);
	}
	yaml_file_close(&f);
	return rc;
}

void tco_model_free(struct tco_model *m)
{
	free(m->platforms);
	free(m->scenarios);
	m->platforms = NULL;
	m->scenarios = NULL;
	m->n_platforms = m->n_scenarios = 0;
}

void tco_unit_label(const struct tco_model *m, char *buf, size_t len)
{
	if (q_cmp(m->display_unit, q_int(1)) == 0)
		snprintf(buf, len, "%s", m->currency);
	else if (q_cmp(m->display_unit, q_int(1000)) == 0)
		snprintf(buf, len, "k%s", m->currency);
	else if (q_cmp(m->display_unit, q_int(1000000)) == 0)
		snprintf(buf, len, "M%s", m->currency);
	else {
		char u[64];
		q_format(m->display_unit, 0, u, sizeof(u));
		snprintf(buf, len, "x%s %s", u, m->currency);
	}
}
