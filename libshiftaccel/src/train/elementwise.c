// SPDX-License-Identifier: MIT
/* Activation + fake quantisation, dropout, softmax cross-entropy. */
#include <math.h>
#include <string.h>

#include "../../kernels/sa_kernels.h"
#include "layers.h"
#include "vec.h"

void tr_actq_init(struct tr_actq *a, int act, int quant, int dtype, int exp)
{
	a->act = act;
	a->quant = quant;
	a->scale = ldexpf(1.0f, exp);
	a->inv_scale = ldexpf(1.0f, -exp);
	if (quant) {
		int32_t lo, hi;

		sa_act_bounds((uint8_t)dtype, (uint8_t)act, exp, &lo, &hi);
		a->qlo = (float)lo;
		a->qhi = (float)hi;
	} else {
		a->qlo = act == SA_ACT_NONE ? -INFINITY : 0.0f;
		a->qhi = act == SA_ACT_RELU6 ? 6.0f : INFINITY;
	}
}

/*
 * floor(x + 0.5) of an exactly scaled value x, clamped to [lo, hi].  x is
 * first limited to [lo - 1, hi + 1] (which cannot change the clamped result)
 * so it converts to int; floor is then exact, and so is x - floor(x), which
 * avoids the float rounding of x + 0.5 just below a half.  NaN ends at lo.
 */
static inline float round_clamp(float x, float lo, float hi)
{
	x = x > lo - 1.0f ? x : lo - 1.0f;
	x = x < hi + 1.0f ? x : hi + 1.0f;
	float f = (float)(int32_t)x;

	f -= x < f ? 1.0f : 0.0f;
	f += x - f >= 0.5f ? 1.0f : 0.0f;
	f = f > lo ? f : lo;
	return f < hi ? f : hi;
}

static inline v4f round_clamp4(v4f x, v4f lo, v4f hi)
{
	v4f one = v4f_set(1.0f);

	x = v4f_max(x, lo - one);
	x = v4f_min(x, hi + one);
	v4f f = __builtin_convertvector(__builtin_convertvector(x, v4i), v4f);

	f -= v4f_and(one, x < f);
	f += v4f_and(one, x - f >= v4f_set(0.5f));
	return v4f_min(v4f_max(f, lo), hi);
}

void tr_actq_forward(const struct tr_actq *a, const float *v, float *y, size_t n)
{
	size_t i = 0;

	if (!a->quant) {
		float lo = a->qlo, hi = a->qhi;
		v4f lo4 = v4f_set(lo), hi4 = v4f_set(hi);

		for (; i + 4 <= n; i += 4)
			v4f_store(y + i, v4f_min(v4f_max(v4f_load(v + i), lo4), hi4));
		for (; i < n; i++) {
			float t = v[i] > lo ? v[i] : lo;

			y[i] = t < hi ? t : hi;
		}
		return;
	}
	float inv = a->inv_scale, scale = a->scale, lo = a->qlo, hi = a->qhi;
	v4f inv4 = v4f_set(inv), scale4 = v4f_set(scale), lo4 = v4f_set(lo), hi4 = v4f_set(hi);

	/* v * 2^-exp is exact (a power-of-two scaling) */
	for (; i + 4 <= n; i += 4)
		v4f_store(y + i, round_clamp4(v4f_load(v + i) * inv4, lo4, hi4) * scale4);
	for (; i < n; i++)
		y[i] = round_clamp(v[i] * inv, lo, hi) * scale;
}

void tr_actq_backward(const struct tr_actq *a, const float *v, const float *dy, float *dv, size_t n)
{
	size_t i = 0;

	if (!a->quant && a->act == SA_ACT_NONE) {
		if (dv != dy)
			memmove(dv, dy, sizeof(float) * n);
		return;
	}
	/* float: the open interval of the activation; quantised: the closed range */
	float lo = a->quant ? a->qlo * a->scale : a->qlo;
	float hi = a->quant ? a->qhi * a->scale : a->qhi;
	v4f lo4 = v4f_set(lo), hi4 = v4f_set(hi);

	if (a->quant) {
		for (; i + 4 <= n; i += 4) {
			v4f x = v4f_load(v + i);

			v4f_store(dv + i, v4f_and(v4f_load(dy + i), (x >= lo4) & (x <= hi4)));
		}
		for (; i < n; i++)
			dv[i] = v[i] >= lo && v[i] <= hi ? dy[i] : 0.0f;
		return;
	}
	for (; i + 4 <= n; i += 4) {
		v4f x = v4f_load(v + i);

		v4f_store(dv + i, v4f_and(v4f_load(dy + i), (x > lo4) & (x < hi4)));
	}
	for (; i < n; i++)
		dv[i] = v[i] > lo && v[i] < hi ? dy[i] : 0.0f;
}

float tr_max_abs(const float *v, size_t n)
{
	v4f m4 = v4f_set(0.0f);
	float m = 0.0f;
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		v4f x = v4f_load(v + i);

		m4 = v4f_max(m4, v4f_max(x, -x));
	}
	for (int k = 0; k < 4; k++)
		m = m4[k] > m ? m4[k] : m;
	for (; i < n; i++) {
		float a = fabsf(v[i]);

		m = a > m ? a : m;
	}
	return m;
}

void tr_dropout_mask(struct tr_rng *rng, float p, uint8_t *mask, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mask[i] = tr_rng_uniform(rng) >= p;
}

void tr_dropout_apply(const uint8_t *mask, float p, const float *x, float *y, size_t n)
{
	float k = 1.0f / (1.0f - p);

	for (size_t i = 0; i < n; i++)
		y[i] = mask[i] ? x[i] * k : 0.0f;
}

int tr_argmax(const float *v, int n)
{
	int best = 0;

	for (int i = 1; i < n; i++)
		if (v[i] > v[best])
			best = i;
	return best;
}

double tr_softmax_xent(const float *logits, const sa_label *labels, int n, int classes,
		       float grad_scale, float *dlogits, int *correct)
{
	double loss = 0.0;

	for (int i = 0; i < n; i++) {
		const float *z = logits + (size_t)i * classes;
		int best = tr_argmax(z, classes);
		double sum = 1.0; /* the largest logit's term, exp(0) */

		for (int c = 0; c < classes; c++)
			if (c != best)
				sum += exp((double)z[c] - z[best]);
		loss += log(sum) - ((double)z[labels[i]] - z[best]);
		if (best == labels[i])
			++*correct;
		if (dlogits) {
			float *d = dlogits + (size_t)i * classes;

			for (int c = 0; c < classes; c++) {
				double p = exp((double)z[c] - z[best]) / sum;

				d[c] = (float)((p - (c == labels[i])) * grad_scale);
			}
		}
	}
	return loss;
}
