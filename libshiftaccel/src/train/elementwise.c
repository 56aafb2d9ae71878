// SPDX-License-Identifier: MIT
/* Activation + fake quantisation, dropout, softmax cross-entropy. */
#include <math.h>

#include "../../kernels/sa_kernels.h"
#include "layers.h"

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

void tr_actq_forward(const struct tr_actq *a, const float *v, float *y, size_t n)
{
	if (!a->quant) {
		for (size_t i = 0; i < n; i++) {
			float t = v[i];

			t = t < a->qlo ? a->qlo : t;
			y[i] = t > a->qhi ? a->qhi : t;
		}
		return;
	}
	/*
	 * floor(v * 2^-exp + 0.5) in double: the float sum could round a value
	 * just below a half up to the next integer.
	 */
	double inv = a->inv_scale;

	for (size_t i = 0; i < n; i++) {
		float q = (float)floor((double)v[i] * inv + 0.5);

		q = q < a->qlo ? a->qlo : q;
		q = q > a->qhi ? a->qhi : q;
		y[i] = q * a->scale;
	}
}

void tr_actq_backward(const struct tr_actq *a, const float *v, const float *dy, float *dv,
		      size_t n)
{
	if (!a->quant) {
		if (a->act == SA_ACT_NONE) {
			if (dv != dy)
				for (size_t i = 0; i < n; i++)
					dv[i] = dy[i];
			return;
		}
		for (size_t i = 0; i < n; i++)
			dv[i] = v[i] > a->qlo && v[i] < a->qhi ? dy[i] : 0.0f;
		return;
	}
	float lo = a->qlo * a->scale, hi = a->qhi * a->scale;

	for (size_t i = 0; i < n; i++)
		dv[i] = v[i] >= lo && v[i] <= hi ? dy[i] : 0.0f;
}

float tr_max_abs(const float *v, size_t n)
{
	float m = 0.0f;

	for (size_t i = 0; i < n; i++) {
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

double tr_softmax_xent(const float *logits, const uint8_t *labels, int n, int classes,
		       float grad_scale, float *dlogits, int *correct)
{
	double loss = 0.0;

	for (int i = 0; i < n; i++) {
		const float *z = logits + (size_t)i * classes;
		int best = tr_argmax(z, classes);
		double sum = 0.0;

		for (int c = 0; c < classes; c++)
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
