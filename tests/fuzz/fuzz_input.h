/* libFuzzer harnesses over the readers of files other tools or people
 * write. The readers take a path, so each input goes into one memfd that is
 * rewritten per execution and read through /proc/self/fd/N. */
#ifndef BENCH_FUZZ_INPUT_H
#define BENCH_FUZZ_INPUT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* The path of a file holding exactly data[0..size). Aborts (a harness
 * failure, not a finding) when the memfd cannot be written. */
static inline const char *fuzz_input_path(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("fuzz-input", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	return path;
}

#endif
