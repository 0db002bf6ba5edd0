/* The order of a run's environments within each measured block when they
 * are interleaved: every block runs one repetition in every environment,
 * so drift over time falls on all of them alike, and the values of one
 * block form pairs. ABBA for two environments (the order flips every
 * block), a seeded random permutation per block for more. Pure. */
#ifndef BENCH_INTERLEAVE_H
#define BENCH_INTERLEAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum interleave_scheme { INTERLEAVE_ABBA, INTERLEAVE_RANDOM };

/* ABBA for two environments, random for more. */
enum interleave_scheme interleave_scheme_for(size_t n_envs);

/* "abba" or "random". */
const char *interleave_scheme_name(enum interleave_scheme s);

/* The environments (indices 0..n-1) in the order block `block` runs them.
 * ABBA: 0,1 in even blocks, 1,0 in odd ones (n must be 2). Random: a
 * Fisher-Yates shuffle driven by splitmix64 seeded from (seed, block), so
 * each block's order follows from the seed alone. */
void interleave_order(enum interleave_scheme s, uint64_t seed, size_t block, size_t n,
                      size_t order[]);

/* True when a run may stop after `blocks` blocks: ABBA wants pairs of
 * blocks (so each environment goes first equally often); random any
 * count. */
bool interleave_balanced(enum interleave_scheme s, size_t blocks);

/* A seed for a run that was not given one (time and pid mixed). */
uint64_t interleave_fresh_seed(void);

#endif
