/* SPDX-License-Identifier: MIT */
/*
 * Conventions of the RV32IM conformance programs (docs/rv32im.md).
 *
 * Memory map of the test machine (tests/emulator/test_rv32.c):
 *   0x00000000  code RAM, 64 KiB: the program; loads and stores reach it too
 *   0x00010000  data RAM, 64 KiB
 *   0x10000000  test device page (below); any other address is an access fault
 *
 * Each program checks itself.  gp holds the number of the check in
 * progress; a failed check jumps to `fail`, which writes (gp << 1) | 1 to
 * TOHOST.  The end of the program writes gp (the last check's number) to
 * TEST_CHECKS and then 1 to TOHOST.  A write to TOHOST halts the core.
 * An unexpected trap also ends in `fail`.
 *
 * Registers the macros use: gp (check number), t6 (expected value), t0, and
 * for traps s8 (where the recording handler resumes), s9/s10/s11 (mcause,
 * mepc, mtval the handler saw) and s7 (mstatus in the handler).
 */
#ifndef RV32TEST_H
#define RV32TEST_H

#define CODE_RAM 0x00000000
#define CODE_RAM_END 0x00010000
#define DATA_RAM 0x00010000
#define DATA_RAM_END 0x00020000
#define UNMAPPED 0x20000000

#define TEST_DEV 0x10000000
/* Write: 1 = pass, (n << 1) | 1 = check n failed.  Halts the core. */
#define TOHOST (TEST_DEV + 0x0)
/* Read/write: levels of the interrupt lines, as mip bits (MSI 3, MTI 7, MEI 11). */
#define TEST_IRQ (TEST_DEV + 0x4)
/* Write: mip bits the host raises the next time the core stops in wfi. */
#define TEST_WAKE (TEST_DEV + 0x8)
/* Read: how many times the host has woken the core from wfi. */
#define TEST_WAKE_COUNT (TEST_DEV + 0xc)
/* Write: number of the last check, written just before passing. */
#define TEST_CHECKS (TEST_DEV + 0x10)

#define MIP_MSI 0x008
#define MIP_MTI 0x080
#define MIP_MEI 0x800
#define MSTATUS_MIE 0x8
#define MSTATUS_MPIE 0x80
#define MSTATUS_MPP 0x1800

#define CAUSE_FETCH_MISALIGNED 0
#define CAUSE_FETCH_FAULT 1
#define CAUSE_ILLEGAL 2
#define CAUSE_BREAKPOINT 3
#define CAUSE_LOAD_MISALIGNED 4
#define CAUSE_LOAD_FAULT 5
#define CAUSE_STORE_MISALIGNED 6
#define CAUSE_STORE_FAULT 7
#define CAUSE_ECALL_M 11
#define CAUSE_INT 0x80000000

/* Start of every program: unexpected traps fail the test. */
#define TEST_BEGIN \
	.section .text.start, "ax"; \
	.globl _start; \
_start: \
	li gp, 0; \
	li sp, DATA_RAM_END; \
	la t0, unexpected_trap; \
	csrw mtvec, t0

/* End of every program: the pass and fail paths and the trap handlers. */
#define TEST_END \
	li t0, TEST_CHECKS; \
	sw gp, 0(t0); \
	li t1, 1; \
	j report; \
fail: \
	slli t1, gp, 1; \
	ori t1, t1, 1; \
report: \
	li t0, TOHOST; \
	sw t1, 0(t0); \
	j report; \
	.balign 4; \
unexpected_trap: \
	j fail; \
	.balign 4; \
trap_recorder: \
	csrr s9, mcause; \
	csrr s10, mepc; \
	csrr s11, mtval; \
	csrr s7, mstatus; \
	csrw mepc, s8; \
	mret

/* Check n: register reg equals the constant expected. */
#define CHECK_REG(n, reg, expected) \
	li gp, n; \
	li t6, expected; \
	bne reg, t6, fail

/* Check n: a0 = inst(v1, v2) equals expected. */
#define TEST_RR(n, inst, expected, v1, v2) \
	li a1, v1; \
	li a2, v2; \
	inst a0, a1, a2; \
	CHECK_REG(n, a0, expected)

/* Check n: a0 = inst(v1, imm) equals expected. */
#define TEST_RI(n, inst, expected, v1, imm) \
	li a1, v1; \
	inst a0, a1, imm; \
	CHECK_REG(n, a0, expected)

/*
 * Check n: the instructions given trap with mcause `cause` and mepc at the
 * first of them; execution resumes after the macro with mtval in s11 and
 * mstatus (as the handler saw it) in s7.  trap_recorder is mtvec meanwhile.
 */
#define EXPECT_TRAP_AT(n, cause, ...) \
	li gp, n; \
	la t0, trap_recorder; \
	csrw mtvec, t0; \
	la s8, 91f; \
	li s9, -1; \
90:	__VA_ARGS__; \
	j fail; \
91:	la t0, unexpected_trap; \
	csrw mtvec, t0; \
	li t6, cause; \
	bne s9, t6, fail; \
	la t6, 90b; \
	bne s10, t6, fail

/* The same, and mtval must equal the constant tval. */
#define EXPECT_TRAP(n, cause, tval, ...) \
	EXPECT_TRAP_AT(n, cause, __VA_ARGS__); \
	li t6, tval; \
	bne s11, t6, fail

/* Check n: an illegal-instruction trap whose mtval holds the instruction's bits. */
#define EXPECT_ILLEGAL(n, ...) \
	EXPECT_TRAP_AT(n, CAUSE_ILLEGAL, __VA_ARGS__); \
	lw t6, 0(s10); \
	bne s11, t6, fail

#endif /* RV32TEST_H */
