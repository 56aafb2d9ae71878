/* SPDX-License-Identifier: MIT */
/*
 * The prepared form of a fast layer (cpu_fast.h), shared by the conv
 * (cpu_fast_conv.c) and fc (cpu_fast_fc.c) kernels and the common code in
 * cpu_fast.c.  Private to those files.
 */
#ifndef SA_CPU_FAST_LAYER_H
#define SA_CPU_FAST_LAYER_H

#include "cpu_fast.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SA_FAST_HAVE_AVX2_KERNELS 1
#define SA_FAST_TARGET_AVX2 __attribute__((target("avx2")))
#endif

/*
 * Forces a kernel body into each caller, so a plain C body written once is
 * compiled (and vectorised) separately for the portable and the AVX2 caller.
 */
#define SA_FAST_INLINE static inline __attribute__((always_inline))

struct sa_fast_layer {
	int is_conv;
	int avx2; /* run the AVX2 kernels */
	struct sa_shape in, out;
	struct sa_conv_params conv; /* conv only */
	int r;			    /* requantisation shift */
	int32_t lo, hi;		    /* output clamp (dtype and fused activation) */
	int32_t *bias;		    /* per output channel / feature; zeros without a bias */
	/*
	 * Weight values sign * 2^(|k| - 1), zero-padded:
	 * conv [groups][mpad][kpad], fc [mpad][kpad].
	 */
	int16_t *w;
	size_t k;     /* fan-in: weights per output */
	size_t kpad;  /* k rounded up for the kernels */
	size_t mpad;  /* outputs per group (conv) / in all (fc), rounded up */
	size_t chunk; /* conv: output positions per im2col chunk */
	/*
	 * conv: the outputs whose tap reads inside the input, [lo, hi) pairs:
	 * per kx the columns ox (inside[2kx], inside[2kx + 1]), then per ky the
	 * rows oy (inside[2 * kernel_w + 2ky], ...).  Outside them it reads padding.
	 */
	uint32_t *inside;
	size_t scratch_bytes;
};

/*
 * A layer with the requantisation, bias and ISA filled in and `w` allocated
 * (zeroed) for groups * mpad * kpad weights; NULL when out of memory.
 */
struct sa_fast_layer *sa_fast_layer_new(const struct sa_shape *in, const struct sa_shape *out,
					int weight_base, uint8_t act, const int32_t *bias,
					size_t groups, size_t mpad, size_t kpad,
					enum sa_fast_isa isa);

static inline size_t sa_fast_round_up(size_t v, size_t step)
{
	return (v + step - 1) / step * step;
}

/* The exact int16 value of signed weight code k (|k| <= 15): sign * 2^(|k| - 1). */
static inline int16_t sa_fast_weight_value(int8_t k)
{
	if (k == 0)
		return 0;
	return (int16_t)(k > 0 ? 1 << (k - 1) : -(1 << (-k - 1)));
}

/*
 * y[first + j] = acc[j] + bias requantised into the output dtype, j < n: the
 * same sa_requantize of the same int64 accumulator as the reference kernels.
 */
void sa_fast_store_run(const struct sa_fast_layer *l, const int32_t *acc, size_t n, int32_t bias,
		       void *y, size_t first);

void sa_fast_conv_run(const struct sa_fast_layer *l, const void *x, void *y, void *scratch);
void sa_fast_fc_run(const struct sa_fast_layer *l, const void *x, void *y, void *scratch);

#endif /* SA_CPU_FAST_LAYER_H */
