/* The QEMU argument vector (qemu_cmdline.c) and the bzImage version reader
 * (guest_image.c), without running QEMU. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/env/guest_image.h"
#include "harness/env/qemu/qemu_cmdline.h"
#include "testutil.h"

static struct qemu_guest base(void)
{
	return (struct qemu_guest){
	    .qemu = "/usr/bin/qemu-system-x86_64",
	    .name = "bench-1-0",
	    .accel = "tcg",
	    .vcpus = 2,
	    .memory_bytes = 256ull << 20,
	    .numa_node = -1,
	    .kernel = "/g/vmlinuz",
	    .initrd = "/g/initramfs.cpio.gz",
	    .agent_socket = "/run/bench/qemu/x/agent.sock",
	    .qmp_socket = "/run/bench/qemu/x/qmp.sock",
	    .console_log = "/run/bench/qemu/x/console.log",
	};
}

/* The value after option opt (the first occurrence), or NULL. */
static const char *value_of(const struct qemu_argv *a, const char *opt)
{
	for (int i = 0; i + 1 < a->argc; i++)
		if (strcmp(a->argv[i], opt) == 0)
			return a->argv[i + 1];
	return NULL;
}

static bool has_value(const struct qemu_argv *a, const char *opt, const char *fragment)
{
	for (int i = 0; i + 1 < a->argc; i++)
		if (strcmp(a->argv[i], opt) == 0 && strstr(a->argv[i + 1], fragment) != NULL)
			return true;
	return false;
}

static void minimal_guest(void **state)
{
	(void)state;
	struct qemu_guest g = base();
	struct qemu_argv a;
	assert_int_equal(qemu_argv_build(&g, &a), 0);
	assert_null(a.argv[a.argc]);
	assert_string_equal(a.argv[0], g.qemu);
	assert_string_equal(value_of(&a, "-name"), "bench-1-0,debug-threads=on");
	assert_string_equal(value_of(&a, "-accel"), "tcg");
	assert_string_equal(value_of(&a, "-cpu"), "qemu64");
	assert_string_equal(value_of(&a, "-smp"), "2");
	assert_string_equal(value_of(&a, "-m"), "256m");
	assert_string_equal(value_of(&a, "-object"), "memory-backend-ram,id=ram0,size=256m");
	assert_string_equal(value_of(&a, "-machine"), "pc,memory-backend=ram0");
	assert_string_equal(value_of(&a, "-append"), QEMU_BASE_APPEND);
	assert_string_equal(value_of(&a, "-serial"), "file:/run/bench/qemu/x/console.log");
	assert_true(has_value(&a, "-chardev", "path=/run/bench/qemu/x/agent.sock,server=on"));
	assert_true(has_value(&a, "-device", "name=bench.agent"));
	assert_string_equal(value_of(&a, "-qmp"),
	                    "unix:/run/bench/qemu/x/qmp.sock,server=on,wait=off");
	assert_null(value_of(&a, "-netdev"));
	assert_null(value_of(&a, "-drive"));
	bool nodefaults = false, noreboot = false;
	for (int i = 0; i < a.argc; i++) {
		nodefaults = nodefaults || strcmp(a.argv[i], "-nodefaults") == 0;
		noreboot = noreboot || strcmp(a.argv[i], "-no-reboot") == 0;
	}
	assert_true(nodefaults && noreboot);
}

static void full_guest(void **state)
{
	(void)state;
	struct qemu_guest g = base();
	g.accel = "kvm";
	g.numa_node = 1;
	g.tap = "btp7n3";
	g.mac = "52:54:00:62:00:03";
	g.extra_append = "bench.ip=10.213.77.3/24";
	g.disk_image = "/s/bench-1-0.img";
	g.disk_aio = "io_uring";
	struct qemu_argv a;
	assert_int_equal(qemu_argv_build(&g, &a), 0);
	assert_string_equal(value_of(&a, "-cpu"), "host");
	assert_string_equal(value_of(&a, "-object"),
	                    "memory-backend-ram,id=ram0,size=256m,host-nodes=1,policy=bind");
	assert_string_equal(value_of(&a, "-append"), QEMU_BASE_APPEND " bench.ip=10.213.77.3/24");
	assert_string_equal(value_of(&a, "-netdev"),
	                    "tap,id=net0,ifname=btp7n3,script=no,downscript=no");
	assert_true(
	    has_value(&a, "-device", "virtio-net-pci,netdev=net0,mac=52:54:00:62:00:03,romfile="));
	assert_string_equal(
	    value_of(&a, "-drive"),
	    "file=/s/bench-1-0.img,format=raw,if=none,id=disk0,cache=none,aio=io_uring");
	assert_true(has_value(&a, "-device", "virtio-blk-pci,drive=disk0"));
	assert_false(has_value(&a, "-object", "iothread"));
	g.vhost = true;
	g.iothread = "iothread0";
	assert_int_equal(qemu_argv_build(&g, &a), 0);
	assert_true(has_value(&a, "-netdev", ",vhost=on"));
	/* the disk is served by its own iothread, which bench can place */
	assert_true(has_value(&a, "-object", "iothread,id=iothread0"));
	assert_true(has_value(&a, "-device", "virtio-blk-pci,drive=disk0,iothread=iothread0"));
}

static void thread_roles(void **state)
{
	(void)state;
	assert_string_equal(qemu_thread_role("qemu-system-x86", 100, 100), "main");
	assert_string_equal(qemu_thread_role("CPU 0/TCG", 101, 100), "vcpu");
	assert_string_equal(qemu_thread_role("CPU 1/KVM", 102, 100), "vcpu");
	assert_string_equal(qemu_thread_role("IO iothread0", 103, 100), "iothread");
	assert_string_equal(qemu_thread_role("call_rcu", 104, 100), "rcu");
	assert_string_equal(qemu_thread_role("worker", 105, 100), "worker");
	assert_string_equal(qemu_thread_role("vhost-100", 106, 100), "vhost");
	assert_string_equal(qemu_thread_role("qemu-system-x86", 107, 100), "other");
}

static void refuses_bad_input(void **state)
{
	(void)state;
	struct qemu_guest g = base();
	struct qemu_argv a;
	g.disk_image = "/a,b/img";
	g.disk_aio = "native";
	assert_int_equal(qemu_argv_build(&g, &a), -1); /* the comma would split the option */
	g = base();
	g.name = "a,b";
	assert_int_equal(qemu_argv_build(&g, &a), -1);
	g = base();
	g.vcpus = 0;
	assert_int_equal(qemu_argv_build(&g, &a), -1);
	g = base();
	g.memory_bytes = 1 << 20;
	assert_int_equal(qemu_argv_build(&g, &a), -1);
}

/* A file with a setup header "HdrS" and a kernel_version pointer. */
static void kernel_version_from_header(void **state)
{
	(void)state;
	char dir[PATH_MAX], path[PATH_MAX + 16], v[64];
	assert_int_equal(make_build_tmpdir("kver-", dir), 0);
	snprintf(path, sizeof(path), "%s/bzImage", dir);
	unsigned char img[0x1000] = {0};
	memcpy(img + 0x202, "HdrS", 4);
	uint16_t ptr = 0x300; /* string at 0x500 */
	memcpy(img + 0x20e, &ptr, 2);
	const char *text = "6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org) #1 SMP";
	memcpy(img + 0x500, text, strlen(text) + 1);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(img, 1, sizeof(img), f), sizeof(img));
	fclose(f);
	assert_int_equal(guest_kernel_version(path, v, sizeof(v)), 0);
	assert_string_equal(v, "6.1.0-56-cloud-amd64");
	assert_int_equal(guest_kernel_version(path, v, 8), -1); /* does not fit */
	memset(img + 0x202, 0, 4);
	f = fopen(path, "w");
	fwrite(img, 1, sizeof(img), f);
	fclose(f);
	assert_int_equal(guest_kernel_version(path, v, sizeof(v)), -1);
	assert_int_equal(guest_kernel_version("/nonexistent", v, sizeof(v)), -1);
	remove_tree(dir);
}

/* Writes text to dir/name. */
static void put(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The image's wl.sha256 against the host's wl: a stale image is told. */
static void stale_guest_wl_is_told(void **state)
{
	(void)state;
	char dir[PATH_MAX], guest[PATH_MAX + 8], wl[PATH_MAX + 8], note[256];
	assert_int_equal(make_build_tmpdir("gwl-", dir), 0);
	snprintf(guest, sizeof(guest), "%s/guest", dir);
	snprintf(wl, sizeof(wl), "%s/wl", dir);
	assert_int_equal(mkdir(guest, 0755), 0);
	put(dir, "wl", "abc"); /* sha256("abc") */
	put(guest, "vmlinuz", "not a kernel");
	put(guest, "initramfs.cpio.gz", "not an initramfs");
	struct guest_image img;
	struct bench_error *err = NULL;
	/* no wl.sha256 (an older image): unknown, nothing said */
	assert_int_equal(guest_image_find(wl, NULL, NULL, &img, &err), 0);
	assert_int_equal(img.wl_matches_host, -1);
	guest_image_wl_note(&img, note, sizeof(note));
	assert_string_equal(note, "");
	/* the image holds this wl */
	put(guest, "wl.sha256",
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
	assert_int_equal(guest_image_find(wl, NULL, NULL, &img, &err), 0);
	assert_int_equal(img.wl_matches_host, 1);
	/* wl rebuilt since (the image is unchanged, so the cached path runs) */
	put(dir, "wl", "abd");
	assert_int_equal(guest_image_find(wl, NULL, NULL, &img, &err), 0);
	assert_int_equal(img.wl_matches_host, 0);
	guest_image_wl_note(&img, note, sizeof(note));
	assert_non_null(strstr(note, "ba7816bf8f01"));
	assert_non_null(strstr(note, "make guest"));
	json_t *j = guest_image_to_json(&img);
	assert_true(json_is_false(json_object_get(j, "wl_matches_host")));
	json_decref(j);
	/* an override image says nothing of its wl */
	char k[PATH_MAX + 16], i[PATH_MAX + 32];
	snprintf(k, sizeof(k), "%s/vmlinuz", guest);
	snprintf(i, sizeof(i), "%s/initramfs.cpio.gz", guest);
	assert_int_equal(guest_image_find(wl, k, i, &img, &err), 0);
	assert_int_equal(img.wl_matches_host, -1);
	remove_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(minimal_guest),
	    cmocka_unit_test(full_guest),
	    cmocka_unit_test(refuses_bad_input),
	    cmocka_unit_test(thread_roles),
	    cmocka_unit_test(kernel_version_from_header),
	    cmocka_unit_test(stale_guest_wl_is_told),
	};
	return cmocka_run_group_tests_name("qemu command line", tests, NULL, NULL);
}
