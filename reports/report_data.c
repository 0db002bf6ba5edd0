/* samples.csv (every repetition) and summary.md (tables fit for a pull
 * request comment). */
#include "reports/report_data.h"
#include "reports/md.h"

#include "reports/run_view.h"

#include <errno.h>
#include <string.h>

int report_write_file(const char *path, int (*fn)(FILE *out, const void *arg), const void *arg,
                      struct bench_error **err)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return bench_error_set(err, errno, "%s", path);
	int rc = fn(f, arg);
	int werr = ferror(f) ? EIO : 0;
	if (fclose(f) != 0 && werr == 0)
		werr = errno;
	if (rc < 0 && werr == 0)
		werr = ENOMEM;
	if (werr != 0)
		return bench_error_set(err, werr, "writing %s", path);
	return 0;
}

void report_csv_field(FILE *out, const char *s, const char *sep)
{
	if (s == NULL)
		s = "";
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, out);
	} else {
		fputc('"', out);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', out);
			fputc(*s, out);
		}
		fputc('"', out);
	}
	fputs(sep, out);
}

void report_csv_header(FILE *out, bool with_host)
{
	fputs(with_host ? "host," : "", out);
	fputs("env,workload,metric,unit,better,rep,value,outlier,error\r\n", out);
}

int report_csv(FILE *out, const struct run *run)
{
	report_csv_header(out, false);
	return report_csv_rows(out, run, NULL);
}

int report_csv_rows(FILE *out, const struct run *run, const char *host)
{
	for (size_t i = 0; i < run->n_samples; i++) {
		const struct sample *s = &run->samples[i];
		const char *better = s->better == BETTER_HIGHER ? "higher" : "lower";
		/* a failed sample without values still gets one row, for its error */
		size_t rows = s->n_values > 0 ? s->n_values : 1;
		for (size_t r = 0; r < rows; r++) {
			char rep[32] = "", value[40] = "";
			const char *outlier = "";
			if (r < s->n_values) {
				snprintf(rep, sizeof(rep), "%zu", r + 1);
				report_fmt_exact(s->values[r], value, sizeof(value));
				outlier = s->outliers != NULL && s->outliers[r] ? "true" : "false";
			}
			if (host != NULL)
				report_csv_field(out, host, ",");
			report_csv_field(out, s->env, ",");
			report_csv_field(out, s->workload, ",");
			report_csv_field(out, s->metric, ",");
			report_csv_field(out, s->unit, ",");
			report_csv_field(out, better, ",");
			report_csv_field(out, rep, ",");
			report_csv_field(out, value, ",");
			report_csv_field(out, outlier, ",");
			report_csv_field(out, s->failed ? s->error : "", "\r\n");
		}
	}
	return 0;
}

/* The environments bench all found available ("Ran here"; those it did not
 * are in the answer's "Did not run"). */
static void md_survey(FILE *out, const struct report_tables *t)
{
	if (t->ran.n_rows > 0) {
		fputs("**Ran here:** ", out);
		for (size_t r = 0; r < t->ran.n_rows; r++) {
			fputs(r ? ", " : "", out);
			md_text(out, t->ran.cells[r * t->ran.n_cols]);
		}
		fputs(".\n\n", out);
	}
}

int report_markdown(FILE *out, const struct run *run, const struct report_tables *t)
{
	fputs("## bench report: ", out);
	md_text(out, run->run_id);
	fputs("\n\n", out);
	json_t *version = json_object_get(run->host, "bench_version"),
	       *commit = json_object_get(run->host, "git_commit");
	fputs("Run started ", out);
	md_text(out, run->created != NULL ? run->created : "(unknown)");
	if (json_is_string(version) && json_is_string(commit)) {
		fputs(", bench ", out);
		md_text(out, json_string_value(version));
		fputs(" (", out);
		md_text(out, json_string_value(commit));
		fputs(")", out);
	}
	fputs(".\n\n**Host** ", out);
	md_text(out, t->host_line);
	fputs("\n\n", out);
	md_survey(out, t);
	report_answer_markdown(out, &t->answer);
	for (size_t i = 0; i < t->n_envs; i++)
		md_table(out, &t->envs[i], "### Results:");
	if (t->sizes.n_rows > 0) {
		md_table(out, &t->sizes, "###");
		fputs(
		    "Sizes are chosen once per run and are the same in every environment; a "
		    "memory workload whose working set is below 4x the last-level cache is marked "
		    "in the results: its figure partly measures cache.\n\n",
		    out);
	}
	if (t->overhead.n_rows > 0) {
		md_table(out, &t->overhead, "###");
		fputs(
		    "Slowdown > 1 means worse than the baseline whatever the metric's direction; "
		    "the test column says how the 95% CI and p were found: a paired t-test over "
		    "the interleaved blocks (on log ratios) when the environments ran side by "
		    "side, else Fieller's interval with Welch's t-test; significant when p < 0.05 "
		    "and the CI excludes 1.\n\n",
		    out);
	}
	if (t->density.n_rows > 0) {
		md_table(out, &t->density, "###");
		fputs("Density: instances started 1, 2, 4, ... (then refined) until an instance "
		      "fell below the QoS bar (qos x the single-instance result; baseline / qos "
		      "when lower is better), memory ran short or the next step would have taken "
		      "it there, a start failed or took 10x the first, or the study's time budget "
		      "ran out; projected beyond from the per-instance footprint (MemAvailable "
		      "slope, PSS, cgroup usage) and CPU demand, with a 95% interval and the "
		      "resource that binds first. Instances per GiB is capacity: projected "
		      "instances / GiB of host memory.\n\n",
		      out);
	}
	if (t->shape.n_rows > 0) {
		md_table(out, &t->shape, "###");
		fputs("Memory-bound count on a 16 GiB host: 16 GiB less 10% kept free, divided by "
		      "the idle footprint measured here (its 95% interval); the seed claims 536 "
		      "LXD containers against 47 KVM guests on 16 GB.\n\n",
		      out);
	}
	if (t->density_nodes.n_rows > 0) {
		md_table(out, &t->density_nodes, "###");
		fputs("Instances spread node by node (--spread nodes): each instance's CPUs and "
		      "memory on one NUMA node; per node at the largest step that met QoS.\n\n",
		      out);
	}
	if (t->failed.n_rows > 0)
		md_table(out, &t->failed, "###");
	fputs("Every repetition is in `samples.csv`; charts and the full host description in "
	      "`report.html`.\n",
	      out);
	return 0;
}
