/* net.tcp_stream: bulk TCP throughput to `wl serve`, like iperf3. Each
 * rep opens --streams connections, one thread each, all sending the same
 * --msg-size buffer for --duration; then each half-closes and reads the
 * server's count of bytes, its receive time and its thread's CPU time. */
#include "net.h"
#include "json_out.h"

#include <endian.h>
#include <errno.h>
#include <sched.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define STREAM_MAX_MSG (1ull << 30)

struct stream_priv {
	char *msg; /* msg_size bytes, sent by every stream */
};

/* One stream of one rep. */
struct stream {
	struct stream_run *run;
	pthread_t thread;
	bool started;
	uint64_t sent;
	struct net_stream_result res; /* host order */
	uint32_t retrans;
	int rc;
	char err[256];
};

/* The start gate and stop flag of one rep. */
struct stream_run {
	struct wl_ctx *ctx;
	struct stream *first;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned ready;  /* streams connected (or failed to) */
	unsigned failed; /* streams that failed: the rep ends early */
	bool go;
	int stop; /* set (atomically) when the duration has passed */
};

static void stream_teardown(struct wl_ctx *ctx)
{
	struct stream_priv *p = ctx->priv;

	if (!p)
		return;
	wl_unmap(p->msg, ctx->cfg.msg_size);
	free(p);
	ctx->priv = NULL;
}

/* Half-closes fd, reads the server's result into s->res and the socket's
 * retransmissions into s->retrans. Returns 0, or -1 with s->err. */
static int stream_finish(int fd, struct stream *s, double timeout)
{
	struct net_stream_result r;
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (shutdown(fd, SHUT_WR) < 0)
		return wl_err(s->err, sizeof(s->err), "shutdown: %s", strerror(errno));
	if (net_recv_all(fd, &r, sizeof(r), timeout, "result from peer", s->err, sizeof(s->err)) <
	    0)
		return -1;
	if (be32toh(r.magic) != NET_MAGIC || be32toh(r.status) != NET_OK)
		return wl_err(s->err, sizeof(s->err), "bad result from peer (status %u)",
		              be32toh(r.status));
	s->res.bytes = be64toh(r.bytes);
	s->res.recv_ns = be64toh(r.recv_ns);
	s->res.cpu_ns = be64toh(r.cpu_ns);
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0)
		s->retrans = ti.tcpi_total_retrans;
	return 0;
}

/* One stream: connect, wait at the gate, send until stop, finish. */
static void *stream_main(void *arg)
{
	struct stream *s = arg;
	struct stream_run *run = s->run;
	const struct wl_config *c = &run->ctx->cfg;
	const char *msg = ((struct stream_priv *)run->ctx->priv)->msg;
	int fd = net_connect(c, SOCK_STREAM, c->port, s->err, sizeof(s->err));

	if (fd >= 0 && net_hello(fd, NET_STREAM, 0, 0, c->io_timeout_s, s->err, sizeof(s->err)) < 0)
		close(fd), fd = -1;
	pthread_mutex_lock(&run->lock);
	run->ready++;
	run->failed += fd < 0;
	pthread_cond_broadcast(&run->cond);
	while (!run->go)
		pthread_cond_wait(&run->cond, &run->lock);
	pthread_mutex_unlock(&run->lock);
	if (fd < 0) {
		s->rc = -1;
		return NULL;
	}
	while (!__atomic_load_n(&run->stop, __ATOMIC_RELAXED)) {
		if (net_send_all(fd, msg, c->msg_size, c->io_timeout_s, "send", s->err,
		                 sizeof(s->err)) < 0) {
			s->rc = -1;
			pthread_mutex_lock(&run->lock);
			run->failed++;
			pthread_cond_broadcast(&run->cond);
			pthread_mutex_unlock(&run->lock);
			break;
		}
		s->sent += c->msg_size;
	}
	if (s->rc == 0)
		s->rc = stream_finish(fd, s, c->io_timeout_s);
	close(fd);
	if (s == s->run->first)
		run->ctx->cpus_ran[0] = sched_getcpu();
	return NULL;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

/* Starts the streams, lets them send for the duration, joins them. */
static void stream_run_all(struct wl_ctx *ctx, struct stream_run *run, struct stream *st,
                           double *wall, double *cpu)
{
	unsigned n = ctx->cfg.streams, created = 0;
	struct timespec end;
	double t0, c0;

	for (; created < n; created++) {
		st[created].run = run;
		if (pthread_create(&st[created].thread, NULL, stream_main, &st[created]) != 0)
			break;
		st[created].started = true;
	}
	pthread_mutex_lock(&run->lock);
	while (run->ready < created)
		pthread_cond_wait(&run->cond, &run->lock);
	run->go = true;
	pthread_cond_broadcast(&run->cond);
	t0 = wl_now();
	c0 = cpu_seconds();
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)ctx->cfg.duration_s;
	end.tv_nsec += (long)((ctx->cfg.duration_s - (double)(time_t)ctx->cfg.duration_s) * 1e9);
	if (end.tv_nsec >= 1000000000L)
		end.tv_sec++, end.tv_nsec -= 1000000000L;
	/* the duration, or until a stream fails (cond uses CLOCK_MONOTONIC) */
	while (created == n && !run->failed &&
	       pthread_cond_timedwait(&run->cond, &run->lock, &end) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&run->lock);
	__atomic_store_n(&run->stop, 1, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < created; i++)
		pthread_join(st[i].thread, NULL);
	*wall = wl_now() - t0;
	*cpu = cpu_seconds() - c0;
}

static int stream_rep(struct wl_ctx *ctx, struct wl_result *res, char *errbuf, size_t errlen)
{
	unsigned n = ctx->cfg.streams;
	_cleanup_free_ struct stream *st = calloc(n, sizeof(*st));
	struct stream_run run = {.ctx = ctx, .first = st};
	double wall, cpu, gbps = 0, rcpu = 0, retrans = 0;
	pthread_condattr_t ca;

	if (!st)
		return wl_err(errbuf, errlen, "out of memory");
	pthread_mutex_init(&run.lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&run.cond, &ca);
	pthread_condattr_destroy(&ca);
	stream_run_all(ctx, &run, st, &wall, &cpu);
	pthread_mutex_destroy(&run.lock);
	pthread_cond_destroy(&run.cond);
	for (unsigned i = 0; i < n; i++) {
		if (!st[i].started)
			return wl_err(errbuf, errlen, "cannot start stream thread %u", i);
		if (st[i].rc < 0)
			return wl_err(errbuf, errlen, "stream %u: %s", i, st[i].err);
	}
	for (unsigned i = 0; i < n; i++) {
		const struct net_stream_result *r = &st[i].res;

		if (r->bytes != st[i].sent) {
			res->valid = false;
			return wl_err(errbuf, errlen,
			              "stream %u: sent %llu bytes, peer received %llu", i,
			              (unsigned long long)st[i].sent, (unsigned long long)r->bytes);
		}
		if (r->recv_ns) {
			gbps += (double)r->bytes * 8 / (double)r->recv_ns;
			rcpu += 100.0 * (double)r->cpu_ns / (double)r->recv_ns;
		}
		retrans += st[i].retrans;
	}
	res->elapsed_s = wall;
	res->nmetrics = 4;
	res->m[0] = (struct wl_metric){"gbps", gbps, "Gbit/s", "higher"};
	res->m[1] = (struct wl_metric){"sender_cpu_pct", 100 * cpu / wall, "%", "lower"};
	res->m[2] = (struct wl_metric){"receiver_cpu_pct", rcpu, "%", "lower"};
	res->m[3] = (struct wl_metric){"retransmits", retrans, "count", "lower"};
	return 0;
}

static int stream_setup(struct wl_ctx *ctx, char *errbuf, size_t errlen)
{
	struct wl_config *c = &ctx->cfg;
	struct stream_priv *p;
	struct stream probe = {0};
	int fd;

	if (net_check_peer(c, false, errbuf, errlen) < 0)
		return -1;
	if (!c->streams)
		c->streams = 1;
	if (!c->msg_size)
		c->msg_size = 128 * KIB;
	if (c->msg_size > STREAM_MAX_MSG)
		return wl_err(errbuf, errlen, "--msg-size is at most 1G");
	wl_default_bound(c, 1.0);
	net_unpinned(ctx);
	p = calloc(1, sizeof(*p));
	if (!p)
		return wl_err(errbuf, errlen, "out of memory");
	ctx->priv = p;
	p->msg = wl_map(c->msg_size, errbuf, errlen);
	if (!p->msg) {
		stream_teardown(ctx);
		return -1;
	}
	for (uint64_t i = 0; i < c->msg_size; i++)
		p->msg[i] = (char)(i * 131 + 7);
	ctx->mem_base = p->msg;
	ctx->mem_len = c->msg_size;
	/* An empty stream: is the peer there and speaking our protocol? */
	fd = net_connect(c, SOCK_STREAM, c->port, errbuf, errlen);
	if (fd < 0 || net_hello(fd, NET_STREAM, 0, 0, c->io_timeout_s, errbuf, errlen) < 0 ||
	    stream_finish(fd, &probe, c->io_timeout_s) < 0) {
		if (fd >= 0 && probe.err[0])
			snprintf(errbuf, errlen, "%s", probe.err);
		if (fd >= 0)
			close(fd);
		stream_teardown(ctx);
		return -1;
	}
	close(fd);
	return 0;
}

static void stream_config(struct jw *j, const struct wl_ctx *ctx)
{
	net_print_peer(j, &ctx->cfg, false);
	jw_int(j, "streams", ctx->cfg.streams);
	jw_int(j, "msg_size", (int64_t)ctx->cfg.msg_size);
}

const struct workload wl_net_tcp_stream = {
    .name = "net.tcp_stream",
    .description = "--streams TCP connections (1) to `wl serve` send --msg-size (128K) "
                   "buffers for --duration (1 s); receiver-side Gbit/s; bytes checked",
    .unit = "Gbit/s",
    .better = WL_HIGHER,
    .params = WL_P_PEER | WL_P_STREAMS | WL_P_MSG | WL_P_DURATION,
    .setup = stream_setup,
    .rep = stream_rep,
    .teardown = stream_teardown,
    .print_config = stream_config,
};
