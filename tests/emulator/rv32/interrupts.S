/* SPDX-License-Identifier: MIT */
/*
 * Machine interrupts raised through the test device's line register: taken
 * only when pending in mip, enabled in mie and mstatus.MIE is set; taken
 * at the next instruction boundary (mepc = the instruction not yet run,
 * mtval 0, mcause with the interrupt bit); MEI > MSI > MTI when several
 * are pending; a line lowered before it is enabled is never taken; mie
 * masks lines one by one; vectored mtvec sends each cause to base + 4 *
 * cause while exceptions still go to the base.
 *
 * irq_handler logs each mcause at s6 (advancing it), counts in s5, keeps
 * mcause/mepc/mtval/mstatus in s9/s10/s11/s7 and lowers the taken line.
 */
#include "rv32test.h"

	TEST_BEGIN

	li s0, TEST_IRQ
	la t0, irq_handler
	csrw mtvec, t0
	li s6, DATA_RAM
	li s5, 0

	/* pending but not enabled in mie: not taken, visible in mip */
	csrsi mstatus, MSTATUS_MIE
	li t0, MIP_MEI
	sw t0, 0(s0)
	nop
	CHECK_REG(1, s5, 0)
	csrr a0, mip
	CHECK_REG(2, a0, MIP_MEI)
	/* enabled in mie but mstatus.MIE clear: not taken */
	csrci mstatus, MSTATUS_MIE
	li t0, MIP_MEI
	csrw mie, t0
	nop
	CHECK_REG(3, s5, 0)
	/* setting mstatus.MIE takes it before the next instruction */
	la t5, 1f
	csrsi mstatus, MSTATUS_MIE
1:	CHECK_REG(4, s5, 1)
	CHECK_REG(5, s9, CAUSE_INT | 11)
	li gp, 6
	bne s10, t5, fail
	CHECK_REG(7, s11, 0)
	/* the handler ran with MIE clear and MPIE set; mret set MIE again */
	CHECK_REG(8, s7, MSTATUS_MPP | MSTATUS_MPIE)
	csrr a0, mstatus
	CHECK_REG(9, a0, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE)
	csrr a0, mip
	CHECK_REG(10, a0, 0)

	/* a store that raises an enabled line: taken right after the store */
	la t5, 1f
	li t0, MIP_MEI
	sw t0, 0(s0)
1:	CHECK_REG(11, s5, 2)
	li gp, 12
	bne s10, t5, fail

	/* all three pending: taken one after another as MEI, MSI, MTI */
	csrci mstatus, MSTATUS_MIE
	li t0, MIP_MSI | MIP_MTI | MIP_MEI
	csrw mie, t0
	sw t0, 0(s0)
	csrr a0, mip
	CHECK_REG(13, a0, MIP_MSI | MIP_MTI | MIP_MEI)
	li s6, DATA_RAM + 0x40
	li s5, 0
	csrsi mstatus, MSTATUS_MIE
	nop
	CHECK_REG(14, s5, 3)
	li t1, DATA_RAM + 0x40
	lw a0, 0(t1)
	CHECK_REG(15, a0, CAUSE_INT | 11)
	lw a0, 4(t1)
	CHECK_REG(16, a0, CAUSE_INT | 3)
	lw a0, 8(t1)
	CHECK_REG(17, a0, CAUSE_INT | 7)

	/* mie masks lines one by one: MTI taken, MSI stays pending */
	csrci mstatus, MSTATUS_MIE
	li t0, MIP_MTI
	csrw mie, t0
	li t0, MIP_MSI | MIP_MTI
	sw t0, 0(s0)
	li s6, DATA_RAM + 0x80
	li s5, 0
	csrsi mstatus, MSTATUS_MIE
	nop
	CHECK_REG(18, s5, 1)
	li t1, DATA_RAM + 0x80
	lw a0, 0(t1)
	CHECK_REG(19, a0, CAUSE_INT | 7)
	csrr a0, mip
	CHECK_REG(20, a0, MIP_MSI)
	sw zero, 0(s0)

	/* a line lowered again before it is enabled is never taken */
	csrci mstatus, MSTATUS_MIE
	li t0, MIP_MEI
	sw t0, 0(s0)
	sw zero, 0(s0)
	li t0, MIP_MSI | MIP_MTI | MIP_MEI
	csrw mie, t0
	li s5, 0
	csrsi mstatus, MSTATUS_MIE
	nop
	CHECK_REG(21, s5, 0)

	/* vectored mode: each interrupt at base + 4 * cause */
	csrci mstatus, MSTATUS_MIE
	la t0, vector_table + 1
	csrw mtvec, t0
	csrsi mstatus, MSTATUS_MIE
	li s4, 0
	li t0, MIP_MTI
	sw t0, 0(s0)
	nop
	CHECK_REG(22, s4, 7)
	li t0, MIP_MSI
	sw t0, 0(s0)
	nop
	CHECK_REG(23, s4, 3)
	li t0, MIP_MEI
	sw t0, 0(s0)
	nop
	CHECK_REG(24, s4, 11)
	/* and an exception in vectored mode goes to the base */
	ecall
	CHECK_REG(25, s4, 100)
	csrci mstatus, MSTATUS_MIE
	la t0, unexpected_trap
	csrw mtvec, t0

	TEST_END

	.balign 4
irq_handler:
	csrr s9, mcause
	csrr s10, mepc
	csrr s11, mtval
	csrr s7, mstatus
	addi s5, s5, 1
	sw s9, 0(s6)
	addi s6, s6, 4
	/* lower the line taken: bit (mcause & 31) of the line register */
	li t3, 1
	sll t3, t3, s9
	lw t4, 0(s0)
	not t3, t3
	and t4, t4, t3
	sw t4, 0(s0)
	mret

	.balign 64
vector_table:
	j vec_exception		/* 0: exceptions */
	j fail
	j fail
	j vec_msi		/* 3 */
	j fail
	j fail
	j fail
	j vec_mti		/* 7 */
	j fail
	j fail
	j fail
	j vec_mei		/* 11 */
vec_msi:
	li s4, 3
	j vec_done
vec_mti:
	li s4, 7
	j vec_done
vec_mei:
	li s4, 11
vec_done:
	sw zero, 0(s0)
	mret
vec_exception:
	li s4, 100
	csrr t3, mepc
	addi t3, t3, 4
	csrw mepc, t3
	mret
