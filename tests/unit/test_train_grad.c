// SPDX-License-Identifier: MIT
/*
 * Finite-difference checks of every training layer's backward pass: each
 * analytic gradient must match the central difference of a scalar loss
 * L = sum(out * R) (R fixed and random) within a tolerance that a missing
 * or wrong term would exceed.  Whole small networks are checked too, which
 * covers flatten, residual add, gradient accumulation of tensors read
 * twice, and the per-chunk weight-gradient reduction.  The DeepShift-Q/PS
 * straight-through gradients are checked against their documented form.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../libshiftaccel/src/train/layers.h"
#include "../../libshiftaccel/src/train/net.h"
#include "../check.h"

#define H 1e-2f

static struct tr_rng rng;
static struct tr_gemm_ws gws;

static void fill(float *v, size_t n, float scale)
{
	for (size_t i = 0; i < n; i++)
		v[i] = (2.0f * tr_rng_uniform(&rng) - 1.0f) * scale;
}

/* |a - b| within atol + rtol * max(|a|, |b|). */
static int close_to(double a, double b, double atol, double rtol)
{
	return fabs(a - b) <= atol + rtol * fmax(fabs(a), fabs(b));
}

static double dot(const float *a, const float *b, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += (double)a[i] * b[i];
	return s;
}

/* A loss of the variable vector: recomputes the forward pass. */
typedef double (*loss_fn)(void *ctx);

/*
 * Compares analytic[i] with the central difference of loss() in x[i] for
 * every element (or every `stride`-th); returns the number of mismatches
 * and prints the first.
 */
static int fd_compare(const char *what, float *x, size_t n, const float *analytic, loss_fn loss,
		      void *ctx, double atol, double rtol, size_t stride)
{
	int bad = 0;

	for (size_t i = 0; i < n; i += stride) {
		float save = x[i];

		x[i] = save + H;
		double lp = loss(ctx);

		x[i] = save - H;
		double lm = loss(ctx);

		x[i] = save;
		double num = (lp - lm) / (2.0 * H);

		if (!close_to(num, analytic[i], atol, rtol)) {
			if (!bad)
				fprintf(stderr, "  %s[%zu]: analytic %g, numeric %g\n", what, i,
					(double)analytic[i], num);
			bad++;
		}
	}
	return bad;
}

/* ------------------------------------------------------------ convolution */

struct conv_case {
	struct tr_conv_geom g;
	int n;
	float *x, *w, *b, *y, *r, *col;
};

static double conv_loss(void *ctx)
{
	struct conv_case *c = ctx;
	size_t in = (size_t)c->g.ic * c->g.ih * c->g.iw, out = (size_t)c->g.oc * c->g.oh * c->g.ow;

	tr_conv_forward(&c->g, c->n, c->x, in, c->w, c->b, c->y, out, c->col, &gws);
	return dot(c->y, c->r, out * c->n);
}

/* Checks dx, dw and db of one geometry (with several images per GEMM and accumulation). */
static int check_conv(int ic, int ih, int iw, int oc, int k, int stride, int pad_t, int pad_l,
		      int pad_b, int pad_r, int dil, int groups, int n)
{
	struct conv_case c = {0};
	struct tr_conv_geom *g = &c.g;
	int bad = 0;

	g->ic = ic, g->ih = ih, g->iw = iw, g->oc = oc;
	g->kh = g->kw = k, g->sh = g->sw = stride, g->dh = g->dw = dil;
	g->pt = pad_t, g->pl = pad_l, g->groups = groups;
	g->oh = (ih + pad_t + pad_b - dil * (k - 1) - 1) / stride + 1;
	g->ow = (iw + pad_l + pad_r - dil * (k - 1) - 1) / stride + 1;
	size_t in = (size_t)ic * ih * iw, out = (size_t)oc * g->oh * g->ow;
	size_t nw = (size_t)oc * tr_conv_col_rows(g);

	c.n = n;
	c.x = calloc(in * n, sizeof(float));
	c.w = calloc(nw, sizeof(float));
	c.b = calloc((size_t)oc, sizeof(float));
	c.y = calloc(out * n, sizeof(float));
	c.r = calloc(out * n, sizeof(float));
	c.col = calloc(tr_conv_col_size(g), sizeof(float));
	float *dx = calloc(in * n, sizeof(float)), *dw = calloc(nw, sizeof(float));
	float *db = calloc((size_t)oc, sizeof(float));

	fill(c.x, in * n, 1.0f);
	fill(c.w, nw, 0.5f);
	fill(c.b, (size_t)oc, 0.5f);
	fill(c.r, out * n, 1.0f);
	/* dx accumulates onto what is there: start from 0.25 and subtract it again */
	for (size_t i = 0; i < in * n; i++)
		dx[i] = 0.25f;
	tr_conv_backward(g, n, c.x, in, c.w, c.r, out, dx, in, 1, dw, db, c.col, &gws);
	for (size_t i = 0; i < in * n; i++)
		dx[i] -= 0.25f;
	bad += fd_compare("conv dx", c.x, in * n, dx, conv_loss, &c, 2e-3, 1e-2, 1);
	bad += fd_compare("conv dw", c.w, nw, dw, conv_loss, &c, 2e-3, 1e-2, 1);
	bad += fd_compare("conv db", c.b, (size_t)oc, db, conv_loss, &c, 2e-3, 1e-2, 1);
	/* without accumulation dx is overwritten */
	for (size_t i = 0; i < in * n; i++)
		dx[i] = 99.0f;
	memset(dw, 0, sizeof(float) * nw);
	tr_conv_backward(g, n, c.x, in, c.w, c.r, out, dx, in, 0, dw, NULL, c.col, &gws);
	bad += fd_compare("conv dx (overwrite)", c.x, in * n, dx, conv_loss, &c, 2e-3, 1e-2, 1);
	free(c.x), free(c.w), free(c.b), free(c.y), free(c.r), free(c.col);
	free(dx), free(dw), free(db);
	return bad;
}

TEST(conv_dense)
{
	CHECK_EQ_INT(check_conv(2, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3), 0);
}

TEST(conv_stride_asymmetric_padding)
{
	CHECK_EQ_INT(check_conv(3, 7, 8, 4, 3, 2, 0, 2, 1, 0, 1, 1, 2), 0);
}

TEST(conv_dilation)
{
	CHECK_EQ_INT(check_conv(2, 7, 7, 2, 3, 1, 2, 2, 2, 2, 2, 1, 2), 0);
}

TEST(conv_grouped)
{
	CHECK_EQ_INT(check_conv(4, 5, 5, 6, 3, 1, 1, 1, 1, 1, 1, 2, 2), 0);
}

TEST(conv_depthwise)
{
	CHECK_EQ_INT(check_conv(3, 6, 6, 3, 3, 2, 1, 1, 1, 1, 1, 3, 3), 0);
}

TEST(conv_pointwise)
{
	CHECK_EQ_INT(check_conv(5, 4, 4, 3, 1, 1, 0, 0, 0, 0, 1, 1, 3), 0);
}

/* -------------------------------------------------------- fully connected */

struct fc_case {
	int n, in, out;
	float *x, *w, *b, *y, *r;
};

static double fc_loss(void *ctx)
{
	struct fc_case *c = ctx;

	/* two row blocks, as the threads split it */
	tr_fc_forward_rows(c->n, c->in, c->out, 0, 3, c->x, c->w, c->b, c->y, &gws);
	tr_fc_forward_rows(c->n, c->in, c->out, 3, c->out, c->x, c->w, c->b, c->y, &gws);
	return dot(c->y, c->r, (size_t)c->n * c->out);
}

TEST(fc)
{
	struct fc_case c = {5, 11, 7, NULL, NULL, NULL, NULL, NULL};
	size_t nx = (size_t)c.n * c.in, nw = (size_t)c.in * c.out, ny = (size_t)c.n * c.out;
	int bad = 0;

	c.x = calloc(nx, 4), c.w = calloc(nw, 4), c.b = calloc((size_t)c.out, 4);
	c.y = calloc(ny, 4), c.r = calloc(ny, 4);
	float *dx = calloc(nx, 4), *dw = calloc(nw, 4), *db = calloc((size_t)c.out, 4);

	fill(c.x, nx, 1), fill(c.w, nw, 0.5f), fill(c.b, (size_t)c.out, 0.5f), fill(c.r, ny, 1);
	tr_fc_backward_dx_cols(c.n, c.in, c.out, 0, 4, c.r, c.w, dx, &gws);
	tr_fc_backward_dx_cols(c.n, c.in, c.out, 4, c.in, c.r, c.w, dx, &gws);
	tr_fc_backward_dw_rows(c.n, c.in, c.out, 0, 2, c.r, c.x, dw, db, &gws);
	tr_fc_backward_dw_rows(c.n, c.in, c.out, 2, c.out, c.r, c.x, dw, db, &gws);
	bad += fd_compare("fc dx", c.x, nx, dx, fc_loss, &c, 2e-3, 1e-2, 1);
	bad += fd_compare("fc dw", c.w, nw, dw, fc_loss, &c, 2e-3, 1e-2, 1);
	bad += fd_compare("fc db", c.b, (size_t)c.out, db, fc_loss, &c, 2e-3, 1e-2, 1);
	free(c.x), free(c.w), free(c.b), free(c.y), free(c.r), free(dx), free(dw), free(db);
	CHECK_EQ_INT(bad, 0);
}

/* ----------------------------------------------------------------- pooling */

struct pool_case {
	struct tr_pool_geom g;
	int max;
	float *x, *y, *r;
	int32_t *arg;
};

static double pool_loss(void *ctx)
{
	struct pool_case *c = ctx;

	if (c->max)
		tr_maxpool_forward_image(&c->g, c->x, c->y, c->arg);
	else
		tr_avgpool_forward_image(&c->g, c->x, c->y);
	return dot(c->y, c->r, (size_t)c->g.c * c->g.oh * c->g.ow);
}

static int check_pool(int max, int c, int ih, int iw, int k, int s, int pad)
{
	struct pool_case pc = {
		{c, ih, iw, 0, 0, k, k, s, s, pad, pad}, max, NULL, NULL, NULL, NULL};
	size_t in = (size_t)c * ih * iw;

	pc.g.oh = (ih + 2 * pad - k) / s + 1;
	pc.g.ow = (iw + 2 * pad - k) / s + 1;
	size_t out = (size_t)c * pc.g.oh * pc.g.ow;

	pc.x = calloc(in, 4), pc.y = calloc(out, 4), pc.r = calloc(out, 4);
	pc.arg = calloc(out, sizeof(int32_t));
	float *dx = calloc(in, 4);

	/* distinct values at least 4h apart, so no window's maximum changes within +-h */
	for (size_t i = 0; i < in; i++)
		pc.x[i] = (float)((i * 37) % in) * 0.05f - 1.0f;
	fill(pc.r, out, 1);
	pool_loss(&pc);
	if (max)
		tr_maxpool_backward_image(&pc.g, pc.r, pc.arg, dx);
	else
		tr_avgpool_backward_image(&pc.g, pc.r, dx);
	int bad = fd_compare(max ? "maxpool dx" : "avgpool dx", pc.x, in, dx, pool_loss, &pc, 2e-3,
			     1e-2, 1);

	free(pc.x), free(pc.y), free(pc.r), free(pc.arg), free(dx);
	return bad;
}

TEST(maxpool_2x2)
{
	CHECK_EQ_INT(check_pool(1, 2, 6, 8, 2, 2, 0), 0);
}

TEST(maxpool_3x3_stride2_padded)
{
	CHECK_EQ_INT(check_pool(1, 2, 7, 7, 3, 2, 1), 0);
}

TEST(avgpool_2x2)
{
	CHECK_EQ_INT(check_pool(0, 3, 6, 6, 2, 2, 0), 0);
}

TEST(avgpool_padded)
{
	CHECK_EQ_INT(check_pool(0, 2, 5, 5, 2, 1, 1), 0);
}

TEST(avgpool_3x3_area_9)
{
	CHECK_EQ_INT(check_pool(0, 2, 7, 7, 3, 2, 1), 0);
}

/*
 * The quantised average is the integer op's rounded mean: the q with
 * q - 1/2 <= S / A < q + 1/2, checked by that inequality on integers, over
 * windows of many areas (not powers of two among them), ties of both signs.
 */
static int check_rounded_mean(int kh, int kw, int pad, int exp)
{
	struct tr_pool_geom g = {2, 7, 7, 0, 0, kh, kw, 1, 1, pad, pad};
	float scale = ldexpf(1.0f, exp);
	int bad = 0;
	struct tr_rng r; /* its own stream: the other tests' inputs stay as they were */

	tr_rng_seed(&r, 77u + (uint64_t)(kh * 64 + kw * 8 + pad) * 16 + (uint64_t)(exp + 8));

	g.oh = 7 + 2 * pad - kh + 1;
	g.ow = 7 + 2 * pad - kw + 1;
	float x[2 * 49], y[2 * 11 * 11]; /* outputs up to 11x11 with padding */
	int32_t xi[2 * 49];

	for (int i = 0; i < 2 * 49; i++) {
		/* small values make exact ties S = (q + 1/2) A frequent; then the full int8 range
		 */
		xi[i] = exp & 1 ? (int32_t)(tr_rng_uniform(&r) * 7) - 3
				: (int32_t)(tr_rng_uniform(&r) * 256) - 128;
		x[i] = (float)xi[i] * scale;
	}
	tr_avgpool_forward_image_rounded(&g, x, y, scale);
	for (int c = 0; c < 2; c++)
		for (int oy = 0; oy < g.oh; oy++)
			for (int ox = 0; ox < g.ow; ox++) {
				long long s = 0, a = (long long)kh * kw;

				for (int dy = 0; dy < kh; dy++)
					for (int dx = 0; dx < kw; dx++) {
						int iy = oy - pad + dy, ix = ox - pad + dx;

						if (iy >= 0 && iy < 7 && ix >= 0 && ix < 7)
							s += xi[(c * 7 + iy) * 7 + ix];
					}
				float got = y[(c * g.oh + oy) * g.ow + ox];
				long long q = (long long)(got / scale);

				if ((float)q * scale != got || 2 * a * q - a > 2 * s ||
				    2 * s >= 2 * a * q + a) {
					if (bad++ < 3)
						fprintf(stderr,
							"  %dx%d: sum %lld / %lld gave %g units\n",
							kh, kw, s, a, (double)(got / scale));
				}
			}
	return bad;
}

TEST(avgpool_rounded_mean_any_area)
{
	int shapes[][3] = {{3, 3, 1}, {2, 3, 0}, {7, 7, 0}, {5, 1, 2}, {2, 2, 0}, {1, 1, 0}};

	for (int i = 0; i < 6; i++)
		for (int e = -6; e <= 1; e++)
			CHECK_EQ_INT(
				check_rounded_mean(shapes[i][0], shapes[i][1], shapes[i][2], e), 0);
}

/* ------------------------------------------------------------- activations */

struct act_case {
	struct tr_actq a;
	float *v, *y, *r;
	size_t n;
};

static double act_loss(void *ctx)
{
	struct act_case *c = ctx;

	tr_actq_forward(&c->a, c->v, c->y, c->n);
	return dot(c->y, c->r, c->n);
}

static int check_act(int act)
{
	struct act_case c = {{0}, NULL, NULL, NULL, 37};
	float dv[37];
	int bad;

	tr_actq_init(&c.a, act, 0, SA_DTYPE_I8, 0);
	c.v = calloc(c.n, 4), c.y = calloc(c.n, 4), c.r = calloc(c.n, 4);
	/* spread over [-8, 8], kept away from the kinks at 0 and 6 */
	for (size_t i = 0; i < c.n; i++) {
		c.v[i] = -8.0f + 16.0f * (float)i / (float)c.n + 0.11f;
		if (fabsf(c.v[i]) < 0.05f || fabsf(c.v[i] - 6.0f) < 0.05f)
			c.v[i] += 0.1f;
	}
	fill(c.r, c.n, 1);
	tr_actq_backward(&c.a, c.v, c.r, dv, c.n);
	bad = fd_compare("activation dv", c.v, c.n, dv, act_loss, &c, 1e-3, 1e-3, 1);
	free(c.v), free(c.y), free(c.r);
	return bad;
}

TEST(relu)
{
	CHECK_EQ_INT(check_act(SA_ACT_RELU), 0);
}

TEST(relu6)
{
	CHECK_EQ_INT(check_act(SA_ACT_RELU6), 0);
}

TEST(identity_activation_in_place)
{
	struct tr_actq a;
	float v[5] = {-3, -1, 0, 2, 9}, d[5] = {1, 2, 3, 4, 5};

	tr_actq_init(&a, SA_ACT_NONE, 0, SA_DTYPE_I8, 0);
	tr_actq_backward(&a, v, d, d, 5);
	CHECK(d[0] == 1 && d[4] == 5);
}

/* The quantiser rounds exactly like the integer requantisation and passes gradients inside. */
TEST(fake_quant_rounding_and_straight_through)
{
	struct tr_actq a;
	/* exp -2: steps of 0.25; halves round up; relu clamps below 0, int8 above 127 */
	float v[] = {0.125f, 0.12499999f, -0.125f, -0.12500001f, 0.37499997f,
		     31.75f, 31.875f,	  40.0f,   -3.0f,	 1.0f};
	const float expect[] = {0.25f, 0.0f, 0.0f, 0.0f, 0.25f, 31.75f, 31.75f, 31.75f, 0.0f, 1.0f};
	float y[10], d[10], g[10];

	tr_actq_init(&a, SA_ACT_RELU, 1, SA_DTYPE_I8, -2);
	tr_actq_forward(&a, v, y, 10);
	for (int i = 0; i < 10; i++)
		CHECK(y[i] == expect[i]);
	for (int i = 0; i < 10; i++)
		g[i] = 1.0f;
	tr_actq_backward(&a, v, g, d, 10);
	/* inside [0, 127 * 0.25]: gradient 1; outside: 0 */
	const float pass[] = {1, 1, 0, 0, 1, 1, 0, 0, 0, 1};

	for (int i = 0; i < 10; i++)
		CHECK(d[i] == pass[i]);
	/* no activation: symmetric int8 range, -0.5 step rounds up (toward +inf) */
	tr_actq_init(&a, SA_ACT_NONE, 1, SA_DTYPE_I8, 0);
	float w[] = {-0.5f, -1.5f, -200.0f, 126.5f};
	const float ew[] = {0.0f, -1.0f, -128.0f, 127.0f};

	tr_actq_forward(&a, w, y, 4);
	for (int i = 0; i < 4; i++)
		CHECK(y[i] == ew[i]);
}

/* ----------------------------------------------------------------- dropout */

TEST(dropout_fixed_mask)
{
	float x[64], y[64], dy[64], dx[64];
	uint8_t mask[64];
	const float p = 0.25f;
	struct tr_rng r;
	int kept = 0;

	tr_rng_seed(&r, 5);
	tr_dropout_mask(&r, p, mask, 64);
	fill(x, 64, 1);
	fill(dy, 64, 1);
	tr_dropout_apply(mask, p, x, y, 64);
	tr_dropout_apply(mask, p, dy, dx, 64);
	for (int i = 0; i < 64; i++) {
		kept += mask[i];
		/* y is linear in x: dL/dx = dy * mask / (1 - p), the forward's own factor */
		CHECK(y[i] == (mask[i] ? x[i] * (1.0f / (1.0f - p)) : 0.0f));
		CHECK(dx[i] == (mask[i] ? dy[i] * (1.0f / (1.0f - p)) : 0.0f));
	}
	/* about 1 - p of 64 kept */
	CHECK(kept > 36 && kept < 60);
}

/* -------------------------------------------------------------- batch norm */

struct bn_case {
	int n, p;
	size_t stride;
	float *x, *y, *r, gamma, beta;
};

static double bn_loss(void *ctx)
{
	struct bn_case *c = ctx;
	float m, v, is;

	tr_bn_forward_train(c->x, c->y, c->n, c->p, (ptrdiff_t)c->stride, c->gamma, c->beta, 1e-5f,
			    &m, &v, &is);
	double s = 0;

	for (int i = 0; i < c->n; i++)
		for (int j = 0; j < c->p; j++)
			s += (double)c->y[i * c->stride + j] * c->r[i * c->stride + j];
	return s;
}

TEST(batch_norm)
{
	struct bn_case c = {4, 5, 7, NULL, NULL, NULL, 1.3f, -0.4f};
	size_t total = (size_t)c.n * c.stride;
	float m, v, is, dg = 0, dbeta = 0;
	int bad = 0;

	c.x = calloc(total, 4), c.y = calloc(total, 4), c.r = calloc(total, 4);
	float *dx = calloc(total, 4);

	fill(c.x, total, 2), fill(c.r, total, 1);
	tr_bn_forward_train(c.x, c.y, c.n, c.p, (ptrdiff_t)c.stride, c.gamma, c.beta, 1e-5f, &m, &v,
			    &is);
	tr_bn_backward(c.x, c.r, dx, c.n, c.p, (ptrdiff_t)c.stride, c.gamma, m, is, &dg, &dbeta);
	/* only the channel's elements (j < p of each image) are variables */
	for (int i = 0; i < c.n; i++)
		bad += fd_compare("bn dx", c.x + i * c.stride, (size_t)c.p, dx + i * c.stride,
				  bn_loss, &c, 3e-3, 2e-2, 1);
	bad += fd_compare("bn dgamma", &c.gamma, 1, &dg, bn_loss, &c, 3e-3, 1e-2, 1);
	bad += fd_compare("bn dbeta", &c.beta, 1, &dbeta, bn_loss, &c, 3e-3, 1e-2, 1);
	free(c.x), free(c.y), free(c.r), free(dx);
	CHECK_EQ_INT(bad, 0);
}

/* ------------------------------------------------------------------- loss */

struct xent_case {
	float *z;
	sa_label labels[3];
};

static double xent_loss(void *ctx)
{
	struct xent_case *c = ctx;
	int correct = 0;

	return tr_softmax_xent(c->z, c->labels, 3, 4, 0.0f, NULL, &correct);
}

TEST(softmax_cross_entropy)
{
	float z[12], d[12];
	struct xent_case c = {z, {0, 3, 1}};
	int correct = 0;

	fill(z, 12, 3);
	/* grad_scale 1: the gradient of the summed loss */
	tr_softmax_xent(z, c.labels, 3, 4, 1.0f, d, &correct);
	CHECK_EQ_INT(fd_compare("xent dz", z, 12, d, xent_loss, &c, 1e-3, 1e-2, 1), 0);
	/* argmax counting */
	float sure[8] = {9, 0, 0, 0, 0, 0, 0, 9};
	sa_label lab[2] = {0, 2};

	correct = 0;
	tr_softmax_xent(sure, lab, 2, 4, 0.0f, NULL, &correct);
	CHECK_EQ_INT(correct, 1);
	/*
	 * 1000 classes, the label 999 (beyond a byte): all logits 0 but the
	 * label's, ln 2; the loss is ln(999 + 2) - ln 2, the label's gradient p - 1.
	 */
	static float wide[1000], dwide[1000];
	sa_label top = 999;

	wide[999] = (float)log(2.0);
	correct = 0;
	double loss = tr_softmax_xent(wide, &top, 1, 1000, 1.0f, dwide, &correct);

	CHECK_EQ_INT(correct, 1);
	CHECK(fabs(loss - (log(1001.0) - log(2.0))) < 1e-6);
	CHECK(fabs(dwide[999] - (2.0 / 1001.0 - 1.0)) < 1e-6);
	CHECK(fabs(dwide[0] - 1.0 / 1001.0) < 1e-6);
}

/* ------------------------------------------------------- whole networks */

static struct tr_net *make_net(const char *text, struct tr_shape in, int classes, int batch,
			       int mode, int threads)
{
	struct tr_arch arch;
	struct tr_net_config cfg = {batch, threads, mode, 5, 3};
	struct tr_net *net = NULL;

	if (tr_arch_parse(text, "test", &arch)) {
		fprintf(stderr, "  %s\n", sa_last_error());
		return NULL;
	}
	if (tr_net_create(&arch, in, classes, &cfg, &net))
		fprintf(stderr, "  %s\n", sa_last_error());
	tr_arch_free(&arch);
	return net;
}

struct net_case {
	struct tr_net *net;
	int n;
	float *input;
	size_t in_elems;
	uint64_t pattern; /* of the last forward */
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ull;
}

/*
 * Which side of every kink the last forward was on: ReLU/ReLU6 inputs and
 * max-pool choices.  A finite difference across a kink is not a derivative,
 * so those elements are skipped (and counted).
 */
static uint64_t kink_pattern(const struct tr_net *net, int n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (int i = 1; i < net->num_nodes; i++) {
		const struct tr_node *nd = &net->nodes[i];
		size_t count = (size_t)n * nd->out_elems;

		if (nd->op == TR_OP_MAXPOOL) {
			for (size_t k = 0; k < count; k++)
				h = mix(h, (uint64_t)nd->argmax[k]);
		} else if (nd->act != SA_ACT_NONE) {
			const float *v = nd->has_bn ? nd->bn_y : nd->pre;

			for (size_t k = 0; k < count; k++)
				h = mix(h, (uint64_t)(v[k] > 0) | (uint64_t)(v[k] < 6) << 1);
		}
	}
	return h;
}

static double net_loss(void *ctx)
{
	struct net_case *c = ctx;
	int correct = 0;

	memcpy(tr_net_input(c->net), c->input, sizeof(float) * c->in_elems * c->n);
	c->net->step = 0; /* same dropout masks every time */
	tr_net_forward(c->net, c->n, 1);
	c->pattern = kink_pattern(c->net, c->n);
	return tr_net_loss(c->net, c->n, &correct);
}

/*
 * Gradient of the summed loss w.r.t. every parameter, numeric vs backward,
 * skipping elements whose difference crosses a kink; at most a quarter may
 * be skipped, so the check cannot pass by skipping everything.
 */
static int check_net(const char *text, struct tr_shape in, int n, int threads)
{
	struct net_case c = {make_net(text, in, 3, n, TR_WEIGHTS_FLOAT, threads), n, NULL,
			     tr_shape_elems(&in), 0};
	const float h = 2e-3f;
	int bad = 0, checked = 0, skipped = 0;

	if (!c.net)
		return 1;
	c.input = calloc(c.in_elems * n, sizeof(float));
	fill(c.input, c.in_elems * n, 2);
	for (int i = 0; i < n; i++)
		c.net->labels[i] = (sa_label)(i % 3);
	net_loss(&c);
	uint64_t base = c.pattern;

	/* backward of the mean loss; the sum's gradient is n times that */
	tr_net_backward(c.net, n);
	for (int p = 0; p < c.net->num_params; p++) {
		struct tr_param *pr = c.net->params[p];
		float *analytic = malloc(sizeof(float) * pr->n);

		for (size_t k = 0; k < pr->n; k++)
			analytic[k] = pr->grad[k] * (float)n;
		for (size_t k = 0; k < pr->n; k++) {
			float save = pr->value[k];

			pr->value[k] = save + h;
			double lp = net_loss(&c);
			uint64_t pp = c.pattern;

			pr->value[k] = save - h;
			double lm = net_loss(&c);
			uint64_t pm = c.pattern;

			pr->value[k] = save;
			if (pp != base || pm != base) {
				skipped++;
				continue;
			}
			checked++;
			double num = (lp - lm) / (2.0 * h);

			if (!close_to(num, analytic[k], 2e-3, 2e-2)) {
				if (bad < 3)
					fprintf(stderr, "  %s[%zu]: analytic %g, numeric %g\n",
						pr->name, k, (double)analytic[k], num);
				bad++;
			}
		}
		free(analytic);
	}
	if (skipped * 3 > checked) {
		fprintf(stderr, "  %d of %d differences crossed a kink\n", skipped,
			skipped + checked);
		bad++;
	}
	free(c.input);
	tr_net_destroy(c.net);
	return bad;
}

TEST(net_residual_cnn)
{
	/* conv + bn + relu, a residual add (the stem is read twice), avg/max pools, flatten, fc */
	static const char text[] = "conv 4 3 pad=1 bn relu name=stem\n"
				   "conv 4 3 pad=1 relu\n"
				   "conv 4 3 pad=1 bn name=main\n"
				   "add stem relu\n"
				   "avgpool 2\n"
				   "conv 6 3 stride=2 pad=1 relu\n"
				   "maxpool 2\n"
				   "flatten\n"
				   "fc 8 relu\n"
				   "fc classes\n";

	CHECK_EQ_INT(check_net(text, (struct tr_shape){2, 8, 8}, 4, 2), 0);
}

TEST(net_concat_and_standalone_activation)
{
	/* a 3-way concat (a chain of 2) of a standalone relu6 and two convs, read by a relu6 */
	static const char text[] = "conv 3 3 pad=1 relu name=a\n"
				   "conv 2 1 name=b\n"
				   "relu6 name=b6\n"
				   "conv 2 3 pad=1 from=a name=c\n"
				   "concat b6 c relu from=a name=cat\n"
				   "relu6\n"
				   "avgpool 2\n"
				   "flatten\n"
				   "fc classes\n";

	CHECK_EQ_INT(check_net(text, (struct tr_shape){2, 6, 6}, 3, 2), 0);
}

TEST(net_fc_dropout_gap)
{
	static const char text[] = "conv 3 3 relu\n"
				   "gap\n"
				   "fc 6 bn relu\n"
				   "dropout 0.3\n"
				   "fc classes\n";

	CHECK_EQ_INT(check_net(text, (struct tr_shape){1, 6, 6}, 5, 2), 0);
}

/* The same batch gives the same gradients with 1 and 3 threads (fixed reduction order). */
TEST(net_gradients_independent_of_threads)
{
	static const char text[] = "conv 4 3 relu\nmaxpool 2\nfc classes\n";
	struct tr_shape in = {1, 10, 10};
	struct tr_net *a = make_net(text, in, 3, 11, TR_WEIGHTS_FLOAT, 1);
	struct tr_net *b = make_net(text, in, 3, 11, TR_WEIGHTS_FLOAT, 3);
	int correct = 0;

	CHECK(a && b);
	fill(tr_net_input(a), 100 * 11, 1);
	memcpy(tr_net_input(b), tr_net_input(a), sizeof(float) * 100 * 11);
	for (int i = 0; i < 11; i++)
		a->labels[i] = b->labels[i] = (sa_label)(i % 3);
	tr_net_forward(a, 11, 1);
	tr_net_forward(b, 11, 1);
	tr_net_loss(a, 11, &correct);
	tr_net_loss(b, 11, &correct);
	tr_net_backward(a, 11);
	tr_net_backward(b, 11);
	for (int p = 0; p < a->num_params; p++)
		CHECK(!memcmp(a->params[p]->grad, b->params[p]->grad,
			      sizeof(float) * a->params[p]->n));
	tr_net_destroy(a);
	tr_net_destroy(b);
}

/* ------------------------------------------- DeepShift straight-through */

/*
 * Q and PS: the documented gradients are those of the loss w.r.t. the
 * effective (power-of-two) weights w_q, passed straight through: dL/dw =
 * dL/dw_q for Q; dL/dP = dL/dw_q * w_q * ln 2 and dL/dS = dL/dw_q * 2^round(P)
 * for PS.  dL/dw_q comes from a float network whose weights are set to w_q.
 */
static int check_shift_ste(int mode)
{
	static const char text[] = "fc 5 relu\nfc classes\n";
	struct tr_shape in = {1, 3, 4};
	int n = 4, correct = 0, bad = 0;
	struct tr_net *q = make_net(text, in, 3, n, mode, 1);
	struct tr_net *f = make_net(text, in, 3, n, TR_WEIGHTS_FLOAT, 1);

	if (!q || !f)
		return 1;
	/* no activation quantisation: this checks the weight parametrisation alone */
	q->act_quant = 0;
	fill(tr_net_input(q), 12 * (size_t)n, 1);
	memcpy(tr_net_input(f), tr_net_input(q), sizeof(float) * 12 * n);
	for (int i = 0; i < n; i++)
		q->labels[i] = f->labels[i] = (sa_label)(i % 3);
	tr_net_forward(q, n, 1);
	tr_net_loss(q, n, &correct);
	tr_net_backward(q, n);
	for (int i = 1; i < q->num_nodes; i++) {
		struct tr_node *a = &q->nodes[i], *b = &f->nodes[i];

		memcpy(b->weight.value, a->w_eff, sizeof(float) * a->nw);
		memcpy(b->bias.value, a->bias.value, sizeof(float) * (size_t)a->osh.c);
	}
	tr_net_forward(f, n, 1);
	tr_net_loss(f, n, &correct);
	tr_net_backward(f, n);
	for (int i = 1; i < q->num_nodes; i++) {
		struct tr_node *a = &q->nodes[i], *b = &f->nodes[i];

		for (size_t k = 0; k < a->nw; k++) {
			double g = b->weight.grad[k]; /* dL/dw_q */

			if (mode == TR_WEIGHTS_Q) {
				bad += !close_to(a->weight.grad[k], g, 1e-6, 1e-4);
				continue;
			}
			double wq = a->w_eff[k];
			double p = fmin(fmax(floor(a->shift.value[k] + 0.5), a->wbase),
					a->wbase + tr_kmax(5) - 1);

			bad += !close_to(a->shift.grad[k], g * wq * M_LN2, 1e-6, 1e-4);
			bad += !close_to(a->sign.grad[k], g * ldexp(1.0, (int)p), 1e-6, 1e-4);
		}
	}
	tr_net_destroy(q);
	tr_net_destroy(f);
	return bad;
}

TEST(deepshift_q_straight_through)
{
	CHECK_EQ_INT(check_shift_ste(TR_WEIGHTS_Q), 0);
}

TEST(deepshift_ps_straight_through)
{
	CHECK_EQ_INT(check_shift_ste(TR_WEIGHTS_PS), 0);
}

TEST(shift_rounding_rules)
{
	int8_t k[6];
	float w[6] = {0.3f, 0.3535f, 0.3536f, -0.9f, 1e-9f, 0.0f}, q[6];
	float shift[3] = {-3.4f, -3.6f, 9.0f}, sign[3] = {0.6f, -0.4f, -7.0f};

	/* log-domain rounding: 2^-1.5 = 0.35355 is the threshold between 0.25 and 0.5 */
	CHECK_EQ_INT(tr_log2_round(0.3f), -2);
	CHECK_EQ_INT(tr_log2_round(0.3535f), -2);
	CHECK_EQ_INT(tr_log2_round(0.3536f), -1);
	CHECK_EQ_INT(tr_log2_round(1.0f), 0);
	/* base from the largest weight (0.9 -> 2^0), 3 bits: shifts -2..0 */
	CHECK_EQ_INT(tr_q_base(w, 6, 3), -2);
	tr_q_quantize(w, 6, -2, 3, q, k);
	CHECK(q[0] == 0.25f && q[1] == 0.25f && q[2] == 0.5f && q[3] == -1.0f && q[4] == 0.0f &&
	      q[5] == 0.0f);
	CHECK(k[0] == 1 && k[2] == 2 && k[3] == -3 && k[4] == 0 && k[5] == 0);
	/* PS: round(P) clamped to [base, top], sign rounded to -1/0/+1; projection */
	tr_ps_forward(shift, sign, 3, -4, 3, q, k);
	CHECK(q[0] == 0.125f && q[1] == 0.0f && q[2] == -0.25f);
	CHECK(k[0] == 2 && k[1] == 0 && k[2] == -3);
	tr_ps_project(shift, sign, 3, -4, 3);
	CHECK(shift[2] == -2.0f && sign[2] == -1.0f && shift[1] == -3.6f);
	/* equation 12 from float weights: sign and log2, zero below the range */
	float s2[3], g2[3], src[3] = {-0.5f, 0.01f, 0.25f};

	tr_ps_from_float(src, 3, -3, 3, 1, s2, g2);
	CHECK(s2[0] == -1.0f && g2[0] == -1.0f && g2[1] == 0.0f && s2[2] == -2.0f && g2[2] == 1.0f);
}

/*
 * Ternary (2-bit) and 3-level (3-bit) Q codes: one large weight must not
 * zero all the others; 4- and 5-bit codes keep the range at the largest.
 */
TEST(few_level_q_base_keeps_small_weights)
{
	enum { N = 1001 };
	static float w[N], q[N], q0[N];
	static int8_t k[N];
	int nonzero = 0;
	double err = 0, err0 = 0;

	for (int i = 0; i < N - 1; i++)
		w[i] = 0.1f * (float)((i % 201) - 100) / 100.0f; /* within +-0.1 */
	w[N - 1] = 1.0f;					 /* one outlier */
	int base = tr_q_base(w, N, 2);

	CHECK(base < 0); /* the top level moved below the outlier's 2^0 */
	CHECK(base >= -3);
	tr_q_quantize(w, N, base, 2, q, k);
	tr_q_quantize(w, N, 0, 2, q0, NULL);
	for (int i = 0; i < N; i++) {
		nonzero += k[i] != 0;
		err += (double)(w[i] - q[i]) * (w[i] - q[i]);
		err0 += (double)(w[i] - q0[i]) * (w[i] - q0[i]);
	}
	CHECK(nonzero > 50); /* not only the outlier */
	CHECK(err < err0);
	CHECK(tr_q_base(w, N, 5) == 0 - (15 - 1)); /* 15 levels, top at the outlier */
	CHECK(tr_q_base(w, N, 4) == 0 - (7 - 1));
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	tr_rng_seed(&rng, 12345);
	if (tr_gemm_ws_init(&gws)) {
		printf("out of memory\n");
		return 1;
	}
	RUN(conv_dense);
	RUN(conv_stride_asymmetric_padding);
	RUN(conv_dilation);
	RUN(conv_grouped);
	RUN(conv_depthwise);
	RUN(conv_pointwise);
	RUN(fc);
	RUN(maxpool_2x2);
	RUN(maxpool_3x3_stride2_padded);
	RUN(avgpool_2x2);
	RUN(avgpool_padded);
	RUN(relu);
	RUN(relu6);
	RUN(identity_activation_in_place);
	RUN(fake_quant_rounding_and_straight_through);
	RUN(dropout_fixed_mask);
	RUN(batch_norm);
	RUN(softmax_cross_entropy);
	RUN(few_level_q_base_keeps_small_weights);
	RUN(net_residual_cnn);
	RUN(net_fc_dropout_gap);
	RUN(net_gradients_independent_of_threads);
	RUN(deepshift_q_straight_through);
	RUN(deepshift_ps_straight_through);
	RUN(shift_rounding_rules);
	/* last: they draw from the shared generator, and the tests above keep their inputs */
	RUN(avgpool_3x3_area_9);
	RUN(avgpool_rounded_mean_any_area);
	RUN(net_concat_and_standalone_activation);
	tr_gemm_ws_free(&gws);
	CHECK_MAIN_END();
}
