#include "harness/run/netpath.h"

#include <string.h>

#define PEER_READY_TIMEOUT_MS 10000
#define PEER_LIFETIME_S       86400

int netpath_ensure(struct netpath *np, const char *wl_path, const struct env_ops *env,
                   struct env_instance *inst, struct bench_error **err)
{
	struct env_peer where = {0};
	if (env->peer(inst, &where, err) < 0)
		return bench_error_wrap(err, "where the network peer listens (%s)", env->name);
	if (np->server.running && strcmp(np->where.host_address, where.host_address) == 0 &&
	    strcmp(np->server.netns, where.netns) == 0) {
		np->where = where;
		return 0;
	}
	peer_stop(&np->server);
	np->where = where;
	struct topo_binding b;
	if (np->peer_cpus != NULL)
		placement_binding(np->peer_cpus, &b);
	return peer_start(wl_path, where.host_address, where.netns, PEER_LIFETIME_S,
	                  PEER_READY_TIMEOUT_MS, np->topo, np->peer_cpus ? &b : NULL, &np->server,
	                  err);
}

json_t *netpath_peer_pinning(const struct netpath *np)
{
	json_t *rec = np->peer_cpus ? placement_to_json(np->peer_cpus)
	                            : json_pack("{s:n, s:s, s:s}", "cpus", "policy", "unbound",
	                                        "reason", "no placement asked");
	json_object_set_new(rec, "confirmed", json_string(np->server.cpus));
	return rec;
}

void netpath_capture_begin(struct netpath *np, bool request_response)
{
	json_decref(np->capture_error);
	np->capture_error = NULL;
	struct capture_spec spec = {
	    .iface = np->where.iface,
	    .peer_addr = np->server.address,
	    .tcp_port = np->server.tcp_port,
	    .udp_port = np->server.udp_port,
	    .request_response = request_response,
	};
	struct bench_error *err = NULL;
	if (capture_start(&spec, &np->capture, &err) < 0) {
		np->capture = NULL;
		np->capture_error = json_pack("{s:s, s:s}", "iface", np->where.iface, "error",
		                              err ? err->msg : "capture could not start");
		bench_error_free(&err);
	}
}

json_t *netpath_capture_end(struct netpath *np)
{
	if (np->capture == NULL) {
		json_t *why = np->capture_error
		                  ? np->capture_error
		                  : json_pack("{s:s}", "error", "no capture was started");
		np->capture_error = NULL;
		return why;
	}
	json_t *wire = NULL;
	struct bench_error *err = NULL;
	if (capture_stop(np->capture, &wire, &err) < 0) {
		wire = json_pack("{s:s, s:s}", "iface", np->where.iface, "error",
		                 err ? err->msg : "capture failed");
		bench_error_free(&err);
	}
	np->capture = NULL;
	return wire;
}

void netpath_close(struct netpath *np)
{
	if (np->capture != NULL)
		json_decref(netpath_capture_end(np));
	json_decref(np->capture_error);
	np->capture_error = NULL;
	peer_stop(&np->server);
}
