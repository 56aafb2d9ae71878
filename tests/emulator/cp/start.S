/* SPDX-License-Identifier: MIT */
/* Start-up of the card tests' CP programs: stack, zeroed .bss, main, ebreak. */
	.section .text.start, "ax"
	.globl _start
_start:
	la	sp, __stack_top
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sw	zero, 0(t0)
	addi	t0, t0, 4
	j	1b
2:	call	main
	/* Returning from main halts the CP: the host sees SA_EVENT_CP_HALT. */
	ebreak
3:	j	3b
