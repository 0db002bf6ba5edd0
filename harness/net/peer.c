#include "harness/net/peer.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/spawn.h"

int peer_start(const char *wl_path, const char *address, const char *netns, double lifetime_s,
               int timeout_ms, const struct topo *t, const struct topo_binding *binding,
               struct peer_server *out, struct bench_error **err)
{
	memset(out, 0, sizeof(*out));
	agent_init(&out->proc);
	char lifetime[32], ip[PATH_MAX];
	snprintf(lifetime, sizeof(lifetime), "%.0f", lifetime_s < 1 ? 1 : lifetime_s);
	char *serve[] = {(char *)wl_path, "serve",  "--bind", (char *)address,
	                 "--lifetime",    lifetime, NULL};
	char *in_netns[] = {ip,      "netns",  "exec",          (char *)netns, (char *)wl_path,
	                    "serve", "--bind", (char *)address, "--lifetime",  lifetime,
	                    NULL};
	bool inside = netns != NULL && netns[0] != '\0';
	if (inside && spawn_find("ip", ip, sizeof(ip)) < 0)
		return bench_error_set(err, 0,
		                       "ip (iproute2) not found: the network peer runs "
		                       "in a namespace");
	json_t *msg = NULL;
	if (spawn_agent(inside ? in_netns : serve, binding ? t : NULL, binding, &out->proc, err) <
	    0)
		return bench_error_wrap(err, "starting the network peer");
	if (agent_expect(&out->proc, "listening", timeout_ms, &msg, err) < 0) {
		char *text = agent_stderr(&out->proc, 2048);
		bench_error_wrap(err, "network peer 'wl serve --bind %s'%s%s", address,
		                 text ? " (stderr: " : "", text ? text : "");
		free(text);
		agent_shutdown(&out->proc, 500);
		return -1;
	}
	json_int_t tcp = json_integer_value(json_object_get(msg, "tcp_port"));
	json_int_t udp = json_integer_value(json_object_get(msg, "udp_port"));
	json_decref(msg);
	if (tcp <= 0 || tcp > 65535 || udp <= 0 || udp > 65535) {
		agent_shutdown(&out->proc, 500);
		return bench_error_set(err, 0, "the network peer announced no usable ports");
	}
	snprintf(out->address, sizeof(out->address), "%s", address);
	snprintf(out->netns, sizeof(out->netns), "%s", inside ? netns : "");
	out->tcp_port = (uint16_t)tcp;
	out->udp_port = (uint16_t)udp;
	if (binding != NULL)
		topo_process_cpus(t, out->proc.pid, out->cpus, sizeof(out->cpus));
	out->running = 1;
	return 0;
}

void peer_stop(struct peer_server *p)
{
	if (!p->running)
		return;
	/* agent_shutdown sends "quit" and closes stdin: wl serve exits on EOF */
	agent_shutdown(&p->proc, 2000);
	p->running = 0;
}
