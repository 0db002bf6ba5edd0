/* A plain HPCC RandomAccess loop, the reference that scripts/bench-mem
 * compares wl's mem.random with: table[i] = i, then UPDATES times
 * ran = (ran << 1) ^ (ran < 0 ? POLY : 0); table[ran & (N - 1)] ^= ran
 * from HPCC's first value; the updates are timed, then replayed (untimed)
 * and the table checked. usage: gups TABLE_BYTES UPDATES -> prints GUP/s. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define POLY 0x0000000000000007ull

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void update(uint64_t *table, uint64_t mask, uint64_t n)
{
	uint64_t ran = 1;
	for (uint64_t i = 0; i < n; i++) {
		ran = (ran << 1) ^ ((int64_t)ran < 0 ? POLY : 0);
		table[ran & mask] ^= ran;
	}
}

int main(int argc, char *argv[])
{
	if (argc != 3) {
		fprintf(stderr, "usage: gups TABLE_BYTES UPDATES\n");
		return 2;
	}
	uint64_t entries = strtoull(argv[1], NULL, 10) / 8, n = strtoull(argv[2], NULL, 10);
	if (entries < 2 || (entries & (entries - 1)) || !n)
		return 2;
	uint64_t *table =
	    mmap(NULL, entries * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (table == MAP_FAILED)
		return 1;
	for (uint64_t i = 0; i < entries; i++)
		table[i] = i;
	double t0 = now();
	update(table, entries - 1, n);
	double t = now() - t0;
	update(table, entries - 1, n); /* XOR again: back to table[i] = i */
	for (uint64_t i = 0; i < entries; i++)
		if (table[i] != i)
			return 1;
	printf("%.6f\n", (double)n / t / 1e9);
	return 0;
}
