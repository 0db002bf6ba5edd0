/* `wl serve`: the host-side peer of the network workloads. It listens on
 * TCP and UDP with kernel-chosen ports, announces them in one JSON line,
 * serves clients concurrently (a thread per TCP connection, at most
 * SERVE_MAX_CONN, one thread for UDP) and exits 0 when stdin reaches EOF,
 * --lifetime passes, or SIGINT/SIGTERM arrives. Protocol: net.h. */
#include "net.h"
#include "json_out.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define SERVE_MAX_CONN 256

static struct net_conn conns[SERVE_MAX_CONN];
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

/* Joins finished connection threads (all of them when all is true, after
 * shutting their sockets down) and frees their slots. */
static void reap(bool all)
{
	for (int i = 0; i < SERVE_MAX_CONN; i++) {
		struct net_conn *c = &conns[i];

		if (!c->used || (!all && !__atomic_load_n(&c->done, __ATOMIC_ACQUIRE)))
			continue;
		if (all)
			shutdown(c->fd, SHUT_RDWR);
		pthread_join(c->thread, NULL);
		close(c->fd);
		c->used = false;
	}
}

static void serve_accept(int lfd, pthread_attr_t *attr)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	reap(false);
	for (int i = 0; i < SERVE_MAX_CONN; i++) {
		struct net_conn *c = &conns[i];

		if (c->used)
			continue;
		*c = (struct net_conn){.fd = fd, .used = true};
		net_set_timeouts(fd, NET_IDLE_S);
		if (pthread_create(&c->thread, attr, net_conn_main, c) == 0)
			return;
		c->used = false;
		break;
	}
	close(fd); /* full: the client sees EOF instead of an answer to its hello */
}

/* Binds a socket of type to sa (port 0) and returns it with its port. */
static int bind_any(const struct sockaddr_storage *sa, socklen_t len, int type, unsigned *port)
{
	struct sockaddr_storage got;
	socklen_t glen = sizeof(got);
	int fd = socket(sa->ss_family, type | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (const struct sockaddr *)sa, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 128) < 0) ||
	    getsockname(fd, (struct sockaddr *)&got, &glen) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	*port = ntohs(((struct sockaddr_in *)&got)->sin_port); /* same offset in sockaddr_in6 */
	return fd;
}

static int serve_usage(const char *fmt, const char *arg)
{
	fputs("wl serve: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (valid: --bind ADDR (default 127.0.0.1), --lifetime SECONDS (default 3600))\n",
	      stderr);
	return 2;
}

/* Serves until stdin EOF, a signal or the deadline. */
static void serve_loop(int tcp, double deadline)
{
	pthread_attr_t attr;
	sigset_t none;
	char junk[256];

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * KIB);
	sigemptyset(&none);
	while (!got_signal) {
		struct pollfd p[2] = {{.fd = 0, .events = POLLIN}, {.fd = tcp, .events = POLLIN}};
		double left = deadline - wl_now();
		struct timespec ts = {0, 0};

		if (left <= 0)
			break;
		if (left > 1)
			left = 1;
		ts.tv_nsec = (long)(left * 1e9);
		ts.tv_sec = ts.tv_nsec / 1000000000L, ts.tv_nsec %= 1000000000L;
		if (ppoll(p, 2, &ts, &none) < 0 && errno != EINTR)
			break;
		if (p[0].revents && read(0, junk, sizeof(junk)) <= 0)
			break; /* EOF (or stdin unusable): the harness is done with us */
		if (p[1].revents & POLLIN)
			serve_accept(tcp, &attr);
		reap(false);
	}
	pthread_attr_destroy(&attr);
}

int net_serve_main(int argc, char **argv)
{
	const char *bind_to = "127.0.0.1";
	double lifetime = 3600;
	struct sockaddr_storage sa;
	socklen_t len;
	unsigned tport, uport;
	struct net_udp u = {.fd = -1};
	int tcp;
	pthread_t ut;
	sigset_t block;
	char err[256], addr[INET6_ADDRSTRLEN + 8];
	struct jw j;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '='), *val;
		size_t nl = eq ? (size_t)(eq - a) : strlen(a);
		char *end;

		if ((nl != 6 || strncmp(a, "--bind", 6)) &&
		    (nl != 10 || strncmp(a, "--lifetime", 10)))
			return serve_usage("unknown argument '%s'", a);
		if (!eq && i + 1 >= argc)
			return serve_usage("%s needs a value", a);
		val = eq ? eq + 1 : argv[++i];
		if (nl == 6) {
			bind_to = val;
			continue;
		}
		lifetime = strtod(val, &end);
		if (*end || end == val || !isfinite(lifetime) || lifetime <= 0 || lifetime > 1e7)
			return serve_usage("bad --lifetime '%s': want seconds, > 0", val);
	}
	if (net_parse_addr(bind_to, 0, &sa, &len, err, sizeof(err)) < 0)
		return serve_usage("bad --bind: %s", err);
	tcp = bind_any(&sa, len, SOCK_STREAM, &tport);
	u.fd = tcp < 0 ? -1 : bind_any(&sa, len, SOCK_DGRAM, &uport);
	if (u.fd < 0) {
		fprintf(stderr, "wl serve: cannot listen on %s: %s\n", bind_to, strerror(errno));
		if (tcp >= 0)
			close(tcp);
		return 1;
	}
	net_set_timeouts(u.fd, 0.2); /* how soon the UDP thread sees u.stop */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, NULL); /* threads inherit it; ppoll opens it */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	if (pthread_create(&ut, NULL, net_udp_main, &u) != 0) {
		fprintf(stderr, "wl serve: cannot start the UDP thread\n");
		close(tcp), close(u.fd);
		return 1;
	}
	inet_ntop(sa.ss_family,
	          sa.ss_family == AF_INET ? (void *)&((struct sockaddr_in *)&sa)->sin_addr
	                                  : (void *)&((struct sockaddr_in6 *)&sa)->sin6_addr,
	          addr, sizeof(addr));
	jw_init(&j, stdout);
	jw_open(&j, NULL, '{');
	jw_str(&j, "type", "listening");
	jw_str(&j, "address", addr);
	jw_int(&j, "tcp_port", tport);
	jw_int(&j, "udp_port", uport);
	jw_int(&j, "pid", getpid());
	jw_close(&j);
	fputc('\n', stdout);
	fflush(stdout);
	serve_loop(tcp, wl_now() + lifetime);
	close(tcp);
	reap(true);
	__atomic_store_n(&u.stop, 1, __ATOMIC_RELEASE);
	shutdown(u.fd, SHUT_RDWR);
	pthread_join(ut, NULL);
	close(u.fd);
	return 0;
}
