// SPDX-License-Identifier: MIT
/*
 * Random tensor-engine cases (see te_cases.h).  Parameters are drawn at
 * random and kept only when the reference's own sa_check_* accepts them, so
 * every op the engine is asked to run is one the CPU backend would run.
 */
#include "te_cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GUARD 64 /* bytes around an output that must stay untouched */

static int rnd(uint32_t *seed, int lo, int hi)
{
	return lo + (int)(h_rand(seed) % (uint32_t)(hi - lo + 1));
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "out of memory\n");
		abort();
	}
	return p;
}

static size_t dsize(uint8_t dtype)
{
	return dtype == SA_DTYPE_I16 ? 2 : 1;
}

static uint8_t rnd_dtype(uint32_t *seed)
{
	return rnd(seed, 0, 2) ? SA_DTYPE_I8 : SA_DTYPE_I16;
}

static void rnd_shape(uint32_t *seed, struct sa_shape *s, int c_max, int hw_max)
{
	s->c = (uint32_t)rnd(seed, 1, c_max);
	s->h = (uint32_t)rnd(seed, 1, hw_max);
	s->w = (uint32_t)rnd(seed, 1, hw_max);
	s->dtype = rnd_dtype(seed);
	s->exp = (int8_t)rnd(seed, -10, 4);
}

static void fill_activation(uint32_t *seed, const struct sa_shape *s, uint8_t **buf, size_t *bytes)
{
	size_t n = sa_shape_elems(s);

	*bytes = n * dsize(s->dtype);
	*buf = xmalloc(*bytes);
	for (size_t i = 0; i < n; i++) {
		if (s->dtype == SA_DTYPE_I8)
			((int8_t *)*buf)[i] = (int8_t)h_rand(seed);
		else
			((int16_t *)*buf)[i] = (int16_t)h_rand(seed);
	}
}

/* Output type: a random dtype and an exponent giving a requantisation shift in [-3, 12]. */
static void rnd_out_type(uint32_t *seed, struct sa_shape *out, int acc_exp)
{
	int e = acc_exp + rnd(seed, -3, 12);

	out->dtype = rnd_dtype(seed);
	out->exp = (int8_t)(e < SA_EXP_MIN ? SA_EXP_MIN : e > SA_EXP_MAX ? SA_EXP_MAX : e);
}

static void rnd_weights(uint32_t *seed, struct te_case *c, unsigned int bits)
{
	int kmax = SA_WEIGHT_K_MAX(bits);

	c->w = xmalloc(c->nw);
	for (size_t i = 0; i < c->nw; i++)
		c->w[i] = (int8_t)(rnd(seed, 0, 3) == 0 ? 0 : rnd(seed, -kmax, kmax));
	c->w_packed_bytes = sa_weight_packed_size(c->nw, bits);
	c->w_packed = xmalloc(c->w_packed_bytes);
	sa_weight_pack(c->w, c->nw, bits, c->w_packed);
}

static void rnd_bias(uint32_t *seed, struct te_case *c, uint8_t flags, uint32_t n)
{
	if (!(flags & SA_PARAM_HAS_BIAS))
		return;
	/*
	 * Now and then a bias near an end of the int32 range, whose accumulator
	 * does not fit int32: the engine must then leave the fast conv/fc
	 * kernels for the reference ones (cpu_fast.h).
	 */
	int wide = rnd(seed, 0, 3) == 0;

	c->bias = xmalloc(4 * n);
	for (uint32_t i = 0; i < n; i++)
		c->bias[i] = !wide	       ? rnd(seed, -(1 << 20), 1 << 20)
			     : rnd(seed, 0, 1) ? INT32_MAX - rnd(seed, 0, 1 << 20)
					       : INT32_MIN + rnd(seed, 0, 1 << 20);
}

static void gen_conv(struct te_case *c, uint32_t *seed)
{
	struct sa_conv_params *p = &c->cmd.layer.params.conv;

	do {
		int kind = rnd(seed, 0, 2);

		memset(p, 0, sizeof(*p));
		rnd_shape(seed, &c->in, 8, 12);
		p->groups = 1;
		p->out_channels = (uint32_t)rnd(seed, 1, 9);
		if (kind == 1) { /* depthwise */
			p->groups = c->in.c;
			p->out_channels = c->in.c;
		} else if (kind == 2) { /* grouped: a random divisor of the input channels */
			uint32_t g = (uint32_t)rnd(seed, 1, (int)c->in.c);

			while (c->in.c % g)
				g--;
			p->groups = g;
			p->out_channels = g * (uint32_t)rnd(seed, 1, 3);
		}
		p->kernel_h = (uint16_t)rnd(seed, 1, 4);
		p->kernel_w = (uint16_t)rnd(seed, 1, 4);
		p->stride_h = (uint16_t)rnd(seed, 1, 3);
		p->stride_w = (uint16_t)rnd(seed, 1, 3);
		p->dilation_h = (uint16_t)rnd(seed, 1, 2);
		p->dilation_w = (uint16_t)rnd(seed, 1, 2);
		p->pad_top = (uint16_t)rnd(seed, 0, 2);
		p->pad_left = (uint16_t)rnd(seed, 0, 2);
		p->pad_bottom = (uint16_t)rnd(seed, 0, 2);
		p->pad_right = (uint16_t)rnd(seed, 0, 2);
		p->weight_bits = (uint8_t)rnd(seed, SA_WEIGHT_BITS_MIN, SA_WEIGHT_BITS_MAX);
		p->weight_base = (int8_t)rnd(seed, -6, 2);
		p->act = (uint8_t)rnd(seed, 0, 2);
		p->flags = rnd(seed, 0, 1) ? SA_PARAM_HAS_BIAS : 0;
		rnd_out_type(seed, &c->out, c->in.exp + p->weight_base);
	} while (sa_check_conv(&c->in, p, &c->out));
	c->nw = (size_t)p->out_channels * (c->in.c / p->groups) * p->kernel_h * p->kernel_w;
	rnd_weights(seed, c, p->weight_bits);
	rnd_bias(seed, c, p->flags, p->out_channels);
}

static void gen_fc(struct te_case *c, uint32_t *seed)
{
	struct sa_fc_params *p = &c->cmd.layer.params.fc;

	do {
		memset(p, 0, sizeof(*p));
		rnd_shape(seed, &c->in, 6, 5);
		p->out_features = (uint32_t)rnd(seed, 1, 20);
		p->weight_bits = (uint8_t)rnd(seed, SA_WEIGHT_BITS_MIN, SA_WEIGHT_BITS_MAX);
		p->weight_base = (int8_t)rnd(seed, -6, 2);
		p->act = (uint8_t)rnd(seed, 0, 2);
		p->flags = rnd(seed, 0, 1) ? SA_PARAM_HAS_BIAS : 0;
		rnd_out_type(seed, &c->out, c->in.exp + p->weight_base);
	} while (sa_check_fc(&c->in, p, &c->out));
	c->nw = (size_t)p->out_features * sa_shape_elems(&c->in);
	rnd_weights(seed, c, p->weight_bits);
	rnd_bias(seed, c, p->flags, p->out_features);
}

static void gen_pool(struct te_case *c, uint32_t *seed, bool avg)
{
	struct sa_pool_params *p = &c->cmd.layer.params.pool;
	const char *err;

	do {
		memset(p, 0, sizeof(*p));
		rnd_shape(seed, &c->in, 6, 12);
		/* Any area for both since format 1.1 (3x3: 9, 3x2: 6, 4x4: 16, ...). */
		p->kernel_h = (uint16_t)rnd(seed, 1, 4);
		p->kernel_w = (uint16_t)rnd(seed, 1, 4);
		p->stride_h = (uint16_t)rnd(seed, 1, 3);
		p->stride_w = (uint16_t)rnd(seed, 1, 3);
		p->pad_top = (uint16_t)rnd(seed, 0, p->kernel_h - 1);
		p->pad_bottom = (uint16_t)rnd(seed, 0, p->kernel_h - 1);
		p->pad_left = (uint16_t)rnd(seed, 0, p->kernel_w - 1);
		p->pad_right = (uint16_t)rnd(seed, 0, p->kernel_w - 1);
		err = avg ? sa_check_avgpool(&c->in, p, &c->out)
			  : sa_check_maxpool(&c->in, p, &c->out);
	} while (err);
}

static void gen_global(struct te_case *c, uint32_t *seed)
{
	do {
		rnd_shape(seed, &c->in, 9, 1);
		/* Any plane up to 8x8, 7x7 (area 49) among them. */
		c->in.h = (uint32_t)rnd(seed, 1, 8);
		c->in.w = (uint32_t)rnd(seed, 1, 8);
	} while (sa_check_global_avgpool(&c->in, &c->out));
}

static void gen_add(struct te_case *c, uint32_t *seed)
{
	struct sa_add_params *p = &c->cmd.layer.params.add;

	do {
		memset(p, 0, sizeof(*p));
		rnd_shape(seed, &c->in, 6, 9);
		c->in_b = c->in;
		c->in_b.dtype = rnd_dtype(seed);
		c->in_b.exp = (int8_t)(c->in.exp + rnd(seed, -5, 5));
		p->act = (uint8_t)rnd(seed, 0, 2);
		rnd_out_type(seed, &c->out, c->in.exp < c->in_b.exp ? c->in.exp : c->in_b.exp);
	} while (sa_check_add(&c->in, &c->in_b, p, &c->out));
}

static void reference(struct te_case *c)
{
	const struct sa_hw_layer *l = &c->cmd.layer;

	c->y_bytes = sa_shape_elems(&c->out) * dsize(c->out.dtype);
	c->y_ref = xmalloc(c->y_bytes);
	switch (c->cmd.op) {
	case SA_OP_CONV:
		sa_ref_conv(&c->in, c->x, &l->params.conv, c->w, c->bias, &c->out, c->y_ref);
		break;
	case SA_OP_FC:
		sa_ref_fc(&c->in, c->x, &l->params.fc, c->w, c->bias, &c->out, c->y_ref);
		break;
	case SA_OP_MAXPOOL: sa_ref_maxpool(&c->in, c->x, &l->params.pool, &c->out, c->y_ref); break;
	case SA_OP_AVGPOOL: sa_ref_avgpool(&c->in, c->x, &l->params.pool, &c->out, c->y_ref); break;
	case SA_OP_GLOBAL_AVGPOOL: sa_ref_global_avgpool(&c->in, c->x, &c->out, c->y_ref); break;
	default:
		sa_ref_add(&c->in, c->x, &c->in_b, c->xb, &l->params.add, &c->out, c->y_ref);
		break;
	}
}

void te_case_random(struct te_case *c, uint8_t op, uint32_t *seed)
{
	memset(c, 0, sizeof(*c));
	c->cmd.op = op;
	switch (op) {
	case SA_OP_CONV: gen_conv(c, seed); break;
	case SA_OP_FC: gen_fc(c, seed); break;
	case SA_OP_MAXPOOL:
	case SA_OP_AVGPOOL: gen_pool(c, seed, op == SA_OP_AVGPOOL); break;
	case SA_OP_GLOBAL_AVGPOOL: gen_global(c, seed); break;
	default: gen_add(c, seed); break;
	}
	fill_activation(seed, &c->in, &c->x, &c->x_bytes);
	if (op == SA_OP_ADD)
		fill_activation(seed, &c->in_b, &c->xb, &c->xb_bytes);
	reference(c);
}

static void set_tensor(struct sa_hw_tensor *t, const struct sa_shape *s, uint64_t va)
{
	t->addr = va;
	t->c = s->c;
	t->h = s->h;
	t->w = s->w;
	t->dtype = s->dtype;
	t->exp = s->exp;
}

/* Maps `len` bytes at a random offset past *next_va, copies `data` in; returns the VA. */
static uint64_t place(struct harness *h, uint64_t root, uint64_t *next_va, const void *data,
		      size_t len, uint64_t perms, uint32_t *seed, uint64_t *bus_out)
{
	uint64_t va = *next_va + GUARD + (uint64_t)rnd(seed, 0, 255);
	uint64_t bus = h_map_new(h, root, va - GUARD, len + 2 * GUARD, perms) + GUARD;

	if (data)
		memcpy(h_ptr(h, bus), data, len);
	else
		memset(h_ptr(h, bus - GUARD), 0xcd, len + 2 * GUARD);
	if (bus_out)
		*bus_out = bus;
	/* Leave an unmapped page after each buffer. */
	*next_va = ((va + len + GUARD + SA_MMU_PAGE_SIZE - 1) & ~(uint64_t)(SA_MMU_PAGE_SIZE - 1)) +
		   SA_MMU_PAGE_SIZE;
	return va;
}

void te_case_place(struct harness *h, uint64_t root, uint32_t ctx, struct te_case *c,
		   uint64_t *next_va, uint32_t *seed)
{
	const uint64_t rw = SA_PTE_VALID | SA_PTE_READ | SA_PTE_WRITE;
	const uint64_t ro = SA_PTE_VALID | SA_PTE_READ;
	struct sa_hw_layer *l = &c->cmd.layer;

	c->cmd.context = (uint16_t)ctx;
	set_tensor(&l->in, &c->in, place(h, root, next_va, c->x, c->x_bytes, ro, seed, NULL));
	if (c->xb)
		set_tensor(&l->in_b, &c->in_b,
			   place(h, root, next_va, c->xb, c->xb_bytes, ro, seed, NULL));
	if (c->w_packed)
		l->weights =
			place(h, root, next_va, c->w_packed, c->w_packed_bytes, ro, seed, NULL);
	if (c->bias)
		l->bias = place(h, root, next_va, c->bias, 4 * (size_t)c->out.c, ro, seed, NULL);
	set_tensor(&l->out, &c->out,
		   place(h, root, next_va, NULL, c->y_bytes, rw, seed, &c->out_bus));
}

int te_case_output_ok(struct harness *h, const struct te_case *c)
{
	const uint8_t *y = h_ptr(h, c->out_bus);

	for (int i = 1; i <= GUARD; i++) {
		if (y[-i] != 0xcd || y[c->y_bytes + (size_t)i - 1] != 0xcd)
			return 0;
	}
	return memcmp(y, c->y_ref, c->y_bytes) == 0;
}

static uint64_t cdiv(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

/* docs/hardware.md 9.3, written out again independently of the model. */
uint64_t te_case_cycles(const struct te_case *c)
{
	const struct sa_hw_layer *l = &c->cmd.layer;
	uint64_t p = (uint64_t)c->out.h * c->out.w, compute;
	uint64_t moved = c->x_bytes + c->xb_bytes + c->w_packed_bytes + c->y_bytes;

	switch (c->cmd.op) {
	case SA_OP_CONV: {
		const struct sa_conv_params *q = &l->params.conv;
		uint64_t kk = (uint64_t)q->kernel_h * q->kernel_w;

		if (q->groups == c->in.c && q->groups == c->out.c)
			compute = cdiv(c->out.c, 16) * cdiv(p, 16) * kk;
		else
			compute = q->groups * cdiv(c->out.c / q->groups, 16) * cdiv(p, 16) *
				  (c->in.c / q->groups) * kk;
		break;
	}
	case SA_OP_FC: compute = cdiv(c->out.c, 16) * cdiv(sa_shape_elems(&c->in), 16); break;
	case SA_OP_MAXPOOL:
	case SA_OP_AVGPOOL:
		compute = cdiv(sa_shape_elems(&c->out), 256) * l->params.pool.kernel_h *
			  l->params.pool.kernel_w;
		break;
	case SA_OP_GLOBAL_AVGPOOL:
		compute = cdiv(c->in.c, 16) * cdiv((uint64_t)c->in.h * c->in.w, 16);
		break;
	default: compute = cdiv(sa_shape_elems(&c->out), 256); break;
	}
	if (c->bias)
		moved += 4 * (uint64_t)c->out.c;
	return 32 + compute + cdiv(moved, 64);
}

uint64_t te_case_shift_adds(const struct te_case *c)
{
	const struct sa_hw_layer *l = &c->cmd.layer;
	uint64_t out = sa_shape_elems(&c->out);

	switch (c->cmd.op) {
	case SA_OP_CONV:
		return out * (c->in.c / l->params.conv.groups) * l->params.conv.kernel_h *
		       l->params.conv.kernel_w;
	case SA_OP_FC: return out * sa_shape_elems(&c->in);
	case SA_OP_MAXPOOL:
	case SA_OP_AVGPOOL: return out * l->params.pool.kernel_h * l->params.pool.kernel_w;
	case SA_OP_GLOBAL_AVGPOOL: return sa_shape_elems(&c->in);
	default: return 2 * out;
	}
}

void te_case_free(struct te_case *c)
{
	free(c->x);
	free(c->xb);
	free(c->y_ref);
	free(c->w);
	free(c->w_packed);
	free(c->bias);
	memset(c, 0, sizeof(*c));
}
