/* JUnit XML and markdown of a comparison. */
#include "reports/compare_out.h"

#include <math.h>
#include <string.h>

static void xml_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			/* XML 1.0 allows no control characters but tab and newlines */
			fputc((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n' ? ' ' : *s, out);
		}
	}
}

static const char *info(const json_t *runs, size_t i, const char *key)
{
	const char *s = json_string_value(json_object_get(json_array_get(runs, i), key));
	return s ? s : "?";
}

/* "a, b" of a key over the runs (distinct values). */
static void joined(const json_t *runs, const char *key, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < json_array_size(runs); i++) {
		const char *v = info(runs, i, key);
		if (strstr(buf, v) != NULL)
			continue;
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? ", " : "", v);
	}
}

static void property(FILE *out, const char *name, const json_t *runs, const char *key)
{
	char v[1024];
	joined(runs, key, v, sizeof(v));
	fprintf(out, "      <property name=\"%s\" value=\"", name);
	xml_text(out, v);
	fputs("\"/>\n", out);
}

static void properties(FILE *out, const struct comparison *c)
{
	fputs("    <properties>\n", out);
	property(out, "base.kernel", c->base_info, "kernel");
	property(out, "new.kernel", c->new_info, "kernel");
	property(out, "base.hypervisor", c->base_info, "hypervisor");
	property(out, "new.hypervisor", c->new_info, "hypervisor");
	property(out, "base.commit", c->base_info, "commit");
	property(out, "new.commit", c->new_info, "commit");
	property(out, "base.runs", c->base_info, "run_id");
	property(out, "new.run", c->new_info, "run_id");
	fprintf(out, "      <property name=\"tolerance_pct\" value=\"%g\"/>\n",
	        100 * c->policy.tolerance);
	fputs("    </properties>\n", out);
}

static void message(const struct metric_cmp *m, char *buf, size_t len)
{
	char lo[24] = "-inf", hi[24] = "+inf";
	if (isfinite(m->ratio_low))
		snprintf(lo, sizeof(lo), "%+.2f%%", change_pct(m->ratio_low));
	if (isfinite(m->ratio_high))
		snprintf(hi, sizeof(hi), "%+.2f%%", change_pct(m->ratio_high));
	snprintf(buf, len,
	         "%s: change %+.2f%% (95%% CI %s to %s; %s better), q=%.3g, tolerance +-%g%%, "
	         "%s, n=%zu/%zu",
	         verdict_name(m->verdict), change_pct(m->ratio), lo, hi,
	         m->better == BETTER_HIGHER ? "higher" : "lower",
	         m->verdict == VERDICT_IMPROVEMENT ? m->q_better : m->q_worse, 100 * m->tolerance,
	         ratio_test_name(m->test), m->n_base, m->n_new);
}

static void testcase(FILE *out, const struct metric_cmp *m)
{
	fputs("    <testcase classname=\"", out);
	xml_text(out, m->workload);
	fputs("\" name=\"", out);
	xml_text(out, m->metric);
	fputs("\" time=\"0\">\n", out);
	char msg[512];
	message(m, msg, sizeof(msg));
	if (m->verdict == VERDICT_REGRESSION && m->gated) {
		fputs("      <failure type=\"regression\" message=\"", out);
		xml_text(out, msg);
		fputs("\">", out);
		xml_text(out, m->note);
		fputs("</failure>\n", out);
	} else if (m->verdict == VERDICT_INCONCLUSIVE) {
		char why[768];
		if (isfinite(m->mde))
			snprintf(why, sizeof(why),
			         "inconclusive: detectable change %.1f%% at n=%zu/%zu, tolerance "
			         "+-%g%%%s%s",
			         100 * m->mde, m->n_base, m->n_new, 100 * m->tolerance,
			         m->note[0] ? "; " : "", m->note);
		else
			snprintf(why, sizeof(why), "inconclusive: %s", m->note);
		fputs("      <skipped message=\"", out);
		xml_text(out, why);
		fputs("\"/>\n", out);
	} else {
		fputs("      <system-out>", out);
		xml_text(out, msg);
		fputs("</system-out>\n", out);
	}
	fputs("    </testcase>\n", out);
}

static void validity_suite(FILE *out, const struct comparison *c)
{
	fputs("  <testsuite name=\"validity\" tests=\"1\" failures=\"1\" skipped=\"0\" "
	      "errors=\"0\">\n",
	      out);
	properties(out, c);
	fputs("    <testcase classname=\"comparison\" name=\"validity\" time=\"0\">\n"
	      "      <failure type=\"invalid\" message=\"the comparison was refused: undeclared "
	      "differences\">",
	      out);
	for (size_t i = 0; i < c->validity.n; i++) {
		const struct difference *d = &c->validity.d[i];
		char line[1024];
		snprintf(line, sizeof(line), "%s %s %s: %s -> %s (--expect %s)\n",
		         diff_effect_name(d->effect), d->where, d->path, d->base, d->new_, d->key);
		xml_text(out, line);
	}
	for (size_t i = 0; i < json_array_size(c->notes); i++) {
		xml_text(out, json_string_value(json_array_get(c->notes, i)));
		fputc('\n', out);
	}
	fputs("</failure>\n    </testcase>\n  </testsuite>\n", out);
}

int junit_write(FILE *out, const struct comparison *c)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fputs("<testsuites name=\"bench compare\">\n", out);
	if (c->status == COMPARE_INVALID)
		validity_suite(out, c);
	for (size_t i = 0; i < c->n; i++) {
		/* one suite per environment, in first-appearance order */
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = strcmp(c->m[k].env, c->m[i].env) == 0;
		if (seen)
			continue;
		size_t tests = 0, failures = 0, skipped = 0;
		for (size_t k = i; k < c->n; k++) {
			const struct metric_cmp *m = &c->m[k];
			if (strcmp(m->env, c->m[i].env) != 0)
				continue;
			tests++;
			failures += m->verdict == VERDICT_REGRESSION && m->gated;
			skipped += m->verdict == VERDICT_INCONCLUSIVE;
		}
		fputs("  <testsuite name=\"", out);
		xml_text(out, c->m[i].env);
		fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" errors=\"0\">\n",
		        tests, failures, skipped);
		properties(out, c);
		for (size_t k = i; k < c->n; k++)
			if (strcmp(c->m[k].env, c->m[i].env) == 0)
				testcase(out, &c->m[k]);
		fputs("  </testsuite>\n", out);
	}
	fputs("</testsuites>\n", out);
	return ferror(out) ? -1 : 0;
}

static void md_row(FILE *out, const struct metric_cmp *m)
{
	char lo[16] = "-inf", hi[16] = "+inf";
	if (isfinite(m->ratio_low))
		snprintf(lo, sizeof(lo), "%+.1f", change_pct(m->ratio_low));
	if (isfinite(m->ratio_high))
		snprintf(hi, sizeof(hi), "%+.1f", change_pct(m->ratio_high));
	fprintf(out, "| %s | %s | %s | %.4g | %.4g | ", m->env, m->workload, m->metric,
	        m->base_mean, m->new_mean);
	if (isfinite(m->ratio))
		fprintf(out, "%+.1f%% [%s, %s]", change_pct(m->ratio), lo, hi);
	else
		fputs("-", out);
	fprintf(out, " | ±%g%% | %s | %.2g | **%s**", 100 * m->tolerance,
	        m->tested ? ratio_test_name(m->test) : "-",
	        m->verdict == VERDICT_IMPROVEMENT ? m->q_better : m->q_worse,
	        verdict_name(m->verdict));
	if (m->verdict == VERDICT_INCONCLUSIVE && isfinite(m->mde)) {
		fprintf(out, " (detectable %.1f%%", 100 * m->mde);
		if (m->reps_needed > 0)
			fprintf(out, "; ~%ld %s", m->reps_needed,
			        m->test == RATIO_RUNS ? "baseline runs" : "reps/side");
		fputs(")", out);
	}
	fprintf(out, "%s |\n", m->gated ? "" : " (not gated)");
}

static void md_table(FILE *out, const struct comparison *c, bool problems)
{
	fputs("| env | workload | metric | base | new | change [95% CI] | tolerance | test | q | "
	      "verdict |\n|---|---|---|---:|---:|---|---:|---|---:|---|\n",
	      out);
	for (size_t i = 0; i < c->n; i++) {
		const struct metric_cmp *m = &c->m[i];
		bool problem =
		    m->verdict == VERDICT_REGRESSION || m->verdict == VERDICT_INCONCLUSIVE;
		if (problem == problems)
			md_row(out, m);
	}
}

int compare_markdown(FILE *out, const struct comparison *c)
{
	static const char *const headline[] = {
	    [COMPARE_OK] = "no regression",
	    [COMPARE_REGRESSION] = "regression",
	    [COMPARE_INVALID] = "comparison refused",
	    [COMPARE_INCONCLUSIVE] = "inconclusive",
	};
	fprintf(out, "## bench compare: %s\n\n", headline[c->status]);
	char bk[512], nk[512], bc[256], nc[256];
	joined(c->base_info, "kernel", bk, sizeof(bk));
	joined(c->new_info, "kernel", nk, sizeof(nk));
	joined(c->base_info, "commit", bc, sizeof(bc));
	joined(c->new_info, "commit", nc, sizeof(nc));
	fprintf(out, "Base `%s` (kernel %s, commit %s) → new `%s` (kernel %s, commit %s).\n\n",
	        c->base_label, bk, bc, c->new_label, nk, nc);
	fprintf(out,
	        "**%zu regression, %zu improvement, %zu equivalent, %zu inconclusive** (gated "
	        "metrics); tolerance ±%g%% unless stated, significance %g after "
	        "Benjamini-Hochberg.\n\n",
	        c->counts[VERDICT_REGRESSION], c->counts[VERDICT_IMPROVEMENT],
	        c->counts[VERDICT_EQUIVALENT], c->counts[VERDICT_INCONCLUSIVE],
	        100 * c->policy.tolerance, c->policy.alpha);
	if (c->validity.n > 0) {
		fputs("| validity | where | what | base | new |\n|---|---|---|---|---|\n", out);
		for (size_t i = 0; i < c->validity.n; i++) {
			const struct difference *d = &c->validity.d[i];
			char effect[64];
			snprintf(effect, sizeof(effect),
			         d->effect == DIFF_REFUSES ? "refuses (`--expect %s`)" : "%.0s%s",
			         d->effect == DIFF_REFUSES ? d->key : "",
			         diff_effect_name(d->effect));
			fprintf(out, "| %s | %s | `%s` | %s | %s |\n", effect, d->where, d->path,
			        d->base, d->new_);
		}
		fputs("\n", out);
	}
	size_t problems = c->counts[VERDICT_REGRESSION] + c->counts[VERDICT_INCONCLUSIVE];
	if (problems > 0) {
		md_table(out, c, true);
		fputs("\n", out);
	}
	if (c->n > problems) {
		fputs("<details><summary>equivalent and improved metrics</summary>\n\n", out);
		md_table(out, c, false);
		fputs("\n</details>\n\n", out);
	}
	for (size_t i = 0; i < json_array_size(c->notes); i++)
		fprintf(out, "- %s\n", json_string_value(json_array_get(c->notes, i)));
	return ferror(out) ? -1 : 0;
}
