// SPDX-License-Identifier: MIT
/*
 * What the fast conv and fc kernels share (cpu_fast.h): the int32 bound
 * that decides whether a layer may use them, the layer's requantisation
 * and bias, storing outputs, and the choice of AVX2 or portable kernels.
 */
#include <stdlib.h>

#include "cpu_fast_layer.h"

int sa_fast_acc_fits_int32(const int8_t *w, const int32_t *bias, size_t outputs, size_t fan_in,
			   uint8_t in_dtype)
{
	/* Largest |x| of the input dtype: the negative end of two's complement. */
	const uint64_t x_max = in_dtype == SA_DTYPE_I8 ? 128 : 32768;
	const uint64_t limit = (uint64_t)1 << 31;

	for (size_t o = 0; o < outputs; o++) {
		const int8_t *wo = w + o * fan_in;
		/* Stops once it reaches 2^31; every term is <= 2^29, so no overflow. */
		uint64_t bound = bias ? (uint64_t)llabs((long long)bias[o]) : 0;

		for (size_t i = 0; i < fan_in && bound < limit; i++) {
			int k = wo[i] < 0 ? -wo[i] : wo[i];

			if (k)
				bound += x_max << (k - 1);
		}
		if (bound >= limit)
			return 0;
	}
	return 1;
}

int sa_fast_have_avx2(void)
{
#ifdef SA_FAST_HAVE_AVX2_KERNELS
	return __builtin_cpu_supports("avx2") != 0;
#else
	return 0;
#endif
}

struct sa_fast_layer *sa_fast_layer_new(const struct sa_shape *in, const struct sa_shape *out,
					int weight_base, uint8_t act, const int32_t *bias,
					size_t groups, size_t mpad, size_t kpad,
					enum sa_fast_isa isa)
{
	struct sa_fast_layer *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->avx2 = isa == SA_FAST_BEST && sa_fast_have_avx2();
	l->in = *in;
	l->out = *out;
	l->r = out->exp - (in->exp + weight_base);
	sa_act_bounds(out->dtype, act, out->exp, &l->lo, &l->hi);
	l->mpad = mpad;
	l->kpad = kpad;
	l->bias = calloc(out->c, sizeof(*l->bias));
	l->w = calloc(groups * mpad * kpad, sizeof(*l->w));
	if (!l->bias || !l->w) {
		sa_fast_destroy(l);
		return NULL;
	}
	for (uint32_t o = 0; bias && o < out->c; o++)
		l->bias[o] = bias[o];
	return l;
}

void sa_fast_destroy(struct sa_fast_layer *layer)
{
	if (!layer)
		return;
	free(layer->bias);
	free(layer->w);
	free(layer->inside);
	free(layer);
}

size_t sa_fast_scratch_bytes(const struct sa_fast_layer *layer)
{
	return layer->scratch_bytes;
}

/* y[first + j] = requantised acc[j] + bias for j < n. */
void sa_fast_store_run(const struct sa_fast_layer *l, const int32_t *acc, size_t n, int32_t bias,
		       void *y, size_t first)
{
	int r = l->r;
	int32_t lo = l->lo, hi = l->hi;

	if (l->out.dtype == SA_DTYPE_I8) {
		int8_t *y8 = (int8_t *)y + first;

		for (size_t j = 0; j < n; j++)
			y8[j] = (int8_t)sa_requantize((int64_t)acc[j] + bias, r, lo, hi);
	} else {
		int16_t *y16 = (int16_t *)y + first;

		for (size_t j = 0; j < n; j++)
			y16[j] = (int16_t)sa_requantize((int64_t)acc[j] + bias, r, lo, hi);
	}
}

void sa_fast_run(const struct sa_fast_layer *layer, const void *x, void *y, void *scratch)
{
	if (layer->is_conv)
		sa_fast_conv_run(layer, x, y, scratch);
	else
		sa_fast_fc_run(layer, x, y, scratch);
}
