/* Tests for harness/capture*.c and `bench pcap-stats`: accounting of
 * capture files this test writes packet by packet (expected numbers worked
 * out by hand in the comments), a live capture over loopback, error paths,
 * bounds (every prefix of every packet, in exact-size heap buffers so ASan
 * sees any read past caplen) and the command line. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pcap/pcap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness/net/capture.h"
#include "testutil.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fixtures ---------------------------------------------------------- */

struct fixture {
	char dir[64];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_capture.XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	DIR *d = opendir(fx->dir);
	struct dirent *de;
	while (d != NULL && (de = readdir(d)) != NULL) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", fx->dir, de->d_name);
		if (de->d_name[0] != '.')
			unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static const char *path_in(const struct fixture *fx, const char *name)
{
	static char buf[4][256];
	static int next;
	char *p = buf[next++ % 4];
	snprintf(p, sizeof(buf[0]), "%s/%s", fx->dir, name);
	return p;
}

/* ---- building packets ---------------------------------------------------- */

struct pkt {
	uint8_t data[256]; /* captured bytes: headers, then zeros for payload */
	uint32_t caplen, len;
	uint64_t ts_us;
};

#define SNAP     128
#define TCP_PORT 5001
#define UDP_PORT 5002
enum { FIN = 0x01, SYN = 0x02, PSH = 0x08, ACK = 0x10 };

static const uint8_t C4[4] = {10, 0, 0, 1}, P4[4] = {10, 0, 0, 2};
static const uint8_t C6[16] = {0xfd, [15] = 1}, P6[16] = {0xfd, [15] = 2};

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static size_t eth(uint8_t *p, uint16_t type)
{
	memset(p, 0, 12);
	p[0] = p[6] = 0x02;
	p[5] = 1;
	p[11] = 2;
	put16(p + 12, type);
	return 14;
}

/* IPv4 header of ihl bytes (20, or 24 with options); total length 0 when
 * it does not fit 16 bits, as TSO/BIG TCP captures show it. */
static size_t ipv4(uint8_t *p, const uint8_t *src, const uint8_t *dst, uint8_t proto,
                   uint32_t l4len, size_t ihl, uint16_t frag)
{
	memset(p, 0, ihl);
	p[0] = (uint8_t)(0x40 | ihl / 4);
	put16(p + 2, ihl + l4len > 0xFFFF ? 0 : (uint32_t)ihl + l4len);
	put16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	return ihl;
}

static size_t ipv6(uint8_t *p, const uint8_t *src, const uint8_t *dst, uint8_t next, uint32_t plen)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	put16(p + 4, plen);
	p[6] = next;
	p[7] = 64;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	return 40;
}

static size_t tcp(uint8_t *p, uint16_t sport, uint16_t dport, uint8_t flags)
{
	memset(p, 0, 20);
	put16(p, sport);
	put16(p + 2, dport);
	p[12] = 5 << 4;
	p[13] = flags;
	put16(p + 14, 65535);
	return 20;
}

static size_t udp(uint8_t *p, uint16_t sport, uint16_t dport, uint32_t payload)
{
	put16(p, sport);
	put16(p + 2, dport);
	put16(p + 4, 8 + payload);
	p[6] = p[7] = 0;
	return 8;
}

/* The link header of dlt for an IP packet of the given version. */
static size_t link_header(int dlt, uint8_t *p, int version)
{
	uint16_t type = version == 4 ? 0x0800 : 0x86DD;
	uint32_t af = version == 4 ? 2 : 10;
	switch (dlt) {
	case DLT_EN10MB:
		return eth(p, type);
	case DLT_LINUX_SLL: /* host, ARPHRD_LOOPBACK, 6-byte address, protocol */
		memset(p, 0, 16);
		put16(p + 2, 772);
		put16(p + 4, 6);
		put16(p + 14, type);
		return 16;
	case DLT_LINUX_SLL2: /* protocol, reserved, ifindex 1, ARPHRD_LOOPBACK, ... */
		memset(p, 0, 20);
		put16(p, type);
		p[7] = 1;
		put16(p + 8, 772);
		p[11] = 6;
		return 20;
	case DLT_NULL: /* host byte order */
		memcpy(p, &af, 4);
		return 4;
	case DLT_LOOP: /* network byte order */
		af = htonl(af);
		memcpy(p, &af, 4);
		return 4;
	}
	return 0; /* RAW, IPV4, IPV6 */
}

static void finish(struct pkt *k, uint32_t len)
{
	k->len = len;
	k->caplen = len < SNAP ? len : SNAP;
}

/* One TCP (proto 6) or UDP (17) packet between the client (port cport)
 * and the peer's server port, either way. */
static struct pkt mk(int dlt, uint64_t t, int version, uint8_t proto, bool to_peer, uint16_t cport,
                     uint32_t payload, uint8_t flags)
{
	struct pkt k = {.ts_us = t};
	uint8_t *p = k.data;
	size_t off = link_header(dlt, p, version);
	const uint8_t *c = version == 4 ? C4 : C6, *s = version == 4 ? P4 : P6;
	uint16_t server = proto == 6 ? TCP_PORT : UDP_PORT;
	uint32_t l4len = (proto == 6 ? 20 : 8) + payload;
	if (version == 4)
		off += ipv4(p + off, to_peer ? c : s, to_peer ? s : c, proto, l4len, 20, 0);
	else
		off += ipv6(p + off, to_peer ? c : s, to_peer ? s : c, proto, l4len);
	if (proto == 6)
		off += tcp(p + off, to_peer ? cport : server, to_peer ? server : cport, flags);
	else
		off += udp(p + off, to_peer ? cport : server, to_peer ? server : cport, payload);
	finish(&k, (uint32_t)off + payload);
	return k;
}

#define E4TCP(t, to, payload, flags) mk(DLT_EN10MB, t, 4, 6, to, 40000, payload, flags)
#define E4UDP(t, to, payload)        mk(DLT_EN10MB, t, 4, 17, to, 40001, payload, 0)

/* The Ethernet capture. With peer 10.0.0.2 (TCP 5001, UDP 5002):
 *   to_peer: #1 #3 #4 #7 #8 #9 #12 #14 #22: 9 packets,
 *     bytes 54+54+118+54+118+2054+74+78+68 = 2672,
 *     payload 64+64+2000+32+32+10 = 2202 over 6 data packets (mean 367),
 *     buckets 0:3 (#1 #3 #7), <=100:5, <=1500:0, <=9000:1 (#9), rest 0;
 *   from_peer: #2 #5 #6 #10 #11 #13 #15: 7 packets,
 *     bytes 54+54+1054+20054+70054+74+74 = 91418,
 *     payload 1000+20000+70000+32+32 = 91064 over 5 (mean 18212.8),
 *     buckets 0:2, <=100:2, <=1500:1, <=9000:0, <=16384:0, <=65535:1, above:1;
 *   request/response: TCP 200-100 = 100 and 600-300 = 300 (#9 continues the
 *     request of #8, #11 the response of #10, #22 opens one never answered),
 *     UDP 1050-1000 = 50 and 1500-1100 = 400: sorted 50 100 300 400, p50 200,
 *     p99 300 + 0.97 * 100 = 397, mean 212.5;
 *   truncated 1 (#16), malformed 1 (#23), fragments 1 (#21),
 *   ignored 4 (#17 other port, #18 ARP, #19 #20 IPv6).
 * With peer fd00::2 instead: #19 to_peer (162 bytes, payload 100), #20
 * from_peer (262, 200), one time of 50 us; truncated 1 and malformed 1 (cut
 * or broken before the address family is known), ignored the other 19. */
static size_t eth_capture(struct pkt *k)
{
	size_t n = 0, off;
	k[n++] = E4TCP(0, true, 0, SYN);              /* #1 */
	k[n++] = E4TCP(10, false, 0, SYN | ACK);      /* #2 */
	k[n++] = E4TCP(20, true, 0, ACK);             /* #3 */
	k[n++] = E4TCP(100, true, 64, PSH | ACK);     /* #4 request 1 */
	k[n++] = E4TCP(150, false, 0, ACK);           /* #5 pure ACK: not a response */
	k[n++] = E4TCP(200, false, 1000, PSH | ACK);  /* #6 response 1 */
	k[n++] = E4TCP(210, true, 0, ACK);            /* #7 */
	k[n++] = E4TCP(300, true, 64, PSH | ACK);     /* #8 request 2 */
	k[n++] = E4TCP(350, true, 2000, ACK);         /* #9 more of request 2 */
	k[n++] = E4TCP(600, false, 20000, ACK);       /* #10 response 2 */
	k[n++] = E4TCP(610, false, 70000, PSH | ACK); /* #11 IPv4 total length 0 */
	k[n++] = E4UDP(1000, true, 32);               /* #12 */
	k[n++] = E4UDP(1050, false, 32);              /* #13 */
	/* #14: UDP request with 4 bytes of IPv4 options. */
	k[n] = (struct pkt){.ts_us = 1100};
	off = eth(k[n].data, 0x0800);
	off += ipv4(k[n].data + off, C4, P4, 17, 8 + 32, 24, 0);
	off += udp(k[n].data + off, 40001, UDP_PORT, 32);
	finish(&k[n++], (uint32_t)off + 32);
	k[n++] = E4UDP(1500, false, 32); /* #15 */
	/* #16: cut in the IPv4 header. */
	k[n] = E4TCP(1600, true, 64, PSH | ACK);
	k[n++].caplen = 14 + 10;
	/* #17: another TCP port. */
	k[n] = E4TCP(1700, true, 10, PSH | ACK);
	put16(k[n++].data + 14 + 20 + 2, 22);
	/* #18: ARP. */
	k[n] = (struct pkt){.ts_us = 1800};
	off = eth(k[n].data, 0x0806);
	finish(&k[n++], (uint32_t)off + 28);
	k[n++] = mk(DLT_EN10MB, 1900, 6, 17, true, 40003, 100, 0);  /* #19 */
	k[n++] = mk(DLT_EN10MB, 1950, 6, 17, false, 40003, 200, 0); /* #20 */
	/* #21: a later IPv4 fragment from the peer (offset 1480). */
	k[n] = (struct pkt){.ts_us = 2000};
	off = eth(k[n].data, 0x0800);
	off += ipv4(k[n].data + off, P4, C4, 17, 100, 20, 1480 / 8);
	finish(&k[n++], (uint32_t)off + 100);
	/* #22: VLAN-tagged request, never answered. */
	k[n] = (struct pkt){.ts_us = 2100};
	off = eth(k[n].data, 0x8100);
	put16(k[n].data + off, 100);
	put16(k[n].data + off + 2, 0x0800);
	off += 4;
	off += ipv4(k[n].data + off, C4, P4, 6, 20 + 10, 20, 0);
	off += tcp(k[n].data + off, 40000, TCP_PORT, PSH | ACK);
	finish(&k[n++], (uint32_t)off + 10);
	/* #23: IPv4 header length 16. */
	k[n] = E4UDP(2200, true, 32);
	k[n++].data[14] = 0x44;
	return n;
}

/* The raw IP (DLT_RAW) capture, peer fd00::2:
 *   R1 t=0 UDP request, hop-by-hop header, payload 100: 40+8+8+100 = 156;
 *   R2 t=25 UDP response, payload 200: 40+8+200 = 248 (one time: 25 us);
 *   R3 IPv4 TCP: ignored; R4 IPv6 cut at 30 bytes: truncated;
 *   R5 t=50 first fragment of a UDP request (fragment header, payload 500
 *      here): 40+8+8+500 = 556, to_peer and a fragment, never answered;
 *   R6 a later fragment to the peer: a fragment only.
 * to_peer 2 packets, 712 bytes, payload 600; from_peer 1, 248, 200. */
static size_t raw_capture(struct pkt *k)
{
	size_t n = 0, off;
	k[n] = (struct pkt){.ts_us = 0};
	off = ipv6(k[n].data, C6, P6, 0, 8 + 8 + 100);
	k[n].data[off] = 17; /* hop-by-hop: next header UDP, 8 bytes, padding */
	off += 8;
	off += udp(k[n].data + off, 40005, UDP_PORT, 100);
	finish(&k[n++], (uint32_t)off + 100);
	k[n++] = mk(DLT_RAW, 25, 6, 17, false, 40005, 200, 0);
	k[n++] = mk(DLT_RAW, 30, 4, 6, true, 40000, 10, PSH | ACK);
	k[n] = mk(DLT_RAW, 40, 6, 17, true, 40005, 100, 0);
	k[n++].caplen = 30;
	k[n] = (struct pkt){.ts_us = 50};
	off = ipv6(k[n].data, C6, P6, 44, 8 + 8 + 500);
	k[n].data[off] = 17;
	put16(k[n].data + off + 2, 0x0001); /* offset 0, more fragments */
	off += 8;
	off += udp(k[n].data + off, 40006, UDP_PORT, 1000);
	finish(&k[n++], (uint32_t)off + 500);
	k[n] = (struct pkt){.ts_us = 60};
	off = ipv6(k[n].data, C6, P6, 44, 8 + 508);
	k[n].data[off] = 17;
	put16(k[n].data + off + 2, 504); /* offset 504, last fragment */
	off += 8;
	finish(&k[n++], (uint32_t)off + 508);
	return n;
}

static void write_pcap(const char *path, int dlt, const struct pkt *k, size_t n)
{
	pcap_t *pd = pcap_open_dead(dlt, 65535);
	assert_non_null(pd);
	pcap_dumper_t *d = pcap_dump_open(pd, path);
	if (d == NULL)
		fail_msg("pcap_dump_open %s: %s", path, pcap_geterr(pd));
	for (size_t i = 0; i < n; i++) {
		struct pcap_pkthdr h = {
		    .ts = {.tv_sec = 1700000000 + (time_t)(k[i].ts_us / 1000000),
		           .tv_usec = (suseconds_t)(k[i].ts_us % 1000000)},
		    .caplen = k[i].caplen,
		    .len = k[i].len,
		};
		pcap_dump((u_char *)d, &h, k[i].data);
	}
	pcap_dump_close(d);
	pcap_close(pd);
}

static const char *write_eth_file(const struct fixture *fx)
{
	struct pkt k[32];
	size_t n = eth_capture(k);
	assert_int_equal(n, 23);
	const char *path = path_in(fx, "eth.pcap");
	write_pcap(path, DLT_EN10MB, k, n);
	return path;
}

/* ---- reading the wire object ---------------------------------------------- */

/* The value at a dotted path ("segments.to_peer.3.count"; numbers index
 * arrays), failing the test when it is missing. */
static json_t *at(json_t *o, const char *path)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *save, *tok = strtok_r(buf, ".", &save); tok != NULL;
	     tok = strtok_r(NULL, ".", &save))
		o = json_is_array(o) ? json_array_get(o, strtoul(tok, NULL, 10))
		                     : json_object_get(o, tok);
	if (o == NULL)
		fail_msg("wire object has no %s", path);
	return o;
}

static long long geti(json_t *o, const char *path)
{
	json_t *v = at(o, path);
	if (!json_is_integer(v))
		fail_msg("%s is not an integer", path);
	return json_integer_value(v);
}

static double getf(json_t *o, const char *path)
{
	json_t *v = at(o, path);
	if (!json_is_number(v))
		fail_msg("%s is not a number", path);
	return json_number_value(v);
}

static void check_dir(json_t *w, const char *dir, long long packets, long long bytes,
                      long long payload)
{
	char p[64];
	snprintf(p, sizeof(p), "%s.packets", dir);
	assert_int_equal(geti(w, p), packets);
	snprintf(p, sizeof(p), "%s.bytes", dir);
	assert_int_equal(geti(w, p), bytes);
	snprintf(p, sizeof(p), "%s.payload_bytes", dir);
	assert_int_equal(geti(w, p), payload);
}

static void check_hist(json_t *w, const char *dir, const long long counts[7])
{
	static const long long le[] = {0, 100, 1500, 9000, 16384, 65535};
	char p[64];
	snprintf(p, sizeof(p), "segments.%s", dir);
	assert_int_equal(json_array_size(at(w, p)), 7);
	for (size_t i = 0; i < 7; i++) {
		snprintf(p, sizeof(p), "segments.%s.%zu.le", dir, i);
		if (i < 6)
			assert_int_equal(geti(w, p), le[i]);
		else
			assert_true(json_is_null(at(w, p)));
		snprintf(p, sizeof(p), "segments.%s.%zu.count", dir, i);
		if (geti(w, p) != counts[i])
			fail_msg("%s: %lld, expected %lld", p, geti(w, p), counts[i]);
	}
}

static void check_counters(json_t *w, long long truncated, long long malformed, long long fragments,
                           long long ignored)
{
	assert_int_equal(geti(w, "truncated"), truncated);
	assert_int_equal(geti(w, "malformed"), malformed);
	assert_int_equal(geti(w, "fragments"), fragments);
	assert_int_equal(geti(w, "ignored"), ignored);
	assert_int_equal(geti(w, "dropped"), 0);
}

/* ---- 1. saved captures ------------------------------------------------------- */

static const struct capture_spec spec4 = {
    .peer_addr = "10.0.0.2", .tcp_port = TCP_PORT, .udp_port = UDP_PORT, .request_response = true};
static const struct capture_spec spec6 = {
    .peer_addr = "fd00::2", .tcp_port = TCP_PORT, .udp_port = UDP_PORT, .request_response = true};

static void test_file_ethernet(void **state)
{
	const char *path = write_eth_file(*state);
	struct bench_error *err = NULL;
	json_t *w;
	if (capture_file(path, &spec4, &w, &err) < 0)
		fail_msg("%s", err->msg);
	if (getenv("TEST_CAPTURE_VERBOSE") != NULL)
		json_dumpf(w, stderr, JSON_INDENT(1)), fputc('\n', stderr);
	assert_true(json_is_null(at(w, "iface")));
	assert_string_equal(json_string_value(at(w, "filter")),
	                    "host 10.0.0.2 and (tcp port 5001 or udp port 5002)");
	assert_string_equal(json_string_value(at(w, "source")), "file");
	assert_string_equal(json_string_value(at(w, "linktype")), "EN10MB");
	check_dir(w, "to_peer", 9, 2672, 2202);
	check_dir(w, "from_peer", 7, 91418, 91064);
	check_hist(w, "to_peer", (const long long[]){3, 5, 0, 1, 0, 0, 0});
	check_hist(w, "from_peer", (const long long[]){2, 2, 1, 0, 0, 1, 1});
	assert_float_equal(getf(w, "segments.mean_payload_to_peer"), 367.0, 1e-9);
	assert_float_equal(getf(w, "segments.mean_payload_from_peer"), 18212.8, 1e-9);
	assert_int_equal(geti(w, "request_response.n"), 4);
	assert_float_equal(getf(w, "request_response.p50_us"), 200.0, 1e-9);
	assert_float_equal(getf(w, "request_response.p99_us"), 397.0, 1e-9);
	assert_float_equal(getf(w, "request_response.mean_us"), 212.5, 1e-9);
	check_counters(w, 1, 1, 1, 4);
	json_decref(w);

	/* Same file, IPv6 peer. */
	assert_int_equal(capture_file(path, &spec6, &w, &err), 0);
	assert_string_equal(json_string_value(at(w, "filter")),
	                    "host fd00::2 and (tcp port 5001 or udp port 5002)");
	check_dir(w, "to_peer", 1, 162, 100);
	check_dir(w, "from_peer", 1, 262, 200);
	assert_int_equal(geti(w, "request_response.n"), 1);
	assert_float_equal(getf(w, "request_response.p50_us"), 50.0, 1e-9);
	assert_float_equal(getf(w, "request_response.p99_us"), 50.0, 1e-9);
	check_counters(w, 1, 1, 0, 19);
	json_decref(w);

	/* Without request_response there is no such member; with only a
	 * TCP port the UDP packets are ignored and the filter says so. */
	struct capture_spec tcp_only = {.iface = "eth9", .peer_addr = "10.0.0.2", .tcp_port = 5001};
	assert_int_equal(capture_file(path, &tcp_only, &w, &err), 0);
	assert_null(json_object_get(w, "request_response"));
	assert_string_equal(json_string_value(at(w, "iface")), "eth9");
	assert_string_equal(json_string_value(at(w, "filter")), "host 10.0.0.2 and tcp port 5001");
	check_dir(w, "to_peer", 7, 2672 - 74 - 78, 2202 - 64);
	check_dir(w, "from_peer", 5, 91418 - 148, 91000);
	check_counters(w, 1, 1, 1, 4 + 4); /* #21 has no port: still a fragment */
	json_decref(w);
	assert_null(err);
}

static void test_file_raw_ipv6(void **state)
{
	struct pkt k[8];
	size_t n = raw_capture(k);
	const char *path = path_in(*state, "raw.pcap");
	write_pcap(path, DLT_RAW, k, n);
	struct bench_error *err = NULL;
	json_t *w;
	if (capture_file(path, &spec6, &w, &err) < 0)
		fail_msg("%s", err->msg);
	assert_string_equal(json_string_value(at(w, "linktype")), "RAW");
	check_dir(w, "to_peer", 2, 712, 600);
	check_dir(w, "from_peer", 1, 248, 200);
	check_hist(w, "to_peer", (const long long[]){0, 1, 1, 0, 0, 0, 0});
	check_hist(w, "from_peer", (const long long[]){0, 0, 1, 0, 0, 0, 0});
	assert_int_equal(geti(w, "request_response.n"), 1);
	assert_float_equal(getf(w, "request_response.p50_us"), 25.0, 1e-9);
	assert_float_equal(getf(w, "request_response.p99_us"), 25.0, 1e-9);
	assert_float_equal(getf(w, "request_response.mean_us"), 25.0, 1e-9);
	check_counters(w, 1, 0, 2, 1);
	json_decref(w);
}

/* One request and its response under every link type that is decoded. */
static void test_file_link_types(void **state)
{
	const struct {
		int dlt, version;
		uint32_t link_len;
	} types[] = {
	    {DLT_EN10MB, 4, 14}, {DLT_LINUX_SLL, 4, 16}, {DLT_LINUX_SLL2, 6, 20}, {DLT_RAW, 4, 0},
	    {DLT_IPV4, 4, 0},    {DLT_IPV6, 6, 0},       {DLT_NULL, 6, 4},        {DLT_LOOP, 4, 4},
	};
	for (size_t i = 0; i < N(types); i++) {
		int v = types[i].version;
		struct pkt k[2] = {
		    mk(types[i].dlt, 1000, v, 6, true, 41000, 10, PSH | ACK),
		    mk(types[i].dlt, 1007, v, 6, false, 41000, 20, PSH | ACK),
		};
		const char *path = path_in(*state, "link.pcap");
		write_pcap(path, types[i].dlt, k, 2);
		struct bench_error *err = NULL;
		json_t *w;
		if (capture_file(path, v == 4 ? &spec4 : &spec6, &w, &err) < 0)
			fail_msg("%s: %s", pcap_datalink_val_to_name(types[i].dlt), err->msg);
		uint32_t head = types[i].link_len + (v == 4 ? 20 : 40) + 20;
		assert_string_equal(json_string_value(at(w, "linktype")),
		                    pcap_datalink_val_to_name(types[i].dlt));
		check_dir(w, "to_peer", 1, head + 10, 10);
		check_dir(w, "from_peer", 1, head + 20, 20);
		assert_int_equal(geti(w, "request_response.n"), 1);
		assert_float_equal(getf(w, "request_response.p50_us"), 7.0, 1e-9);
		check_counters(w, 0, 0, 0, 0);
		json_decref(w);
	}
}

/* Every prefix of every packet, each in a heap buffer of exactly that size
 * (ASan reports any read past caplen), then random corruption. */
static void feed_prefixes(int dlt, const struct capture_spec *spec, const struct pkt *k, size_t n)
{
	struct capture_acc *a;
	struct bench_error *err = NULL;
	assert_int_equal(capture_acc_new(spec, dlt, &a, &err), 0);
	uint64_t calls = 0, x = 0x9E3779B97F4A7C15ull;
	for (size_t i = 0; i < n; i++) {
		for (uint32_t cut = 0; cut <= k[i].caplen; cut++, calls++) {
			uint8_t *buf = malloc(cut > 0 ? cut : 1);
			assert_non_null(buf);
			memcpy(buf, k[i].data, cut);
			capture_acc_packet(a, k[i].ts_us * 1000, cut, k[i].len, buf);
			free(buf);
		}
		for (int m = 0; m < 300; m++, calls++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			uint32_t cut = (uint32_t)(x % (k[i].caplen + 1));
			uint8_t *buf = malloc(cut > 0 ? cut : 1);
			assert_non_null(buf);
			memcpy(buf, k[i].data, cut);
			for (int e = 0; cut > 0 && e < 1 + m % 3; e++)
				buf[(x >> (8 * e + 16)) % cut] = (uint8_t)(x >> (8 * e + 8));
			capture_acc_packet(a, x >> 40, cut, (uint32_t)(x >> 24), buf);
			free(buf);
		}
	}
	json_t *w;
	assert_int_equal(capture_acc_to_json(a, "file", 0, &w, &err), 0);
	long long seen = geti(w, "to_peer.packets") + geti(w, "from_peer.packets") +
	                 geti(w, "truncated") + geti(w, "malformed") + geti(w, "ignored") +
	                 geti(w, "fragments");
	assert_true(seen >= (long long)calls);             /* each call counted somewhere */
	assert_true(geti(w, "truncated") >= (long long)n); /* at least every cut at 0 */
	json_decref(w);
	capture_acc_free(a);
}

static void test_bounds(void **state)
{
	(void)state;
	struct pkt k[32];
	size_t n = eth_capture(k);
	feed_prefixes(DLT_EN10MB, &spec4, k, n);
	feed_prefixes(DLT_EN10MB, &spec6, k, n);
	n = raw_capture(k);
	feed_prefixes(DLT_RAW, &spec6, k, n);
	const int dlts[] = {DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_IPV4, DLT_NULL, DLT_LOOP};
	for (size_t i = 0; i < N(dlts); i++) {
		struct pkt two[2] = {mk(dlts[i], 0, 4, 6, true, 41000, 10, PSH | ACK),
		                     mk(dlts[i], 5, 4, 17, false, 41000, 20, 0)};
		feed_prefixes(dlts[i], &spec4, two, 2);
	}
}

/* ---- 2. live capture on loopback ------------------------------------------- */

static void read_full(int fd, char *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t r = read(fd, buf + got, len - got);
		assert_true(r > 0);
		got += (size_t)r;
	}
}

static struct capture *start_or_skip(const struct capture_spec *spec)
{
	struct capture *c = NULL;
	struct bench_error *err = NULL;
	if (capture_start(spec, &c, &err) < 0) {
		if (err->status == EPERM) {
			print_message("skipping live capture: %s\n", err->msg);
			bench_error_free(&err);
			skip();
		}
		fail_msg("capture_start: %s", err->msg);
	}
	return c;
}

static long long data_packets(json_t *w, const char *dir)
{
	long long sum = 0;
	char p[64];
	for (int i = 1; i < 7; i++) {
		snprintf(p, sizeof(p), "segments.%s.%d.count", dir, i);
		sum += geti(w, p);
	}
	return sum;
}

#define EXCHANGES 20

static void test_live_loopback_tcp(void **state)
{
	(void)state;
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(ls >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t salen = sizeof(sa);
	assert_int_equal(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(ls, 1), 0);
	assert_int_equal(getsockname(ls, (struct sockaddr *)&sa, &salen), 0);
	struct capture_spec spec = {.iface = "lo",
	                            .peer_addr = "127.0.0.1",
	                            .tcp_port = ntohs(sa.sin_port),
	                            .request_response = true};
	struct capture *c = start_or_skip(&spec);

	int cs = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(cs, (struct sockaddr *)&sa, sizeof(sa)), 0);
	int ss = accept(ls, NULL, NULL);
	assert_true(ss >= 0);
	int one = 1;
	setsockopt(cs, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(ss, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	char req[16] = "request", resp[16] = "response", buf[16];
	for (int i = 0; i < EXCHANGES; i++) {
		assert_int_equal(write(cs, req, sizeof(req)), sizeof(req));
		read_full(ss, buf, sizeof(buf));
		assert_int_equal(write(ss, resp, sizeof(resp)), sizeof(resp));
		read_full(cs, buf, sizeof(buf));
	}
	close(cs);
	close(ss);
	close(ls);

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	json_t *w;
	struct bench_error *err = NULL;
	if (capture_stop(c, &w, &err) < 0)
		fail_msg("capture_stop: %s", err->msg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double stop_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (getenv("TEST_CAPTURE_VERBOSE") != NULL) {
		json_dumpf(w, stderr, JSON_INDENT(1));
		fprintf(stderr, "\nstop took %.3f s\n", stop_s);
	}
	assert_true(stop_s < 1.0);
	assert_string_equal(json_string_value(at(w, "source")), "live");
	assert_string_equal(json_string_value(at(w, "iface")), "lo");
	assert_true(geti(w, "to_peer.packets") > 0);
	assert_true(geti(w, "from_peer.packets") > 0);
	/* Each request and each response is one 16-byte segment: a packet
	 * counted twice on lo would show up here as more than EXCHANGES. */
	assert_true(data_packets(w, "to_peer") <= EXCHANGES);
	assert_true(data_packets(w, "from_peer") <= EXCHANGES);
	assert_true(data_packets(w, "to_peer") >= EXCHANGES - 2);
	long long n = geti(w, "request_response.n");
	assert_true(n >= EXCHANGES - 2 && n <= EXCHANGES);
	assert_true(getf(w, "request_response.p50_us") > 0);
	assert_true(getf(w, "request_response.p99_us") >= getf(w, "request_response.p50_us"));
	assert_int_equal(geti(w, "truncated"), 0);
	assert_int_equal(geti(w, "to_peer.payload_bytes"), 16 * data_packets(w, "to_peer"));
	json_decref(w);
}

static void test_live_loopback_udp6(void **state)
{
	(void)state;
	int srv = socket(AF_INET6, SOCK_DGRAM, 0), cli = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	socklen_t salen = sizeof(sa);
	if (srv < 0 || cli < 0 || bind(srv, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		print_message("skipping: no IPv6 loopback (%s)\n", strerror(errno));
		if (srv >= 0)
			close(srv);
		if (cli >= 0)
			close(cli);
		skip();
	}
	assert_int_equal(getsockname(srv, (struct sockaddr *)&sa, &salen), 0);
	struct capture_spec spec = {.iface = "lo",
	                            .peer_addr = "::1",
	                            .udp_port = ntohs(sa.sin6_port),
	                            .request_response = true};
	struct capture *c = start_or_skip(&spec);
	assert_int_equal(connect(cli, (struct sockaddr *)&sa, sizeof(sa)), 0);
	char buf[64];
	for (int i = 0; i < 5; i++) {
		struct sockaddr_in6 from;
		socklen_t fromlen = sizeof(from);
		assert_int_equal(send(cli, "ping", 4, 0), 4);
		assert_int_equal(
		    recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen), 4);
		assert_int_equal(sendto(srv, "pong!", 5, 0, (struct sockaddr *)&from, fromlen), 5);
		assert_int_equal(recv(cli, buf, sizeof(buf), 0), 5);
	}
	close(cli);
	close(srv);
	json_t *w;
	struct bench_error *err = NULL;
	if (capture_stop(c, &w, &err) < 0)
		fail_msg("capture_stop: %s", err->msg);
	/* Exactly: UDP has no handshake or ACKs. */
	check_dir(w, "to_peer", 5, 5 * (14 + 40 + 8 + 4), 5 * 4);
	check_dir(w, "from_peer", 5, 5 * (14 + 40 + 8 + 5), 5 * 5);
	assert_int_equal(geti(w, "request_response.n"), 5);
	json_decref(w);
}

/* A capture that sees nothing stops promptly; abort and NULL are safe. */
static void test_live_idle_and_abort(void **state)
{
	(void)state;
	struct capture_spec spec = {.iface = "lo", .peer_addr = "127.0.0.1", .tcp_port = 9};
	struct capture *c = start_or_skip(&spec);
	json_t *w;
	struct bench_error *err = NULL;
	assert_int_equal(capture_stop(c, &w, &err), 0);
	check_dir(w, "to_peer", 0, 0, 0);
	assert_true(json_is_null(at(w, "segments.mean_payload_to_peer")));
	json_decref(w);
	capture_abort(start_or_skip(&spec));
	capture_abort(NULL);
	assert_int_equal(capture_stop(NULL, &w, &err), 0);
	assert_null(w);
}

/* ---- 3. error paths --------------------------------------------------------- */

static void expect_error(int rc, struct bench_error **err, const char *fragment)
{
	assert_int_equal(rc, -1);
	assert_non_null(*err);
	if (strstr((*err)->msg, fragment) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", (*err)->msg, fragment);
	if (getenv("TEST_CAPTURE_VERBOSE") != NULL)
		print_message("%s\n", (*err)->msg);
	bench_error_free(err);
}

static void test_errors(void **state)
{
	struct fixture *fx = *state;
	struct capture *c = NULL;
	struct bench_error *err = NULL;
	json_t *w = NULL;
	struct capture_spec spec = {.iface = "nosuchif0", .peer_addr = "127.0.0.1", .tcp_port = 1};
	assert_int_equal(capture_start(&spec, &c, &err), -1);
	assert_null(c);
	assert_int_equal(err->status, ENODEV);
	expect_error(-1, &err, "nosuchif0");

	spec.iface = "lo";
	spec.peer_addr = "localhost or 1=1";
	expect_error(capture_start(&spec, &c, &err), &err, "not an IPv4 or IPv6 address");
	spec.peer_addr = "127.0.0.1";
	spec.tcp_port = 0;
	expect_error(capture_start(&spec, &c, &err), &err, "neither a TCP nor a UDP port");
	spec.iface = NULL;
	spec.tcp_port = 1;
	expect_error(capture_start(&spec, &c, &err), &err, "no interface given");

	const char *missing = path_in(fx, "missing.pcap");
	expect_error(capture_file(missing, &spec4, &w, &err), &err, missing);
	assert_null(w);
	const char *garbage = path_in(fx, "garbage.pcap");
	FILE *f = fopen(garbage, "w");
	assert_non_null(f);
	fputs("this is not a capture file, just some text that is long enough\n", f);
	fclose(f);
	expect_error(capture_file(garbage, &spec4, &w, &err), &err, garbage);
	const char *empty = path_in(fx, "empty.pcap");
	fclose(fopen(empty, "w"));
	expect_error(capture_file(empty, &spec4, &w, &err), &err, empty);

	/* A record cut short at the end of the file. */
	const char *good = write_eth_file(fx);
	struct stat st;
	assert_int_equal(stat(good, &st), 0);
	assert_int_equal(truncate(good, st.st_size - 5), 0);
	/* The 22 whole records before it are accounted, and where it stopped
	 * is said: the end of record 22, the file's size less the 16-byte
	 * header and the 5 bytes left of the last record. */
	assert_int_equal(capture_file(good, &spec4, &w, &err), CAPTURE_DAMAGED);
	assert_null(err);
	json_t *damaged = json_object_get(w, "damaged");
	assert_non_null(damaged);
	assert_int_equal(geti(damaged, "records_read"), 22);
	struct pkt cut[32];
	size_t n_cut = eth_capture(cut);
	long long last = 16 + (long long)cut[n_cut - 1].caplen;
	assert_int_equal(geti(damaged, "stopped_at_byte"), (long long)st.st_size - last);
	assert_non_null(strstr(json_string_value(json_object_get(damaged, "error")), "truncated"));
	json_decref(w);
	w = NULL;
	/* Damaged in its first record: nothing to account, an error. */
	assert_int_equal(truncate(good, 24 + 16 + 3), 0);
	expect_error(capture_file(good, &spec4, &w, &err), &err, "truncated");

	/* A link type that is not decoded. */
	struct pkt k = mk(DLT_EN10MB, 0, 4, 6, true, 1, 1, 0);
	const char *wifi = path_in(fx, "wifi.pcap");
	write_pcap(wifi, DLT_IEEE802_11, &k, 1);
	expect_error(capture_file(wifi, &spec4, &w, &err), &err, "not supported");
	assert_null(w);
}

/* ---- 4. bench pcap-stats ---------------------------------------------------- */

static struct cmd_result run_pcap_stats(const char *a, const char *b, const char *c, const char *d,
                                        const char *e, const char *f, const char *g, const char *h)
{
	char bench[PATH_MAX];
	char *argv[] = {(char *)build_path("bench", bench),
	                "pcap-stats",
	                (char *)a,
	                (char *)b,
	                (char *)c,
	                (char *)d,
	                (char *)e,
	                (char *)f,
	                (char *)g,
	                (char *)h,
	                NULL};
	return run_cmd(argv);
}

static void expect_cmd(struct cmd_result *r, int status, const char *out, const char *err)
{
	if (r->status != status || (out != NULL && strstr(r->out, out) == NULL) ||
	    (err != NULL && strstr(r->err, err) == NULL))
		fail_msg("exit %d (expected %d)\nstdout: %s\nstderr: %s\nexpected \"%s\" / \"%s\"",
		         r->status, status, r->out, r->err, out ? out : "", err ? err : "");
	cmd_result_free(r);
}

static void test_cli(void **state)
{
	struct fixture *fx = *state;
	const char *file = write_eth_file(fx);
	struct cmd_result r = run_pcap_stats(file, "--peer", "10.0.0.2", "--tcp-port", "5001",
	                                     "--udp-port", "5002", "--rr");
	if (getenv("TEST_CAPTURE_VERBOSE") != NULL)
		fprintf(stderr, "%s", r.out);
	assert_int_equal(r.status, 0);
	const char *numbers[] = {"EN10MB",         "2672",       "2202", "91418",
	                         "91064",          "18212.8",    "n 4",  "p50 200.000 us",
	                         "p99 397.000 us", "truncated 1"};
	for (size_t i = 0; i < N(numbers); i++)
		if (strstr(r.out, numbers[i]) == NULL)
			fail_msg("table lacks \"%s\":\n%s", numbers[i], r.out);
	cmd_result_free(&r);

	/* --json prints exactly what capture_file returns; options may come
	 * before FILE. */
	r = run_pcap_stats("--json", "--rr", "--peer", "10.0.0.2", "--tcp-port", "5001",
	                   "--udp-port=5002", file);
	assert_int_equal(r.status, 0);
	json_t *printed = json_loads(r.out, 0, NULL), *w;
	assert_non_null(printed);
	struct bench_error *err = NULL;
	assert_int_equal(capture_file(file, &spec4, &w, &err), 0);
	assert_true(json_equal(printed, w));
	json_decref(printed);
	json_decref(w);
	cmd_result_free(&r);

	r = run_pcap_stats(file, "--peer", "10.0.0.2", "--bogus", NULL, NULL, NULL, NULL);
	expect_cmd(&r, 2, NULL, "unknown option '--bogus' (valid: --peer, --tcp-port");
	r = run_pcap_stats(file, "--tcp-port", "5001", NULL, NULL, NULL, NULL, NULL);
	expect_cmd(&r, 2, NULL, "--peer ADDR is required");
	r = run_pcap_stats(file, "--peer", "10.0.0.2", NULL, NULL, NULL, NULL, NULL);
	expect_cmd(&r, 2, NULL, "neither a TCP nor a UDP port");
	r = run_pcap_stats(file, "--peer", "10.0.0.2", "--tcp-port", "70000", NULL, NULL, NULL);
	expect_cmd(&r, 2, NULL, "--tcp-port: '70000' is not a port");
	r = run_pcap_stats(file, "--peer", "nohost", "--tcp-port", "1", NULL, NULL, NULL);
	expect_cmd(&r, 2, NULL, "not an IPv4 or IPv6 address");
	r = run_pcap_stats("--peer", "10.0.0.2", "--tcp-port", "1", NULL, NULL, NULL, NULL);
	expect_cmd(&r, 2, NULL, "FILE is required");
	r = run_pcap_stats(file, file, "--peer", "10.0.0.2", "--tcp-port", "1", NULL, NULL);
	expect_cmd(&r, 2, NULL, "unexpected argument");
	r = run_pcap_stats(file, "--peer", NULL, NULL, NULL, NULL, NULL, NULL);
	expect_cmd(&r, 2, NULL, "needs a value");
	r = run_pcap_stats("--help", NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	expect_cmd(&r, 0, "usage: bench pcap-stats", NULL);

	const char *missing = path_in(fx, "missing.pcap");
	r = run_pcap_stats(missing, "--peer", "10.0.0.2", "--tcp-port", "1", NULL, NULL, NULL);
	expect_cmd(&r, 1, NULL, missing);
	const char *garbage = path_in(fx, "garbage.pcap");
	FILE *f = fopen(garbage, "w");
	assert_non_null(f);
	fputs("garbage garbage garbage garbage", f);
	fclose(f);
	r = run_pcap_stats(garbage, "--peer", "10.0.0.2", "--tcp-port", "1", NULL, NULL, NULL);
	expect_cmd(&r, 1, NULL, garbage);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_file_ethernet, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_file_raw_ipv6, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_file_link_types, setup, teardown),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_live_loopback_tcp),
	    cmocka_unit_test(test_live_loopback_udp6),
	    cmocka_unit_test(test_live_idle_and_abort),
	    cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cli, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
