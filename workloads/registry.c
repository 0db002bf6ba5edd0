/* The one table of workloads; `wl list` prints it in this order. */
#include "workload.h"

#include <string.h>

extern const struct workload wl_cpu_int, wl_cpu_fp, wl_mem_stream, wl_mem_latency, wl_mem_random,
    wl_os_syscall, wl_os_ctxsw;
extern const struct workload wl_disk_seq_read, wl_disk_seq_write, wl_disk_rand_read,
    wl_disk_rand_write;
extern const struct workload wl_net_tcp_stream, wl_net_tcp_rr, wl_net_udp_rr;

const struct workload *const wl_registry[] = {
    &wl_cpu_int,
    &wl_cpu_fp,
    &wl_mem_stream,
    &wl_mem_latency,
    &wl_mem_random,
    &wl_os_syscall,
    &wl_os_ctxsw,
    /* disk*.c */
    &wl_disk_seq_read,
    &wl_disk_seq_write,
    &wl_disk_rand_read,
    &wl_disk_rand_write,
    /* net*.c */
    &wl_net_tcp_stream,
    &wl_net_tcp_rr,
    &wl_net_udp_rr,
};
const size_t wl_registry_len = sizeof(wl_registry) / sizeof(wl_registry[0]);

const struct workload *wl_find(const char *name)
{
	for (size_t i = 0; i < wl_registry_len; i++)
		if (strcmp(wl_registry[i]->name, name) == 0)
			return wl_registry[i];
	return NULL;
}

void wl_names(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < wl_registry_len && used < len; i++)
		used +=
		    snprintf(buf + used, len - used, "%s%s", i ? ", " : "", wl_registry[i]->name);
}
