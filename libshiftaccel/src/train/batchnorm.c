// SPDX-License-Identifier: MIT
/*
 * Batch normalisation of one channel over a batch.  Sums are taken in
 * double: a channel of a large batch has hundreds of thousands of elements.
 */
#include <math.h>

#include "layers.h"

void tr_bn_forward_train(const float *x, float *y, int n, int p, ptrdiff_t stride, float gamma,
			 float beta, float eps, float *mean, float *var, float *invstd)
{
	double s = 0.0, ss = 0.0;
	double count = (double)n * p;

	for (int i = 0; i < n; i++) {
		const float *xi = x + i * stride;

		for (int j = 0; j < p; j++)
			s += xi[j];
	}
	double m = s / count;

	for (int i = 0; i < n; i++) {
		const float *xi = x + i * stride;

		for (int j = 0; j < p; j++) {
			double d = xi[j] - m;

			ss += d * d;
		}
	}
	double v = ss / count;
	float is = (float)(1.0 / sqrt(v + eps));
	float mf = (float)m;

	for (int i = 0; i < n; i++) {
		const float *xi = x + i * stride;
		float *yi = y + i * stride;

		for (int j = 0; j < p; j++)
			yi[j] = gamma * ((xi[j] - mf) * is) + beta;
	}
	*mean = mf;
	*var = (float)v;
	*invstd = is;
}

void tr_bn_backward(const float *x, const float *dy, float *dx, int n, int p, ptrdiff_t stride,
		    float gamma, float mean, float invstd, float *dgamma, float *dbeta)
{
	double sd = 0.0, sdx = 0.0;
	double count = (double)n * p;

	for (int i = 0; i < n; i++) {
		const float *xi = x + i * stride, *di = dy + i * stride;

		for (int j = 0; j < p; j++) {
			sd += di[j];
			sdx += di[j] * ((xi[j] - mean) * invstd);
		}
	}
	*dgamma += (float)sdx;
	*dbeta += (float)sd;
	/* dx = gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)) */
	float md = (float)(sd / count), mdx = (float)(sdx / count);
	float k = gamma * invstd;

	for (int i = 0; i < n; i++) {
		const float *xi = x + i * stride, *di = dy + i * stride;
		float *dxi = dx + i * stride;

		for (int j = 0; j < p; j++) {
			float xhat = (xi[j] - mean) * invstd;

			dxi[j] = k * (di[j] - md - xhat * mdx);
		}
	}
}
