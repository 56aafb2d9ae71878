// SPDX-License-Identifier: MIT
/*
 * Whole models through sessions.  Models are built with the sa_builder_*
 * API from a small description (struct net) that the test also evaluates
 * itself, layer by layer, with the double-precision definitions of
 * exact_ref.c:
 *   - the integer path (SA_DEVICE_CPU) must equal the exact relation applied
 *     to every layer in turn, element for element;
 *   - the float path (SA_DEVICE_CPU_FLOAT) must equal the float definition
 *     to within float32 rounding of the outputs (FLOAT_PATH_TOLERANCE);
 *   - the two paths must agree to within the quantisation error the
 *     model's scales allow (QUANTISATION_TOLERANCE).
 * Then the host helpers, and device selection: on a machine without a card
 * SA_DEVICE_ACCEL fails with a reason and SA_DEVICE_AUTO falls back to the
 * CPU; the sysfs probe is also run against fake sysfs trees for each way a
 * card can be unusable.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shiftaccel.h"
#include "../../libshiftaccel/drm/sa_drm.h"
#include "../../libshiftaccel/src/accel_probe.h"
#include "exact_ref.h"
#include "../check.h"

/*
 * The float path computes in double and rounds only its outputs to float,
 * so it matches the reference to float32 precision: relative 2^-24, plus
 * a margin for sums taken in a different order.
 */
#define FLOAT_PATH_TOLERANCE 1e-6
/*
 * Integer vs float: each layer's output carries at most half an LSB of
 * rounding error, which the following layers amplify by their gains.  For
 * these calibrated models (largest activation near full scale) the
 * difference stays below this fraction of the largest output.
 */
#define QUANTISATION_TOLERANCE 0.05
#define RUNS_PER_MODEL 25
#define CALIBRATION_RUNS 8

/* ----------------------------------------------------------------- PRNG */

static uint64_t rng_state = 0x5eed5e55;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static int rng_range(int lo, int hi)
{
	return lo + (int)(rng_next() % (uint64_t)(hi - lo + 1));
}

static double rng_uniform(double lo, double hi)
{
	return lo + (hi - lo) * (double)(rng_next() >> 11) / 9007199254740992.0;
}

/* ------------------------------------------------------------ test nets */

enum layer_op {
	L_CONV,
	L_FC,
	L_MAXPOOL,
	L_AVGPOOL,
	L_GLOBAL_AVGPOOL,
	L_ADD,
	L_FLATTEN,
	L_CONCAT,
	L_CLIP
};

#define MAX_LAYERS 12
#define MAX_ELEMS 2048

struct layer {
	enum layer_op op;
	int in, in2; /* tensor indices: 0 is the graph input, i + 1 the output of layer i */
	struct sa_conv_params conv;
	struct sa_fc_params fc;
	struct sa_pool_params pool;
	struct sa_add_params add;
	struct sa_concat_params concat;
	struct sa_clip_params clip;
	uint8_t out_dtype; /* conv, fc, add, concat, clip: chosen; others: the input's */
	int8_t *w;	   /* signed k */
	int32_t *bias;
};

struct net {
	const char *name;
	struct sa_shape input;
	int num_layers;
	struct layer l[MAX_LAYERS];
	struct sa_shape shape[MAX_LAYERS + 1]; /* every tensor, exps from calibrate() */
	sa_model *model;
};

static int layer_act(const struct layer *l)
{
	if (l->op == L_CONV)
		return l->conv.act;
	if (l->op == L_FC)
		return l->fc.act;
	if (l->op == L_ADD)
		return l->add.act;
	if (l->op == L_CONCAT)
		return l->concat.act;
	if (l->op == L_CLIP)
		return l->clip.act;
	return SA_ACT_NONE;
}

static size_t elems(const struct sa_shape *s)
{
	return (size_t)s->c * s->h * s->w;
}

/* Random weights scaled so a layer roughly keeps the magnitude of its input. */
static void random_weights(struct layer *l, size_t count, size_t fan_in, uint8_t bits, int8_t *base,
			   size_t n_bias, uint8_t flags)
{
	int kmax = SA_WEIGHT_K_MAX(bits);

	/* Largest weight 2^(base + kmax - 1) about 2 / sqrt(fan_in). */
	*base = (int8_t)(1 - kmax - (int)lround(log2(sqrt((double)fan_in))) + 1);
	l->w = malloc(count);
	for (size_t i = 0; i < count; i++)
		l->w[i] = (int8_t)rng_range(-kmax, kmax);
	/* Bias (accumulator units) worth a few products of int8 activations. */
	if (flags & SA_PARAM_HAS_BIAS) {
		l->bias = malloc(n_bias * sizeof(int32_t));
		for (size_t i = 0; i < n_bias; i++)
			l->bias[i] = rng_range(-64, 64) * (1 << (kmax - 1));
	}
}

/* Fills the output shape of layer i from its input shapes (exps are set by calibrate). */
static int layer_shape(struct net *n, int i)
{
	struct layer *l = &n->l[i];
	const struct sa_shape *in = &n->shape[l->in];
	struct sa_shape *out = &n->shape[i + 1];
	const char *err = NULL;

	/* A provisional exponent that passes the checks; calibrate() picks the real one. */
	int e = in->exp + (l->op == L_CONV ? l->conv.weight_base : l->fc.weight_base);

	out->dtype = l->out_dtype;
	out->exp = (int8_t)(e < SA_EXP_MIN ? SA_EXP_MIN : e);
	switch (l->op) {
	case L_CONV: err = sa_check_conv(in, &l->conv, out); break;
	case L_FC: err = sa_check_fc(in, &l->fc, out); break;
	case L_MAXPOOL: err = sa_check_maxpool(in, &l->pool, out); break;
	case L_AVGPOOL: err = sa_check_avgpool(in, &l->pool, out); break;
	case L_GLOBAL_AVGPOOL: err = sa_check_global_avgpool(in, out); break;
	case L_ADD:
		out->exp = in->exp < n->shape[l->in2].exp ? in->exp : n->shape[l->in2].exp;
		err = sa_check_add(in, &n->shape[l->in2], &l->add, out);
		break;
	case L_FLATTEN: *out = (struct sa_shape){elems(in), 1, 1, in->dtype, in->exp}; break;
	case L_CONCAT:
		out->exp = in->exp;
		err = sa_check_concat(in, &n->shape[l->in2], &l->concat, out);
		break;
	case L_CLIP:
		out->exp = in->exp;
		err = sa_check_clip(in, &l->clip, out);
		break;
	}
	if (err)
		fprintf(stderr, "  %s layer %d: %s\n", n->name, i, err);
	return err == NULL;
}

/* Real output of layer i (before rounding) from the real values of its inputs. */
static void layer_real(const struct net *n, int i, double *const *real, double *y)
{
	const struct layer *l = &n->l[i];
	const struct sa_shape *in = &n->shape[l->in], *out = &n->shape[i + 1];
	const double *x = real[l->in];

	switch (l->op) {
	case L_CONV: xr_conv(in, x, &l->conv, l->w, l->bias, out, y); break;
	case L_FC: xr_fc(in, x, &l->fc, l->w, l->bias, out, y); break;
	case L_MAXPOOL: xr_maxpool(in, x, &l->pool, out, y); break;
	case L_AVGPOOL: xr_avgpool(in, x, &l->pool, out, y); break;
	case L_GLOBAL_AVGPOOL: xr_global_avgpool(in, x, y); break;
	case L_ADD: xr_add(elems(out), x, real[l->in2], y); break;
	case L_FLATTEN: memcpy(y, x, elems(out) * sizeof(double)); break;
	case L_CONCAT: xr_concat(elems(in), x, elems(&n->shape[l->in2]), real[l->in2], y); break;
	case L_CLIP: xr_concat(elems(in), x, 0, NULL, y); break;
	}
}

/* Ops whose output exponent the model chooses (the others keep their input's). */
static int chooses_exp(enum layer_op op)
{
	return op == L_CONV || op == L_FC || op == L_ADD || op == L_CONCAT || op == L_CLIP;
}

/*
 * The calibrated exponent's allowed range: the requantisation shift range
 * from the accumulator (conv, fc, add), or within SA_ADD_MAX_EXP_DIFF of
 * each input (concat, clip, which have no accumulator).
 */
static void exp_range(const struct net *n, const struct layer *l, int *lo, int *hi)
{
	int ea = n->shape[l->in].exp, eb = l->op == L_CLIP ? ea : n->shape[l->in2].exp;
	int acc_exp = l->op == L_CONV ? ea + l->conv.weight_base
		      : l->op == L_FC ? ea + l->fc.weight_base
		      : ea < eb	      ? ea
				      : eb;

	if (l->op == L_CONCAT || l->op == L_CLIP) {
		*lo = (ea > eb ? ea : eb) - SA_ADD_MAX_EXP_DIFF;
		*hi = acc_exp + SA_ADD_MAX_EXP_DIFF;
	} else {
		*lo = acc_exp + SA_REQUANT_SHIFT_MIN;
		*hi = acc_exp + SA_REQUANT_SHIFT_MAX;
	}
	*lo = *lo < SA_EXP_MIN ? SA_EXP_MIN : *lo;
	*hi = *hi > SA_EXP_MAX ? SA_EXP_MAX : *hi;
}

/*
 * The integer path, layer by layer with the exact relation.  real[t] holds
 * the dequantised values of tensor t (real[0] = the input, already
 * quantised); q_out receives the output tensor's integers.  With
 * `calibrate`, each conv/fc/add output exponent is first raised as far as
 * needed for the largest value to fit (what a trainer's calibration does);
 * calibrating on several inputs in turn covers the largest of them.
 */
static void reference_int(struct net *n, double **real, int calibrate, int32_t *q_out)
{
	double y[MAX_ELEMS];

	for (int i = 0; i < n->num_layers; i++) {
		const struct layer *l = &n->l[i];
		struct sa_shape *out = &n->shape[i + 1];
		size_t ne = elems(out);

		layer_real(n, i, real, y);
		if (!chooses_exp(l->op)) {
			/* Pooling and flatten keep their input's scale. */
			out->exp = n->shape[l->in].exp;
		} else if (calibrate) {
			double m = 0, full = l->out_dtype == SA_DTYPE_I8 ? 127 : 32767;
			int e, lo, hi;

			for (size_t j = 0; j < ne; j++)
				m = fabs(y[j]) > m ? fabs(y[j]) : m;
			e = m > 0 ? (int)ceil(log2(m / full)) : 0;
			exp_range(n, l, &lo, &hi);
			e = e < lo ? lo : e > hi ? hi : e;
			if (calibrate == 1 || e > out->exp)
				out->exp = (int8_t)e;
		}
		for (size_t j = 0; j < ne; j++) {
			int32_t q = xr_expect(y[j], out->dtype, (uint8_t)layer_act(l), out->exp);

			real[i + 1][j] = ldexp(q, out->exp);
			if (i + 1 == n->num_layers)
				q_out[j] = q;
		}
	}
}

/* The float definition of the whole net: no rounding, only ReLU/ReLU6. */
static void reference_float(const struct net *n, double **real, double *out)
{
	for (int i = 0; i < n->num_layers; i++) {
		size_t ne = elems(&n->shape[i + 1]);

		layer_real(n, i, real, real[i + 1]);
		for (size_t j = 0; j < ne; j++)
			real[i + 1][j] = xr_act(real[i + 1][j], (uint8_t)layer_act(&n->l[i]));
	}
	memcpy(out, real[n->num_layers], elems(&n->shape[n->num_layers]) * sizeof(double));
}

static double **alloc_reals(void)
{
	double **real = malloc((MAX_LAYERS + 1) * sizeof(double *));

	for (int t = 0; t <= MAX_LAYERS; t++)
		real[t] = calloc(MAX_ELEMS, sizeof(double));
	return real;
}

static void free_reals(double **real)
{
	for (int t = 0; t <= MAX_LAYERS; t++)
		free(real[t]);
	free(real);
}

static void random_input(const struct net *n, float *x)
{
	for (size_t i = 0; i < elems(&n->input); i++)
		x[i] = (float)rng_uniform(-2.5, 2.5);
}

/* The input as the integer path sees it: exact relation quantisation. */
static void quantised_input(const struct net *n, const float *x, double *real, void *q)
{
	for (size_t i = 0; i < elems(&n->input); i++) {
		int32_t v = xr_expect(x[i], n->input.dtype, SA_ACT_NONE, n->input.exp);

		real[i] = ldexp(v, n->input.exp);
		if (q && n->input.dtype == SA_DTYPE_I8)
			((int8_t *)q)[i] = (int8_t)v;
		else if (q)
			((int16_t *)q)[i] = (int16_t)v;
	}
}

/* Calibrates the exponents on a few inputs, then writes and opens the model. */
static int build_net(struct net *n)
{
	uint32_t tid[MAX_LAYERS + 1];
	double **real;
	int32_t q[MAX_ELEMS];
	float x[MAX_ELEMS];
	sa_builder *b = NULL;
	void *data = NULL;
	size_t size = 0;
	sa_status st;

	n->shape[0] = n->input;
	for (int i = 0; i < n->num_layers; i++) {
		if (!layer_shape(n, i))
			return 0;
	}
	real = alloc_reals();
	for (int run = 0; run < CALIBRATION_RUNS; run++) {
		random_input(n, x);
		quantised_input(n, x, real[0], NULL);
		reference_int(n, real, run == 0 ? 1 : 2, q);
	}
	free_reals(real);

	st = sa_builder_create(&b);
	if (st == SA_OK)
		st = sa_builder_input(b, n->input.c, n->input.h, n->input.w, n->input.dtype,
				      n->input.exp, NULL, NULL, &tid[0]);
	for (int i = 0; i < n->num_layers && st == SA_OK; i++) {
		struct layer *l = &n->l[i];
		const struct sa_shape *out = &n->shape[i + 1];

		switch (l->op) {
		case L_CONV:
			st = sa_builder_conv(b, tid[l->in], &l->conv, l->w, l->bias, out->dtype,
					     out->exp, &tid[i + 1]);
			break;
		case L_FC:
			st = sa_builder_fc(b, tid[l->in], &l->fc, l->w, l->bias, out->dtype,
					   out->exp, &tid[i + 1]);
			break;
		case L_MAXPOOL:
			st = sa_builder_maxpool(b, tid[l->in], &l->pool, &tid[i + 1]);
			break;
		case L_AVGPOOL:
			st = sa_builder_avgpool(b, tid[l->in], &l->pool, &tid[i + 1]);
			break;
		case L_GLOBAL_AVGPOOL:
			st = sa_builder_global_avgpool(b, tid[l->in], &tid[i + 1]);
			break;
		case L_ADD:
			st = sa_builder_add(b, tid[l->in], tid[l->in2], &l->add, out->dtype,
					    out->exp, &tid[i + 1]);
			break;
		case L_FLATTEN: st = sa_builder_flatten(b, tid[l->in], &tid[i + 1]); break;
		case L_CONCAT:
			st = sa_builder_concat(b, tid[l->in], tid[l->in2], &l->concat, out->dtype,
					       out->exp, &tid[i + 1]);
			break;
		case L_CLIP:
			st = sa_builder_clip(b, tid[l->in], &l->clip, out->dtype, out->exp,
					     &tid[i + 1]);
			break;
		}
	}
	if (st == SA_OK)
		st = sa_builder_set_output(b, tid[n->num_layers]);
	if (st == SA_OK)
		st = sa_builder_write_memory(b, &data, &size);
	if (st == SA_OK)
		st = sa_model_open_memory(data, size, n->name, &n->model);
	sa_builder_destroy(b);
	free(data);
	if (st != SA_OK)
		fprintf(stderr, "  %s: building the model failed: %s: %s\n", n->name,
			sa_status_name(st), sa_last_error());
	return st == SA_OK;
}

static void free_net(struct net *n)
{
	for (int i = 0; i < n->num_layers; i++) {
		free(n->l[i].w);
		free(n->l[i].bias);
	}
	sa_model_close(n->model);
	n->model = NULL;
}

static void conv_layer(struct layer *l, int in, size_t in_c, uint32_t out_c, uint16_t k,
		       uint32_t groups, uint8_t bits, uint8_t act, int with_bias, uint8_t dtype)
{
	size_t icg = in_c / groups;

	l->op = L_CONV;
	l->in = in;
	l->conv.kernel_h = l->conv.kernel_w = k;
	l->conv.stride_h = l->conv.stride_w = 1;
	l->conv.dilation_h = l->conv.dilation_w = 1;
	l->conv.groups = groups;
	l->conv.out_channels = out_c;
	l->conv.weight_bits = bits;
	l->conv.act = act;
	l->conv.flags = with_bias ? SA_PARAM_HAS_BIAS : 0;
	l->out_dtype = dtype;
	random_weights(l, out_c * icg * k * k, icg * k * k, bits, &l->conv.weight_base, out_c,
		       l->conv.flags);
}

static void fc_layer(struct layer *l, int in, size_t fan_in, uint32_t out, uint8_t bits,
		     uint8_t act, uint8_t dtype)
{
	l->op = L_FC;
	l->in = in;
	l->fc.out_features = out;
	l->fc.weight_bits = bits;
	l->fc.act = act;
	l->fc.flags = SA_PARAM_HAS_BIAS;
	l->out_dtype = dtype;
	random_weights(l, fan_in * out, fan_in, bits, &l->fc.weight_base, out, l->fc.flags);
}

/* The same padding on all four sides of a convolution. */
static void pad_conv(struct layer *l, uint16_t pad)
{
	l->conv.pad_top = l->conv.pad_left = l->conv.pad_bottom = l->conv.pad_right = pad;
}

static void pool_layer(struct layer *l, enum layer_op op, int in, uint16_t k, uint16_t stride)
{
	l->op = op;
	l->in = in;
	l->pool.kernel_h = l->pool.kernel_w = k;
	l->pool.stride_h = l->pool.stride_w = stride;
}

/*
 * conv 3x3 (pad 1, ReLU, i8) -> maxpool 2 -> depthwise 3x3 (pad t1 l1 b1 r0,
 * ReLU6, i16) -> avgpool 2 -> flatten -> fc 10 (i16, bias).
 */
static void sequential_net(struct net *n)
{
	memset(n, 0, sizeof(*n));
	n->name = "sequential";
	n->input = (struct sa_shape){1, 12, 12, SA_DTYPE_I8, -5};
	n->num_layers = 6;
	conv_layer(&n->l[0], 0, 1, 4, 3, 1, 4, SA_ACT_RELU, 1, SA_DTYPE_I8);
	pad_conv(&n->l[0], 1);
	pool_layer(&n->l[1], L_MAXPOOL, 1, 2, 2);
	conv_layer(&n->l[2], 2, 4, 4, 3, 4, 3, SA_ACT_RELU6, 1, SA_DTYPE_I16);
	n->l[2].conv.pad_top = n->l[2].conv.pad_left = n->l[2].conv.pad_bottom = 1;
	pool_layer(&n->l[3], L_AVGPOOL, 3, 2, 2);
	n->l[4] = (struct layer){.op = L_FLATTEN, .in = 4};
	fc_layer(&n->l[5], 5, 4 * 3 * 2, 10, 5, SA_ACT_NONE, SA_DTYPE_I16);
}

/*
 * a = conv 3x3 (ReLU, i8); b = conv 3x3 dilation 2 (no act, i16) of a;
 * add(a, b) with ReLU (i8); grouped 1x1 conv stride 2; global avgpool; fc 5.
 */
static void residual_net(struct net *n)
{
	memset(n, 0, sizeof(*n));
	n->name = "residual";
	n->input = (struct sa_shape){3, 8, 8, SA_DTYPE_I16, -12};
	n->num_layers = 6;
	conv_layer(&n->l[0], 0, 3, 8, 3, 1, 5, SA_ACT_RELU, 1, SA_DTYPE_I8);
	pad_conv(&n->l[0], 1);
	conv_layer(&n->l[1], 1, 8, 8, 3, 1, 4, SA_ACT_NONE, 0, SA_DTYPE_I16);
	n->l[1].conv.dilation_h = n->l[1].conv.dilation_w = 2;
	pad_conv(&n->l[1], 2);
	n->l[2] = (struct layer){.op = L_ADD, .in = 1, .in2 = 2, .out_dtype = SA_DTYPE_I8};
	n->l[2].add.act = SA_ACT_RELU;
	conv_layer(&n->l[3], 3, 8, 16, 1, 2, 5, SA_ACT_RELU, 1, SA_DTYPE_I16);
	n->l[3].conv.stride_h = n->l[3].conv.stride_w = 2;
	n->l[4] = (struct layer){.op = L_GLOBAL_AVGPOOL, .in = 4};
	fc_layer(&n->l[5], 5, 16, 5, 5, SA_ACT_NONE, SA_DTYPE_I16);
}

/*
 * The ops ImageNet networks add (format 1.1), as in an Inception/DenseNet
 * block ending like MobileNetV2's classifier:
 *   a = conv 3x3 (ReLU, i8) and b = conv 1x1 (ReLU6, i16) of the input;
 *   c = concat(a, b) (i8); d = conv 3x3 stride 2 of c (i16); e = clip ReLU6 of d (i8);
 *   f = avgpool 3x3 stride 2 pad 1 of c (area 9); g = concat(e, f) with ReLU (i16);
 *   global average pool over 7x7 (area 49); flatten; fc 6.
 */
static void concat_net(struct net *n)
{
	memset(n, 0, sizeof(*n));
	n->name = "concat";
	n->input = (struct sa_shape){3, 14, 14, SA_DTYPE_I8, -5};
	n->num_layers = 10;
	conv_layer(&n->l[0], 0, 3, 4, 3, 1, 4, SA_ACT_RELU, 1, SA_DTYPE_I8);
	pad_conv(&n->l[0], 1);
	conv_layer(&n->l[1], 0, 3, 3, 1, 1, 5, SA_ACT_RELU6, 1, SA_DTYPE_I16);
	n->l[2] = (struct layer){.op = L_CONCAT, .in = 1, .in2 = 2, .out_dtype = SA_DTYPE_I8};
	conv_layer(&n->l[3], 3, 7, 5, 3, 1, 4, SA_ACT_NONE, 1, SA_DTYPE_I16);
	pad_conv(&n->l[3], 1);
	n->l[3].conv.stride_h = n->l[3].conv.stride_w = 2;
	n->l[4] = (struct layer){.op = L_CLIP, .in = 4, .out_dtype = SA_DTYPE_I8};
	n->l[4].clip.act = SA_ACT_RELU6;
	pool_layer(&n->l[5], L_AVGPOOL, 3, 3, 2);
	n->l[5].pool.pad_top = n->l[5].pool.pad_left = 1;
	n->l[5].pool.pad_bottom = n->l[5].pool.pad_right = 1;
	n->l[6] = (struct layer){.op = L_CONCAT, .in = 5, .in2 = 6, .out_dtype = SA_DTYPE_I16};
	n->l[6].concat.act = SA_ACT_RELU;
	n->l[7] = (struct layer){.op = L_GLOBAL_AVGPOOL, .in = 7};
	n->l[8] = (struct layer){.op = L_FLATTEN, .in = 8};
	fc_layer(&n->l[9], 9, 12, 6, 5, SA_ACT_NONE, SA_DTYPE_I16);
}

/* ------------------------------------------------------- model-level tests */

/* Integer path == layer-by-layer exact relation, through both run interfaces. */
static int check_integer_path(struct net *n)
{
	size_t n_out = elems(&n->shape[n->num_layers]);
	const struct sa_shape *os = &n->shape[n->num_layers];
	double **real = alloc_reals();
	int16_t q_in[MAX_ELEMS], q_out[MAX_ELEMS];
	int32_t want[MAX_ELEMS], first[MAX_ELEMS];
	float x[MAX_ELEMS], y[MAX_ELEMS];
	sa_session *s = NULL;
	int ok = 1, nonzero = 0, changed = 0;

	if (sa_session_create(n->model, SA_DEVICE_CPU, &s) != SA_OK) {
		fprintf(stderr, "  %s: %s\n", n->name, sa_last_error());
		free_reals(real);
		return 0;
	}
	for (int run = 0; run < RUNS_PER_MODEL && ok; run++) {
		random_input(n, x);
		quantised_input(n, x, real[0], q_in);
		reference_int(n, real, 0, want);
		ok = sa_session_run_quantized(s, q_in, q_out) == SA_OK &&
		     sa_session_run(s, x, y) == SA_OK;
		for (size_t j = 0; ok && j < n_out; j++) {
			int32_t got = os->dtype == SA_DTYPE_I8 ? ((int8_t *)q_out)[j] : q_out[j];

			nonzero += got != 0;
			if (run == 0)
				first[j] = got;
			changed += got != first[j];
			if (got != want[j] || y[j] != (float)ldexp(want[j], os->exp)) {
				fprintf(stderr,
					"  %s run %d: output %zu is %d (run: %g), expected %d\n",
					n->name, run, j, got, (double)y[j], want[j]);
				ok = 0;
			}
		}
	}
	sa_session_destroy(s);
	free_reals(real);
	/* Outputs that are all zero or do not depend on the input would prove nothing. */
	if (ok && (nonzero < RUNS_PER_MODEL * (int)n_out / 2 ||
		   changed < (RUNS_PER_MODEL - 1) * (int)n_out / 2)) {
		fprintf(stderr,
			"  %s: degenerate model: %d non-zero outputs, %d changed with the input\n",
			n->name, nonzero, changed);
		ok = 0;
	}
	return ok;
}

/* Float path == float definition; integer path close to it. */
static int check_float_path(struct net *n)
{
	size_t n_out = elems(&n->shape[n->num_layers]);
	double **real = alloc_reals();
	double want[MAX_ELEMS], worst_float = 0, worst_quant = 0;
	float x[MAX_ELEMS], y_float[MAX_ELEMS], y_int[MAX_ELEMS];
	sa_session *sf = NULL, *si = NULL;
	int ok = 1;

	if (sa_session_create(n->model, SA_DEVICE_CPU_FLOAT, &sf) != SA_OK ||
	    sa_session_create(n->model, SA_DEVICE_CPU, &si) != SA_OK) {
		fprintf(stderr, "  %s: %s\n", n->name, sa_last_error());
		ok = 0;
	}
	if (ok && sa_session_device(sf) != SA_DEVICE_CPU_FLOAT) {
		fprintf(stderr, "  %s: the float session runs on device %d\n", n->name,
			(int)sa_session_device(sf));
		ok = 0;
	}
	for (int run = 0; run < RUNS_PER_MODEL && ok; run++) {
		double scale = 0;

		random_input(n, x);
		for (size_t i = 0; i < elems(&n->input); i++)
			real[0][i] = x[i];
		reference_float(n, real, want);
		ok = sa_session_run(sf, x, y_float) == SA_OK &&
		     sa_session_run(si, x, y_int) == SA_OK;
		for (size_t j = 0; j < n_out; j++)
			scale = fabs(want[j]) > scale ? fabs(want[j]) : scale;
		for (size_t j = 0; ok && j < n_out; j++) {
			double df = fabs(y_float[j] - want[j]) / scale;
			double dq = fabs(y_int[j] - want[j]) / scale;

			worst_float = df > worst_float ? df : worst_float;
			worst_quant = dq > worst_quant ? dq : worst_quant;
		}
	}
	sa_session_destroy(sf);
	sa_session_destroy(si);
	free_reals(real);
	fprintf(stderr,
		"  %s: float path within %.2g, integer path within %.2g of the largest output\n",
		n->name, worst_float, worst_quant);
	return ok && worst_float <= FLOAT_PATH_TOLERANCE && worst_quant <= QUANTISATION_TOLERANCE;
}

/* Builds the net `make` describes and runs `check` on it; 1 if both succeed. */
static int net_passes(void (*make)(struct net *), int (*check)(struct net *))
{
	struct net n;

	make(&n);
	int ok = build_net(&n) && check(&n);
	free_net(&n);
	return ok;
}

TEST(sequential_integer_path_is_exact)
{
	CHECK(net_passes(sequential_net, check_integer_path));
}

TEST(residual_integer_path_is_exact)
{
	CHECK(net_passes(residual_net, check_integer_path));
}

TEST(concat_clip_avgpool_integer_path_is_exact)
{
	CHECK(net_passes(concat_net, check_integer_path));
}

TEST(concat_clip_avgpool_float_path_matches_float_definition)
{
	CHECK(net_passes(concat_net, check_float_path));
}

TEST(sequential_float_path_matches_float_definition)
{
	CHECK(net_passes(sequential_net, check_float_path));
}

TEST(residual_float_path_matches_float_definition)
{
	CHECK(net_passes(residual_net, check_float_path));
}

/* run() is quantise -> run_quantized() -> dequantise, with the library's own helpers. */
TEST(run_equals_quantize_run_quantized_dequantize)
{
	struct net n;
	float x[MAX_ELEMS], y[MAX_ELEMS], y2[MAX_ELEMS];
	int16_t q_in[MAX_ELEMS], q_out[MAX_ELEMS];
	sa_session *s = NULL;
	int ok;

	residual_net(&n);
	ok = build_net(&n) && sa_session_create(n.model, SA_DEVICE_CPU, &s) == SA_OK;
	for (int run = 0; run < 5 && ok; run++) {
		const struct sa_shape *is = &n.shape[0], *os = &n.shape[n.num_layers];

		random_input(&n, x);
		sa_quantize_input(x, elems(is), is->dtype, is->exp, q_in);
		ok = sa_session_run_quantized(s, q_in, q_out) == SA_OK &&
		     sa_session_run(s, x, y) == SA_OK;
		sa_dequantize(q_out, elems(os), os->dtype, os->exp, y2);
		ok = ok && memcmp(y, y2, elems(os) * sizeof(float)) == 0;
	}
	sa_session_destroy(s);
	free_net(&n);
	CHECK(ok);
}

TEST(session_argument_errors)
{
	struct net n;
	float x[MAX_ELEMS], y[MAX_ELEMS];
	int16_t q[MAX_ELEMS];
	sa_session *s = NULL, *sf = NULL;
	sa_status st_nan, st_null, st_float_q, st_kind;

	sequential_net(&n);
	int built = build_net(&n);
	if (built) {
		sa_session_create(n.model, SA_DEVICE_CPU, &s);
		sa_session_create(n.model, SA_DEVICE_CPU_FLOAT, &sf);
	}
	random_input(&n, x);
	x[7] = NAN;
	st_nan = s ? sa_session_run(s, x, y) : SA_OK;
	st_null = sa_session_run(s, NULL, y);
	memset(q, 0, sizeof(q));
	st_float_q = sf ? sa_session_run_quantized(sf, q, q) : SA_OK;
	st_kind = built ? sa_session_create(n.model, (sa_device_kind)7, &s) : SA_OK;
	sa_session_destroy(s);
	sa_session_destroy(sf);
	free_net(&n);
	CHECK(built && s && sf);
	CHECK_EQ_INT(st_nan, SA_ERR_INVALID_ARGUMENT);
	CHECK_EQ_INT(st_null, SA_ERR_INVALID_ARGUMENT);
	CHECK_EQ_INT(st_float_q, SA_ERR_UNSUPPORTED);
	CHECK_EQ_INT(st_kind, SA_ERR_INVALID_ARGUMENT);
	CHECK_EQ_INT(sa_session_create(NULL, SA_DEVICE_CPU, &s), SA_ERR_INVALID_ARGUMENT);
	CHECK_STR_CONTAINS(sa_last_error(), "must not be NULL");
}

/* ---------------------------------------------------------- host helpers */

TEST(quantize_dequantize_round_trip)
{
	int8_t q8[256], r8[256];
	int16_t q16[4096], r16[4096];
	float x[4096], y[4096];

	/* Every int8 value and a spread of int16 values survive dequantise -> quantise. */
	for (int e = SA_EXP_MIN; e <= SA_EXP_MAX; e += 6) {
		for (int i = 0; i < 256; i++)
			q8[i] = (int8_t)(i - 128);
		sa_dequantize(q8, 256, SA_DTYPE_I8, e, x);
		sa_quantize_input(x, 256, SA_DTYPE_I8, e, r8);
		CHECK(memcmp(q8, r8, sizeof(q8)) == 0);
		for (int i = 0; i < 4096; i++)
			q16[i] = (int16_t)(i * 16 - 32768 + (i % 16));
		sa_dequantize(q16, 4096, SA_DTYPE_I16, e, x);
		CHECK(x[0] == (float)ldexp(-32768, e));
		sa_quantize_input(x, 4096, SA_DTYPE_I16, e, r16);
		CHECK(memcmp(q16, r16, sizeof(q16)) == 0);
	}
	/* Rounding half toward +inf, saturation, NaN -> 0, at exp -2 (LSB 0.25). */
	const float in[10] = {0.125f,  -0.125f, 0.375f,	 -0.375f,  0.1f,
			      31.875f, 100.0f,	-100.0f, INFINITY, NAN};
	const int8_t want[10] = {1, 0, 2, -1, 0, 127, 127, -128, 127, 0};
	sa_quantize_input(in, 10, SA_DTYPE_I8, -2, r8);
	for (int i = 0; i < 10; i++)
		CHECK_EQ_INT(r8[i], want[i]);
	/* Random reals inside the range come back within half an LSB. */
	for (int i = 0; i < 4096; i++)
		x[i] = (float)rng_uniform(-8.0, 8.0);
	sa_quantize_input(x, 4096, SA_DTYPE_I16, -10, q16);
	sa_dequantize(q16, 4096, SA_DTYPE_I16, -10, y);
	for (int i = 0; i < 4096; i++)
		CHECK(fabs((double)y[i] - x[i]) <= ldexp(1.0, -11));
}

TEST(softmax_is_stable_and_normalised)
{
	const float logits[4] = {1.0f, 2.0f, 3.0f, 4.0f};
	const float huge[3] = {1000.0f, 1001.0f, -1000.0f};
	const float equal[5] = {-7.5f, -7.5f, -7.5f, -7.5f, -7.5f};
	float p[5];
	double sum = 0, denom = 0;

	sa_softmax(logits, 4, p);
	for (int i = 0; i < 4; i++)
		denom += exp(logits[i]);
	for (int i = 0; i < 4; i++) {
		CHECK(fabs(p[i] - exp(logits[i]) / denom) < 1e-7);
		sum += p[i];
	}
	CHECK(fabs(sum - 1.0) < 1e-6);
	CHECK(p[0] < p[1] && p[1] < p[2] && p[2] < p[3]);
	/* exp(1000) overflows; the max-subtracted form does not. */
	sa_softmax(huge, 3, p);
	CHECK(fabs(p[0] - 1.0 / (1.0 + exp(1.0))) < 1e-7);
	CHECK(fabs(p[1] - exp(1.0) / (1.0 + exp(1.0))) < 1e-7);
	CHECK(p[2] == 0.0f);
	sa_softmax(equal, 5, p);
	for (int i = 0; i < 5; i++)
		CHECK(fabs(p[i] - 0.2) < 1e-7);
}

TEST(topk_orders_and_breaks_ties_by_index)
{
	const float v[8] = {0.5f, 2.0f, -1.0f, 2.0f, 7.0f, 0.5f, 2.0f, NAN};
	uint32_t idx[8];

	sa_topk(v, 8, 5, idx);
	CHECK(idx[0] == 4 && idx[1] == 1 && idx[2] == 3 && idx[3] == 6 && idx[4] == 0);
	sa_topk(v, 8, 1, idx);
	CHECK_EQ_INT(idx[0], 4);
	/* All of them: NaN ranks last. */
	sa_topk(v, 8, 8, idx);
	const uint32_t all[8] = {4, 1, 3, 6, 0, 5, 2, 7};
	for (int i = 0; i < 8; i++)
		CHECK_EQ_INT(idx[i], all[i]);
	/* k larger than n fills n entries and leaves the rest alone. */
	uint32_t few[4] = {99, 99, 99, 99};
	sa_topk(v, 2, 4, few);
	CHECK(few[0] == 1 && few[1] == 0 && few[2] == 99 && few[3] == 99);
}

/* ------------------------------------------------------- device selection */

TEST(accel_without_card_fails_with_reason)
{
	struct net n;
	char addr[64];
	sa_session *s = NULL;
	sa_status probe, st;
	char msg[512];

	probe = sa_accel_probe("", addr, sizeof(addr));
	sequential_net(&n);
	int built = build_net(&n);
	st = built ? sa_session_create(n.model, SA_DEVICE_ACCEL, &s) : SA_OK;
	snprintf(msg, sizeof(msg), "%s", sa_last_error());
	free_net(&n);
	CHECK(built);
	CHECK(s == NULL);
	if (probe == SA_OK) {
		/* A machine with a card: this build still has no accel backend. */
		CHECK_EQ_INT(st, SA_ERR_UNSUPPORTED);
		CHECK_STR_CONTAINS(msg, "has no accel backend");
	} else {
		CHECK_EQ_INT(st, SA_ERR_NO_DEVICE);
		CHECK_STR_CONTAINS(msg, "ShiftAccel card");
	}
	fprintf(stderr, "  SA_DEVICE_ACCEL: %s\n", msg);
}

TEST(auto_falls_back_to_cpu_with_reason)
{
	struct net n;
	sa_session *s = NULL;
	char reason[512] = "";
	sa_status st, run = SA_ERR_DEVICE;

	sequential_net(&n);
	int built = build_net(&n);
	st = built ? sa_session_create(n.model, SA_DEVICE_AUTO, &s) : SA_ERR_BAD_MODEL;
	if (st == SA_OK) {
		float x[MAX_ELEMS], y[MAX_ELEMS];

		snprintf(reason, sizeof(reason), "%s", sa_session_fallback_reason(s));
		random_input(&n, x);
		run = sa_session_run(s, x, y);
	}
	sa_device_kind kind = s ? sa_session_device(s) : SA_DEVICE_AUTO;
	sa_session_destroy(s);
	free_net(&n);
	CHECK_EQ_INT(st, SA_OK);
	CHECK_EQ_INT(kind, SA_DEVICE_CPU);
	CHECK_EQ_INT(run, SA_OK);
	CHECK_STR_CONTAINS(reason, "ShiftAccel card");
}

TEST(cpu_session_has_no_fallback_reason)
{
	struct net n;
	sa_session *s = NULL;

	sequential_net(&n);
	int ok = build_net(&n) && sa_session_create(n.model, SA_DEVICE_CPU, &s) == SA_OK;
	const char *reason = ok ? sa_session_fallback_reason(s) : "x";
	int empty = reason[0] == '\0';
	sa_device_kind kind = ok ? sa_session_device(s) : SA_DEVICE_AUTO;
	sa_session_destroy(s);
	free_net(&n);
	CHECK(ok);
	CHECK(empty);
	CHECK_EQ_INT(kind, SA_DEVICE_CPU);
}

/* A fake sysfs tree under a temporary directory. */
static char fake_root[64];

static int put_file(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fake_root, rel);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int make_dir(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", fake_root, rel);
	return mkdir(path, 0755);
}

static int make_link(const char *target, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", fake_root, rel);
	return symlink(target, path);
}

static void remove_tree(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fake_root);
	if (system(cmd) != 0)
		fprintf(stderr, "  could not remove %s\n", fake_root);
}

/* The probe names each reason a card is unusable, then finds a good one. */
TEST(accel_probe_reasons_on_fake_sysfs)
{
	char addr[64] = "", msg[6][512];
	sa_status st[6];
	int setup = 0;

	snprintf(fake_root, sizeof(fake_root), "/tmp/sa_sysfs_XXXXXX");
	CHECK(mkdtemp(fake_root) != NULL);
	/* 0: no sysfs at all. */
	st[0] = sa_accel_probe(fake_root, addr, sizeof(addr));
	snprintf(msg[0], sizeof(msg[0]), "%s", sa_last_error());
	/* 1: a PCI bus with another device, no accel class. */
	setup |= make_dir("sys") | make_dir("sys/bus") | make_dir("sys/bus/pci") |
		 make_dir("sys/bus/pci/devices") | make_dir("sys/bus/pci/devices/0000:00:01.0") |
		 put_file("sys/bus/pci/devices/0000:00:01.0/vendor", "0x8086\n") |
		 put_file("sys/bus/pci/devices/0000:00:01.0/device", "0x7000\n");
	st[1] = sa_accel_probe(fake_root, addr, sizeof(addr));
	snprintf(msg[1], sizeof(msg[1]), "%s", sa_last_error());
	/* 2: the card, no driver. */
	setup |= make_dir("sys/bus/pci/devices/0000:00:04.0") |
		 put_file("sys/bus/pci/devices/0000:00:04.0/vendor", "0x1234\n") |
		 put_file("sys/bus/pci/devices/0000:00:04.0/device", "0x5a11\n");
	st[2] = sa_accel_probe(fake_root, addr, sizeof(addr));
	snprintf(msg[2], sizeof(msg[2]), "%s", sa_last_error());
	/* 3: bound to another driver. */
	setup |= make_link("../../../bus/pci/drivers/vfio-pci",
			   "sys/bus/pci/devices/0000:00:04.0/driver");
	st[3] = sa_accel_probe(fake_root, addr, sizeof(addr));
	snprintf(msg[3], sizeof(msg[3]), "%s", sa_last_error());
	/* 4: bound to shiftaccel, but no accel device registered. */
	char link[256];
	snprintf(link, sizeof(link), "%s/sys/bus/pci/devices/0000:00:04.0/driver", fake_root);
	setup |= unlink(link) | make_link("../../../bus/pci/drivers/shiftaccel",
					  "sys/bus/pci/devices/0000:00:04.0/driver");
	st[4] = sa_accel_probe(fake_root, addr, sizeof(addr));
	snprintf(msg[4], sizeof(msg[4]), "%s", sa_last_error());
	/* 5: the accel device exists (under its PCI device, as the kernel lays it out): found. */
	setup |= make_dir("sys/class") | make_dir("sys/class/accel") |
		 make_dir("sys/class/accel/accel0") |
		 make_link("../../../bus/pci/devices/0000:00:04.0",
			   "sys/class/accel/accel0/device") |
		 make_dir("sys/bus/pci/devices/0000:00:04.0/accel") |
		 make_dir("sys/bus/pci/devices/0000:00:04.0/accel/accel0");
	st[5] = sa_accel_probe(fake_root, addr, sizeof(addr));
	snprintf(msg[5], sizeof(msg[5]), "%s", addr);
	remove_tree();

	CHECK_EQ_INT(setup, 0);
	CHECK_EQ_INT(st[0], SA_ERR_NO_DEVICE);
	CHECK_STR_CONTAINS(msg[0], "cannot list PCI devices");
	CHECK_EQ_INT(st[1], SA_ERR_NO_DEVICE);
	CHECK_STR_CONTAINS(msg[1], "/sys/class/accel does not exist");
	CHECK_STR_CONTAINS(msg[1], "1234:5a11");
	CHECK_EQ_INT(st[2], SA_ERR_NO_DEVICE);
	CHECK_STR_CONTAINS(msg[2], "card found at 0000:00:04.0 but no driver is bound");
	CHECK_EQ_INT(st[3], SA_ERR_NO_DEVICE);
	CHECK_STR_CONTAINS(msg[3], "bound to driver \"vfio-pci\"");
	CHECK_EQ_INT(st[4], SA_ERR_NO_DEVICE);
	CHECK_STR_CONTAINS(msg[4], "has no accel device");
	CHECK_EQ_INT(st[5], SA_OK);
	CHECK_STR_CONTAINS(msg[5], "0000:00:04.0");
}

/* A fake PCI function with the ShiftAccel IDs, bound to driver (NULL: none), with accel device
 * accel (NULL: none). */
static int fake_card(const char *addr, const char *driver, const char *accel)
{
	char rel[160], target[160];
	int r;

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s", addr);
	r = make_dir(rel);
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/vendor", addr);
	r |= put_file(rel, "0x1234\n");
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/device", addr);
	r |= put_file(rel, "0x5a11\n");
	if (driver) {
		snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver", addr);
		snprintf(target, sizeof(target), "../../../bus/pci/drivers/%s", driver);
		r |= make_link(target, rel);
	}
	if (accel) {
		snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/accel", addr);
		r |= make_dir(rel);
		snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/accel/%s", addr, accel);
		r |= make_dir(rel);
	}
	return r;
}

/*
 * The card list is in PCI address order whatever the directory order and the
 * accel minor numbers, counts every ShiftAccel function (bound or not), and
 * keeps the lowest addresses when the caller's array is short.
 */
TEST(drm_cards_in_pci_address_order)
{
	struct sa_drm_card cards[4];
	int setup, n, n_short;

	snprintf(fake_root, sizeof(fake_root), "/tmp/sa_sysfs_XXXXXX");
	CHECK(mkdtemp(fake_root) != NULL);
	setup = make_dir("sys") | make_dir("sys/bus") | make_dir("sys/bus/pci") |
		make_dir("sys/bus/pci/devices") |
		fake_card("0000:00:05.0", "shiftaccel", "accel0") |
		fake_card("0000:00:03.0", NULL, NULL) |
		fake_card("0000:01:00.0", "vfio-pci", NULL) |
		fake_card("0000:00:04.0", "shiftaccel", "accel1") |
		make_dir("sys/bus/pci/devices/0000:00:02.0") |
		put_file("sys/bus/pci/devices/0000:00:02.0/vendor", "0x8086\n") |
		put_file("sys/bus/pci/devices/0000:00:02.0/device", "0x7000\n");
	n = sa_drm_cards(fake_root, cards, 4);
	CHECK_EQ_INT(setup, 0);
	CHECK_EQ_INT(n, 4);
	CHECK(strcmp(cards[0].pci_addr, "0000:00:03.0") == 0 && !cards[0].driver[0] &&
	      !cards[0].node[0]);
	CHECK(strcmp(cards[1].pci_addr, "0000:00:04.0") == 0 &&
	      strcmp(cards[1].node, "/dev/accel/accel1") == 0);
	CHECK(strcmp(cards[2].pci_addr, "0000:00:05.0") == 0 &&
	      strcmp(cards[2].node, "/dev/accel/accel0") == 0);
	CHECK(strcmp(cards[3].pci_addr, "0000:01:00.0") == 0 &&
	      strcmp(cards[3].driver, "vfio-pci") == 0 && !cards[3].node[0]);
	memset(cards, 0, sizeof(cards));
	n_short = sa_drm_cards(fake_root, cards, 2);
	remove_tree();
	CHECK_EQ_INT(n_short, 4);
	CHECK(strcmp(cards[0].pci_addr, "0000:00:03.0") == 0);
	CHECK(strcmp(cards[1].pci_addr, "0000:00:04.0") == 0);
	CHECK(!cards[2].pci_addr[0]);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(sequential_integer_path_is_exact);
	RUN(residual_integer_path_is_exact);
	RUN(sequential_float_path_matches_float_definition);
	RUN(residual_float_path_matches_float_definition);
	/* After the others, so that their random models stay what they were. */
	RUN(concat_clip_avgpool_integer_path_is_exact);
	RUN(concat_clip_avgpool_float_path_matches_float_definition);
	RUN(run_equals_quantize_run_quantized_dequantize);
	RUN(session_argument_errors);
	RUN(quantize_dequantize_round_trip);
	RUN(softmax_is_stable_and_normalised);
	RUN(topk_orders_and_breaks_ties_by_index);
	RUN(accel_without_card_fails_with_reason);
	RUN(auto_falls_back_to_cpu_with_reason);
	RUN(cpu_session_has_no_fallback_reason);
	RUN(accel_probe_reasons_on_fake_sysfs);
	RUN(drm_cards_in_pci_address_order);
	CHECK_MAIN_END();
}
