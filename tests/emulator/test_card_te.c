// SPDX-License-Identifier: MIT
/*
 * The tensor engine, programmed through its CP-side registers: every op
 * bit-exact against the reference kernels on random shapes (odd sizes,
 * padding, strides, dilation, groups, depthwise, int8/int16, 2..5-bit
 * weights, biases, activations), on the fast conv/fc kernels and on the
 * reference ones, the cycle model and the counters, command validation, MMU
 * faults that write nothing, and START semantics.
 */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "../../emulator/card_internal.h"
#include "../../libshiftaccel/src/cpu_fast.h"
#include "card_harness.h"
#include "te_cases.h"

#define CASES_PER_OP 40
#define TE_STATUS (SA_CP_TE_BASE + SA_CP_TE_STATUS)
#define TE_ERR(e) (SA_ENGINE_ERROR | (e) << 8)

static const char *const op_names[] = {"", "conv", "fc", "maxpool", "avgpool", "gavgpool", "add"};

static uint64_t te_cycles_reg(struct harness *h)
{
	uint32_t lo = h_cp_rd32(h, SA_CP_TE_BASE + SA_CP_TE_LAST_CYCLES_LO);

	return (uint64_t)h_cp_rd32(h, SA_CP_TE_BASE + SA_CP_TE_LAST_CYCLES_HI) << 32 | lo;
}

static void run_random_op(uint8_t op, uint32_t seed0)
{
	struct harness *h = h_create(4, false);
	uint64_t root = h_context(h, 7), next_va = 0x40000000;
	uint64_t cycles = 0, shift_adds = 0, bytes_in = 0, bytes_out = 0;
	uint32_t seed = seed0, fast_cases = 0;

	for (int i = 0; i < CASES_PER_OP; i++) {
		struct te_case c;
		uint64_t clock = h_rd64(h, SA_REG_PERF(SA_PERF_CYCLES));

		te_case_random(&c, op, &seed);
		te_case_place(h, root, 7, &c, &next_va, &seed);
		h_cp_wr32(h, SA_CP_INTC_BASE + SA_CP_INTC_PENDING, SA_CP_IRQ_ALL);
		uint32_t status = h_te_run(h, &c.cmd);
		int ok = status == SA_ENGINE_DONE && te_case_output_ok(h, &c) &&
			 te_cycles_reg(h) == te_case_cycles(&c) &&
			 /* the engine was busy for exactly its modelled time */
			 h_rd64(h, SA_REG_PERF(SA_PERF_CYCLES)) - clock == te_case_cycles(&c) &&
			 (h_cp_rd32(h, SA_CP_INTC_BASE + SA_CP_INTC_PENDING) & SA_CP_IRQ_TE_DONE);

		if (!ok) {
			fprintf(stderr,
				"  %s case %d (seed %u): status 0x%x, in %ux%ux%u dt%u e%d, out "
				"%ux%ux%u dt%u e%d, cycles %llu expected %llu\n",
				op_names[op], i, seed0, status, c.in.c, c.in.h, c.in.w, c.in.dtype,
				c.in.exp, c.out.c, c.out.h, c.out.w, c.out.dtype, c.out.exp,
				(unsigned long long)te_cycles_reg(h),
				(unsigned long long)te_case_cycles(&c));
			check_failed_in_test = 1;
			te_case_free(&c);
			break;
		}
		cycles += te_case_cycles(&c);
		shift_adds += te_case_shift_adds(&c);
		bytes_in += c.x_bytes + c.xb_bytes + c.w_packed_bytes +
			    (c.bias ? 4 * (uint64_t)c.out.c : 0);
		bytes_out += c.y_bytes;
		/* conv and fc run on the fast kernels exactly when int32 is exact */
		if ((op == SA_OP_CONV || op == SA_OP_FC) && c.out.c &&
		    sa_fast_acc_fits_int32(c.w, c.bias, c.out.c, c.nw / c.out.c, c.in.dtype))
			fast_cases++;
		te_case_free(&c);
	}
	if (!check_failed_in_test && (op == SA_OP_CONV || op == SA_OP_FC)) {
		CHECK(fast_cases > 0);		  /* the fast kernels ran */
		CHECK(fast_cases < CASES_PER_OP); /* and so did the reference kernel */
	}
	if (!check_failed_in_test) {
		CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_TE_OPS)), CASES_PER_OP);
		CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_TE_CYCLES)), cycles);
		CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_TE_SHIFT_ADDS)), shift_adds);
		CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_TE_BYTES_READ)), bytes_in);
		CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_TE_BYTES_WRITTEN)), bytes_out);
		CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_TE_ERRORS)), 0);
		CHECK_EQ_INT(h_rd32(h, SA_REG_FAULT_COUNT), 0);
	}
	h_destroy(h);
}

TEST(conv_bit_exact)
{
	run_random_op(SA_OP_CONV, 1001);
}

TEST(fc_bit_exact)
{
	run_random_op(SA_OP_FC, 2002);
}

TEST(maxpool_bit_exact)
{
	run_random_op(SA_OP_MAXPOOL, 3003);
}

TEST(avgpool_bit_exact)
{
	run_random_op(SA_OP_AVGPOOL, 4004);
}

TEST(global_avgpool_bit_exact)
{
	run_random_op(SA_OP_GLOBAL_AVGPOOL, 5005);
}

TEST(add_bit_exact)
{
	run_random_op(SA_OP_ADD, 6006);
}

/* One valid conv placed in a fresh card, for the tests that break it. */
struct fixture {
	struct harness *h;
	uint64_t root, next_va;
	struct te_case c;
	uint32_t seed;
};

static void fixture_init(struct fixture *f, uint8_t op, uint32_t seed)
{
	f->h = h_create(4, false);
	f->root = h_context(f->h, 3);
	f->next_va = 0x100000;
	f->seed = seed;
	do {
		te_case_random(&f->c, op, &f->seed);
		if (op != SA_OP_CONV || f->c.bias)
			break;
		te_case_free(&f->c); /* want a conv with a bias */
	} while (1);
	te_case_place(f->h, f->root, 3, &f->c, &f->next_va, &f->seed);
}

static void fixture_fini(struct fixture *f)
{
	te_case_free(&f->c);
	h_destroy(f->h);
}

/* Breaks one thing in a valid conv command; returns the status the engine must report. */
static uint32_t break_command(struct sa_hw_te_cmd *c, int which)
{
	struct sa_hw_layer *l = &c->layer;

	switch (which) {
	case 0: c->op = SA_OP_INVALID; return TE_ERR(SA_ENGINE_ERR_BAD_OP);
	case 1:
		c->op = SA_OP_COPY; /* a descriptor op, not an engine command */
		return TE_ERR(SA_ENGINE_ERR_BAD_OP);
	case 2: c->op = 200; return TE_ERR(SA_ENGINE_ERR_BAD_OP);
	case 3: c->flags = 1; return TE_ERR(SA_ENGINE_ERR_BAD_PARAMS);
	case 4: c->reserved = 1; return TE_ERR(SA_ENGINE_ERR_BAD_PARAMS);
	case 5: l->out.reserved = 1; return TE_ERR(SA_ENGINE_ERR_BAD_PARAMS);
	case 6: l->in.dtype = SA_DTYPE_I32; return TE_ERR(SA_ENGINE_ERR_BAD_PARAMS);
	case 7: l->in.h = 0; return TE_ERR(SA_ENGINE_ERR_BAD_PARAMS);
	case 8:
		l->in_b.addr = 0x1000; /* conv has no second input */
		return TE_ERR(SA_ENGINE_ERR_BAD_PARAMS);
	case 9:
		l->params.conv.flags = 0; /* a bias address without SA_PARAM_HAS_BIAS */
		return TE_ERR(SA_ENGINE_ERR_BAD_PARAMS);
	case 10: l->params.conv.stride_w = 0; return TE_ERR(SA_ENGINE_ERR_BAD_PARAMS);
	case 11: l->params.conv.weight_bits = 6; return TE_ERR(SA_ENGINE_ERR_BAD_PARAMS);
	case 12: l->params.conv.act = 9; return TE_ERR(SA_ENGINE_ERR_BAD_PARAMS);
	case 13: l->out.h += 1; return TE_ERR(SA_ENGINE_ERR_SHAPE);
	case 14: l->out.c += 1; return TE_ERR(SA_ENGINE_ERR_SHAPE);
	case 15:
		l->in.c = 4096; /* 16 MiB of input */
		l->in.h = 4096;
		l->in.w = 1;
		return TE_ERR(SA_ENGINE_ERR_TOO_LARGE);
	case 16:
		l->in.c = 0xffffffff; /* a byte count that wraps 64 bits */
		l->in.h = 0xffffffff;
		l->in.w = 0xffffffff;
		return TE_ERR(SA_ENGINE_ERR_TOO_LARGE);
	default: l->params.conv.out_channels = 70000; return TE_ERR(SA_ENGINE_ERR_TOO_LARGE);
	}
}

#define BROKEN_COMMANDS 18

TEST(command_validation)
{
	struct fixture f;
	uint64_t clock;

	fixture_init(&f, SA_OP_CONV, 77);
	clock = h_rd64(f.h, SA_REG_PERF(SA_PERF_CYCLES));
	for (int i = 0; i < BROKEN_COMMANDS; i++) {
		struct sa_hw_te_cmd cmd = f.c.cmd;
		uint32_t expected = break_command(&cmd, i);
		uint32_t status = h_te_run(f.h, &cmd);

		if (status != expected)
			fprintf(stderr, "  broken command %d: status 0x%x\n", i, status);
		CHECK_EQ_INT(status, expected);
		CHECK_EQ_INT(te_cycles_reg(f.h), 0);
	}
	/* Rejected at START: no time passed, nothing was read or written, all counted. */
	CHECK_EQ_INT(h_rd64(f.h, SA_REG_PERF(SA_PERF_CYCLES)), clock);
	CHECK_EQ_INT(f.h->dma_write_bytes, 0);
	CHECK_EQ_INT(h_rd64(f.h, SA_REG_PERF(SA_PERF_TE_ERRORS)), BROKEN_COMMANDS);
	CHECK_EQ_INT(h_rd64(f.h, SA_REG_PERF(SA_PERF_TE_OPS)), 0);
	/* The unmodified command still runs. */
	CHECK_EQ_INT(h_te_run(f.h, &f.c.cmd), SA_ENGINE_DONE);
	CHECK(te_case_output_ok(f.h, &f.c));
	fixture_fini(&f);
}

TEST(reserved_fields_of_other_ops)
{
	struct fixture f;

	struct sa_hw_te_cmd cmd;

	fixture_init(&f, SA_OP_MAXPOOL, 12);
	cmd = f.c.cmd;
	cmd.layer.weights = 0x1000; /* pooling has no weights */
	CHECK_EQ_INT(h_te_run(f.h, &cmd), TE_ERR(SA_ENGINE_ERR_BAD_PARAMS));
	cmd = f.c.cmd;
	cmd.layer.params.raw[20] = 1; /* past struct sa_pool_params */
	CHECK_EQ_INT(h_te_run(f.h, &cmd), TE_ERR(SA_ENGINE_ERR_BAD_PARAMS));
	/* Pooling keeps the input's type: another output exponent is a shape error. */
	cmd = f.c.cmd;
	cmd.layer.out.exp += 1;
	CHECK_EQ_INT(h_te_run(f.h, &cmd), TE_ERR(SA_ENGINE_ERR_SHAPE));
	CHECK_EQ_INT(h_te_run(f.h, &f.c.cmd), SA_ENGINE_DONE);
	CHECK(te_case_output_ok(f.h, &f.c));
	fixture_fini(&f);
}

TEST(too_many_shift_adds)
{
	struct harness *h = h_create(4, false);
	struct sa_hw_te_cmd cmd = {.op = SA_OP_CONV, .context = 1};
	struct sa_conv_params *p = &cmd.layer.params.conv;

	/* 64x64x64 in, 3x3, 512 out channels: 1.2e9 shift-adds > 2^30. */
	cmd.layer.in = (struct sa_hw_tensor){
		.addr = 0x1000, .c = 64, .h = 64, .w = 64, .dtype = SA_DTYPE_I8};
	cmd.layer.out = (struct sa_hw_tensor){
		.addr = 0x2000, .c = 512, .h = 64, .w = 64, .dtype = SA_DTYPE_I8};
	cmd.layer.weights = 0x3000;
	*p = (struct sa_conv_params){.kernel_h = 3,
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
				     .out_channels = 512,
				     .weight_bits = 4};
	CHECK_EQ_INT(h_te_run(h, &cmd), TE_ERR(SA_ENGINE_ERR_TOO_LARGE));
	/* 256 channels fit (0.6e9); they fail later, at the unmapped input, as a fault. */
	cmd.layer.out.c = 256;
	p->out_channels = 256;
	h_context(h, 1);
	CHECK_EQ_INT(h_te_run(h, &cmd), TE_ERR(SA_ENGINE_ERR_MMU_FAULT));
	h_destroy(h);
}

TEST(invalid_weight_codes)
{
	struct fixture f;

	fixture_init(&f, SA_OP_CONV, 5);
	/* A copy of the weights whose first code is "negative zero" (sign bit, k = 0). */
	struct sa_hw_te_cmd cmd = f.c.cmd;
	unsigned int bits = cmd.layer.params.conv.weight_bits;
	uint64_t root = f.root;
	uint64_t va = 0x7000000;
	uint64_t bus = h_map_new(f.h, root, va, f.c.w_packed_bytes, SA_PTE_VALID | SA_PTE_READ);

	memcpy(h_ptr(f.h, bus), f.c.w_packed, f.c.w_packed_bytes);
	((uint8_t *)h_ptr(f.h, bus))[0] =
		(uint8_t)((((uint8_t *)h_ptr(f.h, bus))[0] & ~((1u << bits) - 1)) |
			  (1u << (bits - 1)));
	cmd.layer.weights = va;
	uint64_t written = f.h->dma_write_bytes;

	CHECK_EQ_INT(h_te_run(f.h, &cmd), TE_ERR(SA_ENGINE_ERR_BAD_WEIGHTS));
	CHECK_EQ_INT(f.h->dma_write_bytes, written);
	fixture_fini(&f);
}

TEST(mmu_faults_write_nothing)
{
	struct fixture f;
	struct sa_hw_te_cmd cmd;
	struct sa_hw_fault_record rec;
	uint64_t *pte;

	fixture_init(&f, SA_OP_CONV, 31);
	/* The input's first page unmapped. */
	cmd = f.c.cmd;
	pte = h_pte(f.h, f.root, cmd.layer.in.addr, 0);
	uint64_t saved = *pte;

	*pte = 0;
	CHECK_EQ_INT(h_te_run(f.h, &cmd), TE_ERR(SA_ENGINE_ERR_MMU_FAULT));
	h_fault_record(f.h, 0, &rec);
	CHECK_EQ_INT(rec.address, cmd.layer.in.addr);
	CHECK_EQ_INT(rec.context, 3);
	CHECK_EQ_INT(rec.access, SA_ACCESS_READ);
	CHECK_EQ_INT(rec.reason, SA_FAULT_NOT_PRESENT);
	CHECK_EQ_INT(rec.source, SA_FAULT_SRC_TE);
	CHECK_EQ_INT(h_cp_rd32(f.h, SA_CP_TE_BASE + SA_CP_TE_FAULT_SEQ), 0);
	*pte = saved;
	/* The bias in another context's address space: not mapped here. */
	cmd.context = 4;
	h_context(f.h, 4);
	CHECK_EQ_INT(h_te_run(f.h, &cmd), TE_ERR(SA_ENGINE_ERR_MMU_FAULT));
	h_fault_record(f.h, 1, &rec);
	CHECK_EQ_INT(rec.context, 4);
	/* The output's last page read-only: every input read, nothing written. */
	cmd = f.c.cmd;
	uint64_t last = cmd.layer.out.addr + f.c.y_bytes - 1;

	*h_pte(f.h, f.root, last, 0) &= ~SA_PTE_WRITE;
	CHECK_EQ_INT(h_te_run(f.h, &cmd), TE_ERR(SA_ENGINE_ERR_MMU_FAULT));
	h_fault_record(f.h, 2, &rec);
	CHECK_EQ_INT(rec.access, SA_ACCESS_WRITE);
	CHECK_EQ_INT(rec.reason, SA_FAULT_WRITE_PROTECT);
	CHECK_EQ_INT(f.h->dma_write_bytes, 0);
	CHECK_EQ_INT(((uint8_t *)h_ptr(f.h, f.c.out_bus))[0], 0xcd);
	CHECK_EQ_INT(h_rd64(f.h, SA_REG_PERF(SA_PERF_TE_ERRORS)), 3);
	CHECK_EQ_INT(h_rd32(f.h, SA_REG_FAULT_COUNT), 3);
	*h_pte(f.h, f.root, last, 0) |= SA_PTE_WRITE;
	CHECK_EQ_INT(h_te_run(f.h, &cmd), SA_ENGINE_DONE);
	CHECK(te_case_output_ok(f.h, &f.c));
	fixture_fini(&f);
}

TEST(start_semantics)
{
	struct fixture f;
	struct te_case second;
	uint64_t cycles;

	fixture_init(&f, SA_OP_CONV, 44);
	te_case_random(&second, SA_OP_FC, &f.seed);
	te_case_place(f.h, f.root, 3, &second, &f.next_va, &f.seed);
	cycles = te_case_cycles(&f.c);
	h_te_start(f.h, &f.c.cmd);
	CHECK_EQ_INT(h_cp_rd32(f.h, TE_STATUS), SA_ENGINE_BUSY);
	/* The window can be refilled for the next command; START while busy is ignored. */
	h_te_start(f.h, &second.cmd);
	CHECK_EQ_INT(h_cp_rd32(f.h, TE_STATUS), SA_ENGINE_BUSY);
	/* It completes after exactly its modelled cycles, not one earlier. */
	sa_card_run(f.h->card, cycles - 1);
	CHECK_EQ_INT(h_cp_rd32(f.h, TE_STATUS), SA_ENGINE_BUSY);
	CHECK_EQ_INT(((uint8_t *)h_ptr(f.h, f.c.out_bus))[0], 0xcd);
	sa_card_run(f.h->card, 1);
	CHECK_EQ_INT(h_cp_rd32(f.h, TE_STATUS), SA_ENGINE_DONE);
	CHECK(te_case_output_ok(f.h, &f.c));
	CHECK(!te_case_output_ok(f.h, &second));
	CHECK_EQ_INT(h_rd64(f.h, SA_REG_PERF(SA_PERF_TE_OPS)), 1);
	/* The window still holds the second command: START runs it. */
	h_cp_wr32(f.h, SA_CP_TE_BASE + SA_CP_TE_CTRL, SA_ENGINE_CTRL_START);
	h_run(f.h, 1u << 24);
	CHECK_EQ_INT(h_cp_rd32(f.h, TE_STATUS), SA_ENGINE_DONE);
	CHECK(te_case_output_ok(f.h, &second));
	te_case_free(&second);
	fixture_fini(&f);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(conv_bit_exact);
	RUN(fc_bit_exact);
	RUN(maxpool_bit_exact);
	RUN(avgpool_bit_exact);
	RUN(global_avgpool_bit_exact);
	RUN(add_bit_exact);
	RUN(command_validation);
	RUN(reserved_fields_of_other_ops);
	RUN(too_many_shift_adds);
	RUN(invalid_weight_codes);
	RUN(mmu_faults_write_nothing);
	RUN(start_semantics);
	CHECK_MAIN_END();
}
