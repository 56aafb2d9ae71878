/* SPDX-License-Identifier: MIT */
/*
 * RV32IM interpreter for the card's control processor.
 *
 * Machine mode only, little-endian, with the Zicsr instructions and the
 * machine CSRs firmware needs for traps and interrupts (mstatus, mie, mip,
 * mtvec, mepc, mcause, mtval, mscratch, mhartid, misa, cycle/instret and
 * their high halves).  Instructions are fetched from one code RAM, decoded
 * once into a cache and re-decoded only when that RAM is written
 * (rv32_invalidate).  Loads and stores go to the bus callbacks.
 *
 * docs/rv32im.md states its conformance and the test suite that shows it.
 */
#ifndef RV32_H
#define RV32_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Every load and store of the core, code RAM included: size is 1, 2 or 4
 * and addr is aligned to it (misaligned accesses trap before reaching the
 * bus); a store's val is zero-extended from size, a load's *val may be too.
 * A store into code RAM must call rv32_invalidate for it.  The callbacks
 * may also call rv32_set_irq and set cpu->halted (rv32_run returns
 * RV32_STOP_HALTED after that instruction), but not rv32_reset.
 */
struct rv32_bus {
	void *opaque;
	/* Return 0, or -1 for an access fault (the core raises the trap). */
	int (*load)(void *opaque, uint32_t addr, unsigned int size, uint32_t *val);
	int (*store)(void *opaque, uint32_t addr, unsigned int size, uint32_t val);
};

enum rv32_stop {
	RV32_STOP_BUDGET = 0, /* ran max_instructions */
	RV32_STOP_WFI = 1, /* waiting for an interrupt that is not yet pending */
	RV32_STOP_EBREAK = 2, /* ebreak with halt_on_ebreak set (tests, debug) */
	RV32_STOP_HALTED = 3, /* held in reset / halted: the owner set cpu->halted */
};

/* Interrupt lines (bit numbers in mip/mie). */
#define RV32_IRQ_MSI 3
#define RV32_IRQ_MTI 7
#define RV32_IRQ_MEI 11

struct rv32_decoded;

struct rv32_cpu {
	uint32_t x[32];
	uint32_t pc;
	uint32_t mstatus, mie, mip, mtvec, mepc, mcause, mtval, mscratch;
	uint64_t cycle, instret;
	bool halted;
	bool halt_on_ebreak;

	const struct rv32_bus *bus;
	const uint8_t *code; /* code RAM, fetched directly */
	uint32_t code_base, code_size;
	struct rv32_decoded *decoded; /* one entry per 32-bit word of code RAM */

	/* Stopped in wfi: rv32_run returns RV32_STOP_WFI until mip & mie != 0. */
	bool wfi_waiting;
};

/* Returns 0, or -1 if code_base is not 4-byte aligned or the decode cache cannot be allocated. */
int rv32_init(struct rv32_cpu *cpu, const struct rv32_bus *bus, const uint8_t *code,
	      uint32_t code_base, uint32_t code_size);
void rv32_destroy(struct rv32_cpu *cpu);
/*
 * Architectural reset: registers zero, pc = reset_pc, CSRs to reset values,
 * decode cache emptied.  Keeps halted, halt_on_ebreak and mip (the lines' levels).
 */
void rv32_reset(struct rv32_cpu *cpu, uint32_t reset_pc);
/* The code RAM changed in [addr, addr + len). */
void rv32_invalidate(struct rv32_cpu *cpu, uint32_t addr, uint32_t len);
/* Drive an interrupt line level (RV32_IRQ_*). */
void rv32_set_irq(struct rv32_cpu *cpu, unsigned int irq, bool level);
/*
 * Run up to max_instructions steps (an instruction that retires or traps);
 * *executed (if not NULL) receives how many retired.
 */
enum rv32_stop rv32_run(struct rv32_cpu *cpu, uint64_t max_instructions, uint64_t *executed);

#endif /* RV32_H */
