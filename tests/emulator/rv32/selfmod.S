/* SPDX-License-Identifier: MIT */
/*
 * Self-modifying code: stores into code RAM reach the bus, whose owner
 * invalidates the decode cache, so an instruction already executed (and
 * decoded) runs in its new form after the store and fence.i.  Covers word,
 * halfword and byte stores into an instruction, and rewriting the
 * instruction right after the store in the same run.
 */
#include "rv32test.h"

/* addi a0, zero, imm */
#define ADDI_A0(imm) ((((imm) & 0xfff) << 20) | (10 << 7) | 0x13)

	TEST_BEGIN

	/* run the site once so that it is decoded */
	jal ra, site
	CHECK_REG(1, a0, 1)
	/* replace it with a word store */
	la t0, site
	li t1, ADDI_A0(2)
	sw t1, 0(t0)
	fence.i
	jal ra, site
	CHECK_REG(2, a0, 2)
	/* change the immediate with a halfword store (bits 31:16 hold imm[11:4]...) */
	li t1, ADDI_A0(0x123) >> 16
	sh t1, 2(t0)
	fence.i
	jal ra, site
	CHECK_REG(3, a0, 0x123)
	/* and with a byte store into the top byte: imm[11:4] */
	li t1, 0x7f
	sb t1, 3(t0)
	fence.i
	jal ra, site
	CHECK_REG(4, a0, 0x7f3)

	/* a loop whose body rewrites its own next instruction each time */
	li gp, 5
	la t0, patched
	li s1, 0
	li s2, 3
	li s3, ADDI_A0(0)
loop:
	addi t1, s3, 0
	/* imm = loop counter + 10, encoded into bits 31:20 */
	addi t2, s1, 10
	slli t2, t2, 20
	or t1, t1, t2
	sw t1, 0(t0)
	fence.i
patched:
	addi a0, zero, 0
	addi t2, s1, 10
	bne a0, t2, fail
	addi s1, s1, 1
	blt s1, s2, loop
	CHECK_REG(6, a0, 12)

	TEST_END

	.balign 4
site:
	addi a0, zero, 1
	ret
