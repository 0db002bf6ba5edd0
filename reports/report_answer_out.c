/* The answer as the front of report.html (a section with one block per
 * environment, coloured by its tone) and of summary.md. */
#include "reports/report_answer.h"

#include "reports/html.h"
#include "reports/md.h"

static const char *const tone_class[] = {
    [ANSWER_BASELINE] = "base",   [ANSWER_ALONE] = "alone",   [ANSWER_NOISE] = "noise",
    [ANSWER_UNCLEAR] = "unclear", [ANSWER_WORSE] = "worse",   [ANSWER_BETTER] = "better",
    [ANSWER_MIXED] = "mixed",     [ANSWER_FAILED] = "failed",
};

/* <p class="cls">text</p>, nothing when text is empty. */
static void html_para(FILE *out, const char *cls, const char *text)
{
	if (!*text)
		return;
	fprintf(out, "<p class=\"%s\">", cls);
	html_text(out, text);
	fputs("</p>\n", out);
}

/* n strings stride bytes apart from first as <ul class="cls">; nothing
 * when n is 0. */
static void html_list(FILE *out, const char *cls, const char *first, size_t n, size_t stride)
{
	if (n == 0)
		return;
	fprintf(out, "<ul class=\"%s\">\n", cls);
	for (size_t i = 0; i < n; i++) {
		fputs("<li>", out);
		html_text(out, first + i * stride);
		fputs("</li>\n", out);
	}
	fputs("</ul>\n", out);
}

static void html_env(FILE *out, const struct answer_env *e, size_t k)
{
	fprintf(out, "<div class=\"answer-env tone-%s\" id=\"answer-%zu\">\n<h3>",
	        tone_class[e->tone], k);
	html_text(out, e->label);
	fputs("</h3>\n<p class=\"verdict\">", out);
	html_text(out, *e->lead ? e->lead : e->verdict);
	fputs("</p>\n", out);
	if (*e->lead) { /* the verdict family by family, then what failed */
		html_list(out, "families", e->clauses[0], e->n_clauses, sizeof(e->clauses[0]));
		html_para(out, "failed", e->failed_line);
	}
	if (e->n_top > 0)
		fputs("<p class=\"top-head\">Largest significant differences, with their 95% "
		      "intervals:</p>\n",
		      out);
	html_list(out, "top", e->top[0], e->n_top, sizeof(e->top[0]));
	html_para(out, "density", e->density);
	html_para(out, "instance", e->instance);
	if (e->failures.n_rows > 0) {
		fputs("<details><summary>Failed samples and their errors</summary>\n", out);
		html_table(out, &e->failures, "h4", "");
		fputs("</details>\n", out);
	}
	fputs("</div>\n", out);
}

/* A two-column table (topic | text) as a list under an h3 with id; sep
 * closes the bold topic. Nothing when it has no rows. */
static void html_pairs(FILE *out, const struct rtable *t, const char *id, const char *heading,
                       const char *sep)
{
	if (t->n_rows == 0)
		return;
	fprintf(out, "<h3 id=\"%s\">%s</h3>\n<ul class=\"%s\">\n", id, heading, id);
	for (size_t r = 0; r < t->n_rows; r++) {
		fputs("<li><strong>", out);
		html_text(out, t->cells[r * 2]);
		fputs(sep, out);
		html_text(out, t->cells[r * 2 + 1]);
		fputs("</li>\n", out);
	}
	fputs("</ul>\n", out);
}

/* ... and as a markdown list, the topic in italics or plain. */
static void md_pairs(FILE *out, const struct rtable *t, const char *heading, bool italic)
{
	if (t->n_rows == 0)
		return;
	fprintf(out, "**%s**\n\n", heading);
	for (size_t r = 0; r < t->n_rows; r++) {
		fputs(italic ? "- *" : "- ", out);
		md_text(out, t->cells[r * 2]);
		fputs(italic ? "*: " : ": ", out);
		md_text(out, t->cells[r * 2 + 1]);
		fputc('\n', out);
	}
	fputc('\n', out);
}

void report_answer_html(FILE *out, const struct answer *a)
{
	fputs("<section id=\"answer\">\n<h2>The answer</h2>\n<p class=\"headline\">", out);
	html_text(out, a->headline);
	fputs("</p>\n", out);
	for (size_t i = 0; i < a->n_envs; i++)
		html_env(out, &a->envs[i], i);
	if (*a->cost) {
		fputs("<p class=\"cost\" id=\"cost\">", out);
		html_text(out, a->cost);
		if (*a->cost_href) {
			fputs(" <a href=\"", out);
			html_text(out, a->cost_href);
			fputs("\">The cost page</a>.", out);
		}
		fputs("</p>\n", out);
	}
	html_pairs(out, &a->notes, "validity", "Read the figures with these in mind",
	           ":</strong> ");
	html_pairs(out, &a->not_run, "not-run", "Did not run", "</strong>: ");
	fputs("</section>\n", out);
}

void report_answer_markdown(FILE *out, const struct answer *a)
{
	fputs("### The answer\n\n", out);
	md_text(out, a->headline);
	fputs("\n\n", out);
	for (size_t i = 0; i < a->n_envs; i++) {
		const struct answer_env *e = &a->envs[i];
		fputs("**", out);
		md_text(out, e->label);
		fputs("**: ", out);
		md_text(out, e->verdict);
		fputs("\n\n", out);
		for (size_t k = 0; k < e->n_top; k++) {
			fputs("- ", out);
			md_text(out, e->top[k]);
			fputc('\n', out);
		}
		if (e->n_top > 0)
			fputc('\n', out);
		if (*e->density) {
			md_text(out, e->density);
			fputs("\n\n", out);
		}
		if (*e->instance) {
			md_text(out, e->instance);
			fputs("\n\n", out);
		}
	}
	if (*a->cost) {
		md_text(out, a->cost);
		if (*a->cost_href) {
			fputs(" The cost page: `", out);
			fputs(a->cost_href, out);
			fputs("`.", out);
		}
		fputs("\n\n", out);
	}
	md_pairs(out, &a->notes, "Read the figures with these in mind", true);
	md_pairs(out, &a->not_run, "Did not run", false);
}
