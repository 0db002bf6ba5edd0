/* A plain STREAM-style triad loop, the reference that scripts/bench-stream
 * compares wl's mem.stream triad with. Deliberately naive: one thread, one
 * loop, best of N passes. usage: triad ELEMENTS PASSES -> prints MB/s. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char *argv[])
{
	if (argc != 3) {
		fprintf(stderr, "usage: triad ELEMENTS PASSES\n");
		return 2;
	}
	size_t n = strtoull(argv[1], NULL, 10);
	int passes = atoi(argv[2]);
	double *a = malloc(n * sizeof(double)), *b = malloc(n * sizeof(double)),
	       *c = malloc(n * sizeof(double));
	if (!a || !b || !c || passes < 1)
		return 1;
	for (size_t j = 0; j < n; j++) {
		a[j] = 1.0;
		b[j] = 2.0;
		c[j] = 0.5;
	}
	const double scalar = 3.0;
	double best = 1e30;
	for (int k = 0; k < passes; k++) {
		double t0 = now();
		for (size_t j = 0; j < n; j++)
			a[j] = b[j] + scalar * c[j];
		double t = now() - t0;
		if (t < best)
			best = t;
	}
	if (a[n / 2] != 2.0 + 3.0 * 0.5)
		return 1;
	printf("%.1f\n", 3.0 * sizeof(double) * (double)n / best / 1e6);
	return 0;
}
