// SPDX-License-Identifier: MIT
/*
 * Fast convolution (cpu_fast.h): im2col into the caller's scratch buffer,
 * one chunk of output positions at a time, then an int16 x int16 -> int32
 * GEMM over register tiles of TILE_M output channels x TILE_N positions.
 *
 * The im2col layout pairs neighbouring taps: col[kp][n][2] holds the inputs
 * of taps 2kp and 2kp+1 for position n side by side, so one multiply-add-
 * pairs instruction (pmaddwd) forms w[2kp] * x + w[2kp+1] * x' for 8
 * positions at once against a broadcast weight pair.  Every stride,
 * padding, dilation and group count is handled by the im2col step; the GEMM
 * never sees the geometry.
 */
#include <stdlib.h>
#include <string.h>

#include "../kernels/ref_util.h" /* sa_tap_range: the in-bounds taps of a window */
#include "cpu_fast_layer.h"
#include "error.h"

#ifdef SA_FAST_HAVE_AVX2_KERNELS
#include <immintrin.h>
#endif

#define TILE_M 4
#define TILE_N 16
/*
 * Target size of one im2col chunk: small enough to stay in the L2 cache
 * while every channel tile of the layer reads it.
 */
#define CHUNK_BYTES ((size_t)128 << 10)
/* A layer whose smallest chunk (TILE_N positions) needs more uses the reference kernel. */
#define SCRATCH_LIMIT ((size_t)64 << 20)

sa_status sa_fast_conv_create(const struct sa_shape *in, const struct sa_conv_params *p,
			      const int8_t *w, const int32_t *bias, const struct sa_shape *out,
			      enum sa_fast_isa isa, struct sa_fast_layer **layer)
{
	size_t icg = in->c / p->groups, ocg = out->c / p->groups;
	size_t k = icg * p->kernel_h * p->kernel_w, kpad = k + (k & 1);
	size_t mpad = sa_fast_round_up(ocg, TILE_M);
	size_t positions = (size_t)out->h * out->w, position_bytes = kpad * sizeof(int16_t);
	size_t chunk = CHUNK_BYTES / position_bytes / TILE_N * TILE_N;
	struct sa_fast_layer *l;

	*layer = NULL;
	if (position_bytes * TILE_N > SCRATCH_LIMIT ||
	    !sa_fast_acc_fits_int32(w, bias, out->c, k, in->dtype))
		return SA_OK;
	if (chunk < TILE_N)
		chunk = TILE_N;
	if (chunk > sa_fast_round_up(positions, TILE_N))
		chunk = sa_fast_round_up(positions, TILE_N);
	l = sa_fast_layer_new(in, out, p->weight_base, p->act, bias, p->groups, mpad, kpad, isa);
	if (l)
		l->inside = malloc(2 * ((size_t)p->kernel_w + p->kernel_h) * sizeof(*l->inside));
	if (!l || !l->inside) {
		sa_fast_destroy(l);
		return sa_fail(SA_ERR_NO_MEMORY,
			       "out of memory for the fast kernel of a %u -> %u channel %ux%u "
			       "convolution",
			       in->c, out->c, p->kernel_h, p->kernel_w);
	}
	l->is_conv = 1;
	l->conv = *p;
	for (uint32_t kx = 0; kx < p->kernel_w; kx++)
		sa_tap_range((int64_t)kx * p->dilation_w - p->pad_left, in->w, out->w, p->stride_w,
			     &l->inside[2 * kx], &l->inside[2 * kx + 1]);
	for (uint32_t ky = 0; ky < p->kernel_h; ky++)
		sa_tap_range((int64_t)ky * p->dilation_h - p->pad_top, in->h, out->h, p->stride_h,
			     &l->inside[2 * (p->kernel_w + ky)],
			     &l->inside[2 * (p->kernel_w + ky) + 1]);
	l->k = k;
	l->chunk = chunk;
	/* The chunk's im2col matrix and two rows of taps to interleave into it. */
	l->scratch_bytes = chunk * position_bytes + 2 * chunk * sizeof(int16_t);
	for (size_t g = 0; g < p->groups; g++) {
		for (size_t m = 0; m < ocg; m++) {
			const int8_t *src = w + (g * ocg + m) * k;
			int16_t *dst = l->w + (g * mpad + m) * kpad;

			for (size_t i = 0; i < k; i++)
				dst[i] = sa_fast_weight_value(src[i]);
		}
	}
	*layer = l;
	return SA_OK;
}

/* ------------------------------------------------------------- im2col */

/* dst[i] = src[i * stride] for i < count, widened to int16. */
static void copy_strided(int16_t *dst, const void *src, uint8_t dtype, size_t count,
			 uint32_t stride)
{
	/* The stride-1 loops are separate so that they vectorise. */
	if (dtype == SA_DTYPE_I8) {
		const int8_t *s8 = src;

		if (stride == 1) {
			for (size_t i = 0; i < count; i++)
				dst[i] = s8[i];
		} else {
			for (size_t i = 0; i < count; i++)
				dst[i] = s8[i * stride];
		}
	} else {
		const int16_t *s16 = src;

		if (stride == 1) {
			memcpy(dst, s16, count * sizeof(*dst));
		} else {
			for (size_t i = 0; i < count; i++)
				dst[i] = s16[i * stride];
		}
	}
}

/* Clamps v to [0, max]. */
static size_t clamp_to(int64_t v, size_t max)
{
	return v < 0 ? 0 : (size_t)v > max ? max : (size_t)v;
}

/* The output positions an im2col chunk covers: n0 .. n0 + count - 1, padded to nb. */
struct chunk {
	size_t n0, count, nb;
	size_t oy0, ox0; /* position n0 */
};

/* One tap of the weights: input channel (absolute, not within the group), row, column. */
struct tap {
	size_t ic;
	uint32_t ky, kx;
};

/* The next tap in the weights' [ic][ky][kx] order. */
static void next_tap(const struct sa_conv_params *p, struct tap *t)
{
	if (++t->kx == p->kernel_w) {
		t->kx = 0;
		if (++t->ky == p->kernel_h) {
			t->ky = 0;
			t->ic++;
		}
	}
}

/*
 * dst[j] = the input tap t reads for position n0 + j of the chunk, 0 where
 * it reads padding, and 0 for count <= j < nb.  Walks the chunk one output
 * row at a time.
 */
static void im2col_tap(const struct sa_fast_layer *l, const void *x, const struct tap *t,
		       const struct chunk *c, int16_t *dst)
{
	const struct sa_conv_params *p = &l->conv;
	const struct sa_shape *in = &l->in;
	size_t esize = in->dtype == SA_DTYPE_I8 ? 1 : 2, ow = l->out.w;
	const uint32_t *cols = &l->inside[2 * t->kx], *rows = &l->inside[2 * (p->kernel_w + t->ky)];
	const char *plane = (const char *)x + t->ic * in->h * in->w * esize;
	/* Input row and column of output (0, 0), possibly in the padding (then wrapped). */
	size_t iy0 = (size_t)t->ky * p->dilation_h - p->pad_top;
	size_t ix0 = (size_t)t->kx * p->dilation_w - p->pad_left;
	size_t oy = c->oy0, ox = c->ox0;

	for (size_t j = 0; j < c->count; oy++, ox = 0) {
		size_t run = ow - ox < c->count - j ? ow - ox : c->count - j;
		/* The part [lo, hi) of this run of the row that reads inside the input. */
		size_t lo = clamp_to((int64_t)cols[0] - (int64_t)ox, run);
		size_t hi = clamp_to((int64_t)cols[1] - (int64_t)ox, run);

		if (oy < rows[0] || oy >= rows[1])
			lo = hi = run;
		if (lo)
			memset(dst + j, 0, lo * sizeof(*dst));
		if (hi > lo) {
			/* Inside the input, so these unsigned sums wrap back into range. */
			size_t iy = oy * p->stride_h + iy0, ix = (ox + lo) * p->stride_w + ix0;

			copy_strided(dst + j + lo, plane + (iy * in->w + ix) * esize, in->dtype,
				     hi - lo, p->stride_w);
		}
		if (run > hi)
			memset(dst + j + hi, 0, (run - hi) * sizeof(*dst));
		j += run;
	}
	memset(dst + c->count, 0, (c->nb - c->count) * sizeof(*dst));
}

/* dst[2i] = a[i], dst[2i + 1] = b[i]: two taps side by side, as pmaddwd reads them. */
static void interleave(int16_t *dst, const int16_t *a, const int16_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		dst[2 * i] = a[i];
		dst[2 * i + 1] = b[i];
	}
}

/*
 * The chunk's im2col matrix col[kp][n][2] for group g, n < nb (a multiple
 * of TILE_N), built two taps at a time in the rows `ta` and `tb` of nb
 * values each.  Positions past `count` and the odd tap past the fan-in read
 * 0, so the tiles that cover them add nothing and cannot overflow.
 */
static void im2col_chunk(const struct sa_fast_layer *l, const void *x, size_t g,
			 const struct chunk *c, int16_t *col, int16_t *ta, int16_t *tb)
{
	struct tap t = {.ic = g * (l->in.c / l->conv.groups)};

	for (size_t kp = 0; kp < l->kpad / 2; kp++) {
		im2col_tap(l, x, &t, c, ta);
		next_tap(&l->conv, &t);
		if (2 * kp + 1 < l->k) {
			im2col_tap(l, x, &t, c, tb);
			next_tap(&l->conv, &t);
		} else {
			memset(tb, 0, c->nb * sizeof(*tb));
		}
		interleave(col + kp * c->nb * 2, ta, tb, c->nb);
	}
}

/* --------------------------------------------------------------- GEMM */

/*
 * t[i][j] = sum over kp of w[i][2kp] * col[kp][j][0] + w[i][2kp+1] * col[kp][j][1]
 * for TILE_M weight rows kpad apart and TILE_N positions of a chunk whose
 * rows are `cstride` int16 apart.  Partial sums are partial sums of one
 * output, inside the layer's int32 bound.
 */
static void tile_portable(const int16_t *w, size_t kpad, const int16_t *col, size_t cstride,
			  int32_t t[TILE_M][TILE_N])
{
	memset(t, 0, sizeof(int32_t) * TILE_M * TILE_N);
	for (size_t kp = 0; kp < kpad / 2; kp++) {
		const int16_t *c = col + kp * cstride;

		for (int i = 0; i < TILE_M; i++) {
			int32_t w0 = w[i * kpad + 2 * kp], w1 = w[i * kpad + 2 * kp + 1];

			for (int j = 0; j < TILE_N; j++)
				t[i][j] += c[2 * j] * w0 + c[2 * j + 1] * w1;
		}
	}
}

#ifdef SA_FAST_HAVE_AVX2_KERNELS
/* A weight pair as the 32-bit lane pmaddwd multiplies against. */
static inline int32_t weight_pair(const int16_t *w)
{
	int32_t v;

	memcpy(&v, w, sizeof(v));
	return v;
}

/* tile_portable with the tile in 8 ymm registers: 2 vectors of 8 positions per row. */
SA_FAST_TARGET_AVX2 static void tile_avx2(const int16_t *w, size_t kpad, const int16_t *col,
					  size_t cstride, int32_t t[TILE_M][TILE_N])
{
	__m256i acc[TILE_M][2];

	for (int i = 0; i < TILE_M; i++)
		acc[i][0] = acc[i][1] = _mm256_setzero_si256();
	for (size_t kp = 0; kp < kpad / 2; kp++) {
		const int16_t *c = col + kp * cstride;
		__m256i c0 = _mm256_loadu_si256((const __m256i *)c);
		__m256i c1 = _mm256_loadu_si256((const __m256i *)(c + 16));

		for (int i = 0; i < TILE_M; i++) {
			__m256i wp = _mm256_set1_epi32(weight_pair(w + i * kpad + 2 * kp));

			acc[i][0] = _mm256_add_epi32(acc[i][0], _mm256_madd_epi16(c0, wp));
			acc[i][1] = _mm256_add_epi32(acc[i][1], _mm256_madd_epi16(c1, wp));
		}
	}
	for (int i = 0; i < TILE_M; i++) {
		_mm256_storeu_si256((__m256i *)t[i], acc[i][0]);
		_mm256_storeu_si256((__m256i *)(t[i] + 8), acc[i][1]);
	}
}
#endif

/* Output channels m0 .. m0 + TILE_M - 1 of group g for the chunk's positions. */
static void gemm_channel_tile(const struct sa_fast_layer *l, size_t g, size_t m0,
			      const int16_t *col, const struct chunk *c, void *y)
{
	size_t ocg = l->out.c / l->conv.groups, positions = (size_t)l->out.h * l->out.w;
	size_t rows = ocg - m0 < TILE_M ? ocg - m0 : TILE_M;
	const int16_t *w = l->w + (g * l->mpad + m0) * l->kpad;

	for (size_t j0 = 0; j0 < c->count; j0 += TILE_N) {
		size_t cols = c->count - j0 < TILE_N ? c->count - j0 : TILE_N;
		int32_t t[TILE_M][TILE_N];

#ifdef SA_FAST_HAVE_AVX2_KERNELS
		if (l->avx2)
			tile_avx2(w, l->kpad, col + 2 * j0, 2 * c->nb, t);
		else
#endif
			tile_portable(w, l->kpad, col + 2 * j0, 2 * c->nb, t);
		for (size_t i = 0; i < rows; i++) {
			size_t oc = g * ocg + m0 + i;

			sa_fast_store_run(l, t[i], cols, l->bias[oc], y,
					  oc * positions + c->n0 + j0);
		}
	}
}

void sa_fast_conv_run(const struct sa_fast_layer *l, const void *x, void *y, void *scratch)
{
	size_t ocg = l->out.c / l->conv.groups, positions = (size_t)l->out.h * l->out.w;
	int16_t *col = scratch, *ta = col + l->kpad * l->chunk, *tb = ta + l->chunk;

	for (size_t g = 0; g < l->conv.groups; g++) {
		for (size_t n0 = 0; n0 < positions; n0 += l->chunk) {
			struct chunk c = {.n0 = n0, .oy0 = n0 / l->out.w, .ox0 = n0 % l->out.w};

			c.count = positions - n0 < l->chunk ? positions - n0 : l->chunk;
			c.nb = sa_fast_round_up(c.count, TILE_N);
			im2col_chunk(l, x, g, &c, col, ta, tb);
			for (size_t m0 = 0; m0 < ocg; m0 += TILE_M)
				gemm_channel_tile(l, g, m0, col, &c, y);
		}
	}
}
