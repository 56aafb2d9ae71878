// SPDX-License-Identifier: MIT
/*
 * Descriptor validation (firmware/validate*.c): a valid descriptor of every
 * op passes, and each rule refuses what it should with the reason and the
 * field the driver will report.  Hostile descriptors (random bytes, huge
 * sizes, wrapping addresses) are refused without crashing (the tests run
 * under ASan/UBSan).
 */
#include <string.h>

#include "../check.h"
#include "fw_test.h"

#define VA_TOP (1ull << SA_MMU_VA_BITS)
#define ALL_OPS 0x7feu

static struct sa_hw_tensor tensor(uint64_t addr, uint32_t c, uint32_t h, uint32_t w, uint8_t dtype,
				  int8_t exp)
{
	return (struct sa_hw_tensor){
		.addr = addr, .c = c, .h = h, .w = w, .dtype = dtype, .exp = exp};
}

/* A layer descriptor of `op` from `in` to `out`, every other field zero. */
static struct sa_hw_desc layer(uint8_t op, struct sa_hw_tensor in, struct sa_hw_tensor out)
{
	struct sa_hw_desc d;

	memset(&d, 0, sizeof(d));
	d.opcode = op;
	d.u.layer.in = in;
	d.u.layer.out = out;
	return d;
}

static struct sa_hw_desc conv(void)
{
	struct sa_hw_desc d = layer(SA_OP_CONV, tensor(0x10000, 3, 8, 8, SA_DTYPE_I8, -4),
				    tensor(0x20000, 8, 8, 8, SA_DTYPE_I8, -3));
	struct sa_hw_layer *l = &d.u.layer;

	l->weights = 0x30000;
	l->bias = 0x40000;
	l->params.conv = (struct sa_conv_params){.kernel_h = 3,
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
						 .weight_base = -2,
						 .act = SA_ACT_RELU,
						 .flags = SA_PARAM_HAS_BIAS};
	return d;
}

static struct sa_hw_desc depthwise(void)
{
	struct sa_hw_desc d = conv();
	struct sa_conv_params *p = &d.u.layer.params.conv;

	d.u.layer.in = tensor(0x10000, 8, 8, 8, SA_DTYPE_I16, -6);
	d.u.layer.out = tensor(0x20000, 8, 4, 4, SA_DTYPE_I16, -6);
	p->groups = 8;
	p->stride_h = p->stride_w = 2;
	p->flags = 0;
	d.u.layer.bias = 0;
	return d;
}

static struct sa_hw_desc fc(void)
{
	struct sa_hw_desc d = layer(SA_OP_FC, tensor(0x10000, 16, 2, 2, SA_DTYPE_I8, -4),
				    tensor(0x20000, 10, 1, 1, SA_DTYPE_I16, -5));
	struct sa_hw_layer *l = &d.u.layer;

	l->weights = 0x30000;
	l->bias = 0x40000;
	l->params.fc = (struct sa_fc_params){.out_features = 10,
					     .weight_bits = 3,
					     .weight_base = -1,
					     .flags = SA_PARAM_HAS_BIAS};
	return d;
}

static struct sa_hw_desc pool(uint8_t op)
{
	uint32_t side = op == SA_OP_GLOBAL_AVGPOOL ? 1 : 4;
	struct sa_hw_desc d = layer(op, tensor(0x10000, 4, 8, 8, SA_DTYPE_I8, -3),
				    tensor(0x20000, 4, side, side, SA_DTYPE_I8, -3));

	if (op != SA_OP_GLOBAL_AVGPOOL)
		d.u.layer.params.pool = (struct sa_pool_params){
			.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2};
	return d;
}

static struct sa_hw_desc add(void)
{
	struct sa_hw_desc d = layer(SA_OP_ADD, tensor(0x10000, 4, 5, 5, SA_DTYPE_I8, -3),
				    tensor(0x20000, 4, 5, 5, SA_DTYPE_I8, -3));

	d.u.layer.in_b = tensor(0x11000, 4, 5, 5, SA_DTYPE_I8, -5);
	d.u.layer.params.add.act = SA_ACT_RELU6;
	return d;
}

static struct sa_hw_desc copy(uint64_t src, uint64_t dst, uint64_t len)
{
	struct sa_hw_desc d;

	memset(&d, 0, sizeof(d));
	d.opcode = SA_OP_COPY;
	d.u.copy.src = src;
	d.u.copy.dst = dst;
	d.u.copy.length = len;
	return d;
}

static struct sa_hw_desc wait(uint64_t addr, uint32_t cond)
{
	struct sa_hw_desc d;

	memset(&d, 0, sizeof(d));
	d.opcode = SA_OP_WAIT;
	d.u.wait.addr = addr;
	d.u.wait.value = 5;
	d.u.wait.cond = cond;
	return d;
}

/* Validates d: 0 if valid, else reason * 100 + field (stage is always VALIDATE). */
static int verdict(const struct sa_hw_desc *d)
{
	struct fw_fault f;

	memset(&f, 0xee, sizeof(f));
	if (fw_validate(d, ALL_OPS, &f) == 0)
		return 0;
	if (f.stage != SA_FW_STAGE_VALIDATE)
		return -1;
	return (int)(f.reason * 100 + f.detail);
}

#define V(reason, field) (SA_FW_FAULT_##reason * 100 + SA_FW_FIELD_##field)

TEST(valid_descriptors_of_every_op_pass)
{
	struct sa_hw_desc d = conv();

	CHECK_EQ_INT(verdict(&d), 0);
	d = depthwise();
	CHECK_EQ_INT(verdict(&d), 0);
	d = fc();
	CHECK_EQ_INT(verdict(&d), 0);
	d = pool(SA_OP_MAXPOOL);
	CHECK_EQ_INT(verdict(&d), 0);
	d = pool(SA_OP_AVGPOOL);
	CHECK_EQ_INT(verdict(&d), 0);
	d = pool(SA_OP_GLOBAL_AVGPOOL);
	CHECK_EQ_INT(verdict(&d), 0);
	d = add();
	CHECK_EQ_INT(verdict(&d), 0);
	d = copy(0x1000, 0x9000, 4096);
	CHECK_EQ_INT(verdict(&d), 0);
	d = wait(0x1000, SA_WAIT_GE);
	CHECK_EQ_INT(verdict(&d), 0);
	d = t_nop(SA_DESC_F_FENCE | SA_DESC_F_IRQ, 0x5008, 7);
	CHECK_EQ_INT(verdict(&d), 0);
	d = t_nop(0, 0, 0);
	d.opcode = SA_OP_FENCE;
	CHECK_EQ_INT(verdict(&d), 0);
}

TEST(header_rules)
{
	struct sa_hw_desc d = t_nop(0, 0, 0);
	struct fw_fault f;

	d.opcode = SA_OP_INVALID; /* a zeroed ring slot */
	CHECK_EQ_INT(verdict(&d), V(BAD_OPCODE, HEADER));
	d.opcode = SA_OP_COUNT;
	CHECK_EQ_INT(verdict(&d), V(BAD_OPCODE, HEADER));
	d.opcode = 0xff;
	CHECK_EQ_INT(verdict(&d), V(BAD_OPCODE, HEADER));
	/* An opcode the card does not announce in SA_REG_OPS is refused too. */
	d = copy(0x1000, 0x9000, 16);
	CHECK(fw_validate(&d, ALL_OPS & ~(1u << SA_OP_COPY), &f) != 0);
	CHECK_EQ_INT(f.reason, SA_FW_FAULT_BAD_OPCODE);
	CHECK_EQ_INT(f.addr, SA_OP_COPY);

	d = t_nop(0x4, 0, 0);
	CHECK_EQ_INT(verdict(&d), V(BAD_FLAGS, HEADER));
	d = t_nop(0, 0, 0);
	d.reserved0 = 1;
	CHECK_EQ_INT(verdict(&d), V(RESERVED, HEADER));
}

TEST(fence_address_rules)
{
	struct sa_hw_desc d = t_nop(SA_DESC_F_FENCE, 0x5004, 1);

	CHECK_EQ_INT(verdict(&d), V(ALIGN, FENCE));
	d = t_nop(SA_DESC_F_FENCE, VA_TOP, 1);
	CHECK_EQ_INT(verdict(&d), V(ADDRESS, FENCE));
	d = t_nop(SA_DESC_F_FENCE, VA_TOP - 8, 1);
	CHECK_EQ_INT(verdict(&d), 0);
	/* SA_OP_FENCE implies the fence. */
	d = t_nop(0, 0x5004, 1);
	d.opcode = SA_OP_FENCE;
	CHECK_EQ_INT(verdict(&d), V(ALIGN, FENCE));
	/* Without a fence the address is not used, so it is not checked. */
	d = t_nop(SA_DESC_F_IRQ, 0x5004, 1);
	CHECK_EQ_INT(verdict(&d), 0);
}

TEST(copy_rules)
{
	struct sa_hw_desc d = copy(0x1000, 0x9000, 0);

	CHECK_EQ_INT(verdict(&d), V(PARAMS, COPY_LENGTH));
	d = copy(0x1000, 0x4000000, SA_DMA_MAX_LEN + 1ull);
	CHECK_EQ_INT(verdict(&d), V(TOO_LARGE, COPY_LENGTH));
	d = copy(0x1000, 0x4000000, 1ull << 40);
	CHECK_EQ_INT(verdict(&d), V(TOO_LARGE, COPY_LENGTH));
	d = copy(VA_TOP - 16, 0x9000, 32);
	CHECK_EQ_INT(verdict(&d), V(ADDRESS, COPY_SRC));
	d = copy(UINT64_MAX - 7, 0x9000, 32); /* would wrap */
	CHECK_EQ_INT(verdict(&d), V(ADDRESS, COPY_SRC));
	d = copy(0x1000, VA_TOP - 8, 16);
	CHECK_EQ_INT(verdict(&d), V(ADDRESS, COPY_DST));
	d = copy(0x1000, 0x1800, 4096);
	CHECK_EQ_INT(verdict(&d), V(PARAMS, COPY_DST));
	d = copy(0x1000, 0x2000, 4096); /* adjacent is fine */
	CHECK_EQ_INT(verdict(&d), 0);
	d.u.copy.reserved[207] = 1;
	CHECK_EQ_INT(verdict(&d), V(RESERVED, BODY));
}

TEST(wait_rules)
{
	struct sa_hw_desc d = wait(0x1000, 0);

	CHECK_EQ_INT(verdict(&d), V(PARAMS, WAIT));
	d = wait(0x1000, 2);
	CHECK_EQ_INT(verdict(&d), V(PARAMS, WAIT));
	d = wait(0x1004, SA_WAIT_GE);
	CHECK_EQ_INT(verdict(&d), V(ALIGN, WAIT));
	d = wait(VA_TOP, SA_WAIT_GE);
	CHECK_EQ_INT(verdict(&d), V(ADDRESS, WAIT));
	d = wait(0x1000, SA_WAIT_GE);
	d.u.wait.reserved[0] = 9;
	CHECK_EQ_INT(verdict(&d), V(RESERVED, BODY));
}

TEST(bodies_of_fence_and_nop_must_be_zero)
{
	struct sa_hw_desc d = t_nop(0, 0, 0);

	d.u.raw[100] = 1;
	CHECK_EQ_INT(verdict(&d), V(RESERVED, BODY));
	d.opcode = SA_OP_FENCE;
	CHECK_EQ_INT(verdict(&d), V(RESERVED, BODY));
	/* Bytes of the union past the layer body are not the layer's either. */
	d = conv();
	d.u.raw[sizeof(struct sa_hw_layer)] = 1;
	CHECK_EQ_INT(verdict(&d), V(RESERVED, BODY));
}

TEST(tensor_rules)
{
	struct sa_hw_desc d = conv();

	d.u.layer.in.reserved = 1;
	CHECK_EQ_INT(verdict(&d), V(RESERVED, IN));
	d = conv();
	d.u.layer.in.dtype = SA_DTYPE_I32;
	CHECK_EQ_INT(verdict(&d), V(PARAMS, IN));
	d = conv();
	d.u.layer.out.h = 0;
	CHECK_EQ_INT(verdict(&d), V(PARAMS, OUT));
	/* 65536^3 elements: rejected without overflowing the size computation. */
	d = conv();
	d.u.layer.in.c = d.u.layer.in.h = d.u.layer.in.w = 65536;
	CHECK_EQ_INT(verdict(&d), V(TOO_LARGE, IN));
	d = conv();
	d.u.layer.in.c = d.u.layer.in.h = d.u.layer.in.w = UINT32_MAX;
	CHECK_EQ_INT(verdict(&d), V(TOO_LARGE, IN));
	/* Exactly 8 MiB is allowed, one more element is not. */
	d = pool(SA_OP_MAXPOOL);
	d.u.layer.in = tensor(0x100000, 2, 2048, 1024, SA_DTYPE_I16, 0);
	d.u.layer.out = tensor(0x2000000, 2, 1024, 512, SA_DTYPE_I16, 0);
	CHECK_EQ_INT(verdict(&d), 0);
	d.u.layer.in.w = 1025;
	CHECK_EQ_INT(verdict(&d), V(TOO_LARGE, IN));
}

TEST(unused_operands_must_be_zero)
{
	struct sa_hw_desc d = conv();

	d.u.layer.in_b.addr = 0x1000;
	CHECK_EQ_INT(verdict(&d), V(RESERVED, IN_B));
	d = pool(SA_OP_MAXPOOL);
	d.u.layer.weights = 0x30000;
	CHECK_EQ_INT(verdict(&d), V(RESERVED, WEIGHTS));
	d = pool(SA_OP_AVGPOOL);
	d.u.layer.bias = 0x40000;
	CHECK_EQ_INT(verdict(&d), V(RESERVED, BIAS));
	/* A bias address without SA_PARAM_HAS_BIAS. */
	d = conv();
	d.u.layer.params.conv.flags = 0;
	CHECK_EQ_INT(verdict(&d), V(RESERVED, BIAS));
	/* Parameter bytes past the op's struct. */
	d = pool(SA_OP_MAXPOOL);
	d.u.layer.params.raw[20] = 1;
	CHECK_EQ_INT(verdict(&d), V(RESERVED, PARAMS));
	d = pool(SA_OP_GLOBAL_AVGPOOL);
	d.u.layer.params.raw[0] = 1;
	CHECK_EQ_INT(verdict(&d), V(RESERVED, PARAMS));
}

TEST(op_rules_are_the_reference_ones)
{
	struct sa_hw_desc d = conv();

	d.u.layer.params.conv.stride_h = 0;
	CHECK_EQ_INT(verdict(&d), V(PARAMS, PARAMS));
	d = conv();
	d.u.layer.params.conv.groups = 2; /* does not divide 3 input channels */
	CHECK_EQ_INT(verdict(&d), V(PARAMS, PARAMS));
	d = conv();
	d.u.layer.params.conv.weight_bits = 6;
	CHECK_EQ_INT(verdict(&d), V(PARAMS, PARAMS));
	d = conv();
	d.u.layer.out.exp = 60; /* requantisation shift out of range */
	CHECK_EQ_INT(verdict(&d), V(PARAMS, PARAMS));
	d = pool(SA_OP_AVGPOOL);
	d.u.layer.params.pool.pad_left = d.u.layer.params.pool.kernel_w; /* padding >= kernel */
	CHECK_EQ_INT(verdict(&d), V(PARAMS, PARAMS));
	d = add();
	d.u.layer.in_b.w = 4;
	CHECK_EQ_INT(verdict(&d), V(PARAMS, PARAMS));
	d = fc();
	d.u.layer.params.fc.reserved[1] = 1;
	CHECK_EQ_INT(verdict(&d), V(PARAMS, PARAMS));
}

TEST(declared_output_must_match)
{
	struct sa_hw_desc d = conv();

	d.u.layer.out.h = 7;
	CHECK_EQ_INT(verdict(&d), V(SHAPE, OUT));
	d = fc();
	d.u.layer.out.c = 11;
	CHECK_EQ_INT(verdict(&d), V(SHAPE, OUT));
	/* Pools keep the input's type and scale. */
	d = pool(SA_OP_MAXPOOL);
	d.u.layer.out.exp = -2;
	CHECK_EQ_INT(verdict(&d), V(SHAPE, OUT));
	d = pool(SA_OP_GLOBAL_AVGPOOL);
	d.u.layer.out.dtype = SA_DTYPE_I16;
	CHECK_EQ_INT(verdict(&d), V(SHAPE, OUT));
}

TEST(engine_limits)
{
	struct sa_hw_desc d = fc();

	d.u.layer.params.fc.out_features = SA_TE_MAX_CHANNELS + 1;
	d.u.layer.out.c = SA_TE_MAX_CHANNELS + 1;
	CHECK_EQ_INT(verdict(&d), V(TOO_LARGE, PARAMS));
	/* 4096 inputs x 2048 outputs = 8 Mi weights, over the 4 Mi limit. */
	d = fc();
	d.u.layer.in = tensor(0x10000, 4096, 1, 1, SA_DTYPE_I8, -4);
	d.u.layer.params.fc.out_features = 2048;
	d.u.layer.out.c = 2048;
	CHECK_EQ_INT(verdict(&d), V(TOO_LARGE, WEIGHTS));
	/* 128 -> 128 channels 3x3 on 128x128: 2.4e9 shift-adds, over 2^30. */
	d = conv();
	d.u.layer.in = tensor(0x10000, 128, 128, 128, SA_DTYPE_I8, -4);
	d.u.layer.out = tensor(0x400000, 128, 128, 128, SA_DTYPE_I8, -3);
	d.u.layer.params.conv.out_channels = 128;
	CHECK_EQ_INT(verdict(&d), V(TOO_LARGE, PARAMS));
}

TEST(alignment_and_address_ranges)
{
	struct sa_hw_desc d = depthwise();

	d.u.layer.in.addr = 0x10001; /* int16 tensor */
	CHECK_EQ_INT(verdict(&d), V(ALIGN, IN));
	d = depthwise();
	d.u.layer.out.addr = 0x20003;
	CHECK_EQ_INT(verdict(&d), V(ALIGN, OUT));
	d = conv(); /* int8 tensors may start anywhere */
	d.u.layer.in.addr = 0x10001;
	CHECK_EQ_INT(verdict(&d), 0);
	d.u.layer.bias = 0x40002;
	CHECK_EQ_INT(verdict(&d), V(ALIGN, BIAS));
	d = conv();
	d.u.layer.out.addr = VA_TOP - 100; /* 512 bytes do not fit below 2^39 */
	CHECK_EQ_INT(verdict(&d), V(ADDRESS, OUT));
	d = conv();
	d.u.layer.weights = UINT64_MAX - 10;
	CHECK_EQ_INT(verdict(&d), V(ADDRESS, WEIGHTS));
	d = add();
	d.u.layer.in_b.addr = VA_TOP;
	CHECK_EQ_INT(verdict(&d), V(ADDRESS, IN_B));
	d = fc();
	d.u.layer.bias = VA_TOP - 4 * 9; /* 10 biases need 40 bytes */
	CHECK_EQ_INT(verdict(&d), V(ADDRESS, BIAS));
}

/* xorshift32: the failures reproduce. */
static uint32_t rnd(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

TEST(random_garbage_is_refused_cleanly)
{
	uint32_t seed = 0x5eed1234;
	uint32_t accepted = 0;

	for (int i = 0; i < 20000; i++) {
		struct sa_hw_desc d;
		struct fw_fault f;
		uint8_t *b = (uint8_t *)&d;

		for (size_t k = 0; k < sizeof(d); k++)
			b[k] = (uint8_t)rnd(&seed);
		/* Half of them get a real opcode, so the op rules see garbage too. */
		if (i % 2)
			d.opcode = (uint8_t)(1 + rnd(&seed) % (SA_OP_COUNT - 1));
		memset(&f, 0, sizeof(f));
		if (fw_validate(&d, ALL_OPS, &f) == 0) {
			accepted++;
			continue;
		}
		CHECK_EQ_INT(f.stage, SA_FW_STAGE_VALIDATE);
		CHECK(f.reason >= SA_FW_FAULT_BAD_OPCODE && f.reason <= SA_FW_FAULT_TOO_LARGE);
		CHECK(f.detail <= SA_FW_FIELD_BODY);
	}
	/* Random bytes in 232 reserved or checked body bytes essentially never pass. */
	CHECK_EQ_INT(accepted, 0);
}

TEST(layers_mutated_one_field_at_a_time_never_crash)
{
	const struct sa_hw_desc base[] = {conv(),
					  depthwise(),
					  fc(),
					  pool(SA_OP_MAXPOOL),
					  pool(SA_OP_AVGPOOL),
					  pool(SA_OP_GLOBAL_AVGPOOL),
					  add()};
	uint32_t seed = 77;

	for (size_t k = 0; k < sizeof(base) / sizeof(base[0]); k++) {
		for (int i = 0; i < 3000; i++) {
			struct sa_hw_desc d = base[k];
			uint8_t *b = (uint8_t *)&d.u.layer;
			uint32_t at = rnd(&seed) % sizeof(d.u.layer);
			struct fw_fault f;

			/* Extreme bytes where they hurt most: sizes, shifts, addresses. */
			b[at] = (uint8_t)((i & 1) ? 0xff : rnd(&seed));
			if (fw_validate(&d, ALL_OPS, &f) != 0) {
				CHECK_EQ_INT(f.stage, SA_FW_STAGE_VALIDATE);
				CHECK(f.reason >= SA_FW_FAULT_BAD_OPCODE &&
				      f.reason <= SA_FW_FAULT_TOO_LARGE);
			}
		}
	}
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(valid_descriptors_of_every_op_pass);
	RUN(header_rules);
	RUN(fence_address_rules);
	RUN(copy_rules);
	RUN(wait_rules);
	RUN(bodies_of_fence_and_nop_must_be_zero);
	RUN(tensor_rules);
	RUN(unused_operands_must_be_zero);
	RUN(op_rules_are_the_reference_ones);
	RUN(declared_output_must_match);
	RUN(engine_limits);
	RUN(alignment_and_address_ranges);
	RUN(random_garbage_is_refused_cleanly);
	RUN(layers_mutated_one_field_at_a_time_never_crash);
	CHECK_MAIN_END();
}
