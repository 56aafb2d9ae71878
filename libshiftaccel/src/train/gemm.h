/* SPDX-License-Identifier: MIT */
/*
 * Single-precision matrix product for training: C = A * B (+ C).
 *
 * A cache-blocked, packed GEMM in the style of BLIS: blocks of A and B are
 * copied into contiguous panels sized for the caches, and a register-blocked
 * micro-kernel (AVX2 + FMA when the CPU has it, chosen at run time, plain C
 * otherwise) computes TR_GEMM_MR x TR_GEMM_NR tiles.  Operands are strided
 * views, so transposed operands cost nothing extra.  One call runs on the
 * calling thread; callers split work across the thread pool themselves.
 */
#ifndef TR_GEMM_H
#define TR_GEMM_H

#include <stddef.h>

/* A strided view of a matrix: element (i, j) is p[i * rs + j * cs]. */
struct tr_mat {
	const float *p;
	ptrdiff_t rs, cs;
};

/* A row-major matrix with leading dimension ld. */
static inline struct tr_mat tr_mat_rows(const float *p, ptrdiff_t ld)
{
	return (struct tr_mat){p, ld, 1};
}

/* The transpose of a row-major matrix with leading dimension ld. */
static inline struct tr_mat tr_mat_trans(const float *p, ptrdiff_t ld)
{
	return (struct tr_mat){p, 1, ld};
}

#define TR_GEMM_MR 6
#define TR_GEMM_NR 16
#define TR_GEMM_MC 120
#define TR_GEMM_KC 256
#define TR_GEMM_NC 2048

/* Per-thread packing buffers. */
struct tr_gemm_ws {
	float *pack_a; /* TR_GEMM_MC x TR_GEMM_KC */
	float *pack_b; /* TR_GEMM_KC x TR_GEMM_NC */
};

/* 0, or -1 when out of memory. */
int tr_gemm_ws_init(struct tr_gemm_ws *ws);
void tr_gemm_ws_free(struct tr_gemm_ws *ws);

/*
 * C[m][n] = A[m][k] * B[k][n], plus the previous C when `accumulate` is set;
 * element (i, j) of C is c[i * rsc + j * csc].  k == 0 gives zeros (or
 * leaves C).
 */
void tr_gemm(int m, int n, int k, struct tr_mat a, struct tr_mat b, float *c, ptrdiff_t rsc,
	     ptrdiff_t csc, int accumulate, struct tr_gemm_ws *ws);

/*
 * Micro-kernels (gemm_kernels.c): the m x n (m <= MR, n <= NR) part of a
 * tile at c; csc == 1 is the fast path.
 */
typedef void (*tr_gemm_kernel_fn)(int kc, const float *a, const float *b, float *c, ptrdiff_t rsc,
				  ptrdiff_t csc, int accumulate, int m, int n);
tr_gemm_kernel_fn tr_gemm_pick_kernel(void);

#endif /* TR_GEMM_H */
