/* The cost-model reader (reports/tco_model.c over reports/yaml_file.c). */
#include "reports/tco_model.h"
#include "tests/fuzz/fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tco_model m;
	struct bench_error *err = NULL;
	tco_model_read(fuzz_input_path(data, size), &m, &err);
	tco_model_free(&m);
	bench_error_free(&err);
	return 0;
}
