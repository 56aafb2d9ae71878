/* SPDX-License-Identifier: MIT */
/*
 * x0 is hardwired to zero: writes by every kind of instruction are
 * discarded, while their other effects (memory reads, jumps, CSR writes)
 * still happen.
 */
#include "rv32test.h"

	TEST_BEGIN

	li gp, 1
	addi x0, x0, 5
	bnez x0, fail
	li gp, 2
	li a1, 7
	add x0, a1, a1
	bnez x0, fail
	li gp, 3
	lui x0, 0x12345
	bnez x0, fail
	li gp, 4
	auipc x0, 1
	bnez x0, fail
	li gp, 5
	mul x0, a1, a1
	bnez x0, fail
	li gp, 6
	li a2, 1
	div x0, a1, a2
	bnez x0, fail

	/* the load still happens (and would fault): only its result is lost */
	li gp, 7
	li t0, DATA_RAM
	li t1, 0x1234
	sw t1, 0(t0)
	lw x0, 0(t0)
	bnez x0, fail

	/* jal/jalr x0 jump without linking */
	li gp, 8
	jal x0, 1f
	j fail
1:	bnez x0, fail
	li gp, 9
	la t0, 1f
	jalr x0, 0(t0)
	j fail
1:	bnez x0, fail

	/* csrrw x0 writes the CSR; csrrs x0 reads without effect */
	li gp, 10
	li a1, 0x5555
	csrrw x0, mscratch, a1
	bnez x0, fail
	csrr a0, mscratch
	CHECK_REG(11, a0, 0x5555)
	li gp, 12
	csrrs x0, mscratch, zero
	bnez x0, fail

	/* x0 as a source reads zero after all of the above */
	li gp, 13
	add a0, x0, x0
	bnez a0, fail
	addi a0, x0, -1
	CHECK_REG(14, a0, -1)
	li t0, DATA_RAM + 4
	sw x0, 0(t0)
	li t1, 0xffffffff
	sw t1, 4(t0)
	sw x0, 4(t0)
	lw a0, 4(t0)
	CHECK_REG(15, a0, 0)

	TEST_END
