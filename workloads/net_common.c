/* Helpers shared by the network workloads and `wl serve`: numeric address
 * parsing (no getaddrinfo: wl is static), connecting with a timeout, exact
 * sends and receives with clear errors, the hello exchange, latency
 * buffers and their percentile metrics. */
#include "net.h"
#include "json_out.h"
#include "percentile.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

int net_parse_addr(const char *addr, unsigned port, struct sockaddr_storage *sa, socklen_t *len,
                   char *errbuf, size_t errlen)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;
	char host[64], *pct;
	size_t n = strlen(addr);

	memset(sa, 0, sizeof(*sa));
	if (n >= sizeof(host))
		return wl_err(errbuf, errlen, "address '%s' is too long", addr);
	if (addr[0] == '[' && n > 2 && addr[n - 1] == ']')
		addr++, n -= 2;
	memcpy(host, addr, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
		return 0;
	}
	pct = strchr(host, '%');
	if (pct) {
		*pct++ = '\0';
		s6->sin6_scope_id = if_nametoindex(pct);
		if (!s6->sin6_scope_id && !(s6->sin6_scope_id = (uint32_t)atoi(pct)))
			return wl_err(errbuf, errlen, "unknown interface '%s' in address '%s'", pct,
			              addr);
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
		return wl_err(errbuf, errlen,
		              "'%s' is not a numeric IPv4 or IPv6 address (host names are not "
		              "resolved)",
		              addr);
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons((uint16_t)port);
	*len = sizeof(*s6);
	return 0;
}

void net_set_timeouts(int fd, double seconds)
{
	struct timeval tv = {(time_t)seconds, (suseconds_t)((seconds - (time_t)seconds) * 1e6)};

	if (tv.tv_sec == 0 && tv.tv_usec == 0)
		tv.tv_usec = 1000;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int net_connect(const struct wl_config *c, int type, unsigned port, char *errbuf, size_t errlen)
{
	struct sockaddr_storage sa;
	socklen_t len;
	int fd;

	if (net_parse_addr(c->peer, port, &sa, &len, errbuf, errlen) < 0)
		return -1;
	fd = socket(sa.ss_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return wl_err(errbuf, errlen, "socket: %s", strerror(errno));
	net_set_timeouts(fd, c->io_timeout_s);
	if (connect(fd, (struct sockaddr *)&sa, len) < 0) {
		int e = errno;

		close(fd);
		if (e == EINPROGRESS || e == EAGAIN || e == ETIMEDOUT)
			return wl_err(errbuf, errlen,
			              "connect to %s port %u: no answer within %g s (--io-timeout)",
			              c->peer, port, c->io_timeout_s);
		return wl_err(errbuf, errlen, "connect to %s port %u: %s%s", c->peer, port,
		              strerror(e),
		              e == ECONNREFUSED ? " (is `wl serve` running there?)" : "");
	}
	return fd;
}

int net_check_peer(struct wl_config *c, bool udp, char *errbuf, size_t errlen)
{
	if (!c->peer[0])
		return wl_err(errbuf, errlen,
		              "--peer ADDR is required (the address of `wl serve`)");
	if (!udp && !c->port)
		return wl_err(errbuf, errlen, "--port N is required (tcp_port of `wl serve`)");
	if (udp && !c->udp_port)
		return wl_err(errbuf, errlen, "--udp-port N is required (udp_port of `wl serve`)");
	if (c->io_timeout_s <= 0)
		c->io_timeout_s = 5;
	return 0;
}

/* The error of a failed or short transfer (r from send/recv). */
static int io_error(ssize_t r, int e, double timeout, const char *what, char *errbuf, size_t errlen)
{
	if (r == 0)
		return wl_err(errbuf, errlen, "%s: peer closed the connection", what);
	if (e == EAGAIN || e == EWOULDBLOCK)
		return wl_err(errbuf, errlen, "%s: timed out after %g s (--io-timeout)", what,
		              timeout);
	return wl_err(errbuf, errlen, "%s: %s", what, strerror(e));
}

int net_send_all(int fd, const void *buf, size_t len, double timeout, const char *what,
                 char *errbuf, size_t errlen)
{
	const char *p = buf;

	while (len) {
		ssize_t r = send(fd, p, len, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return io_error(r, errno, timeout, what, errbuf, errlen);
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int net_recv_all(int fd, void *buf, size_t len, double timeout, const char *what, char *errbuf,
                 size_t errlen)
{
	char *p = buf;

	while (len) {
		ssize_t r = recv(fd, p, len, MSG_WAITALL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return io_error(r, errno, timeout, what, errbuf, errlen);
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int net_hello(int fd, enum net_mode mode, uint64_t req, uint64_t resp, double timeout, char *errbuf,
              size_t errlen)
{
	struct net_hello h = {
	    .magic = htobe32(NET_MAGIC),
	    .version = htobe16(NET_VERSION),
	    .mode = htobe16((uint16_t)mode),
	    .req_size = htobe64(req),
	    .resp_size = htobe64(resp),
	};
	struct net_ack a;

	if (net_send_all(fd, &h, sizeof(h), timeout, "hello to peer", errbuf, errlen) < 0 ||
	    net_recv_all(fd, &a, sizeof(a), timeout, "answer to hello", errbuf, errlen) < 0)
		return -1;
	if (be32toh(a.magic) != NET_MAGIC)
		return wl_err(errbuf, errlen,
		              "the peer is not `wl serve` (bad magic in its answer)");
	if (be16toh(a.status) != NET_OK)
		return wl_err(errbuf, errlen,
		              "`wl serve` (protocol version %u, ours %u) refused the session "
		              "(status %u)",
		              be16toh(a.version), NET_VERSION, be16toh(a.status));
	return 0;
}

void net_unpinned(struct wl_ctx *ctx)
{
	for (unsigned i = 0; i < ctx->cfg.threads; i++)
		ctx->thread_cpus[i] = -1;
}

void net_print_peer(struct jw *j, const struct wl_config *c, bool udp)
{
	jw_str(j, "peer", c->peer);
	jw_int(j, udp ? "udp_port" : "port", udp ? c->udp_port : c->port);
	jw_num(j, "io_timeout_s", c->io_timeout_s);
}

bool net_lat_grow(struct net_lat *l)
{
	size_t cap;
	double *v;

	if (l->n < l->cap)
		return true;
	if (l->cap >= NET_LAT_CAP)
		return false;
	cap = l->cap ? l->cap * 2 : 65536;
	if (cap > NET_LAT_CAP)
		cap = NET_LAT_CAP;
	v = realloc(l->v, cap * sizeof(*v));
	if (!v)
		return false;
	l->v = v;
	l->cap = cap;
	return true;
}

void net_lat_metrics(struct net_lat *l, double seconds, struct wl_result *res)
{
	static const struct {
		const char *name;
		double p;
	} pct[] = {
	    {"lat_p50_us", 50}, {"lat_p90_us", 90}, {"lat_p99_us", 99}, {"lat_p999_us", 99.9}};

	percentile_sort(l->v, l->n);
	snprintf(res->m[0].name, sizeof(res->m[0].name), "tps");
	res->m[0].value = (double)l->n / seconds;
	res->m[0].unit = "transactions/s";
	res->m[0].better = "higher";
	for (size_t i = 0; i < sizeof(pct) / sizeof(pct[0]); i++) {
		struct wl_metric *m = &res->m[1 + i];

		snprintf(m->name, sizeof(m->name), "%s", pct[i].name);
		m->value = percentile_sorted(l->v, l->n, pct[i].p) / 1e3;
		m->unit = "us";
		m->better = "lower";
	}
	res->nmetrics = 5;
}
