/* Packet decoding and wire accounting (see capture.h), the wire JSON, and
 * capture_file. Every read is checked against caplen first: a packet whose
 * captured part ends before a field this code needs is counted as
 * "truncated" and nothing past caplen is touched. */
#include "harness/net/capture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/core/cleanup.h"
#include "workloads/percentile.h"

/* Payload size buckets, bytes of TCP/UDP payload per captured packet. A
 * bucket counts sizes in (previous edge, edge]; the last one everything
 * above 65535. 0: pure ACKs and other control segments; 100: small
 * request/response messages; 1500: one segment of a standard 1500-byte MTU;
 * 9000: one jumbo frame; 16384: a few MSS coalesced; 65535: up to the IP
 * packet limit, where TSO/GSO/GRO (and loopback's 64 KiB MTU) stop; above:
 * BIG TCP aggregates (IPv4 total length 0, IPv6 jumbo). */
static const uint32_t bucket_le[] = {0, 100, 1500, 9000, 16384, 65535};
#define N_BUCKETS (sizeof(bucket_le) / sizeof(bucket_le[0]) + 1)

enum { TO_PEER, FROM_PEER };

struct dir_counts {
	uint64_t packets, bytes, payload_bytes;
	uint64_t data_packets; /* packets with payload > 0 */
	uint64_t hist[N_BUCKETS];
};

/* Flows are keyed by their client end (the server end is the peer's
 * address and the protocol's port): protocol, client port, client address. */
#define FLOW_KEY_LEN 20
struct flow {
	uint8_t key[FLOW_KEY_LEN];
	bool used;
	bool pending;   /* a request was seen and no response after it yet */
	uint64_t t_req; /* ns: first payload packet of that request */
};

struct capture_acc {
	char *iface;
	char filter[256];
	int linktype;
	int family; /* AF_INET or AF_INET6 */
	uint8_t peer[16];
	size_t addr_len; /* 4 or 16 */
	uint16_t tcp_port, udp_port;
	bool rr;
	struct dir_counts dir[2];
	uint64_t truncated, malformed, fragments, ignored;
	struct flow *flows;
	size_t n_flows, cap_flows; /* cap is 0 or a power of two */
	double *rr_us;
	size_t n_rr, cap_rr;
	bool oom;
};

/* An error about the spec: status EINVAL, without strerror's text. */
__attribute__((format(printf, 2, 3))) static int spec_error(struct bench_error **err,
                                                            const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err == NULL || *err != NULL)
		return -1;
	bench_error_set(err, 0, "%s", msg);
	if (*err != NULL)
		(*err)->status = EINVAL;
	return -1;
}

static int parse_peer(const struct capture_spec *spec, int *family, uint8_t addr[16],
                      struct bench_error **err)
{
	memset(addr, 0, 16);
	if (spec->peer_addr == NULL)
		return spec_error(err, "capture: no peer address");
	if (inet_pton(AF_INET, spec->peer_addr, addr) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, spec->peer_addr, addr) == 1)
		*family = AF_INET6;
	else
		return spec_error(err, "capture: peer \"%.64s\" is not an IPv4 or IPv6 address",
		                  spec->peer_addr);
	if (spec->tcp_port == 0 && spec->udp_port == 0)
		return spec_error(err, "capture: neither a TCP nor a UDP port to watch");
	return 0;
}

int capture_filter(const struct capture_spec *spec, char *buf, size_t len, struct bench_error **err)
{
	int family;
	uint8_t addr[16];
	char text[INET6_ADDRSTRLEN];
	if (parse_peer(spec, &family, addr, err) < 0)
		return -1;
	inet_ntop(family, addr, text, sizeof(text));
	int n;
	if (spec->tcp_port != 0 && spec->udp_port != 0)
		n = snprintf(buf, len, "host %s and (tcp port %u or udp port %u)", text,
		             spec->tcp_port, spec->udp_port);
	else
		n = snprintf(buf, len, "host %s and %s port %u", text,
		             spec->tcp_port != 0 ? "tcp" : "udp",
		             spec->tcp_port != 0 ? spec->tcp_port : spec->udp_port);
	if (n < 0 || (size_t)n >= len)
		return bench_error_set(err, ENAMETOOLONG, "capture: filter too long");
	return 0;
}

static bool linktype_supported(int linktype)
{
	switch (linktype) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return true;
	}
	return false;
}

int capture_acc_new(const struct capture_spec *spec, int linktype, struct capture_acc **out,
                    struct bench_error **err)
{
	*out = NULL;
	if (!linktype_supported(linktype)) {
		const char *name = pcap_datalink_val_to_name(linktype);
		return bench_error_set(err, 0, "link type %d (%s) is not supported", linktype,
		                       name != NULL ? name : "unknown");
	}
	cleanup_free struct capture_acc *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return bench_error_set(err, errno, "capture: allocating counters");
	if (parse_peer(spec, &a->family, a->peer, err) < 0 ||
	    capture_filter(spec, a->filter, sizeof(a->filter), err) < 0)
		return -1;
	if (spec->iface != NULL && (a->iface = strdup(spec->iface)) == NULL)
		return bench_error_set(err, errno, "capture: copying the interface name");
	a->addr_len = a->family == AF_INET ? 4 : 16;
	a->linktype = linktype;
	a->tcp_port = spec->tcp_port;
	a->udp_port = spec->udp_port;
	a->rr = spec->request_response;
	*out = steal_pointer(&a);
	return 0;
}

void capture_acc_free(struct capture_acc *a)
{
	if (a == NULL)
		return;
	free(a->iface);
	free(a->flows);
	free(a->rr_us);
	free(a);
}

/* ---- decoding ------------------------------------------------------------- */

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

enum verdict { V_OK, V_TRUNCATED, V_MALFORMED, V_IGNORED, V_COUNTED };

static int ethertype_version(uint16_t type)
{
	return type == 0x0800 ? 4 : type == 0x86DD ? 6 : 0;
}

/* The IP version the link layer carries (4, 6, or 0 for anything else) and
 * where its header starts; V_TRUNCATED when the link header is cut short. */
static enum verdict link_decode(int linktype, const uint8_t *p, uint32_t caplen, uint32_t *off,
                                int *version)
{
	uint32_t af;
	*off = 0;
	switch (linktype) {
	case DLT_EN10MB: {
		if (caplen < 14)
			return V_TRUNCATED;
		uint16_t type = be16(p + 12);
		*off = 14;
		/* Up to two 802.1Q / 802.1ad tags. */
		for (int tags = 0; tags < 2 && (type == 0x8100 || type == 0x88A8 || type == 0x9100);
		     tags++) {
			if (caplen < *off + 4)
				return V_TRUNCATED;
			type = be16(p + *off + 2);
			*off += 4;
		}
		*version = ethertype_version(type);
		return V_OK;
	}
	case DLT_LINUX_SLL: /* packet type, ARPHRD, address length, address[8], protocol */
		if (caplen < 16)
			return V_TRUNCATED;
		*off = 16;
		*version = ethertype_version(be16(p + 14));
		return V_OK;
	case DLT_LINUX_SLL2: /* protocol, reserved, ifindex, ARPHRD, type, len, address[8] */
		if (caplen < 20)
			return V_TRUNCATED;
		*off = 20;
		*version = ethertype_version(be16(p));
		return V_OK;
	case DLT_RAW:
		if (caplen < 1)
			return V_TRUNCATED;
		*version = p[0] >> 4;
		return V_OK;
	case DLT_IPV4:
		*version = 4;
		return V_OK;
	case DLT_IPV6:
		*version = 6;
		return V_OK;
	case DLT_NULL: /* AF_ value in the writer's byte order */
	case DLT_LOOP: /* AF_ value in network byte order */
		if (caplen < 4)
			return V_TRUNCATED;
		*off = 4;
		if (linktype == DLT_LOOP) {
			af = be32(p);
		} else {
			memcpy(&af, p, 4);
			if ((af & 0xFFFF0000u) != 0)
				af = __builtin_bswap32(af);
		}
		/* AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD,
		 * OpenBSD), 28 (FreeBSD), 30 (macOS). */
		*version = af == 2 ? 4 : (af == 10 || af == 24 || af == 28 || af == 30) ? 6 : 0;
		return V_OK;
	}
	*version = 0;
	return V_OK;
}

/* The network layer as far as accounting needs it. */
struct l3 {
	int family;
	const uint8_t *src, *dst;
	uint8_t proto;   /* 6 TCP, 17 UDP, ... */
	uint32_t l4off;  /* offset of the transport header in the packet */
	uint32_t l4len;  /* transport header + payload bytes on the wire */
	bool first_frag; /* a fragment with offset 0 (its transport header is here) */
	bool later_frag; /* a fragment past offset 0: no transport header */
};

static enum verdict ipv4_decode(const uint8_t *p, uint32_t caplen, uint32_t wirelen, uint32_t off,
                                struct l3 *l3)
{
	if (caplen < off + 20)
		return V_TRUNCATED;
	const uint8_t *ip = p + off;
	uint32_t ihl = (uint32_t)(ip[0] & 0x0F) * 4;
	if (ip[0] >> 4 != 4 || ihl < 20)
		return V_MALFORMED;
	/* Options are not read, only skipped. */
	uint32_t total = be16(ip + 2);
	if (total == 0) /* TSO/BIG TCP: the length field is not filled in */
		total = wirelen > off ? wirelen - off : 0;
	if (total < ihl)
		return V_MALFORMED;
	uint16_t frag = be16(ip + 6);
	l3->family = AF_INET;
	l3->src = ip + 12;
	l3->dst = ip + 16;
	l3->proto = ip[9];
	l3->l4off = off + ihl;
	l3->l4len = total - ihl;
	l3->later_frag = (frag & 0x1FFF) != 0;
	l3->first_frag = !l3->later_frag && (frag & 0x2000) != 0;
	return V_OK;
}

static enum verdict ipv6_decode(const uint8_t *p, uint32_t caplen, uint32_t wirelen, uint32_t off,
                                struct l3 *l3)
{
	if (caplen < off + 40)
		return V_TRUNCATED;
	const uint8_t *ip = p + off;
	if (ip[0] >> 4 != 6)
		return V_MALFORMED;
	uint32_t len = be16(ip + 4);
	if (len == 0) /* jumbogram or BIG TCP */
		len = wirelen > off + 40 ? wirelen - off - 40 : 0;
	uint8_t next = ip[6];
	uint32_t pos = off + 40;
	l3->family = AF_INET6;
	l3->src = ip + 8;
	l3->dst = ip + 24;
	l3->first_frag = l3->later_frag = false;
	/* The basic extension headers: hop-by-hop, routing, destination
	 * options, fragment; anything else ends the chain. */
	for (int i = 0; i < 8; i++) {
		uint32_t hlen;
		if (next == 0 || next == 43 || next == 60) {
			if (caplen < pos + 2)
				return V_TRUNCATED;
			hlen = ((uint32_t)p[pos + 1] + 1) * 8;
		} else if (next == 44) {
			if (caplen < pos + 4)
				return V_TRUNCATED;
			hlen = 8;
			uint16_t frag = be16(p + pos + 2);
			l3->later_frag = (frag & 0xFFF8) != 0;
			l3->first_frag = !l3->later_frag && (frag & 1) != 0;
		} else {
			break;
		}
		if (hlen > len)
			return V_MALFORMED;
		next = p[pos];
		pos += hlen;
		len -= hlen;
		if (l3->later_frag)
			break;
	}
	l3->proto = next;
	l3->l4off = pos;
	l3->l4len = len;
	return V_OK;
}

/* ---- accounting ------------------------------------------------------------ */

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xCBF29CE484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001B3ull;
	return h;
}

static struct flow *flow_slot(struct flow *flows, size_t cap, const uint8_t *key)
{
	size_t i = (size_t)fnv1a(key, FLOW_KEY_LEN) & (cap - 1);
	while (flows[i].used && memcmp(flows[i].key, key, FLOW_KEY_LEN) != 0)
		i = (i + 1) & (cap - 1);
	return &flows[i];
}

/* The flow with this key, created if new; NULL (and a->oom) when the table
 * cannot grow. Open addressing, kept at most half full. */
static struct flow *flow_get(struct capture_acc *a, const uint8_t *key)
{
	if ((a->n_flows + 1) * 2 > a->cap_flows) {
		size_t cap = a->cap_flows ? a->cap_flows * 2 : 64;
		struct flow *grown = calloc(cap, sizeof(*grown));
		if (grown == NULL) {
			a->oom = true;
			return NULL;
		}
		for (size_t i = 0; i < a->cap_flows; i++) {
			if (a->flows[i].used)
				*flow_slot(grown, cap, a->flows[i].key) = a->flows[i];
		}
		free(a->flows);
		a->flows = grown;
		a->cap_flows = cap;
	}
	struct flow *f = flow_slot(a->flows, a->cap_flows, key);
	if (!f->used) {
		memcpy(f->key, key, FLOW_KEY_LEN);
		f->used = true;
		a->n_flows++;
	}
	return f;
}

static void rr_push(struct capture_acc *a, double us)
{
	if (a->n_rr == a->cap_rr) {
		size_t cap = a->cap_rr ? a->cap_rr * 2 : 1024;
		double *grown = realloc(a->rr_us, cap * sizeof(*grown));
		if (grown == NULL) {
			a->oom = true;
			return;
		}
		a->rr_us = grown;
		a->cap_rr = cap;
	}
	a->rr_us[a->n_rr++] = us;
}

/* Request/response pairing on one flow: the first to_peer payload packet
 * after a response (or at the start) opens a request; the first from_peer
 * payload packet after it closes it with one sample. Later segments of the
 * same request or response, and pure ACKs, change nothing. A SYN starts the
 * flow afresh. */
static void rr_packet(struct capture_acc *a, int dir, uint64_t ts, uint32_t payload,
                      const uint8_t *key, bool syn)
{
	if (payload == 0 && !syn)
		return;
	struct flow *f = flow_get(a, key);
	if (f == NULL)
		return;
	if (syn)
		f->pending = false;
	if (payload == 0)
		return;
	if (dir == TO_PEER) {
		if (!f->pending) {
			f->pending = true;
			f->t_req = ts;
		}
	} else if (f->pending) {
		f->pending = false;
		if (ts >= f->t_req) /* a file's clock may step back: no sample */
			rr_push(a, (double)(ts - f->t_req) / 1000.0);
	}
}

static bool is_peer(const struct capture_acc *a, const uint8_t *addr)
{
	return memcmp(addr, a->peer, a->addr_len) == 0;
}

/* Accounts a decoded IP packet: V_OK when it went into a direction. */
static enum verdict account(struct capture_acc *a, uint64_t ts, uint32_t caplen, uint32_t wirelen,
                            const uint8_t *p, const struct l3 *l3)
{
	if (l3->family != a->family)
		return V_IGNORED;
	if (l3->later_frag || l3->first_frag) {
		if (!is_peer(a, l3->src) && !is_peer(a, l3->dst))
			return V_IGNORED;
		a->fragments++;
		if (l3->later_frag) /* no ports: counted as a fragment only */
			return V_COUNTED;
	}
	const uint8_t *l4 = p + l3->l4off;
	uint16_t server;
	uint32_t payload;
	bool syn = false;
	if (l3->proto == 6) {
		if (caplen < l3->l4off + 20)
			return V_TRUNCATED;
		uint32_t doff = (uint32_t)(l4[12] >> 4) * 4;
		if (doff < 20 || doff > l3->l4len)
			return V_MALFORMED;
		payload = l3->l4len - doff;
		syn = (l4[13] & 0x02) != 0;
		server = a->tcp_port;
	} else if (l3->proto == 17) {
		if (caplen < l3->l4off + 8)
			return V_TRUNCATED;
		if (l3->l4len < 8)
			return V_MALFORMED;
		payload = l3->l4len - 8;
		server = a->udp_port;
	} else {
		return V_IGNORED;
	}
	uint16_t sport = be16(l4), dport = be16(l4 + 2);
	int dir;
	const uint8_t *client;
	uint16_t client_port;
	if (server != 0 && dport == server && is_peer(a, l3->dst)) {
		dir = TO_PEER;
		client = l3->src;
		client_port = sport;
	} else if (server != 0 && sport == server && is_peer(a, l3->src)) {
		dir = FROM_PEER;
		client = l3->dst;
		client_port = dport;
	} else {
		return V_IGNORED;
	}
	struct dir_counts *d = &a->dir[dir];
	d->packets++;
	d->bytes += wirelen;
	d->payload_bytes += payload;
	if (payload > 0)
		d->data_packets++;
	size_t b = 0;
	while (b < N_BUCKETS - 1 && payload > bucket_le[b])
		b++;
	d->hist[b]++;
	if (a->rr) {
		uint8_t key[FLOW_KEY_LEN] = {l3->proto, (uint8_t)(client_port >> 8),
		                             (uint8_t)client_port};
		memcpy(key + 3, client, a->addr_len);
		rr_packet(a, dir, ts, payload, key, syn);
	}
	return V_OK;
}

void capture_acc_packet(struct capture_acc *a, uint64_t ts_ns, uint32_t caplen, uint32_t wirelen,
                        const uint8_t *data)
{
	uint32_t off;
	int version;
	struct l3 l3;
	enum verdict v = link_decode(a->linktype, data, caplen, &off, &version);
	if (v == V_OK) {
		if (version == 4)
			v = ipv4_decode(data, caplen, wirelen, off, &l3);
		else if (version == 6)
			v = ipv6_decode(data, caplen, wirelen, off, &l3);
		else
			v = V_IGNORED;
	}
	if (v == V_OK)
		v = account(a, ts_ns, caplen, wirelen, data, &l3);
	if (v == V_TRUNCATED)
		a->truncated++;
	else if (v == V_MALFORMED)
		a->malformed++;
	else if (v == V_IGNORED)
		a->ignored++;
}

/* ---- the wire object ---------------------------------------------------- */

/* json_object_set_new that remembers a failure (a NULL o or value
 * included; jansson releases value in every case). */
static void put(json_t *o, const char *key, json_t *value, bool *failed)
{
	if (json_object_set_new(o, key, value) < 0)
		*failed = true;
}

static json_t *count(uint64_t n)
{
	return json_integer((json_int_t)n);
}

static json_t *dir_json(const struct dir_counts *d, bool *failed)
{
	json_t *o = json_object();
	put(o, "packets", count(d->packets), failed);
	put(o, "bytes", count(d->bytes), failed);
	put(o, "payload_bytes", count(d->payload_bytes), failed);
	return o;
}

static json_t *hist_json(const struct dir_counts *d, bool *failed)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < N_BUCKETS; i++) {
		json_t *b = json_object();
		put(b, "le", i < N_BUCKETS - 1 ? count(bucket_le[i]) : json_null(), failed);
		put(b, "count", count(d->hist[i]), failed);
		if (json_array_append_new(arr, b) < 0) /* releases b also when arr is NULL */
			*failed = true;
	}
	return arr;
}

static json_t *mean_payload(const struct dir_counts *d)
{
	if (d->data_packets == 0)
		return json_null();
	return json_real((double)d->payload_bytes / (double)d->data_packets);
}

static json_t *rr_json(struct capture_acc *a, bool *failed)
{
	json_t *o = json_object();
	put(o, "n", count(a->n_rr), failed);
	if (a->n_rr == 0) {
		put(o, "p50_us", json_null(), failed);
		put(o, "p99_us", json_null(), failed);
		put(o, "mean_us", json_null(), failed);
		return o;
	}
	percentile_sort(a->rr_us, a->n_rr);
	double sum = 0;
	for (size_t i = 0; i < a->n_rr; i++)
		sum += a->rr_us[i];
	put(o, "p50_us", json_real(percentile_sorted(a->rr_us, a->n_rr, 50)), failed);
	put(o, "p99_us", json_real(percentile_sorted(a->rr_us, a->n_rr, 99)), failed);
	put(o, "mean_us", json_real(sum / (double)a->n_rr), failed);
	return o;
}

int capture_acc_to_json(struct capture_acc *a, const char *source, int64_t dropped, json_t **out,
                        struct bench_error **err)
{
	*out = NULL;
	if (a->oom)
		return bench_error_set(err, ENOMEM, "capture: out of memory while accounting");
	bool failed = false;
	const char *link = pcap_datalink_val_to_name(a->linktype);
	json_t *o = json_object();
	put(o, "iface", a->iface != NULL ? json_string(a->iface) : json_null(), &failed);
	put(o, "filter", json_string(a->filter), &failed);
	put(o, "source", json_string(source), &failed);
	put(o, "linktype", link != NULL ? json_string(link) : json_null(), &failed);
	put(o, "to_peer", dir_json(&a->dir[TO_PEER], &failed), &failed);
	put(o, "from_peer", dir_json(&a->dir[FROM_PEER], &failed), &failed);
	json_t *seg = json_object();
	put(seg, "to_peer", hist_json(&a->dir[TO_PEER], &failed), &failed);
	put(seg, "from_peer", hist_json(&a->dir[FROM_PEER], &failed), &failed);
	put(seg, "mean_payload_to_peer", mean_payload(&a->dir[TO_PEER]), &failed);
	put(seg, "mean_payload_from_peer", mean_payload(&a->dir[FROM_PEER]), &failed);
	put(o, "segments", seg, &failed);
	if (a->rr)
		put(o, "request_response", rr_json(a, &failed), &failed);
	put(o, "truncated", count(a->truncated), &failed);
	put(o, "malformed", count(a->malformed), &failed);
	put(o, "fragments", count(a->fragments), &failed);
	put(o, "ignored", count(a->ignored), &failed);
	put(o, "dropped", dropped >= 0 ? json_integer(dropped) : json_null(), &failed);
	if (failed) {
		json_decref(o);
		return bench_error_set(err, ENOMEM, "capture: building the wire object");
	}
	*out = o;
	return 0;
}

/* ---- saved captures ------------------------------------------------------- */

static void pcap_closep(pcap_t **p)
{
	if (*p != NULL)
		pcap_close(*p);
}

static void acc_freep(struct capture_acc **a)
{
	capture_acc_free(*a);
}

int capture_file(const char *path, const struct capture_spec *spec, json_t **wire,
                 struct bench_error **err)
{
	*wire = NULL;
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	__attribute__((cleanup(pcap_closep))) pcap_t *p =
	    pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (p == NULL) {
		/* pcap names the file itself when it cannot open it. */
		size_t n = strlen(path);
		const char *why = strncmp(errbuf, path, n) == 0 && strncmp(errbuf + n, ": ", 2) == 0
		                      ? errbuf + n + 2
		                      : errbuf;
		return bench_error_set(err, 0, "reading capture %s: %s", path, why);
	}
	__attribute__((cleanup(acc_freep))) struct capture_acc *a = NULL;
	if (capture_acc_new(spec, pcap_datalink(p), &a, err) < 0)
		return bench_error_wrap(err, "reading capture %s", path);
	uint64_t scale = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000;
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;
	uint64_t records = 0;
	long good_end = ftell(pcap_file(p)); /* the end of the last whole record */
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		uint64_t ts =
		    (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec * scale;
		capture_acc_packet(a, ts, h->caplen, h->len, data);
		records++;
		good_end = ftell(pcap_file(p));
	}
	if (rc != PCAP_ERROR_BREAK && records == 0)
		return bench_error_set(err, 0, "reading capture %s: %s", path, pcap_geterr(p));
	if (capture_acc_to_json(a, "file", 0, wire, err) < 0)
		return -1;
	if (rc != PCAP_ERROR_BREAK) {
		/* A damaged tail (a capture cut short): the records before it
		 * are accounted, and the file says where it stopped. */
		json_object_set_new(*wire, "damaged",
		                    json_pack("{s:I, s:I, s:s}", "records_read",
		                              (json_int_t)records, "stopped_at_byte",
		                              (json_int_t)good_end, "error", pcap_geterr(p)));
		return CAPTURE_DAMAGED;
	}
	return 0;
}
