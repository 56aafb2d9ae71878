// SPDX-License-Identifier: MIT
#include "shift_weights.h"

#include <math.h>
#include <string.h>

#include "../../../uapi/shiftaccel_numerics.h"

static uint32_t float_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static float bits_float(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

/* Mantissa bits of the smallest 1.m >= sqrt(2): 0x3504F3 / 2^23 lies just below it. */
#define SQRT2_MANTISSA 0x3504F4u

int tr_log2_round(float a)
{
	uint32_t u = float_bits(a);
	int e = (int)(u >> 23 & 0xff);

	if (e == 0)
		return -150; /* subnormal: below every weight range */
	/* a = 1.m * 2^(e - 127); round log2 up when 1.m >= sqrt(2) */
	return e - 127 + ((u & 0x7fffffu) >= SQRT2_MANTISSA);
}

/* +-2^e for e in the normal range. */
static float pow2_signed(int e, int negative)
{
	return bits_float((uint32_t)negative << 31 | (uint32_t)(e + 127) << 23);
}

static int clamp_int(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static float max_abs(const float *w, size_t n)
{
	float m[4] = {0};
	size_t i = 0;

	for (; i + 4 <= n; i += 4)
		for (int k = 0; k < 4; k++)
			m[k] = fabsf(w[i + k]) > m[k] ? fabsf(w[i + k]) : m[k];
	for (; i < n; i++)
		m[0] = fabsf(w[i]) > m[0] ? fabsf(w[i]) : m[0];
	return fmaxf(fmaxf(m[0], m[1]), fmaxf(m[2], m[3]));
}

/* Squared error of rounding w to the code with this base (tr_q_code). */
static double q_error(const float *w, size_t n, int base, int bits)
{
	double e = 0.0;

	for (size_t i = 0; i < n; i++) {
		double d = (double)w[i] - (double)tr_code_value(tr_q_code(w[i], base, bits), base);

		e += d * d;
	}
	return e;
}

/*
 * With 15 or 7 levels, a range that ends at the largest weight also covers
 * the small ones.  With 3 levels or 1 (ternary weights) it does not: nearly
 * every weight lies below 2^(base - 0.5) and rounds to zero (Simple FC, 2-bit
 * DeepShift-Q: 29.8% on MNIST).  There the top is lowered, by up to 3
 * octaves, to the range with the least squared rounding error: the few
 * largest weights are clipped instead of the many small ones zeroed.
 */
#define Q_BASE_SEARCH_OCTAVES 3

/* The base whose top level is the largest weight, rounded in the log domain. */
static int max_anchored_base(const float *w, size_t n, int bits)
{
	float m = max_abs(w, n);

	if (!(m > 0.0f) || !isfinite(m))
		return 0;
	return clamp_int(tr_log2_round(m) - (tr_kmax(bits) - 1), SA_WEIGHT_BASE_MIN,
			 SA_WEIGHT_BASE_MAX);
}

int tr_q_base(const float *w, size_t n, int bits)
{
	int base = max_anchored_base(w, n, bits), best;
	double best_error;

	if (tr_kmax(bits) > 3)
		return base;
	best = base;
	best_error = q_error(w, n, base, bits);
	for (int d = 1; d <= Q_BASE_SEARCH_OCTAVES && base - d >= SA_WEIGHT_BASE_MIN; d++) {
		double e = q_error(w, n, base - d, bits);

		if (e < best_error) {
			best_error = e;
			best = base - d;
		}
	}
	return best;
}

int8_t tr_q_code(float w, int base, int bits)
{
	int kmax = tr_kmax(bits);

	if (!(fabsf(w) > 0.0f))
		return 0;
	int s = tr_log2_round(fabsf(w));

	if (s < base)
		return 0;
	int k = s - base + 1 > kmax ? kmax : s - base + 1;

	return (int8_t)(w < 0 ? -k : k);
}

float tr_code_value(int8_t k, int base)
{
	if (k == 0)
		return 0.0f;
	return pow2_signed(base + (k < 0 ? -k : k) - 1, k < 0);
}

void tr_q_quantize(const float *w, size_t n, int base, int bits, float *wq, int8_t *codes)
{
	for (size_t i = 0; i < n; i++) {
		int8_t k = tr_q_code(w[i], base, bits);

		wq[i] = tr_code_value(k, base);
		if (codes)
			codes[i] = k;
	}
}

/*
 * A PS layer's code range is fixed when it is made, and random initial
 * weights are much smaller than trained ones: with the range ending at the
 * largest initial weight, weights cannot grow and Simple FC loses 2 points
 * on MNIST (95.4% vs 97.4% after 3 epochs, 5 bits).  Three octaves of room
 * above it cost only the smallest levels, where weights round to zero
 * anyway.  A code with fewer levels keeps the largest initial weight
 * representable (headroom <= kmax - 1), or ternary weights would all start
 * as zeros and never train.  Anchored at the largest weight, not at
 * tr_q_base's least-error range: for 2-bit PS that range is worse (MNIST
 * Simple FC, 2 epochs: 94.99% against 96.03%).
 */
int tr_ps_scratch_base(const float *w, size_t n, int bits)
{
	int kmax = tr_kmax(bits), headroom = kmax - 1 < 3 ? kmax - 1 : 3;

	return clamp_int(max_anchored_base(w, n, bits) + headroom, SA_WEIGHT_BASE_MIN,
			 SA_WEIGHT_BASE_MAX);
}

void tr_ps_from_float(const float *w, size_t n, int base, int bits, int round_shift, float *shift,
		      float *sign)
{
	int top = base + tr_kmax(bits) - 1;

	for (size_t i = 0; i < n; i++) {
		float a = fabsf(w[i]);
		float p;

		if (!(a > 0.0f)) {
			shift[i] = (float)base;
			sign[i] = 0.0f;
			continue;
		}
		p = round_shift ? (float)tr_log2_round(a) : log2f(a);
		/* Below the range the weight rounds to zero, as DeepShift-Q does. */
		if (p < (float)base - 0.5f) {
			shift[i] = (float)base;
			sign[i] = 0.0f;
			continue;
		}
		shift[i] = p < (float)base ? (float)base : p > (float)top ? (float)top : p;
		sign[i] = w[i] < 0 ? -1.0f : 1.0f;
	}
}

/* round(P) (halves up) clamped to [base, top]; P is kept near that range, so int fits. */
static int ps_shift(float p, int base, int top)
{
	float x = p + 0.5f;

	x = x > (float)(base - 1) ? x : (float)(base - 1);
	x = x < (float)(top + 1) ? x : (float)(top + 1);
	int t = (int)x;

	t -= x < (float)t; /* truncation -> floor */
	return clamp_int(t, base, top);
}

static int ps_sign(float s)
{
	return s >= 0.5f ? 1 : s <= -0.5f ? -1 : 0;
}

void tr_ps_forward(const float *shift, const float *sign, size_t n, int base, int bits, float *w,
		   int8_t *codes)
{
	int top = base + tr_kmax(bits) - 1;

	for (size_t i = 0; i < n; i++) {
		int s = ps_sign(sign[i]);
		int p = ps_shift(shift[i], base, top);

		w[i] = s ? pow2_signed(p, s < 0) : 0.0f;
		if (codes)
			codes[i] = (int8_t)(s * (p - base + 1));
	}
}

void tr_ps_backward(const float *shift, const float *w, const float *g, size_t n, int base,
		    int bits, float *dshift, float *dsign)
{
	int top = base + tr_kmax(bits) - 1;
	const float ln2 = 0.69314718f;

	for (size_t i = 0; i < n; i++) {
		dshift[i] = g[i] * w[i] * ln2;
		dsign[i] = g[i] * pow2_signed(ps_shift(shift[i], base, top), 0);
	}
}

void tr_ps_project(float *shift, float *sign, size_t n, int base, int bits)
{
	float lo = (float)base, hi = (float)(base + tr_kmax(bits) - 1);

	for (size_t i = 0; i < n; i++) {
		shift[i] = shift[i] < lo ? lo : shift[i] > hi ? hi : shift[i];
		sign[i] = sign[i] < -1.0f ? -1.0f : sign[i] > 1.0f ? 1.0f : sign[i];
	}
}
