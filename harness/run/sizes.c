#include "harness/run/sizes.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "harness/core/topo.h"

#define KIB         (1ull << 10)
#define MIB         (1ull << 20)
#define PAGE        (4 * KIB)
#define RULE        4            /* working set >= RULE x LLC */
#define ASSUMED_LLC (32 * MIB)   /* when hwloc knows no cache (wl assumes the same) */
#define STEP        (64 * MIB)   /* instance memory is chosen in these steps */
#define DISK_SPAN   (1ull << 30) /* the disk workloads' span when none is given */
#define MAX_RAISES  4

/* A workload gets at most 9/10 of an instance's usable memory (its stacks,
 * page tables and allocator slack live in the rest); the host keeps 1/5 of
 * its available memory (QEMU's own memory, page cache, everything else). */
static uint64_t budget(uint64_t usable)
{
	return usable - usable / 10;
}

static uint64_t round_up(uint64_t x, uint64_t to)
{
	return (x + to - 1) / to * to;
}

static uint64_t pow2_at_least(uint64_t x)
{
	uint64_t p = PAGE;
	while (p < x)
		p <<= 1;
	return p;
}

static uint64_t pow2_at_most(uint64_t x)
{
	if (x < PAGE)
		return 0;
	uint64_t p = PAGE;
	while (p <= x / 2)
		p <<= 1;
	return p;
}

enum size_kind size_kind_of(const char *workload, bool takes_size, bool disk)
{
	if (!takes_size)
		return SIZE_NONE;
	if (strcmp(workload, "mem.stream") == 0)
		return SIZE_STREAM;
	if (strcmp(workload, "mem.latency") == 0)
		return SIZE_LATENCY;
	if (strcmp(workload, "mem.random") == 0)
		return SIZE_RANDOM;
	return disk ? SIZE_DISK : SIZE_PASS;
}

static bool is_memory(enum size_kind k)
{
	return k == SIZE_STREAM || k == SIZE_LATENCY || k == SIZE_RANDOM;
}

uint64_t size_footprint(enum size_kind kind, uint64_t size, unsigned threads)
{
	threads = threads ? threads : 1;
	switch (kind) {
	case SIZE_STREAM: /* three arrays one page apart in one mapping */
		return 3 * round_up(size, PAGE) + 2 * PAGE;
	case SIZE_LATENCY: { /* 16K, 64K, ... below size, size; a 4-byte index per line */
		uint64_t per = size + size / 16;
		for (uint64_t s = 16 * KIB; s < size; s *= 4)
			per += s;
		return threads * per;
	}
	case SIZE_RANDOM:
		return size;
	default:
		return 0;
	}
}

/* The size as the workload will use it: the rule's, or --size after the
 * workload's own rounding. */
static uint64_t wanted(enum size_kind kind, uint64_t llc, uint64_t user)
{
	if (user != 0)
		return kind == SIZE_STREAM    ? user / 8 * 8
		       : kind == SIZE_LATENCY ? pow2_at_least(user)
		                              : pow2_at_most(user);
	return kind == SIZE_STREAM ? round_up(RULE * llc, MIB) : pow2_at_least(RULE * llc);
}

/* The smallest size the workload accepts (mem.random: 64 entries in each
 * thread's power-of-two partition). */
static uint64_t smallest(enum size_kind kind, unsigned threads)
{
	uint64_t parts = 1;
	while (parts < threads)
		parts <<= 1;
	return kind == SIZE_RANDOM && 64 * 8 * parts > PAGE ? 64 * 8 * parts : PAGE;
}

/* The largest size whose footprint fits in room, or 0 when none does. */
static uint64_t fitting(enum size_kind kind, uint64_t room, unsigned threads)
{
	uint64_t s = 0;
	if (kind == SIZE_STREAM) {
		s = room > 2 * PAGE ? (room - 2 * PAGE) / 3 : 0;
		s = s >= MIB ? s / MIB * MIB : s / PAGE * PAGE;
	} else {
		for (s = pow2_at_most(room); s >= PAGE && size_footprint(kind, s, threads) > room;)
			s /= 2;
	}
	return s >= smallest(kind, threads) && size_footprint(kind, s, threads) <= room ? s : 0;
}

/* snprintf for sentences that may be cut at the buffer's end. */
__attribute__((format(printf, 3, 4))) static void say(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	vsnprintf(buf, len, f, ap);
	va_end(ap);
}

static void fmt(uint64_t bytes, char *buf, size_t len)
{
	topo_fmt_bytes(bytes, buf, len);
}

/* bytes as an option value: "58M", "4K", "1G" (whole units), else bytes. */
static void opt(uint64_t bytes, char *buf, size_t len)
{
	static const char suffix[] = "TGMK";
	for (int i = 0; i < 4; i++) {
		uint64_t one = 1ull << (10 * (4 - i));
		if (bytes >= one && bytes % one == 0) {
			say(buf, len, "%llu%c", (unsigned long long)(bytes / one), suffix[i]);
			return;
		}
	}
	say(buf, len, "%llu", (unsigned long long)bytes);
}

/* "3 arrays x 1040 MiB", "largest chase buffer 2 GiB", "table 2 GiB". */
static void what(enum size_kind kind, uint64_t size, unsigned threads, char *buf, size_t len)
{
	char s[32];
	fmt(size, s, sizeof(s));
	if (kind == SIZE_STREAM)
		say(buf, len, "3 arrays x %s", s);
	else if (kind == SIZE_LATENCY)
		say(buf, len, "chase buffers up to %s (x %u thread%s)", s, threads,
		    threads == 1 ? "" : "s");
	else
		say(buf, len, "table %s", s);
}

struct env_state {
	uint64_t memory, usable;
	char basis[256];
};

static int usable_of(const struct size_env *e, uint64_t memory, struct env_state *st,
                     struct bench_error **err)
{
	st->memory = memory;
	st->basis[0] = '\0';
	if (e->usable(e->ctx, memory, &st->usable, st->basis, sizeof(st->basis), err) < 0)
		return bench_error_wrap(err, "the %s instance's usable memory", e->name);
	return 0;
}

/* Enlarges e's memory (in STEPs, at most to cap) until a workload needing
 * need bytes fits, or the cap is reached. */
static int raise_memory(const struct size_env *e, uint64_t need, uint64_t cap, struct env_state *st,
                        struct bench_error **err)
{
	for (int i = 0; i < MAX_RAISES && budget(st->usable) < need && st->memory < cap; i++) {
		uint64_t target = need + need / 9 + 1; /* budget(target) >= need */
		uint64_t short_by = target > st->usable ? target - st->usable : STEP;
		uint64_t next = round_up(st->memory + short_by, STEP);
		if (usable_of(e, next < cap ? next : cap, st, err) < 0)
			return -1;
	}
	return 0;
}

static void env_reason(const struct size_env *e, struct size_env_plan *p, const char *basis,
                       uint64_t share, const struct size_inputs *in, bool capped)
{
	char mem[32], def[32], use[32], sh[32];
	fmt(p->memory, mem, sizeof(mem));
	fmt(e->memory, def, sizeof(def));
	fmt(p->usable, use, sizeof(use));
	fmt(share, sh, sizeof(sh));
	unsigned n = in->instances_at_once ? in->instances_at_once : 1;
	const char *s = n == 1 ? "" : "s";
	if (!e->own_memory)
		say(p->reason, sizeof(p->reason),
		    "no memory of its own: %s, 4/5 of the host's %s over %u instance%s up at "
		    "once",
		    use, in->host_basis, n, s);
	else if (p->raised && capped)
		say(p->reason, sizeof(p->reason),
		    "%s, raised from %s as far as the host allows (%s each: 4/5 of its %s "
		    "over %u instance%s up at once); %s usable (%s)",
		    mem, def, sh, in->host_basis, n, s, use, basis);
	else if (p->raised)
		say(p->reason, sizeof(p->reason),
		    "%s, raised from %s so the memory workloads fit; %s usable (%s)", mem, def, use,
		    basis);
	else
		say(p->reason, sizeof(p->reason), "%s (%s); %s usable (%s)", mem,
		    e->given ? "--memory" : "the default", use, basis);
}

static int plan_envs(const struct size_inputs *in, uint64_t need, uint64_t share,
                     struct size_plan *out, size_t *limiting, struct bench_error **err)
{
	uint64_t least = UINT64_MAX;
	for (size_t i = 0; i < in->n_envs; i++) {
		const struct size_env *e = &in->env[i];
		struct size_env_plan *p = &out->env[i];
		struct env_state st = {0};
		snprintf(p->name, sizeof(p->name), "%s", e->name);
		if (e->own_memory && e->given && e->memory > share) {
			char m[32], s[32], so[32];
			fmt(e->memory, m, sizeof(m));
			fmt(share, s, sizeof(s));
			opt(share / MIB * MIB, so, sizeof(so));
			bench_error_set(err, 0,
			                "--memory %s is more than the host can give the %s "
			                "instance (4/5 of %s over %u instance(s) up at once: %s): "
			                "valid --memory here: 16M..%s",
			                m, e->name, in->host_basis,
			                in->instances_at_once ? in->instances_at_once : 1, s, so);
			return SIZES_USAGE;
		}
		if (!e->own_memory) {
			st.usable = share;
		} else if (need == 0) { /* no memory workload: nothing to measure */
			st.memory = e->memory;
			snprintf(st.basis, sizeof(st.basis), "not measured: no memory workload");
		} else {
			if (usable_of(e, e->memory, &st, err) < 0)
				return -1;
			uint64_t cap = share / STEP * STEP;
			if (need > 0 && !e->given && cap > e->memory &&
			    raise_memory(e, need, cap, &st, err) < 0)
				return -1;
		}
		p->memory = e->own_memory ? st.memory : 0;
		p->usable = st.usable;
		p->raised = e->own_memory && st.memory > e->memory;
		env_reason(e, p, st.basis, share, in, p->raised && budget(st.usable) < need);
		if (budget(st.usable) < least) {
			least = budget(st.usable);
			*limiting = i;
		}
	}
	out->n_envs = in->n_envs;
	return 0;
}

/* "the qemu instance (512 MiB; 430 MiB usable)" */
static void limit_phrase(const struct size_env_plan *p, char *buf, size_t len)
{
	char mem[32], use[32];
	fmt(p->usable, use, sizeof(use));
	if (p->memory == 0) {
		say(buf, len, "the %s instance's share of the host (%s)", p->name, use);
		return;
	}
	fmt(p->memory, mem, sizeof(mem));
	say(buf, len, "the %s instance's %s (%s usable, 9/10 of it for the workload)", p->name, mem,
	    use);
}

static int choose_memory(const struct size_inputs *in, const struct size_plan *plan,
                         size_t limiting, uint64_t llc, struct size_choice *c,
                         struct bench_error **err)
{
	const struct size_env_plan *lim = &plan->env[limiting];
	uint64_t room = budget(lim->usable), rule = RULE * llc;
	uint64_t want = wanted(c->kind, llc, in->user_size);
	char shape[96], limit[256], llcs[32], rules[32];
	fmt(llc, llcs, sizeof(llcs));
	fmt(rule, rules, sizeof(rules));
	limit_phrase(lim, limit, sizeof(limit));
	if (size_footprint(c->kind, want, in->threads) <= room) {
		c->size = want;
		c->below_4x_llc = want < rule;
	} else if (in->user_size != 0) {
		uint64_t most = fitting(c->kind, room, in->threads);
		char need[32], top[32];
		fmt((size_footprint(c->kind, want, in->threads) + MIB / 2) / MIB * MIB, need,
		    sizeof(need));
		what(c->kind, want, in->threads, shape, sizeof(shape));
		if (most == 0)
			return bench_error_set(
			           err, 0,
			           "--size %s: %s needs about %s (%s) but %s cannot hold it at "
			           "any size: raise --memory",
			           in->user_size_text, c->workload, need, shape, limit),
			       SIZES_USAGE;
		char low[32];
		opt(smallest(c->kind, in->threads), low, sizeof(low));
		opt(most, top, sizeof(top));
		bench_error_set(err, 0,
		                "--size %s: %s needs about %s (%s) but %s holds at most --size %s: "
		                "valid --size for %s here: %s..%s (or raise --memory)",
		                in->user_size_text, c->workload, need, shape, limit, top,
		                c->workload, low, top);
		return SIZES_USAGE;
	} else {
		c->size = fitting(c->kind, room, in->threads);
		c->below_4x_llc = true;
		if (c->size == 0)
			return bench_error_set(err, 0,
			                       "%s cannot hold %s at any size: raise --memory",
			                       limit, c->workload),
			       SIZES_USAGE;
	}
	what(c->kind, c->size, in->threads, shape, sizeof(shape));
	char given[64] = "";
	if (in->user_size != 0)
		snprintf(given, sizeof(given), " (--size %s)", in->user_size_text);
	double times = (double)c->size / (double)llc;
	if (!c->below_4x_llc && in->user_size == 0)
		say(c->reason, sizeof(c->reason), "%s%s >= 4x LLC (%s; 4x = %s)", shape, given,
		    in->llc_basis, rules);
	else if (!c->below_4x_llc)
		say(c->reason, sizeof(c->reason), "%s%s = %.1fx LLC (%s)", shape, given, times,
		    in->llc_basis);
	else if (in->user_size != 0)
		say(c->reason, sizeof(c->reason),
		    "%s%s = %.1fx LLC: below 4x LLC (%s), the figure partly measures cache", shape,
		    given, times, in->llc_basis);
	else
		say(c->reason, sizeof(c->reason),
		    "%s: limited by %s; below 4x LLC (%s; 4x = %s), the figure partly "
		    "measures cache",
		    shape, limit, in->llc_basis, rules);
	return 0;
}

static int choose_disk(const struct size_inputs *in, struct size_choice *c,
                       struct bench_error **err)
{
	uint64_t cap = 0;
	const char *capped_by = NULL;
	for (size_t i = 0; i < in->n_envs; i++)
		if (in->env[i].disk_bytes != 0 && (cap == 0 || in->env[i].disk_bytes < cap)) {
			cap = in->env[i].disk_bytes;
			capped_by = in->env[i].name;
		}
	char sz[32], cp[32], cpo[32];
	fmt(cap, cp, sizeof(cp));
	opt(cap, cpo, sizeof(cpo));
	if (in->user_size != 0) {
		if (cap != 0 && in->user_size > cap)
			return bench_error_set(err, 0,
			                       "--size %s: %s's span is larger than the %s "
			                       "guest's scratch disk (%s): valid --size here: "
			                       "4K..%s (or raise --disk-size)",
			                       in->user_size_text, c->workload, capped_by, cp, cpo),
			       SIZES_USAGE;
		c->size = in->user_size;
		say(c->reason, sizeof(c->reason), "span %s (--size)", in->user_size_text);
		return 0;
	}
	c->size = cap != 0 && cap < DISK_SPAN ? cap : DISK_SPAN;
	fmt(c->size, sz, sizeof(sz));
	if (cap == 0)
		say(c->reason, sizeof(c->reason), "span %s (the default)", sz);
	else if (c->size == cap && cap < DISK_SPAN)
		say(c->reason, sizeof(c->reason),
		    "span %s: the %s guest's scratch disk (--disk-size), below the 1 GiB "
		    "default, in every environment",
		    sz, capped_by);
	else
		say(c->reason, sizeof(c->reason),
		    "span %s (the default), within every guest's scratch disk (smallest %s)", sz,
		    cp);
	return 0;
}

/* --size within the range of every selected workload that takes it. */
static int check_user_range(const struct size_inputs *in, struct bench_error **err)
{
	for (size_t i = 0; in->user_size != 0 && i < in->n_workloads; i++) {
		const struct size_workload *w = &in->wl[i];
		if (!w->takes_size || (w->size_min == 0 && w->size_max == 0))
			continue;
		if (in->user_size >= w->size_min &&
		    (w->size_max == 0 || in->user_size <= w->size_max))
			continue;
		char lo[32], hi[32] = "its target's size";
		opt(w->size_min, lo, sizeof(lo));
		if (w->size_max != 0)
			opt(w->size_max, hi, sizeof(hi));
		return bench_error_set(err, 0, "--size %s: %s takes --size %s..%s",
		                       in->user_size_text, w->name, lo, hi);
	}
	return 0;
}

int sizes_choose(const struct size_inputs *in, struct size_plan *out, struct bench_error **err)
{
	memset(out, 0, sizeof(*out));
	uint64_t llc = in->llc_bytes ? in->llc_bytes : ASSUMED_LLC;
	out->llc_bytes = llc;
	if (in->llc_bytes)
		say(out->llc_basis, sizeof(out->llc_basis), "%s", in->llc_basis);
	else
		say(out->llc_basis, sizeof(out->llc_basis), "%s; 32 MiB assumed", in->llc_basis);
	struct size_inputs adj = *in;
	adj.llc_basis = out->llc_basis;
	in = &adj;
	if (check_user_range(in, err) < 0)
		return SIZES_USAGE;
	uint64_t need = 0;
	for (size_t i = 0; i < in->n_workloads; i++) {
		enum size_kind k =
		    size_kind_of(in->wl[i].name, in->wl[i].takes_size, in->wl[i].disk);
		uint64_t fp = is_memory(k)
		                  ? size_footprint(k, wanted(k, llc, in->user_size), in->threads)
		                  : 0;
		need = fp > need ? fp : need;
	}
	unsigned at_once = in->instances_at_once ? in->instances_at_once : 1;
	uint64_t share = (in->host_available - in->host_available / 5) / at_once;
	size_t limiting = 0;
	int planned = plan_envs(in, need, share, out, &limiting, err);
	if (planned < 0)
		return planned;
	for (size_t i = 0; i < in->n_workloads && out->n_choices < SIZES_MAX_WORKLOADS; i++) {
		enum size_kind k =
		    size_kind_of(in->wl[i].name, in->wl[i].takes_size, in->wl[i].disk);
		if (k == SIZE_NONE)
			continue;
		if (k == SIZE_DISK && in->user_disk_path)
			k = SIZE_PASS;
		struct size_choice *c = &out->choice[out->n_choices++];
		snprintf(c->workload, sizeof(c->workload), "%s", in->wl[i].name);
		c->kind = k;
		int rc = 0;
		if (is_memory(k))
			rc = choose_memory(in, out, limiting, llc, c, err);
		else if (k == SIZE_DISK)
			rc = choose_disk(in, c, err);
		else if (in->user_size != 0) {
			c->size = in->user_size;
			say(c->reason, sizeof(c->reason), "--size %s as given", in->user_size_text);
		} else
			say(c->reason, sizeof(c->reason), "the workload's own default");
		if (rc != 0)
			return rc;
	}
	return 0;
}

const struct size_choice *size_plan_find(const struct size_plan *p, const char *workload)
{
	for (size_t i = 0; p != NULL && i < p->n_choices; i++)
		if (strcmp(p->choice[i].workload, workload) == 0)
			return &p->choice[i];
	return NULL;
}

const struct size_env_plan *size_plan_env(const struct size_plan *p, const char *env)
{
	for (size_t i = 0; p != NULL && i < p->n_envs; i++)
		if (strcmp(p->env[i].name, env) == 0)
			return &p->env[i];
	return NULL;
}
