/* The pieces of the report's gnuplot script: quoting, datablocks, chart
 * bodies written twice (SVG and PNG) under unique file-safe names. */
#include "reports/gnuplot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/core/agent.h"
#include "harness/core/cleanup.h"
#include "harness/core/spawn.h"

#define GNUPLOT_TIMEOUT_S 120

int report_tools_find(struct report_tools *tools, struct bench_error **err)
{
	memset(tools, 0, sizeof(*tools));
	if (spawn_find("gnuplot", tools->gnuplot, sizeof(tools->gnuplot)) < 0)
		return bench_error_set(err, 0,
		                       "gnuplot is required to draw the charts and is not on PATH "
		                       "(Debian/Ubuntu: apt-get install gnuplot-nox)");
	const size_t len = 32768;
	cleanup_free char *out = calloc(1, len);
	char *argv[] = {tools->gnuplot, "-e", "set terminal", NULL};
	if (out == NULL)
		return bench_error_set(err, ENOMEM, "report_tools_find");
	int rc = spawn_run(argv, 30, 0, out, len, err);
	if (rc != 0) {
		if (rc > 0)
			bench_error_set(err, 0, "'%s -e \"set terminal\"' exited with status %d",
			                tools->gnuplot, rc);
		return bench_error_wrap(err, "gnuplot is required and does not run");
	}
	if (strstr(out, " svg ") == NULL)
		return bench_error_set(err, 0, "%s has no svg terminal", tools->gnuplot);
	if (strstr(out, " pngcairo ") != NULL)
		snprintf(tools->png_terminal, sizeof(tools->png_terminal), "pngcairo");
	else if (strstr(out, " png ") != NULL)
		snprintf(tools->png_terminal, sizeof(tools->png_terminal), "png");
	else
		return bench_error_set(err, 0, "%s has neither the pngcairo nor the png terminal",
		                       tools->gnuplot);
	return 0;
}

void gp_str(FILE *gp, const char *s)
{
	fputc('\'', gp);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("''", gp);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fputc(' ', gp);
		else
			fputc(*s, gp);
	}
	fputc('\'', gp);
}

void gp_titles(FILE *f, const char *title, const char *ylabel)
{
	fputs("set title ", f);
	gp_str(f, title);
	fputc('\n', f);
	if (ylabel != NULL) {
		fputs("set ylabel ", f);
		gp_str(f, ylabel);
		fputc('\n', f);
	}
}

int gp_block(struct plot_ctx *ctx)
{
	fprintf(ctx->gp, "$d%d << EOD\n", ctx->n_blocks);
	return ctx->n_blocks++;
}

void gp_block_end(struct plot_ctx *ctx)
{
	fputs("EOD\n", ctx->gp);
}

const char *gp_env_color(const struct plot_ctx *ctx, const char *env)
{
	/* colour-blind safe (Okabe-Ito, then Tableau) */
	static const char *colors[] = {"#0072b2", "#e69f00", "#009e73", "#cc79a7",
	                               "#56b4e9", "#d55e00", "#7f7f7f", "#bcbd22"};
	size_t i = 0;
	while (i < ctx->n_envs && strcmp(ctx->envs[i], env) != 0)
		i++;
	return colors[i % (sizeof(colors) / sizeof(colors[0]))];
}

/* Appends s to out as file-name-safe text: letters, digits, '.', '_', '-';
 * '%' becomes "pct", anything else '_'. */
static void slug(char *out, size_t len, const char *s)
{
	size_t n = strlen(out);
	for (; *s && n + 4 < len; s++) {
		if (*s == '%') {
			memcpy(out + n, "pct", 3);
			n += 3;
		} else {
			out[n++] = (strchr("._-", *s) != NULL || (*s >= '0' && *s <= '9') ||
			            (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
			               ? *s
			               : '_';
		}
	}
	out[n] = '\0';
}

static bool chart_exists(const struct report_charts *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return true;
	return false;
}

static void output(struct plot_ctx *ctx, const char *name, const char *ext)
{
	cleanup_free char *path = NULL;
	if (asprintf(&path, "%s/%s.%s", ctx->dir, name, ext) < 0)
		path = NULL;
	fputs("set output ", ctx->gp);
	gp_str(ctx->gp, path != NULL ? path : "/dev/null");
	fputc('\n', ctx->gp);
}

static int gp_chart(struct plot_ctx *ctx, const char *prefix, const char *part1, const char *part2,
                    const char *title, int width, int height, const char *body)
{
	struct report_charts *c = ctx->charts;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 8;
		struct report_chart *v = realloc(c->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		c->v = v;
		c->cap = cap;
	}
	struct report_chart *chart = &c->v[c->n];
	char base[120] = "";
	slug(base, sizeof(base), prefix);
	if (part1 != NULL && *part1) {
		slug(base, sizeof(base), "-");
		slug(base, sizeof(base), part1);
	}
	if (part2 != NULL && *part2) {
		slug(base, sizeof(base), "-");
		slug(base, sizeof(base), part2);
	}
	snprintf(chart->name, sizeof(chart->name), "%s", base);
	for (int k = 2; chart_exists(c, chart->name); k++)
		snprintf(chart->name, sizeof(chart->name), "%s-%d", base, k);
	snprintf(chart->title, sizeof(chart->title), "%s", title);
	c->n++;
	fprintf(ctx->gp, "\n# %s\n", chart->name);
	fprintf(ctx->gp,
	        "set terminal svg size %d,%d noenhanced font 'sans,11' background '#ffffff'\n",
	        width, height);
	output(ctx, chart->name, "svg");
	fprintf(ctx->gp, "%sset output\n", body);
	fprintf(ctx->gp,
	        "set terminal %s size %d,%d noenhanced font 'sans,10' background '#ffffff'\n",
	        ctx->tools->png_terminal, width, height);
	output(ctx, chart->name, "png");
	fprintf(ctx->gp, "%sset output\n", body);
	return 0;
}

FILE *gp_body_open(struct gp_body *b)
{
	*b = (struct gp_body){0};
	b->f = open_memstream(&b->text, &b->len);
	if (b->f != NULL)
		fputs("reset\nset encoding utf8\nset key outside below center horizontal\n"
		      "set border 3 lc rgb '#444444'\nset tics nomirror out\n"
		      "set grid ytics lc rgb '#dddddd'\n",
		      b->f);
	return b->f;
}

void gp_body_drop(struct gp_body *b)
{
	if (b->f != NULL)
		fclose(b->f);
	free(b->text);
	*b = (struct gp_body){0};
}

int gp_body_chart(struct plot_ctx *ctx, struct gp_body *b, const char *prefix, const char *p1,
                  const char *p2, const char *title, int width, int height)
{
	int rc = b->f != NULL && fclose(b->f) == 0 ? 0 : -1;
	b->f = NULL;
	if (rc == 0)
		rc = gp_chart(ctx, prefix, p1, p2, title, width, height, b->text);
	gp_body_drop(b);
	return rc;
}

void gp_xtics(FILE *f, const char *const *labels, size_t n, int width)
{
	size_t total = 0;
	fputs("set xtics (", f);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", f);
		gp_str(f, labels[i]);
		fprintf(f, " %zu", i);
		total += strlen(labels[i]) + 2;
	}
	/* about 7 pixels a character at 10-11 points */
	fputs(total * 7 > (size_t)width - 150 ? ") rotate by -30 left\n" : ")\n", f);
}

size_t gp_index_of(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return i;
	return n;
}

#define GNUPLOT_TIMEOUT_S 120

int gp_run_script(const struct report_tools *tools, const char *script, struct bench_error **err)
{
	char out[4096] = "";
	char *argv[] = {(char *)tools->gnuplot, (char *)script, NULL};
	if (agent_interrupted) /* the rest of the report is abandoned */
		return bench_error_set(err, 0, "interrupted by signal %d", (int)agent_interrupted);
	int rc = spawn_run(argv, GNUPLOT_TIMEOUT_S, 0, out, sizeof(out), err);
	if (rc < 0)
		return bench_error_wrap(err, "gnuplot");
	if (rc != 0) {
		size_t len = strlen(out);
		while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == ' '))
			out[--len] = '\0';
		return bench_error_set(err, 0, "gnuplot %s failed (exit status %d): %s", script, rc,
		                       len > 600 ? out + len - 600 : out);
	}
	return 0;
}

int gp_draw(struct plot_ctx *ctx, int (*draw)(struct plot_ctx *ctx, const void *arg),
            const void *arg, struct bench_error **err)
{
	const char *dir = ctx->dir;
	for (const char *p = dir; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return bench_error_set(err, 0, "%s: control characters in the report path",
			                       dir);
	cleanup_free char *script = NULL;
	if (asprintf(&script, "%s/charts.gp", dir) < 0)
		return bench_error_set(err, ENOMEM, "gnuplot script");
	if ((ctx->gp = fopen(script, "w")) == NULL)
		return bench_error_set(err, errno, "%s", script);
	fputs("# bench charts (generated)\nset encoding utf8\n", ctx->gp);
	int rc = draw(ctx, arg);
	int werr = ferror(ctx->gp) ? EIO : 0;
	if (fclose(ctx->gp) != 0 && werr == 0)
		werr = errno;
	ctx->gp = NULL;
	if (rc < 0 || werr != 0) {
		unlink(script);
		return bench_error_set(err, rc < 0 ? ENOMEM : werr, "writing %s", script);
	}
	rc = ctx->charts->n > 0 ? gp_run_script(ctx->tools, script, err) : 0;
	unlink(script);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < ctx->charts->n; i++) {
		for (int k = 0; k < 2; k++) {
			cleanup_free char *path = NULL;
			struct stat st;
			if (asprintf(&path, "%s/%s.%s", dir, ctx->charts->v[i].name,
			             k ? "png" : "svg") < 0)
				return bench_error_set(err, ENOMEM, "gnuplot");
			if (stat(path, &st) < 0 || st.st_size == 0)
				return bench_error_set(err, 0, "gnuplot did not draw %s", path);
		}
	}
	return 0;
}
