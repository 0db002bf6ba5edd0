#include "harness/run/wl_args.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>

/* bench option -> wl parameter. Value fields are `const char *` members of
 * struct run_options (NULL = not given). */
static const struct passthrough {
	const char *param; /* name in `wl list --json` params */
	const char *flag;  /* wl option */
	size_t field;
} passthrough[] = {
#define F(m) offsetof(struct run_options, m)
    {"size", "--size", F(size)},
    {"duration", "--duration", F(duration)},
    {"iterations", "--iterations", F(iterations)},
    {"streams", "--streams", F(streams)},
    {"msg_size", "--msg-size", F(msg_size)},
    {"req_size", "--req-size", F(req_size)},
    {"resp_size", "--resp-size", F(resp_size)},
    {"disk_path", "--disk-path", F(disk_path)},
    {"qd", "--qd", F(qd)},
    {"block_size", "--block-size", F(block_size)},
#undef F
};

static const char *option_value(const struct run_options *o, const struct passthrough *p)
{
	return *(const char *const *)((const char *)o + p->field);
}

static void add(struct wl_open_cmd *c, const char *flag, const char *value)
{
	if (c->argc + 2 > WL_OPEN_MAX_ARGS)
		return;
	c->argv[c->argc++] = flag;
	if (value != NULL)
		c->argv[c->argc++] = value;
}

void wl_open_cmd_build(struct wl_open_cmd *c, const struct run_options *o, const struct wl_info *w,
                       const struct wl_open_facts *facts)
{
	c->argc = 0;
	c->argv[c->argc++] = "open";
	c->argv[c->argc++] = w->name;
	if (wl_info_takes(w, "threads")) {
		snprintf(c->threads, sizeof(c->threads), "%u", o->threads);
		add(c, "--threads", c->threads);
	}
	bool sized = facts->size > 0 && wl_info_takes(w, "size");
	if (sized) {
		snprintf(c->size, sizeof(c->size), "%" PRIu64, facts->size);
		add(c, "--size", c->size);
	}
	for (size_t i = 0; i < sizeof(passthrough) / sizeof(passthrough[0]); i++) {
		const char *v = option_value(o, &passthrough[i]);
		if (v != NULL && wl_info_takes(w, passthrough[i].param) &&
		    !(sized && passthrough[i].field == offsetof(struct run_options, size)))
			add(c, passthrough[i].flag, v);
	}
	if (o->buffered && wl_info_takes(w, "buffered"))
		add(c, "--buffered", NULL);
	if (facts->llc_bytes > 0 && wl_info_takes(w, "llc_bytes")) {
		snprintf(c->llc, sizeof(c->llc), "%" PRIu64, facts->llc_bytes);
		add(c, "--llc-bytes", c->llc);
	}
	if (facts->peer_addr != NULL && wl_info_takes(w, "peer")) {
		add(c, "--peer", facts->peer_addr);
		snprintf(c->tcp_port, sizeof(c->tcp_port), "%u", facts->tcp_port);
		add(c, "--port", c->tcp_port);
		if (wl_info_takes(w, "udp_port")) {
			snprintf(c->udp_port, sizeof(c->udp_port), "%u", facts->udp_port);
			add(c, "--udp-port", c->udp_port);
		}
	}
	if (o->disk_path == NULL && facts->disk_path != NULL && wl_info_takes(w, "disk_path"))
		add(c, "--disk-path", facts->disk_path);
	else if (facts->disk_dir != NULL && o->disk_path == NULL && wl_info_takes(w, "disk_dir"))
		add(c, "--disk-dir", facts->disk_dir);
}

json_t *wl_asked_config(const struct run_options *o, const struct wl_info *w)
{
	json_t *c = json_pack("{s:i}", "threads", (int)o->threads);
	for (size_t i = 0; i < sizeof(passthrough) / sizeof(passthrough[0]); i++) {
		const char *v = option_value(o, &passthrough[i]);
		if (v != NULL && wl_info_takes(w, passthrough[i].param))
			json_object_set_new(c, passthrough[i].param, json_string(v));
	}
	if (o->buffered && wl_info_takes(w, "buffered"))
		json_object_set_new(c, "buffered", json_true());
	json_object_set_new(c, "min_reps", json_integer(o->min_reps));
	json_object_set_new(c, "max_reps", json_integer(o->max_reps));
	json_object_set_new(c, "target_ci_pct", json_real(o->target_ci));
	json_object_set_new(c, "max_warmup", json_integer(o->max_warmup));
	if (o->budget_s > 0) /* bench all --budget: may end warm-ups and measuring early */
		json_object_set_new(c, "budget_s", json_real(o->budget_s));
	return c;
}
