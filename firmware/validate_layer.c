// SPDX-License-Identifier: MIT
/*
 * Descriptor validation, part 2: layer ops.  The op's own rules are the
 * reference's sa_check_* (libshiftaccel/kernels/sa_check.c, compiled into
 * the firmware unchanged), so a layer the CPU backend accepts is a layer the
 * card accepts.  On top come the rules of the card: reserved fields, the
 * declared output shape, the engine's limits (docs/hardware.md 9.2), natural
 * alignment of int16 tensors and of the int32 bias, and address ranges
 * inside the VA space.  The tensor engine checks the same things again; the
 * firmware checks first so that a bad descriptor is reported with the field
 * that is wrong instead of a bare engine error.
 */
#include "../libshiftaccel/kernels/sa_kernels.h"
#include "fw.h"

/* What a checked layer will read and do. */
struct layer_cost {
	uint64_t weight_count, weight_bytes, bias_count, shift_adds;
};

static uint32_t elem_size(uint8_t dtype)
{
	return dtype == SA_DTYPE_I16 ? 2 : 1;
}

static uint32_t params_size(uint8_t op)
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

static bool has_weights(uint8_t op)
{
	return op == SA_OP_CONV || op == SA_OP_FC;
}

/* An activation tensor: reserved zero, int8/int16, non-empty, within the engine's limit. */
static int check_tensor(const struct sa_hw_tensor *t, uint32_t field, struct sa_shape *s,
			uint64_t *bytes, struct fw_fault *f)
{
	uint64_t n;

	if (t->reserved)
		return fw_invalid(f, SA_FW_FAULT_RESERVED, field, 0);
	if (t->dtype != SA_DTYPE_I8 && t->dtype != SA_DTYPE_I16)
		return fw_invalid(f, SA_FW_FAULT_PARAMS, field, t->dtype);
	if (t->c == 0 || t->h == 0 || t->w == 0)
		return fw_invalid(f, SA_FW_FAULT_PARAMS, field, 0);
	/* Each factor is below 2^32, and the limit is checked before the next multiply. */
	n = (uint64_t)t->c * t->h;
	if (n > SA_TE_MAX_ACT_BYTES || n * t->w * elem_size(t->dtype) > SA_TE_MAX_ACT_BYTES)
		return fw_invalid(f, SA_FW_FAULT_TOO_LARGE, field, 0);
	s->c = t->c;
	s->h = t->h;
	s->w = t->w;
	s->dtype = t->dtype;
	s->exp = t->exp;
	*bytes = n * t->w * elem_size(t->dtype);
	return 0;
}

static const char *check_op(uint8_t op, const struct sa_hw_layer *l, const struct sa_shape *in,
			    const struct sa_shape *in_b, struct sa_shape *out)
{
	switch (op) {
	case SA_OP_CONV: return sa_check_conv(in, &l->params.conv, out);
	case SA_OP_FC: return sa_check_fc(in, &l->params.fc, out);
	case SA_OP_MAXPOOL: return sa_check_maxpool(in, &l->params.pool, out);
	case SA_OP_AVGPOOL: return sa_check_avgpool(in, &l->params.pool, out);
	case SA_OP_GLOBAL_AVGPOOL: return sa_check_global_avgpool(in, out);
	default: return sa_check_add(in, in_b, &l->params.add, out);
	}
}

/* Counts of a layer that passed check_op (so every product below fits in 64 bits). */
static void layer_cost(uint8_t op, const struct sa_hw_layer *l, const struct sa_shape *in,
		       const struct sa_shape *out, struct layer_cost *c)
{
	uint64_t in_elems = (uint64_t)in->c * in->h * in->w;
	uint64_t out_elems = (uint64_t)out->c * out->h * out->w;

	c->weight_count = 0;
	c->weight_bytes = 0;
	c->bias_count = 0;
	switch (op) {
	case SA_OP_CONV: {
		const struct sa_conv_params *p = &l->params.conv;
		uint64_t taps = (uint64_t)(in->c / p->groups) * p->kernel_h * p->kernel_w;

		c->weight_count = (uint64_t)out->c * taps;
		c->shift_adds = out_elems * taps;
		c->weight_bytes = (c->weight_count * p->weight_bits + 7) / 8;
		if (p->flags & SA_PARAM_HAS_BIAS)
			c->bias_count = out->c;
		break;
	}
	case SA_OP_FC:
		c->weight_count = (uint64_t)out->c * in_elems;
		c->shift_adds = c->weight_count;
		c->weight_bytes = (c->weight_count * l->params.fc.weight_bits + 7) / 8;
		if (l->params.fc.flags & SA_PARAM_HAS_BIAS)
			c->bias_count = out->c;
		break;
	case SA_OP_MAXPOOL:
	case SA_OP_AVGPOOL:
		c->shift_adds = out_elems * l->params.pool.kernel_h * l->params.pool.kernel_w;
		break;
	case SA_OP_GLOBAL_AVGPOOL: c->shift_adds = in_elems; break;
	default: /* add */ c->shift_adds = 2 * out_elems; break;
	}
}

static bool same_type_and_shape(const struct sa_shape *a, const struct sa_shape *b)
{
	return a->c == b->c && a->h == b->h && a->w == b->w && a->dtype == b->dtype &&
	       a->exp == b->exp;
}

/* Alignment and VA range of one tensor of `bytes` bytes. */
static int check_place(uint64_t addr, uint64_t bytes, uint32_t align, uint32_t field,
		       struct fw_fault *f)
{
	/* align is 1, 2 or 4: a mask, not a 64-bit division on RV32. */
	if (addr & (align - 1))
		return fw_invalid(f, SA_FW_FAULT_ALIGN, field, addr);
	if (!fw_va_range_ok(addr, bytes))
		return fw_invalid(f, SA_FW_FAULT_ADDRESS, field, addr);
	return 0;
}

/* The rules that need no shape arithmetic. */
static int check_fields(uint8_t op, const struct sa_hw_layer *l, struct fw_fault *f)
{
	uint32_t used = params_size(op);

	if (!fw_all_zero(l->params.raw + used, sizeof(l->params.raw) - used))
		return fw_invalid(f, SA_FW_FAULT_RESERVED, SA_FW_FIELD_PARAMS, 0);
	if (op != SA_OP_ADD && !fw_all_zero(&l->in_b, sizeof(l->in_b)))
		return fw_invalid(f, SA_FW_FAULT_RESERVED, SA_FW_FIELD_IN_B, l->in_b.addr);
	if (!has_weights(op) && l->weights)
		return fw_invalid(f, SA_FW_FAULT_RESERVED, SA_FW_FIELD_WEIGHTS, l->weights);
	if (!has_weights(op) && l->bias)
		return fw_invalid(f, SA_FW_FAULT_RESERVED, SA_FW_FIELD_BIAS, l->bias);
	if (op == SA_OP_CONV && l->params.conv.out_channels > SA_TE_MAX_CHANNELS)
		return fw_invalid(f, SA_FW_FAULT_TOO_LARGE, SA_FW_FIELD_PARAMS, 0);
	if (op == SA_OP_FC && l->params.fc.out_features > SA_TE_MAX_CHANNELS)
		return fw_invalid(f, SA_FW_FAULT_TOO_LARGE, SA_FW_FIELD_PARAMS, 0);
	return 0;
}

int fw_validate_layer(uint8_t op, const struct sa_hw_layer *l, struct fw_fault *f)
{
	struct sa_shape in, in_b = {0}, out, computed;
	uint64_t in_bytes, in_b_bytes = 0, out_bytes;
	struct layer_cost cost;

	if (check_fields(op, l, f) || check_tensor(&l->in, SA_FW_FIELD_IN, &in, &in_bytes, f))
		return -1;
	if (op == SA_OP_ADD && check_tensor(&l->in_b, SA_FW_FIELD_IN_B, &in_b, &in_b_bytes, f))
		return -1;
	if (check_tensor(&l->out, SA_FW_FIELD_OUT, &out, &out_bytes, f))
		return -1;

	/* The output type is the descriptor's; the reference computes the shape. */
	computed = out;
	if (check_op(op, l, &in, &in_b, &computed))
		return fw_invalid(f, SA_FW_FAULT_PARAMS, SA_FW_FIELD_PARAMS, 0);
	if (!same_type_and_shape(&computed, &out))
		return fw_invalid(f, SA_FW_FAULT_SHAPE, SA_FW_FIELD_OUT, l->out.addr);

	layer_cost(op, l, &in, &out, &cost);
	if (has_weights(op) && !cost.bias_count && l->bias)
		return fw_invalid(f, SA_FW_FAULT_RESERVED, SA_FW_FIELD_BIAS, l->bias);
	if (cost.weight_count > SA_TE_MAX_WEIGHTS)
		return fw_invalid(f, SA_FW_FAULT_TOO_LARGE, SA_FW_FIELD_WEIGHTS, 0);
	if (cost.shift_adds > SA_TE_MAX_MACS)
		return fw_invalid(f, SA_FW_FAULT_TOO_LARGE, SA_FW_FIELD_PARAMS, 0);

	if (check_place(l->in.addr, in_bytes, elem_size(in.dtype), SA_FW_FIELD_IN, f) ||
	    (op == SA_OP_ADD &&
	     check_place(l->in_b.addr, in_b_bytes, elem_size(in_b.dtype), SA_FW_FIELD_IN_B, f)) ||
	    check_place(l->out.addr, out_bytes, elem_size(out.dtype), SA_FW_FIELD_OUT, f) ||
	    (cost.weight_bytes &&
	     check_place(l->weights, cost.weight_bytes, 1, SA_FW_FIELD_WEIGHTS, f)) ||
	    (cost.bias_count && check_place(l->bias, 4 * cost.bias_count, 4, SA_FW_FIELD_BIAS, f)))
		return -1;
	return 0;
}
