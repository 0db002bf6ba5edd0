/* A plain pointer chase, the reference that scripts/bench-mem compares wl's
 * mem.latency with: per size, the buffer's 64-byte lines linked into one
 * cycle in a random order (Fisher-Yates), a warm-up
 * lap (at most a fifth of the time), then `p = *p` for SECONDS; ns per load.
 * usage: chase SECONDS SIZE_BYTES...   (sizes multiples of 64)
 * prints one line: SIZE NS SIZE NS ... */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void **make_chain(size_t bytes, uint64_t seed)
{
	size_t n = bytes / 64;
	char *buf = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t *perm = malloc(n * sizeof(*perm));
	if (buf == MAP_FAILED || !perm)
		return NULL;
	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = splitmix(&seed) % (i + 1), t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		*(void **)(buf + perm[i] * 64) = buf + perm[(i + 1) % n] * 64;
	free(perm);
	return (void **)buf;
}

int main(int argc, char *argv[])
{
	if (argc < 3) {
		fprintf(stderr, "usage: chase SECONDS SIZE_BYTES...\n");
		return 2;
	}
	double seconds = atof(argv[1]);
	int nsizes = argc - 2;
	size_t *sizes = calloc(nsizes, sizeof(*sizes));
	void ***chains = calloc(nsizes, sizeof(*chains));
	if (!sizes || !chains || seconds <= 0)
		return 2;
	for (int s = 0; s < nsizes; s++) {
		sizes[s] = strtoull(argv[s + 2], NULL, 10);
		if (sizes[s] < 64 || !(chains[s] = make_chain(sizes[s], 12345 + s)))
			return 1;
	}
	volatile uintptr_t sink = 0;
	for (int s = 0; s < nsizes; s++) {
		void **p = chains[s];
		size_t lines = sizes[s] / 64, loads = 0;
		double t0 = now(), t;
		for (size_t w = 0; w < lines; w += 16384) { /* warm-up lap */
			for (size_t i = 0; i < 16384; i++)
				p = *p;
			if (now() - t0 > seconds / 5)
				break;
		}
		t0 = now();
		do {
			for (size_t i = 0; i < 65536; i++)
				p = *p;
			loads += 65536;
		} while ((t = now() - t0) < seconds);
		sink += (uintptr_t)p;
		printf("%s%zu %.4f", s ? " " : "", sizes[s], t * 1e9 / (double)loads);
	}
	printf("\n");
	return 0;
}
