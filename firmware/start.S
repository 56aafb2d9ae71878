/* SPDX-License-Identifier: MIT */
/*
 * Reset entry of the firmware.  The CP starts here with every register zero
 * (docs/hardware.md 4.1).  IRAM holds the code and the initial values of
 * .data; DRAM holds .data, .bss and the stack.  DRAM is not cleared by a CP
 * reset (watchdog, host), so .data is copied and .bss zeroed on every boot:
 * a released-again CP starts from the same state as a freshly loaded one.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	la	sp, __stack_top
	la	t0, fw_trap_entry
	csrw	mtvec, t0
	csrw	mie, zero
	csrw	mstatus, zero

	/* .data: copy its load image from IRAM. */
	la	t0, __data_load
	la	t1, __data_start
	la	t2, __data_end
1:	bgeu	t1, t2, 2f
	lw	t3, 0(t0)
	sw	t3, 0(t1)
	addi	t0, t0, 4
	addi	t1, t1, 4
	j	1b

	/* .bss: zero. */
2:	la	t1, __bss_start
	la	t2, __bss_end
3:	bgeu	t1, t2, 4f
	sw	zero, 0(t1)
	addi	t1, t1, 4
	j	3b

4:	call	fw_main
5:	j	5b

/*
 * Exceptions only (interrupts never trap: mstatus.MIE stays 0).  The stack
 * may be what broke, so restart it, then report and halt.
 */
	.balign 4
	.globl fw_trap_entry
fw_trap_entry:
	la	sp, __stack_top
	csrr	a0, mcause
	csrr	a1, mepc
	csrr	a2, mtval
	call	fw_trap
6:	j	6b
