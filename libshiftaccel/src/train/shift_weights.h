/* SPDX-License-Identifier: MIT */
/*
 * DeepShift weight parametrisations (Elhoushi et al., arXiv 1905.13298) on
 * the .dsm weight code: a layer with B-bit codes and weight_base has the
 * weights 0 and +-2^s for s in [base, base + kmax - 1], kmax = 2^(B-1) - 1.
 *
 * DeepShift-Q keeps float weights w and uses their power-of-two rounding in
 * the forward pass: s = round(log2 |w|) (rounded in the log domain, i.e. the
 * threshold between 2^s and 2^(s+1) is 2^(s+0.5)), clamped to the top of the
 * range, and 0 when s < base.  The layer's base follows the largest weight:
 * base = round(log2 max|w|) - (kmax - 1).  The gradient passes straight
 * through: dL/dw = dL/dw_q.
 *
 * DeepShift-PS trains a shift P and a sign S per weight: the forward weight
 * is round(S) * 2^clamp(round(P), base, top), round(S) in {-1, 0, +1}
 * (|S| < 0.5 gives a zero weight).  The base is fixed per layer when the
 * parameters are initialised.  Gradients pass straight through the
 * roundings: dL/dP = dL/dw * w * ln 2 and dL/dS = dL/dw * 2^round(P).  After
 * every optimiser step P is clamped to [base, top] and S to [-1, 1].
 *
 * Conversion (the paper's equation 12) maps trained float weights to
 * S = sign(w), P = round(log2 |w|); in DeepShift-Q it is the same rounding
 * of the kept float weights.
 */
#ifndef TR_SHIFT_WEIGHTS_H
#define TR_SHIFT_WEIGHTS_H

#include <stddef.h>
#include <stdint.h>

enum tr_weight_mode {
	TR_WEIGHTS_FLOAT = 0,
	TR_WEIGHTS_Q = 1,
	TR_WEIGHTS_PS = 2,
};

static inline int tr_kmax(int bits)
{
	return (1 << (bits - 1)) - 1;
}

/* round(log2 a) for a > 0, rounding in the log domain (ties go up). */
int tr_log2_round(float a);

/*
 * The Q base of a layer (clamped to the format's weight_base range): the top
 * level at the largest weight, or for 2- and 3-bit codes the range of least
 * squared rounding error up to 3 octaves below that.
 */
int tr_q_base(const float *w, size_t n, int bits);
/* Signed k of one float weight under DeepShift-Q with this base. */
int8_t tr_q_code(float w, int base, int bits);
/* The value of a signed k: 0, or +-2^(base + |k| - 1). */
float tr_code_value(int8_t k, int base);

/* DeepShift-Q forward: w_q and (if codes is not NULL) the signed k. */
void tr_q_quantize(const float *w, size_t n, int base, int bits, float *wq, int8_t *codes);

/*
 * The base of a DeepShift-PS layer trained from scratch, from its initial
 * weights: the top shift a few octaves above the largest (shift_weights.c
 * says why).  A conversion to PS takes tr_q_base, as Q does.
 */
int tr_ps_scratch_base(const float *w, size_t n, int bits);
/* Equation 12: P = round(log2 |w|) (kept continuous when `round_shift` is 0), S = sign(w). */
void tr_ps_from_float(const float *w, size_t n, int base, int bits, int round_shift, float *shift,
		      float *sign);
void tr_ps_forward(const float *shift, const float *sign, size_t n, int base, int bits, float *w,
		   int8_t *codes);
/* dshift = g * w * ln 2, dsign = g * 2^round(P) (both overwritten). */
void tr_ps_backward(const float *shift, const float *w, const float *g, size_t n, int base,
		    int bits, float *dshift, float *dsign);
/* Clamps P to [base, base + kmax - 1] and S to [-1, 1]. */
void tr_ps_project(float *shift, float *sign, size_t n, int base, int bits);

#endif /* TR_SHIFT_WEIGHTS_H */
