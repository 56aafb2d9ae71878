// SPDX-License-Identifier: MIT
/*
 * The machine-mode CSR file and the Zicsr instructions.  Only the CSRs
 * listed in docs/rv32im.md exist; any other number is an illegal
 * instruction, as is a write to a read-only CSR (numbers 0xC00-0xFFF).
 */
#include "rv32_internal.h"

enum {
	CSR_MSTATUS = 0x300,
	CSR_MISA = 0x301,
	CSR_MIE = 0x304,
	CSR_MTVEC = 0x305,
	CSR_MSTATUSH = 0x310,
	CSR_MSCRATCH = 0x340,
	CSR_MEPC = 0x341,
	CSR_MCAUSE = 0x342,
	CSR_MTVAL = 0x343,
	CSR_MIP = 0x344,
	CSR_MCYCLE = 0xb00,
	CSR_MINSTRET = 0xb02,
	CSR_MCYCLEH = 0xb80,
	CSR_MINSTRETH = 0xb82,
	CSR_CYCLE = 0xc00,
	CSR_INSTRET = 0xc02,
	CSR_CYCLEH = 0xc80,
	CSR_INSTRETH = 0xc82,
	CSR_MVENDORID = 0xf11,
	CSR_MARCHID = 0xf12,
	CSR_MIMPID = 0xf13,
	CSR_MHARTID = 0xf14,
	CSR_MCONFIGPTR = 0xf15,
};

static int csr_read(const struct rv32_cpu *cpu, uint32_t csr, uint32_t *val)
{
	switch (csr) {
	case CSR_MSTATUS: *val = cpu->mstatus | RV32_MSTATUS_MPP_M; break;
	case CSR_MISA: *val = RV32_MISA; break;
	case CSR_MIE: *val = cpu->mie; break;
	case CSR_MTVEC: *val = cpu->mtvec; break;
	case CSR_MSCRATCH: *val = cpu->mscratch; break;
	case CSR_MEPC: *val = cpu->mepc; break;
	case CSR_MCAUSE: *val = cpu->mcause; break;
	case CSR_MTVAL: *val = cpu->mtval; break;
	case CSR_MIP: *val = cpu->mip & RV32_MIP_MASK; break;
	case CSR_MCYCLE:
	case CSR_CYCLE: *val = (uint32_t)cpu->cycle; break;
	case CSR_MCYCLEH:
	case CSR_CYCLEH: *val = (uint32_t)(cpu->cycle >> 32); break;
	case CSR_MINSTRET:
	case CSR_INSTRET: *val = (uint32_t)cpu->instret; break;
	case CSR_MINSTRETH:
	case CSR_INSTRETH: *val = (uint32_t)(cpu->instret >> 32); break;
	/* Little-endian only, so mstatush (MBE, SBE) is all zero. */
	case CSR_MSTATUSH:
	case CSR_MVENDORID:
	case CSR_MARCHID:
	case CSR_MIMPID:
	case CSR_MHARTID:
	case CSR_MCONFIGPTR: *val = 0; break;
	default: return -1;
	}
	return 0;
}

static uint64_t set_low(uint64_t v, uint32_t lo)
{
	return (v & 0xffffffff00000000ull) | lo;
}

static uint64_t set_high(uint64_t v, uint32_t hi)
{
	return (v & 0xffffffffull) | (uint64_t)hi << 32;
}

/* Only called for CSRs csr_read knows and that are not read-only. */
static int csr_write(struct rv32_cpu *cpu, uint32_t csr, uint32_t val)
{
	switch (csr) {
	case CSR_MSTATUS: cpu->mstatus = val & (RV32_MSTATUS_MIE | RV32_MSTATUS_MPIE); break;
	case CSR_MIE: cpu->mie = val & RV32_MIP_MASK; break;
	case CSR_MTVEC:
		/* WARL: modes 2 and 3 are reserved; they fall back to direct. */
		cpu->mtvec = (val & 3) >= 2 ? val & ~3u : val;
		break;
	case CSR_MSCRATCH: cpu->mscratch = val; break;
	case CSR_MEPC: cpu->mepc = val & ~3u; break; /* IALIGN = 32 */
	case CSR_MCAUSE: cpu->mcause = val; break;
	case CSR_MTVAL: cpu->mtval = val; break;
	case CSR_MCYCLE: cpu->cycle = set_low(cpu->cycle, val); return RV32_CSR_WROTE_CYCLE;
	case CSR_MCYCLEH: cpu->cycle = set_high(cpu->cycle, val); return RV32_CSR_WROTE_CYCLE;
	case CSR_MINSTRET: cpu->instret = set_low(cpu->instret, val); return RV32_CSR_WROTE_INSTRET;
	case CSR_MINSTRETH:
		cpu->instret = set_high(cpu->instret, val);
		return RV32_CSR_WROTE_INSTRET;
	/*
	 * mip: MEIP, MTIP and MSIP are driven by the card (rv32_set_irq) and
	 * are read-only to software in an M-only hart; misa and mstatush are
	 * WARL with nothing writable.
	 */
	default: break;
	}
	return 0;
}

int rv32_csr_exec(struct rv32_cpu *cpu, const struct rv32_decoded *d)
{
	uint32_t csr = d->imm, old, src, val;
	bool is_imm = d->op >= RV32_OP_CSRRWI;
	bool writes;

	if (csr_read(cpu, csr, &old) < 0)
		return -1;
	src = is_imm ? d->rs1 : cpu->x[d->rs1];
	/* csrrs/csrrc with x0 or uimm 0 only read, so read-only CSRs allow them. */
	writes = d->op == RV32_OP_CSRRW || d->op == RV32_OP_CSRRWI || d->rs1 != 0;
	if (writes && (csr >> 10) == 3)
		return -1;

	switch (d->op) {
	case RV32_OP_CSRRS:
	case RV32_OP_CSRRSI: val = old | src; break;
	case RV32_OP_CSRRC:
	case RV32_OP_CSRRCI: val = old & ~src; break;
	default: val = src; break;
	}
	cpu->x[d->rd] = old; /* the caller re-zeroes x0 */
	return writes ? csr_write(cpu, csr, val) : 0;
}
