/* Wire accounting with libpcap: while a network workload runs, bench
 * captures on the host-side interface of the path (loopback "lo" for bare,
 * a veth or tap for containers and guests) and counts what crossed it, so a
 * report can separate time inside the environment from time on the path.
 * The result is the `wire` object of a sample (results/SCHEMA.md).
 *
 * capture_live.c: the live capture (capture_start/stop/abort).
 * capture_parse.c: packet decoding and accounting, the wire JSON, and
 * capture_file for saved captures. */
#ifndef BENCH_CAPTURE_H
#define BENCH_CAPTURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "harness/core/error.h"

struct capture_spec {
	const char *iface;     /* e.g. "lo"; required for capture_start, may be NULL for files */
	const char *peer_addr; /* the server's address, IPv4 or IPv6 text (no %scope) */
	uint16_t tcp_port;     /* server ports; 0 = unused (at least one is needed) */
	uint16_t udp_port;
	bool request_response; /* compute request->response times */
};

struct capture; /* opaque: one live capture and its thread */

/* Opens a live capture on spec->iface (snaplen 160, immediate mode, 4 MiB
 * buffer, not promiscuous, filter "host A and (tcp port P or udp port Q)")
 * and starts a thread that accounts packets until capture_stop. Returns 0
 * and *out, which the caller ends with capture_stop or capture_abort; or
 * -1 with *err naming the interface: no permission (err->status EPERM), no
 * such interface (ENODEV), an unsupported link type, a bad spec (EINVAL).
 * The caller then records the reason and goes on without wire data.
 * Signals are blocked in the capture thread, so they reach the caller's
 * threads as before. */
int capture_start(const struct capture_spec *spec, struct capture **out, struct bench_error **err);

/* Stops the thread (it polls with a 50 ms timeout, so this returns within
 * about that, after accounting what is already buffered), reads pcap_stats
 * ("dropped": ps_drop + ps_ifdrop, null if pcap_stats fails), frees c
 * (always, also on error) and returns 0 with *wire, a new object the caller
 * owns. -1 with *err and *wire = NULL when the capture failed while running
 * (the interface went away) or on allocation failure: partial counts would
 * misdescribe the sample, so none are returned. c == NULL: 0 and *wire =
 * NULL. Call it after the workload's last exchange and before the
 * environment tears the interface down. */
int capture_stop(struct capture *c, json_t **wire, struct bench_error **err);

/* Stops and frees a capture without building its JSON, for error paths.
 * Safe on NULL. */
void capture_abort(struct capture *c);

/* The same accounting over a saved pcap or pcapng file ("source": "file",
 * "dropped": 0). spec->iface is only copied into the JSON. Returns 0 and
 * *wire (caller owns), or -1 with *err carrying the path and pcap's message
 * (missing, unreadable, not a capture, unsupported link type, a damaged
 * first record) or a bad spec. A file damaged after some whole records (a
 * capture cut short) returns CAPTURE_DAMAGED with *wire accounting those
 * records and a "damaged" object: records_read, stopped_at_byte, error. */
#define CAPTURE_DAMAGED 1
int capture_file(const char *path, const struct capture_spec *spec, json_t **wire,
                 struct bench_error **err);

/* ---- internal: shared by capture_live.c and capture_parse.c (and used
 * directly by tests/test_capture.c); other callers use the API above. ---- */

/* The filter for spec, built from the parsed address (so peer_addr cannot
 * inject filter syntax): "host A and (tcp port P or udp port Q)", or with
 * one port "host A and tcp port P". -1 with *err (EINVAL) for a peer_addr
 * that is not an IPv4/IPv6 address or a spec without ports. */
int capture_filter(const struct capture_spec *spec, char *buf, size_t len,
                   struct bench_error **err);

struct capture_acc; /* the counters of one capture */

/* A new accumulator for packets of the given pcap link type (DLT_*). -1
 * with *err for a bad spec or a link type that is not decoded (EN10MB,
 * LINUX_SLL, LINUX_SLL2, RAW, IPV4, IPV6, NULL, LOOP are). */
int capture_acc_new(const struct capture_spec *spec, int linktype, struct capture_acc **out,
                    struct bench_error **err);

/* Accounts one packet: data holds caplen captured bytes of a packet that
 * was wirelen bytes on the wire, seen at ts_ns (nanoseconds). Never reads
 * past caplen. Cannot fail: an allocation failure is remembered and
 * reported by capture_acc_to_json. */
void capture_acc_packet(struct capture_acc *a, uint64_t ts_ns, uint32_t caplen, uint32_t wirelen,
                        const uint8_t *data);

/* The wire object (see results/SCHEMA.md) with "source" and "dropped" as
 * given (dropped < 0: unknown, written as null); a new reference in *out,
 * or -1 with *err (allocation failure, also one remembered from
 * capture_acc_packet). Sorts the request/response times in place. */
int capture_acc_to_json(struct capture_acc *a, const char *source, int64_t dropped, json_t **out,
                        struct bench_error **err);

/* Frees a; safe on NULL. */
void capture_acc_free(struct capture_acc *a);

#endif
