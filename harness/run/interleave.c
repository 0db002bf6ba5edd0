#include "harness/run/interleave.h"

#include <time.h>
#include <unistd.h>

enum interleave_scheme interleave_scheme_for(size_t n_envs)
{
	return n_envs == 2 ? INTERLEAVE_ABBA : INTERLEAVE_RANDOM;
}

const char *interleave_scheme_name(enum interleave_scheme s)
{
	return s == INTERLEAVE_ABBA ? "abba" : "random";
}

/* splitmix64 (Steele, Lea, Flood 2014): one 64-bit state, good mixing. */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void interleave_order(enum interleave_scheme s, uint64_t seed, size_t block, size_t n,
                      size_t order[])
{
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	if (s == INTERLEAVE_ABBA) {
		if (block % 2 == 1)
			for (size_t i = 0; i < n / 2; i++) {
				size_t t = order[i];
				order[i] = order[n - 1 - i];
				order[n - 1 - i] = t;
			}
		return;
	}
	uint64_t state = seed;
	state ^= splitmix64(&(uint64_t){block + 1});
	for (size_t i = n; i > 1; i--) {
		/* unbiased draw in [0, i) by rejection */
		uint64_t limit = UINT64_MAX - UINT64_MAX % i, r;
		do
			r = splitmix64(&state);
		while (r >= limit);
		size_t j = (size_t)(r % i), t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
}

bool interleave_balanced(enum interleave_scheme s, size_t blocks)
{
	return s != INTERLEAVE_ABBA || blocks % 2 == 0;
}

uint64_t interleave_fresh_seed(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t state =
	    (uint64_t)ts.tv_sec * 1000000007ull ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
	/* JSON integers are signed 64-bit: keep the seed below 2^63 */
	return splitmix64(&state) >> 1;
}
