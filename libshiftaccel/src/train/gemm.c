// SPDX-License-Identifier: MIT
#include "gemm.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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

static struct tr_gemm_kernel kernel;
static pthread_once_t kernel_once = PTHREAD_ONCE_INIT;

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
		kernel.transpose(src, ls, lanes, kc, width, dst);
	} else {
		for (int p = 0; p < kc; p++)
			for (int l = 0; l < lanes; l++)
				dst[p * width + l] = src[p * ks + l * ls];
	}
	for (int l = lanes; l < width; l++)
		for (int p = 0; p < kc; p++)
			dst[p * width + l] = 0.0f;
}

/* Offset of element (i, j) of a view. */
static ptrdiff_t mat_offset(struct tr_mat m, int i, int j)
{
	if (!m.bw)
		return (ptrdiff_t)i * m.rs + (ptrdiff_t)j * m.cs;
	return (ptrdiff_t)i * m.rs + (ptrdiff_t)(j / m.bw) * m.bs + (ptrdiff_t)(j % m.bw) * m.cs;
}

/* Columns [j, end) of a view that lie in j's block: how many. */
static int block_run(struct tr_mat m, int j, int end)
{
	int run = end - j;

	if (m.bw && m.bw - j % m.bw < run)
		run = m.bw - j % m.bw;
	return run;
}

/* Rows [i0, i0+mc) x columns [p0, p0+kc) of A into mr-row panels. */
static void pack_a(struct tr_mat a, int i0, int mc, int p0, int kc, int mr, float *dst)
{
	for (int ip = 0; ip < mc; ip += mr) {
		int rows = mc - ip < mr ? mc - ip : mr;

		/* k runs along A's columns: one panel piece per column block */
		for (int p = p0; p < p0 + kc;) {
			int run = block_run(a, p, p0 + kc);

			pack_panel(a.p + mat_offset(a, i0 + ip, p), a.rs, a.cs, rows, run, mr,
				   dst + (ptrdiff_t)(p - p0) * mr);
			p += run;
		}
		dst += (ptrdiff_t)kc * mr;
	}
}

/* Rows [p0, p0+kc) x columns [j0, j0+nc) of B into nr-column panels. */
static void pack_b(struct tr_mat b, int p0, int kc, int j0, int nc, int nr, float *dst)
{
	for (int jp = 0; jp < nc; jp += nr) {
		int j = j0 + jp, cols = nc - jp < nr ? nc - jp : nr;

		if (block_run(b, j, j + cols) == cols) {
			pack_panel(b.p + mat_offset(b, p0, j), b.cs, b.rs, cols, kc, nr, dst);
		} else { /* a panel across column blocks: rare, element by element */
			for (int p = 0; p < kc; p++)
				for (int l = 0; l < nr; l++)
					dst[p * nr + l] =
						l < cols ? b.p[mat_offset(b, p0 + p, j + l)] : 0.0f;
		}
		dst += (ptrdiff_t)kc * nr;
	}
}

/* Adds (or writes) an m x n tile computed into t (rows `ld` apart) to C across column blocks. */
static void store_tile_blocks(const float *t, int ld, struct tr_out c, int i, int j, int m, int n,
			      int accumulate)
{
	struct tr_mat v = {c.p, c.rs, c.cs, c.bw, c.bs};

	for (int r = 0; r < m; r++)
		for (int l = 0; l < n; l++) {
			float *e = c.p + mat_offset(v, i + r, j + l);

			*e = accumulate ? *e + t[r * ld + l] : t[r * ld + l];
		}
}

static void pick_kernel(void)
{
	kernel = tr_gemm_pick_kernel();
}

void tr_gemm(int m, int n, int k, struct tr_mat a, struct tr_mat b, float *c, ptrdiff_t rsc,
	     ptrdiff_t csc, int accumulate, struct tr_gemm_ws *ws)
{
	struct tr_out out = {c, rsc, csc, 0, 0};

	tr_gemm_views(m, n, k, a, b, out, accumulate, ws);
}

void tr_gemm_views(int m, int n, int k, struct tr_mat a, struct tr_mat b, struct tr_out c,
		   int accumulate, struct tr_gemm_ws *ws)
{
	pthread_once(&kernel_once, pick_kernel);
	int mr = kernel.mr, nr = kernel.nr;
	struct tr_mat cv = {c.p, c.rs, c.cs, c.bw, c.bs};

	if (m <= 0 || n <= 0)
		return;
	if (k <= 0) {
		if (!accumulate)
			for (int i = 0; i < m; i++)
				for (int j = 0; j < n; j++)
					c.p[mat_offset(cv, i, j)] = 0.0f;
		return;
	}
	for (int jc = 0; jc < n; jc += NC) {
		int nc = n - jc < NC ? n - jc : NC;

		for (int pc = 0; pc < k; pc += KC) {
			int kc = k - pc < KC ? k - pc : KC;
			int acc = accumulate || pc > 0;

			pack_b(b, pc, kc, jc, nc, nr, ws->pack_b);
			for (int ic = 0; ic < m; ic += MC) {
				int mc = m - ic < MC ? m - ic : MC;

				pack_a(a, ic, mc, pc, kc, mr, ws->pack_a);
				for (int jr = 0; jr < nc; jr += nr) {
					int tn = nc - jr < nr ? nc - jr : nr;
					const float *pb = ws->pack_b + (ptrdiff_t)jr * kc;
					int whole = block_run(cv, jc + jr, jc + jr + tn) == tn;

					for (int ir = 0; ir < mc; ir += mr) {
						int tm = mc - ir < mr ? mc - ir : mr;
						const float *pa = ws->pack_a + (ptrdiff_t)ir * kc;
						float t[TR_GEMM_MR_MAX * TR_GEMM_NR_MAX];

						if (whole) {
							kernel.fn(kc, pa, pb,
								  c.p + mat_offset(cv, ic + ir,
										   jc + jr),
								  c.rs, c.cs, acc, tm, tn);
							continue;
						}
						kernel.fn(kc, pa, pb, t, nr, 1, 0, tm, tn);
						store_tile_blocks(t, nr, c, ic + ir, jc + jr, tm,
								  tn, acc);
					}
				}
			}
		}
	}
}
