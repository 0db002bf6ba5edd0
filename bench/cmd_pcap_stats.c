/* bench pcap-stats: the wire accounting of a saved capture. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/net/capture.h"
#include "bench/commands.h"

static const char usage[] =
    "usage: bench pcap-stats FILE --peer ADDR [--tcp-port N] [--udp-port N] [--rr] [--json]\n"
    "\n"
    "Prints bench's wire accounting of a saved pcap or pcapng file: packets, bytes\n"
    "and payload each way between the clients and the server ADDR on the given\n"
    "ports, payload size buckets, and with --rr request->response times per flow.\n"
    "\n"
    "  --peer ADDR       the server's IPv4 or IPv6 address (required)\n"
    "  --tcp-port N      the server's TCP port\n"
    "  --udp-port N      the server's UDP port (at least one of the two)\n"
    "  --rr              pair each request with the first response after it\n"
    "  --json            print the wire object (results/SCHEMA.md) instead of a table\n"
    "\n"
    "A capture cut short (a damaged last record) is accounted up to the damage,\n"
    "which is named (records read, the byte where it stops; \"damaged\" in --json).\n"
    "\n"
    "Exit status: 0 ok, 1 the file cannot be read or is damaged (then the figures\n"
    "cover the whole records before the damage), 2 usage error.\n";

static const char valid[] = "valid: --peer, --tcp-port, --udp-port, --rr, --json, --help";

enum { OPT_PEER = 256, OPT_TCP, OPT_UDP, OPT_RR, OPT_JSON, OPT_HELP };

static const struct option long_options[] = {
    {"peer", required_argument, NULL, OPT_PEER},
    {"tcp-port", required_argument, NULL, OPT_TCP},
    {"udp-port", required_argument, NULL, OPT_UDP},
    {"rr", no_argument, NULL, OPT_RR},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "bench pcap-stats: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see bench pcap-stats --help)\n");
	return EXIT_USAGE;
}

static int parse_port(const char *flag, const char *text, uint16_t *out)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < 1 || v > 65535) {
		fprintf(stderr, "bench pcap-stats: %s: '%s' is not a port in 1..65535\n", flag,
		        text);
		return -1;
	}
	*out = (uint16_t)v;
	return 0;
}

static json_int_t integer(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* A number or null as text. */
static const char *num(json_t *v, const char *fmt, char *buf, size_t len)
{
	if (!json_is_number(v))
		return "-";
	snprintf(buf, len, fmt, json_number_value(v));
	return buf;
}

static void print_table(const char *file, json_t *w)
{
	char a[32], b[32], c[32];
	json_t *seg = json_object_get(w, "segments");
	printf("capture    %s (%s)\n", file, json_string_value(json_object_get(w, "linktype")));
	printf("filter     %s\n\n", json_string_value(json_object_get(w, "filter")));
	printf("%-10s %10s %14s %14s %13s\n", "", "packets", "bytes", "payload bytes",
	       "mean payload");
	const char *dirs[] = {"to_peer", "from_peer"};
	for (size_t i = 0; i < 2; i++) {
		json_t *o = json_object_get(w, dirs[i]);
		char key[32];
		snprintf(key, sizeof(key), "mean_payload_%s", dirs[i]);
		printf("%-10s %10" JSON_INTEGER_FORMAT " %14" JSON_INTEGER_FORMAT
		       " %14" JSON_INTEGER_FORMAT " %13s\n",
		       dirs[i], integer(o, "packets"), integer(o, "bytes"),
		       integer(o, "payload_bytes"),
		       num(json_object_get(seg, key), "%.1f", a, sizeof(a)));
	}
	printf("\n%-14s %10s %10s\n", "payload bytes", "to_peer", "from_peer");
	json_t *to = json_object_get(seg, "to_peer"), *from = json_object_get(seg, "from_peer");
	json_int_t prev = -1;
	for (size_t i = 0; i < json_array_size(to); i++) {
		json_t *le = json_object_get(json_array_get(to, i), "le");
		char label[48];
		if (json_is_null(le))
			snprintf(label, sizeof(label), ">%" JSON_INTEGER_FORMAT, prev);
		else if (json_integer_value(le) == prev + 1)
			snprintf(label, sizeof(label), "%" JSON_INTEGER_FORMAT, prev + 1);
		else
			snprintf(label, sizeof(label),
			         "%" JSON_INTEGER_FORMAT "-%" JSON_INTEGER_FORMAT, prev + 1,
			         json_integer_value(le));
		prev = json_integer_value(le);
		printf("%-14s %10" JSON_INTEGER_FORMAT " %10" JSON_INTEGER_FORMAT "\n", label,
		       integer(json_array_get(to, i), "count"),
		       integer(json_array_get(from, i), "count"));
	}
	json_t *rr = json_object_get(w, "request_response");
	if (rr != NULL)
		printf("\nrequest/response  n %" JSON_INTEGER_FORMAT
		       ", p50 %s us, p99 %s us, mean %s us\n",
		       integer(rr, "n"), num(json_object_get(rr, "p50_us"), "%.3f", a, sizeof(a)),
		       num(json_object_get(rr, "p99_us"), "%.3f", b, sizeof(b)),
		       num(json_object_get(rr, "mean_us"), "%.3f", c, sizeof(c)));
	printf("\ntruncated %" JSON_INTEGER_FORMAT ", malformed %" JSON_INTEGER_FORMAT
	       ", fragments %" JSON_INTEGER_FORMAT ", ignored %" JSON_INTEGER_FORMAT "\n",
	       integer(w, "truncated"), integer(w, "malformed"), integer(w, "fragments"),
	       integer(w, "ignored"));
}

int cmd_pcap_stats(int argc, char *argv[])
{
	struct capture_spec spec = {0};
	bool json = false;
	optind = 0; /* full reset; GNU getopt permutes, so FILE may come first */
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, ":", long_options, NULL);
		if (c == -1)
			break;
		switch (c) {
		case OPT_PEER:
			spec.peer_addr = optarg;
			break;
		case OPT_TCP:
			if (parse_port("--tcp-port", optarg, &spec.tcp_port) < 0)
				return EXIT_USAGE;
			break;
		case OPT_UDP:
			if (parse_port("--udp-port", optarg, &spec.udp_port) < 0)
				return EXIT_USAGE;
			break;
		case OPT_RR:
			spec.request_response = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_HELP:
			printf("%s", usage);
			return EXIT_OK;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			fprintf(stderr, "bench pcap-stats: unknown option '%s' (%s)\n",
			        argv[optind - 1], valid);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return usage_error("%s", "a capture FILE is required");
	if (optind + 1 < argc)
		return usage_error("unexpected argument '%s' (one FILE only)", argv[optind + 1]);
	const char *file = argv[optind];
	if (spec.peer_addr == NULL)
		return usage_error("%s", "--peer ADDR is required");
	char filter[256];
	struct bench_error *err = NULL;
	if (capture_filter(&spec, filter, sizeof(filter), &err) < 0) {
		fprintf(stderr, "bench pcap-stats: %s\n(see bench pcap-stats --help)\n", err->msg);
		bench_error_free(&err);
		return EXIT_USAGE;
	}
	json_t *wire;
	int read = capture_file(file, &spec, &wire, &err);
	if (read < 0) {
		fprintf(stderr, "bench pcap-stats: %s\n", err->msg);
		bench_error_free(&err);
		return EXIT_FAILED;
	}
	json_t *damaged = json_object_get(wire, "damaged");
	if (damaged != NULL)
		fprintf(stderr,
		        "bench pcap-stats: %s is damaged after %" JSON_INTEGER_FORMAT
		        " whole records (it stops being readable at byte %" JSON_INTEGER_FORMAT
		        ": %s); the figures cover those records only\n",
		        file, integer(damaged, "records_read"), integer(damaged, "stopped_at_byte"),
		        json_string_value(json_object_get(damaged, "error")));
	if (json) {
		json_dumpf(wire, stdout,
		           JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
		printf("\n");
	} else {
		print_table(file, wire);
	}
	json_decref(wire);
	return read == CAPTURE_DAMAGED ? EXIT_FAILED : EXIT_OK;
}
