#include "harness/run/conditions.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "harness/core/meminfo.h"
#include "harness/run/size_plan.h"

/* Room left for the host itself when instances are kept up side by side. */
#define MEMORY_HEADROOM 0.10

__attribute__((format(printf, 2, 3))) static void warn(struct run_conditions *c, const char *fmt,
                                                       ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	json_array_append_new(c->warnings, json_string(text));
	if (!c->quiet_warnings) {
		fprintf(stderr, "bench: WARNING: %s\n", text);
		fflush(stderr);
	}
}

static void unmatched(struct run_conditions *c, const char *condition, const char *envs,
                      const char *detail)
{
	json_array_append_new(c->unmatched, json_pack("{s:s, s:s, s:s}", "condition", condition,
	                                              "envs", envs, "detail", detail));
	warn(c, "%s cannot be matched (%s): %s", condition, envs, detail);
}

static double gib(uint64_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0 * 1024.0);
}

/* Whether one instance of every environment fits in memory at once. */
static bool fits_side_by_side(const struct run_options *o, const struct env_choice *envs,
                              size_t n_envs, const struct topo *t, const struct topo_binding *b,
                              const struct size_plan *sizes, char *why, size_t len)
{
	struct env_spec spec;
	if (env_spec_init(&spec, o, t, b, "", NULL, NULL) < 0)
		return true; /* a bad --memory is reported when the run starts */
	uint64_t need = 0, largest = 0, given = spec.memory_bytes;
	size_t unlimited = 0;
	for (size_t i = 0; i < n_envs; i++) {
		if (envs[i].ops->host_memory == NULL) {
			unlimited++;
			continue;
		}
		uint64_t planned = size_plan_memory(sizes, envs[i].name);
		spec.memory_bytes = planned ? planned : given;
		uint64_t m = envs[i].ops->host_memory(&spec);
		need += m;
		largest = m > largest ? m : largest;
	}
	need += unlimited * largest;
	uint64_t total, avail;
	if (meminfo_read(&total, &avail) < 0)
		return true;
	double room = (1 - MEMORY_HEADROOM) * (double)avail;
	if ((double)need <= room)
		return true;
	snprintf(why, len,
	         "the host cannot hold every instance at once: they may take %.2f GiB together, "
	         "MemAvailable is %.2f GiB (%.0f%% kept for the host)",
	         gib(need), gib(avail), 100 * MEMORY_HEADROOM);
	return false;
}

static void check_cpu_numbering(struct run_conditions *c, const struct env_choice *envs,
                                size_t n_envs)
{
	for (size_t i = 0; i < n_envs; i++) {
		if (envs[i].ops->cpu_numbering == NULL)
			continue;
		for (size_t j = 0; j < n_envs; j++) {
			if (j == i ||
			    (envs[j].ops->cpu_numbering != NULL &&
			     strcmp(envs[j].ops->cpu_numbering, envs[i].ops->cpu_numbering) == 0))
				continue;
			char names[200], detail[512];
			snprintf(names, sizeof(names), "%s, %s", envs[i].name, envs[j].name);
			snprintf(detail, sizeof(detail),
			         "%s's CPUs are %s, %s's are the host's: the same --cpus names "
			         "different CPUs",
			         envs[i].name, envs[i].ops->cpu_numbering, envs[j].name);
			unmatched(c, "cpu numbering", names, detail);
			return;
		}
	}
}

static unsigned count(const bool set[CPULIST_MAX])
{
	unsigned n = 0;
	for (int i = 0; i < CPULIST_MAX; i++)
		n += set[i];
	return n;
}

int run_conditions_resolve(const struct run_options *o, const struct env_choice *envs,
                           size_t n_envs, const struct topo *t, const struct topo_binding *b,
                           bool networked, struct run_conditions *c, struct bench_error **err)
{
	bool quiet = c->quiet_warnings;
	const struct size_plan *sizes = c->sizes;
	struct placement instance = c->instance;
	memset(c, 0, sizeof(*c));
	c->quiet_warnings = quiet;
	c->sizes = sizes;
	c->instance = instance;
	c->unmatched = json_array();
	c->warnings = json_array();
	if (placement_resolve(t, b, o->peer_cpus, "--peer-cpus", &c->peer, err) < 0)
		return -1;
	if (o->io_cpus != NULL) {
		if (placement_resolve(t, b, o->io_cpus, "--io-cpus", &c->io, err) < 0)
			return -1;
	} else {
		c->io = c->peer;
		snprintf(c->io.reason, sizeof(c->io.reason),
		         "the network peer's CPUs (no --io-cpus given)");
	}
	c->warmup = steady_rule_for(o->target_ci / 100.0, o->max_warmup);
	c->scheme = interleave_scheme_for(n_envs);
	c->seed = o->seed_given ? o->seed : interleave_fresh_seed();
	c->interleaved = n_envs > 1;
	if (n_envs < 2) {
		snprintf(c->why_not, sizeof(c->why_not), "one environment");
	} else if (o->no_interleave) {
		c->interleaved = false;
		snprintf(c->why_not, sizeof(c->why_not), "--no-interleave");
		warn(c, "environments run one after the other (--no-interleave): whatever drifts "
		        "between them (caches, device state, neighbours, frequency) lands in the "
		        "overhead");
	} else if (!fits_side_by_side(o, envs, n_envs, t, b, c->sizes, c->why_not,
	                              sizeof(c->why_not))) {
		c->interleaved = false;
		warn(c,
		     "not interleaving: %s; the environments run one after the other, so drift "
		     "between them lands in the overhead (smaller --memory lets them fit)",
		     c->why_not);
	}
	if (n_envs > 1)
		check_cpu_numbering(c, envs, n_envs);
	if (networked && strcmp(c->peer.policy, "shared") == 0 && count(c->peer.cpus) > 1)
		warn(c,
		     "the network peer shares the instance's CPUs %s (no other CPU is free): where "
		     "the scheduler puts client and peer, on one CPU or two, moves net.* figures "
		     "from run to run; leave CPUs for the peer with --cpus (or set --peer-cpus)",
		     c->peer.cpus_text);
	return 0;
}

/* Whether condition is already recorded as unmatched for env. */
static bool unmatched_has(const struct run_conditions *c, const char *condition, const char *env)
{
	size_t i;
	json_t *u;
	json_array_foreach(c->unmatched, i, u)
	{
		if (strcmp(json_string_value(json_object_get(u, "condition")), condition) == 0 &&
		    strcmp(json_string_value(json_object_get(u, "envs")), env) == 0)
			return true;
	}
	return false;
}

void run_conditions_instance(struct run_conditions *c, const struct env_choice *env,
                             const struct env_instance *inst, size_t n_envs)
{
	if (inst->wl_note[0] != '\0' && !unmatched_has(c, "wl build", env->name))
		unmatched(c, "wl build", env->name, inst->wl_note);
	if (n_envs < 2 || inst->helpers != ENV_HELPERS_UNPLACED ||
	    unmatched_has(c, "io threads", env->name))
		return;
	json_t *io = json_object_get(inst->pinning, "io_threads");
	const char *reason = json_string_value(json_object_get(io, "reason"));
	char detail[768];
	snprintf(detail, sizeof(detail), "its host-side I/O threads are not on the I/O CPUs %s: %s",
	         c->io.cpus_text, reason ? reason : "the backend cannot place them");
	unmatched(c, "io threads", env->name, detail);
}

json_t *run_conditions_to_json(const struct run_conditions *c)
{
	char rule[256];
	steady_rule_text(&c->warmup, rule, sizeof(rule));
	json_t *il = json_pack("{s:b}", "interleaved", c->interleaved);
	if (c->interleaved) {
		json_object_set_new(il, "scheme", json_string(interleave_scheme_name(c->scheme)));
		json_object_set_new(il, "seed", json_integer((json_int_t)c->seed));
	} else {
		json_object_set_new(il, "reason", json_string(c->why_not));
	}
	json_t *j = json_pack("{s:o, s:o, s:o, s:s, s:O, s:O}", "peer", placement_to_json(&c->peer),
	                      "io", placement_to_json(&c->io), "interleave", il, "warmup_rule",
	                      rule, "unmatched", c->unmatched, "warnings", c->warnings);
	if (j != NULL && c->instance.policy != NULL)
		json_object_set_new(j, "instance", placement_to_json(&c->instance));
	return j;
}

void run_conditions_print_warnings(FILE *out, const struct run_conditions *c)
{
	size_t i;
	json_t *w;
	json_array_foreach(c->warnings, i, w)
	{
		fprintf(out, "WARNING: %s\n", json_string_value(w));
	}
}

void run_conditions_free(struct run_conditions *c)
{
	json_decref(c->unmatched);
	json_decref(c->warnings);
	c->unmatched = c->warnings = NULL;
}
