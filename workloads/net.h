/* Network workloads: the session protocol between the client workloads
 * (net.tcp_stream, net.tcp_rr, net.udp_rr) and `wl serve`, and the helpers
 * they share. All multi-byte protocol fields are big-endian.
 *
 * TCP: the client sends a struct net_hello, the server answers a struct
 * net_ack (status 0 = accepted), then
 *  - stream: the client sends bytes until it half-closes (SHUT_WR); the
 *    server answers one struct net_stream_result and closes;
 *  - rr: the client sends req_size bytes, the server answers resp_size
 *    bytes whose first 8 are the request's first 8 (the sequence number);
 *    repeated until EOF.
 * UDP: a request is >= NET_UDP_HDR bytes: [0,8) sequence number, [8,12)
 * NET_MAGIC, [12,16) response size; the answer has that size and starts
 * with the request's first 8 bytes. */
#ifndef WL_NET_H
#define WL_NET_H

#include "workload.h"

#include <netinet/in.h>
#include <sys/socket.h>

#define NET_MAGIC   0x574c4e54u /* "WLNT" */
#define NET_VERSION 1
#define NET_SEQ     8            /* bytes of sequence number echoed in rr */
#define NET_UDP_HDR 16           /* seq, magic, response size */
#define NET_UDP_MAX 65507        /* largest UDP payload over IPv4 */
#define NET_RR_MAX  (1ull << 30) /* largest TCP request / response */

enum net_mode { NET_STREAM = 1, NET_RR = 2 };
enum net_status { NET_OK = 0, NET_BAD_HELLO = 1 };

struct net_hello {
	uint32_t magic;
	uint16_t version, mode;
	uint64_t req_size, resp_size; /* rr only */
} __attribute__((packed));

struct net_ack {
	uint32_t magic;
	uint16_t version, status;
} __attribute__((packed));

struct net_stream_result {
	uint32_t magic, status;
	uint64_t bytes;   /* received from the first byte to EOF */
	uint64_t recv_ns; /* from the first byte to EOF */
	uint64_t cpu_ns;  /* CPU time of the receiving thread in that span */
} __attribute__((packed));

/* net_common.c */

/* Parses a numeric IPv4 or IPv6 address ("::1", "[::1]", "fe80::1%eth0")
 * and port into *sa (*len its size). Returns 0, or -1 with errbuf. */
int net_parse_addr(const char *addr, unsigned port, struct sockaddr_storage *sa, socklen_t *len,
                   char *errbuf, size_t errlen);

/* Sets SO_RCVTIMEO and SO_SNDTIMEO (seconds) on fd. */
void net_set_timeouts(int fd, double seconds);

/* A socket of type (SOCK_STREAM/SOCK_DGRAM) connected to the workload's
 * peer (cfg.peer and port), with cfg.io_timeout_s send/receive timeouts
 * (these bound connect too). Returns the fd, or -1 with errbuf. */
int net_connect(const struct wl_config *c, int type, unsigned port, char *errbuf, size_t errlen);

/* Checks --peer, --port (and --udp-port when udp) and fills the default
 * io timeout. Returns 0, or -1 naming the missing option. */
int net_check_peer(struct wl_config *c, bool udp, char *errbuf, size_t errlen);

/* Sends / receives exactly len bytes. Returns 0, or -1 with errbuf saying
 * what happened ("no answer within 5 s (--io-timeout)", "peer closed the
 * connection", or the errno text), prefixed by what. */
int net_send_all(int fd, const void *buf, size_t len, double timeout, const char *what,
                 char *errbuf, size_t errlen);
int net_recv_all(int fd, void *buf, size_t len, double timeout, const char *what, char *errbuf,
                 size_t errlen);

/* Sends the hello of mode and waits for an accepting ack. 0, or -1. */
int net_hello(int fd, enum net_mode mode, uint64_t req, uint64_t resp, double timeout, char *errbuf,
              size_t errlen);

/* The net workloads do not pin their threads (the process's affinity mask
 * applies, as for iperf3 and sockperf): pinning the client side alone cut
 * tcp_rr transactions/s by a third on a 2-CPU guest. Marks thread_cpus -1
 * ("not pinned") for the rep object. */
void net_unpinned(struct wl_ctx *ctx);

/* Members "peer", "port"/"udp_port" and "io_timeout_s" of the config. */
void net_print_peer(struct jw *j, const struct wl_config *c, bool udp);

/* Growable latency buffer of at most NET_LAT_CAP samples (ns). */
#define NET_LAT_CAP (10u * 1000 * 1000)
struct net_lat {
	double *v;
	size_t n, cap;
};

/* Makes room for one more sample; false when the cap is reached or memory
 * ran out (the caller ends the rep there). */
bool net_lat_grow(struct net_lat *l);

/* Fills tps, lat_p50_us, lat_p90_us, lat_p99_us, lat_p999_us from l (sorts
 * it) over seconds. */
void net_lat_metrics(struct net_lat *l, double seconds, struct wl_result *res);

/* net_serve.c: `wl serve [--bind ADDR] [--lifetime SEC]`; exit status. */
int net_serve_main(int argc, char **argv);

/* net_serve_conn.c */

#define NET_IDLE_S 60.0 /* a served TCP connection idle this long ends */

/* One served TCP connection; the serve loop owns the slot and the fd. */
struct net_conn {
	pthread_t thread;
	int fd; /* with NET_IDLE_S timeouts */
	bool used;
	int done; /* set (atomically) by the thread when it has finished */
};

/* Thread body for one net_conn: hello, ack, then stream or rr until EOF,
 * an error or the idle timeout. Shuts the socket down (never closes it)
 * and sets done. */
void *net_conn_main(void *conn);

/* The UDP responder's socket and stop flag (set atomically; the socket's
 * receive timeout bounds how long the thread takes to notice). */
struct net_udp {
	int fd;
	int stop;
};

/* Thread body: answers every well-formed request until stop. */
void *net_udp_main(void *udp);

#endif
