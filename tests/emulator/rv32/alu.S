/* SPDX-License-Identifier: MIT */
/*
 * Every RV32I register-register and register-immediate ALU instruction on
 * boundary values (sign bit, wrap-around, shift amounts 0/31 and the
 * 5-bit masking of register shift amounts, sign extension of 12-bit
 * immediates, unsigned compares against sign-extended immediates), the
 * same-register operand forms, and lui/auipc.
 */
#include "rv32test.h"

	TEST_BEGIN

	// add, sub: wrap-around modulo 2^32
	TEST_RR(1, add, 0x00000002, 1, 1)
	TEST_RR(2, add, 0x80000000, 0x7fffffff, 1)
	TEST_RR(3, add, 0x00000000, -1, 1)
	TEST_RR(4, add, 0x00000000, 0x80000000, 0x80000000)
	TEST_RR(5, sub, 0xfffffffc, 3, 7)
	TEST_RR(6, sub, 0x80000000, 0, 0x80000000)
	TEST_RR(7, sub, 0x7fffffff, 0x80000000, 1)
	// logic
	TEST_RR(8, and, 0x0f000f00, 0xff00ff00, 0x0ff00ff0)
	TEST_RR(9, or, 0xfff0fff0, 0xff00ff00, 0x0ff00ff0)
	TEST_RR(10, xor, 0xf0f0f0f0, 0xff00ff00, 0x0ff00ff0)
	// register shifts use only the low 5 bits of rs2
	TEST_RR(11, sll, 0x80000000, 1, 31)
	TEST_RR(12, sll, 0x23456780, 0x12345678, 4)
	TEST_RR(13, sll, 0x2468acf0, 0x12345678, 33)
	TEST_RR(14, sll, 0x12345678, 0x12345678, 0xffffffe0)
	TEST_RR(15, srl, 0x00000001, 0x80000000, 31)
	TEST_RR(16, srl, 0x08000000, 0x80000000, 4)
	TEST_RR(17, srl, 0x08000000, 0x80000000, 36)
	TEST_RR(18, sra, 0xf8000000, 0x80000000, 4)
	TEST_RR(19, sra, 0xffffffff, 0x80000000, 31)
	TEST_RR(20, sra, 0x07ffffff, 0x7fffffff, 4)
	TEST_RR(21, sra, 0x80000001, 0x80000001, 32)
	// signed and unsigned compares
	TEST_RR(22, slt, 0x00000001, -1, 1)
	TEST_RR(23, slt, 0x00000000, 1, -1)
	TEST_RR(24, slt, 0x00000000, 7, 7)
	TEST_RR(25, slt, 0x00000001, 0x80000000, 0x7fffffff)
	TEST_RR(26, sltu, 0x00000000, -1, 1)
	TEST_RR(27, sltu, 0x00000001, 1, -1)
	TEST_RR(28, sltu, 0x00000000, 0, 0)
	TEST_RR(29, sltu, 0x00000001, 0x7fffffff, 0x80000000)
	// I-type immediates are 12-bit sign-extended
	TEST_RI(30, addi, 0xfffff805, 5, -2048)
	TEST_RI(31, addi, 0x80000000, 0x7fffffff, 1)
	TEST_RI(32, addi, 0x000007ff, 0, 2047)
	TEST_RI(33, addi, 0xfffffffe, -1, -1)
	TEST_RI(34, slti, 0x00000001, -5, -4)
	TEST_RI(35, slti, 0x00000000, 5, -4)
	TEST_RI(36, slti, 0x00000001, 0x80000000, 0)
	TEST_RI(37, slti, 0x00000000, 0x7fffffff, 2047)
	// sltiu compares with the sign-extended immediate as unsigned
	TEST_RI(38, sltiu, 0x00000001, 5, -1)
	TEST_RI(39, sltiu, 0x00000000, 0xffffffff, -1)
	TEST_RI(40, sltiu, 0x00000001, 0, 1)
	TEST_RI(41, sltiu, 0x00000000, 1, 1)
	TEST_RI(42, sltiu, 0x00000001, 0x800, -2048)
	TEST_RI(43, xori, 0xff00ff00, 0x00ff00ff, -1)
	TEST_RI(44, xori, 0x12345187, 0x12345678, 0x7ff)
	TEST_RI(45, ori, 0xfffff800, 0x12340000, -2048)
	TEST_RI(46, ori, 0x123450ff, 0x12345000, 0x0ff)
	TEST_RI(47, andi, 0x12345670, 0x12345678, -16)
	TEST_RI(48, andi, 0x000007ff, 0xffffffff, 0x7ff)
	TEST_RI(49, andi, 0xfffff800, 0xffffffff, -2048)
	TEST_RI(50, slli, 0x80000000, 1, 31)
	TEST_RI(51, slli, 0x12345678, 0x12345678, 0)
	TEST_RI(52, slli, 0x45678000, 0x12345678, 12)
	TEST_RI(53, srli, 0x00000001, 0x80000000, 31)
	TEST_RI(54, srli, 0xffffffff, 0xffffffff, 0)
	TEST_RI(55, srli, 0x000f0000, 0xf0000000, 12)
	TEST_RI(56, srai, 0xffffffff, 0x80000000, 31)
	TEST_RI(57, srai, 0x00000001, 0x7fffffff, 30)
	TEST_RI(58, srai, 0xf8000001, 0x80000010, 4)
	TEST_RI(59, srai, 0x40000000, 0x40000000, 0)

	/* rd equal to a source register, and both sources the same register */
	li a0, 21
	add a0, a0, a0
	CHECK_REG(60, a0, 42)
	li a1, 0x5a5a5a5a
	sub a1, a1, a1
	CHECK_REG(61, a1, 0)
	li a2, 3
	li a3, 10
	sub a3, a2, a3
	CHECK_REG(62, a3, -7)
	li a4, 0x7ffffff0
	addi a4, a4, 0x10
	CHECK_REG(63, a4, 0x80000000)

	/* lui: imm << 12, low bits zero */
	lui a0, 0xfffff
	CHECK_REG(64, a0, 0xfffff000)
	lui a0, 0x80000
	CHECK_REG(65, a0, 0x80000000)
	lui a0, 0
	CHECK_REG(66, a0, 0)
	/* lui + addi with a negative low part (li splits it that way) */
	lui a0, 0x12346
	addi a0, a0, -1
	CHECK_REG(67, a0, 0x12345fff)

	/* auipc: pc of the auipc itself plus imm << 12 (wrapping) */
	la t5, 1f
1:	auipc a0, 0
	li gp, 68
	bne a0, t5, fail
	la t5, 2f
2:	auipc a0, 0xfffff
	li t6, 0x1000
	add a0, a0, t6
	li gp, 69
	bne a0, t5, fail
	la t5, 3f
3:	auipc a0, 0x80000
	li t6, 0x80000000
	sub a0, a0, t6
	li gp, 70
	bne a0, t5, fail

	TEST_END
