/* SPDX-License-Identifier: MIT */
/*
 * wfi: with no enabled interrupt pending the core stops (rv32_run returns
 * RV32_STOP_WFI) and the host wakes it by raising the lines the program
 * asked for through TEST_WAKE.  With mstatus.MIE set the interrupt is
 * taken with mepc after the wfi; with MIE clear the core just resumes
 * after the wfi; with an enabled interrupt already pending wfi does not
 * stop at all.  TEST_WAKE_COUNT shows whether the host had to wake it.
 */
#include "rv32test.h"

	TEST_BEGIN

	li s0, TEST_IRQ
	li s1, TEST_WAKE
	li s2, TEST_WAKE_COUNT
	la t0, irq_handler
	csrw mtvec, t0
	li s5, 0

	/* wake by an interrupt that is taken */
	li t0, MIP_MEI
	csrw mie, t0
	csrsi mstatus, MSTATUS_MIE
	sw t0, 0(s1)
	la t5, 1f
	wfi
1:	lw a0, 0(s2)
	CHECK_REG(1, a0, 1)
	CHECK_REG(2, s5, 1)
	CHECK_REG(3, s9, CAUSE_INT | 11)
	li gp, 4
	bne s10, t5, fail

	/* MIE clear: wfi still waits for a line enabled in mie, then falls through */
	csrci mstatus, MSTATUS_MIE
	li t0, MIP_MTI
	csrw mie, t0
	sw t0, 0(s1)
	wfi
	lw a0, 0(s2)
	CHECK_REG(5, a0, 2)
	CHECK_REG(6, s5, 1)
	csrr a0, mip
	CHECK_REG(7, a0, MIP_MTI)
	/* MTI still pending and enabled: this wfi does not stop */
	wfi
	lw a0, 0(s2)
	CHECK_REG(8, a0, 2)
	sw zero, 0(s0)

	/* a pending line that mie does not enable does not end wfi */
	li t0, MIP_MSI
	sw t0, 0(s0)
	li t0, MIP_MEI
	csrw mie, t0
	sw t0, 0(s1)
	wfi
	lw a0, 0(s2)
	CHECK_REG(9, a0, 3)
	csrr a0, mip
	CHECK_REG(10, a0, MIP_MSI | MIP_MEI)
	sw zero, 0(s0)

	/* the usual idle loop: wfi until the handler has counted an interrupt */
	li s5, 0
	csrsi mstatus, MSTATUS_MIE
	li t0, MIP_MEI
	sw t0, 0(s1)
2:	wfi
	beqz s5, 2b
	lw a0, 0(s2)
	CHECK_REG(11, a0, 4)
	CHECK_REG(12, s5, 1)

	TEST_END

	.balign 4
irq_handler:
	csrr s9, mcause
	csrr s10, mepc
	addi s5, s5, 1
	sw zero, 0(s0)
	mret
