/* SPDX-License-Identifier: MIT */
/*
 * jal and jalr: targets forward and backward, the link register holds the
 * address after the jump, jalr adds a signed offset and clears bit 0 of
 * the sum, and jalr with rd == rs1 jumps through the old value.
 */
#include "rv32test.h"

	TEST_BEGIN

	/* jal forward: lands on the target, ra = address after the jal */
	li gp, 1
	la t5, 1f
	jal ra, 2f
1:	j fail
2:	bne ra, t5, fail

	/* jal backward to a subroutine, which returns with jalr x0, 0(ra) */
	li gp, 2
	li a0, 0
	jal ra, sub_add5
	CHECK_REG(3, a0, 5)
	jal ra, sub_add5
	CHECK_REG(4, a0, 10)

	/* jal with another link register */
	li gp, 5
	la t5, 1f
	jal t1, 2f
1:	j fail
2:	bne t1, t5, fail

	/* j (jal x0): no link written anywhere, x0 stays zero */
	li gp, 6
	j 1f
	j fail
1:	bnez zero, fail

	/* jalr with a positive and a negative offset */
	li gp, 7
	la t0, 1f - 16
	jalr ra, 16(t0)
	j fail
1:	li gp, 8
	la t0, 1f + 20
	la t5, 2f
	jalr ra, -20(t0)
2:	j fail
1:	bne ra, t5, fail

	/* jalr clears bit 0 of rs1 + imm: odd register value, odd offset */
	li gp, 9
	la t0, 1f
	addi t0, t0, 1
	jalr ra, 0(t0)
	j fail
1:	li gp, 10
	la t0, 1f
	jalr ra, 1(t0)
	j fail
1:	li gp, 11
	la t0, 1f - 1
	jalr ra, 2(t0)
	j fail
1:
	/* jalr with rd == rs1: the target comes from the old value */
	li gp, 12
	la t0, 1f
	la t5, 2f
	jalr t0, 0(t0)
2:	j fail
1:	bne t0, t5, fail

	/* an indirect call and return through a table of addresses in code RAM */
	li gp, 13
	la t1, table
	lw t2, 4(t1)
	li a0, 100
	jalr ra, 0(t2)
	CHECK_REG(14, a0, 105)

	TEST_END

sub_add5:
	addi a0, a0, 5
	jalr x0, 0(ra)

	.balign 4
table:
	.word fail
	.word sub_add5
