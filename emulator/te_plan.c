// SPDX-License-Identifier: MIT
/*
 * Tensor-engine command validation and the cycle model (docs/hardware.md,
 * 9.2 and 9.3).  The op's own rules are the reference's sa_check_*; this
 * file adds what the hardware needs on top: reserved fields, the declared
 * output shape, and the per-command limits that bound the engine's buffers
 * and the time one command can take.  Every guest-controlled number is
 * bounded before it is multiplied.
 */
#include <string.h>

#include "card_internal.h"

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

/* a * b, or UINT64_MAX if that overflows. */
static uint64_t mul_sat(uint64_t a, uint64_t b)
{
	if (a && b > UINT64_MAX / a)
		return UINT64_MAX;
	return a * b;
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i])
			return false;
	}
	return true;
}

static size_t dtype_size(uint8_t dtype)
{
	return dtype == SA_DTYPE_I16 ? 2 : 1;
}

/* An activation tensor: reserved zero, known dtype, non-empty, within the byte limit. */
static int check_tensor(const struct sa_hw_tensor *t, struct sa_shape *s, size_t *bytes)
{
	uint64_t n;

	if (t->reserved)
		return SA_ENGINE_ERR_BAD_PARAMS;
	if (t->dtype != SA_DTYPE_I8 && t->dtype != SA_DTYPE_I16)
		return SA_ENGINE_ERR_BAD_PARAMS;
	if (t->c == 0 || t->h == 0 || t->w == 0)
		return SA_ENGINE_ERR_BAD_PARAMS;
	n = mul_sat(mul_sat(mul_sat(t->c, t->h), t->w), dtype_size(t->dtype));
	if (n > SA_TE_MAX_ACT_BYTES)
		return SA_ENGINE_ERR_TOO_LARGE;
	s->c = t->c;
	s->h = t->h;
	s->w = t->w;
	s->dtype = t->dtype;
	s->exp = t->exp;
	*bytes = (size_t)n;
	return SA_ENGINE_ERR_NONE;
}

static size_t params_size(uint8_t op)
{
	switch (op) {
	case SA_OP_CONV: return sizeof(struct sa_conv_params);
	case SA_OP_FC: return sizeof(struct sa_fc_params);
	case SA_OP_MAXPOOL:
	case SA_OP_AVGPOOL: return sizeof(struct sa_pool_params);
	case SA_OP_ADD: return sizeof(struct sa_add_params);
	default: return 0;
	}
}

/* The reference rules for the op; fills the computed output shape. */
static const char *check_op(const struct sa_hw_te_cmd *cmd, struct sa_te_plan *p)
{
	const struct sa_hw_layer *l = &cmd->layer;

	switch (cmd->op) {
	case SA_OP_CONV: return sa_check_conv(&p->in, &l->params.conv, &p->out);
	case SA_OP_FC: return sa_check_fc(&p->in, &l->params.fc, &p->out);
	case SA_OP_MAXPOOL: return sa_check_maxpool(&p->in, &l->params.pool, &p->out);
	case SA_OP_AVGPOOL: return sa_check_avgpool(&p->in, &l->params.pool, &p->out);
	case SA_OP_GLOBAL_AVGPOOL: return sa_check_global_avgpool(&p->in, &p->out);
	default: return sa_check_add(&p->in, &p->in_b, &l->params.add, &p->out);
	}
}

/* Weight count, bias count, shift-adds and compute cycles of a checked op. */
static void op_cost(uint8_t op, const struct sa_hw_layer *l, struct sa_te_plan *p)
{
	uint64_t positions = (uint64_t)p->out.h * p->out.w;
	uint64_t in_elems = (uint64_t)p->in.c * p->in.h * p->in.w;
	uint64_t out_elems = (uint64_t)p->out.c * positions;
	uint64_t compute = 0;

	p->weight_count = 0;
	p->bias_count = 0;
	switch (op) {
	case SA_OP_CONV: {
		const struct sa_conv_params *c = &l->params.conv;
		uint64_t kernel = (uint64_t)c->kernel_h * c->kernel_w;
		uint64_t taps = mul_sat(p->in.c / c->groups, kernel);
		uint64_t ocg = p->out.c / c->groups;

		p->weight_count = mul_sat(p->out.c, taps);
		p->shift_adds = mul_sat(out_elems, taps);
		if (c->groups == p->in.c && c->groups == p->out.c)
			compute = mul_sat(ceil_div(p->out.c, SA_TE_ROWS) *
						  ceil_div(positions, SA_TE_COLS),
					  kernel);
		else
			compute = mul_sat(mul_sat(c->groups * ceil_div(ocg, SA_TE_ROWS),
						  ceil_div(positions, SA_TE_COLS)),
					  taps);
		if (c->flags & SA_PARAM_HAS_BIAS)
			p->bias_count = p->out.c;
		break;
	}
	case SA_OP_FC:
		p->weight_count = mul_sat(p->out.c, in_elems);
		p->shift_adds = mul_sat(p->out.c, in_elems);
		compute = ceil_div(p->out.c, SA_TE_ROWS) * ceil_div(in_elems, SA_TE_COLS);
		if (l->params.fc.flags & SA_PARAM_HAS_BIAS)
			p->bias_count = p->out.c;
		break;
	case SA_OP_MAXPOOL:
	case SA_OP_AVGPOOL: {
		uint64_t kernel = (uint64_t)l->params.pool.kernel_h * l->params.pool.kernel_w;

		p->shift_adds = mul_sat(out_elems, kernel);
		compute = mul_sat(ceil_div(out_elems, SA_TE_ROWS * SA_TE_COLS), kernel);
		break;
	}
	case SA_OP_GLOBAL_AVGPOOL:
		p->shift_adds = in_elems;
		compute = ceil_div(p->in.c, SA_TE_ROWS) *
			  ceil_div((uint64_t)p->in.h * p->in.w, SA_TE_COLS);
		break;
	default: /* add */
		p->shift_adds = 2 * out_elems;
		compute = ceil_div(out_elems, SA_TE_ROWS * SA_TE_COLS);
		break;
	}
	p->cycles = compute;
}

int sa_te_plan(const struct sa_hw_te_cmd *cmd, struct sa_te_plan *p)
{
	const struct sa_hw_layer *l = &cmd->layer;
	struct sa_shape declared;
	uint64_t moved;
	int err;

	memset(p, 0, sizeof(*p));
	if (!SA_OP_IS_LAYER(cmd->op))
		return SA_ENGINE_ERR_BAD_OP;
	if (cmd->flags || cmd->reserved)
		return SA_ENGINE_ERR_BAD_PARAMS;
	if (!all_zero(l->params.raw + params_size(cmd->op),
		      sizeof(l->params.raw) - params_size(cmd->op)))
		return SA_ENGINE_ERR_BAD_PARAMS;

	err = check_tensor(&l->in, &p->in, &p->in_bytes);
	if (err)
		return err;
	if (cmd->op == SA_OP_ADD) {
		err = check_tensor(&l->in_b, &p->in_b, &p->in_b_bytes);
		if (err)
			return err;
	} else if (!all_zero(&l->in_b, sizeof(l->in_b))) {
		return SA_ENGINE_ERR_BAD_PARAMS;
	}
	err = check_tensor(&l->out, &declared, &p->out_bytes);
	if (err)
		return err;

	/* Ops without weights or bias must not name any. */
	if (cmd->op != SA_OP_CONV && cmd->op != SA_OP_FC && (l->weights || l->bias))
		return SA_ENGINE_ERR_BAD_PARAMS;
	if (cmd->op == SA_OP_CONV && l->params.conv.out_channels > SA_TE_MAX_CHANNELS)
		return SA_ENGINE_ERR_TOO_LARGE;
	if (cmd->op == SA_OP_FC && l->params.fc.out_features > SA_TE_MAX_CHANNELS)
		return SA_ENGINE_ERR_TOO_LARGE;

	/* The output type is the command's; the reference computes the shape. */
	p->out = declared;
	if (check_op(cmd, p))
		return SA_ENGINE_ERR_BAD_PARAMS;
	if (p->out.c != declared.c || p->out.h != declared.h || p->out.w != declared.w ||
	    p->out.dtype != declared.dtype || p->out.exp != declared.exp)
		return SA_ENGINE_ERR_SHAPE;

	op_cost(cmd->op, l, p);
	if ((cmd->op == SA_OP_CONV || cmd->op == SA_OP_FC) && !(p->bias_count) && l->bias)
		return SA_ENGINE_ERR_BAD_PARAMS;
	if (p->weight_count > SA_TE_MAX_WEIGHTS || p->shift_adds > SA_TE_MAX_MACS)
		return SA_ENGINE_ERR_TOO_LARGE;
	if (cmd->op == SA_OP_CONV)
		p->weight_bytes =
			sa_weight_packed_size((size_t)p->weight_count, l->params.conv.weight_bits);
	else if (cmd->op == SA_OP_FC)
		p->weight_bytes =
			sa_weight_packed_size((size_t)p->weight_count, l->params.fc.weight_bits);

	moved = p->in_bytes + p->in_b_bytes + p->weight_bytes + 4 * p->bias_count + p->out_bytes;
	p->cycles += SA_TE_SETUP_CYCLES + ceil_div(moved, SA_TE_MEM_BYTES_PER_CYCLE);
	return SA_ENGINE_ERR_NONE;
}
