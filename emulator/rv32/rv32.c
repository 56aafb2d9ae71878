// SPDX-License-Identifier: MIT
/*
 * RV32IM interpreter: the run loop, traps and interrupts, and the decode
 * cache.  Each 32-bit word of code RAM has one struct rv32_decoded, filled
 * on first execution (rv32_decode) and cleared by rv32_invalidate; the
 * loop is a switch over those pre-decoded ops and never allocates.
 *
 * Stores never touch the code RAM directly: they go to the bus, and the bus
 * owner (the card) calls rv32_invalidate when one lands in code RAM, even
 * while rv32_run is executing that store.  The loop therefore never keeps a
 * decoded entry across a bus access.
 */
#include <stdlib.h>
#include <string.h>

#include "rv32_internal.h"

#define unlikely(x) __builtin_expect(!!(x), 0)

static uint32_t read_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t code_words(const struct rv32_cpu *cpu)
{
	return cpu->code_size / 4;
}

int rv32_init(struct rv32_cpu *cpu, const struct rv32_bus *bus, const uint8_t *code,
	      uint32_t code_base, uint32_t code_size)
{
	uint32_t words = code_size / 4;

	memset(cpu, 0, sizeof(*cpu));
	if (code_base & 3)
		return -1;
	/* One spare entry so that an empty code RAM still has a valid pointer. */
	cpu->decoded = calloc((size_t)words + 1, sizeof(*cpu->decoded));
	if (!cpu->decoded)
		return -1;
	cpu->bus = bus;
	cpu->code = code;
	cpu->code_base = code_base;
	cpu->code_size = code_size;
	rv32_reset(cpu, code_base);
	return 0;
}

void rv32_destroy(struct rv32_cpu *cpu)
{
	free(cpu->decoded);
	cpu->decoded = NULL;
}

/*
 * halted and halt_on_ebreak belong to the owner and are kept; mip mirrors
 * the interrupt lines the card drives, which a core reset does not change.
 */
void rv32_reset(struct rv32_cpu *cpu, uint32_t reset_pc)
{
	memset(cpu->x, 0, sizeof(cpu->x));
	cpu->pc = reset_pc;
	cpu->mstatus = 0;
	cpu->mie = 0;
	cpu->mtvec = 0;
	cpu->mepc = 0;
	cpu->mcause = 0;
	cpu->mtval = 0;
	cpu->mscratch = 0;
	cpu->cycle = 0;
	cpu->instret = 0;
	cpu->wfi_waiting = false;
	memset(cpu->decoded, 0, (size_t)code_words(cpu) * sizeof(*cpu->decoded));
}

void rv32_invalidate(struct rv32_cpu *cpu, uint32_t addr, uint32_t len)
{
	uint64_t start = addr, end = (uint64_t)addr + len;
	uint64_t base = cpu->code_base, limit = base + (uint64_t)code_words(cpu) * 4;
	uint64_t first, last;

	if (len == 0 || end <= base || start >= limit)
		return;
	if (start < base)
		start = base;
	if (end > limit)
		end = limit;
	first = (start - base) / 4;
	last = (end - base + 3) / 4;
	memset(&cpu->decoded[first], 0, (size_t)(last - first) * sizeof(*cpu->decoded));
}

void rv32_set_irq(struct rv32_cpu *cpu, unsigned int irq, bool level)
{
	uint32_t bit;

	if (irq != RV32_IRQ_MSI && irq != RV32_IRQ_MTI && irq != RV32_IRQ_MEI)
		return;
	bit = 1u << irq;
	if (level)
		cpu->mip |= bit;
	else
		cpu->mip &= ~bit;
}

/* Enters the trap handler; returns the handler's address. */
static uint32_t trap_enter(struct rv32_cpu *cpu, uint32_t epc, uint32_t cause, uint32_t tval)
{
	uint32_t base = cpu->mtvec & ~3u;

	cpu->mepc = epc;
	cpu->mcause = cause;
	cpu->mtval = tval;
	cpu->mstatus = (cpu->mstatus & RV32_MSTATUS_MIE) ? RV32_MSTATUS_MPIE : 0;
	if ((cpu->mtvec & 3) == 1 && (cause & RV32_CAUSE_INTERRUPT))
		return base + 4 * (cause & ~RV32_CAUSE_INTERRUPT);
	return base;
}

/* Called when mip & mie != 0 and mstatus.MIE is set. */
static uint32_t take_interrupt(struct rv32_cpu *cpu, uint32_t pc)
{
	uint32_t pending = cpu->mip & cpu->mie;
	unsigned int irq;

	if (pending & (1u << RV32_IRQ_MEI))
		irq = RV32_IRQ_MEI;
	else if (pending & (1u << RV32_IRQ_MSI))
		irq = RV32_IRQ_MSI;
	else
		irq = RV32_IRQ_MTI;
	return trap_enter(cpu, pc, RV32_CAUSE_INTERRUPT | irq, 0);
}

/* Bytes accessed by a load or store; those ops are consecutive in enum rv32_op. */
static unsigned int access_size(unsigned int op)
{
	static const uint8_t sizes[] = {1, 2, 4, 1, 2, 1, 2, 4}; /* lb lh lw lbu lhu sb sh sw */

	_Static_assert(RV32_OP_SW - RV32_OP_LB == 7, "loads and stores must stay in this order");
	return sizes[op - RV32_OP_LB];
}

static uint32_t div_signed(uint32_t a, uint32_t b)
{
	if (b == 0)
		return UINT32_MAX;
	if (a == 0x80000000u && b == UINT32_MAX)
		return a; /* INT_MIN / -1 overflows to INT_MIN */
	return (uint32_t)((int32_t)a / (int32_t)b);
}

static uint32_t rem_signed(uint32_t a, uint32_t b)
{
	if (b == 0)
		return a;
	if (a == 0x80000000u && b == UINT32_MAX)
		return 0;
	return (uint32_t)((int32_t)a % (int32_t)b);
}

static uint32_t mulh(uint32_t a, uint32_t b)
{
	return (uint32_t)((uint64_t)((int64_t)(int32_t)a * (int32_t)b) >> 32);
}

static uint32_t mulhsu(uint32_t a, uint32_t b)
{
	/* |a * b| < 2^63, so the signed 64-bit product cannot overflow. */
	return (uint32_t)((uint64_t)((int64_t)(int32_t)a * (int64_t)b) >> 32);
}

static uint32_t mulhu(uint32_t a, uint32_t b)
{
	return (uint32_t)(((uint64_t)a * b) >> 32);
}

static uint32_t sra(uint32_t a, uint32_t shamt)
{
	/* Portable arithmetic shift: no reliance on >> of a negative int. */
	uint32_t sign = a >> 31;

	return (a >> shamt) | ((0u - sign) & ~(UINT32_MAX >> shamt));
}

/*
 * cpu->cycle and cpu->instret are kept in the locals steps/retired while
 * running; sync() folds in what has not been added yet.  A step is one
 * instruction that retired or trapped (1 cycle each).
 */
struct run_counts {
	uint64_t steps, retired;
	uint64_t synced_steps, synced_retired;
};

static void sync_counts(struct rv32_cpu *cpu, struct run_counts *c)
{
	cpu->cycle += c->steps - c->synced_steps;
	cpu->instret += c->retired - c->synced_retired;
	c->synced_steps = c->steps;
	c->synced_retired = c->retired;
}

enum rv32_stop rv32_run(struct rv32_cpu *cpu, uint64_t max_instructions, uint64_t *executed)
{
	uint32_t *const x = cpu->x;
	struct rv32_decoded *const cache = cpu->decoded;
	const struct rv32_bus *const bus = cpu->bus;
	const uint32_t base = cpu->code_base, nwords = code_words(cpu);
	struct run_counts c = {0};
	enum rv32_stop stop = RV32_STOP_BUDGET;
	uint32_t pc = cpu->pc;

	if (cpu->halted) {
		stop = RV32_STOP_HALTED;
		goto out;
	}
	if (cpu->wfi_waiting) {
		if (!(cpu->mip & cpu->mie)) {
			stop = RV32_STOP_WFI;
			goto out;
		}
		cpu->wfi_waiting = false;
	}

	while (c.steps < max_instructions) {
		const struct rv32_decoded *d;
		uint32_t off, idx, addr, val, cause, tval;
		int flags;

		if (unlikely(cpu->mip & cpu->mie) && (cpu->mstatus & RV32_MSTATUS_MIE))
			pc = take_interrupt(cpu, pc);

		/*
		 * Rotating the offset right by 2 moves a misaligned pc's low bits
		 * to the top, so one compare rejects both misaligned and
		 * out-of-range fetches (nwords < 2^30).
		 */
		off = pc - base;
		idx = (off >> 2) | (off << 30);
		if (unlikely(idx >= nwords)) {
			cause = (off & 3) ? RV32_CAUSE_FETCH_MISALIGNED : RV32_CAUSE_FETCH_FAULT;
			tval = pc;
			goto trap;
		}
		d = &cache[idx];
	dispatch:
		switch ((enum rv32_op)d->op) {
		case RV32_OP_UNDECODED:
			rv32_decode(&cache[idx], read_le32(cpu->code + 4 * (size_t)idx), pc);
			goto dispatch;
		case RV32_OP_ILLEGAL:
			cause = RV32_CAUSE_ILLEGAL;
			tval = d->imm;
			goto trap;

		case RV32_OP_LUI: x[d->rd] = d->imm; break;
		case RV32_OP_JAL:
			if (unlikely(d->imm & 3)) {
				cause = RV32_CAUSE_FETCH_MISALIGNED;
				tval = d->imm;
				goto trap;
			}
			x[d->rd] = pc + 4;
			pc = d->imm;
			goto retire;
		case RV32_OP_JALR:
			addr = (x[d->rs1] + d->imm) & ~1u;
			if (unlikely(addr & 3)) {
				cause = RV32_CAUSE_FETCH_MISALIGNED;
				tval = addr;
				goto trap;
			}
			x[d->rd] = pc + 4;
			pc = addr;
			goto retire;

		case RV32_OP_BEQ:
			if (x[d->rs1] == x[d->rs2])
				goto taken;
			break;
		case RV32_OP_BNE:
			if (x[d->rs1] != x[d->rs2])
				goto taken;
			break;
		case RV32_OP_BLT:
			if ((int32_t)x[d->rs1] < (int32_t)x[d->rs2])
				goto taken;
			break;
		case RV32_OP_BGE:
			if ((int32_t)x[d->rs1] >= (int32_t)x[d->rs2])
				goto taken;
			break;
		case RV32_OP_BLTU:
			if (x[d->rs1] < x[d->rs2])
				goto taken;
			break;
		case RV32_OP_BGEU:
			if (x[d->rs1] >= x[d->rs2])
				goto taken;
			break;

		case RV32_OP_LB:
		case RV32_OP_LBU:
		case RV32_OP_LH:
		case RV32_OP_LHU:
		case RV32_OP_LW: {
			enum rv32_op op = (enum rv32_op)d->op;
			unsigned int size = access_size(op), rd = d->rd;

			addr = x[d->rs1] + d->imm;
			tval = addr;
			if (unlikely(addr & (size - 1))) {
				cause = RV32_CAUSE_LOAD_MISALIGNED;
				goto trap;
			}
			if (unlikely(bus->load(bus->opaque, addr, size, &val) < 0)) {
				cause = RV32_CAUSE_LOAD_FAULT;
				goto trap;
			}
			switch (op) {
			case RV32_OP_LB: val = (uint32_t)(int32_t)(int8_t)(uint8_t)val; break;
			case RV32_OP_LBU: val &= 0xff; break;
			case RV32_OP_LH: val = (uint32_t)(int32_t)(int16_t)(uint16_t)val; break;
			case RV32_OP_LHU: val &= 0xffff; break;
			default: break;
			}
			x[rd] = val;
			goto bus_done;
		}
		case RV32_OP_SB:
		case RV32_OP_SH:
		case RV32_OP_SW: {
			unsigned int size = access_size(d->op);

			addr = x[d->rs1] + d->imm;
			val = x[d->rs2] & (UINT32_MAX >> (32 - 8 * size));
			tval = addr;
			if (unlikely(addr & (size - 1))) {
				cause = RV32_CAUSE_STORE_MISALIGNED;
				goto trap;
			}
			/* May land in code RAM: the bus owner invalidates `d`. */
			if (unlikely(bus->store(bus->opaque, addr, size, val) < 0)) {
				cause = RV32_CAUSE_STORE_FAULT;
				goto trap;
			}
			goto bus_done;
		}

		case RV32_OP_ADDI: x[d->rd] = x[d->rs1] + d->imm; break;
		case RV32_OP_SLTI: x[d->rd] = (int32_t)x[d->rs1] < (int32_t)d->imm; break;
		case RV32_OP_SLTIU: x[d->rd] = x[d->rs1] < d->imm; break;
		case RV32_OP_XORI: x[d->rd] = x[d->rs1] ^ d->imm; break;
		case RV32_OP_ORI: x[d->rd] = x[d->rs1] | d->imm; break;
		case RV32_OP_ANDI: x[d->rd] = x[d->rs1] & d->imm; break;
		case RV32_OP_SLLI: x[d->rd] = x[d->rs1] << d->imm; break;
		case RV32_OP_SRLI: x[d->rd] = x[d->rs1] >> d->imm; break;
		case RV32_OP_SRAI: x[d->rd] = sra(x[d->rs1], d->imm); break;

		case RV32_OP_ADD: x[d->rd] = x[d->rs1] + x[d->rs2]; break;
		case RV32_OP_SUB: x[d->rd] = x[d->rs1] - x[d->rs2]; break;
		case RV32_OP_SLL: x[d->rd] = x[d->rs1] << (x[d->rs2] & 31); break;
		case RV32_OP_SLT: x[d->rd] = (int32_t)x[d->rs1] < (int32_t)x[d->rs2]; break;
		case RV32_OP_SLTU: x[d->rd] = x[d->rs1] < x[d->rs2]; break;
		case RV32_OP_XOR: x[d->rd] = x[d->rs1] ^ x[d->rs2]; break;
		case RV32_OP_SRL: x[d->rd] = x[d->rs1] >> (x[d->rs2] & 31); break;
		case RV32_OP_SRA: x[d->rd] = sra(x[d->rs1], x[d->rs2] & 31); break;
		case RV32_OP_OR: x[d->rd] = x[d->rs1] | x[d->rs2]; break;
		case RV32_OP_AND: x[d->rd] = x[d->rs1] & x[d->rs2]; break;

		case RV32_OP_MUL: x[d->rd] = x[d->rs1] * x[d->rs2]; break;
		case RV32_OP_MULH: x[d->rd] = mulh(x[d->rs1], x[d->rs2]); break;
		case RV32_OP_MULHSU: x[d->rd] = mulhsu(x[d->rs1], x[d->rs2]); break;
		case RV32_OP_MULHU: x[d->rd] = mulhu(x[d->rs1], x[d->rs2]); break;
		case RV32_OP_DIV: x[d->rd] = div_signed(x[d->rs1], x[d->rs2]); break;
		case RV32_OP_DIVU: x[d->rd] = x[d->rs2] ? x[d->rs1] / x[d->rs2] : UINT32_MAX; break;
		case RV32_OP_REM: x[d->rd] = rem_signed(x[d->rs1], x[d->rs2]); break;
		case RV32_OP_REMU: x[d->rd] = x[d->rs2] ? x[d->rs1] % x[d->rs2] : x[d->rs1]; break;

		case RV32_OP_FENCE: break;
		case RV32_OP_ECALL:
			cause = RV32_CAUSE_ECALL_M;
			tval = 0;
			goto trap;
		case RV32_OP_EBREAK:
			if (cpu->halt_on_ebreak) {
				/* Not retired: pc stays on the ebreak, as for a debugger. */
				stop = RV32_STOP_EBREAK;
				goto out;
			}
			cause = RV32_CAUSE_BREAKPOINT;
			tval = pc;
			goto trap;
		case RV32_OP_MRET:
			cpu->mstatus = RV32_MSTATUS_MPIE |
				       ((cpu->mstatus & RV32_MSTATUS_MPIE) ? RV32_MSTATUS_MIE : 0);
			pc = cpu->mepc;
			goto retire;
		case RV32_OP_WFI:
			if (!(cpu->mip & cpu->mie)) {
				/* Retires now; the next rv32_run resumes after it. */
				cpu->wfi_waiting = true;
				pc += 4;
				c.retired++;
				c.steps++;
				stop = RV32_STOP_WFI;
				goto out;
			}
			break;

		case RV32_OP_CSRRW:
		case RV32_OP_CSRRS:
		case RV32_OP_CSRRC:
		case RV32_OP_CSRRWI:
		case RV32_OP_CSRRSI:
		case RV32_OP_CSRRCI:
			sync_counts(cpu, &c);
			flags = rv32_csr_exec(cpu, d);
			if (flags < 0) {
				cause = RV32_CAUSE_ILLEGAL;
				tval = read_le32(cpu->code + 4 * (size_t)idx);
				goto trap;
			}
			/* A counter write takes the place of this instruction's increment. */
			if (flags & RV32_CSR_WROTE_CYCLE)
				c.synced_steps++;
			if (flags & RV32_CSR_WROTE_INSTRET)
				c.synced_retired++;
			break;
		}

		/* Sequential instructions end here. */
		pc += 4;
	retire:
		x[0] = 0;
		c.retired++;
		c.steps++;
		continue;

	taken:
		if (unlikely(d->imm & 3)) {
			cause = RV32_CAUSE_FETCH_MISALIGNED;
			tval = d->imm;
			goto trap;
		}
		pc = d->imm;
		goto retire;

	bus_done:
		/* The bus callback may have halted the core (e.g. a test's tohost). */
		pc += 4;
		x[0] = 0;
		c.retired++;
		c.steps++;
		if (unlikely(cpu->halted)) {
			stop = RV32_STOP_HALTED;
			goto out;
		}
		continue;

	trap:
		pc = trap_enter(cpu, pc, cause, tval);
		c.steps++;
		if (unlikely(cpu->halted)) {
			stop = RV32_STOP_HALTED;
			goto out;
		}
	}
out:
	cpu->pc = pc;
	sync_counts(cpu, &c);
	if (executed)
		*executed = c.retired;
	return stop;
}
