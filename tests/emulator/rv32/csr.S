/* SPDX-License-Identifier: MIT */
/*
 * Zicsr and the machine CSRs: read/write/set/clear in register and
 * immediate forms, which bits of mstatus/mie/mip/mtvec/mepc are writable,
 * the constant ID registers, and the counters (instret counts retired
 * instructions; cycle also counts the instructions that trapped; a write
 * to minstret replaces that instruction's own increment).
 */
#include "rv32test.h"

	TEST_BEGIN

	/* csrrw returns the old value and writes the new one */
	li a1, 0x12345678
	csrw mscratch, a1
	li a2, 0xcafef00d
	csrrw a0, mscratch, a2
	CHECK_REG(1, a0, 0x12345678)
	csrr a0, mscratch
	CHECK_REG(2, a0, 0xcafef00d)
	/* csrrs sets and csrrc clears the bits of rs1, both return the old value */
	li a1, 0x0000ff00
	csrrs a0, mscratch, a1
	CHECK_REG(3, a0, 0xcafef00d)
	csrr a0, mscratch
	CHECK_REG(4, a0, 0xcafeff0d)
	li a1, 0xf000000f
	csrrc a0, mscratch, a1
	CHECK_REG(5, a0, 0xcafeff0d)
	csrr a0, mscratch
	CHECK_REG(6, a0, 0x0afeff00)
	/* rs1 = x0 only reads */
	csrrs a0, mscratch, zero
	csrrc a0, mscratch, zero
	csrr a0, mscratch
	CHECK_REG(7, a0, 0x0afeff00)
	/* rd == rs1 swaps */
	li a0, 0x11111111
	csrrw a0, mscratch, a0
	CHECK_REG(8, a0, 0x0afeff00)
	csrr a0, mscratch
	CHECK_REG(9, a0, 0x11111111)

	/* immediate forms: a 5-bit zero-extended uimm */
	csrrwi a0, mscratch, 31
	CHECK_REG(10, a0, 0x11111111)
	csrr a0, mscratch
	CHECK_REG(11, a0, 31)
	csrrci a0, mscratch, 0x15
	CHECK_REG(12, a0, 31)
	csrr a0, mscratch
	CHECK_REG(13, a0, 0x0a)
	csrrsi a0, mscratch, 0x10
	CHECK_REG(14, a0, 0x0a)
	csrr a0, mscratch
	CHECK_REG(15, a0, 0x1a)
	csrrsi a0, mscratch, 0
	csrrci a0, mscratch, 0
	csrr a0, mscratch
	CHECK_REG(16, a0, 0x1a)

	/* mstatus: only MIE and MPIE are writable; MPP always reads M (3) */
	csrw mie, zero
	li a1, -1
	csrw mstatus, a1
	csrr a0, mstatus
	CHECK_REG(17, a0, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE)
	csrci mstatus, MSTATUS_MIE
	csrr a0, mstatus
	CHECK_REG(18, a0, MSTATUS_MPP | MSTATUS_MPIE)
	csrw mstatus, zero
	csrr a0, mstatus
	CHECK_REG(19, a0, MSTATUS_MPP)
	csrr a0, mstatush
	CHECK_REG(20, a0, 0)

	/* misa: RV32 with I and M, writes ignored */
	csrr a0, misa
	CHECK_REG(21, a0, 0x40001100)
	csrw misa, zero
	csrr a0, misa
	CHECK_REG(22, a0, 0x40001100)

	/* ID registers and hart id are zero */
	li gp, 23
	csrr a0, mhartid
	bnez a0, fail
	csrr a0, mvendorid
	bnez a0, fail
	csrr a0, marchid
	bnez a0, fail
	csrr a0, mimpid
	bnez a0, fail

	/* mie: only MSIE, MTIE, MEIE exist */
	li a1, -1
	csrw mie, a1
	csrr a0, mie
	CHECK_REG(24, a0, MIP_MSI | MIP_MTI | MIP_MEI)
	csrw mie, zero
	/* mip: nothing pending, and software cannot set the M-mode bits */
	csrr a0, mip
	CHECK_REG(25, a0, 0)
	csrw mip, a1
	csrr a0, mip
	CHECK_REG(26, a0, 0)

	/* mtvec: direct (0) and vectored (1); reserved modes fall back to direct */
	li a1, 0x1000
	csrw mtvec, a1
	csrr a0, mtvec
	CHECK_REG(27, a0, 0x1000)
	li a1, 0x1001
	csrw mtvec, a1
	csrr a0, mtvec
	CHECK_REG(28, a0, 0x1001)
	li a1, 0x1002
	csrw mtvec, a1
	csrr a0, mtvec
	CHECK_REG(29, a0, 0x1000)
	li a1, 0x1003
	csrw mtvec, a1
	csrr a0, mtvec
	CHECK_REG(30, a0, 0x1000)
	la t0, unexpected_trap
	csrw mtvec, t0

	/* mepc: bits 1:0 are always zero (no compressed instructions) */
	li a1, 0x12345677
	csrw mepc, a1
	csrr a0, mepc
	CHECK_REG(31, a0, 0x12345674)
	/* mcause and mtval hold any value software writes */
	li a1, 0x8000000b
	csrw mcause, a1
	csrr a0, mcause
	CHECK_REG(32, a0, 0x8000000b)
	li a1, 0xdeadbeef
	csrw mtval, a1
	csrr a0, mtval
	CHECK_REG(33, a0, 0xdeadbeef)

	/* instret and cycle advance by one per instruction */
	csrr a1, instret
	nop
	nop
	csrr a2, instret
	sub a0, a2, a1
	CHECK_REG(34, a0, 3)
	csrr a1, cycle
	addi zero, zero, 0
	csrr a2, cycle
	sub a0, a2, a1
	CHECK_REG(35, a0, 2)
	csrr a1, minstret
	csrr a2, instret
	sub a0, a2, a1
	CHECK_REG(36, a0, 1)
	csrr a1, mcycle
	csrr a2, cycle
	sub a0, a2, a1
	CHECK_REG(37, a0, 1)

	/* a trapping instruction takes a cycle but does not retire */
	la t0, trap_recorder
	csrw mtvec, t0
	la s8, 1f
	csrr a1, instret
	csrr a2, cycle
	ecall
1:	csrr a3, instret
	csrr a4, cycle
	la t0, unexpected_trap
	csrw mtvec, t0
	/*
	 * Both spans hold 8 retired instructions (two csrr and the 6 of the
	 * handler); the cycle span also holds the ecall that trapped.
	 */
	sub a0, a3, a1
	CHECK_REG(38, a0, 8)
	sub a0, a4, a2
	CHECK_REG(39, a0, 9)

	/* the value written to minstret is what the next instruction reads */
	li a1, 100
	csrw minstret, a1
	csrr a0, minstret
	csrr a2, instret
	CHECK_REG(40, a0, 100)
	CHECK_REG(41, a2, 101)
	li a1, 5
	csrw minstreth, a1
	csrr a0, instreth
	CHECK_REG(42, a0, 5)
	/* carry from the low into the high half */
	csrw minstreth, zero
	li a1, -1
	csrw minstret, a1
	csrr a0, instreth
	csrr a2, instreth
	CHECK_REG(43, a0, 0)
	CHECK_REG(44, a2, 1)
	/* two csrr and the two 3-instruction checks since the write */
	csrr a0, instret
	CHECK_REG(45, a0, 7)
	/* mcycle/mcycleh the same way, read through cycle/cycleh */
	li a1, 7
	csrw mcycleh, a1
	csrr a0, cycleh
	CHECK_REG(46, a0, 7)
	li a1, 1000
	csrw mcycle, a1
	csrr a0, cycle
	CHECK_REG(47, a0, 1000)
	csrr a0, mcycleh
	CHECK_REG(48, a0, 7)

	TEST_END
