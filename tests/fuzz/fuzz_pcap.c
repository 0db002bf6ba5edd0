/* The capture parser behind `bench pcap-stats` (libpcap's file reader, then
 * capture_parse.c's decoding and accounting), with request/response times. */
#include "harness/net/capture.h"
#include "tests/fuzz/fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct capture_spec specs[] = {
	    {.peer_addr = "10.213.77.1",
	     .tcp_port = 5201,
	     .udp_port = 5202,
	     .request_response = true},
	    {.peer_addr = "fd00::1", .tcp_port = 5201, .request_response = true},
	};
	const char *path = fuzz_input_path(data, size);
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		json_t *wire = NULL;
		struct bench_error *err = NULL;
		capture_file(path, &specs[i], &wire, &err);
		json_decref(wire);
		bench_error_free(&err);
	}
	return 0;
}
