/* SPDX-License-Identifier: MIT */
/*
 * Every conditional branch taken and not taken: equal/unequal, signed
 * against unsigned order at the sign boundary, the same register on both
 * sides, forward and backward targets.
 */
#include "rv32test.h"

/* Check n: `br a1, a2` with these values must branch. */
#define TAKEN(n, br, v1, v2) \
	li gp, n; \
	li a1, v1; \
	li a2, v2; \
	br a1, a2, 1f; \
	j fail; \
1:

/* Check n: `br a1, a2` with these values must fall through. */
#define NOT_TAKEN(n, br, v1, v2) \
	li gp, n; \
	li a1, v1; \
	li a2, v2; \
	br a1, a2, fail

	TEST_BEGIN

	TAKEN(1, beq, 5, 5)
	TAKEN(2, beq, 0x80000000, 0x80000000)
	NOT_TAKEN(3, beq, 5, 6)
	NOT_TAKEN(4, beq, 0, 0x80000000)

	TAKEN(5, bne, 5, 6)
	TAKEN(6, bne, 0, 0x80000000)
	NOT_TAKEN(7, bne, -1, -1)

	/* blt/bge are signed: -1 < 1 and 0x80000000 is the smallest value */
	TAKEN(8, blt, -1, 1)
	TAKEN(9, blt, 0x80000000, 0x7fffffff)
	TAKEN(10, blt, -5, -4)
	NOT_TAKEN(11, blt, 1, -1)
	NOT_TAKEN(12, blt, 7, 7)
	NOT_TAKEN(13, blt, 0x7fffffff, 0x80000000)

	TAKEN(14, bge, 1, -1)
	TAKEN(15, bge, 7, 7)
	TAKEN(16, bge, 0x7fffffff, 0x80000000)
	TAKEN(17, bge, -4, -5)
	NOT_TAKEN(18, bge, -1, 1)
	NOT_TAKEN(19, bge, 0x80000000, 0x7fffffff)

	/* bltu/bgeu are unsigned: 0xffffffff is the largest value */
	TAKEN(20, bltu, 1, -1)
	TAKEN(21, bltu, 0x7fffffff, 0x80000000)
	TAKEN(22, bltu, 0, 1)
	NOT_TAKEN(23, bltu, -1, 1)
	NOT_TAKEN(24, bltu, 7, 7)
	NOT_TAKEN(25, bltu, 0x80000000, 0x7fffffff)

	TAKEN(26, bgeu, -1, 1)
	TAKEN(27, bgeu, 7, 7)
	TAKEN(28, bgeu, 0x80000000, 0x7fffffff)
	NOT_TAKEN(29, bgeu, 1, -1)
	NOT_TAKEN(30, bgeu, 0, 1)

	/* the same register on both sides, and x0 */
	li gp, 31
	li a1, 0x80000000
	bne a1, a1, fail
	blt a1, a1, fail
	bltu a1, a1, fail
	beq a1, a1, 1f
	j fail
1:	li gp, 32
	bge a1, a1, 1f
	j fail
1:	bgeu zero, zero, 1f
	j fail
1:	li gp, 33
	bltu zero, a1, 1f
	j fail
1:	bltu a1, zero, fail

	/* a backward branch closing a loop: ten iterations */
	li gp, 34
	li a0, 0
	li a1, 10
2:	addi a0, a0, 1
	blt a0, a1, 2b
	CHECK_REG(35, a0, 10)
	/* counting down to zero with bnez (bne against x0) */
	li a0, 7
	li a2, 0
3:	addi a2, a2, 3
	addi a0, a0, -1
	bnez a0, 3b
	CHECK_REG(36, a2, 21)

	/* a branch over more than 2 KiB, then back the same way */
	li gp, 37
	li a3, 0
	beq zero, zero, far
back:
	CHECK_REG(38, a3, 1)
	j done
	.skip 3000
far:
	li a3, 1
	beq zero, zero, back
	j fail
done:
	TEST_END
