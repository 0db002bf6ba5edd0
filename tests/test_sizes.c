/* The size rule (harness/run/sizes.c) on hosts other than this one: hwloc
 * synthetic and XML topologies give the LLC over the instance's PUs, and
 * synthetic instances (a container limit, a guest's RAM less a stated
 * overhead, bare's share of the host) give the memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/core/topo.h"
#include "harness/run/sizes.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)

/* Instance models: a container loses 32 MiB of its limit; a guest 60 MiB
 * plus 1/16 of its RAM (the shape measured guests have). */
static int container_usable(void *ctx, uint64_t memory, uint64_t *usable, char *basis, size_t len,
                            struct bench_error **err)
{
	(void)ctx, (void)err;
	*usable = memory - 32 * MIB;
	snprintf(basis, len, "the limit less 32 MiB");
	return 0;
}

static int guest_usable(void *ctx, uint64_t memory, uint64_t *usable, char *basis, size_t len,
                        struct bench_error **err)
{
	(void)err;
	if (ctx != NULL)
		(*(int *)ctx)++; /* counts the "boots" */
	*usable = memory - 60 * MIB - memory / 16;
	snprintf(basis, len, "RAM less the guest kernel's share");
	return 0;
}

static int failing_usable(void *ctx, uint64_t memory, uint64_t *usable, char *basis, size_t len,
                          struct bench_error **err)
{
	(void)ctx, (void)memory, (void)usable, (void)basis, (void)len;
	return bench_error_set(err, 0, "the calibration boot failed");
}

struct host {
	struct topo topo;
	struct topo_binding binding;
	char llc_basis[160];
	struct size_inputs in;
};

/* A run on topology desc with --cpus cpus and --threads threads, the
 * host's memory available, and the memory workloads plus cpu.int and a
 * disk workload. */
static void host_open(struct host *h, const char *desc, const char *cpus, unsigned threads,
                      uint64_t available)
{
	struct bench_error *err = NULL;
	memset(h, 0, sizeof(*h));
	if (topo_open_synthetic(&h->topo, desc, &err) < 0)
		fail_msg("%s", err->msg);
	if (topo_resolve(&h->topo, cpus, -1, threads, &h->binding, &err) < 0)
		fail_msg("%s", err->msg);
	struct size_inputs *in = &h->in;
	topo_instance_llc(&h->topo, &h->binding, &in->llc_bytes, h->llc_basis,
	                  sizeof(h->llc_basis));
	in->llc_basis = h->llc_basis;
	in->threads = threads;
	in->host_available = available;
	in->host_basis = "MemAvailable";
	const char *names[] = {"mem.stream", "mem.latency",    "mem.random",
	                       "cpu.int",    "disk.rand_read", "os.syscall"};
	for (size_t i = 0; i < 6; i++)
		in->wl[in->n_workloads++] =
		    (struct size_workload){.name = names[i], .takes_size = i < 5, .disk = i == 4};
}

static void add_env(struct host *h, const char *name, uint64_t memory, bool given,
                    size_usable_fn fn, void *ctx)
{
	h->in.env[h->in.n_envs++] = (struct size_env){.name = name,
	                                              .own_memory = fn != NULL,
	                                              .memory = memory,
	                                              .given = given,
	                                              .usable = fn,
	                                              .ctx = ctx,
	                                              .disk_bytes = fn == guest_usable ? GIB : 0};
	h->in.instances_at_once = (unsigned)h->in.n_envs;
}

static void host_close(struct host *h)
{
	topo_close(&h->topo);
}

static const struct size_choice *choice(const struct size_plan *p, const char *w)
{
	const struct size_choice *c = size_plan_find(p, w);
	if (c == NULL)
		fail_msg("no size chosen for %s", w);
	return c;
}

/* A host whose LLC is 1 GiB: 4 GiB arrays, instances raised to hold them. */
static void one_gib_llc(void **state)
{
	(void)state;
	struct host h;
	host_open(&h, "pack:1 [numa(memory=96GiB)] l3:1(size=1GiB) core:8 pu:2", NULL, 1, 90 * GIB);
	add_env(&h, "bare", 0, false, NULL, NULL);
	add_env(&h, "container", 2 * GIB, false, container_usable, NULL);
	add_env(&h, "qemu", 512 * MIB, false, guest_usable, NULL);
	assert_int_equal(h.in.llc_bytes, GIB);
	struct size_plan p;
	struct bench_error *err = NULL;
	assert_int_equal(sizes_choose(&h.in, &p, &err), 0);
	const struct size_choice *s = choice(&p, "mem.stream");
	assert_int_equal(s->size, 4 * GIB);
	assert_false(s->below_4x_llc);
	assert_non_null(strstr(s->reason, "3 arrays x 4 GiB >= 4x LLC (L3 1 GiB over PUs 0"));
	assert_int_equal(choice(&p, "mem.latency")->size, 4 * GIB);
	assert_int_equal(choice(&p, "mem.random")->size, 4 * GIB);
	/* the latency chase (4 GiB + 1/3 + 1/16) is the largest: every
	 * instance is raised to hold it with the margin */
	uint64_t need = size_footprint(SIZE_LATENCY, 4 * GIB, 1);
	for (size_t i = 0; i < p.n_envs; i++)
		assert_true(p.env[i].usable - p.env[i].usable / 10 >= need);
	assert_true(size_plan_env(&p, "container")->raised);
	assert_true(size_plan_env(&p, "qemu")->raised);
	assert_int_equal(size_plan_env(&p, "qemu")->memory % (64 * MIB), 0);
	assert_non_null(strstr(size_plan_env(&p, "qemu")->reason, "raised from 512 MiB"));
	assert_int_equal(size_plan_env(&p, "bare")->memory, 0);
	/* other workloads: the disk span default, cpu.int its own */
	assert_int_equal(choice(&p, "disk.rand_read")->size, GIB);
	assert_int_equal(choice(&p, "cpu.int")->size, 0);
	assert_null(size_plan_find(&p, "os.syscall"));
	host_close(&h);
}

/* Two sockets, an LLC each: an instance on one socket counts one LLC; one
 * spread over both counts both (STREAM: the sum of the caches used). */
static void two_sockets(void **state)
{
	(void)state;
	const char *desc =
	    "pack:2 [numa(memory=32GiB)] l3:1(size=32MiB) core:4 l2:1(size=1MiB) pu:2";
	struct host h;
	host_open(&h, desc, "0-7", 2, 60 * GIB);
	assert_int_equal(h.in.llc_bytes, 32 * MIB);
	assert_string_equal(h.llc_basis, "L3 32 MiB over PUs 0-1");
	add_env(&h, "bare", 0, false, NULL, NULL);
	add_env(&h, "container", 2 * GIB, false, container_usable, NULL);
	struct size_plan p;
	assert_int_equal(sizes_choose(&h.in, &p, NULL), 0);
	assert_int_equal(choice(&p, "mem.stream")->size, 128 * MIB);
	assert_int_equal(choice(&p, "mem.random")->size, 128 * MIB);
	/* the default 2 GiB limit holds 2 threads x 128 MiB chases: not raised */
	assert_false(size_plan_env(&p, "container")->raised);
	assert_int_equal(size_plan_env(&p, "container")->memory, 2 * GIB);
	host_close(&h);

	/* threads on PUs 0 and 8: one on each socket */
	host_open(&h, desc, "0,8", 2, 60 * GIB);
	assert_int_equal(h.in.llc_bytes, 64 * MIB);
	assert_non_null(strstr(h.llc_basis, "2 last-level caches, 64 MiB in all, over PUs 0,8"));
	add_env(&h, "bare", 0, false, NULL, NULL);
	assert_int_equal(sizes_choose(&h.in, &p, NULL), 0);
	assert_int_equal(choice(&p, "mem.stream")->size, 256 * MIB);
	host_close(&h);
}

/* This host's shape: L3 260 MiB, 2 PUs. */
#define THIS_HOST "pack:1 [numa(memory=8GiB)] l3:1(size=260MiB) core:2 l2:1(size=2MiB) pu:1"

/* A tiny 256 MiB guest (--memory): sizes shrink to fit and are marked; a
 * --size that cannot fit is refused with the range that would. */
static void tiny_guest(void **state)
{
	(void)state;
	struct host h;
	host_open(&h, THIS_HOST, NULL, 1, 20 * GIB);
	add_env(&h, "bare", 0, false, NULL, NULL);
	add_env(&h, "qemu", 256 * MIB, true, guest_usable, NULL);
	struct size_plan p;
	assert_int_equal(sizes_choose(&h.in, &p, NULL), 0);
	const struct size_env_plan *q = size_plan_env(&p, "qemu");
	assert_false(q->raised);
	assert_int_equal(q->memory, 256 * MIB);
	uint64_t room = q->usable - q->usable / 10;
	const struct size_choice *s = choice(&p, "mem.stream");
	assert_true(s->below_4x_llc);
	assert_true(size_footprint(SIZE_STREAM, s->size, 1) <= room);
	assert_true(size_footprint(SIZE_STREAM, s->size + MIB, 1) > room);
	assert_int_equal(s->size % MIB, 0);
	assert_non_null(strstr(s->reason, "limited by the qemu instance's 256 MiB"));
	assert_non_null(strstr(s->reason, "below 4x LLC (L3 260 MiB over PUs 0; 4x = 1040 MiB)"));
	const struct size_choice *l = choice(&p, "mem.latency");
	assert_true(l->below_4x_llc);
	assert_int_equal(l->size & (l->size - 1), 0); /* a power of two */
	assert_true(size_footprint(SIZE_LATENCY, l->size, 1) <= room);
	assert_true(size_footprint(SIZE_LATENCY, 2 * l->size, 1) > room);
	assert_true(choice(&p, "mem.random")->below_4x_llc);
	assert_true(choice(&p, "mem.random")->size <= room);

	h.in.user_size = GIB;
	h.in.user_size_text = "1G";
	struct bench_error *err = NULL;
	assert_int_equal(sizes_choose(&h.in, &p, &err), SIZES_USAGE);
	assert_non_null(
	    strstr(err->msg, "--size 1G: mem.stream needs about 3 GiB (3 arrays x 1 GiB)"));
	assert_non_null(strstr(err->msg, "valid --size for mem.stream here: 4K.."));
	bench_error_free(&err);
	host_close(&h);
}

/* A 2 GiB container (--memory 2G) on this host's shape: the arrays fit
 * 2 GiB less the margin, and are marked. */
static void two_gib_container(void **state)
{
	(void)state;
	struct host h;
	host_open(&h, THIS_HOST, NULL, 1, 20 * GIB);
	add_env(&h, "bare", 0, false, NULL, NULL);
	add_env(&h, "container", 2 * GIB, true, container_usable, NULL);
	struct size_plan p;
	assert_int_equal(sizes_choose(&h.in, &p, NULL), 0);
	const struct size_choice *s = choice(&p, "mem.stream");
	/* (2 GiB - 32 MiB) x 9/10 = 1814.4 MiB over 3 arrays */
	assert_int_equal(s->size, 604 * MIB);
	assert_true(s->below_4x_llc);
	assert_non_null(strstr(s->reason, "3 arrays x 604 MiB: limited by the container "
	                                  "instance's 2 GiB (2016 MiB usable"));
	/* a --size that fits is kept as given, and marked below 4x LLC */
	h.in.user_size = 256 * MIB;
	h.in.user_size_text = "256M";
	assert_int_equal(sizes_choose(&h.in, &p, NULL), 0);
	s = choice(&p, "mem.stream");
	assert_int_equal(s->size, 256 * MIB);
	assert_true(s->below_4x_llc);
	assert_non_null(strstr(s->reason, "(--size 256M) = 1.0x LLC: below 4x LLC"));
	assert_int_equal(choice(&p, "cpu.int")->size, 256 * MIB);
	host_close(&h);
}

/* This host's shape with the default instances: the container and the
 * guest are raised (the guest's usable memory asked a few times, as a
 * calibration boot would be), and every size meets 4x LLC. */
static void this_host(void **state)
{
	(void)state;
	struct host h;
	int boots = 0;
	host_open(&h, THIS_HOST, NULL, 1, 23 * GIB);
	add_env(&h, "bare", 0, false, NULL, NULL);
	add_env(&h, "container", 2 * GIB, false, container_usable, NULL);
	add_env(&h, "qemu", 512 * MIB, false, guest_usable, &boots);
	struct size_plan p;
	assert_int_equal(sizes_choose(&h.in, &p, NULL), 0);
	assert_int_equal(choice(&p, "mem.stream")->size, 1040 * MIB);
	assert_non_null(strstr(choice(&p, "mem.stream")->reason,
	                       "3 arrays x 1040 MiB >= 4x LLC (L3 260 MiB over PUs 0; 4x = "
	                       "1040 MiB)"));
	assert_int_equal(choice(&p, "mem.latency")->size, 2 * GIB);
	assert_int_equal(choice(&p, "mem.random")->size, 2 * GIB);
	for (size_t i = 0; i < 6; i++)
		if (size_plan_find(&p, h.in.wl[i].name))
			assert_false(size_plan_find(&p, h.in.wl[i].name)->below_4x_llc);
	assert_true(size_plan_env(&p, "qemu")->raised);
	assert_true(boots >= 2 && boots <= 5);
	host_close(&h);
}

/* A host that cannot give every instance what the rule wants: the guest
 * is raised as far as the share allows, the sizes fit it and are marked. */
static void host_share_caps_the_raise(void **state)
{
	(void)state;
	struct host h;
	host_open(&h, THIS_HOST, NULL, 1, 4 * GIB);
	add_env(&h, "bare", 0, false, NULL, NULL);
	add_env(&h, "container", 2 * GIB, false, container_usable, NULL);
	add_env(&h, "qemu", 512 * MIB, false, guest_usable, NULL);
	struct size_plan p;
	assert_int_equal(sizes_choose(&h.in, &p, NULL), 0);
	const struct size_env_plan *q = size_plan_env(&p, "qemu");
	/* 4/5 of 4 GiB over 3 instances = 1092 MiB, in 64 MiB steps: 1088 MiB */
	assert_int_equal(q->memory, 1088 * MIB);
	assert_non_null(strstr(q->reason, "as far as the host allows"));
	/* the container keeps its 2 GiB default, more than the share */
	assert_int_equal(size_plan_env(&p, "container")->memory, 2 * GIB);
	assert_true(choice(&p, "mem.stream")->below_4x_llc);
	host_close(&h);
}

/* An hwloc XML export of a topology reads back to the same decision. */
static void xml_topology(void **state)
{
	(void)state;
	struct topo t;
	assert_int_equal(topo_open_synthetic(&t, "pack:1 l3:1(size=1GiB) core:4 pu:1", NULL), 0);
	char path[] = "/tmp/bench-test-topo-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(hwloc_topology_export_xml(t.hw, path, 0), 0);
	topo_close(&t);
	assert_int_equal(topo_open_xml(&t, path, NULL), 0);
	unlink(path);
	struct topo_binding b;
	assert_int_equal(topo_resolve(&t, "1-2", -1, 2, &b, NULL), 0);
	uint64_t llc = 0;
	char basis[160];
	topo_instance_llc(&t, &b, &llc, basis, sizeof(basis));
	assert_int_equal(llc, GIB);
	assert_string_equal(basis, "L3 1 GiB over PUs 1-2");
	topo_close(&t);
}

/* No cache known: 32 MiB is assumed, and said. */
static void unknown_llc(void **state)
{
	(void)state;
	struct host h;
	host_open(&h, "pack:1 core:2 pu:1", NULL, 1, 8 * GIB);
	assert_int_equal(h.in.llc_bytes, 0);
	add_env(&h, "bare", 0, false, NULL, NULL);
	struct size_plan p;
	assert_int_equal(sizes_choose(&h.in, &p, NULL), 0);
	assert_int_equal(choice(&p, "mem.stream")->size, 128 * MIB);
	assert_non_null(strstr(choice(&p, "mem.stream")->reason, "32 MiB assumed"));
	host_close(&h);
}

/* Disk workloads: the span is the same everywhere, within the smallest
 * guest scratch disk; a larger --size is refused. */
static void disk_span(void **state)
{
	(void)state;
	struct host h;
	host_open(&h, THIS_HOST, NULL, 1, 20 * GIB);
	add_env(&h, "bare", 0, false, NULL, NULL);
	add_env(&h, "qemu", 512 * MIB, false, guest_usable, NULL);
	h.in.env[1].disk_bytes = 512 * MIB;
	struct size_plan p;
	assert_int_equal(sizes_choose(&h.in, &p, NULL), 0);
	assert_int_equal(choice(&p, "disk.rand_read")->size, 512 * MIB);
	assert_non_null(strstr(choice(&p, "disk.rand_read")->reason, "scratch disk"));
	h.in.user_size = 768 * MIB;
	h.in.user_size_text = "768M";
	struct bench_error *err = NULL;
	h.in.wl[0].takes_size = h.in.wl[1].takes_size = h.in.wl[2].takes_size = false;
	assert_int_equal(sizes_choose(&h.in, &p, &err), SIZES_USAGE);
	assert_non_null(strstr(err->msg, "valid --size here: 4K..512M"));
	bench_error_free(&err);
	host_close(&h);
}

/* Threads multiply the latency chase (one set per thread), not STREAM. */
static void footprints(void **state)
{
	(void)state;
	assert_int_equal(size_footprint(SIZE_STREAM, 1040 * MIB, 4), 3 * 1040 * MIB + 8192);
	uint64_t one = size_footprint(SIZE_LATENCY, 64 * MIB, 1);
	assert_int_equal(size_footprint(SIZE_LATENCY, 64 * MIB, 4), 4 * one);
	assert_true(one > 64 * MIB + 64 * MIB / 3 && one < 64 * MIB * 3 / 2);
	assert_int_equal(size_footprint(SIZE_RANDOM, GIB, 8), GIB);
	assert_int_equal(size_kind_of("mem.stream", true, false), SIZE_STREAM);
	assert_int_equal(size_kind_of("disk.seq_read", true, true), SIZE_DISK);
	assert_int_equal(size_kind_of("os.syscall", false, false), SIZE_NONE);
}

static void usable_failure_is_an_error(void **state)
{
	(void)state;
	struct host h;
	host_open(&h, THIS_HOST, NULL, 1, 20 * GIB);
	add_env(&h, "qemu", 512 * MIB, false, failing_usable, NULL);
	struct size_plan p;
	struct bench_error *err = NULL;
	assert_int_equal(sizes_choose(&h.in, &p, &err), -1);
	assert_non_null(strstr(err->msg, "the calibration boot failed"));
	bench_error_free(&err);
	host_close(&h);
}

/* --size outside a workload's own range (wl list's size_range) is refused
 * with that range before any fitting; so is a --memory above the host's
 * share, on a host of any size. */
static void workload_range_and_host_share(void **state)
{
	(void)state;
	struct host h;
	host_open(&h, THIS_HOST, NULL, 1, 20 * GIB);
	h.in.wl[0].size_min = 4096; /* mem.stream */
	h.in.wl[0].size_max = 64 * GIB;
	h.in.wl[3].size_min = 1000; /* cpu.int */
	h.in.wl[3].size_max = 16 * GIB;
	add_env(&h, "bare", 0, false, NULL, NULL);
	struct size_plan p;
	struct bench_error *err = NULL;
	static const struct {
		uint64_t size;
		const char *text, *says;
	} cases[] = {
	    {1, "1", "--size 1: mem.stream takes --size 4K..64G"},
	    {UINT64_MAX, "18446744073709551615", "mem.stream takes --size 4K..64G"},
	    {32 * GIB, "32G", "--size 32G: cpu.int takes --size 1000..16G"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		h.in.user_size = cases[i].size;
		h.in.user_size_text = cases[i].text;
		assert_int_equal(sizes_choose(&h.in, &p, &err), SIZES_USAGE);
		if (strstr(err->msg, cases[i].says) == NULL)
			fail_msg("--size %s: %s", cases[i].text, err->msg);
		bench_error_free(&err);
	}
	h.in.user_size = 0;
	/* A 1 TiB container on a host with 20 GiB available (4/5 of it shared). */
	add_env(&h, "container", 1024 * GIB, true, container_usable, NULL);
	assert_int_equal(sizes_choose(&h.in, &p, &err), SIZES_USAGE);
	assert_non_null(strstr(err->msg, "--memory 1 TiB is more than the host can give the "
	                                 "container instance"));
	assert_non_null(strstr(err->msg, "valid --memory here: 16M..8G"));
	bench_error_free(&err);
	host_close(&h);
}

static void fmt_bytes(void **state)
{
	(void)state;
	char b[32];
	assert_string_equal(topo_fmt_bytes(1040 * MIB, b, sizeof(b)), "1040 MiB");
	assert_string_equal(topo_fmt_bytes(3584 * MIB, b, sizeof(b)), "3.5 GiB");
	assert_string_equal(topo_fmt_bytes(4096, b, sizeof(b)), "4 KiB");
	assert_string_equal(topo_fmt_bytes(100, b, sizeof(b)), "100 B");
	assert_string_equal(topo_fmt_bytes(23928880ull * 1024, b, sizeof(b)), "22.8 GiB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(one_gib_llc),
	    cmocka_unit_test(two_sockets),
	    cmocka_unit_test(tiny_guest),
	    cmocka_unit_test(two_gib_container),
	    cmocka_unit_test(this_host),
	    cmocka_unit_test(host_share_caps_the_raise),
	    cmocka_unit_test(xml_topology),
	    cmocka_unit_test(unknown_llc),
	    cmocka_unit_test(disk_span),
	    cmocka_unit_test(footprints),
	    cmocka_unit_test(usable_failure_is_an_error),
	    cmocka_unit_test(workload_range_and_host_share),
	    cmocka_unit_test(fmt_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
