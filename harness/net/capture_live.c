/* Live capture (see capture.h): one pcap handle and one thread that feeds
 * capture_acc_packet until capture_stop.
 *
 * Loopback: on Linux the kernel hands a packet sent over "lo" to a packet
 * socket twice, as PACKET_OUTGOING on transmit and as PACKET_HOST when it
 * is received (a raw AF_PACKET socket on lo sees both); libpcap drops the
 * outgoing copy on the loopback device, also when capturing on "any", so
 * every packet is counted once. Measured with libpcap 1.10: N exchanges
 * over lo give exactly N request and N response packets, on "lo" (EN10MB)
 * and on "any" (LINUX_SLL); test_live_loopback_tcp in tests/test_capture.c
 * asserts it. */
#include "harness/net/capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"

#define SNAPLEN     160 /* Ethernet + VLAN tags + IPv4/IPv6 + TCP with options */
#define BUFFER_SIZE (4 << 20)
#define POLL_MS     50
/* Packets per pcap_dispatch call: bounded so the thread looks at its stop
 * flag regularly even under a flood. */
#define BATCH 4096

struct capture {
	char *iface;
	pcap_t *p;
	struct capture_acc *acc;
	int fd;            /* pcap_get_selectable_fd */
	uint64_t ts_scale; /* 1 for nanosecond timestamps, 1000 for microseconds */
	pthread_t thread;
	bool running;     /* thread started and not yet joined */
	atomic_bool stop; /* set by capture_stop/abort */
	bool failed;      /* set by the thread */
	char error[PCAP_ERRBUF_SIZE + 32];
};

static void capture_free(struct capture *c)
{
	if (c == NULL)
		return;
	if (c->p != NULL)
		pcap_close(c->p);
	capture_acc_free(c->acc);
	free(c->iface);
	free(c);
}

static void capture_freep(struct capture **c)
{
	capture_free(*c);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct capture *c = (struct capture *)user;
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec * c->ts_scale;
	capture_acc_packet(c->acc, ts, h->caplen, h->len, data);
}

/* One bounded batch: the number of packets read, or -1 with c->error. */
static int dispatch(struct capture *c)
{
	int n = pcap_dispatch(c->p, BATCH, on_packet, (u_char *)c);
	if (n == PCAP_ERROR_BREAK)
		return 0;
	if (n < 0) {
		snprintf(c->error, sizeof(c->error), "%s", pcap_geterr(c->p));
		c->failed = true;
		return -1;
	}
	return n;
}

static void *capture_thread(void *arg)
{
	struct capture *c = arg;
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
	while (!atomic_load(&c->stop)) {
		int rc = poll(&pfd, 1, POLL_MS);
		if (rc < 0 && errno != EINTR) {
			snprintf(c->error, sizeof(c->error), "poll: %s", strerror(errno));
			c->failed = true;
			return NULL;
		}
		if (rc > 0 && dispatch(c) < 0)
			return NULL;
	}
	/* Stopped: account what the kernel has already buffered (the last
	 * packets of the workload), at most one ring's worth a few times
	 * over, so foreign traffic cannot keep the thread here. */
	for (int i = 0; i < (BUFFER_SIZE / SNAPLEN) / BATCH + 4; i++) {
		int n = dispatch(c);
		if (n <= 0)
			break;
	}
	return NULL;
}

/* "capture on "IFACE": what: detail" with a status but without strerror
 * appended (pcap's message already says it). detail may be NULL, empty or
 * the same text as what, then it is left out. iface NULL: "capture: what". */
static int fail(struct bench_error **err, int status, const char *iface, const char *what,
                const char *detail)
{
	if (err == NULL || *err != NULL)
		return -1;
	bool show = detail != NULL && detail[0] != '\0' && strcmp(detail, what) != 0;
	if (iface == NULL)
		bench_error_set(err, 0, "capture: %s", what);
	else
		bench_error_set(err, 0, "capture on \"%s\": %s%s%s", iface, what, show ? ": " : "",
		                show ? detail : "");
	if (*err != NULL)
		(*err)->status = status;
	return -1;
}

static int activate_status(int rc)
{
	switch (rc) {
	case PCAP_ERROR_PERM_DENIED:
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		return EPERM;
	case PCAP_ERROR_NO_SUCH_DEVICE:
		return ENODEV;
	case PCAP_ERROR_IFACE_NOT_UP:
		return ENETDOWN;
	}
	return 0;
}

int capture_start(const struct capture_spec *spec, struct capture **out, struct bench_error **err)
{
	*out = NULL;
	if (spec->iface == NULL || spec->iface[0] == '\0')
		return fail(err, EINVAL, NULL, "no interface given", NULL);
	char filter[256], errbuf[PCAP_ERRBUF_SIZE] = "";
	if (capture_filter(spec, filter, sizeof(filter), err) < 0)
		return -1;
	__attribute__((cleanup(capture_freep))) struct capture *c = calloc(1, sizeof(*c));
	if (c == NULL || (c->iface = strdup(spec->iface)) == NULL)
		return bench_error_set(err, errno, "capture: allocating");
	c->p = pcap_create(spec->iface, errbuf);
	if (c->p == NULL)
		return fail(err, 0, spec->iface, "cannot open", errbuf);
	/* Setters only fail on an activated handle; precision may be
	 * unsupported, then timestamps stay in microseconds. */
	pcap_set_snaplen(c->p, SNAPLEN);
	pcap_set_promisc(c->p, 0);
	pcap_set_immediate_mode(c->p, 1);
	pcap_set_buffer_size(c->p, BUFFER_SIZE);
	pcap_set_tstamp_precision(c->p, PCAP_TSTAMP_PRECISION_NANO);
	int rc = pcap_activate(c->p);
	if (rc < 0) /* rc > 0 are warnings (e.g. timestamp type), not fatal */
		return fail(err, activate_status(rc), spec->iface, pcap_statustostr(rc),
		            rc == PCAP_ERROR || rc == PCAP_ERROR_NO_SUCH_DEVICE ||
		                    rc == PCAP_ERROR_PERM_DENIED
		                ? pcap_geterr(c->p)
		                : NULL);
	if (capture_acc_new(spec, pcap_datalink(c->p), &c->acc, err) < 0)
		return bench_error_wrap(err, "capture on \"%s\"", spec->iface);
	struct bpf_program prog;
	if (pcap_compile(c->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0)
		return fail(err, EINVAL, spec->iface, filter, pcap_geterr(c->p));
	rc = pcap_setfilter(c->p, &prog);
	pcap_freecode(&prog);
	if (rc < 0)
		return fail(err, 0, spec->iface, "setting the filter", pcap_geterr(c->p));
	if (pcap_setnonblock(c->p, 1, errbuf) < 0)
		return fail(err, 0, spec->iface, "non-blocking mode", errbuf);
	c->fd = pcap_get_selectable_fd(c->p);
	if (c->fd < 0)
		return fail(err, 0, spec->iface, "no selectable descriptor", NULL);
	c->ts_scale = pcap_get_tstamp_precision(c->p) == PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000;

	/* The thread inherits a full signal mask: SIGINT and friends keep
	 * going to the threads that expect them. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&c->thread, NULL, capture_thread, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return bench_error_set(err, rc, "capture on \"%s\": starting the thread",
		                       spec->iface);
	c->running = true;
	*out = steal_pointer(&c);
	return 0;
}

static void stop_thread(struct capture *c)
{
	if (!c->running)
		return;
	atomic_store(&c->stop, true);
	pthread_join(c->thread, NULL);
	c->running = false;
}

int capture_stop(struct capture *c, json_t **wire, struct bench_error **err)
{
	*wire = NULL;
	if (c == NULL)
		return 0;
	__attribute__((cleanup(capture_freep))) struct capture *owned = c;
	stop_thread(c);
	if (c->failed)
		return bench_error_set(err, 0, "capture on \"%s\" failed while running: %s",
		                       c->iface, c->error);
	/* Drops: the kernel's (ring full) plus the interface's own. */
	struct pcap_stat st;
	int64_t dropped = -1;
	if (pcap_stats(c->p, &st) == 0)
		dropped = (int64_t)st.ps_drop + (int64_t)st.ps_ifdrop;
	return capture_acc_to_json(c->acc, "live", dropped, wire, err);
}

void capture_abort(struct capture *c)
{
	if (c == NULL)
		return;
	stop_thread(c);
	capture_free(c);
}
