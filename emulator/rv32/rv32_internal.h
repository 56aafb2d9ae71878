/* SPDX-License-Identifier: MIT */
/*
 * Private parts of the RV32IM interpreter: the pre-decoded instruction
 * format the run loop dispatches on, the decoder, the CSR file and the
 * architectural constants they share.  Nothing outside emulator/rv32/
 * includes this.
 */
#ifndef RV32_INTERNAL_H
#define RV32_INTERNAL_H

#include <stdint.h>

#include "rv32.h"

/*
 * Handler index of a decoded instruction.  RV32_OP_UNDECODED must be 0 so
 * that a zeroed cache entry means "decode me on first execution".
 */
enum rv32_op {
	RV32_OP_UNDECODED = 0,
	RV32_OP_ILLEGAL, /* imm = the instruction bits, for mtval */
	RV32_OP_LUI,	 /* also auipc: imm = the final value (pc is known at decode) */
	RV32_OP_JAL,	 /* imm = absolute target */
	RV32_OP_JALR,
	RV32_OP_BEQ, /* branches: imm = absolute target */
	RV32_OP_BNE,
	RV32_OP_BLT,
	RV32_OP_BGE,
	RV32_OP_BLTU,
	RV32_OP_BGEU,
	RV32_OP_LB,
	RV32_OP_LH,
	RV32_OP_LW,
	RV32_OP_LBU,
	RV32_OP_LHU,
	RV32_OP_SB,
	RV32_OP_SH,
	RV32_OP_SW,
	RV32_OP_ADDI,
	RV32_OP_SLTI,
	RV32_OP_SLTIU,
	RV32_OP_XORI,
	RV32_OP_ORI,
	RV32_OP_ANDI,
	RV32_OP_SLLI, /* shifts by immediate: imm = shamt */
	RV32_OP_SRLI,
	RV32_OP_SRAI,
	RV32_OP_ADD,
	RV32_OP_SUB,
	RV32_OP_SLL,
	RV32_OP_SLT,
	RV32_OP_SLTU,
	RV32_OP_XOR,
	RV32_OP_SRL,
	RV32_OP_SRA,
	RV32_OP_OR,
	RV32_OP_AND,
	RV32_OP_MUL,
	RV32_OP_MULH,
	RV32_OP_MULHSU,
	RV32_OP_MULHU,
	RV32_OP_DIV,
	RV32_OP_DIVU,
	RV32_OP_REM,
	RV32_OP_REMU,
	RV32_OP_FENCE, /* fence and fence.i: the cache is always coherent */
	RV32_OP_ECALL,
	RV32_OP_EBREAK,
	RV32_OP_MRET,
	RV32_OP_WFI,
	RV32_OP_CSRRW, /* CSR ops: imm = CSR number, rs1 = register or uimm */
	RV32_OP_CSRRS,
	RV32_OP_CSRRC,
	RV32_OP_CSRRWI,
	RV32_OP_CSRRSI,
	RV32_OP_CSRRCI,
};

struct rv32_decoded {
	uint8_t op; /* enum rv32_op */
	uint8_t rd, rs1, rs2;
	uint32_t imm; /* sign-extended immediate, or what the op's comment says */
};

/* Exception causes (mcause with the interrupt bit clear). */
#define RV32_CAUSE_FETCH_MISALIGNED 0
#define RV32_CAUSE_FETCH_FAULT 1
#define RV32_CAUSE_ILLEGAL 2
#define RV32_CAUSE_BREAKPOINT 3
#define RV32_CAUSE_LOAD_MISALIGNED 4
#define RV32_CAUSE_LOAD_FAULT 5
#define RV32_CAUSE_STORE_MISALIGNED 6
#define RV32_CAUSE_STORE_FAULT 7
#define RV32_CAUSE_ECALL_M 11
#define RV32_CAUSE_INTERRUPT 0x80000000u

#define RV32_MSTATUS_MIE (1u << 3)
#define RV32_MSTATUS_MPIE (1u << 7)
#define RV32_MSTATUS_MPP_M (3u << 11) /* MPP reads as M: the only mode */

#define RV32_MIP_MASK ((1u << RV32_IRQ_MSI) | (1u << RV32_IRQ_MTI) | (1u << RV32_IRQ_MEI))

/* MXL = 1 (32-bit), extensions I and M. */
#define RV32_MISA (0x40000000u | (1u << ('I' - 'A')) | (1u << ('M' - 'A')))

/* Fills *d from the instruction word found at address pc. */
void rv32_decode(struct rv32_decoded *d, uint32_t insn, uint32_t pc);

/* Bits rv32_csr_exec returns for counters the instruction wrote. */
#define RV32_CSR_WROTE_CYCLE 1
#define RV32_CSR_WROTE_INSTRET 2

/*
 * Executes a decoded CSR instruction: reads the old value into x[rd] and
 * writes the new one.  cpu->cycle and cpu->instret must hold the counts
 * before this instruction.  Returns -1 for an illegal access (unknown CSR,
 * or a write to a read-only one; nothing is changed then), otherwise the
 * RV32_CSR_WROTE_* bits of the counters it wrote.
 */
int rv32_csr_exec(struct rv32_cpu *cpu, const struct rv32_decoded *d);

#endif /* RV32_INTERNAL_H */
