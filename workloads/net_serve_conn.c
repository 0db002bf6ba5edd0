/* The connection handlers of `wl serve` (net_serve.c): stream and rr over
 * TCP after the hello, and the UDP responder. Protocol: net.h. */
#include "net.h"

#include <endian.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/resource.h>

#define NET_SERVE_BUF (256 * KIB) /* receive buffer of one connection */

static uint64_t thread_cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000u +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000u;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Stream mode: count bytes until EOF, then answer the result. */
static void serve_stream(int fd, char *buf)
{
	struct net_stream_result r = {.magic = htobe32(NET_MAGIC)};
	uint64_t bytes = 0, t0 = 0, c0 = 0;
	char err[128];
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, NET_SERVE_BUF, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (bytes == 0)
			t0 = mono_ns(), c0 = thread_cpu_ns();
		bytes += (uint64_t)n;
	}
	if (n < 0)
		return; /* error or idle timeout: no result */
	if (bytes) {
		r.recv_ns = htobe64(mono_ns() - t0);
		r.cpu_ns = htobe64(thread_cpu_ns() - c0);
	}
	r.bytes = htobe64(bytes);
	net_send_all(fd, &r, sizeof(r), NET_IDLE_S, "result", err, sizeof(err));
}

/* Rr mode: req bytes in, resp bytes out echoing the first NET_SEQ, until
 * EOF or an error. */
static void serve_rr(int fd, char *buf, uint64_t req, uint64_t resp)
{
	char seq[NET_SEQ], err[128];
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	for (;;) {
		size_t chunk = req < NET_SERVE_BUF ? req : NET_SERVE_BUF;
		ssize_t n = recv(fd, buf, chunk, MSG_WAITALL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < NET_SEQ)
			return; /* EOF, error, idle timeout or a short request */
		memcpy(seq, buf, NET_SEQ);
		for (uint64_t left = req - (uint64_t)n; left; left -= chunk) {
			chunk = left < NET_SERVE_BUF ? left : NET_SERVE_BUF;
			if (net_recv_all(fd, buf, chunk, NET_IDLE_S, "request", err, sizeof(err)) <
			    0)
				return;
		}
		memcpy(buf, seq, NET_SEQ); /* every chunk starts with it; only the first counts */
		for (uint64_t left = resp; left; left -= chunk) {
			chunk = left < NET_SERVE_BUF ? left : NET_SERVE_BUF;
			if (net_send_all(fd, buf, chunk, NET_IDLE_S, "answer", err, sizeof(err)) <
			    0)
				return;
		}
	}
}

void *net_conn_main(void *arg)
{
	struct net_conn *c = arg;
	struct net_hello h;
	struct net_ack a = {.magic = htobe32(NET_MAGIC), .version = htobe16(NET_VERSION)};
	char err[128], *buf = malloc(NET_SERVE_BUF);
	uint16_t mode = 0;
	uint64_t req = 0, resp = 0;

	if (buf && net_recv_all(c->fd, &h, sizeof(h), NET_IDLE_S, "hello", err, sizeof(err)) == 0) {
		mode = be16toh(h.mode);
		req = be64toh(h.req_size);
		resp = be64toh(h.resp_size);
		if (be32toh(h.magic) != NET_MAGIC || be16toh(h.version) != NET_VERSION ||
		    (mode != NET_STREAM && mode != NET_RR) ||
		    (mode == NET_RR &&
		     (req < NET_SEQ || req > NET_RR_MAX || resp < NET_SEQ || resp > NET_RR_MAX)))
			mode = 0;
		a.status = htobe16(mode ? NET_OK : NET_BAD_HELLO);
		if (net_send_all(c->fd, &a, sizeof(a), NET_IDLE_S, "ack", err, sizeof(err)) < 0)
			mode = 0;
	}
	if (mode == NET_STREAM)
		serve_stream(c->fd, buf);
	else if (mode == NET_RR)
		serve_rr(c->fd, buf, req, resp);
	free(buf);
	shutdown(c->fd, SHUT_RDWR); /* the FIN goes now; the main loop closes the fd */
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

void *net_udp_main(void *arg)
{
	struct net_udp *u = arg;
	int fd = u->fd;
	static char buf[65536];

	while (!__atomic_load_n(&u->stop, __ATOMIC_ACQUIRE)) {
		struct sockaddr_storage from;
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
		uint32_t hdr[2];
		uint32_t resp;

		if (n < NET_UDP_HDR)
			continue; /* timeout (to look at stop_udp), error or junk */
		memcpy(hdr, buf + NET_SEQ, sizeof(hdr));
		resp = be32toh(hdr[1]);
		if (be32toh(hdr[0]) != NET_MAGIC || resp < NET_SEQ || resp > NET_UDP_MAX)
			continue;
		sendto(fd, buf, resp, 0, (struct sockaddr *)&from, len);
	}
	return NULL;
}
