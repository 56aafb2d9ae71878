// SPDX-License-Identifier: MIT
/*
 * RV32IM + Zicsr + Zifencei decoder: turns one instruction word into the
 * handler index and operands the run loop executes.  Everything that does
 * not depend on register values is computed here once (immediates, branch
 * and jump targets, auipc results), and every encoding the core does not
 * implement becomes RV32_OP_ILLEGAL so that it traps when executed.
 */
#include "rv32_internal.h"

/* Sign-extends the low `bits` bits of v. */
static uint32_t sext(uint32_t v, unsigned int bits)
{
	uint32_t sign = 1u << (bits - 1);

	v &= (sign << 1) - 1;
	return (v ^ sign) - sign;
}

static uint32_t imm_i(uint32_t insn)
{
	return sext(insn >> 20, 12);
}

static uint32_t imm_s(uint32_t insn)
{
	return sext(((insn >> 25) << 5) | ((insn >> 7) & 0x1f), 12);
}

static uint32_t imm_b(uint32_t insn)
{
	uint32_t v = ((insn >> 31) & 1) << 12 | ((insn >> 7) & 1) << 11 |
		     ((insn >> 25) & 0x3f) << 5 | ((insn >> 8) & 0xf) << 1;

	return sext(v, 13);
}

static uint32_t imm_j(uint32_t insn)
{
	uint32_t v = ((insn >> 31) & 1) << 20 | ((insn >> 12) & 0xff) << 12 |
		     ((insn >> 20) & 1) << 11 | ((insn >> 21) & 0x3ff) << 1;

	return sext(v, 21);
}

static enum rv32_op decode_branch(uint32_t funct3)
{
	static const uint8_t ops[8] = {
		RV32_OP_BEQ, RV32_OP_BNE, RV32_OP_ILLEGAL, RV32_OP_ILLEGAL,
		RV32_OP_BLT, RV32_OP_BGE, RV32_OP_BLTU,	   RV32_OP_BGEU,
	};

	return ops[funct3];
}

static enum rv32_op decode_load(uint32_t funct3)
{
	static const uint8_t ops[8] = {
		RV32_OP_LB,  RV32_OP_LH,  RV32_OP_LW,	   RV32_OP_ILLEGAL,
		RV32_OP_LBU, RV32_OP_LHU, RV32_OP_ILLEGAL, RV32_OP_ILLEGAL,
	};

	return ops[funct3];
}

static enum rv32_op decode_store(uint32_t funct3)
{
	static const uint8_t ops[8] = {
		RV32_OP_SB,	 RV32_OP_SH,	  RV32_OP_SW,	   RV32_OP_ILLEGAL,
		RV32_OP_ILLEGAL, RV32_OP_ILLEGAL, RV32_OP_ILLEGAL, RV32_OP_ILLEGAL,
	};

	return ops[funct3];
}

static enum rv32_op decode_op_imm(uint32_t funct3, uint32_t funct7)
{
	switch (funct3) {
	case 0: return RV32_OP_ADDI;
	case 2: return RV32_OP_SLTI;
	case 3: return RV32_OP_SLTIU;
	case 4: return RV32_OP_XORI;
	case 6: return RV32_OP_ORI;
	case 7: return RV32_OP_ANDI;
	case 1:
		/* RV32: shamt[5] (bit 25) set is reserved, like any other funct7. */
		return funct7 == 0 ? RV32_OP_SLLI : RV32_OP_ILLEGAL;
	default: /* 5 */
		if (funct7 == 0)
			return RV32_OP_SRLI;
		if (funct7 == 0x20)
			return RV32_OP_SRAI;
		return RV32_OP_ILLEGAL;
	}
}

static enum rv32_op decode_op(uint32_t funct3, uint32_t funct7)
{
	static const uint8_t base[8] = {
		RV32_OP_ADD, RV32_OP_SLL, RV32_OP_SLT, RV32_OP_SLTU,
		RV32_OP_XOR, RV32_OP_SRL, RV32_OP_OR,  RV32_OP_AND,
	};
	static const uint8_t muldiv[8] = {
		RV32_OP_MUL, RV32_OP_MULH, RV32_OP_MULHSU, RV32_OP_MULHU,
		RV32_OP_DIV, RV32_OP_DIVU, RV32_OP_REM,	   RV32_OP_REMU,
	};

	if (funct7 == 0)
		return base[funct3];
	if (funct7 == 1)
		return muldiv[funct3];
	if (funct7 == 0x20 && funct3 == 0)
		return RV32_OP_SUB;
	if (funct7 == 0x20 && funct3 == 5)
		return RV32_OP_SRA;
	return RV32_OP_ILLEGAL;
}

static enum rv32_op decode_system(uint32_t insn, uint32_t funct3)
{
	static const uint8_t csr_ops[8] = {
		RV32_OP_ILLEGAL, RV32_OP_CSRRW,	 RV32_OP_CSRRS,	 RV32_OP_CSRRC,
		RV32_OP_ILLEGAL, RV32_OP_CSRRWI, RV32_OP_CSRRSI, RV32_OP_CSRRCI,
	};

	if (funct3 != 0)
		return csr_ops[funct3];
	/* The privileged instructions are exact encodings (rd = rs1 = 0). */
	switch (insn) {
	case 0x00000073: return RV32_OP_ECALL;
	case 0x00100073: return RV32_OP_EBREAK;
	case 0x30200073: return RV32_OP_MRET;
	case 0x10500073: return RV32_OP_WFI;
	default: return RV32_OP_ILLEGAL; /* sret, uret, sfence.vma, ... */
	}
}

void rv32_decode(struct rv32_decoded *d, uint32_t insn, uint32_t pc)
{
	uint32_t funct3 = (insn >> 12) & 7, funct7 = insn >> 25;
	enum rv32_op op;

	d->rd = (insn >> 7) & 31;
	d->rs1 = (insn >> 15) & 31;
	d->rs2 = (insn >> 20) & 31;
	d->imm = 0;

	/* The full 7-bit major opcode: compressed (low bits != 11) is illegal. */
	switch (insn & 0x7f) {
	case 0x37: /* lui */
		op = RV32_OP_LUI;
		d->imm = insn & 0xfffff000u;
		break;
	case 0x17: /* auipc: the result only depends on pc, known here */
		op = RV32_OP_LUI;
		d->imm = pc + (insn & 0xfffff000u);
		break;
	case 0x6f:
		op = RV32_OP_JAL;
		d->imm = pc + imm_j(insn);
		break;
	case 0x67:
		op = funct3 == 0 ? RV32_OP_JALR : RV32_OP_ILLEGAL;
		d->imm = imm_i(insn);
		break;
	case 0x63:
		op = decode_branch(funct3);
		d->imm = pc + imm_b(insn);
		break;
	case 0x03:
		op = decode_load(funct3);
		d->imm = imm_i(insn);
		break;
	case 0x23:
		op = decode_store(funct3);
		d->imm = imm_s(insn);
		break;
	case 0x13:
		op = decode_op_imm(funct3, funct7);
		d->imm = (funct3 == 1 || funct3 == 5) ? d->rs2 : imm_i(insn);
		break;
	case 0x33: op = decode_op(funct3, funct7); break;
	case 0x0f:
		/*
		 * fence (funct3 0) and fence.i (funct3 1).  Their unused fields
		 * are reserved for future hints and must be ignored.
		 */
		op = funct3 <= 1 ? RV32_OP_FENCE : RV32_OP_ILLEGAL;
		break;
	case 0x73:
		op = decode_system(insn, funct3);
		d->imm = insn >> 20; /* CSR number */
		break;
	default: op = RV32_OP_ILLEGAL; break;
	}
	if (op == RV32_OP_ILLEGAL)
		d->imm = insn;
	d->op = (uint8_t)op;
}
