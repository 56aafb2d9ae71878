// SPDX-License-Identifier: MIT
/*
 * Fast fully connected layer (cpu_fast.h): int16 dot products with int32
 * sums, FC_ROWS outputs at a time so each load of the input serves several
 * weight rows.  The dot product is plain C; compilers turn it into
 * multiply-add-pairs instructions (pmaddwd), and the AVX2 caller gets the
 * same body compiled for 256-bit vectors.
 */
#include <string.h>

#include "cpu_fast_layer.h"
#include "error.h"

#define FC_ROWS 4
/* Fan-in padding: whole 256-bit vectors of int16, so no loop has a tail. */
#define FC_K_STEP 16

/*
 * acc[i] = dot(w row i, x) over kpad values for FC_ROWS rows kpad apart.
 * Every partial sum is a partial sum of one output, which the layer's
 * int32 bound covers, so no order of the additions can overflow.
 */
SA_FAST_INLINE void fc_rows_body(const int16_t *w, size_t kpad, const int16_t *x,
				 int32_t acc[FC_ROWS])
{
	const int16_t *w0 = w, *w1 = w + kpad, *w2 = w + 2 * kpad, *w3 = w + 3 * kpad;
	int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;

	for (size_t i = 0; i < kpad; i++) {
		int32_t xi = x[i];

		s0 += w0[i] * xi;
		s1 += w1[i] * xi;
		s2 += w2[i] * xi;
		s3 += w3[i] * xi;
	}
	acc[0] = s0;
	acc[1] = s1;
	acc[2] = s2;
	acc[3] = s3;
}

static void fc_rows_portable(const int16_t *w, size_t kpad, const int16_t *x, int32_t acc[FC_ROWS])
{
	fc_rows_body(w, kpad, x, acc);
}

#ifdef SA_FAST_HAVE_AVX2_KERNELS
SA_FAST_TARGET_AVX2 static void fc_rows_avx2(const int16_t *w, size_t kpad, const int16_t *x,
					     int32_t acc[FC_ROWS])
{
	fc_rows_body(w, kpad, x, acc);
}
#endif

sa_status sa_fast_fc_create(const struct sa_shape *in, const struct sa_fc_params *p,
			    const int8_t *w, const int32_t *bias, const struct sa_shape *out,
			    enum sa_fast_isa isa, struct sa_fast_layer **layer)
{
	size_t k = sa_shape_elems(in), kpad = sa_fast_round_up(k, FC_K_STEP);
	size_t mpad = sa_fast_round_up(p->out_features, FC_ROWS);
	struct sa_fast_layer *l;

	*layer = NULL;
	if (!sa_fast_acc_fits_int32(w, bias, p->out_features, k, in->dtype))
		return SA_OK;
	l = sa_fast_layer_new(in, out, p->weight_base, p->act, bias, 1, mpad, kpad, isa);
	if (!l)
		return sa_fail(SA_ERR_NO_MEMORY,
			       "out of memory for the fast kernel of a %zu -> %u fully connected "
			       "layer",
			       k, p->out_features);
	l->k = k;
	l->scratch_bytes = kpad * sizeof(int16_t);
	for (size_t o = 0; o < p->out_features; o++) {
		for (size_t i = 0; i < k; i++)
			l->w[o * kpad + i] = sa_fast_weight_value(w[o * k + i]);
	}
	*layer = l;
	return SA_OK;
}

void sa_fast_fc_run(const struct sa_fast_layer *l, const void *x, void *y, void *scratch)
{
	int16_t *x16 = scratch; /* the input widened to int16, zero-padded to kpad */
	uint32_t outputs = l->out.c;

	if (l->in.dtype == SA_DTYPE_I8) {
		for (size_t i = 0; i < l->k; i++)
			x16[i] = ((const int8_t *)x)[i];
	} else {
		memcpy(x16, x, l->k * sizeof(int16_t));
	}
	memset(x16 + l->k, 0, (l->kpad - l->k) * sizeof(int16_t));

	for (uint32_t o = 0; o < outputs; o += FC_ROWS) {
		const int16_t *w = l->w + (size_t)o * l->kpad;
		int32_t acc[FC_ROWS];

#ifdef SA_FAST_HAVE_AVX2_KERNELS
		if (l->avx2)
			fc_rows_avx2(w, l->kpad, x16, acc);
		else
#endif
			fc_rows_portable(w, l->kpad, x16, acc);
		for (uint32_t i = 0; i < FC_ROWS && o + i < outputs; i++)
			sa_fast_store_run(l, &acc[i], 1, l->bias[o + i], y, o + i);
	}
}
