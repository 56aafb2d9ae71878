/* SPDX-License-Identifier: MIT */
/*
 * Deterministic random numbers for training: every random choice (weight
 * initialisation, shuffling, dropout masks) comes from a generator seeded
 * from the user's --seed, so a run is repeatable bit for bit.
 */
#ifndef TR_RNG_H
#define TR_RNG_H

#include <stddef.h>
#include <stdint.h>

/* xoshiro256** (Blackman and Vigna), seeded through splitmix64. */
struct tr_rng {
	uint64_t s[4];
};

void tr_rng_seed(struct tr_rng *r, uint64_t seed);
/* An independent stream derived from `seed` and a stream number. */
void tr_rng_seed_stream(struct tr_rng *r, uint64_t seed, uint64_t stream);
uint64_t tr_rng_next(struct tr_rng *r);
/* Uniform in [0, 1) with 24 random bits. */
float tr_rng_uniform(struct tr_rng *r);
/* Uniform integer in [0, n), n >= 1, without modulo bias. */
uint32_t tr_rng_below(struct tr_rng *r, uint32_t n);
/* Standard normal (Box-Muller). */
float tr_rng_normal(struct tr_rng *r);
/* Fisher-Yates shuffle of idx[0..n). */
void tr_rng_shuffle(struct tr_rng *r, uint32_t *idx, size_t n);

#endif /* TR_RNG_H */
