/* SPDX-License-Identifier: MIT */
/*
 * Loads and stores of every width: little-endian byte order, sign
 * extension (lb, lh) against zero extension (lbu, lhu), sb/sh write only
 * their bytes and take the low bits of rs2, positive and negative offsets
 * up to the 12-bit limits, rd == rs1, and loads from code RAM.
 */
#include "rv32test.h"

#define BUF (DATA_RAM + 0x100)

	TEST_BEGIN

	li s0, BUF
	li t0, 0x80ff7f01
	sw t0, 0(s0)

	/* byte order and extension */
	lb a0, 0(s0)
	CHECK_REG(1, a0, 0x01)
	lb a0, 1(s0)
	CHECK_REG(2, a0, 0x7f)
	lb a0, 2(s0)
	CHECK_REG(3, a0, 0xffffffff)
	lb a0, 3(s0)
	CHECK_REG(4, a0, 0xffffff80)
	lbu a0, 2(s0)
	CHECK_REG(5, a0, 0xff)
	lbu a0, 3(s0)
	CHECK_REG(6, a0, 0x80)
	lh a0, 0(s0)
	CHECK_REG(7, a0, 0x7f01)
	lh a0, 2(s0)
	CHECK_REG(8, a0, 0xffff80ff)
	lhu a0, 2(s0)
	CHECK_REG(9, a0, 0x80ff)
	lhu a0, 0(s0)
	CHECK_REG(10, a0, 0x7f01)
	lw a0, 0(s0)
	CHECK_REG(11, a0, 0x80ff7f01)

	/* sb writes one byte, from the low 8 bits of rs2 */
	sw zero, 4(s0)
	li t0, 0x123456ab
	sb t0, 5(s0)
	lw a0, 4(s0)
	CHECK_REG(12, a0, 0x0000ab00)
	li t0, -1
	sb t0, 7(s0)
	lw a0, 4(s0)
	CHECK_REG(13, a0, 0xff00ab00)
	/* sh writes two bytes, from the low 16 bits of rs2 */
	li t0, 0xdeadbeef
	sh t0, 4(s0)
	lw a0, 4(s0)
	CHECK_REG(14, a0, 0xff00beef)
	li t0, 0x00018001
	sh t0, 6(s0)
	lw a0, 4(s0)
	CHECK_REG(15, a0, 0x8001beef)
	/* the neighbours were not touched */
	lw a0, 0(s0)
	CHECK_REG(16, a0, 0x80ff7f01)
	lw a0, 8(s0)
	CHECK_REG(17, a0, 0)

	/* negative offsets, and the limits of the 12-bit offset */
	addi s1, s0, 8
	lw a0, -8(s1)
	CHECK_REG(18, a0, 0x80ff7f01)
	lb a0, -5(s1)
	CHECK_REG(19, a0, 0xffffff80)
	li s2, BUF + 0x1000
	li t0, 0x11223344
	sw t0, -2048(s2)
	li t1, BUF + 0x1000 - 2048
	lw a0, 0(t1)
	CHECK_REG(20, a0, 0x11223344)
	li t0, 0x5a
	sb t0, 2047(s2)
	li t1, BUF + 0x1000 + 2047
	lbu a0, 0(t1)
	CHECK_REG(21, a0, 0x5a)
	lhu a0, -2048(s2)
	CHECK_REG(22, a0, 0x3344)

	/* rd == rs1: the address is used before the register is overwritten */
	li a0, BUF
	lw a0, 0(a0)
	CHECK_REG(23, a0, 0x80ff7f01)
	li a0, BUF + 4
	lh a0, -2(a0)
	CHECK_REG(24, a0, 0xffff80ff)

	/* store then load back every width at every legal alignment */
	li t0, 0xcafef00d
	sw t0, 16(s0)
	lhu a0, 16(s0)
	CHECK_REG(25, a0, 0xf00d)
	lhu a0, 18(s0)
	CHECK_REG(26, a0, 0xcafe)
	lbu a0, 17(s0)
	CHECK_REG(27, a0, 0xf0)
	lbu a0, 19(s0)
	CHECK_REG(28, a0, 0xca)
	sh t0, 20(s0)
	sh t0, 22(s0)
	lw a0, 20(s0)
	CHECK_REG(29, a0, 0xf00df00d)
	sb t0, 24(s0)
	sb t0, 25(s0)
	sb t0, 26(s0)
	sb t0, 27(s0)
	lw a0, 24(s0)
	CHECK_REG(30, a0, 0x0d0d0d0d)

	/* loads from code RAM see the program image */
	la t1, constants
	lw a0, 0(t1)
	CHECK_REG(31, a0, 0x89abcdef)
	lb a0, 4(t1)
	CHECK_REG(32, a0, 0xfffffff6)
	lhu a0, 6(t1)
	CHECK_REG(33, a0, 0xbeef)

	/* the last word of data RAM is reachable */
	li t1, DATA_RAM_END - 4
	li t0, 0x600dcafe
	sw t0, 0(t1)
	lw a0, 0(t1)
	CHECK_REG(34, a0, 0x600dcafe)

	TEST_END

	.section .rodata
	.balign 4
constants:
	.word 0x89abcdef
	.byte 0xf6, 0x00
	.half 0xbeef
