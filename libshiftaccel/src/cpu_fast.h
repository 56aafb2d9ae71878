/* SPDX-License-Identifier: MIT */
/*
 * Fast integer conv and fc for the CPU backend, bit-identical to
 * sa_ref_conv / sa_ref_fc (docs/numerics.md, "CPU backend kernels").
 *
 * The reference kernels accumulate in int64 because a layer may need up to
 * 55 bits.  Most layers need far fewer: when every output's bound
 *     |bias| + sum over its weights of max|x| * 2^(|k| - 1)
 * is below 2^31, every partial sum of that output fits in int32 whatever
 * the input, so int32 multiply-adds of x by the exact weight values
 * sign * 2^(|k| - 1) give the same accumulator as the reference.  Creating a
 * layer checks that bound and declines (no layer) when it fails, and the
 * caller then keeps the reference kernel.
 *
 * A layer holds its weights re-laid out as int16 (|weight| <= 2^14) and is
 * read-only after creation; runs need a caller-owned scratch buffer of
 * sa_fast_scratch_bytes(), so a run allocates nothing and one layer can be
 * shared by threads that each bring their own scratch.
 */
#ifndef SA_CPU_FAST_H
#define SA_CPU_FAST_H

#include <stddef.h>

#include "../include/shiftaccel.h"
#include "../kernels/sa_kernels.h"

struct sa_fast_layer;

/* Which fast kernels a layer runs: plain C, or AVX2 where the CPU has it. */
enum sa_fast_isa {
	SA_FAST_PORTABLE,
	SA_FAST_BEST,
};

/*
 * 1 when int32 accumulation is exact for `outputs` outputs of `fan_in`
 * signed-k weights each (w[o * fan_in + i]), with this input dtype and
 * optional bias: the bound above is < 2^31 for every output.
 */
int sa_fast_acc_fits_int32(const int8_t *w, const int32_t *bias, size_t outputs, size_t fan_in,
			   uint8_t in_dtype);

/*
 * Prepare a fast layer for a conv / fc that sa_check_conv / sa_check_fc
 * accepted (same arguments as sa_ref_conv / sa_ref_fc, minus the data).
 * *layer is NULL when the layer is not provably exact in int32 (or too big
 * for the scratch limit): use the reference kernel.  Fails only for lack of
 * memory.
 */
sa_status sa_fast_conv_create(const struct sa_shape *in, const struct sa_conv_params *p,
			      const int8_t *w, const int32_t *bias, const struct sa_shape *out,
			      enum sa_fast_isa isa, struct sa_fast_layer **layer);
sa_status sa_fast_fc_create(const struct sa_shape *in, const struct sa_fc_params *p,
			    const int8_t *w, const int32_t *bias, const struct sa_shape *out,
			    enum sa_fast_isa isa, struct sa_fast_layer **layer);
void sa_fast_destroy(struct sa_fast_layer *layer);

/* Bytes of scratch memory sa_fast_run needs for this layer. */
size_t sa_fast_scratch_bytes(const struct sa_fast_layer *layer);

/* y = the layer applied to x, exactly as the reference kernel computes it. */
void sa_fast_run(const struct sa_fast_layer *layer, const void *x, void *y, void *scratch);

/* 1 when SA_FAST_BEST runs AVX2 kernels on this CPU. */
int sa_fast_have_avx2(void);

#endif /* SA_CPU_FAST_H */
