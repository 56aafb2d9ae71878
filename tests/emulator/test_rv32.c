// SPDX-License-Identifier: MIT
/*
 * RV32IM interpreter tests.  First the conformance programs
 * (tests/emulator/rv32/NAME.S, assembled into $SA_BUILD/rv32tests/NAME.bin; a
 * missing one is a failure): each checks itself and reports through the
 * test device's TOHOST register.  Then single instructions encoded here,
 * without an assembler, for the decoder's immediate formats and illegal
 * encodings, the decode cache and rv32_invalidate, the stop reasons of
 * rv32_run, interrupts driven from C, and a throughput figure.
 */
#include <stdlib.h>
#include <time.h>

#include "../check.h"
#include "rv32_machine.h"

/* mcause values from the privileged spec, independent of the implementation. */
#define CAUSE_FETCH_MISALIGNED 0
#define CAUSE_FETCH_FAULT 1
#define CAUSE_ILLEGAL 2
#define CAUSE_BREAKPOINT 3
#define CAUSE_ECALL_M 11
#define CAUSE_INT 0x80000000u

/* ---- the conformance programs ---- */

/* Runs $SA_BUILD/rv32tests/<name>.bin; it must pass its checks 1..last_check. */
static int run_program(const char *name, uint32_t last_check)
{
	const char *build = getenv("SA_BUILD");
	char path[512], err[256];
	struct machine *m = machine_create();
	int ret = -1;

	if (!m) {
		fprintf(stderr, "  out of memory\n");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/rv32tests/%s.bin", build ? build : "build", name);
	if (machine_load_file(m, path, err, sizeof(err)) < 0 ||
	    machine_run(m, 10 * 1000 * 1000, err, sizeof(err)) < 0) {
		fprintf(stderr, "  %s: %s\n", name, err);
	} else if (m->tohost != 1) {
		fprintf(stderr,
			"  %s: check %u failed (pc %#x; last trap mcause %#x mepc %#x mtval %#x)\n",
			name, m->tohost >> 1, m->cpu.pc, m->cpu.mcause, m->cpu.mepc, m->cpu.mtval);
	} else if (m->checks != last_check) {
		fprintf(stderr, "  %s: passed after check %u, expected %u checks\n", name,
			m->checks, last_check);
	} else {
		printf("  %s: %u checks, %llu instructions\n", name, m->checks,
		       (unsigned long long)m->retired);
		ret = 0;
	}
	machine_destroy(m);
	return ret;
}

#define PROGRAM_TEST(name, last_check)                                                             \
	TEST(program_##name)                                                                       \
	{                                                                                          \
		CHECK(run_program(#name, last_check) == 0);                                        \
	}

PROGRAM_TEST(alu, 70)
PROGRAM_TEST(branch, 38)
PROGRAM_TEST(jump, 14)
PROGRAM_TEST(loadstore, 34)
PROGRAM_TEST(zero, 15)
PROGRAM_TEST(muldiv, 56)
PROGRAM_TEST(csr, 48)
PROGRAM_TEST(traps, 73)
PROGRAM_TEST(interrupts, 25)
PROGRAM_TEST(wfi, 12)
PROGRAM_TEST(selfmod, 6)

/* ---- instruction encoders, written from the spec's format diagrams ---- */

static uint32_t enc_r(uint32_t funct7, uint32_t rs2, uint32_t rs1, uint32_t funct3, uint32_t rd,
		      uint32_t opcode)
{
	return funct7 << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
}

static uint32_t enc_i(int32_t imm, uint32_t rs1, uint32_t funct3, uint32_t rd, uint32_t opcode)
{
	return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
}

static uint32_t enc_s(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t funct3)
{
	uint32_t u = (uint32_t)imm;

	return ((u >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | (u & 0x1f) << 7 |
	       0x23;
}

static uint32_t enc_b(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t funct3)
{
	uint32_t u = (uint32_t)imm;

	return ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 |
	       funct3 << 12 | ((u >> 1) & 0xf) << 8 | ((u >> 11) & 1) << 7 | 0x63;
}

static uint32_t enc_u(uint32_t imm20, uint32_t rd, uint32_t opcode)
{
	return imm20 << 12 | rd << 7 | opcode;
}

static uint32_t enc_j(int32_t imm, uint32_t rd)
{
	uint32_t u = (uint32_t)imm;

	return ((u >> 20) & 1) << 31 | ((u >> 1) & 0x3ff) << 21 | ((u >> 11) & 1) << 20 |
	       ((u >> 12) & 0xff) << 12 | rd << 7 | 0x6f;
}

#define ADDI(rd, rs1, imm) enc_i(imm, rs1, 0, rd, 0x13)
#define ADD(rd, rs1, rs2) enc_r(0, rs2, rs1, 0, rd, 0x33)
#define LW(rd, rs1, imm) enc_i(imm, rs1, 2, rd, 0x03)
#define SB(rs2, rs1, imm) enc_s(imm, rs2, rs1, 0)
#define SW(rs2, rs1, imm) enc_s(imm, rs2, rs1, 2)
#define BEQ(rs1, rs2, imm) enc_b(imm, rs2, rs1, 0)
#define BNE(rs1, rs2, imm) enc_b(imm, rs2, rs1, 1)
#define JAL(rd, imm) enc_j(imm, rd)
#define JALR(rd, rs1, imm) enc_i(imm, rs1, 0, rd, 0x67)
#define LUI(rd, imm20) enc_u(imm20, rd, 0x37)
#define AUIPC(rd, imm20) enc_u(imm20, rd, 0x17)
#define CSRRW(rd, csr, rs1) enc_i(csr, rs1, 1, rd, 0x73)
#define CSRRS(rd, csr, rs1) enc_i(csr, rs1, 2, rd, 0x73)
#define CSR_MTVEC 0x305
#define CSR_MIE 0x304
#define ECALL 0x00000073u
#define EBREAK 0x00100073u
#define MRET 0x30200073u
#define WFI 0x10500073u

static void put_insn(struct machine *m, uint32_t addr, uint32_t insn)
{
	for (int i = 0; i < 4; i++)
		m->code[addr + i] = (uint8_t)(insn >> (8 * i));
	rv32_invalidate(&m->cpu, addr, 4);
}

/* A fresh machine with insn at `pc` and the core there. */
static struct machine *machine_with(uint32_t pc, uint32_t insn)
{
	struct machine *m = machine_create();

	if (!m)
		return NULL;
	put_insn(m, pc, insn);
	m->cpu.pc = pc;
	return m;
}

/* Runs exactly one step; returns how many instructions retired (0 if it trapped). */
static uint64_t step(struct machine *m)
{
	uint64_t n = 99;

	rv32_run(&m->cpu, 1, &n);
	return n;
}

/* ---- immediate formats ---- */

TEST(imm_i_sign_extension)
{
	static const int32_t imms[] = {0, 1, 2047, -1, -2048, -2047, 0x555, -0x556};

	for (size_t i = 0; i < sizeof(imms) / sizeof(imms[0]); i++) {
		struct machine *m = machine_with(0x100, ADDI(5, 6, imms[i]));

		CHECK(m);
		m->cpu.x[6] = 1000;
		CHECK_EQ_INT(step(m), 1);
		CHECK_EQ_INT(m->cpu.x[5], (uint32_t)(1000 + imms[i]));
		CHECK_EQ_INT(m->cpu.pc, 0x104);
		machine_destroy(m);
	}
}

TEST(imm_s_sign_extension)
{
	static const int32_t imms[] = {0, 31, 32, 2047, -1, -32, -2048};

	for (size_t i = 0; i < sizeof(imms) / sizeof(imms[0]); i++) {
		struct machine *m = machine_with(0x100, SB(7, 8, imms[i]));
		uint32_t base = MACHINE_DATA_BASE + 0x4000;

		CHECK(m);
		m->cpu.x[8] = base;
		m->cpu.x[7] = 0xa5;
		CHECK_EQ_INT(step(m), 1);
		CHECK_EQ_INT(m->data[base + imms[i] - MACHINE_DATA_BASE], 0xa5);
		machine_destroy(m);
	}
}

TEST(store_values_are_zero_extended)
{
	/* sb/sh hand the bus only their bytes, so a bus may use the whole value */
	static const uint32_t funct3[] = {0, 1, 2};
	static const uint32_t expect[] = {0x88, 0x7788, 0x55667788};

	for (size_t i = 0; i < 3; i++) {
		struct machine *m = machine_with(0x100, enc_s(0, 7, 8, funct3[i]));

		CHECK(m);
		m->cpu.x[8] = MACHINE_DATA_BASE;
		m->cpu.x[7] = 0x55667788;
		CHECK_EQ_INT(step(m), 1);
		CHECK_EQ_INT(m->last_store_val, expect[i]);
		machine_destroy(m);
	}
}

TEST(imm_b_sign_extension)
{
	/* Taken branches from pc 0x2000: every bit of the 13-bit offset. */
	static const int32_t imms[] = {4,    8,	   16,	 32, 64,  128,	 256,	512,
				       1024, 2048, 4092, -4, -16, -2048, -4096, 0};

	for (size_t i = 0; i < sizeof(imms) / sizeof(imms[0]); i++) {
		struct machine *m = machine_with(0x2000, BEQ(0, 0, imms[i]));

		CHECK(m);
		CHECK_EQ_INT(step(m), 1);
		CHECK_EQ_INT(m->cpu.pc, (uint32_t)(0x2000 + imms[i]));
		machine_destroy(m);
	}
}

TEST(imm_b_not_taken_and_misaligned)
{
	struct machine *m = machine_with(0x2000, BNE(0, 0, 4094));

	CHECK(m);
	CHECK_EQ_INT(step(m), 1);
	CHECK_EQ_INT(m->cpu.pc, 0x2004);
	machine_destroy(m);

	/* Offsets that are multiples of 2 but not 4 trap when taken. */
	m = machine_with(0x2000, BEQ(0, 0, 4094));
	CHECK(m);
	CHECK_EQ_INT(step(m), 0);
	CHECK_EQ_INT(m->cpu.mcause, CAUSE_FETCH_MISALIGNED);
	CHECK_EQ_INT(m->cpu.mepc, 0x2000);
	CHECK_EQ_INT(m->cpu.mtval, 0x2000 + 4094);
	machine_destroy(m);

	m = machine_with(0x2000, BEQ(0, 0, -2));
	CHECK(m);
	CHECK_EQ_INT(step(m), 0);
	CHECK_EQ_INT(m->cpu.mtval, 0x2000 - 2);
	machine_destroy(m);
}

TEST(imm_j_sign_extension)
{
	/* From pc 0x1000: bits 1..19 of the offset, and the sign (bit 20). */
	static const int32_t imms[] = {4,	0x7fc, 0x800,  0x1000,	0x7f000,   0x80000,
				       0xffffc, -4,    -0x800, -0x1000, -0x100000, 0};

	for (size_t i = 0; i < sizeof(imms) / sizeof(imms[0]); i++) {
		struct machine *m = machine_with(0x1000, JAL(1, imms[i]));

		CHECK(m);
		CHECK_EQ_INT(step(m), 1);
		CHECK_EQ_INT(m->cpu.pc, (uint32_t)(0x1000 + imms[i]));
		CHECK_EQ_INT(m->cpu.x[1], 0x1004);
		machine_destroy(m);
	}
}

TEST(imm_u_and_auipc)
{
	struct machine *m = machine_with(0x3000, LUI(9, 0x80001));

	CHECK(m);
	CHECK_EQ_INT(step(m), 1);
	CHECK_EQ_INT(m->cpu.x[9], 0x80001000u);
	machine_destroy(m);

	/* auipc wraps: 0x3000 + 0xfffff000 = 0x2000 */
	m = machine_with(0x3000, AUIPC(9, 0xfffff));
	CHECK(m);
	CHECK_EQ_INT(step(m), 1);
	CHECK_EQ_INT(m->cpu.x[9], 0x2000);
	machine_destroy(m);
}

TEST(jalr_clears_bit0_and_uses_old_rs1)
{
	struct machine *m = machine_with(0x100, JALR(5, 5, -3));

	CHECK(m);
	m->cpu.x[5] = 0x207; /* 0x207 - 3 = 0x204 */
	CHECK_EQ_INT(step(m), 1);
	CHECK_EQ_INT(m->cpu.pc, 0x204);
	CHECK_EQ_INT(m->cpu.x[5], 0x104);
	machine_destroy(m);

	m = machine_with(0x100, JALR(1, 5, 0));
	CHECK(m);
	m->cpu.x[5] = 0x206; /* bit 1 set: misaligned, rd untouched */
	m->cpu.x[1] = 77;
	CHECK_EQ_INT(step(m), 0);
	CHECK_EQ_INT(m->cpu.mcause, CAUSE_FETCH_MISALIGNED);
	CHECK_EQ_INT(m->cpu.mtval, 0x206);
	CHECK_EQ_INT(m->cpu.x[1], 77);
	machine_destroy(m);
}

TEST(illegal_encodings_trap_with_bits)
{
	const uint32_t words[] = {
		0x00000000,
		0xffffffff,
		0x00000001,		 /* compressed */
		0x02009093,		 /* slli shamt[5] */
		0x4200d093,		 /* srai shamt[5] */
		0x40001033,		 /* sll with funct7 0x20 */
		0x40002033,		 /* slt with funct7 0x20 */
		0x02000033 | (1u << 26), /* funct7 0x03 */
		0x00003003,
		0x00007003, /* load funct3 3, 7 */
		0x00003023,
		0x00004023, /* store funct3 3, 4 */
		0x00002063,
		0x00003063,
		0x00001067, /* branch funct3 2/3, jalr funct3 1 */
		0x0000200f, /* misc-mem funct3 2 */
		0x10200073,
		0x00200073,
		0x7b200073, /* sret, uret, dret */
		0x00004073,
		0x000000f3,
		0x00100173, /* system funct3 4, ecall rd=1, ebreak rd=2 */
		0x0000002f,
		0x00000007,
		0x00000053,
		0x0000001b,
		0x0000003b,
		0x0000007f,
		0x0000000b,	    /* A, F, OP-FP, RV64 OP-IMM-32/OP-32, long, custom-0 */
		CSRRS(1, 0x7c0, 0), /* custom CSR */
		CSRRS(1, 0xc01, 0), /* time */
		CSRRW(0, 0xc00, 1), /* write cycle */
		CSRRS(0, 0xf14, 2), /* set bits in mhartid */
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		struct machine *m = machine_with(0x400, words[i]);

		CHECK(m);
		m->cpu.mtvec = 0x800;
		m->cpu.x[1] = 0x1111;
		if (step(m) != 0 || m->cpu.mcause != CAUSE_ILLEGAL || m->cpu.mtval != words[i]) {
			fprintf(stderr, "  %#010x: mcause %#x mtval %#x\n", words[i], m->cpu.mcause,
				m->cpu.mtval);
			CHECK(0);
		}
		CHECK_EQ_INT(m->cpu.mepc, 0x400);
		CHECK_EQ_INT(m->cpu.pc, 0x800);
		CHECK_EQ_INT(m->cpu.x[1], 0x1111);
		machine_destroy(m);
	}
}

TEST(fence_fields_are_ignored)
{
	/* fence with every pred/succ/fm bit and odd rd/rs1, fence.i with an immediate */
	static const uint32_t words[] = {0x0ff0000f, 0x8330000f, 0xfff0000f | 5 << 7 | 3 << 15,
					 0x0000100f, 0x0010108f};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		struct machine *m = machine_with(0x400, words[i]);

		CHECK(m);
		CHECK_EQ_INT(step(m), 1);
		CHECK_EQ_INT(m->cpu.pc, 0x404);
		CHECK_EQ_INT(m->cpu.x[5], 0);
		machine_destroy(m);
	}
}

TEST(x0_stays_zero)
{
	struct machine *m = machine_with(0, ADDI(0, 0, 5));

	CHECK(m);
	put_insn(m, 4, LUI(0, 0xfffff));
	put_insn(m, 8, JAL(0, 4));
	put_insn(m, 12, ADD(1, 0, 0));
	CHECK_EQ_INT(step(m), 1);
	CHECK_EQ_INT(m->cpu.x[0], 0);
	CHECK_EQ_INT(step(m), 1);
	CHECK_EQ_INT(m->cpu.x[0], 0);
	CHECK_EQ_INT(step(m), 1);
	CHECK_EQ_INT(m->cpu.x[0], 0);
	m->cpu.x[1] = 9;
	CHECK_EQ_INT(step(m), 1);
	CHECK_EQ_INT(m->cpu.x[1], 0);
	machine_destroy(m);
}

/* ---- the decode cache ---- */

TEST(decode_cache_needs_invalidate)
{
	struct machine *m = machine_with(0x200, ADDI(1, 1, 1));

	CHECK(m);
	CHECK_EQ_INT(step(m), 1);
	CHECK_EQ_INT(m->cpu.x[1], 1);

	/* Rewritten behind the core's back: the cached decode still runs. */
	m->code[0x203] = 0x40; /* imm[11:4]: imm 1 -> 0x401 */
	m->cpu.pc = 0x200;
	CHECK_EQ_INT(step(m), 1);
	CHECK_EQ_INT(m->cpu.x[1], 2);

	/* An invalidate covering any byte of the word drops it. */
	rv32_invalidate(&m->cpu, 0x202, 1);
	m->cpu.pc = 0x200;
	CHECK_EQ_INT(step(m), 1);
	CHECK_EQ_INT(m->cpu.x[1], 2 + 0x401);

	/* Ranges outside code RAM or empty leave it cached. */
	m->code[0x203] = 0x00;
	rv32_invalidate(&m->cpu, MACHINE_CODE_SIZE, 16);
	rv32_invalidate(&m->cpu, 0x200, 0);
	rv32_invalidate(&m->cpu, 0xfffffff0u, 0x20);
	m->cpu.pc = 0x200;
	CHECK_EQ_INT(step(m), 1);
	CHECK_EQ_INT(m->cpu.x[1], 2 + 2 * 0x401);
	machine_destroy(m);

	/* A range running past the end of code RAM is clamped to it. */
	m = machine_with(MACHINE_CODE_SIZE - 4, ADDI(1, 1, 1));
	CHECK(m);
	CHECK_EQ_INT(step(m), 1);
	m->code[MACHINE_CODE_SIZE - 1] = 0x20; /* imm 1 -> 0x201 */
	rv32_invalidate(&m->cpu, MACHINE_CODE_SIZE - 1, 0xfffffff0u);
	m->cpu.pc = MACHINE_CODE_SIZE - 4;
	CHECK_EQ_INT(step(m), 1);
	CHECK_EQ_INT(m->cpu.x[1], 1 + 0x201);
	machine_destroy(m);
}

TEST(store_into_next_instruction)
{
	/*
	 * 0x00: sw x2, 4(x0)   rewrites the instruction at 0x04 through the bus
	 * 0x04: addi x1, x0, 1 (executed once before, so it is cached)
	 */
	struct machine *m = machine_with(0x04, ADDI(1, 0, 1));

	CHECK(m);
	put_insn(m, 0x00, SW(2, 0, 4));
	CHECK_EQ_INT(step(m), 1);
	CHECK_EQ_INT(m->cpu.x[1], 1);
	m->cpu.pc = 0;
	m->cpu.x[2] = ADDI(1, 0, 42);
	CHECK_EQ_INT(rv32_run(&m->cpu, 2, NULL), RV32_STOP_BUDGET);
	CHECK_EQ_INT(m->code_stores, 1);
	CHECK_EQ_INT(m->cpu.x[1], 42);
	machine_destroy(m);
}

TEST(reset_drops_decode_cache)
{
	struct machine *m = machine_with(0, ADDI(1, 1, 7));

	CHECK(m);
	CHECK_EQ_INT(step(m), 1);
	m->code[3] = 0x30; /* imm 7 -> 0x307 */
	rv32_reset(&m->cpu, 0);
	CHECK_EQ_INT(m->cpu.x[1], 0);
	CHECK_EQ_INT(step(m), 1);
	CHECK_EQ_INT(m->cpu.x[1], 0x307);
	machine_destroy(m);
}

/* ---- rv32_run's stop reasons and counters ---- */

TEST(budget_counts_and_counters)
{
	/* 0: addi x1, x1, 1; 4: jal x0, -4 */
	struct machine *m = machine_with(0, ADDI(1, 1, 1));
	uint64_t n = 0;

	CHECK(m);
	put_insn(m, 4, JAL(0, -4));
	CHECK_EQ_INT(rv32_run(&m->cpu, 1001, &n), RV32_STOP_BUDGET);
	CHECK_EQ_INT(n, 1001);
	CHECK_EQ_INT(m->cpu.x[1], 501);
	CHECK_EQ_INT(m->cpu.instret, 1001);
	CHECK_EQ_INT(m->cpu.cycle, 1001);
	CHECK_EQ_INT(rv32_run(&m->cpu, 0, &n), RV32_STOP_BUDGET);
	CHECK_EQ_INT(n, 0);
	CHECK_EQ_INT(m->cpu.pc, 4);
	machine_destroy(m);
}

TEST(traps_take_a_step_but_do_not_retire)
{
	/* mtvec points outside code RAM: every step is a fetch fault */
	struct machine *m = machine_with(0, ECALL);
	uint64_t n = 99;

	CHECK(m);
	m->cpu.mtvec = 0x40000000;
	CHECK_EQ_INT(rv32_run(&m->cpu, 50, &n), RV32_STOP_BUDGET);
	CHECK_EQ_INT(n, 0);
	CHECK_EQ_INT(m->cpu.instret, 0);
	CHECK_EQ_INT(m->cpu.cycle, 50);
	CHECK_EQ_INT(m->cpu.mcause, CAUSE_FETCH_FAULT);
	CHECK_EQ_INT(m->cpu.mepc, 0x40000000);
	machine_destroy(m);
}

TEST(fetch_off_the_end_and_misaligned_reset_pc)
{
	struct machine *m = machine_with(MACHINE_CODE_SIZE - 4, ADDI(1, 0, 1));

	CHECK(m);
	m->cpu.mtvec = 0x100;
	CHECK_EQ_INT(step(m), 1);
	CHECK_EQ_INT(step(m), 0);
	CHECK_EQ_INT(m->cpu.mcause, CAUSE_FETCH_FAULT);
	CHECK_EQ_INT(m->cpu.mepc, MACHINE_CODE_SIZE);
	CHECK_EQ_INT(m->cpu.mtval, MACHINE_CODE_SIZE);
	CHECK_EQ_INT(m->cpu.pc, 0x100);

	rv32_reset(&m->cpu, 0x102);
	m->cpu.mtvec = 0x100;
	CHECK_EQ_INT(step(m), 0);
	CHECK_EQ_INT(m->cpu.mcause, CAUSE_FETCH_MISALIGNED);
	CHECK_EQ_INT(m->cpu.mtval, 0x102);
	machine_destroy(m);
}

TEST(halted_and_ebreak)
{
	struct machine *m = machine_with(0, ADDI(1, 0, 3));
	uint64_t n = 99;

	CHECK(m);
	put_insn(m, 4, EBREAK);
	m->cpu.halted = true;
	CHECK_EQ_INT(rv32_run(&m->cpu, 100, &n), RV32_STOP_HALTED);
	CHECK_EQ_INT(n, 0);
	CHECK_EQ_INT(m->cpu.pc, 0);

	m->cpu.halted = false;
	m->cpu.halt_on_ebreak = true;
	CHECK_EQ_INT(rv32_run(&m->cpu, 100, &n), RV32_STOP_EBREAK);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(m->cpu.pc, 4); /* stays on the ebreak */
	CHECK_EQ_INT(m->cpu.x[1], 3);

	/* rv32_reset keeps the owner's controls */
	rv32_reset(&m->cpu, 4);
	CHECK(m->cpu.halt_on_ebreak);
	m->cpu.halt_on_ebreak = false;
	m->cpu.mtvec = 0x80;
	CHECK_EQ_INT(step(m), 0);
	CHECK_EQ_INT(m->cpu.mcause, CAUSE_BREAKPOINT);
	CHECK_EQ_INT(m->cpu.mtval, 4);
	machine_destroy(m);
}

TEST(init_rejects_misaligned_code_base)
{
	static uint8_t code[64];
	struct rv32_cpu cpu;
	struct rv32_bus bus = {0};

	CHECK_EQ_INT(rv32_init(&cpu, &bus, code, 0x1002, sizeof(code)), -1);
	CHECK_EQ_INT(rv32_init(&cpu, &bus, code, 0x1000, sizeof(code)), 0);
	CHECK_EQ_INT(cpu.pc, 0x1000);
	rv32_destroy(&cpu);
	CHECK(cpu.decoded == NULL);
}

/* ---- interrupts and wfi driven from C ---- */

TEST(wfi_waits_until_enabled_interrupt)
{
	/* 0: wfi  4: addi x1, x0, 1  8: jal x0, 0 */
	struct machine *m = machine_with(0, WFI);
	uint64_t n = 99;

	CHECK(m);
	put_insn(m, 4, ADDI(1, 0, 1));
	put_insn(m, 8, JAL(0, 0));
	m->cpu.mie = 1u << RV32_IRQ_MTI;
	CHECK_EQ_INT(rv32_run(&m->cpu, 100, &n), RV32_STOP_WFI);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(m->cpu.pc, 4);
	/* nothing enabled is pending: it keeps waiting */
	CHECK_EQ_INT(rv32_run(&m->cpu, 100, &n), RV32_STOP_WFI);
	CHECK_EQ_INT(n, 0);
	rv32_set_irq(&m->cpu, RV32_IRQ_MEI, true); /* not enabled in mie */
	CHECK_EQ_INT(rv32_run(&m->cpu, 100, &n), RV32_STOP_WFI);
	CHECK_EQ_INT(m->cpu.x[1], 0);
	/* MTI enabled in mie wakes it; mstatus.MIE is clear, so no trap */
	rv32_set_irq(&m->cpu, RV32_IRQ_MTI, true);
	CHECK_EQ_INT(rv32_run(&m->cpu, 10, &n), RV32_STOP_BUDGET);
	CHECK_EQ_INT(m->cpu.x[1], 1);
	CHECK_EQ_INT(m->cpu.mcause, 0);
	machine_destroy(m);
}

TEST(interrupt_priority_and_vectoring)
{
	/* spin at 0; handlers at 0x100 (vectored: 0x100 + 4 * cause) just mret */
	struct machine *m = machine_with(0, JAL(0, 0));
	static const unsigned int order[] = {RV32_IRQ_MEI, RV32_IRQ_MSI, RV32_IRQ_MTI};

	CHECK(m);
	for (uint32_t a = 0x100; a < 0x140; a += 4)
		put_insn(m, a, MRET);
	m->cpu.mtvec = 0x101;
	m->cpu.mie = (1u << RV32_IRQ_MEI) | (1u << RV32_IRQ_MSI) | (1u << RV32_IRQ_MTI);
	m->cpu.mstatus = 0x8;
	rv32_set_irq(&m->cpu, RV32_IRQ_MTI, true);
	rv32_set_irq(&m->cpu, RV32_IRQ_MSI, true);
	rv32_set_irq(&m->cpu, RV32_IRQ_MEI, true);
	rv32_set_irq(&m->cpu, 5, true); /* not a line: ignored */
	CHECK_EQ_INT(m->cpu.mip, 0x888);
	for (size_t i = 0; i < 3; i++) {
		/* one step: the interrupt is entered, then the handler's mret retires */
		CHECK_EQ_INT(step(m), 1);
		CHECK_EQ_INT(m->cpu.mcause, CAUSE_INT | order[i]);
		CHECK_EQ_INT(m->cpu.pc, 0);
		CHECK_EQ_INT(m->cpu.mepc, 0);
		rv32_set_irq(&m->cpu, order[i], false);
	}
	CHECK_EQ_INT(m->cpu.mip, 0);
	/* direct mode: everything at the base */
	m->cpu.mtvec = 0x120;
	rv32_set_irq(&m->cpu, RV32_IRQ_MSI, true);
	CHECK_EQ_INT(step(m), 1);
	CHECK_EQ_INT(m->cpu.mcause, CAUSE_INT | RV32_IRQ_MSI);
	CHECK_EQ_INT(m->cpu.mstatus & 0x8, 0x8);
	machine_destroy(m);
}

TEST(ecall_and_mret_from_c)
{
	/* 0: ecall  4: addi x1, x0, 5; the handler at 0x80 is a bare mret */
	struct machine *m = machine_with(0, ECALL);

	CHECK(m);
	put_insn(m, 4, ADDI(1, 0, 5));
	put_insn(m, 0x80, MRET);
	m->cpu.mtvec = 0x80;
	CHECK_EQ_INT(step(m), 0);
	CHECK_EQ_INT(m->cpu.mcause, CAUSE_ECALL_M);
	CHECK_EQ_INT(m->cpu.mepc, 0);
	CHECK_EQ_INT(m->cpu.mtval, 0);
	m->cpu.mepc = 4;
	CHECK_EQ_INT(step(m), 1); /* mret */
	CHECK_EQ_INT(m->cpu.pc, 4);
	CHECK_EQ_INT(step(m), 1);
	CHECK_EQ_INT(m->cpu.x[1], 5);
	machine_destroy(m);
}

/* ---- throughput (printed, never asserted) ---- */

TEST(throughput)
{
	/*
	 * 0: addi x1, x1, 1    4: add x3, x3, x1    8: lw x4, 0(x10)
	 * 12: sw x3, 4(x10)   16: bne x1, x5, -16  20: ebreak
	 */
	const uint32_t iterations = 4 * 1000 * 1000;
	struct machine *m = machine_with(0, ADDI(1, 1, 1));
	struct timespec t0, t1;
	uint64_t n = 0;
	double secs;

	CHECK(m);
	put_insn(m, 4, ADD(3, 3, 1));
	put_insn(m, 8, LW(4, 10, 0));
	put_insn(m, 12, SW(3, 10, 4));
	put_insn(m, 16, BNE(1, 5, -16));
	put_insn(m, 20, EBREAK);
	m->cpu.x[5] = iterations;
	m->cpu.x[10] = MACHINE_DATA_BASE;
	m->cpu.halt_on_ebreak = true;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ_INT(rv32_run(&m->cpu, UINT64_MAX, &n), RV32_STOP_EBREAK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK_EQ_INT(n, 5ull * iterations);
	CHECK_EQ_INT(m->cpu.x[3], (uint32_t)((uint64_t)iterations * (iterations + 1) / 2));
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	printf("  throughput: %.1f million instructions/s (%llu in %.3f s; 2 of 5 are bus "
	       "accesses)\n",
	       (double)n / secs / 1e6, (unsigned long long)n, secs);
	machine_destroy(m);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(program_alu);
	RUN(program_branch);
	RUN(program_jump);
	RUN(program_loadstore);
	RUN(program_zero);
	RUN(program_muldiv);
	RUN(program_csr);
	RUN(program_traps);
	RUN(program_interrupts);
	RUN(program_wfi);
	RUN(program_selfmod);
	RUN(imm_i_sign_extension);
	RUN(imm_s_sign_extension);
	RUN(store_values_are_zero_extended);
	RUN(imm_b_sign_extension);
	RUN(imm_b_not_taken_and_misaligned);
	RUN(imm_j_sign_extension);
	RUN(imm_u_and_auipc);
	RUN(jalr_clears_bit0_and_uses_old_rs1);
	RUN(illegal_encodings_trap_with_bits);
	RUN(fence_fields_are_ignored);
	RUN(x0_stays_zero);
	RUN(decode_cache_needs_invalidate);
	RUN(store_into_next_instruction);
	RUN(reset_drops_decode_cache);
	RUN(budget_counts_and_counters);
	RUN(traps_take_a_step_but_do_not_retire);
	RUN(fetch_off_the_end_and_misaligned_reset_pc);
	RUN(halted_and_ebreak);
	RUN(init_rejects_misaligned_code_base);
	RUN(wfi_waits_until_enabled_interrupt);
	RUN(interrupt_priority_and_vectoring);
	RUN(ecall_and_mret_from_c);
	RUN(throughput);
	CHECK_MAIN_END();
}
