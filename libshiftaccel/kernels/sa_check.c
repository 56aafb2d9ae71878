// SPDX-License-Identifier: MIT
/*
 * Parameter validation and output shapes of every op (docs/numerics.md).
 *
 * The .dsm reader, the builder and every backend call these, so a model that
 * passes them can run anywhere: the limits checked here are exactly what
 * keeps the int64 accumulator of the reference kernels from overflowing and
 * every index inside its tensor.  Messages are static strings (no
 * allocation, no formatting) so that firmware-like callers can use them too;
 * callers add the node and tensor that the message is about.
 */
#include "sa_kernels.h"

uint32_t sa_window_out(uint32_t in, uint32_t kernel, uint32_t stride, uint32_t pad0, uint32_t pad1,
		       uint32_t dilation)
{
	if (kernel == 0 || stride == 0 || dilation == 0)
		return 0;
	uint64_t padded = (uint64_t)in + pad0 + pad1;
	uint64_t span = (uint64_t)dilation * (kernel - 1) + 1;
	if (span > padded)
		return 0;
	uint64_t out = (padded - span) / stride + 1;
	return out > UINT32_MAX ? 0 : (uint32_t)out;
}

static int dtype_is_activation(uint8_t dtype)
{
	return dtype == SA_DTYPE_I8 || dtype == SA_DTYPE_I16;
}

static int exp_in_range(int exp)
{
	return exp >= SA_EXP_MIN && exp <= SA_EXP_MAX;
}

static int act_is_valid(uint8_t act)
{
	return act == SA_ACT_NONE || act == SA_ACT_RELU || act == SA_ACT_RELU6;
}

static int requant_shift_ok(int r)
{
	return r >= SA_REQUANT_SHIFT_MIN && r <= SA_REQUANT_SHIFT_MAX;
}

/* The rules every activation tensor obeys: non-empty, int8/int16, exponent in range. */
static const char *check_activation(const struct sa_shape *s)
{
	if (s->c == 0 || s->h == 0 || s->w == 0)
		return "input tensor has a zero dimension";
	if (!dtype_is_activation(s->dtype))
		return "input tensor dtype is not i8 or i16";
	if (!exp_in_range(s->exp))
		return "input tensor exponent is outside [SA_EXP_MIN, SA_EXP_MAX]";
	return NULL;
}

/* The caller-chosen output type of conv, fc and add. */
static const char *check_output_type(const struct sa_shape *out)
{
	if (!dtype_is_activation(out->dtype))
		return "output dtype is not i8 or i16";
	if (!exp_in_range(out->exp))
		return "output exponent is outside [SA_EXP_MIN, SA_EXP_MAX]";
	return NULL;
}

/* Weight code parameters shared by conv and fc. */
static const char *check_weight_code(uint8_t bits, int8_t base, uint8_t act, uint8_t flags)
{
	if (bits < SA_WEIGHT_BITS_MIN || bits > SA_WEIGHT_BITS_MAX)
		return "weight_bits is outside [SA_WEIGHT_BITS_MIN, SA_WEIGHT_BITS_MAX] (2..5)";
	if (base < SA_WEIGHT_BASE_MIN || base > SA_WEIGHT_BASE_MAX)
		return "weight_base is outside [SA_WEIGHT_BASE_MIN, SA_WEIGHT_BASE_MAX] (-31..15)";
	if (!act_is_valid(act))
		return "unknown activation (act is not SA_ACT_NONE, SA_ACT_RELU or SA_ACT_RELU6)";
	if (flags & ~SA_PARAM_HAS_BIAS)
		return "unknown flag bits set (only SA_PARAM_HAS_BIAS is defined)";
	return NULL;
}

/*
 * What conv and fc check alike once their own parameters are fine: the weight
 * code, the output type, and the requantisation shift from the accumulator
 * scale (in exp + weight_base) to the output; `shift_err` is the op's message.
 */
static const char *check_weighted_output(const struct sa_shape *in, uint8_t bits, int8_t base,
					 uint8_t act, uint8_t flags, const struct sa_shape *out,
					 const char *shift_err)
{
	const char *err = check_weight_code(bits, base, act, flags);
	if (err)
		return err;
	err = check_output_type(out);
	if (err)
		return err;
	if (!requant_shift_ok(out->exp - (in->exp + base)))
		return shift_err;
	return NULL;
}

const char *sa_check_conv(const struct sa_shape *in, const struct sa_conv_params *p,
			  struct sa_shape *out)
{
	const char *err = check_activation(in);
	if (err)
		return err;
	if (p->kernel_h == 0 || p->kernel_w == 0)
		return "conv: kernel size is zero";
	if (p->stride_h == 0 || p->stride_w == 0)
		return "conv: stride is zero";
	if (p->dilation_h == 0 || p->dilation_w == 0)
		return "conv: dilation is zero";
	if (p->out_channels == 0)
		return "conv: out_channels is zero";
	if (p->groups == 0)
		return "conv: groups is zero";
	if (in->c % p->groups != 0)
		return "conv: groups does not divide the input channels";
	if (p->out_channels % p->groups != 0)
		return "conv: groups does not divide out_channels";
	uint64_t fan_in = (uint64_t)(in->c / p->groups) * p->kernel_h * p->kernel_w;
	if (fan_in > SA_MAX_FAN_IN)
		return "conv: fan-in (in_channels / groups * kernel_h * kernel_w) exceeds "
		       "SA_MAX_FAN_IN";
	err = check_weighted_output(in, p->weight_bits, p->weight_base, p->act, p->flags, out,
				    "conv: requantisation shift (out exp - in exp - weight_base) "
				    "is outside [-8, 62]");
	if (err)
		return err;

	uint32_t oh = sa_window_out(in->h, p->kernel_h, p->stride_h, p->pad_top, p->pad_bottom,
				    p->dilation_h);
	uint32_t ow = sa_window_out(in->w, p->kernel_w, p->stride_w, p->pad_left, p->pad_right,
				    p->dilation_w);
	if (oh == 0)
		return "conv: the dilated kernel is taller than the padded input";
	if (ow == 0)
		return "conv: the dilated kernel is wider than the padded input";
	out->c = p->out_channels;
	out->h = oh;
	out->w = ow;
	return NULL;
}

const char *sa_check_fc(const struct sa_shape *in, const struct sa_fc_params *p,
			struct sa_shape *out)
{
	const char *err = check_activation(in);
	if (err)
		return err;
	if (p->out_features == 0)
		return "fc: out_features is zero";
	if ((uint64_t)in->c * in->h * in->w > SA_MAX_FAN_IN)
		return "fc: fan-in (input C*H*W) exceeds SA_MAX_FAN_IN";
	if (p->reserved[0] != 0 || p->reserved[1] != 0)
		return "fc: reserved parameter fields are not zero";
	err = check_weighted_output(in, p->weight_bits, p->weight_base, p->act, p->flags, out,
				    "fc: requantisation shift (out exp - in exp - weight_base) "
				    "is outside [-8, 62]");
	if (err)
		return err;
	out->c = p->out_features;
	out->h = 1;
	out->w = 1;
	return NULL;
}

/* Window rules shared by max and average pooling; fills out's shape and type. */
static const char *check_pool_window(const struct sa_shape *in, const struct sa_pool_params *p,
				     struct sa_shape *out)
{
	const char *err = check_activation(in);
	if (err)
		return err;
	if (p->kernel_h == 0 || p->kernel_w == 0)
		return "pool: kernel size is zero";
	if (p->stride_h == 0 || p->stride_w == 0)
		return "pool: stride is zero";
	/* Padding smaller than the kernel keeps at least one real element in every window. */
	if (p->pad_top >= p->kernel_h || p->pad_bottom >= p->kernel_h)
		return "pool: vertical padding is not smaller than kernel_h";
	if (p->pad_left >= p->kernel_w || p->pad_right >= p->kernel_w)
		return "pool: horizontal padding is not smaller than kernel_w";
	if ((uint32_t)p->kernel_h * p->kernel_w > SA_MAX_POOL_AREA)
		return "pool: window area (kernel_h * kernel_w) exceeds SA_MAX_POOL_AREA";

	uint32_t oh = sa_window_out(in->h, p->kernel_h, p->stride_h, p->pad_top, p->pad_bottom, 1);
	uint32_t ow = sa_window_out(in->w, p->kernel_w, p->stride_w, p->pad_left, p->pad_right, 1);
	if (oh == 0)
		return "pool: the kernel is taller than the padded input";
	if (ow == 0)
		return "pool: the kernel is wider than the padded input";
	out->c = in->c;
	out->h = oh;
	out->w = ow;
	out->dtype = in->dtype;
	out->exp = in->exp;
	return NULL;
}

const char *sa_check_maxpool(const struct sa_shape *in, const struct sa_pool_params *p,
			     struct sa_shape *out)
{
	return check_pool_window(in, p, out);
}

const char *sa_check_avgpool(const struct sa_shape *in, const struct sa_pool_params *p,
			     struct sa_shape *out)
{
	/*
	 * Any area up to SA_MAX_POOL_AREA: the mean is a rounded division that
	 * the card does by shift-and-subtract (sa_div_round), no divider needed.
	 */
	return check_pool_window(in, p, out);
}

const char *sa_check_global_avgpool(const struct sa_shape *in, struct sa_shape *out)
{
	const char *err = check_activation(in);
	if (err)
		return err;
	if ((uint64_t)in->h * in->w > SA_MAX_POOL_AREA)
		return "global_avgpool: input area (H * W) exceeds SA_MAX_POOL_AREA";
	out->c = in->c;
	out->h = 1;
	out->w = 1;
	out->dtype = in->dtype;
	out->exp = in->exp;
	return NULL;
}

const char *sa_check_add(const struct sa_shape *a, const struct sa_shape *b,
			 const struct sa_add_params *p, struct sa_shape *out)
{
	const char *err = check_activation(a);
	if (err)
		return err;
	err = check_activation(b);
	if (err)
		return err;
	if (a->c != b->c || a->h != b->h || a->w != b->w)
		return "add: the two inputs have different shapes";
	int ediff = a->exp > b->exp ? a->exp - b->exp : b->exp - a->exp;
	if (ediff > SA_ADD_MAX_EXP_DIFF)
		return "add: input exponents differ by more than SA_ADD_MAX_EXP_DIFF (16)";
	if (!act_is_valid(p->act))
		return "unknown activation (act is not SA_ACT_NONE, SA_ACT_RELU or SA_ACT_RELU6)";
	for (size_t i = 0; i < sizeof(p->reserved); i++) {
		if (p->reserved[i] != 0)
			return "add: reserved parameter fields are not zero";
	}
	err = check_output_type(out);
	if (err)
		return err;
	int m = a->exp < b->exp ? a->exp : b->exp;
	if (!requant_shift_ok(out->exp - m))
		return "add: requantisation shift (out exp - min(input exps)) is outside [-8, 62]";
	out->c = a->c;
	out->h = a->h;
	out->w = a->w;
	return NULL;
}

/*
 * What concat and clip share: an activation, a fused act, zero reserved
 * bytes, a valid output type, and an input exponent within
 * SA_ADD_MAX_EXP_DIFF of the output's (so the requantising shift keeps
 * |q << 16| <= 2^31); the two messages are the op's own.
 */
static const char *check_requant_copy(const struct sa_shape *in, uint8_t act, const sa_u8 *reserved,
				      size_t n_reserved, const struct sa_shape *out,
				      const char *exp_err, const char *reserved_err)
{
	const char *err = check_activation(in);
	if (err)
		return err;
	if (!act_is_valid(act))
		return "unknown activation (act is not SA_ACT_NONE, SA_ACT_RELU or SA_ACT_RELU6)";
	for (size_t i = 0; i < n_reserved; i++) {
		if (reserved[i] != 0)
			return reserved_err;
	}
	err = check_output_type(out);
	if (err)
		return err;
	int ediff = out->exp > in->exp ? out->exp - in->exp : in->exp - out->exp;
	if (ediff > SA_ADD_MAX_EXP_DIFF)
		return exp_err;
	return NULL;
}

const char *sa_check_concat(const struct sa_shape *a, const struct sa_shape *b,
			    const struct sa_concat_params *p, struct sa_shape *out)
{
	static const char exp_err[] =
		"concat: an input exponent differs from the output's by more than "
		"SA_ADD_MAX_EXP_DIFF (16)";
	static const char res_err[] = "concat: reserved parameter fields are not zero";
	const char *err = check_requant_copy(a, p->act, p->reserved, sizeof(p->reserved), out,
					     exp_err, res_err);
	if (err)
		return err;
	err = check_requant_copy(b, p->act, p->reserved, sizeof(p->reserved), out, exp_err,
				 res_err);
	if (err)
		return err;
	if (a->h != b->h || a->w != b->w)
		return "concat: the two inputs have different heights or widths";
	/* The activation limits bound the result; this only keeps the sum in range. */
	if ((uint64_t)a->c + b->c > UINT32_MAX)
		return "concat: too many channels";
	out->c = a->c + b->c;
	out->h = a->h;
	out->w = a->w;
	return NULL;
}

const char *sa_check_clip(const struct sa_shape *in, const struct sa_clip_params *p,
			  struct sa_shape *out)
{
	const char *err = check_requant_copy(
		in, p->act, p->reserved, sizeof(p->reserved), out,
		"clip: the input exponent differs from the output's by more than "
		"SA_ADD_MAX_EXP_DIFF (16)",
		"clip: reserved parameter fields are not zero");
	if (err)
		return err;
	out->c = in->c;
	out->h = in->h;
	out->w = in->w;
	return NULL;
}
