// SPDX-License-Identifier: MIT
/*
 * The fast conv/fc kernels of the CPU backend (libshiftaccel/src/cpu_fast.h)
 * against the reference kernels, byte for byte:
 *   - thousands of random conv and fc layers (shapes, int8/int16 in and
 *     out, strides, asymmetric and oversized padding, dilation, dense /
 *     grouped / depthwise, zero and maximal weights, biases over the whole
 *     int32 range, every activation and requantisation shift), on the
 *     portable and the AVX2 kernels; each case also checks that the fast
 *     kernel was offered exactly when the test's own int32 bound allows it;
 *   - layers built right at the bound, whose accumulators reach +-(2^31 - 1),
 *     and one step past it, where the reference kernel must be kept;
 *   - whole models through the CPU backend and sessions, with
 *     SHIFTACCEL_CPU_KERNELS unset, =portable and =reference.
 * Random cases use a seeded xorshift generator; a failure prints the case.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shiftaccel.h"
#include "../../libshiftaccel/kernels/sa_kernels.h"
#include "../../libshiftaccel/src/cpu_backend.h"
#include "../../libshiftaccel/src/cpu_fast.h"
#include "random_tensor.h"
#include "../check.h"

#define RANDOM_CONVS 5000
#define RANDOM_FCS 3000
#define MODEL_RUNS 40
#define ENV "SHIFTACCEL_CPU_KERNELS"

/* ----------------------------------------------------------- test layers */

/* Signed k codes of `bits`: some zeros, sometimes every weight maximal, sometimes small. */
static int8_t *random_weights(size_t n, unsigned bits)
{
	int8_t *w = malloc(n ? n : 1);
	int kmax = SA_WEIGHT_K_MAX(bits), mode = (int)rng_range(0, 9);

	if (mode == 1) /* small weights keep large layers inside the int32 bound */
		kmax = kmax < 3 ? kmax : 3;
	for (size_t i = 0; i < n; i++) {
		if (mode == 0)
			w[i] = (int8_t)(rng_percent(50) ? kmax : -kmax);
		else if (rng_percent(20))
			w[i] = 0;
		else
			w[i] = (int8_t)rng_range(-kmax, kmax);
	}
	return w;
}

/* No bias (NULL), a small one, one over the whole int32 range, or one near its ends. */
static int32_t *random_bias(size_t n, uint8_t *flags)
{
	int32_t *b;
	int mode = (int)rng_range(0, 9);

	*flags = 0;
	if (mode < 3)
		return NULL;
	*flags = SA_PARAM_HAS_BIAS;
	b = malloc(n * sizeof(*b));
	for (size_t i = 0; i < n; i++) {
		if (mode == 3)
			b[i] = (int32_t)rng_range(INT32_MIN, INT32_MAX);
		else if (mode <= 5)
			b[i] = (int32_t)(rng_percent(50) ? INT32_MIN + rng_range(0, 1 << 20)
							 : INT32_MAX - rng_range(0, 1 << 20));
		else
			b[i] = (int32_t)rng_range(-5000, 5000);
	}
	return b;
}

/*
 * The test's own statement of when int32 accumulation is exact: for every
 * output, |bias| + sum of max|x| * |weight value| < 2^31.  Also returns the
 * largest such bound, which sizes the requantisation shift.
 */
static int fits_int32(const int8_t *w, const int32_t *bias, size_t outputs, size_t fan_in,
		      uint8_t in_dtype, double *largest)
{
	double x_max = in_dtype == SA_DTYPE_I8 ? 128.0 : 32768.0;
	int fits = 1;

	*largest = 0;
	for (size_t o = 0; o < outputs; o++) {
		double bound = bias ? fabs((double)bias[o]) : 0;

		for (size_t i = 0; i < fan_in; i++) {
			int k = abs(w[o * fan_in + i]);

			bound += k ? x_max * (double)(1 << (k - 1)) : 0;
		}
		fits &= bound < 2147483648.0;
		*largest = bound > *largest ? bound : *largest;
	}
	return fits;
}

/*
 * exp_in, weight_base and exp_out, in range, with a requantisation shift
 * that maps about a quarter of the largest accumulator onto the output
 * range (so outputs vary and some saturate), and now and then any shift.
 */
static void pick_exps(double largest, uint8_t out_dtype, int8_t *exp_in, int8_t *base,
		      int8_t *exp_out)
{
	int r = largest > 0 ? (int)ceil(log2(largest / 4 / dtype_max(out_dtype))) : 0;

	r += (int)rng_range(-2, 2);
	if (rng_percent(10))
		r = (int)rng_range(SA_REQUANT_SHIFT_MIN, SA_REQUANT_SHIFT_MAX);
	r = r < SA_REQUANT_SHIFT_MIN ? SA_REQUANT_SHIFT_MIN : r;
	r = r > SA_REQUANT_SHIFT_MAX ? SA_REQUANT_SHIFT_MAX : r;
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

/* A layer case: shapes, parameters, data and what the fast path was expected to do. */
struct layer_case {
	int is_conv;
	struct sa_shape in, out;
	struct sa_conv_params conv;
	struct sa_fc_params fc;
	int8_t *w;
	int32_t *bias;
	void *x;
	int expect_fast;
};

static void free_case(struct layer_case *c)
{
	free(c->w);
	free(c->bias);
	free(c->x);
}

static void print_case(const char *what, unsigned i, uint64_t seed, const struct layer_case *c)
{
	fprintf(stderr, "  %s case %u (seed %llu): in %ux%ux%u %s exp %d -> out %ux%ux%u %s exp %d",
		what, i, (unsigned long long)seed, c->in.c, c->in.h, c->in.w,
		c->in.dtype == SA_DTYPE_I8 ? "i8" : "i16", c->in.exp, c->out.c, c->out.h, c->out.w,
		c->out.dtype == SA_DTYPE_I8 ? "i8" : "i16", c->out.exp);
	if (c->is_conv)
		fprintf(stderr,
			", k %ux%u stride %u,%u dil %u,%u pad t%u l%u b%u r%u groups %u bits %u "
			"base %d act %u bias %d\n",
			c->conv.kernel_h, c->conv.kernel_w, c->conv.stride_h, c->conv.stride_w,
			c->conv.dilation_h, c->conv.dilation_w, c->conv.pad_top, c->conv.pad_left,
			c->conv.pad_bottom, c->conv.pad_right, c->conv.groups, c->conv.weight_bits,
			c->conv.weight_base, c->conv.act, c->bias != NULL);
	else
		fprintf(stderr, ", fc bits %u base %d act %u bias %d\n", c->fc.weight_bits,
			c->fc.weight_base, c->fc.act, c->bias != NULL);
}

/*
 * Runs the case on the reference kernel and on the fast kernels of `isa`.
 * Returns 1 when the fast kernel was offered exactly when expected and, if
 * it was, its output bytes equal the reference's; *fast says whether it was.
 */
static int fast_matches_reference(const struct layer_case *c, enum sa_fast_isa isa, int *fast)
{
	size_t out_bytes = sa_shape_elems(&c->out) * dtype_size(c->out.dtype);
	unsigned char *ref = malloc(out_bytes), *got = malloc(out_bytes);
	struct sa_fast_layer *l = NULL;
	void *scratch;
	sa_status st;
	int ok = 1;

	if (c->is_conv) {
		sa_ref_conv(&c->in, c->x, &c->conv, c->w, c->bias, &c->out, ref);
		st = sa_fast_conv_create(&c->in, &c->conv, c->w, c->bias, &c->out, isa, &l);
	} else {
		sa_ref_fc(&c->in, c->x, &c->fc, c->w, c->bias, &c->out, ref);
		st = sa_fast_fc_create(&c->in, &c->fc, c->w, c->bias, &c->out, isa, &l);
	}
	*fast = l != NULL;
	if (st != SA_OK || *fast != c->expect_fast) {
		fprintf(stderr, "  create: %s, fast kernel %s, expected %s\n", sa_status_name(st),
			*fast ? "offered" : "declined", c->expect_fast ? "offered" : "declined");
		ok = 0;
	} else if (l) {
		/* Garbage in the scratch and output buffers must not matter. */
		scratch = malloc(sa_fast_scratch_bytes(l));
		memset(scratch, 0xa5, sa_fast_scratch_bytes(l));
		memset(got, 0x5a, out_bytes);
		sa_fast_run(l, c->x, got, scratch);
		for (size_t i = 0; i < out_bytes && ok; i++) {
			if (got[i] != ref[i]) {
				fprintf(stderr, "  output byte %zu: fast %u, reference %u\n", i,
					got[i], ref[i]);
				ok = 0;
			}
		}
		free(scratch);
	}
	sa_fast_destroy(l);
	free(ref);
	free(got);
	return ok;
}

/* Runs a case on both kernel sets; counts it as taking the fast path or not. */
static int check_case(const char *what, unsigned i, uint64_t seed, const struct layer_case *c,
		      unsigned *fast_cases)
{
	int fast = 0;

	for (int isa = SA_FAST_PORTABLE; isa <= SA_FAST_BEST; isa++) {
		if (!fast_matches_reference(c, (enum sa_fast_isa)isa, &fast)) {
			fprintf(stderr, "  (%s kernels)\n",
				isa == SA_FAST_PORTABLE ? "portable" : "best");
			print_case(what, i, seed, c);
			return 0;
		}
	}
	*fast_cases += (unsigned)fast;
	return 1;
}

/* A random valid convolution; most small, some large enough to need several im2col chunks. */
static void random_conv(struct layer_case *c)
{
	struct sa_conv_params *p = &c->conv;
	int large = rng_percent(5), mode = (int)rng_range(0, 2); /* dense, grouped, depthwise */
	uint32_t groups, icg, ocg;
	double largest;

	memset(c, 0, sizeof(*c));
	c->is_conv = 1;
	do {
		groups = mode == 0 ? 1 : (uint32_t)rng_range(2, 6);
		icg = mode == 2 ? 1 : (uint32_t)rng_range(1, large ? 12 : 5);
		ocg = mode == 2 ? 1 : (uint32_t)rng_range(1, large ? 24 : 9);
		if (mode == 1 && rng_percent(30))
			icg = 1; /* depthwise with a channel multiplier */
		p->kernel_h = (uint16_t)rng_range(1, 5);
		p->kernel_w = (uint16_t)rng_range(1, 5);
		p->stride_h = (uint16_t)rng_range(1, 3);
		p->stride_w = (uint16_t)rng_range(1, 3);
		p->dilation_h = (uint16_t)(rng_percent(70) ? 1 : rng_range(2, 3));
		p->dilation_w = (uint16_t)(rng_percent(70) ? 1 : rng_range(2, 3));
		/* Mostly smaller than the kernel; at times wider (windows of padding only). */
		p->pad_top = (uint16_t)rng_range(0, rng_percent(90) ? p->kernel_h - 1 : 6);
		p->pad_bottom = (uint16_t)rng_range(0, rng_percent(90) ? p->kernel_h - 1 : 6);
		p->pad_left = (uint16_t)rng_range(0, rng_percent(90) ? p->kernel_w - 1 : 6);
		p->pad_right = (uint16_t)rng_range(0, rng_percent(90) ? p->kernel_w - 1 : 6);
		p->groups = groups;
		p->out_channels = groups * ocg;
		p->weight_bits = (uint8_t)rng_range(SA_WEIGHT_BITS_MIN, SA_WEIGHT_BITS_MAX);
		p->act = (uint8_t)rng_range(SA_ACT_NONE, SA_ACT_RELU6);
		c->in.c = groups * icg;
		c->in.h = (uint32_t)rng_range(1, large ? 40 : 14);
		c->in.w = (uint32_t)rng_range(1, large ? 40 : 14);
		c->in.dtype = random_dtype();
		c->out.dtype = random_dtype();
	} while (sa_check_conv(&c->in, p, &c->out) != NULL);

	size_t fan_in = (size_t)icg * p->kernel_h * p->kernel_w;

	c->w = random_weights(p->out_channels * fan_in, p->weight_bits);
	c->bias = random_bias(p->out_channels, &p->flags);
	c->expect_fast = fits_int32(c->w, c->bias, p->out_channels, fan_in, c->in.dtype, &largest);
	pick_exps(largest, c->out.dtype, &c->in.exp, &p->weight_base, &c->out.exp);
	c->x = random_tensor(&c->in);
}

static void random_fc(struct layer_case *c)
{
	struct sa_fc_params *p = &c->fc;
	double largest;

	memset(c, 0, sizeof(*c));
	if (rng_percent(20)) /* a long vector, like a flattened feature map */
		c->in = (struct sa_shape){(uint32_t)rng_range(1, 3000), 1, 1, random_dtype(), 0};
	else
		c->in = (struct sa_shape){(uint32_t)rng_range(1, 8), (uint32_t)rng_range(1, 6),
					  (uint32_t)rng_range(1, 6), random_dtype(), 0};
	p->out_features = (uint32_t)rng_range(1, 40);
	p->weight_bits = (uint8_t)rng_range(SA_WEIGHT_BITS_MIN, SA_WEIGHT_BITS_MAX);
	p->act = (uint8_t)rng_range(SA_ACT_NONE, SA_ACT_RELU6);
	c->out.dtype = random_dtype();
	c->w = random_weights(p->out_features * sa_shape_elems(&c->in), p->weight_bits);
	c->bias = random_bias(p->out_features, &p->flags);
	c->expect_fast = fits_int32(c->w, c->bias, p->out_features, sa_shape_elems(&c->in),
				    c->in.dtype, &largest);
	pick_exps(largest, c->out.dtype, &c->in.exp, &p->weight_base, &c->out.exp);
	if (sa_check_fc(&c->in, p, &c->out) != NULL)
		fprintf(stderr, "  random_fc made an invalid layer: %s\n",
			sa_check_fc(&c->in, p, &c->out));
	c->x = random_tensor(&c->in);
}

/* At least a tenth of the random cases must take each path, or the test proves little. */
static int both_paths_seen(const char *what, unsigned fast, unsigned total)
{
	printf("  %s: %u of %u random layers on the fast path\n", what, fast, total);
	return fast >= total / 10 && total - fast >= total / 10;
}

TEST(random_convs_match_reference)
{
	unsigned fast = 0;

	for (unsigned i = 0; i < RANDOM_CONVS; i++) {
		uint64_t seed = 1000 + i;
		struct layer_case c;
		int ok;

		rng_seed(seed);
		random_conv(&c);
		ok = check_case("conv", i, seed, &c, &fast);
		free_case(&c);
		CHECK(ok);
	}
	CHECK(both_paths_seen("conv", fast, RANDOM_CONVS));
}

TEST(random_fcs_match_reference)
{
	unsigned fast = 0;

	for (unsigned i = 0; i < RANDOM_FCS; i++) {
		uint64_t seed = 900000 + i;
		struct layer_case c;
		int ok;

		rng_seed(seed);
		random_fc(&c);
		ok = check_case("fc", i, seed, &c, &fast);
		free_case(&c);
		CHECK(ok);
	}
	CHECK(both_paths_seen("fc", fast, RANDOM_FCS));
}

/* ------------------------------------------------------- the int32 bound */

/*
 * A layer whose every product is the largest of its input dtype (input at
 * its negative extreme, weights -2^14) and whose bias makes the bound
 * 2^31 - 1 + over: the accumulator reaches sign * (2^31 - 1 + over).
 * fan_in products of 2^29 (int16) or 2^21 (int8) must stay below 2^31.
 */
static void bound_case(struct layer_case *c, int is_conv, uint8_t in_dtype, size_t fan_in, int sign,
		       int64_t over)
{
	int64_t product = in_dtype == SA_DTYPE_I8 ? 128 << 14 : (int64_t)32768 << 14;
	int64_t bias = INT32_MAX - (int64_t)fan_in * product + over;

	memset(c, 0, sizeof(*c));
	c->is_conv = is_conv;
	c->in = (struct sa_shape){(uint32_t)fan_in, 1, 1, in_dtype, -7};
	c->out = (struct sa_shape){1, 1, 1, SA_DTYPE_I16, 10};
	if (is_conv) /* a 1x1 convolution over fan_in channels */
		c->conv = (struct sa_conv_params){.kernel_h = 1,
						  .kernel_w = 1,
						  .stride_h = 1,
						  .stride_w = 1,
						  .dilation_h = 1,
						  .dilation_w = 1,
						  .groups = 1,
						  .out_channels = 1,
						  .weight_bits = 5,
						  .weight_base = 0,
						  .flags = SA_PARAM_HAS_BIAS};
	else
		c->fc = (struct sa_fc_params){.out_features = 1,
					      .weight_bits = 5,
					      .weight_base = 0,
					      .flags = SA_PARAM_HAS_BIAS};
	/* r = 10 - (-7 + 0) = 17: 2^31 - 1 -> 16384, inside int16 */
	c->w = malloc(fan_in);
	memset(c->w, sign > 0 ? -15 : 15, fan_in); /* x < 0: -15 gives +2^29 / +2^21 */
	c->bias = malloc(sizeof(*c->bias));
	c->bias[0] = (int32_t)(sign * bias);
	c->x = random_tensor(&(struct sa_shape){(uint32_t)fan_in, 1, 1, in_dtype, 0});
	for (size_t i = 0; i < fan_in; i++) {
		if (in_dtype == SA_DTYPE_I8)
			((int8_t *)c->x)[i] = INT8_MIN;
		else
			((int16_t *)c->x)[i] = INT16_MIN;
	}
	c->expect_fast = over <= 0;
}

TEST(int32_bound_decides_the_path)
{
	/* int16: 3 products of 2^29; int8: 1023 products of 2^21. */
	static const struct {
		uint8_t dtype;
		size_t fan_in;
	} sizes[] = {{SA_DTYPE_I16, 3}, {SA_DTYPE_I8, 1023}};
	unsigned fast = 0, cases = 0;

	for (int is_conv = 0; is_conv <= 1; is_conv++) {
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			for (int sign = -1; sign <= 1; sign += 2) {
				for (int over = 0; over <= 1; over++) {
					struct layer_case c;
					int ok;

					bound_case(&c, is_conv, sizes[s].dtype, sizes[s].fan_in,
						   sign, over);
					ok = check_case(is_conv ? "conv bound" : "fc bound",
							cases++, 0, &c, &fast);
					free_case(&c);
					CHECK(ok);
				}
			}
		}
	}
	/* Exactly the cases at the bound (over == 0) ran fast. */
	CHECK_EQ_INT(fast, cases / 2);
}

/* Accumulators of exactly +-(2^31 - 1) come out as the reference computes them. */
TEST(int32_extremes_requantise_exactly)
{
	for (int sign = -1; sign <= 1; sign += 2) {
		struct layer_case c;
		struct sa_fast_layer *l = NULL;
		int16_t y = 0, scratch[64];

		bound_case(&c, 0, SA_DTYPE_I16, 3, sign, 0);
		CHECK_EQ_INT(sa_fast_fc_create(&c.in, &c.fc, c.w, c.bias, &c.out, SA_FAST_BEST, &l),
			     SA_OK);
		CHECK(l != NULL && sa_fast_scratch_bytes(l) <= sizeof(scratch));
		sa_fast_run(l, c.x, &y, scratch);
		sa_fast_destroy(l);
		free_case(&c);
		/* rshift_round(+-(2^31 - 1), 17) = 16384 / -16384 */
		CHECK_EQ_INT(y, sign * 16384);
	}
}

/* A bias of INT32_MIN alone already reaches 2^31. */
TEST(int32_min_bias_keeps_reference)
{
	struct sa_shape in = {4, 1, 1, SA_DTYPE_I8, 0}, out = {2, 1, 1, SA_DTYPE_I8, 0};
	struct sa_fc_params p = {.out_features = 2, .weight_bits = 2, .flags = SA_PARAM_HAS_BIAS};
	int8_t w[8] = {0};
	int32_t bias[2] = {0, INT32_MIN};
	struct sa_fast_layer *l = (struct sa_fast_layer *)&p; /* must be reset to NULL */

	CHECK_EQ_INT(sa_fast_fc_create(&in, &p, w, bias, &out, SA_FAST_BEST, &l), SA_OK);
	CHECK(l == NULL);
	bias[1] = INT32_MIN + 1;
	CHECK_EQ_INT(sa_fast_fc_create(&in, &p, w, bias, &out, SA_FAST_BEST, &l), SA_OK);
	CHECK(l != NULL);
	sa_fast_destroy(l);
}

/* ---------------------------------------------------------- whole models */

/* Random signed k in [-kmax, kmax]. */
static void fill_weights(int8_t *w, size_t n, int kmax)
{
	for (size_t i = 0; i < n; i++)
		w[i] = (int8_t)rng_range(-kmax, kmax);
}

/*
 * The Simple CNN of the DeepShift paper on a 28x28 input (the trainer's
 * simple-cnn), with random weights and scales that keep activations in
 * range; the last fc has a bias too wide for int32 accumulation, so the
 * model mixes both paths.
 */
static sa_model *simple_cnn_model(void)
{
	static int8_t w1[20 * 25], w2[50 * 20 * 25], w3[500 * 800], w4[10 * 500];
	static int32_t b1[20], b3[500], b4[10];
	struct sa_conv_params c1 = {.kernel_h = 5,
				    .kernel_w = 5,
				    .stride_h = 1,
				    .stride_w = 1,
				    .dilation_h = 1,
				    .dilation_w = 1,
				    .groups = 1,
				    .out_channels = 20,
				    .weight_bits = 4,
				    .weight_base = -8,
				    .act = SA_ACT_RELU,
				    .flags = SA_PARAM_HAS_BIAS};
	struct sa_conv_params c2 = c1;
	struct sa_pool_params pool = {.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2};
	struct sa_fc_params f3 = {.out_features = 500,
				  .weight_bits = 4,
				  .weight_base = -8,
				  .act = SA_ACT_RELU6,
				  .flags = SA_PARAM_HAS_BIAS};
	struct sa_fc_params f4 = {.out_features = 10,
				  .weight_bits = 5,
				  .weight_base = -8,
				  .flags = SA_PARAM_HAS_BIAS};
	uint32_t t;
	sa_builder *b = NULL;
	sa_model *m = NULL;
	void *data = NULL;
	size_t size = 0;
	sa_status st;

	c2.out_channels = 50;
	c2.weight_bits = 4;
	c2.act = SA_ACT_NONE;
	c2.flags = 0;
	rng_seed(77);
	fill_weights(w1, sizeof(w1), 7);
	fill_weights(w2, sizeof(w2), 7);
	fill_weights(w3, sizeof(w3), 7);
	fill_weights(w4, sizeof(w4), 15);
	for (int i = 0; i < 20; i++)
		b1[i] = (int32_t)rng_range(-3000, 3000);
	for (int i = 0; i < 500; i++)
		b3[i] = (int32_t)rng_range(-3000, 3000);
	for (int i = 0; i < 10; i++)
		b4[i] = i == 3 ? INT32_MIN + 1 : (int32_t)rng_range(-30000, 30000);

	st = sa_builder_create(&b);
	if (st == SA_OK)
		st = sa_builder_input(b, 1, 28, 28, SA_DTYPE_I8, -7, NULL, NULL, &t);
	if (st == SA_OK)
		st = sa_builder_conv(b, t, &c1, w1, b1, SA_DTYPE_I8, -8, &t);
	if (st == SA_OK)
		st = sa_builder_maxpool(b, t, &pool, &t);
	if (st == SA_OK)
		st = sa_builder_conv(b, t, &c2, w2, NULL, SA_DTYPE_I16, -16, &t);
	if (st == SA_OK)
		st = sa_builder_maxpool(b, t, &pool, &t);
	if (st == SA_OK)
		st = sa_builder_flatten(b, t, &t);
	if (st == SA_OK)
		st = sa_builder_fc(b, t, &f3, w3, b3, SA_DTYPE_I8, -4, &t);
	if (st == SA_OK)
		st = sa_builder_fc(b, t, &f4, w4, b4, SA_DTYPE_I16, -5, &t);
	if (st == SA_OK)
		st = sa_builder_set_output(b, t);
	if (st == SA_OK)
		st = sa_builder_write_memory(b, &data, &size);
	if (st == SA_OK)
		st = sa_model_open_memory(data, size, "simple-cnn", &m);
	if (st != SA_OK)
		fprintf(stderr, "  building the Simple CNN: %s\n", sa_last_error());
	sa_builder_destroy(b);
	free(data);
	return m;
}

/*
 * A residual model over the geometry the Simple CNN lacks:
 *   input [3,16,16] i8
 *   conv1  3->8, 3x3 pad 1, 4-bit, bias, relu                    -> [8,16,16] i8
 *   dw     depthwise 3x3, stride 2, dilation 2, pad t2 l2 b1 r1,
 *          3-bit, relu6                                           -> [8,8,8] i16
 *   pw     conv1 1x1, stride 2, groups 2, 5-bit                   -> [8,8,8] i16
 *   add    dw + pw, relu -> global avgpool -> fc 8->10, bias       -> [10] i16
 */
static sa_model *residual_model(void)
{
	static int8_t w1[8 * 3 * 9], wd[8 * 9], wp[8 * 4], wf[10 * 8];
	static int32_t b1[8], bf[10];
	struct sa_conv_params c1 = {.kernel_h = 3,
				    .kernel_w = 3,
				    .stride_h = 1,
				    .stride_w = 1,
				    .dilation_h = 1,
				    .dilation_w = 1,
				    .pad_top = 1,
				    .pad_left = 1,
				    .pad_bottom = 1,
				    .pad_right = 1,
				    .groups = 1,
				    .out_channels = 8,
				    .weight_bits = 4,
				    .weight_base = -6,
				    .act = SA_ACT_RELU,
				    .flags = SA_PARAM_HAS_BIAS};
	struct sa_conv_params dw = {.kernel_h = 3,
				    .kernel_w = 3,
				    .stride_h = 2,
				    .stride_w = 2,
				    .dilation_h = 2,
				    .dilation_w = 2,
				    .pad_top = 2,
				    .pad_left = 2,
				    .pad_bottom = 1,
				    .pad_right = 1,
				    .groups = 8,
				    .out_channels = 8,
				    .weight_bits = 3,
				    .weight_base = -4,
				    .act = SA_ACT_RELU6};
	struct sa_conv_params pw = {.kernel_h = 1,
				    .kernel_w = 1,
				    .stride_h = 2,
				    .stride_w = 2,
				    .dilation_h = 1,
				    .dilation_w = 1,
				    .groups = 2,
				    .out_channels = 8,
				    .weight_bits = 5,
				    .weight_base = -7};
	struct sa_add_params add = {.act = SA_ACT_RELU};
	struct sa_fc_params fc = {.out_features = 10,
				  .weight_bits = 4,
				  .weight_base = -4,
				  .flags = SA_PARAM_HAS_BIAS};
	uint32_t t_in, t1, td, tp, t;
	sa_builder *b = NULL;
	sa_model *m = NULL;
	void *data = NULL;
	size_t size = 0;
	sa_status st;

	rng_seed(78);
	fill_weights(w1, sizeof(w1), 7);
	fill_weights(wd, sizeof(wd), 3);
	fill_weights(wp, sizeof(wp), 15);
	fill_weights(wf, sizeof(wf), 7);
	for (int i = 0; i < 8; i++)
		b1[i] = (int32_t)rng_range(-2000, 2000);
	for (int i = 0; i < 10; i++)
		bf[i] = (int32_t)rng_range(-30000, 30000);

	st = sa_builder_create(&b);
	if (st == SA_OK)
		st = sa_builder_input(b, 3, 16, 16, SA_DTYPE_I8, -7, NULL, NULL, &t_in);
	if (st == SA_OK)
		st = sa_builder_conv(b, t_in, &c1, w1, b1, SA_DTYPE_I8, -7, &t1);
	if (st == SA_OK)
		st = sa_builder_conv(b, t1, &dw, wd, NULL, SA_DTYPE_I16, -11, &td);
	if (st == SA_OK)
		st = sa_builder_conv(b, t1, &pw, wp, NULL, SA_DTYPE_I16, -11, &tp);
	if (st == SA_OK)
		st = sa_builder_add(b, td, tp, &add, SA_DTYPE_I16, -10, &t);
	if (st == SA_OK)
		st = sa_builder_global_avgpool(b, t, &t);
	if (st == SA_OK)
		st = sa_builder_fc(b, t, &fc, wf, bf, SA_DTYPE_I16, -10, &t);
	if (st == SA_OK)
		st = sa_builder_set_output(b, t);
	if (st == SA_OK)
		st = sa_builder_write_memory(b, &data, &size);
	if (st == SA_OK)
		st = sa_model_open_memory(data, size, "residual", &m);
	if (st != SA_OK)
		fprintf(stderr, "  building the residual model: %s\n", sa_last_error());
	sa_builder_destroy(b);
	free(data);
	return m;
}

/* Sets (value != NULL) or unsets the kernel choice for the next CPU session. */
static void set_kernels(const char *value)
{
	if (value)
		setenv(ENV, value, 1);
	else
		unsetenv(ENV);
}

/* Conv/fc nodes of the model, and how many of them run a fast kernel. */
static void count_fast(const sa_model *model, const struct sa_cpu *cpu, unsigned *layers,
		       unsigned *fast)
{
	*layers = *fast = 0;
	for (uint32_t i = 0; i < model->num_nodes; i++) {
		if (model->nodes[i].op == DSM_OP_CONV || model->nodes[i].op == DSM_OP_FC) {
			(*layers)++;
			*fast += (unsigned)sa_cpu_node_is_fast(cpu, i);
		}
	}
}

/*
 * The model through CPU backends created with SHIFTACCEL_CPU_KERNELS unset,
 * =portable and =reference: identical output bytes on MODEL_RUNS random
 * inputs, and the expected number of fast layers (none for =reference).
 * The outputs must also vary with the input, or equality would prove little.
 */
static int model_same_bytes(const sa_model *model, unsigned expect_fast)
{
	static const char *const kernels[] = {NULL, "portable", "reference"};
	const struct sa_shape *is = &model->tensors[model->input].shape;
	const struct sa_shape *os = &model->tensors[model->output].shape;
	size_t out_bytes = sa_shape_elems(os) * dtype_size(os->dtype);
	struct sa_cpu *cpu[3] = {NULL, NULL, NULL};
	unsigned char *out[3], *first = malloc(out_bytes);
	int ok = 1, varied = 0;

	for (int k = 0; k < 3 && ok; k++) {
		unsigned layers, fast;

		set_kernels(kernels[k]);
		ok = sa_cpu_create(model, 0, &cpu[k]) == SA_OK;
		if (!ok)
			break;
		count_fast(model, cpu[k], &layers, &fast);
		if (fast != (kernels[k] && !strcmp(kernels[k], "reference") ? 0 : expect_fast)) {
			fprintf(stderr, "  %s=%s: %u of %u layers fast, expected %u\n", ENV,
				kernels[k] ? kernels[k] : "(unset)", fast, layers, expect_fast);
			ok = 0;
		}
	}
	set_kernels(NULL);
	for (int k = 0; k < 3; k++)
		out[k] = malloc(out_bytes);
	rng_seed(5);
	for (int run = 0; run < MODEL_RUNS && ok; run++) {
		struct sa_shape s = *is;
		void *x = random_tensor(&s);

		for (int k = 0; k < 3; k++)
			sa_cpu_run_quantized(cpu[k], x, out[k]);
		free(x);
		if (memcmp(out[0], out[2], out_bytes) || memcmp(out[1], out[2], out_bytes)) {
			fprintf(stderr, "  %s: run %d: outputs differ between kernel sets\n",
				model->name, run);
			ok = 0;
		}
		if (run == 0)
			memcpy(first, out[2], out_bytes);
		else
			varied |= memcmp(first, out[2], out_bytes) != 0;
	}
	if (ok && !varied) {
		fprintf(stderr, "  %s: every input gave the same output\n", model->name);
		ok = 0;
	}
	for (int k = 0; k < 3; k++) {
		sa_cpu_destroy(cpu[k]);
		free(out[k]);
	}
	free(first);
	return ok;
}

TEST(simple_cnn_same_bytes_with_every_kernel_set)
{
	sa_model *m = simple_cnn_model();
	int ok;

	CHECK(m != NULL);
	/* conv1, conv2 and fc1 fast; fc2's INT32_MIN + 1 bias keeps it on the reference. */
	ok = model_same_bytes(m, 3);
	sa_model_close(m);
	CHECK(ok);
}

TEST(residual_model_same_bytes_with_every_kernel_set)
{
	sa_model *m = residual_model();
	int ok;

	CHECK(m != NULL);
	ok = model_same_bytes(m, 4);
	sa_model_close(m);
	CHECK(ok);
}

/* The public API: sessions created with and without the variable agree. */
TEST(sessions_honour_the_environment_variable)
{
	sa_model *m = simple_cnn_model();
	sa_session *fast = NULL, *ref = NULL;
	float x[28 * 28], y_fast[10], y_ref[10];

	CHECK(m != NULL);
	set_kernels(NULL);
	CHECK_EQ_INT(sa_session_create(m, SA_DEVICE_CPU, &fast), SA_OK);
	set_kernels("reference");
	CHECK_EQ_INT(sa_session_create(m, SA_DEVICE_CPU, &ref), SA_OK);
	set_kernels(NULL);
	rng_seed(11);
	for (int run = 0; run < 10; run++) {
		for (int i = 0; i < 28 * 28; i++)
			x[i] = (float)rng_range(-1000, 1000) / 1000.0f;
		CHECK_EQ_INT(sa_session_run(fast, x, y_fast), SA_OK);
		CHECK_EQ_INT(sa_session_run(ref, x, y_ref), SA_OK);
		CHECK(memcmp(y_fast, y_ref, sizeof(y_fast)) == 0);
	}
	sa_session_destroy(fast);
	sa_session_destroy(ref);
	sa_model_close(m);
}

TEST(unknown_kernel_set_is_an_error)
{
	sa_model *m = residual_model();
	sa_session *s = NULL;
	sa_status st;

	CHECK(m != NULL);
	set_kernels("fastest");
	st = sa_session_create(m, SA_DEVICE_CPU, &s);
	set_kernels(NULL);
	CHECK_EQ_INT(st, SA_ERR_INVALID_ARGUMENT);
	CHECK(s == NULL);
	CHECK_STR_CONTAINS(sa_last_error(), "SHIFTACCEL_CPU_KERNELS=fastest");
	sa_model_close(m);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	printf("  fast kernels: %s\n", sa_fast_have_avx2() ? "AVX2 and portable" : "portable");
	RUN(random_convs_match_reference);
	RUN(random_fcs_match_reference);
	RUN(int32_bound_decides_the_path);
	RUN(int32_extremes_requantise_exactly);
	RUN(int32_min_bias_keeps_reference);
	RUN(simple_cnn_same_bytes_with_every_kernel_set);
	RUN(residual_model_same_bytes_with_every_kernel_set);
	RUN(sessions_honour_the_environment_variable);
	RUN(unknown_kernel_set_is_an_error);
	CHECK_MAIN_END();
}
