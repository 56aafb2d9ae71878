/* SPDX-License-Identifier: MIT */
/*
 * Deterministic random numbers and random int8/int16 tensors for the op
 * tests (test_ops.c, test_cpu_fast.c): one generator, so a failing case is
 * reproduced from its seed alone.
 */
#ifndef RANDOM_TENSOR_H
#define RANDOM_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "../../libshiftaccel/kernels/sa_kernels.h"

void rng_seed(uint64_t seed);
/* xorshift64* */
uint64_t rng_next(void);
/* Uniform in [lo, hi]. */
int64_t rng_range(int64_t lo, int64_t hi);
/* True with probability p percent. */
int rng_percent(int p);

size_t dtype_size(uint8_t dtype);
int32_t dtype_max(uint8_t dtype);
/* SA_DTYPE_I8 or SA_DTYPE_I16, even odds. */
uint8_t random_dtype(void);
/*
 * A malloc()ed tensor of shape s: values over the whole dtype range, a small
 * range (many exact ties after requantisation), or only the extremes.
 */
void *random_tensor(const struct sa_shape *s);

#endif /* RANDOM_TENSOR_H */
