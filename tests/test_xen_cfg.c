/* The xl configuration writer and the parsers of xl's output (xen_cfg.c),
 * without Xen; plus `bench list` naming why xen cannot run on a host that
 * is not a dom0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "testrun.h"
#include "harness/env/xen/xen_cfg.h"

static struct xen_domain base(void)
{
	static const int pcpus[] = {1, 0};
	return (struct xen_domain){
	    .name = "bench-7-0",
	    .type = "pvh",
	    .kernel = "/g/vmlinuz",
	    .initrd = "/g/initramfs.cpio.gz",
	    .extra = "console=tty0 quiet bench.ip=10.213.77.4/24",
	    .memory_bytes = 256ull << 20,
	    .vcpus = 2,
	    .pcpus = pcpus,
	    .bridge = "benchbr0",
	    .mac = "00:16:3e:62:00:04",
	    .disk = "/s/bench-7-0.img",
	};
}

static void config_text(void **state)
{
	(void)state;
	struct xen_domain d = base();
	char text[4096];
	assert_int_equal(xen_cfg_write(&d, text, sizeof(text)), 0);
	const char *want[] = {
	    "name = \"bench-7-0\"\n",
	    "type = \"pvh\"\n",
	    "kernel = \"/g/vmlinuz\"\n",
	    "ramdisk = \"/g/initramfs.cpio.gz\"\n",
	    "extra = \"console=tty0 quiet bench.ip=10.213.77.4/24\"\n",
	    "memory = 256\n",
	    "vcpus = 2\n",
	    "cpus = [\"1\", \"0\"]\n",
	    "vif = ['bridge=benchbr0,mac=00:16:3e:62:00:04']\n",
	    "disk = ['format=raw,vdev=xvda,access=rw,target=/s/bench-7-0.img']\n",
	    "on_poweroff = \"destroy\"\n",
	    "on_crash = \"destroy\"\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strstr(text, want[i]) == NULL)
			fail_msg("missing %s in:\n%s", want[i], text);
	d.bridge = NULL;
	d.disk = NULL;
	d.pcpus = NULL;
	assert_int_equal(xen_cfg_write(&d, text, sizeof(text)), 0);
	assert_null(strstr(text, "vif ="));
	assert_null(strstr(text, "\ndisk ="));
	assert_null(strstr(text, "\ncpus ="));
}

static void config_refuses_bad_values(void **state)
{
	(void)state;
	struct xen_domain d = base();
	char text[4096];
	d.kernel = "/g/vm\"linuz";
	assert_int_equal(xen_cfg_write(&d, text, sizeof(text)), -1);
	d = base();
	d.disk = "/s/a,b.img";
	assert_int_equal(xen_cfg_write(&d, text, sizeof(text)), -1);
	d = base();
	d.extra = "a\nb";
	assert_int_equal(xen_cfg_write(&d, text, sizeof(text)), -1);
	d = base();
	d.vcpus = 0;
	assert_int_equal(xen_cfg_write(&d, text, sizeof(text)), -1);
	d = base();
	assert_int_equal(xen_cfg_write(&d, text, 64), -1); /* does not fit */
}

static void parse_vcpu_list(void **state)
{
	(void)state;
	const char *text =
	    "Name                                ID  VCPU   CPU State   Time(s) Affinity (Hard / "
	    "Soft)\n"
	    "bench-7-0                            3     0    1   -b-       0.7  1 / all\n"
	    "bench-7-0                            3     1    -   --p       0.0  0 / 0-1\n";
	struct xen_vcpu v[4];
	assert_int_equal(xen_parse_vcpu_list(text, v, 4), 2);
	assert_int_equal(v[0].vcpu, 0);
	assert_int_equal(v[0].cpu, 1);
	assert_string_equal(v[0].hard, "1");
	assert_string_equal(v[0].soft, "all");
	assert_int_equal(v[1].vcpu, 1);
	assert_int_equal(v[1].cpu, -1);
	assert_string_equal(v[1].hard, "0");
	assert_string_equal(v[1].soft, "0-1");
	assert_int_equal(xen_parse_vcpu_list("nothing here\n", v, 4), 0);
	assert_int_equal(xen_parse_vcpu_list(text, v, 1), 1);
}

static void parse_list_and_info(void **state)
{
	(void)state;
	long mib = 0;
	double cpu = 0;
	const char *list =
	    "Name                                        ID   Mem VCPUs\tState\tTime(s)\n"
	    "bench-7-0                                    3   256     2     -b----       "
	    "1.5\n";
	assert_int_equal(xen_parse_list(list, &mib, &cpu), 0);
	assert_int_equal(mib, 256);
	assert_true(cpu == 1.5);
	assert_int_equal(xen_parse_list("Name ID Mem\n", &mib, &cpu), -1);
	const char *info = "host                   : dom0\n"
	                   "xen_major              : 4\n"
	                   "xen_minor              : 17\n"
	                   "xen_extra              : .5-pre\n"
	                   "xen_version            : 4.17.5-pre\n";
	char v[64];
	assert_int_equal(xen_parse_version(info, v, sizeof(v)), 0);
	assert_string_equal(v, "4.17.5-pre");
	assert_int_equal(xen_parse_version("host : x\n", v, sizeof(v)), -1);
}

/* Off a dom0, `bench list` says xen cannot run and why. */
static void list_says_why(void **state)
{
	(void)state;
	char bench[PATH_MAX], reason[512];
	build_path("bench", bench);
	env_unavailable(bench, "xen", reason, sizeof(reason));
	FILE *f = fopen("/proc/xen/capabilities", "r");
	if (f != NULL) {
		fclose(f);
		print_message("this host runs on Xen: reason check skipped (%s)\n",
		              reason[0] ? reason : "available");
		return;
	}
	assert_non_null(strstr(reason, "not a Xen dom0: /proc/xen/capabilities is absent"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(config_text),     cmocka_unit_test(config_refuses_bad_values),
	    cmocka_unit_test(parse_vcpu_list), cmocka_unit_test(parse_list_and_info),
	    cmocka_unit_test(list_says_why),
	};
	return cmocka_run_group_tests_name("xen configuration", tests, NULL, NULL);
}
