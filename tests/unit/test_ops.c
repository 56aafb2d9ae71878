// SPDX-License-Identifier: MIT
/*
 * The reference integer kernels against the exact relation of
 * docs/numerics.md: for every output element,
 *     q_out == clamp(floor(real * 2^-exp_out + 0.5), lo, hi)
 * where `real` is the op's float definition evaluated in double (exact at
 * these sizes) on the dequantised inputs and the real weights (exact_ref.c).
 *
 * Random cases come from a seeded xorshift generator; a failure prints the
 * op, the case number, its seed and its parameters, and `test_ops NAME`
 * reruns one test.  Hand-worked examples pin down the rounding, the ReLU6
 * bound, add alignment and pooling arithmetic with numbers worked out on
 * paper (shown in the comments).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../libshiftaccel/kernels/sa_kernels.h"
#include "exact_ref.h"
#include "random_tensor.h"
#include "../check.h"

#define RANDOM_CASES 1000

/* --------------------------------------------------------- tensor access */

static int32_t get_q(const struct sa_shape *s, const void *q, size_t i)
{
	return s->dtype == SA_DTYPE_I8 ? ((const int8_t *)q)[i] : ((const int16_t *)q)[i];
}

static int8_t *random_weights(size_t n, unsigned bits)
{
	int8_t *w = malloc(n ? n : 1);
	int kmax = SA_WEIGHT_K_MAX(bits);
	int all_max = rng_percent(10);

	for (size_t i = 0; i < n; i++) {
		if (all_max)
			w[i] = (int8_t)(rng_percent(50) ? kmax : -kmax);
		else if (rng_percent(20))
			w[i] = 0;
		else
			w[i] = (int8_t)rng_range(-kmax, kmax);
	}
	return w;
}

/* No bias (NULL), a small one, or one over the whole int32 range. */
static int32_t *random_bias(size_t n, uint8_t *flags)
{
	int32_t *b;
	int wide = rng_percent(30);

	*flags = 0;
	if (rng_percent(40))
		return NULL;
	*flags = SA_PARAM_HAS_BIAS;
	b = malloc(n * sizeof(*b));
	for (size_t i = 0; i < n; i++)
		b[i] = (int32_t)(wide ? rng_range(INT32_MIN, INT32_MAX) : rng_range(-4096, 4096));
	return b;
}

/*
 * The requantisation shift r for a case: near the one that maps the largest
 * accumulator (max_units, in accumulator units) onto the output range, a
 * little lower at times so outputs saturate, and now and then anywhere in
 * the allowed range.
 */
static int pick_shift(double max_units, uint8_t out_dtype)
{
	int r;

	if (rng_percent(10))
		return (int)rng_range(SA_REQUANT_SHIFT_MIN, SA_REQUANT_SHIFT_MAX);
	r = max_units > 0 ? (int)ceil(log2(max_units / dtype_max(out_dtype))) : 0;
	r += (int)rng_range(-3, 2);
	if (r < SA_REQUANT_SHIFT_MIN)
		r = SA_REQUANT_SHIFT_MIN;
	if (r > SA_REQUANT_SHIFT_MAX)
		r = SA_REQUANT_SHIFT_MAX;
	return r;
}

/* exp_in, weight_base and exp_out, all in range, with exp_out - exp_in - base == r. */
static void pick_exps(int r, int8_t *exp_in, int8_t *base, int8_t *exp_out)
{
	for (;;) {
		int eo = (int)rng_range(SA_EXP_MIN, SA_EXP_MAX);
		int ei = (int)rng_range(SA_EXP_MIN, SA_EXP_MAX);
		int b = eo - r - ei;

		if (b >= SA_WEIGHT_BASE_MIN && b <= SA_WEIGHT_BASE_MAX) {
			*exp_in = (int8_t)ei;
			*base = (int8_t)b;
			*exp_out = (int8_t)eo;
			return;
		}
	}
}

static double max_abs(const double *v, size_t n)
{
	double m = 0;

	for (size_t i = 0; i < n; i++)
		m = fabs(v[i]) > m ? fabs(v[i]) : m;
	return m;
}

/* ------------------------------------------------------ checking outputs */

/* What the random cases exercised, so a test can insist the hard cases happen. */
static struct {
	unsigned long elems, ties, clamped_lo, clamped_hi, relu6_hi;
} seen;

/*
 * Compares every element of y with the exact relation applied to `real`.
 * Prints the first mismatch with enough to reproduce it; returns 1 if all match.
 */
static int outputs_match(const char *what, const struct sa_shape *out, const void *y,
			 const double *real, uint8_t act)
{
	size_t n = sa_shape_elems(out);
	double lo, hi;

	xr_bounds(out->dtype, act, out->exp, &lo, &hi);
	for (size_t i = 0; i < n; i++) {
		int32_t want = xr_expect(real[i], out->dtype, act, out->exp);
		int32_t got = get_q(out, y, i);
		double scaled = ldexp(real[i], -out->exp);

		if (got != want) {
			fprintf(stderr,
				"  %s: output [%zu][%zu][%zu] (of %ux%ux%u, %s, exp %d, act %u) is "
				"%d, "
				"expected %d (exact value %.17g output units)\n",
				what, i / ((size_t)out->h * out->w), i / out->w % out->h,
				i % out->w, out->c, out->h, out->w,
				out->dtype == SA_DTYPE_I8 ? "i8" : "i16", out->exp, act, got, want,
				scaled);
			return 0;
		}
		seen.elems++;
		seen.ties += scaled - floor(scaled) == 0.5;
		seen.clamped_lo += xr_round_half_up(scaled) < lo;
		seen.clamped_hi += xr_round_half_up(scaled) > hi;
		seen.relu6_hi += act == SA_ACT_RELU6 && hi < dtype_max(out->dtype) &&
				 xr_round_half_up(scaled) > hi;
	}
	return 1;
}

static int shapes_equal(const char *what, const struct sa_shape *got, const struct sa_shape *want)
{
	if (got->c == want->c && got->h == want->h && got->w == want->w &&
	    got->dtype == want->dtype && got->exp == want->exp)
		return 1;
	fprintf(stderr,
		"  %s: sa_check gave %ux%ux%u dtype %u exp %d, expected %ux%ux%u dtype %u exp %d\n",
		what, got->c, got->h, got->w, got->dtype, got->exp, want->c, want->h, want->w,
		want->dtype, want->exp);
	return 0;
}

/* Output length along one axis, from the definition in docs/numerics.md. */
static uint32_t window_len(uint32_t in, uint32_t k, uint32_t stride, uint32_t p0, uint32_t p1,
			   uint32_t dil)
{
	long span = (long)dil * (k - 1) + 1, padded = (long)in + p0 + p1;

	return padded < span ? 0 : (uint32_t)((padded - span) / stride + 1);
}

/* ------------------------------------------------------- random op cases */

/*
 * One random convolution (dense, grouped or depthwise); returns 1 if exact.
 * `wide` makes rows longer than the kernels' output tile (several hundred
 * outputs) so runs that cross a tile boundary are checked too.
 */
static int conv_case(unsigned n, uint64_t seed, int wide)
{
	struct sa_conv_params p = {0};
	struct sa_shape in = {0}, out = {0}, want = {0}, provisional;
	int mode = (int)rng_range(0, 2), r, ok = 0;
	uint32_t icg, ocg;
	char what[320];

	if (mode == 0) { /* dense */
		p.groups = 1;
		icg = (uint32_t)rng_range(1, 5);
		ocg = (uint32_t)rng_range(1, 6);
	} else if (mode == 1) { /* depthwise */
		p.groups = (uint32_t)rng_range(1, 6);
		icg = ocg = 1;
	} else { /* grouped, channel multiplier allowed */
		p.groups = (uint32_t)rng_range(2, 3);
		icg = (uint32_t)rng_range(1, 3);
		ocg = (uint32_t)rng_range(1, 3);
	}
	in.c = p.groups * icg;
	p.out_channels = p.groups * ocg;
	do {
		p.kernel_h = (uint16_t)rng_range(1, 5);
		p.kernel_w = (uint16_t)rng_range(1, 5);
		p.stride_h = (uint16_t)rng_range(1, 3);
		p.stride_w = (uint16_t)rng_range(1, 3);
		p.dilation_h = (uint16_t)rng_range(1, 2);
		p.dilation_w = (uint16_t)rng_range(1, 2);
		p.pad_top = (uint16_t)rng_range(0, 3);
		p.pad_bottom = (uint16_t)rng_range(0, 3);
		p.pad_left = (uint16_t)rng_range(0, 3);
		p.pad_right = (uint16_t)rng_range(0, 3);
		in.h = (uint32_t)rng_range(1, wide ? 3 : 11);
		in.w = (uint32_t)rng_range(wide ? 250 : 1, wide ? 800 : 11);
		want.h = window_len(in.h, p.kernel_h, p.stride_h, p.pad_top, p.pad_bottom,
				    p.dilation_h);
		want.w = window_len(in.w, p.kernel_w, p.stride_w, p.pad_left, p.pad_right,
				    p.dilation_w);
	} while (want.h == 0 || want.w == 0);
	p.weight_bits = (uint8_t)rng_range(SA_WEIGHT_BITS_MIN, SA_WEIGHT_BITS_MAX);
	p.act = (uint8_t)rng_range(SA_ACT_NONE, SA_ACT_RELU6);
	in.dtype = random_dtype();
	want.c = p.out_channels;
	want.dtype = random_dtype();

	size_t wn = (size_t)p.out_channels * icg * p.kernel_h * p.kernel_w;
	size_t on = (size_t)want.c * want.h * want.w;
	void *x = random_tensor(&in);
	int8_t *w = random_weights(wn, p.weight_bits);
	int32_t *bias = random_bias(p.out_channels, &p.flags);
	double *xr = malloc(sa_shape_elems(&in) * sizeof(double));
	double *yr = malloc(on * sizeof(double));
	void *y = malloc(on * dtype_size(want.dtype));

	/* Size the shift from the accumulator in units (all exponents 0). */
	provisional = in;
	provisional.exp = 0;
	xr_dequantize(&provisional, x, xr);
	xr_conv(&provisional, xr, &p, w, bias, &want, yr);
	r = pick_shift(max_abs(yr, on), want.dtype);
	pick_exps(r, &in.exp, &p.weight_base, &want.exp);
	out.dtype = want.dtype;
	out.exp = want.exp;

	snprintf(what, sizeof(what),
		 "conv case %u (seed %" PRIu64 "): in %ux%ux%u %s exp %d, oc %u groups %u, "
		 "k %ux%u s %ux%u d %ux%u pad t%u l%u b%u r%u, bits %u base %d, act %u, bias %s, r "
		 "%d",
		 n, seed, in.c, in.h, in.w, in.dtype == SA_DTYPE_I8 ? "i8" : "i16", in.exp,
		 p.out_channels, p.groups, p.kernel_h, p.kernel_w, p.stride_h, p.stride_w,
		 p.dilation_h, p.dilation_w, p.pad_top, p.pad_left, p.pad_bottom, p.pad_right,
		 p.weight_bits, p.weight_base, p.act, bias ? "yes" : "no", r);

	const char *err = sa_check_conv(&in, &p, &out);
	if (err) {
		fprintf(stderr, "  %s: sa_check_conv rejected it: %s\n", what, err);
	} else if (shapes_equal(what, &out, &want)) {
		xr_dequantize(&in, x, xr);
		xr_conv(&in, xr, &p, w, bias, &out, yr);
		sa_ref_conv(&in, x, &p, w, bias, &out, y);
		ok = outputs_match(what, &out, y, yr, p.act);
	}
	free(x);
	free(w);
	free(bias);
	free(xr);
	free(yr);
	free(y);
	return ok;
}

static int fc_case(unsigned n, uint64_t seed)
{
	struct sa_fc_params p = {0};
	struct sa_shape in = {0}, out = {0}, want = {0}, provisional;
	int r, ok = 0;
	char what[256];

	/* Sometimes a spatial input (read in CHW order), sometimes a flat vector. */
	in.c = (uint32_t)rng_range(1, 40);
	in.h = rng_percent(50) ? (uint32_t)rng_range(1, 5) : 1;
	in.w = rng_percent(50) ? (uint32_t)rng_range(1, 5) : 1;
	in.dtype = random_dtype();
	p.out_features = (uint32_t)rng_range(1, 24);
	p.weight_bits = (uint8_t)rng_range(SA_WEIGHT_BITS_MIN, SA_WEIGHT_BITS_MAX);
	p.act = (uint8_t)rng_range(SA_ACT_NONE, SA_ACT_RELU6);
	want.c = p.out_features;
	want.h = want.w = 1;
	want.dtype = random_dtype();

	size_t fan_in = sa_shape_elems(&in);
	void *x = random_tensor(&in);
	int8_t *w = random_weights(fan_in * p.out_features, p.weight_bits);
	int32_t *bias = random_bias(p.out_features, &p.flags);
	double *xr = malloc(fan_in * sizeof(double));
	double *yr = malloc(p.out_features * sizeof(double));
	void *y = malloc(p.out_features * dtype_size(want.dtype));

	provisional = in;
	provisional.exp = 0;
	xr_dequantize(&provisional, x, xr);
	xr_fc(&provisional, xr, &p, w, bias, &want, yr);
	r = pick_shift(max_abs(yr, p.out_features), want.dtype);
	pick_exps(r, &in.exp, &p.weight_base, &want.exp);
	out.dtype = want.dtype;
	out.exp = want.exp;
	snprintf(what, sizeof(what),
		 "fc case %u (seed %" PRIu64 "): in %ux%ux%u %s exp %d, out %u, bits %u base %d, "
		 "act %u, bias %s, r %d",
		 n, seed, in.c, in.h, in.w, in.dtype == SA_DTYPE_I8 ? "i8" : "i16", in.exp,
		 p.out_features, p.weight_bits, p.weight_base, p.act, bias ? "yes" : "no", r);

	const char *err = sa_check_fc(&in, &p, &out);
	if (err) {
		fprintf(stderr, "  %s: sa_check_fc rejected it: %s\n", what, err);
	} else if (shapes_equal(what, &out, &want)) {
		xr_dequantize(&in, x, xr);
		xr_fc(&in, xr, &p, w, bias, &out, yr);
		sa_ref_fc(&in, x, &p, w, bias, &out, y);
		ok = outputs_match(what, &out, y, yr, p.act);
	}
	free(x);
	free(w);
	free(bias);
	free(xr);
	free(yr);
	free(y);
	return ok;
}

/* Random pooling windows; avg pooling needs a power-of-two area. */
static void random_pool(struct sa_pool_params *p, struct sa_shape *in, struct sa_shape *want,
			int is_avg)
{
	static const uint16_t pow2[] = {1, 2, 4, 8};
	/* Squares ImageNet networks pool over (3x3, 7x7, 13x13) and the largest tested. */
	static const uint16_t squares[] = {3, 7, 13, 14};
	uint32_t max_in = is_avg ? 16 : 12;

	do {
		int kind = (int)rng_range(0, 3);

		if (is_avg && kind == 0) { /* a power of two: the rounded shift */
			p->kernel_h = pow2[rng_range(0, 3)];
			p->kernel_w = pow2[rng_range(0, p->kernel_h == 8 ? 1 : 3)];
		} else if (is_avg && kind == 1) {
			p->kernel_h = p->kernel_w = squares[rng_range(0, 3)];
		} else if (is_avg) { /* any area up to 15 x 15, square or not */
			p->kernel_h = (uint16_t)rng_range(1, 15);
			p->kernel_w = (uint16_t)rng_range(1, 15);
		} else {
			p->kernel_h = (uint16_t)rng_range(1, 5);
			p->kernel_w = (uint16_t)rng_range(1, 5);
		}
		p->stride_h = (uint16_t)rng_range(1, 3);
		p->stride_w = (uint16_t)rng_range(1, 3);
		/* Padding stays below the kernel on each side (sa_check_*pool). */
		p->pad_top = (uint16_t)rng_range(0, p->kernel_h - 1);
		p->pad_bottom = (uint16_t)rng_range(0, p->kernel_h - 1);
		p->pad_left = (uint16_t)rng_range(0, p->kernel_w - 1);
		p->pad_right = (uint16_t)rng_range(0, p->kernel_w - 1);
		in->c = (uint32_t)rng_range(1, 4);
		in->h = (uint32_t)rng_range(1, max_in);
		in->w = (uint32_t)rng_range(1, max_in);
		want->h = window_len(in->h, p->kernel_h, p->stride_h, p->pad_top, p->pad_bottom, 1);
		want->w = window_len(in->w, p->kernel_w, p->stride_w, p->pad_left, p->pad_right, 1);
	} while (want->h == 0 || want->w == 0);
	in->dtype = random_dtype();
	in->exp = (int8_t)rng_range(SA_EXP_MIN, SA_EXP_MAX);
	want->c = in->c;
	want->dtype = in->dtype;
	want->exp = in->exp;
}

static int pool_case(unsigned n, uint64_t seed, int is_avg)
{
	struct sa_pool_params p = {0};
	struct sa_shape in = {0}, out = {0}, want = {0};
	char what[256];
	int ok = 0;

	random_pool(&p, &in, &want, is_avg);
	/* The caller's dtype/exp are ignored: pooling keeps the input's. */
	out.dtype = in.dtype == SA_DTYPE_I8 ? SA_DTYPE_I16 : SA_DTYPE_I8;
	out.exp = (int8_t)(in.exp == 0 ? 1 : 0);

	size_t on = (size_t)want.c * want.h * want.w;
	void *x = random_tensor(&in);
	double *xr = malloc(sa_shape_elems(&in) * sizeof(double));
	double *yr = malloc(on * sizeof(double));
	void *y = malloc(on * dtype_size(want.dtype));

	snprintf(what, sizeof(what),
		 "%s case %u (seed %" PRIu64 "): in %ux%ux%u %s exp %d, k %ux%u s %ux%u "
		 "pad t%u l%u b%u r%u",
		 is_avg ? "avgpool" : "maxpool", n, seed, in.c, in.h, in.w,
		 in.dtype == SA_DTYPE_I8 ? "i8" : "i16", in.exp, p.kernel_h, p.kernel_w, p.stride_h,
		 p.stride_w, p.pad_top, p.pad_left, p.pad_bottom, p.pad_right);
	const char *err =
		is_avg ? sa_check_avgpool(&in, &p, &out) : sa_check_maxpool(&in, &p, &out);
	if (err) {
		fprintf(stderr, "  %s: sa_check rejected it: %s\n", what, err);
	} else if (shapes_equal(what, &out, &want)) {
		xr_dequantize(&in, x, xr);
		if (is_avg) {
			xr_avgpool(&in, xr, &p, &out, yr);
			sa_ref_avgpool(&in, x, &p, &out, y);
		} else {
			xr_maxpool(&in, xr, &p, &out, yr);
			sa_ref_maxpool(&in, x, &p, &out, y);
		}
		ok = outputs_match(what, &out, y, yr, SA_ACT_NONE);
	}
	free(x);
	free(xr);
	free(yr);
	free(y);
	return ok;
}

static int global_avgpool_case(unsigned n, uint64_t seed)
{
	struct sa_shape in = {0}, out = {0}, want = {0};
	char what[200];
	int ok = 0;

	in.c = (uint32_t)rng_range(1, 6);
	if (rng_percent(30)) { /* the planes ImageNet networks end in */
		in.h = in.w = rng_percent(50) ? 7 : 13;
	} else if (rng_percent(30)) {
		in.h = 1u << rng_range(0, 4);
		in.w = 1u << rng_range(0, 4);
	} else {
		in.h = (uint32_t)rng_range(1, 16);
		in.w = (uint32_t)rng_range(1, 16);
	}
	in.dtype = random_dtype();
	in.exp = (int8_t)rng_range(SA_EXP_MIN, SA_EXP_MAX);
	want.c = in.c;
	want.h = want.w = 1;
	want.dtype = in.dtype;
	want.exp = in.exp;

	void *x = random_tensor(&in);
	double *xr = malloc(sa_shape_elems(&in) * sizeof(double));
	double *yr = malloc(in.c * sizeof(double));
	void *y = malloc(in.c * dtype_size(in.dtype));

	snprintf(what, sizeof(what), "global_avgpool case %u (seed %" PRIu64 "): in %ux%ux%u %s", n,
		 seed, in.c, in.h, in.w, in.dtype == SA_DTYPE_I8 ? "i8" : "i16");
	const char *err = sa_check_global_avgpool(&in, &out);
	if (err) {
		fprintf(stderr, "  %s: sa_check rejected it: %s\n", what, err);
	} else if (shapes_equal(what, &out, &want)) {
		xr_dequantize(&in, x, xr);
		xr_global_avgpool(&in, xr, yr);
		sa_ref_global_avgpool(&in, x, &out, y);
		ok = outputs_match(what, &out, y, yr, SA_ACT_NONE);
	}
	free(x);
	free(xr);
	free(yr);
	free(y);
	return ok;
}

static int add_case(unsigned n, uint64_t seed)
{
	struct sa_add_params p = {0};
	struct sa_shape a = {0}, b = {0}, out = {0}, want = {0};
	char what[256];
	int m, ok = 0;

	a.c = (uint32_t)rng_range(1, 4);
	a.h = (uint32_t)rng_range(1, 9);
	a.w = (uint32_t)rng_range(1, 9);
	a.dtype = random_dtype();
	b = a;
	b.dtype = random_dtype();
	do {
		a.exp = (int8_t)rng_range(SA_EXP_MIN, SA_EXP_MAX);
		b.exp = (int8_t)(a.exp + rng_range(-SA_ADD_MAX_EXP_DIFF, SA_ADD_MAX_EXP_DIFF));
	} while (b.exp < SA_EXP_MIN || b.exp > SA_EXP_MAX);
	m = a.exp < b.exp ? a.exp : b.exp;
	p.act = (uint8_t)rng_range(SA_ACT_NONE, SA_ACT_RELU6);
	want = a;
	want.dtype = random_dtype();
	/* Output exponent so that r = exp_out - min(exps) covers [-8, 62] within SA_EXP_*. */
	do
		want.exp = (int8_t)(m + rng_range(SA_REQUANT_SHIFT_MIN, 20));
	while (want.exp < SA_EXP_MIN || want.exp > SA_EXP_MAX);
	out.dtype = want.dtype;
	out.exp = want.exp;

	size_t en = sa_shape_elems(&a);
	void *xa = random_tensor(&a);
	void *xb = random_tensor(&b);
	double *ar = malloc(en * sizeof(double)), *br = malloc(en * sizeof(double));
	double *yr = malloc(en * sizeof(double));
	void *y = malloc(en * dtype_size(want.dtype));

	snprintf(what, sizeof(what),
		 "add case %u (seed %" PRIu64
		 "): %ux%ux%u, a %s exp %d, b %s exp %d, out %s exp %d, "
		 "act %u",
		 n, seed, a.c, a.h, a.w, a.dtype == SA_DTYPE_I8 ? "i8" : "i16", a.exp,
		 b.dtype == SA_DTYPE_I8 ? "i8" : "i16", b.exp,
		 want.dtype == SA_DTYPE_I8 ? "i8" : "i16", want.exp, p.act);
	const char *err = sa_check_add(&a, &b, &p, &out);
	if (err) {
		fprintf(stderr, "  %s: sa_check_add rejected it: %s\n", what, err);
	} else if (shapes_equal(what, &out, &want)) {
		xr_dequantize(&a, xa, ar);
		xr_dequantize(&b, xb, br);
		xr_add(en, ar, br, yr);
		sa_ref_add(&a, xa, &b, xb, &p, &out, y);
		ok = outputs_match(what, &out, y, yr, p.act);
	}
	free(xa);
	free(xb);
	free(ar);
	free(br);
	free(yr);
	free(y);
	return ok;
}

/* An input exponent within SA_ADD_MAX_EXP_DIFF of exp_out, often at the limit. */
static int8_t exp_near(int exp_out)
{
	int e;

	do {
		int d = rng_percent(25)
				? (rng_percent(50) ? -SA_ADD_MAX_EXP_DIFF : SA_ADD_MAX_EXP_DIFF)
				: (int)rng_range(-SA_ADD_MAX_EXP_DIFF, SA_ADD_MAX_EXP_DIFF);
		e = exp_out + d;
	} while (e < SA_EXP_MIN || e > SA_EXP_MAX);
	return (int8_t)e;
}

static const char *dtype_name(uint8_t dtype)
{
	return dtype == SA_DTYPE_I8 ? "i8" : "i16";
}

/* One random concat (two_inputs) or clip; returns 1 if exact. */
static int concat_clip_case(unsigned n, uint64_t seed, int two_inputs)
{
	struct sa_shape a = {0}, b = {0}, out = {0}, want = {0};
	uint8_t act = (uint8_t)rng_range(SA_ACT_NONE, SA_ACT_RELU6);
	char what[256];
	int ok = 0;

	want.dtype = random_dtype();
	want.exp = (int8_t)rng_range(SA_EXP_MIN, SA_EXP_MAX);
	a.c = (uint32_t)rng_range(1, 5);
	a.h = (uint32_t)rng_range(1, 9);
	a.w = (uint32_t)rng_range(1, 9);
	a.dtype = random_dtype();
	a.exp = exp_near(want.exp);
	b = a;
	b.c = (uint32_t)rng_range(1, 5);
	b.dtype = random_dtype();
	b.exp = exp_near(want.exp);
	want.c = a.c + (two_inputs ? b.c : 0);
	want.h = a.h;
	want.w = a.w;
	out.dtype = want.dtype;
	out.exp = want.exp;

	size_t na = sa_shape_elems(&a), nb = two_inputs ? sa_shape_elems(&b) : 0;
	void *xa = random_tensor(&a);
	void *xb = random_tensor(&b);
	double *ar = malloc(na * sizeof(double)), *br = malloc(sa_shape_elems(&b) * sizeof(double));
	double *yr = malloc((na + nb) * sizeof(double));
	void *y = malloc((na + nb) * dtype_size(want.dtype));

	snprintf(what, sizeof(what),
		 "%s case %u (seed %" PRIu64 "): a %ux%ux%u %s exp %d, b %u channels %s exp %d, "
		 "out %s exp %d, act %u",
		 two_inputs ? "concat" : "clip", n, seed, a.c, a.h, a.w, dtype_name(a.dtype), a.exp,
		 b.c, dtype_name(b.dtype), b.exp, dtype_name(want.dtype), want.exp, act);
	struct sa_concat_params cp = {.act = act};
	struct sa_clip_params kp = {.act = act};
	const char *err =
		two_inputs ? sa_check_concat(&a, &b, &cp, &out) : sa_check_clip(&a, &kp, &out);
	if (err) {
		fprintf(stderr, "  %s: sa_check rejected it: %s\n", what, err);
	} else if (shapes_equal(what, &out, &want)) {
		xr_dequantize(&a, xa, ar);
		xr_dequantize(&b, xb, br);
		xr_concat(na, ar, nb, br, yr);
		two_inputs ? sa_ref_concat(&a, xa, &b, xb, &cp, &out, y)
			   : sa_ref_clip(&a, xa, &kp, &out, y);
		ok = outputs_match(what, &out, y, yr, act);
	}
	void *owned[] = {xa, xb, ar, br, yr, y};
	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		free(owned[i]);
	return ok;
}

/* Runs RANDOM_CASES cases of one op, each from its own seed. */
#define RANDOM_OP_TEST(name, op_id, cases, call)                                                   \
	TEST(name)                                                                                 \
	{                                                                                          \
		for (unsigned n = 0; n < (cases); n++) {                                           \
			uint64_t seed = 0x5a11ull << 32 | (uint64_t)(op_id) << 16 | n;             \
			rng_seed(seed);                                                            \
			CHECK(call);                                                               \
		}                                                                                  \
	}

RANDOM_OP_TEST(conv_random_exact, 1, RANDOM_CASES, conv_case(n, seed, 0))
RANDOM_OP_TEST(conv_wide_rows_exact, 7, 60, conv_case(n, seed, 1))
RANDOM_OP_TEST(fc_random_exact, 2, RANDOM_CASES, fc_case(n, seed))
RANDOM_OP_TEST(maxpool_random_exact, 3, RANDOM_CASES, pool_case(n, seed, 0))
RANDOM_OP_TEST(avgpool_random_exact, 4, RANDOM_CASES, pool_case(n, seed, 1))
RANDOM_OP_TEST(global_avgpool_random_exact, 5, RANDOM_CASES, global_avgpool_case(n, seed))
RANDOM_OP_TEST(add_random_exact, 6, RANDOM_CASES, add_case(n, seed))
RANDOM_OP_TEST(concat_random_exact, 8, RANDOM_CASES, concat_clip_case(n, seed, 1))
RANDOM_OP_TEST(clip_random_exact, 9, RANDOM_CASES, concat_clip_case(n, seed, 0))

/* The random cases must have reached the cases that matter, or they prove little. */
TEST(random_cases_cover_ties_and_saturation)
{
	fprintf(stderr,
		"  %lu elements: %lu exact ties, %lu clamped low, %lu clamped high, "
		"%lu at the ReLU6 bound\n",
		seen.elems, seen.ties, seen.clamped_lo, seen.clamped_hi, seen.relu6_hi);
	CHECK(seen.elems > 10000);
	CHECK(seen.ties > 100);
	CHECK(seen.clamped_lo > 100);
	CHECK(seen.clamped_hi > 100);
	CHECK(seen.relu6_hi > 10);
}

/* --------------------------------------------------- hand-worked examples */

TEST(rshift_round_half_toward_plus_infinity)
{
	/* v / 2^r: 2.5 -> 3, -2.5 -> -2, 1.5 -> 2, -1.5 -> -1, 0.5 -> 1, -0.5 -> 0. */
	CHECK_EQ_INT(sa_rshift_round(5, 1), 3);
	CHECK_EQ_INT(sa_rshift_round(-5, 1), -2);
	CHECK_EQ_INT(sa_rshift_round(3, 1), 2);
	CHECK_EQ_INT(sa_rshift_round(-3, 1), -1);
	CHECK_EQ_INT(sa_rshift_round(1, 1), 1);
	CHECK_EQ_INT(sa_rshift_round(-1, 1), 0);
	/* Not ties: -1.75 -> -2, -1.25 -> -1, 1.75 -> 2, 1.25 -> 1. */
	CHECK_EQ_INT(sa_rshift_round(-7, 2), -2);
	CHECK_EQ_INT(sa_rshift_round(-5, 2), -1);
	CHECK_EQ_INT(sa_rshift_round(7, 2), 2);
	CHECK_EQ_INT(sa_rshift_round(5, 2), 1);
	/* r <= 0 is an exact left shift, negative values included. */
	CHECK_EQ_INT(sa_rshift_round(7, 0), 7);
	CHECK_EQ_INT(sa_rshift_round(-7, 0), -7);
	CHECK_EQ_INT(sa_rshift_round(7, -3), 56);
	CHECK_EQ_INT(sa_rshift_round(-7, SA_REQUANT_SHIFT_MIN), -7 * 256);
	/* The extremes of the accumulator: |acc| < 2^54 and r up to 62. */
	int64_t big = ((int64_t)1 << 54) - 1;
	CHECK_EQ_INT(sa_rshift_round(big, 54), 1);
	CHECK_EQ_INT(sa_rshift_round(-big, 54), -1);
	CHECK_EQ_INT(sa_rshift_round(-((int64_t)1 << 53), 54), 0);
	CHECK_EQ_INT(sa_rshift_round(-((int64_t)1 << 53) - 1, 54), -1);
	CHECK_EQ_INT(sa_rshift_round(-big, SA_REQUANT_SHIFT_MAX), 0);
	CHECK_EQ_INT(sa_rshift_round(-big, SA_REQUANT_SHIFT_MIN), -big * 256);
}

TEST(act_bounds_and_relu6_in_output_units)
{
	int32_t lo, hi;

	sa_act_bounds(SA_DTYPE_I8, SA_ACT_NONE, 0, &lo, &hi);
	CHECK(lo == -128 && hi == 127);
	sa_act_bounds(SA_DTYPE_I16, SA_ACT_NONE, 3, &lo, &hi);
	CHECK(lo == -32768 && hi == 32767);
	sa_act_bounds(SA_DTYPE_I8, SA_ACT_RELU, -7, &lo, &hi);
	CHECK(lo == 0 && hi == 127);
	/* 6 at exp -4 is 96 units; at exp -5 it would be 192 > 127, so the dtype wins. */
	sa_act_bounds(SA_DTYPE_I8, SA_ACT_RELU6, -4, &lo, &hi);
	CHECK(lo == 0 && hi == 96);
	sa_act_bounds(SA_DTYPE_I8, SA_ACT_RELU6, -5, &lo, &hi);
	CHECK(lo == 0 && hi == 127);
	sa_act_bounds(SA_DTYPE_I16, SA_ACT_RELU6, -12, &lo, &hi);
	CHECK(lo == 0 && hi == 6 << 12);
	sa_act_bounds(SA_DTYPE_I16, SA_ACT_RELU6, -13, &lo, &hi);
	CHECK(lo == 0 && hi == 32767);
	/* Coarse outputs: 6/4 = 1.5 -> 2, 6/8 = 0.75 -> 1, 6/16 = 0.375 -> 0. */
	sa_act_bounds(SA_DTYPE_I8, SA_ACT_RELU6, 2, &lo, &hi);
	CHECK(lo == 0 && hi == 2);
	sa_act_bounds(SA_DTYPE_I8, SA_ACT_RELU6, 3, &lo, &hi);
	CHECK(lo == 0 && hi == 1);
	sa_act_bounds(SA_DTYPE_I8, SA_ACT_RELU6, 4, &lo, &hi);
	CHECK(lo == 0 && hi == 0);
}

TEST(requantize_clamps_after_rounding)
{
	CHECK_EQ_INT(sa_requantize(255, 1, -128, 127), 127);   /* 127.5 -> 128 -> 127 */
	CHECK_EQ_INT(sa_requantize(253, 1, -128, 127), 127);   /* 126.5 -> 127 */
	CHECK_EQ_INT(sa_requantize(-257, 1, -128, 127), -128); /* -128.5 -> -128 */
	CHECK_EQ_INT(sa_requantize(-259, 1, -128, 127), -128); /* -129.5 -> -129 -> -128 */
	CHECK_EQ_INT(sa_requantize(-1, 1, 0, 127), 0);	       /* ReLU: -0.5 -> 0 */
	CHECK_EQ_INT(sa_requantize(1, 1, 0, 127), 1);	       /* 0.5 -> 1 */
	CHECK_EQ_INT(sa_requantize(-3, 0, 0, 96), 0);
	CHECK_EQ_INT(sa_requantize(100, -2, -32768, 32767), 400);
	CHECK_EQ_INT(sa_requantize((int64_t)1 << 50, -8, -32768, 32767), 32767);
}

/*
 * 3x3 input, one 2x2 kernel, exp_in 0, weight_base 0, bias -1, exp_out 1:
 *   x = | 1  2 -3 |   k = | 1 -2 |  -> w = | 1 -2 |
 *       | 4 -5  6 |       | 0  3 |         | 0  4 |
 *       | 7  8  9 |
 *   acc(0,0) = 1 - 4 + 0 - 20 - 1 = -24 -> -12
 *   acc(0,1) = 2 + 6 + 0 + 24 - 1 =  31 -> 15.5 -> 16
 *   acc(1,0) = 4 + 10 + 0 + 32 - 1 = 45 -> 22.5 -> 23
 *   acc(1,1) = -5 - 12 + 0 + 36 - 1 = 18 -> 9
 */
TEST(conv_hand_worked)
{
	const int8_t x[9] = {1, 2, -3, 4, -5, 6, 7, 8, 9};
	const int8_t w[4] = {1, -2, 0, 3};
	const int32_t bias[1] = {-1};
	struct sa_conv_params p = {.kernel_h = 2,
				   .kernel_w = 2,
				   .stride_h = 1,
				   .stride_w = 1,
				   .dilation_h = 1,
				   .dilation_w = 1,
				   .groups = 1,
				   .out_channels = 1,
				   .weight_bits = 3,
				   .weight_base = 0,
				   .act = SA_ACT_NONE,
				   .flags = SA_PARAM_HAS_BIAS};
	struct sa_shape in = {1, 3, 3, SA_DTYPE_I8, 0}, out = {0, 0, 0, SA_DTYPE_I8, 1};
	int8_t y[4];

	CHECK(sa_check_conv(&in, &p, &out) == NULL);
	CHECK(out.c == 1 && out.h == 2 && out.w == 2);
	sa_ref_conv(&in, x, &p, w, bias, &out, y);
	CHECK_EQ_INT(y[0], -12);
	CHECK_EQ_INT(y[1], 16);
	CHECK_EQ_INT(y[2], 23);
	CHECK_EQ_INT(y[3], 9);

	/* Same with ReLU6 at exp_out 1 (six = 3 units): -12 -> 0, 16 -> 3, 23 -> 3, 9 -> 3. */
	p.act = SA_ACT_RELU6;
	sa_ref_conv(&in, x, &p, w, bias, &out, y);
	CHECK(y[0] == 0 && y[1] == 3 && y[2] == 3 && y[3] == 3);
}

/*
 * Depthwise 2 channels, 1x3 kernel, stride 2, dilation 1, pad left 1 right 0,
 * 1x5 input, weight_base -1 (k=1 -> 0.5, k=2 -> 1), exp_in -1, exp_out -1:
 *   ch0 x = [2 4 6 8 10] (real 1 2 3 4 5), k = [1 2 1]: w = [.5 1 .5]
 *     out0 window (-1,0,1): 0 + 1*1 + 2*.5 = 2 -> q 4
 *     out1 window (1,2,3): 2*.5 + 3 + 4*.5 = 6 -> q 12
 *   ch1 x = [-1 -1 -1 -1 -1] (real -.5), k = [0 -2 0]: out = .5 -> q 1 (both)
 * Output width: (5 + 1 + 0 - 3) / 2 + 1 = 2.
 */
TEST(depthwise_hand_worked)
{
	const int8_t x[10] = {2, 4, 6, 8, 10, -1, -1, -1, -1, -1};
	const int8_t w[6] = {1, 2, 1, 0, -2, 0};
	struct sa_conv_params p = {.kernel_h = 1,
				   .kernel_w = 3,
				   .stride_h = 1,
				   .stride_w = 2,
				   .dilation_h = 1,
				   .dilation_w = 1,
				   .pad_left = 1,
				   .groups = 2,
				   .out_channels = 2,
				   .weight_bits = 3,
				   .weight_base = -1};
	struct sa_shape in = {2, 1, 5, SA_DTYPE_I8, -1}, out = {0, 0, 0, SA_DTYPE_I16, -1};
	int16_t y[4];

	CHECK(sa_check_conv(&in, &p, &out) == NULL);
	CHECK(out.c == 2 && out.h == 1 && out.w == 2);
	sa_ref_conv(&in, x, &p, w, NULL, &out, y);
	CHECK(y[0] == 4 && y[1] == 12 && y[2] == 1 && y[3] == 1);
}

/*
 * x = [3 -5 7] (exp 0), weight_base -1, k rows [2 -1 0] and [-3 3 1]:
 *   w0 = [1 -0.5 0]:  3 + 2.5 = 5.5 -> 6
 *   w1 = [-2 2 0.5]: -6 - 10 + 3.5 = -12.5 -> -12 (half toward +inf)
 */
TEST(fc_hand_worked)
{
	const int16_t x[3] = {3, -5, 7};
	const int8_t w[6] = {2, -1, 0, -3, 3, 1};
	struct sa_fc_params p = {.out_features = 2, .weight_bits = 3, .weight_base = -1};
	struct sa_shape in = {3, 1, 1, SA_DTYPE_I16, 0}, out = {0, 0, 0, SA_DTYPE_I8, 0};
	int8_t y[2];

	CHECK(sa_check_fc(&in, &p, &out) == NULL);
	sa_ref_fc(&in, x, &p, w, NULL, &out, y);
	CHECK_EQ_INT(y[0], 6);
	CHECK_EQ_INT(y[1], -12);
}

/*
 * The largest accumulator the limits allow in practice: 2^16 products of
 * -32768 * -2^14 (int16, 5-bit codes) plus INT32_MAX:
 *   acc = 2^16 * 2^29 + 2^31 - 1 = 2^45 + 2^31 - 1; r = 31 -> 2^14 + 1.
 */
TEST(fc_largest_accumulator)
{
	size_t n = (size_t)1 << 16;
	int16_t *x = malloc(n * sizeof(*x));
	int8_t *w = malloc(n);
	const int32_t bias[1] = {INT32_MAX};
	struct sa_fc_params p = {
		.out_features = 1, .weight_bits = 5, .weight_base = 0, .flags = SA_PARAM_HAS_BIAS};
	struct sa_shape in = {(uint32_t)n, 1, 1, SA_DTYPE_I16, -20},
			out = {0, 0, 0, SA_DTYPE_I16, 11};
	int16_t y[1];

	for (size_t i = 0; i < n; i++) {
		x[i] = INT16_MIN;
		w[i] = -SA_WEIGHT_K_MAX(5);
	}
	const char *err = sa_check_fc(&in, &p, &out);
	if (!err)
		sa_ref_fc(&in, x, &p, w, bias, &out, y);
	free(x);
	free(w);
	CHECK(err == NULL);
	CHECK_EQ_INT(y[0], (1 << 14) + 1);
}

/*
 * Average of 2x2 windows (area 4 -> shift 2), 1x8 input read as two rows:
 *   windows [1 2 | 3 -5] sum 1 -> 0.25 -> 0;  [1 1 | 0 0] sum 2 -> 0.5 -> 1
 *           [-1 -1 | 0 0] -> -0.5 -> 0;       [-6 0 | 0 0] -> -1.5 -> -1
 */
TEST(avgpool_hand_worked_rounding)
{
	const int8_t x[16] = {1, 2, 1, 1, -1, -1, -6, 0, 3, -5, 0, 0, 0, 0, 0, 0};
	struct sa_pool_params p = {.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2};
	struct sa_shape in = {1, 2, 8, SA_DTYPE_I8, -3}, out = {0};
	int8_t y[4];

	CHECK(sa_check_avgpool(&in, &p, &out) == NULL);
	CHECK(out.h == 1 && out.w == 4 && out.exp == -3 && out.dtype == SA_DTYPE_I8);
	sa_ref_avgpool(&in, x, &p, &out, y);
	CHECK(y[0] == 0 && y[1] == 1 && y[2] == 0 && y[3] == -1);

	/* Padding counts as zeros in the area: top-left window sees only 3 -> 0.75 -> 1. */
	const int8_t x3[9] = {3, 0, 0, 0, 0, 0, 0, 0, 0};
	struct sa_pool_params pp = {.kernel_h = 2,
				    .kernel_w = 2,
				    .stride_h = 2,
				    .stride_w = 2,
				    .pad_top = 1,
				    .pad_left = 1};
	struct sa_shape in3 = {1, 3, 3, SA_DTYPE_I8, 0};
	CHECK(sa_check_avgpool(&in3, &pp, &out) == NULL);
	CHECK(out.h == 2 && out.w == 2);
	sa_ref_avgpool(&in3, x3, &pp, &out, y);
	CHECK(y[0] == 1 && y[1] == 0 && y[2] == 0 && y[3] == 0);
}

/*
 * floor(sum / A + 1/2) for every area up to SA_MAX_POOL_AREA, at the ends of
 * the sums that area allows (A * int16 range), at ties and at random, against
 * C's own division (truncating, corrected to floor): an oracle that shares
 * nothing with the shift-and-subtract loop.
 */
static int64_t floor_div(int64_t n, int64_t d)
{
	int64_t q = n / d;

	return (n % d != 0 && n < 0) ? q - 1 : q;
}

TEST(div_round_every_area)
{
	unsigned long wrong = 0, ties = 0;

	rng_seed(0xd1f);
	for (int64_t area = 1; area <= (int64_t)SA_MAX_POOL_AREA; area++) {
		int64_t lo = area * INT16_MIN, hi = area * INT16_MAX;
		int64_t sums[12] = {lo,
				    lo + 1,
				    hi,
				    hi - 1,
				    0,
				    -1,
				    1,
				    area / 2,
				    -(area / 2),
				    (area + 1) / 2,
				    -(area + 1) / 2,
				    rng_range(lo, hi)};

		for (int i = 0; i < 12; i++) {
			int64_t s = sums[i], want = floor_div(2 * s + area, 2 * area);
			int64_t got = sa_div_round(s, (uint32_t)area);

			ties += (2 * s + area) % (2 * area) == 0 && area % 2 == 0;
			if (got != want && wrong++ < 5)
				fprintf(stderr,
					"  sa_div_round(%" PRId64 ", %" PRId64 ") = %" PRId64
					", expected %" PRId64 "\n",
					s, area, got, want);
		}
	}
	CHECK_EQ_INT(wrong, 0);
	CHECK(ties > 10000); /* half-way sums of even areas: round up */
}

/*
 * 2x3 windows (area 6, not a power of two), exp -1:
 *   sum 3 -> 0.5 -> 1;  sum -3 -> -0.5 -> 0;  sum 9 -> 1.5 -> 2;  sum -9 -> -1.5 -> -1
 *   (ties round up, as every rounding in the contract)
 * and a 3x3 window with one padding row and column (area 9 counts padding):
 *   it sees 10 + 4 + 4 + 1 = 19 -> 19/9 = 2.11 -> 2.
 */
TEST(avgpool_any_area_hand_worked)
{
	const int8_t x[24] = {1, 1, 1, -1, -1, -1, 3, 3, 3, -3, -3, -3,
			      0, 0, 1, 0,  0,  0,  1, 1, 1, -2, -1, -1};
	struct sa_pool_params p = {.kernel_h = 2, .kernel_w = 3, .stride_h = 2, .stride_w = 3};
	struct sa_shape in = {1, 4, 6, SA_DTYPE_I8, -1}, out = {0};
	int8_t y[4];

	CHECK(sa_check_avgpool(&in, &p, &out) == NULL);
	CHECK(out.h == 2 && out.w == 2 && out.exp == -1 && out.dtype == SA_DTYPE_I8);
	sa_ref_avgpool(&in, x, &p, &out, y);
	/* windows: {1,1,1,3,3,3} = 12 -> 2; {-1,-1,-1,-3,-3,-3} = -12 -> -2;
	 * {0,0,1,1,1,1} = 4 -> 0.67 -> 1; {0,0,0,-2,-1,-1} = -4 -> -0.67 -> -1 */
	CHECK(y[0] == 2 && y[1] == -2 && y[2] == 1 && y[3] == -1);

	const int8_t ties[12] = {1, 1, 1, -1, -1, -1, 0, 0, 0, 0, 0, 0};
	const int8_t ties2[12] = {3, 3, 3, -3, -3, -3, 0, 0, 0, 0, 0, 0};
	struct sa_shape in2 = {1, 2, 6, SA_DTYPE_I8, -1};
	int8_t y2[2];
	CHECK(sa_check_avgpool(&in2, &p, &out) == NULL);
	sa_ref_avgpool(&in2, ties, &p, &out, y2); /* 3/6 = 0.5 -> 1, -3/6 = -0.5 -> 0 */
	CHECK(y2[0] == 1 && y2[1] == 0);
	sa_ref_avgpool(&in2, ties2, &p, &out, y2); /* 9/6 = 1.5 -> 2, -9/6 = -1.5 -> -1 */
	CHECK(y2[0] == 2 && y2[1] == -1);

	const int8_t z[4] = {10, 4, 4, 1};
	struct sa_pool_params q = {.kernel_h = 3,
				   .kernel_w = 3,
				   .stride_h = 1,
				   .stride_w = 1,
				   .pad_top = 1,
				   .pad_left = 1};
	struct sa_shape in3 = {1, 2, 2, SA_DTYPE_I8, 0};
	int8_t y3[1];
	CHECK(sa_check_avgpool(&in3, &q, &out) == NULL);
	CHECK(out.h == 1 && out.w == 1);
	sa_ref_avgpool(&in3, z, &q, &out, y3);
	CHECK_EQ_INT(y3[0], 2);
}

/* 7x7 planes (area 49): 24/49 -> 0 (0.49); 25/49 -> 1 (0.51); -25/49 -> -1; int16 ends. */
TEST(global_avgpool_49_hand_worked)
{
	int16_t x[4 * 49] = {0};
	struct sa_shape in = {4, 7, 7, SA_DTYPE_I16, -3}, out = {0};
	int16_t y[4];

	x[0] = 24;
	x[49] = 25;
	x[98] = -25;
	for (int i = 0; i < 49; i++)
		x[147 + i] = INT16_MIN;
	CHECK(sa_check_global_avgpool(&in, &out) == NULL);
	CHECK(out.c == 4 && out.h == 1 && out.w == 1 && out.exp == -3);
	sa_ref_global_avgpool(&in, x, &out, y);
	CHECK(y[0] == 0 && y[1] == 1 && y[2] == -1 && y[3] == INT16_MIN);
}

/*
 * concat: a (i8, exp -2) and b (i16, exp 1) into i8 at exp -1, ReLU:
 *   a:  5 (1.25 -> 2.5 units -> 3),  -3 (-0.75 -> clamped 0),  1 (0.25 -> 0.5 -> 1)
 *   b:  3 (6 -> 12 units),  200 (400 -> 800 -> 127),  -1 (-2 -> 0)
 * clip: ReLU6 at exp -4 of an i16 at exp -4 (a copy with a clamp): 96 is 6.0,
 *   97 -> 96, -5 -> 0, 40 -> 40.
 */
TEST(concat_and_clip_hand_worked)
{
	const int8_t a[3] = {5, -3, 1};
	const int16_t b[3] = {3, 200, -1};
	struct sa_shape sa = {1, 1, 3, SA_DTYPE_I8, -2}, sb = {1, 1, 3, SA_DTYPE_I16, 1};
	struct sa_shape out = {.dtype = SA_DTYPE_I8, .exp = -1};
	struct sa_concat_params cp = {.act = SA_ACT_RELU};
	int8_t y[6];

	CHECK(sa_check_concat(&sa, &sb, &cp, &out) == NULL);
	CHECK(out.c == 2 && out.h == 1 && out.w == 3);
	sa_ref_concat(&sa, a, &sb, b, &cp, &out, y);
	const int8_t want[6] = {3, 0, 1, 12, 127, 0};
	for (int i = 0; i < 6; i++)
		CHECK_EQ_INT(y[i], want[i]);

	const int16_t c[3] = {97, -5, 40};
	struct sa_shape sc = {3, 1, 1, SA_DTYPE_I16, -4}, oc = {.dtype = SA_DTYPE_I16, .exp = -4};
	struct sa_clip_params kp = {.act = SA_ACT_RELU6};
	int16_t yc[3];
	CHECK(sa_check_clip(&sc, &kp, &oc) == NULL);
	sa_ref_clip(&sc, c, &kp, &oc, yc);
	CHECK(yc[0] == 96 && yc[1] == 0 && yc[2] == 40);
}

/* Padding never wins a max: an all-negative input stays negative at the border. */
TEST(maxpool_ignores_padding)
{
	const int16_t x[4] = {-7, -3, -9, -20000};
	struct sa_pool_params p = {.kernel_h = 2,
				   .kernel_w = 2,
				   .stride_h = 1,
				   .stride_w = 1,
				   .pad_top = 1,
				   .pad_left = 1,
				   .pad_bottom = 1,
				   .pad_right = 1};
	struct sa_shape in = {1, 2, 2, SA_DTYPE_I16, 5}, out = {0};
	int16_t y[9];

	CHECK(sa_check_maxpool(&in, &p, &out) == NULL);
	CHECK(out.h == 3 && out.w == 3 && out.exp == 5);
	sa_ref_maxpool(&in, x, &p, &out, y);
	const int16_t want[9] = {-7, -3, -3, -7, -3, -3, -9, -9, -20000};
	for (int i = 0; i < 9; i++)
		CHECK_EQ_INT(y[i], want[i]);
}

/* 4x4 plane (shift 4): sum 8 -> 0.5 -> 1; sum -8 -> -0.5 -> 0; sum -24 -> -1.5 -> -1. */
TEST(global_avgpool_hand_worked)
{
	int8_t x[48] = {0};
	struct sa_shape in = {3, 4, 4, SA_DTYPE_I8, 2}, out = {0};
	int8_t y[3];

	x[0] = 8;
	x[16] = -8;
	x[32] = -20;
	x[47] = -4;
	CHECK(sa_check_global_avgpool(&in, &out) == NULL);
	CHECK(out.c == 3 && out.h == 1 && out.w == 1 && out.exp == 2);
	sa_ref_global_avgpool(&in, x, &out, y);
	CHECK(y[0] == 1 && y[1] == 0 && y[2] == -1);
}

/*
 * a at exp -2, b at exp 0, out at exp -1 (m = -2, r = 1):
 *   a 5 (1.25) + b -1 (-1)  =  0.25 -> 0.5 units -> 1
 *   a -3 (-0.75) + b 0      = -0.75 -> -1.5 units -> -1
 *   a 127 (31.75) + b 127   = 158.75 -> 317.5 units -> 127 (i8 saturates)
 *   a -128 (-32) + b 3      = -29 -> -58 units
 */
TEST(add_different_exponents)
{
	const int8_t a[4] = {5, -3, 127, -128};
	const int16_t b[4] = {-1, 0, 127, 3};
	struct sa_shape sa = {1, 1, 4, SA_DTYPE_I8, -2}, sb = {1, 1, 4, SA_DTYPE_I16, 0};
	struct sa_shape out = {0, 0, 0, SA_DTYPE_I8, -1};
	struct sa_add_params p = {.act = SA_ACT_NONE};
	int8_t y[4];

	CHECK(sa_check_add(&sa, &sb, &p, &out) == NULL);
	sa_ref_add(&sa, a, &sb, b, &p, &out, y);
	CHECK(y[0] == 1 && y[1] == -1 && y[2] == 127 && y[3] == -58);

	/* ReLU6 at exp -1: six = 12 units. */
	p.act = SA_ACT_RELU6;
	sa_ref_add(&sa, a, &sb, b, &p, &out, y);
	CHECK(y[0] == 1 && y[1] == 0 && y[2] == 12 && y[3] == 0);
}

/* Exponents 16 apart (the limit): the coarse input shifts left by 16 exactly. */
TEST(add_widest_exponent_gap)
{
	const int16_t a[2] = {INT16_MIN, INT16_MAX};
	const int16_t b[2] = {INT16_MIN, 1};
	struct sa_shape sa = {1, 1, 2, SA_DTYPE_I16, 8}, sb = {1, 1, 2, SA_DTYPE_I16, -8};
	struct sa_shape out = {0, 0, 0, SA_DTYPE_I16, 9};
	struct sa_add_params p = {0};
	int16_t y[2];

	CHECK(sa_check_add(&sa, &sb, &p, &out) == NULL);
	sa_ref_add(&sa, a, &sb, b, &p, &out, y);
	/* (-2^15 * 2^16 - 2^15) / 2^17 = -16384.25 -> -16384; (32767*2^16 + 1) / 2^17 -> 16384 */
	CHECK_EQ_INT(y[0], -16384);
	CHECK_EQ_INT(y[1], 16384);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(rshift_round_half_toward_plus_infinity);
	RUN(act_bounds_and_relu6_in_output_units);
	RUN(requantize_clamps_after_rounding);
	RUN(conv_hand_worked);
	RUN(depthwise_hand_worked);
	RUN(fc_hand_worked);
	RUN(fc_largest_accumulator);
	RUN(avgpool_hand_worked_rounding);
	RUN(maxpool_ignores_padding);
	RUN(div_round_every_area);
	RUN(avgpool_any_area_hand_worked);
	RUN(global_avgpool_49_hand_worked);
	RUN(concat_and_clip_hand_worked);
	RUN(global_avgpool_hand_worked);
	RUN(add_different_exponents);
	RUN(add_widest_exponent_gap);
	RUN(conv_random_exact);
	RUN(conv_wide_rows_exact);
	RUN(fc_random_exact);
	RUN(maxpool_random_exact);
	RUN(avgpool_random_exact);
	RUN(global_avgpool_random_exact);
	RUN(add_random_exact);
	RUN(concat_random_exact);
	RUN(clip_random_exact);
	if (!check_only)
		RUN(random_cases_cover_ties_and_saturation);
	CHECK_MAIN_END();
}
