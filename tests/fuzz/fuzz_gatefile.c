/* The gate-file reader (reports/gatefile.c over reports/yaml_file.c). */
#include "reports/gatefile.h"
#include "tests/fuzz/fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gate_file g;
	struct bench_error *err = NULL;
	gate_file_read(&g, fuzz_input_path(data, size), &err);
	gate_file_free(&g);
	bench_error_free(&err);
	return 0;
}
