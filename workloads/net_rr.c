/* net.tcp_rr and net.udp_rr: request/response round trips with `wl serve`,
 * one transaction in flight, like netperf TCP_RR or sockperf ping-pong.
 * Setup connects once and runs one warm transaction; a rep times every
 * transaction (one CLOCK_MONOTONIC read each) and reports transactions/s
 * and latency percentiles. Each response must have the exact size and
 * echo the request's sequence number. */
#include "net.h"
#include "json_out.h"

#include <endian.h>
#include <errno.h>
#include <sched.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>

struct rr_priv {
	bool udp;
	int fd;
	char *req, *resp; /* req_size and resp_size bytes */
	uint64_t seq;     /* of the next request */
	bool broken;      /* TCP: a transaction failed, the stream is out of step */
	struct net_lat lat;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void rr_teardown(struct wl_ctx *ctx)
{
	struct rr_priv *p = ctx->priv;

	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	wl_unmap(p->req, ctx->cfg.req_size);
	wl_unmap(p->resp, ctx->cfg.resp_size);
	free(p->lat.v);
	free(p);
	ctx->priv = NULL;
}

/* A UDP answer: the exact size, our sequence number; late answers to
 * earlier requests (from a failed rep) are skipped. 0, 1 (wrong answer,
 * reason in errbuf) or -1 (error). */
static int udp_answer(struct rr_priv *p, const struct wl_config *c, char *errbuf, size_t errlen)
{
	for (;;) {
		ssize_t r = recv(p->fd, p->resp, c->resp_size, MSG_TRUNC);
		uint64_t got;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return wl_err(errbuf, errlen,
			              "no answer to datagram %llu within %g s (--io-timeout; lost "
			              "datagrams are not retried)",
			              (unsigned long long)p->seq, c->io_timeout_s);
		if (r < 0)
			return wl_err(errbuf, errlen, "recv: %s%s", strerror(errno),
			              errno == ECONNREFUSED ? " (nothing listens on --udp-port)"
			                                    : "");
		memcpy(&got, p->resp, sizeof(got));
		if ((size_t)r >= NET_SEQ && got < p->seq)
			continue;
		if ((uint64_t)r != c->resp_size) {
			wl_err(errbuf, errlen, "answer of %zd bytes, want %llu", r,
			       (unsigned long long)c->resp_size);
			return 1;
		}
		if (got != p->seq) {
			wl_err(errbuf, errlen, "answer echoes sequence %llu, want %llu",
			       (unsigned long long)got, (unsigned long long)p->seq);
			return 1;
		}
		return 0;
	}
}

/* One transaction. 0, 1 (wrong answer, reason in errbuf) or -1. After
 * anything but 0 a TCP connection is out of step and stays unusable. */
static int rr_transact(struct rr_priv *p, const struct wl_config *c, char *errbuf, size_t errlen)
{
	uint64_t got;
	int rc = 0;

	if (p->broken)
		return wl_err(errbuf, errlen, "the connection failed in an earlier rep; reopen");
	memcpy(p->req, &p->seq, sizeof(p->seq));
	if (p->udp) {
		ssize_t r = send(p->fd, p->req, c->req_size, 0);

		if (r != (ssize_t)c->req_size)
			return wl_err(errbuf, errlen, "send: %s",
			              r < 0 ? strerror(errno) : "short");
		rc = udp_answer(p, c, errbuf, errlen);
	} else if (net_send_all(p->fd, p->req, c->req_size, c->io_timeout_s, "send request", errbuf,
	                        errlen) < 0 ||
	           net_recv_all(p->fd, p->resp, c->resp_size, c->io_timeout_s, "receive answer",
	                        errbuf, errlen) < 0) {
		rc = -1;
	} else {
		memcpy(&got, p->resp, sizeof(got));
		if (got != p->seq) {
			wl_err(errbuf, errlen, "answer echoes sequence %llu, want %llu",
			       (unsigned long long)got, (unsigned long long)p->seq);
			rc = 1;
		}
	}
	p->seq++;
	p->broken = rc != 0 && !p->udp;
	return rc;
}

/* Transactions until a bound, the latency cap or an error. Growing the
 * latency buffer (first reps only) is left out of latencies and time. */
static int rr_loop(struct wl_ctx *ctx, struct wl_result *res, char *errbuf, size_t errlen)
{
	struct rr_priv *p = ctx->priv;
	const struct wl_config *c = &ctx->cfg;
	int64_t t0 = now_ns(), prev = t0, paused = 0, dur = (int64_t)(c->duration_s * 1e9);
	char extra;
	int rc = 0;

	for (p->lat.n = 0;;) {
		int64_t t;

		if (p->lat.n == p->lat.cap) {
			bool grown = net_lat_grow(&p->lat);

			t = now_ns();
			paused += t - prev;
			prev = t;
			if (!grown)
				break;
		}
		if ((rc = rr_transact(p, c, errbuf, errlen)) != 0)
			break;
		t = now_ns();
		p->lat.v[p->lat.n++] = (double)(t - prev);
		prev = t;
		if ((c->iterations && p->lat.n >= c->iterations) || (dur && t - t0 - paused >= dur))
			break;
	}
	if (rc == 0 && !p->udp && recv(p->fd, &extra, 1, MSG_PEEK | MSG_DONTWAIT) > 0) {
		wl_err(errbuf, errlen, "the peer sent more than --resp-size bytes");
		p->broken = true;
		rc = 1;
	}
	if (rc < 0)
		return -1;
	if (rc > 0)
		res->valid = false;
	else
		net_lat_metrics(&p->lat, (double)(prev - t0 - paused) * 1e-9, res);
	return 0;
}

/* Runs in wl's own thread, not pinned (see net_unpinned). */
static int rr_rep(struct wl_ctx *ctx, struct wl_result *res, char *errbuf, size_t errlen)
{
	double t0 = wl_now();
	int rc = rr_loop(ctx, res, errbuf, errlen);

	res->elapsed_s = wl_now() - t0;
	ctx->cpus_ran[0] = sched_getcpu();
	return rc;
}

static int rr_setup(struct wl_ctx *ctx, bool udp, char *errbuf, size_t errlen)
{
	struct wl_config *c = &ctx->cfg;
	uint64_t max = udp ? NET_UDP_MAX : NET_RR_MAX, min_req = udp ? NET_UDP_HDR : NET_SEQ;
	struct rr_priv *p;
	int one = 1;

	if (net_check_peer(c, udp, errbuf, errlen) < 0)
		return -1;
	if (!c->req_size)
		c->req_size = 100;
	if (!c->resp_size)
		c->resp_size = 200;
	if (c->req_size < min_req || c->req_size > max || c->resp_size < NET_SEQ ||
	    c->resp_size > max)
		return wl_err(errbuf, errlen,
		              "--req-size must be %llu to %llu and --resp-size %u to %llu",
		              (unsigned long long)min_req, (unsigned long long)max, NET_SEQ,
		              (unsigned long long)max);
	wl_default_bound(c, 1.0);
	net_unpinned(ctx);
	p = calloc(1, sizeof(*p));
	if (!p)
		return wl_err(errbuf, errlen, "out of memory");
	p->fd = -1;
	p->udp = udp;
	ctx->priv = p;
	p->req = wl_map(c->req_size, errbuf, errlen);
	p->resp = p->req ? wl_map(c->resp_size, errbuf, errlen) : NULL;
	if (!p->resp || !net_lat_grow(&p->lat)) {
		rr_teardown(ctx);
		return p->resp ? wl_err(errbuf, errlen, "out of memory") : -1;
	}
	memset(p->req, 'q', c->req_size);
	memset(p->resp, 0, c->resp_size);
	ctx->mem_base = p->req;
	ctx->mem_len = c->req_size;
	if (udp) {
		uint32_t hdr[2] = {htobe32(NET_MAGIC), htobe32((uint32_t)c->resp_size)};

		memcpy(p->req + NET_SEQ, hdr, sizeof(hdr));
	}
	p->fd = net_connect(c, udp ? SOCK_DGRAM : SOCK_STREAM, udp ? c->udp_port : c->port, errbuf,
	                    errlen);
	if (p->fd < 0 ||
	    (!udp && (setsockopt(p->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0 ||
	              net_hello(p->fd, NET_RR, c->req_size, c->resp_size, c->io_timeout_s, errbuf,
	                        errlen) < 0)) ||
	    rr_transact(p, c, errbuf, errlen) != 0) {
		rr_teardown(ctx);
		return -1;
	}
	return 0;
}

static int tcp_rr_setup(struct wl_ctx *ctx, char *errbuf, size_t errlen)
{
	return rr_setup(ctx, false, errbuf, errlen);
}

static int udp_rr_setup(struct wl_ctx *ctx, char *errbuf, size_t errlen)
{
	return rr_setup(ctx, true, errbuf, errlen);
}

static void rr_config(struct jw *j, const struct wl_ctx *ctx)
{
	net_print_peer(j, &ctx->cfg, ((struct rr_priv *)ctx->priv)->udp);
	jw_int(j, "req_size", (int64_t)ctx->cfg.req_size);
	jw_int(j, "resp_size", (int64_t)ctx->cfg.resp_size);
}

const struct workload wl_net_tcp_rr = {
    .name = "net.tcp_rr",
    .description = "TCP request/response with `wl serve`, one in flight, TCP_NODELAY, "
                   "--req-size 100 / --resp-size 200, 1 s; tps and latency percentiles",
    .unit = "transactions/s",
    .better = WL_HIGHER,
    .params = WL_P_PEER | WL_P_MSG | WL_P_DURATION | WL_P_ITERATIONS,
    .setup = tcp_rr_setup,
    .rep = rr_rep,
    .teardown = rr_teardown,
    .print_config = rr_config,
};

const struct workload wl_net_udp_rr = {
    .name = "net.udp_rr",
    .description = "UDP request/response with `wl serve` over a connected socket, one in "
                   "flight; a lost datagram fails the rep; tps and latency percentiles",
    .unit = "transactions/s",
    .better = WL_HIGHER,
    .params = WL_P_PEER | WL_P_MSG | WL_P_DURATION | WL_P_ITERATIONS,
    .setup = udp_rr_setup,
    .rep = rr_rep,
    .teardown = rr_teardown,
    .print_config = rr_config,
};
