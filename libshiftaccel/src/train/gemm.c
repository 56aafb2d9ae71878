// SPDX-License-Identifier: MIT
#include "gemm.h"

#include <stdlib.h>
#include <string.h>

#define MR TR_GEMM_MR
#define NR TR_GEMM_NR
#define MC TR_GEMM_MC
#define KC TR_GEMM_KC
#define NC TR_GEMM_NC

int tr_gemm_ws_init(struct tr_gemm_ws *ws)
{
	ws->pack_a = aligned_alloc(64, sizeof(float) * MC * KC);
	ws->pack_b = aligned_alloc(64, sizeof(float) * KC * NC);
	if (!ws->pack_a || !ws->pack_b) {
		tr_gemm_ws_free(ws);
		return -1;
	}
	return 0;
}

void tr_gemm_ws_free(struct tr_gemm_ws *ws)
{
	free(ws->pack_a);
	free(ws->pack_b);
	ws->pack_a = ws->pack_b = NULL;
}

/*
 * Copies a `lanes` x kc slice of a strided matrix into a panel laid out
 * [kc][width] (zero padded to `width` lanes).  `ls` is the stride between
 * lanes, `ks` the stride along k.  The loop order follows whichever stride
 * is contiguous, so transposed operands pack as fast as plain ones.
 */
static void pack_panel(const float *src, ptrdiff_t ls, ptrdiff_t ks, int lanes, int kc, int width,
		       float *dst)
{
	if (ls == 1 && lanes == width) {
		for (int p = 0; p < kc; p++)
			memcpy(dst + p * width, src + p * ks, sizeof(float) * (size_t)width);
		return;
	}
	if (ks == 1) {
		for (int l = 0; l < lanes; l++) {
			const float *s = src + l * ls;

			for (int p = 0; p < kc; p++)
				dst[p * width + l] = s[p];
		}
	} else {
		for (int p = 0; p < kc; p++)
			for (int l = 0; l < lanes; l++)
				dst[p * width + l] = src[p * ks + l * ls];
	}
	for (int l = lanes; l < width; l++)
		for (int p = 0; p < kc; p++)
			dst[p * width + l] = 0.0f;
}

/* Rows [i0, i0+mc) x columns [p0, p0+kc) of A into MR-row panels. */
static void pack_a(struct tr_mat a, int i0, int mc, int p0, int kc, float *dst)
{
	for (int ip = 0; ip < mc; ip += MR) {
		int rows = mc - ip < MR ? mc - ip : MR;
		const float *src = a.p + (ptrdiff_t)(i0 + ip) * a.rs + (ptrdiff_t)p0 * a.cs;

		pack_panel(src, a.rs, a.cs, rows, kc, MR, dst);
		dst += (ptrdiff_t)kc * MR;
	}
}

/* Rows [p0, p0+kc) x columns [j0, j0+nc) of B into NR-column panels. */
static void pack_b(struct tr_mat b, int p0, int kc, int j0, int nc, float *dst)
{
	for (int jp = 0; jp < nc; jp += NR) {
		int cols = nc - jp < NR ? nc - jp : NR;
		const float *src = b.p + (ptrdiff_t)p0 * b.rs + (ptrdiff_t)(j0 + jp) * b.cs;

		pack_panel(src, b.cs, b.rs, cols, kc, NR, dst);
		dst += (ptrdiff_t)kc * NR;
	}
}

static tr_gemm_kernel_fn kernel_fn;

void tr_gemm(int m, int n, int k, struct tr_mat a, struct tr_mat b, float *c, ptrdiff_t rsc,
	     ptrdiff_t csc, int accumulate, struct tr_gemm_ws *ws)
{
	tr_gemm_kernel_fn kernel = __atomic_load_n(&kernel_fn, __ATOMIC_RELAXED);

	if (!kernel) {
		kernel = tr_gemm_pick_kernel();
		__atomic_store_n(&kernel_fn, kernel, __ATOMIC_RELAXED);
	}
	if (m <= 0 || n <= 0)
		return;
	if (k <= 0) {
		if (!accumulate)
			for (int i = 0; i < m; i++)
				for (int j = 0; j < n; j++)
					c[i * rsc + j * csc] = 0.0f;
		return;
	}
	for (int jc = 0; jc < n; jc += NC) {
		int nc = n - jc < NC ? n - jc : NC;

		for (int pc = 0; pc < k; pc += KC) {
			int kc = k - pc < KC ? k - pc : KC;
			int acc = accumulate || pc > 0;

			pack_b(b, pc, kc, jc, nc, ws->pack_b);
			for (int ic = 0; ic < m; ic += MC) {
				int mc = m - ic < MC ? m - ic : MC;

				pack_a(a, ic, mc, pc, kc, ws->pack_a);
				for (int jr = 0; jr < nc; jr += NR) {
					int nr = nc - jr < NR ? nc - jr : NR;
					const float *pb = ws->pack_b + (ptrdiff_t)jr * kc;

					for (int ir = 0; ir < mc; ir += MR) {
						int mr = mc - ir < MR ? mc - ir : MR;
						const float *pa = ws->pack_a + (ptrdiff_t)ir * kc;
						float *cp = c + (ic + ir) * rsc + (jc + jr) * csc;

						kernel(kc, pa, pb, cp, rsc, csc, acc, mr, nr);
					}
				}
			}
		}
	}
}
