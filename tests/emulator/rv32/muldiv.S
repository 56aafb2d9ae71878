/* SPDX-License-Identifier: MIT */
/*
 * M extension: the four multiplies with every sign combination, signed and
 * unsigned division rounding toward zero, and the edge cases the spec
 * defines instead of trapping: division by zero and INT_MIN / -1.
 */
#include "rv32test.h"

	TEST_BEGIN

	// mul: low 32 bits, the same for signed and unsigned operands
	TEST_RR(1, mul, 0xffffffeb, 7, -3)
	TEST_RR(2, mul, 0x80000000, 0x80000000, -1)
	TEST_RR(3, mul, 0xfffe0001, 0xffff, 0xffff)
	TEST_RR(4, mul, 0x242d2080, 0x12345678, 0x9abcdef0)
	TEST_RR(5, mul, 0x00000000, 0, 0xffffffff)
	// mulh: signed x signed, high half
	TEST_RR(6, mulh, 0x00000000, -1, -1)
	TEST_RR(7, mulh, 0x40000000, 0x80000000, 0x80000000)
	TEST_RR(8, mulh, 0xffffffff, -2, 3)
	TEST_RR(9, mulh, 0x3fffffff, 0x7fffffff, 0x7fffffff)
	TEST_RR(10, mulh, 0xc0000000, 0x80000000, 0x7fffffff)
	TEST_RR(11, mulh, 0xffffffff, 2, 0x80000000)
	TEST_RR(12, mulh, 0xf8cc93d6, 0x12345678, 0x9abcdef0)
	// mulhsu: signed rs1 x unsigned rs2
	TEST_RR(13, mulhsu, 0xffffffff, -1, 0xffffffff)
	TEST_RR(14, mulhsu, 0x80000000, 0x80000000, 0xffffffff)
	TEST_RR(15, mulhsu, 0x00000001, 2, 0x80000000)
	TEST_RR(16, mulhsu, 0x7ffffffe, 0x7fffffff, 0xffffffff)
	TEST_RR(17, mulhsu, 0xffffffff, -1, 1)
	TEST_RR(18, mulhsu, 0x0b00ea4e, 0x12345678, 0x9abcdef0)
	// mulhu: unsigned x unsigned
	TEST_RR(19, mulhu, 0xfffffffe, 0xffffffff, 0xffffffff)
	TEST_RR(20, mulhu, 0x00000001, 0x80000000, 2)
	TEST_RR(21, mulhu, 0x0b00ea4e, 0x12345678, 0x9abcdef0)
	TEST_RR(22, mulhu, 0x00000000, 1, 0xffffffff)
	// div/rem round toward zero; the remainder has the dividend's sign
	TEST_RR(23, div, 0x00000003, 20, 6)
	TEST_RR(24, div, 0xfffffffd, -20, 6)
	TEST_RR(25, div, 0xfffffffd, 20, -6)
	TEST_RR(26, div, 0x00000003, -20, -6)
	TEST_RR(27, rem, 0x00000002, 20, 6)
	TEST_RR(28, rem, 0xfffffffe, -20, 6)
	TEST_RR(29, rem, 0x00000002, 20, -6)
	TEST_RR(30, rem, 0xfffffffe, -20, -6)
	TEST_RR(31, divu, 0x7fffffff, 0xffffffff, 2)
	TEST_RR(32, divu, 0x00000000, 0x80000000, 0xffffffff)
	TEST_RR(33, remu, 0x00000005, 0xffffffff, 10)
	TEST_RR(34, remu, 0x80000000, 0x80000000, 0xffffffff)
	// division by zero: quotient all ones, remainder the dividend
	TEST_RR(35, div, 0xffffffff, 5, 0)
	TEST_RR(36, div, 0xffffffff, -5, 0)
	TEST_RR(37, div, 0xffffffff, 0, 0)
	TEST_RR(38, divu, 0xffffffff, 5, 0)
	TEST_RR(39, divu, 0xffffffff, 0, 0)
	TEST_RR(40, rem, 0x00000005, 5, 0)
	TEST_RR(41, rem, 0xfffffffb, -5, 0)
	TEST_RR(42, remu, 0xfffffff0, 0xfffffff0, 0)
	TEST_RR(43, remu, 0x00000000, 0, 0)
	// signed overflow: INT_MIN / -1 = INT_MIN, remainder 0
	TEST_RR(44, div, 0x80000000, 0x80000000, -1)
	TEST_RR(45, rem, 0x00000000, 0x80000000, -1)
	TEST_RR(46, divu, 0x00000000, 0x80000000, -1)
	TEST_RR(47, remu, 0x80000000, 0x80000000, -1)
	TEST_RR(48, div, 0x80000000, 0x80000000, 1)
	TEST_RR(49, rem, 0xfffffffe, 0x80000000, 3)

	/* rd equal to a source, and one register as both sources */
	li a0, -7
	mul a0, a0, a0
	CHECK_REG(50, a0, 49)
	li a1, 0x80000000
	mulh a1, a1, a1
	CHECK_REG(51, a1, 0x40000000)
	li a2, -9
	div a2, a2, a2
	CHECK_REG(52, a2, 1)
	li a3, 0
	divu a3, a3, a3
	CHECK_REG(53, a3, 0xffffffff)
	li a4, 17
	li a5, 5
	rem a5, a4, a5
	CHECK_REG(54, a5, 2)
	/* the usual mulhu/mul pair gives the full 64-bit product */
	li a1, 0xfffffffe
	li a2, 0xfffffffd
	mulhu a3, a1, a2
	mul a4, a1, a2
	CHECK_REG(55, a3, 0xfffffffb)
	CHECK_REG(56, a4, 0x00000006)

	TEST_END
