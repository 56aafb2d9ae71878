/* SPDX-License-Identifier: MIT */
/*
 * Reference integer kernels: the literal implementation of docs/numerics.md.
 *
 * These are the oracle every other backend is tested against, and the card's
 * tensor engine (emulator/) calls the very same functions, so they are plain
 * C11 with no allocation, no I/O and no dependency beyond libc headers.
 *
 * Activations are [C][H][W] arrays of int8_t or int16_t (shape->dtype).
 * Weights are passed unpacked as "signed k" values (see
 * uapi/shiftaccel_numerics.h): one int8_t per weight, 0 for a zero weight,
 * +k / -k for +/- 2^(weight_base + k - 1).
 *
 * Callers validate shapes and parameters first (sa_check_* below); the
 * kernels assume valid arguments.
 */
#ifndef SA_KERNELS_H
#define SA_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "../../uapi/shiftaccel_numerics.h"

/* Shape and quantisation of one activation tensor. */
struct sa_shape {
	uint32_t c, h, w;
	uint8_t dtype; /* SA_DTYPE_I8 or SA_DTYPE_I16 */
	int8_t exp;    /* real = q * 2^exp */
};

static inline size_t sa_shape_elems(const struct sa_shape *s)
{
	return (size_t)s->c * s->h * s->w;
}

/*
 * Requantisation, the only place where precision is dropped (docs/numerics.md,
 * "Rounding" and "Requantisation"): shifts, adds and compares, nothing
 * multiplies.  Inline because every output element of every op goes through
 * it, and a kernel's loop can then keep r's branch out of its body.
 *
 * floor(v / 2^r) for r in [1, 63], without relying on the
 * implementation-defined right shift of negative numbers, so the result is
 * the same on every compiler and on the card's firmware toolchain.
 */
static inline int64_t sa_floor_shift(int64_t v, int r)
{
	if (v >= 0)
		return (int64_t)((uint64_t)v >> r);
	/* -v - 1 >= 0 and cannot overflow; floor(v / 2^r) = -(((-v - 1) >> r) + 1). */
	return -(int64_t)((uint64_t)(-(v + 1)) >> r) - 1;
}

/* Rounded arithmetic shift: r > 0 -> (v + 2^(r-1)) >> r (floor), r <= 0 -> v << -r. */
static inline int64_t sa_rshift_round(int64_t v, int r)
{
	if (r > 0)
		/* Round half toward +infinity: floor((v + 2^(r-1)) / 2^r). */
		return sa_floor_shift(v + ((int64_t)1 << (r - 1)), r);
	/*
	 * Exact: |acc| < 2^54 with -r <= 8 (conv, fc, add), or an int16 value
	 * with -r <= SA_ADD_MAX_EXP_DIFF (concat, clip), stays inside int64; shifted
	 * as the two's complement bit pattern (a left shift of a negative signed
	 * value is undefined in C).
	 */
	return (int64_t)((uint64_t)v << (unsigned)-r);
}

/* Clamp bounds of an output of this dtype with this fused activation and exponent. */
void sa_act_bounds(uint8_t dtype, uint8_t act, int exp_out, int32_t *lo, int32_t *hi);

/* acc (at scale 2^(exp_out + r)) -> output value; sa_clamp is its final step. */
static inline int32_t sa_clamp(int64_t v, int32_t lo, int32_t hi)
{
	return v < lo ? lo : v > hi ? hi : (int32_t)v;
}

static inline int32_t sa_requantize(int64_t acc, int r, int32_t lo, int32_t hi)
{
	return sa_clamp(sa_rshift_round(acc, r), lo, hi);
}

/* Packed B-bit codes <-> signed k. */
int sa_weight_unpack(const uint8_t *packed, size_t count, unsigned bits, int8_t *signed_k);
void sa_weight_pack(const int8_t *signed_k, size_t count, unsigned bits, uint8_t *packed);
static inline size_t sa_weight_packed_size(size_t count, unsigned bits)
{
	return (count * bits + 7) / 8;
}

/* Output size of a window op along one axis, or 0 if the window never fits. */
uint32_t sa_window_out(uint32_t in, uint32_t kernel, uint32_t stride, uint32_t pad0, uint32_t pad1,
		       uint32_t dilation);

/*
 * Parameter validation and output shape.  Each returns NULL when the op is
 * valid (and fills *out with the dtype/exp the caller chose plus the computed
 * c/h/w), or a static message naming what is wrong.
 */
const char *sa_check_conv(const struct sa_shape *in, const struct sa_conv_params *p,
			  struct sa_shape *out);
const char *sa_check_fc(const struct sa_shape *in, const struct sa_fc_params *p,
			struct sa_shape *out);
const char *sa_check_maxpool(const struct sa_shape *in, const struct sa_pool_params *p,
			     struct sa_shape *out);
const char *sa_check_avgpool(const struct sa_shape *in, const struct sa_pool_params *p,
			     struct sa_shape *out);
const char *sa_check_global_avgpool(const struct sa_shape *in, struct sa_shape *out);
const char *sa_check_add(const struct sa_shape *a, const struct sa_shape *b,
			 const struct sa_add_params *p, struct sa_shape *out);
const char *sa_check_concat(const struct sa_shape *a, const struct sa_shape *b,
			    const struct sa_concat_params *p, struct sa_shape *out);
const char *sa_check_clip(const struct sa_shape *in, const struct sa_clip_params *p,
			  struct sa_shape *out);

/*
 * floor(sum / area + 1/2) for 1 <= area <= SA_MAX_POOL_AREA, |sum| <= 2^31:
 * the rounded mean of average pooling (docs/numerics.md), computed by
 * restoring (shift-and-subtract) division, as the card does it without a
 * multiplier or a divider.
 */
int64_t sa_div_round(int64_t sum, uint32_t area);

/* The ops.  `out` carries the output dtype/exp and the shape from sa_check_*. */
void sa_ref_conv(const struct sa_shape *in, const void *x, const struct sa_conv_params *p,
		 const int8_t *w, const int32_t *bias, const struct sa_shape *out, void *y);
void sa_ref_fc(const struct sa_shape *in, const void *x, const struct sa_fc_params *p,
	       const int8_t *w, const int32_t *bias, const struct sa_shape *out, void *y);
void sa_ref_maxpool(const struct sa_shape *in, const void *x, const struct sa_pool_params *p,
		    const struct sa_shape *out, void *y);
void sa_ref_avgpool(const struct sa_shape *in, const void *x, const struct sa_pool_params *p,
		    const struct sa_shape *out, void *y);
void sa_ref_global_avgpool(const struct sa_shape *in, const void *x, const struct sa_shape *out,
			   void *y);
void sa_ref_add(const struct sa_shape *a, const void *xa, const struct sa_shape *b, const void *xb,
		const struct sa_add_params *p, const struct sa_shape *out, void *y);
void sa_ref_concat(const struct sa_shape *a, const void *xa, const struct sa_shape *b,
		   const void *xb, const struct sa_concat_params *p, const struct sa_shape *out,
		   void *y);
void sa_ref_clip(const struct sa_shape *in, const void *x, const struct sa_clip_params *p,
		 const struct sa_shape *out, void *y);

#endif /* SA_KERNELS_H */
