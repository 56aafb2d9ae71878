/* SPDX-License-Identifier: MIT */
/*
 * ShiftAccel numerics: the element types, activation codes, weight code
 * packing, limits and per-op parameter blocks that every part of the stack
 * shares (the .dsm model format, the CPU kernels, the card's tensor engine,
 * its firmware and the descriptors userspace writes into rings).
 *
 * docs/numerics.md is the prose definition of what these mean; this header is
 * the single definition of the constants.  Every structure has a fixed
 * little-endian layout with explicit padding so it can be stored in files and
 * in device memory unchanged.
 */
#ifndef SHIFTACCEL_NUMERICS_H
#define SHIFTACCEL_NUMERICS_H

#ifdef __KERNEL__
#include <linux/types.h>
typedef __u8 sa_u8;
typedef __s8 sa_s8;
typedef __u16 sa_u16;
typedef __u32 sa_u32;
#else
#include <stdint.h>
typedef uint8_t sa_u8;
typedef int8_t sa_s8;
typedef uint16_t sa_u16;
typedef uint32_t sa_u32;
#endif

/* Element types. */
#define SA_DTYPE_I8 1 /* activations */
#define SA_DTYPE_I16 2 /* activations where int8 loses accuracy */
#define SA_DTYPE_I32 3 /* biases, at accumulator scale */
#define SA_DTYPE_SHIFT 4 /* packed weight codes, see below */

/* Activation functions fused into the producing op. */
#define SA_ACT_NONE 0
#define SA_ACT_RELU 1
#define SA_ACT_RELU6 2

/*
 * Weight codes.  A weight is sign * 2^shift.  A layer stores B-bit codes
 * (SA_WEIGHT_BITS_MIN <= B <= SA_WEIGHT_BITS_MAX) and one weight_base:
 *   code = neg << (B - 1) | k,   k in [0, 2^(B-1) - 1]
 *   k == 0            -> weight 0 (neg must be 0: "negative zero" is invalid)
 *   k >= 1            -> weight (neg ? -1 : +1) * 2^(weight_base + k - 1)
 * Codes are packed LSB-first into a bit stream: code i occupies stream bits
 * [i*B, i*B + B), stream bit j is bit (j % 8) of byte (j / 8).  Bits past the
 * last code in the last byte are zero.  Software that does not need the
 * packed form works on "signed k" values: v = neg ? -k : k.
 */
#define SA_WEIGHT_BITS_MIN 2
#define SA_WEIGHT_BITS_MAX 5
#define SA_WEIGHT_K_MAX(bits) ((1 << ((bits) - 1)) - 1)
#define SA_WEIGHT_BASE_MIN (-31)
#define SA_WEIGHT_BASE_MAX 15

/* Activation scale exponents: real value = q * 2^exp. */
#define SA_EXP_MIN (-24)
#define SA_EXP_MAX 24

/*
 * Requantisation shift r (accumulator -> output): r > 0 is a rounded right
 * shift, r < 0 a left shift.  Limits keep every intermediate inside int64.
 */
#define SA_REQUANT_SHIFT_MIN (-8)
#define SA_REQUANT_SHIFT_MAX 62

/* Largest number of products summed into one accumulator (fan-in). */
#define SA_MAX_FAN_IN (1u << 24)
/* Largest exponent difference between the two inputs of an add. */
#define SA_ADD_MAX_EXP_DIFF 16
/* Largest pooling window area (kernel_h * kernel_w, or H * W for global). */
#define SA_MAX_POOL_AREA (1u << 16)

/*
 * Convolution (groups == 1: dense, groups == in_channels == out_channels:
 * depthwise).  Weights: [out_channels][in_channels / groups][kernel_h][kernel_w].
 * Bias (optional, SA_PARAM_HAS_BIAS): int32 per output channel.
 */
#define SA_PARAM_HAS_BIAS 0x01

struct sa_conv_params {
	sa_u16 kernel_h, kernel_w;
	sa_u16 stride_h, stride_w;
	sa_u16 dilation_h, dilation_w;
	sa_u16 pad_top, pad_left, pad_bottom, pad_right;
	sa_u32 groups;
	sa_u32 out_channels;
	sa_u8 weight_bits;
	sa_s8 weight_base;
	sa_u8 act;
	sa_u8 flags; /* SA_PARAM_* */
}; /* 32 bytes */

/*
 * Fully connected: the input [C][H][W] is read as a vector of C*H*W in that
 * order.  Weights: [out_features][C*H*W].  Output shape [out_features][1][1].
 */
struct sa_fc_params {
	sa_u32 out_features;
	sa_u8 weight_bits;
	sa_s8 weight_base;
	sa_u8 act;
	sa_u8 flags; /* SA_PARAM_* */
	sa_u32 reserved[2]; /* zero */
}; /* 16 bytes */

/* Max and average pooling windows (no dilation). */
struct sa_pool_params {
	sa_u16 kernel_h, kernel_w;
	sa_u16 stride_h, stride_w;
	sa_u16 pad_top, pad_left, pad_bottom, pad_right;
}; /* 16 bytes */

/* Residual add of two tensors of the same shape. */
struct sa_add_params {
	sa_u8 act;
	sa_u8 reserved[15]; /* zero */
}; /* 16 bytes */

/*
 * Concatenation of two tensors along channels (same height and width): the
 * output holds input a's channels, then input b's.  Each input is requantised
 * to the output's dtype and exponent (exponent differences as for add), then
 * the fused activation is applied.  Longer concatenations are chains.
 */
struct sa_concat_params {
	sa_u8 act;
	sa_u8 reserved[15]; /* zero */
}; /* 16 bytes */

/*
 * Standalone activation of one tensor (ReLU, ReLU6 or none), requantised to
 * the output's dtype and exponent: the clamp that conv, fc and add fuse, for
 * the places where there is no producer to fuse it into.
 */
struct sa_clip_params {
	sa_u8 act;
	sa_u8 reserved[15]; /* zero */
}; /* 16 bytes */

#endif /* SHIFTACCEL_NUMERICS_H */
