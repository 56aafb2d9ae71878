// SPDX-License-Identifier: MIT
/*
 * GEMM micro-kernels: a 6 x 16 tile of C held in registers while the packed
 * panels of A (6 values per k) and B (16 values per k) stream through.
 * The AVX2 version keeps the tile in 12 ymm registers and uses FMA; it is
 * compiled with a target attribute and picked at run time, so the library
 * still runs on CPUs without AVX2.
 */
#include "gemm.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_AVX2_KERNEL 1
#endif

#define MR TR_GEMM_MR
#define NR TR_GEMM_NR

/* Writes (or adds) the valid m x n part of a full tile computed in `t`. */
static void store_tile(const float *t, float *c, ptrdiff_t rsc, ptrdiff_t csc, int accumulate,
		       int m, int n)
{
	for (int i = 0; i < m; i++) {
		float *row = c + i * rsc;

		if (accumulate) {
			for (int j = 0; j < n; j++)
				row[j * csc] += t[i * NR + j];
		} else {
			for (int j = 0; j < n; j++)
				row[j * csc] = t[i * NR + j];
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
	store_tile(t, c, rsc, csc, accumulate, m, n);
}

#ifdef HAVE_AVX2_KERNEL
#define TARGET_AVX2 __attribute__((target("avx2,fma")))

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
		store_tile(t, c, rsc, csc, accumulate, m, n);
	}
}
#endif

tr_gemm_kernel_fn tr_gemm_pick_kernel(void)
{
#ifdef HAVE_AVX2_KERNEL
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		return kernel_avx2;
#endif
	return kernel_generic;
}
