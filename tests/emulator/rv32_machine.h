/* SPDX-License-Identifier: MIT */
/*
 * The machine the RV32IM conformance programs run on: the interpreter with
 * a code RAM, a data RAM and a small test device, behind a fake bus.  The
 * memory map and the device registers are the ones in
 * tests/emulator/rv32/rv32test.h.
 */
#ifndef RV32_MACHINE_H
#define RV32_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../emulator/rv32/rv32.h"

#define MACHINE_CODE_BASE 0x00000000u
#define MACHINE_CODE_SIZE 0x10000u
#define MACHINE_DATA_BASE 0x00010000u
#define MACHINE_DATA_SIZE 0x10000u
#define MACHINE_DEV_BASE 0x10000000u

/* Test device registers (offsets from MACHINE_DEV_BASE), 32-bit accesses only. */
#define DEV_TOHOST 0x0	   /* 1 = pass, (n << 1) | 1 = check n failed; halts the core */
#define DEV_IRQ 0x4	   /* interrupt line levels as mip bits */
#define DEV_WAKE 0x8	   /* lines to raise when the core next stops in wfi */
#define DEV_WAKE_COUNT 0xc /* times the host has woken the core from wfi */
#define DEV_CHECKS 0x10	   /* last check number, written before passing */

struct machine {
	struct rv32_cpu cpu;
	struct rv32_bus bus;
	uint8_t code[MACHINE_CODE_SIZE];
	uint8_t data[MACHINE_DATA_SIZE];
	bool tohost_written;
	uint32_t tohost, checks;
	uint32_t irq_levels, wake, wake_count;
	uint64_t code_stores;	 /* stores that landed in code RAM */
	uint32_t last_store_val; /* value the core passed with the last RAM store */
	uint64_t retired;	 /* instructions machine_run saw retire */
};

/* A machine with zeroed memories and the core reset to MACHINE_CODE_BASE; NULL if out of memory. */
struct machine *machine_create(void);
void machine_destroy(struct machine *m);
/* Copies a raw binary to the start of code RAM.  0, or -1 with a reason in err. */
int machine_load_file(struct machine *m, const char *path, char *err, size_t errlen);
/* Drives the interrupt lines to the mip bits in `levels`. */
void machine_set_irq_levels(struct machine *m, uint32_t levels);
/*
 * Runs until the program writes TOHOST, waking the core from wfi as the
 * program asked through DEV_WAKE.  Returns 0 when it halted by writing
 * TOHOST (whatever the value), or -1 with a reason in err: it stopped in
 * wfi with nothing to wake it, hit ebreak, or used up max_steps.
 */
int machine_run(struct machine *m, uint64_t max_steps, char *err, size_t errlen);

#endif /* RV32_MACHINE_H */
