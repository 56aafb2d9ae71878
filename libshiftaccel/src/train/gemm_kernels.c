// SPDX-License-Identifier: MIT
/*
 * GEMM micro-kernels: a tile of C held in registers while the packed panels
 * of A (MR values per k) and B (NR values per k) stream through.  AVX-512:
 * 8 x 32 in 16 zmm registers (the 16/32/64 channels of small convolutions
 * fill 8-row panels exactly); AVX2: 6 x 16 in 12 ymm registers; both use
 * FMA.  They are compiled with target attributes and picked at run time, so
 * the library still runs on CPUs without them.
 */
#include "gemm.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_AVX2_KERNEL 1
#endif

#define MR 6
#define NR 16

/* Writes (or adds) the valid m x n part of a full tile computed in `t` (rows `ld` apart). */
static void store_tile(const float *t, int ld, float *c, ptrdiff_t rsc, ptrdiff_t csc,
		       int accumulate, int m, int n)
{
	for (int i = 0; i < m; i++) {
		float *row = c + i * rsc;

		if (accumulate) {
			for (int j = 0; j < n; j++)
				row[j * csc] += t[i * ld + j];
		} else {
			for (int j = 0; j < n; j++)
				row[j * csc] = t[i * ld + j];
		}
	}
}

static void kernel_generic(int kc, const float *a, const float *b, float *c, ptrdiff_t rsc,
			   ptrdiff_t csc, int accumulate, int m, int n)
{
	float t[MR * NR] = {0};

	for (int p = 0; p < kc; p++) {
		for (int i = 0; i < MR; i++) {
			float ai = a[i];

			for (int j = 0; j < NR; j++)
				t[i * NR + j] += ai * b[j];
		}
		a += MR;
		b += NR;
	}
	store_tile(t, NR, c, rsc, csc, accumulate, m, n);
}

static void transpose_generic(const float *src, ptrdiff_t ls, int lanes, int kc, int width,
			      float *dst)
{
	for (int l = 0; l < lanes; l++) {
		const float *s = src + l * ls;

		for (int p = 0; p < kc; p++)
			dst[p * width + l] = s[p];
	}
}

#ifdef HAVE_AVX2_KERNEL
#define TARGET_AVX2 __attribute__((target("avx2,fma")))

/*
 * 8 x 8 blocks through registers: eight row loads, three rounds of shuffles,
 * eight row stores, instead of 64 scalar stores a panel width apart.
 */
TARGET_AVX2 static void transpose_avx2(const float *src, ptrdiff_t ls, int lanes, int kc, int width,
				       float *dst)
{
	int l = 0;

	for (; l + 8 <= lanes; l += 8) {
		const float *s = src + l * ls;
		float *d = dst + l;
		int p = 0;

		for (; p + 8 <= kc; p += 8) {
			__m256 r[8], t[8];

			for (int i = 0; i < 8; i++)
				r[i] = _mm256_loadu_ps(s + i * ls + p);
			for (int i = 0; i < 8; i += 2) {
				t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
				t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
			}
			for (int i = 0; i < 8; i += 4) {
				r[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
				r[i + 1] =
					_mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
				r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3],
							     _MM_SHUFFLE(1, 0, 1, 0));
				r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3],
							     _MM_SHUFFLE(3, 2, 3, 2));
			}
			for (int i = 0; i < 4; i++) {
				t[i] = _mm256_permute2f128_ps(r[i], r[i + 4], 0x20);
				t[i + 4] = _mm256_permute2f128_ps(r[i], r[i + 4], 0x31);
			}
			for (int i = 0; i < 8; i++)
				_mm256_storeu_ps(d + (ptrdiff_t)(p + i) * width, t[i]);
		}
		transpose_generic(s + p, ls, 8, kc - p, width, d + (ptrdiff_t)p * width);
	}
	transpose_generic(src + l * ls, ls, lanes - l, kc, width, dst + l);
}

#define ROW_FMA(r)                                                                                 \
	do {                                                                                       \
		__m256 ar = _mm256_broadcast_ss(a + (r));                                          \
		c##r##0 = _mm256_fmadd_ps(ar, b0, c##r##0);                                        \
		c##r##1 = _mm256_fmadd_ps(ar, b1, c##r##1);                                        \
	} while (0)

#define ROW_STORE(r)                                                                               \
	do {                                                                                       \
		float *cr = c + (r)*rsc;                                                           \
		if (accumulate) {                                                                  \
			c##r##0 = _mm256_add_ps(c##r##0, _mm256_loadu_ps(cr));                     \
			c##r##1 = _mm256_add_ps(c##r##1, _mm256_loadu_ps(cr + 8));                 \
		}                                                                                  \
		_mm256_storeu_ps(cr, c##r##0);                                                     \
		_mm256_storeu_ps(cr + 8, c##r##1);                                                 \
	} while (0)

#define ROW_SPILL(r)                                                                               \
	do {                                                                                       \
		_mm256_storeu_ps(t + (r)*NR, c##r##0);                                             \
		_mm256_storeu_ps(t + (r)*NR + 8, c##r##1);                                         \
	} while (0)

TARGET_AVX2 static void kernel_avx2(int kc, const float *a, const float *b, float *c, ptrdiff_t rsc,
				    ptrdiff_t csc, int accumulate, int m, int n)
{
	__m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
	__m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
	__m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
	__m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
	__m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
	__m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();

	for (int p = 0; p < kc; p++) {
		__m256 b0 = _mm256_load_ps(b);
		__m256 b1 = _mm256_load_ps(b + 8);

		ROW_FMA(0);
		ROW_FMA(1);
		ROW_FMA(2);
		ROW_FMA(3);
		ROW_FMA(4);
		ROW_FMA(5);
		a += MR;
		b += NR;
	}
	if (m == MR && n == NR && csc == 1) {
		ROW_STORE(0);
		ROW_STORE(1);
		ROW_STORE(2);
		ROW_STORE(3);
		ROW_STORE(4);
		ROW_STORE(5);
	} else {
		float t[MR * NR];

		ROW_SPILL(0);
		ROW_SPILL(1);
		ROW_SPILL(2);
		ROW_SPILL(3);
		ROW_SPILL(4);
		ROW_SPILL(5);
		store_tile(t, NR, c, rsc, csc, accumulate, m, n);
	}
}

#define MR512 8
#define NR512 32
#define TARGET_AVX512 __attribute__((target("avx512f,fma")))

TARGET_AVX512 static void kernel_avx512(int kc, const float *a, const float *b, float *c,
					ptrdiff_t rsc, ptrdiff_t csc, int accumulate, int m, int n)
{
	__m512 acc[MR512][2];

	/* a constant-bound array of registers: the compiler keeps it in zmm0-15 */
	for (int i = 0; i < MR512; i++)
		acc[i][0] = acc[i][1] = _mm512_setzero_ps();
	for (int p = 0; p < kc; p++) {
		__m512 b0 = _mm512_load_ps(b);
		__m512 b1 = _mm512_load_ps(b + 16);

		for (int i = 0; i < MR512; i++) {
			__m512 ai = _mm512_set1_ps(a[i]);

			acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
			acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
		}
		a += MR512;
		b += NR512;
	}
	if (m == MR512 && n == NR512 && csc == 1) {
		for (int i = 0; i < MR512; i++) {
			float *cr = c + i * rsc;

			if (accumulate) {
				acc[i][0] = _mm512_add_ps(acc[i][0], _mm512_loadu_ps(cr));
				acc[i][1] = _mm512_add_ps(acc[i][1], _mm512_loadu_ps(cr + 16));
			}
			_mm512_storeu_ps(cr, acc[i][0]);
			_mm512_storeu_ps(cr + 16, acc[i][1]);
		}
		return;
	}
	float t[MR512 * NR512];

	for (int i = 0; i < MR512; i++) {
		_mm512_storeu_ps(t + i * NR512, acc[i][0]);
		_mm512_storeu_ps(t + i * NR512 + 16, acc[i][1]);
	}
	store_tile(t, NR512, c, rsc, csc, accumulate, m, n);
}
#endif

struct tr_gemm_kernel tr_gemm_pick_kernel(void)
{
#ifdef HAVE_AVX2_KERNEL
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma"))
		return (struct tr_gemm_kernel){kernel_avx512, MR512, NR512, transpose_avx2};
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		return (struct tr_gemm_kernel){kernel_avx2, MR, NR, transpose_avx2};
#endif
	return (struct tr_gemm_kernel){kernel_generic, MR, NR, transpose_generic};
}
