// SPDX-License-Identifier: MIT
/*
 * Fully connected layer as whole-batch GEMMs.  Each call computes one slice
 * of the output (rows of W, or columns of dx), so threads split the work by
 * features rather than by images: every element is then computed by one
 * thread in a fixed order, whatever the thread count.
 */
#include "layers.h"

void tr_fc_forward_rows(int n, int in, int out, int o0, int o1, const float *x, const float *w,
			const float *bias, float *y, struct tr_gemm_ws *ws)
{
	/* y^T[o0:o1][n] = W[o0:o1][in] * x^T[in][n], written transposed into y. */
	tr_gemm(o1 - o0, n, in, tr_mat_rows(w + (size_t)o0 * in, in), tr_mat_trans(x, in), y + o0,
		1, out, 0, ws);
	if (bias) {
		for (int i = 0; i < n; i++) {
			float *yi = y + (size_t)i * out;

			for (int o = o0; o < o1; o++)
				yi[o] += bias[o];
		}
	}
}

void tr_fc_backward_dx_cols(int n, int in, int out, int i0, int i1, const float *dy, const float *w,
			    float *dx, struct tr_gemm_ws *ws)
{
	tr_gemm(n, i1 - i0, out, tr_mat_rows(dy, out), tr_mat_rows(w + i0, in), dx + i0, in, 1, 0,
		ws);
}

void tr_fc_backward_dw_rows(int n, int in, int out, int o0, int o1, const float *dy, const float *x,
			    float *dw, float *db, struct tr_gemm_ws *ws)
{
	/* dW[o0:o1][in] += dy^T[o0:o1][n] * x[n][in] */
	tr_gemm(o1 - o0, in, n, tr_mat_trans(dy + o0, out), tr_mat_rows(x, in),
		dw + (size_t)o0 * in, in, 1, 1, ws);
	if (db) {
		for (int o = o0; o < o1; o++) {
			float s = 0.0f;

			for (int i = 0; i < n; i++)
				s += dy[(size_t)i * out + o];
			db[o] += s;
		}
	}
}
