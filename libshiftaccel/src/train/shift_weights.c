// SPDX-License-Identifier: MIT
#include "shift_weights.h"

#include <math.h>

#include "../../../uapi/shiftaccel_numerics.h"

int tr_log2_round(float a)
{
	int e;
	double m = frexp((double)a, &e); /* a = m * 2^e, m in [0.5, 1) */

	/* log2 a = e + log2 m, log2 m in [-1, 0): round up when m >= 2^-0.5 */
	return m >= M_SQRT1_2 ? e : e - 1;
}

static int clamp_int(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static float max_abs(const float *w, size_t n)
{
	float m = 0.0f;

	for (size_t i = 0; i < n; i++)
		m = fabsf(w[i]) > m ? fabsf(w[i]) : m;
	return m;
}

int tr_q_base(const float *w, size_t n, int bits)
{
	float m = max_abs(w, n);

	if (!(m > 0.0f) || !isfinite(m))
		return 0;
	return clamp_int(tr_log2_round(m) - (tr_kmax(bits) - 1), SA_WEIGHT_BASE_MIN,
			 SA_WEIGHT_BASE_MAX);
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
	float v = ldexpf(1.0f, base + (k < 0 ? -k : k) - 1);

	return k < 0 ? -v : v;
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

int tr_ps_base(const float *w, size_t n, int bits)
{
	return tr_q_base(w, n, bits);
}

void tr_ps_from_float(const float *w, size_t n, int base, int bits, int round_shift,
		      float *shift, float *sign)
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

static int ps_shift(float p, int base, int top)
{
	return clamp_int((int)floorf(p + 0.5f), base, top);
}

static int ps_sign(float s)
{
	return s >= 0.5f ? 1 : s <= -0.5f ? -1 : 0;
}

void tr_ps_forward(const float *shift, const float *sign, size_t n, int base, int bits,
		   float *w, int8_t *codes)
{
	int top = base + tr_kmax(bits) - 1;

	for (size_t i = 0; i < n; i++) {
		int s = ps_sign(sign[i]);
		int p = ps_shift(shift[i], base, top);

		w[i] = s ? (float)s * ldexpf(1.0f, p) : 0.0f;
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
		dsign[i] = g[i] * ldexpf(1.0f, ps_shift(shift[i], base, top));
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
