#include "harness/core/fingerprint.h"

#include <cpuid.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "harness/core/cleanup.h"

#ifdef __clang__
#define COMPILER_ID __VERSION__
#else
#define COMPILER_ID "gcc " __VERSION__
#endif
#ifndef BENCH_VERSION
#define BENCH_VERSION "unknown"
#endif
#ifndef BENCH_GIT_COMMIT
#define BENCH_GIT_COMMIT "unknown"
#endif

int read_first_line(const char *path, char *buf, size_t len)
{
	buf[0] = '\0';
	cleanup_fclose FILE *f = fopen(path, "re");
	if (f == NULL || fgets(buf, (int)len, f) == NULL)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static void cpu_model(char *buf, size_t len)
{
	snprintf(buf, len, "unavailable");
	cleanup_fclose FILE *f = fopen("/proc/cpuinfo", "re");
	if (f == NULL)
		return;
	char line[512];
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "model name", 10) != 0)
			continue;
		char *colon = strchr(line, ':');
		if (colon == NULL)
			continue;
		colon++;
		while (*colon == ' ')
			colon++;
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, len, "%s", colon);
		return;
	}
}

/* "always [madvise] never" -> "madvise" */
static void bracketed(const char *path, char *buf, size_t len)
{
	char line[256];
	if (read_first_line(path, line, sizeof(line)) < 0) {
		snprintf(buf, len, "unavailable");
		return;
	}
	char *open = strchr(line, '['), *close = open ? strchr(open, ']') : NULL;
	if (open == NULL || close == NULL) {
		snprintf(buf, len, "%s", line);
		return;
	}
	*close = '\0';
	snprintf(buf, len, "%s", open + 1);
}

/* The hypervisor underneath: cpuid leaf 0x40000000's vendor signature when
 * the hypervisor bit is set, refined by /sys/hypervisor/type (Xen). */
void fingerprint_hypervisor(char *buf, size_t len)
{
	char xen[64];
	if (read_first_line("/sys/hypervisor/type", xen, sizeof(xen)) == 0 && xen[0] != '\0') {
		snprintf(buf, len, "%s", xen);
		return;
	}
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31))) {
		snprintf(buf, len, "none");
		return;
	}
	__cpuid(0x40000000, a, b, c, d);
	char sig[13];
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	const struct {
		const char *sig, *name;
	} known[] = {
	    {"KVMKVMKVM", "KVM"},       {"TCGTCGTCGTCG", "QEMU TCG"},
	    {"XenVMMXenVMM", "Xen"},    {"Microsoft Hv", "Hyper-V"},
	    {"VMwareVMware", "VMware"}, {"VBoxVBoxVBox", "VirtualBox"},
	    {"bhyve bhyve ", "bhyve"},  {"ACRNACRNACRN", "ACRN"},
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strncmp(sig, known[i].sig, strlen(known[i].sig)) == 0) {
			snprintf(buf, len, "%s", known[i].name);
			return;
		}
	}
	snprintf(buf, len, "unknown (%s)", sig);
}

static const char *smt_state(void)
{
	static char buf[32];
	if (read_first_line("/sys/devices/system/cpu/smt/control", buf, sizeof(buf)) < 0)
		return "unavailable";
	if (strcmp(buf, "notsupported") == 0 || strcmp(buf, "notimplemented") == 0)
		return "unsupported";
	return buf;
}

/* MemTotal from the kernel; hwloc's per-node figures can cover less (e.g.
 * memory the firmware did not describe in its NUMA tables). */
static json_int_t mem_total_bytes(void)
{
	struct sysinfo si;
	if (sysinfo(&si) < 0)
		return -1;
	return (json_int_t)si.totalram * (json_int_t)si.mem_unit;
}

json_t *fingerprint_collect(const struct topo *t)
{
	struct utsname u;
	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	char model[256], governor[64], thp[256], hv[64], host[256];
	cpu_model(model, sizeof(model));
	if (read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", governor,
	                    sizeof(governor)) < 0)
		snprintf(governor, sizeof(governor), "unavailable");
	bracketed("/sys/kernel/mm/transparent_hugepage/enabled", thp, sizeof(thp));
	fingerprint_hypervisor(hv, sizeof(hv));
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	json_t *topo = topo_to_json(t);
	json_t *fp = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:O, s:O, s:i, s:i, s:O, s:o, s:s, s:s, "
	    "s:s, s:s, s:s, s:s, s:s}",
	    "hostname", host, "kernel", u.release, "kernel_version", u.version, "arch", u.machine,
	    "cpu_model", model, "packages", json_object_get(topo, "packages"), "numa_nodes",
	    json_object_get(topo, "numa_nodes"), "cores",
	    (int)json_integer_value(json_object_get(topo, "cores")), "pus",
	    (int)json_integer_value(json_object_get(topo, "pus")), "caches",
	    json_object_get(topo, "caches"), "memory_bytes", json_integer(mem_total_bytes()),
	    "governor", governor, "smt", smt_state(), "thp", thp, "hypervisor", hv, "compiler",
	    COMPILER_ID, "bench_version", BENCH_VERSION, "git_commit", BENCH_GIT_COMMIT);
	json_decref(topo);
	return fp;
}
