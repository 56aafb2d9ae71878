/* SPDX-License-Identifier: MIT */
/*
 * Single-precision matrix product for training: C = A * B (+ C).
 *
 * A cache-blocked, packed GEMM in the style of BLIS: blocks of A and B are
 * copied into contiguous panels sized for the caches, and a register-blocked
 * micro-kernel (AVX-512 or AVX2 + FMA when the CPU has it, chosen at run
 * time, plain C otherwise) computes MR x NR tiles whose shape belongs to the
 * kernel (at most TR_GEMM_MR_MAX x TR_GEMM_NR_MAX).  The AVX-512 and AVX2
 * kernels sum each element of C in the same order (one fused multiply-add
 * per k, then onto C per KC block), so they give the same bits.  Operands are strided
 * views, so transposed operands cost nothing extra.  One call runs on the
 * calling thread; callers split work across the thread pool themselves.
 */
#ifndef TR_GEMM_H
#define TR_GEMM_H

#include <stddef.h>

/*
 * A strided view of a matrix: element (i, j) is p[i * rs + j * cs], or,
 * when its columns come in blocks of bw (bw > 0; block b at p + b * bs),
 * p[i * rs + (j / bw) * bs + (j % bw) * cs].  Blocks let a GEMM treat the
 * same channels of several images as one wide matrix without copying them
 * side by side.
 */
struct tr_mat {
	const float *p;
	ptrdiff_t rs, cs;
	int bw;
	ptrdiff_t bs;
};

/* A row-major matrix with leading dimension ld. */
static inline struct tr_mat tr_mat_rows(const float *p, ptrdiff_t ld)
{
	return (struct tr_mat){p, ld, 1, 0, 0};
}

/* The transpose of a row-major matrix with leading dimension ld. */
static inline struct tr_mat tr_mat_trans(const float *p, ptrdiff_t ld)
{
	return (struct tr_mat){p, 1, ld, 0, 0};
}

/* Row-major rows `ld` apart whose columns come in blocks of bw, `bs` apart. */
static inline struct tr_mat tr_mat_blocks(const float *p, ptrdiff_t ld, int bw, ptrdiff_t bs)
{
	return (struct tr_mat){p, ld, 1, bw, bs};
}

/* The writable counterpart of struct tr_mat, for C. */
struct tr_out {
	float *p;
	ptrdiff_t rs, cs;
	int bw;
	ptrdiff_t bs;
};

#define TR_GEMM_MR_MAX 8
#define TR_GEMM_NR_MAX 32
/* MC and NC are multiples of every kernel's MR and NR. */
#define TR_GEMM_MC 120
#define TR_GEMM_KC 256
#define TR_GEMM_NC 512

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
/* The same with any views (column blocks included) of A, B and C. */
void tr_gemm_views(int m, int n, int k, struct tr_mat a, struct tr_mat b, struct tr_out c,
		   int accumulate, struct tr_gemm_ws *ws);

/*
 * Micro-kernels (gemm_kernels.c): the m x n (m <= mr, n <= nr) part of a
 * tile at c from panels packed mr and nr wide; csc == 1 is the fast path.
 */
typedef void (*tr_gemm_kernel_fn)(int kc, const float *a, const float *b, float *c, ptrdiff_t rsc,
				  ptrdiff_t csc, int accumulate, int m, int n);
/*
 * Packs a transposed slice: dst[p * width + l] = src[l * ls + p] for
 * l < lanes, p < kc (lanes `ls` apart, k contiguous), e.g. the weight-gradient
 * GEMM's operands.  Plain copies, so every version gives the same bits.
 */
typedef void (*tr_gemm_transpose_fn)(const float *src, ptrdiff_t ls, int lanes, int kc, int width,
				     float *dst);
struct tr_gemm_kernel {
	tr_gemm_kernel_fn fn;
	int mr, nr;
	tr_gemm_transpose_fn transpose; /* vector shuffles when the CPU has them */
};
/* The widest kernel this CPU runs, with its transpose. */
struct tr_gemm_kernel tr_gemm_pick_kernel(void);

#endif /* TR_GEMM_H */
