/* bench tco's tables (terminal and HTML) and the terminal report. */
#include "reports/tco_table.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const figure_labels[TCO_N_FIGURES] = {
    [TCO_FIG_TCO] = "TCO over the period",
    [TCO_FIG_COST_YEAR] = "cost / instance / yr",
    [TCO_FIG_SAVING_YEAR] = "saving / instance / yr",
};

void tco_fmt_money(const struct tco_model *m, struct q v, char *buf, size_t len)
{
	q_format(q_div(v, m->display_unit), 2, buf, len);
}

/* A whole number as such, else 2 decimals. */
static void fmt_num(struct q v, char *buf, size_t len)
{
	q_format(v, q_cmp(q_round(v, 0), v) == 0 ? 0 : 2, buf, len);
}

/* A header made at run time, owned by t (NULL when out of memory). */
static const char *head(struct tco_tables *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static const char *head(struct tco_tables *t, const char *fmt, ...)
{
	if (t->n_heads == sizeof(t->heads) / sizeof(t->heads[0]))
		return NULL;
	va_list ap;
	va_start(ap, fmt);
	int rc = vasprintf(&t->heads[t->n_heads], fmt, ap);
	va_end(ap);
	return rc < 0 ? NULL : t->heads[t->n_heads++];
}

static bool any_interval(const struct tco_results *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->r[i].has_interval)
			return true;
	return false;
}

static bool any_slowdown(const struct tco_results *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (q_cmp(r->m->scenarios[i].slowdown, q_int(1)) != 0)
			return true;
	return false;
}

static int results_table(const struct tco_results *r, struct tco_tables *t)
{
	const struct tco_model *m = r->m;
	struct rtable *tb = &t->results;
	char period[32];
	fmt_num(m->period, period, sizeof(period));
	bool iv = any_interval(r), eq = any_slowdown(r);
	const char *h[RTABLE_MAX_COLS];
	char align[RTABLE_MAX_COLS + 1];
	size_t n = 0;
#define COL(name, a) (h[n] = (name), align[n++] = (a))
	COL("#", 'r');
	COL("scenario", 'l');
	COL("platform", 'l');
	COL("servers", 'r');
	COL("guests / server", 'r');
	COL("instances", 'r');
	if (eq)
		COL("bare-equivalent", 'r');
	COL(head(t, "TCO (%s yr)", period), 'r');
	COL("cost / instance / yr", 'r');
	if (iv)
		COL("range", 'r');
	COL("saving / instance / yr", 'r');
	COL("cost vs baseline", 'r');
#undef COL
	align[n] = '\0';
	tb->n_cols = n;
	memcpy(tb->head, h, sizeof(h));
	tb->align = strdup(align);
	if (tb->align == NULL)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		const struct tco_scenario *s = &m->scenarios[i];
		const struct tco_result *x = &r->r[i];
		char c[RTABLE_MAX_COLS][160];
		const char *row[RTABLE_MAX_COLS];
		size_t k = 0;
		snprintf(c[k++], sizeof(c[0]), "%zu", i + 1);
		snprintf(c[k++], 160, "%s%s", s->name, i == m->baseline ? " (baseline)" : "");
		snprintf(c[k++], sizeof(c[0]), "%s", m->platforms[s->platform].name);
		snprintf(c[k++], sizeof(c[0]), "%lld", s->servers);
		fmt_num(s->guests, c[k], sizeof(c[0]));
		if (s->src.lower_bound)
			strcat(c[k], " (at least)");
		k++;
		fmt_num(x->fig.instances, c[k++], sizeof(c[0]));
		if (eq)
			fmt_num(x->fig.effective, c[k++], sizeof(c[0]));
		tco_fmt_money(m, x->fig.tco, c[k++], sizeof(c[0]));
		tco_fmt_money(m, x->fig.cost_year, c[k++], sizeof(c[0]));
		if (iv) {
			char lo[48] = "", hi[48] = "";
			if (x->has_interval) {
				tco_fmt_money(m, x->cost_low, lo, sizeof(lo));
				tco_fmt_money(m, x->cost_high, hi, sizeof(hi));
			}
			snprintf(c[k++], sizeof(c[0]), x->has_interval ? "%s .. %s" : "", lo, hi);
		}
		tco_fmt_money(m, x->saving_year, c[k++], sizeof(c[0]));
		q_format(x->ratio, 2, c[k], sizeof(c[0]));
		strcat(c[k++], "x");
		for (size_t j = 0; j < k; j++)
			row[j] = c[j];
		if (rtable_row_v(tb, row) < 0)
			return -1;
	}
	return 0;
}

static int inputs_table(const struct tco_results *r, struct tco_tables *t)
{
	const struct tco_model *m = r->m;
	struct rtable *tb = &t->inputs;
	int cols[TCO_N_INPUTS];
	size_t nc = 0;
	for (int i = 0; i < TCO_N_INPUTS; i++) {
		bool used = false;
		for (size_t s = 0; s < m->n_scenarios; s++)
			used |= !q_is_zero(m->scenarios[s].inputs[i]) &&
			        (i != TCO_POWER_PUE ||
			         !q_is_zero(m->scenarios[s].inputs[TCO_POWER_WATTS]));
		if (used)
			cols[nc++] = i;
	}
	char align[RTABLE_MAX_COLS + 1] = "lrr";
	tb->n_cols = 3 + nc;
	tb->head[0] = "scenario";
	tb->head[1] = "servers";
	tb->head[2] = "guests / server";
	for (size_t c = 0; c < nc; c++) {
		tb->head[3 + c] = cols[c] == TCO_POWER_PRICE
		                      ? head(t, "price per kWh (%s)", m->currency)
		                      : tco_inputs[cols[c]].label;
		align[3 + c] = 'r';
	}
	align[3 + nc] = '\0';
	if ((tb->align = strdup(align)) == NULL)
		return -1;
	for (size_t i = 0; i < m->n_scenarios; i++) {
		const struct tco_scenario *s = &m->scenarios[i];
		char c[RTABLE_MAX_COLS][160];
		const char *row[RTABLE_MAX_COLS];
		snprintf(c[0], 160, "%s", s->name);
		snprintf(c[1], 64, "%lld", s->servers);
		fmt_num(s->guests, c[2], 64);
		for (size_t k = 0; k < nc; k++) {
			struct q v = s->inputs[cols[k]];
			if (cols[k] == TCO_POWER_PRICE)
				q_format(v, 4, c[3 + k], 64);
			else if (tco_inputs[cols[k]].money)
				tco_fmt_money(m, v, c[3 + k], 64);
			else
				fmt_num(v, c[3 + k], 64);
		}
		for (size_t k = 0; k < tb->n_cols; k++)
			row[k] = c[k];
		if (rtable_row_v(tb, row) < 0)
			return -1;
	}
	return 0;
}

static int sources_table(const struct tco_results *r, struct tco_tables *t)
{
	struct rtable *tb = &t->sources;
	tb->n_cols = 7;
	static const char *const h[] = {
	    "scenario", "guests / server",        "from", "run host", "per instance",
	    "overhead", "extra capacity it costs"};
	memcpy(tb->head, h, sizeof(h));
	tb->align = strdup("lllllll");
	if (tb->align == NULL)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		const struct tco_scenario *s = &r->m->scenarios[i];
		if (!s->from_run)
			continue;
		const struct tco_source *src = &s->src;
		char g[512], from[512], per[128] = "";
		fmt_num(s->guests, g, sizeof(g));
		size_t len = strlen(g);
		if (strcmp(src->kind, "projected") == 0) {
			char lo[32] = "", hi[32] = "";
			if (s->has_guest_interval) {
				fmt_num(s->guests_low, lo, sizeof(lo));
				fmt_num(s->guests_high, hi, sizeof(hi));
			}
			snprintf(g + len, sizeof(g) - len, " projected%s%s%s%s%s%s%s%s%s",
			         s->has_guest_interval ? " [" : "", lo,
			         s->has_guest_interval ? ", " : "", hi,
			         s->has_guest_interval ? "]" : "",
			         src->binding[0] ? ", bound by " : "", src->binding,
			         src->target[0] ? ", on a host of " : "", src->target);
		} else {
			snprintf(g + len, sizeof(g) - len, " measured%s (stopped: %s)",
			         src->lower_bound ? ", at least: the host holds this many or more"
			                          : "",
			         src->stop_reason);
		}
		char qos[32] = "";
		if (s->density.has_qos)
			snprintf(qos, sizeof(qos), ", qos %g", s->density.qos);
		snprintf(from, sizeof(from), "%s %s%s, run %.300s", s->density.env,
		         s->density.workload, qos, src->run_dir);
		if (!isnan(src->mem_bytes))
			snprintf(per, sizeof(per), "%.2f MiB (%s)",
			         src->mem_bytes / (1024.0 * 1024), src->mem_basis);
		if (!isnan(src->start_s))
			snprintf(per + strlen(per), sizeof(per) - strlen(per), "%sstart %.3f s",
			         per[0] ? ", " : "", src->start_s);
		char cost[160], extra[48], pct[32];
		tco_fmt_money(r->m, r->r[i].overhead_year, extra, sizeof(extra));
		q_format(q_mul(q_sub(s->slowdown, q_int(1)), q_int(100)), 1, pct, sizeof(pct));
		snprintf(cost, sizeof(cost), "%s %s per instance and year (%s%s%% capacity)", extra,
		         t->unit,
		         q_is_neg(s->slowdown) || q_cmp(s->slowdown, q_int(1)) < 0 ? "" : "+", pct);
		if (rtable_row(tb, s->name, g, from, src->host, per, src->overhead, cost) < 0)
			return -1;
	}
	return 0;
}

static int break_even_table(const struct tco_results *r, struct tco_tables *t)
{
	struct rtable *tb = &t->break_even;
	const struct tco_model *m = r->m;
	bool matrix = r->n + 2 <= RTABLE_MAX_COLS;
	char align[RTABLE_MAX_COLS + 1] = "rl";
	if (matrix) {
		tb->n_cols = r->n + 2;
		tb->head[0] = "#";
		tb->head[1] = "scenario (its configuration)";
		for (size_t j = 0; j < r->n; j++) {
			tb->head[2 + j] = head(t, "vs #%zu", j + 1);
			align[2 + j] = 'r';
		}
		align[2 + r->n] = '\0';
	} else {
		tb->n_cols = 3;
		tb->head[0] = "scenario (its configuration)";
		tb->head[1] = "against";
		tb->head[2] = "guests / server";
		snprintf(align, sizeof(align), "llr");
	}
	if ((tb->align = strdup(align)) == NULL)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		if (m->platforms[m->scenarios[i].platform].physical)
			continue;
		char c[RTABLE_MAX_COLS][32];
		const char *row[RTABLE_MAX_COLS];
		for (size_t j = 0; j < r->n; j++) {
			long long g = r->r[i].break_even[j];
			char v[32];
			snprintf(v, sizeof(v), g < 0 ? "-" : g == 0 ? "never" : "%lld", g);
			if (matrix) {
				snprintf(c[2 + j], sizeof(c[0]), "%s", v);
			} else if (g >= 0 && rtable_row(tb, m->scenarios[i].name,
			                                m->scenarios[j].name, v) < 0) {
				return -1;
			}
		}
		if (!matrix)
			continue;
		snprintf(c[0], sizeof(c[0]), "%zu", i + 1);
		row[0] = c[0];
		row[1] = m->scenarios[i].name;
		for (size_t j = 0; j < r->n; j++)
			row[2 + j] = c[2 + j];
		if (rtable_row_v(tb, row) < 0)
			return -1;
	}
	return 0;
}

static int sensitivity_table(const struct tco_results *r, size_t top, struct tco_tables *t)
{
	struct rtable *tb = &t->sensitivity;
	const struct tco_model *m = r->m;
	char pct[16];
	q_format(q_mul(r->swing, q_int(100)), 0, pct, sizeof(pct));
	tb->n_cols = 6;
	tb->head[0] = "scenario";
	tb->head[1] = "input";
	tb->head[2] = "value";
	tb->head[3] = head(t, "cost at -%s%%", pct);
	tb->head[4] = head(t, "cost at +%s%%", pct);
	tb->head[5] = "swing";
	if ((tb->align = strdup("llrrrr")) == NULL)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		const struct tco_result *x = &r->r[i];
		struct q p[TCO_N_PARAMS];
		tco_params(m, &m->scenarios[i], p);
		for (size_t k = 0; k < x->n_swing && (top == 0 || k < top); k++) {
			const struct tco_swing *w = &x->swing[k];
			char v[48], lo[48], hi[48], sw[48];
			if (w->param < TCO_N_INPUTS && tco_inputs[w->param].money &&
			    w->param != TCO_POWER_PRICE)
				tco_fmt_money(m, p[w->param], v, sizeof(v));
			else if (w->param == TCO_P_SLOWDOWN)
				q_format(p[w->param], 4, v, sizeof(v));
			else
				fmt_num(p[w->param], v, sizeof(v));
			tco_fmt_money(m, w->low, lo, sizeof(lo));
			tco_fmt_money(m, w->high, hi, sizeof(hi));
			tco_fmt_money(m, w->width, sw, sizeof(sw));
			if (rtable_row(tb, k == 0 ? m->scenarios[i].name : "",
			               tco_param_label(w->param), v, lo, hi, sw) < 0)
				return -1;
		}
	}
	return 0;
}

/* The number of the assumption with this general text, added when new;
 * its "where" cell lists the figures as "<figure> of #1, #2; <figure> of #3". */
static size_t assumption_no(struct rtable *a, const char *general, size_t scenario,
                            const char *figure, const char *example)
{
	char where[320];
	for (size_t k = 0; k < a->n_rows; k++) {
		char **row = a->cells + k * a->n_cols;
		if (strcmp(row[1], general) != 0)
			continue;
		const char *last = strrchr(row[2], ';');
		last = last != NULL ? last + 2 : row[2];
		bool same = strncmp(last, figure, strlen(figure)) == 0 &&
		            strncmp(last + strlen(figure), " of #", 5) == 0;
		char *more = NULL;
		int rc = same ? asprintf(&more, "%s, #%zu", row[2], scenario + 1)
		              : asprintf(&more, "%s; %s of #%zu", row[2], figure, scenario + 1);
		if (rc < 0)
			return 0;
		free(row[2]);
		row[2] = more;
		return k + 1;
	}
	char no[16];
	snprintf(no, sizeof(no), "[%zu]", a->n_rows + 1);
	snprintf(where, sizeof(where), "%s of #%zu", figure, scenario + 1);
	return rtable_row(a, no, general, where, example) < 0 ? 0 : a->n_rows;
}

static int published_table(const struct tco_results *r, struct tco_tables *t)
{
	const struct tco_model *m = r->m;
	struct rtable *tb = &t->published, *a = &t->assumptions;
	static const char *const h[] = {"scenario",  "figure",     "printed",
	                                "bench tco", "reproduced", "status"};
	tb->n_cols = 6;
	memcpy(tb->head, h, sizeof(h));
	static const char *const ha[] = {"", "what the printed figures rest on", "where",
	                                 "first case in full"};
	a->n_cols = 4;
	memcpy(a->head, ha, sizeof(ha));
	if ((tb->align = strdup("llrrrl")) == NULL || (a->align = strdup("llll")) == NULL)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		const struct tco_scenario *s = &m->scenarios[i];
		bool first = true;
		for (int k = 0; k < TCO_N_FIGURES; k++) {
			const struct tco_check *c = &r->r[i].check[k];
			if (!c->present)
				continue;
			const struct tco_published *p = &s->published;
			char mine[48], rep[48], status[64];
			q_format(q_div(c->consistent, p->unit), p->decimals[k], mine, sizeof(mine));
			q_format(q_div(c->reproduced, p->unit), p->decimals[k], rep, sizeof(rep));
			snprintf(status, sizeof(status), "%s", tco_check_status_names[c->status]);
			if (c->status == TCO_CHECK_FOLLOWS || c->status == TCO_CHECK_IMPLIED) {
				size_t no = assumption_no(a, c->general, i, figure_labels[k],
				                          c->assumption);
				if (no == 0)
					return -1;
				snprintf(status + strlen(status), sizeof(status) - strlen(status),
				         " [%zu]", no);
			}
			if (c->status == TCO_CHECK_UNEXPLAINED)
				snprintf(status, sizeof(status), "UNEXPLAINED");
			if (rtable_row(tb, first ? s->name : "", figure_labels[k], p->text[k], mine,
			               c->status == TCO_CHECK_UNEXPLAINED ? "-" : rep, status) < 0)
				return -1;
			first = false;
		}
	}
	return 0;
}

int tco_tables_build(const struct tco_results *r, size_t top, struct tco_tables *t,
                     struct bench_error **err)
{
	memset(t, 0, sizeof(*t));
	tco_unit_label(r->m, t->unit, sizeof(t->unit));
	if (results_table(r, t) < 0 || inputs_table(r, t) < 0 || sources_table(r, t) < 0 ||
	    break_even_table(r, t) < 0 || sensitivity_table(r, top, t) < 0 ||
	    published_table(r, t) < 0)
		return bench_error_set(err, ENOMEM, "tco tables");
	return 0;
}

void tco_tables_free(struct tco_tables *t)
{
	struct rtable *all[] = {&t->inputs,      &t->results,   &t->sources,    &t->break_even,
	                        &t->sensitivity, &t->published, &t->assumptions};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		free((char *)all[i]->align);
		rtable_free(all[i]);
	}
	for (size_t i = 0; i < t->n_heads; i++)
		free(t->heads[i]);
	memset(t, 0, sizeof(*t));
}

/* Prints text wrapped at 100 columns: the first line after first, the
 * others after rest. */
static void wrapped(FILE *out, const char *first, const char *rest, const char *text)
{
	size_t col = strlen(first), start = col;
	fputs(first, out);
	for (const char *p = text; *p;) {
		while (*p == ' ')
			p++;
		size_t w = strcspn(p, " ");
		if (w == 0)
			break;
		if (col > start && col + 1 + w > 100) {
			fprintf(out, "\n%s", rest);
			col = start = strlen(rest);
		} else if (col > start) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, w, out);
		col += w;
		p += w;
	}
	fputc('\n', out);
}

void tco_print_text(FILE *out, const struct tco_results *r, const struct tco_tables *t)
{
	const struct tco_model *m = r->m;
	char period[32], hours[32], line[1024], pct[16];
	fmt_num(m->period, period, sizeof(period));
	fmt_num(m->hours, hours, sizeof(hours));
	q_format(q_mul(r->swing, q_int(100)), 0, pct, sizeof(pct));
	fprintf(out, "bench tco: %s%s%s\n", m->name, m->title[0] ? ": " : "", m->title);
	snprintf(line, sizeof(line),
	         "model %.300s: %zu scenarios over %s years; amounts in %s; baseline: %s.", m->path,
	         m->n_scenarios, period, t->unit, m->scenarios[m->baseline].name);
	wrapped(out, "", "", line);
	fputc('\n', out);
	rtable_print_text(out, &t->results);
	snprintf(line, sizeof(line),
	         "TCO: every cost of the scenario's servers and instances over the %s years. cost "
	         "/ instance / yr = TCO / (instances x %s)%s. saving = the baseline's cost / "
	         "instance / yr minus this one's (> 0: cheaper than the baseline).",
	         period, period,
	         t->sources.n_rows > 0 ? ", instances counted bare-equivalent (instances / the "
	                                 "slowdown against bare a run charges)"
	                               : "");
	wrapped(out, "  ", "  ", line);
	fprintf(out, "\nInputs (%s; one-off unless '/ yr'; SAN storage is for the whole period)\n",
	        t->unit);
	rtable_print_text(out, &t->inputs);
	if (t->sources.n_rows > 0) {
		fputs("\nGuests per server from runs\n", out);
		for (size_t k = 0; k < t->sources.n_rows; k++)
			for (size_t c = 0; c < t->sources.n_cols; c++) {
				snprintf(line, sizeof(line), "%s: %s",
				         c ? t->sources.head[c] : "scenario",
				         t->sources.cells[k * t->sources.n_cols + c]);
				wrapped(out, c ? "    " : "  ", "      ", line);
			}
	}
	if (t->break_even.n_rows > 0) {
		fputs(
		    "\nBreak-even: the guests per server at which a scenario's configuration costs "
		    "no more per\ninstance and year than the scenario it is against (never: at no "
		    "count; -: not applicable)\n",
		    out);
		rtable_print_text(out, &t->break_even);
	}
	if (t->sensitivity.n_rows > 0) {
		fprintf(out,
		        "\nSensitivity: cost / instance / yr (%s) with each input %s%% lower and "
		        "higher, the others held\n(the widest swings; all of them in --json and "
		        "tco-sensitivity.csv)\n",
		        t->unit, pct);
		rtable_print_text(out, &t->sensitivity);
	}
	if (t->published.n_rows == 0)
		return;
	fputs("\nPublished figures against bench tco's arithmetic (in the unit they were printed "
	      "in)\n",
	      out);
	rtable_print_text(out, &t->published);
	fputs("  agrees: the model's arithmetic gives it; follows: it follows from the document's "
	      "other\n  printed figures; implied: it holds only under the assumption named below\n",
	      out);
	for (size_t k = 0; k < t->assumptions.n_rows; k++) {
		char **row = t->assumptions.cells + k * t->assumptions.n_cols;
		snprintf(line, sizeof(line), "%s %s", row[0], row[1]);
		wrapped(out, "", "    ", line);
		snprintf(line, sizeof(line), "in: %s", row[2]);
		wrapped(out, "    ", "        ", line);
		snprintf(line, sizeof(line), "first: %s", row[3]);
		wrapped(out, "    ", "        ", line);
	}
	fprintf(out,
	        "%zu printed figures: %zu agree with the model's arithmetic, %zu follow from the "
	        "document's other\nfigures, %zu hold only under an assumption above, %zu are "
	        "unexplained\n",
	        r->n_published, r->n_status[TCO_CHECK_AGREES], r->n_status[TCO_CHECK_FOLLOWS],
	        r->n_status[TCO_CHECK_IMPLIED], r->n_status[TCO_CHECK_UNEXPLAINED]);
}
