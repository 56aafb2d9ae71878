/* SPDX-License-Identifier: MIT */
/*
 * Synchronous traps, each checked through mcause, mepc and mtval: ecall,
 * ebreak, illegal instructions (unimplemented encodings and extensions,
 * unknown CSRs, writes to read-only CSRs), misaligned loads and stores,
 * bus access faults, misaligned jump and branch targets, instruction fetch
 * outside code RAM; the mstatus MIE/MPIE stack across a trap and mret; and
 * that a faulting instruction changes neither rd nor memory.
 */
#include "rv32test.h"

	TEST_BEGIN

	/* ecall: mtval 0; ebreak: mtval is its own address */
	EXPECT_TRAP(1, CAUSE_ECALL_M, 0, ecall)
	EXPECT_TRAP_AT(2, CAUSE_BREAKPOINT, ebreak)
	bne s11, s10, fail

	/* entry: MPIE = MIE, MIE = 0, MPP = M; mret: MIE = MPIE, MPIE = 1 */
	csrw mie, zero
	csrsi mstatus, MSTATUS_MIE
	EXPECT_TRAP(3, CAUSE_ECALL_M, 0, ecall)
	CHECK_REG(4, s7, MSTATUS_MPP | MSTATUS_MPIE)
	csrr a0, mstatus
	CHECK_REG(5, a0, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE)
	csrci mstatus, MSTATUS_MIE
	EXPECT_TRAP(6, CAUSE_ECALL_M, 0, ecall)
	CHECK_REG(7, s7, MSTATUS_MPP)
	csrr a0, mstatus
	CHECK_REG(8, a0, MSTATUS_MPP | MSTATUS_MPIE)
	csrw mstatus, zero

	/* illegal encodings: mtval holds the instruction bits */
	EXPECT_ILLEGAL(9, .word 0x00000000)
	EXPECT_ILLEGAL(10, .word 0xffffffff)
	EXPECT_ILLEGAL(11, .word 0x00010001)	/* two c.nop: no C extension */
	EXPECT_ILLEGAL(12, .word 0x02009093)	/* slli x1, x1, 32: shamt[5] set */
	EXPECT_ILLEGAL(13, .word 0x80000033)	/* add with funct7 0x40 */
	EXPECT_ILLEGAL(14, .word 0x4200d093)	/* srai x1, x1, 32: shamt[5] set */
	EXPECT_ILLEGAL(15, .word 0x10200073)	/* sret: no S mode */
	EXPECT_ILLEGAL(16, .word 0x00200073)	/* uret */
	EXPECT_ILLEGAL(17, .word 0x12000073)	/* sfence.vma */
	EXPECT_ILLEGAL(18, .word 0x00003003)	/* ld: RV64 only */
	EXPECT_ILLEGAL(19, .word 0x00003023)	/* sd: RV64 only */
	EXPECT_ILLEGAL(20, .word 0x1000a02f)	/* lr.w: no A extension */
	EXPECT_ILLEGAL(21, .word 0x00002007)	/* flw: no F extension */
	EXPECT_ILLEGAL(22, .word 0x00001067)	/* jalr with funct3 1 */
	EXPECT_ILLEGAL(23, .word 0x00002063)	/* branch funct3 2 */
	EXPECT_ILLEGAL(24, .word 0x00004073)	/* system funct3 4 */
	EXPECT_ILLEGAL(25, .word 0x000000f3)	/* ecall with rd != 0 */

	/* CSRs: unknown numbers, and writes to read-only CSRs */
	EXPECT_ILLEGAL(26, csrr a0, 0x7c0)	/* custom */
	EXPECT_ILLEGAL(27, csrr a0, time)	/* the card's timer is MMIO */
	EXPECT_ILLEGAL(28, csrr a0, satp)	/* no S mode */
	EXPECT_ILLEGAL(29, csrr a0, mcounteren)	/* no U mode */
	EXPECT_ILLEGAL(30, csrw cycle, a0)
	EXPECT_ILLEGAL(31, csrw mhartid, zero)
	EXPECT_ILLEGAL(32, csrrwi a0, mvendorid, 0)
	li a1, 0
	EXPECT_ILLEGAL(33, csrrs a0, instret, a1)	/* rs1 is not x0: a write */
	EXPECT_ILLEGAL(34, csrrci a0, instreth, 1)
	/* a trapping CSR instruction leaves rd alone */
	li a0, 0x1234
	EXPECT_ILLEGAL(35, csrrw a0, 0x7c0, zero)
	CHECK_REG(36, a0, 0x1234)
	/* reads of read-only CSRs with x0 / uimm 0 are legal */
	csrrs a0, cycle, zero
	csrrsi a0, mhartid, 0

	/* misaligned loads: mtval is the address; rd keeps its value */
	li s0, DATA_RAM
	sw zero, 0(s0)
	sw zero, 4(s0)
	li a0, 0x5555
	EXPECT_TRAP(37, CAUSE_LOAD_MISALIGNED, DATA_RAM + 1, lh a0, 1(s0))
	CHECK_REG(38, a0, 0x5555)
	EXPECT_TRAP(39, CAUSE_LOAD_MISALIGNED, DATA_RAM + 3, lhu a0, 3(s0))
	EXPECT_TRAP(40, CAUSE_LOAD_MISALIGNED, DATA_RAM + 2, lw a0, 2(s0))
	EXPECT_TRAP(41, CAUSE_LOAD_MISALIGNED, DATA_RAM + 1, lw a0, 1(s0))
	EXPECT_TRAP(42, CAUSE_LOAD_MISALIGNED, DATA_RAM + 7, lw a0, 7(s0))
	/* bytes are never misaligned, halfwords at even addresses are fine */
	lb a0, 3(s0)
	lhu a0, 2(s0)
	/* misaligned stores write nothing */
	li t1, -1
	EXPECT_TRAP(43, CAUSE_STORE_MISALIGNED, DATA_RAM + 1, sh t1, 1(s0))
	EXPECT_TRAP(44, CAUSE_STORE_MISALIGNED, DATA_RAM + 2, sw t1, 2(s0))
	EXPECT_TRAP(45, CAUSE_STORE_MISALIGNED, DATA_RAM + 7, sw t1, 7(s0))
	lw a0, 0(s0)
	CHECK_REG(46, a0, 0)
	lw a0, 4(s0)
	CHECK_REG(47, a0, 0)

	/* access faults reported by the bus */
	li s1, UNMAPPED
	li a0, 0x77
	EXPECT_TRAP(48, CAUSE_LOAD_FAULT, UNMAPPED + 4, lw a0, 4(s1))
	CHECK_REG(49, a0, 0x77)
	EXPECT_TRAP(50, CAUSE_LOAD_FAULT, UNMAPPED, lbu a0, 0(s1))
	EXPECT_TRAP(51, CAUSE_STORE_FAULT, UNMAPPED + 8, sw a0, 8(s1))
	EXPECT_TRAP(52, CAUSE_STORE_FAULT, UNMAPPED - 1, sb a0, -1(s1))
	/* the test device only takes 32-bit accesses */
	li s2, TEST_DEV
	EXPECT_TRAP(53, CAUSE_STORE_FAULT, TEST_DEV, sb a0, 0(s2))
	EXPECT_TRAP(54, CAUSE_LOAD_FAULT, TEST_DEV + 4, lhu a0, 4(s2))
	/* misalignment is checked before the bus is asked */
	EXPECT_TRAP(55, CAUSE_LOAD_MISALIGNED, UNMAPPED + 2, lw a0, 2(s1))

	/* misaligned targets: the jump traps, mtval = target, rd unchanged */
	la t2, 1f
	li ra, 0x99
	EXPECT_TRAP_AT(56, CAUSE_FETCH_MISALIGNED, jalr ra, 2(t2))
	la t6, 1f + 2
	bne s11, t6, fail
	CHECK_REG(57, ra, 0x99)
1:	EXPECT_TRAP_AT(58, CAUSE_FETCH_MISALIGNED, jal ra, . + 6)
	addi t6, s10, 6
	bne s11, t6, fail
	CHECK_REG(59, ra, 0x99)
	EXPECT_TRAP_AT(60, CAUSE_FETCH_MISALIGNED, beq zero, zero, . + 6)
	addi t6, s10, 6
	bne s11, t6, fail
	EXPECT_TRAP_AT(61, CAUSE_FETCH_MISALIGNED, bgeu zero, zero, . - 2)
	addi t6, s10, -2
	bne s11, t6, fail
	/* a branch that is not taken does not care about its target */
	li gp, 62
	bne zero, zero, . + 6
	blt zero, zero, . - 2

	/* fetch outside code RAM: the jump retires, the fetch faults */
	li gp, 63
	la t0, trap_recorder
	csrw mtvec, t0
	la s8, 1f
	li t1, UNMAPPED
	la t5, 2f
	jalr ra, 0(t1)
2:	j fail
1:	CHECK_REG(64, s9, CAUSE_FETCH_FAULT)
	CHECK_REG(65, s10, UNMAPPED)
	CHECK_REG(66, s11, UNMAPPED)
	li gp, 67
	bne ra, t5, fail
	/* data RAM is not executable, nor is the word after code RAM */
	la s8, 1f
	li t1, DATA_RAM
	jr t1
1:	CHECK_REG(68, s9, CAUSE_FETCH_FAULT)
	CHECK_REG(69, s11, DATA_RAM)
	la s8, 1f
	li t1, CODE_RAM_END
	jr t1
1:	CHECK_REG(70, s9, CAUSE_FETCH_FAULT)
	CHECK_REG(71, s10, CODE_RAM_END)

	/* in vectored mode exceptions still go to the base address */
	la t0, trap_recorder + 1
	csrw mtvec, t0
	la s8, 1f
	li s9, -1
	ecall
1:	CHECK_REG(72, s9, CAUSE_ECALL_M)

	/* the usual handler: skip the ecall by advancing mepc */
	la t0, skip_handler
	csrw mtvec, t0
	li a0, 0
	ecall
	ecall
	ecall
	CHECK_REG(73, a0, 3)
	la t0, unexpected_trap
	csrw mtvec, t0

	TEST_END

	.balign 4
skip_handler:
	addi a0, a0, 1
	csrr t0, mepc
	addi t0, t0, 4
	csrw mepc, t0
	mret
