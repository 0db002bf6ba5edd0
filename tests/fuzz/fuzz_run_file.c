/* The run-file reader (run_read: JSON, schema, every field's type and bound). */
#include "harness/core/result.h"
#include "tests/fuzz/fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run run;
	struct bench_error *err = NULL;
	if (run_read(fuzz_input_path(data, size), &run, &err) == 0)
		run_free(&run);
	bench_error_free(&err);
	return 0;
}
