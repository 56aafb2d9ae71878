// SPDX-License-Identifier: MIT
/*
 * The control processor: an RV32IM core (emulator/rv32) with IRAM, DRAM and
 * the peripheral pages on its bus, held in reset until the host releases it
 * (docs/hardware.md, section 4).
 */
#include <stdlib.h>
#include <string.h>

#include "card_internal.h"

static bool in_ram(uint32_t addr, unsigned int size, uint32_t base, uint32_t ram_size)
{
	return addr >= base && addr - base < ram_size && size <= ram_size - (addr - base);
}

static uint32_t load_le(const uint8_t *p, unsigned int size)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static void store_le(uint8_t *p, unsigned int size, uint32_t v)
{
	for (unsigned int i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t sys_read(struct sa_card *card, uint32_t offset)
{
	if (offset < SA_CAP_BLOCK_SIZE)
		return sa_regs_cap_read(card, offset);
	switch (offset) {
	case SA_CP_SYS_SCRATCH: return card->cp.sys_scratch;
	case SA_CP_SYS_CYCLES_LO:
	case SA_CP_SYS_CYCLES_HI:
		return sa_latch_read(&card->cp_latch, SA_CP_SYS_BASE + SA_CP_SYS_CYCLES_LO,
				     card->perf[SA_PERF_CYCLES], offset == SA_CP_SYS_CYCLES_HI);
	default: return 0;
	}
}

static void sys_write(struct sa_card *card, uint32_t offset, uint32_t value)
{
	if (offset == SA_CP_SYS_SCRATCH)
		card->cp.sys_scratch = value;
	else if (offset == SA_CP_SYS_FATAL)
		sa_cp_halt(card, value);
}

static uint32_t mmio_read(struct sa_card *card, uint32_t addr, unsigned int size)
{
	uint32_t block = addr & 0xffff0000u, offset = addr & 0xffffu;

	switch (block) {
	case SA_CP_SYS_BASE: return sys_read(card, offset);
	case SA_CP_MBOX_BASE: return sa_mbox_cp_read(card, offset);
	case SA_CP_DB_BASE: return sa_db_cp_read(card, offset);
	case SA_CP_INTC_BASE: return sa_irq_cp_read(card, offset);
	case SA_CP_TIMER_BASE:
	case SA_CP_WDT_BASE: return sa_timer_cp_read(card, offset, block);
	case SA_CP_MMU_BASE: return sa_mmu_cp_read(card, offset);
	case SA_CP_TE_BASE: return sa_te_cp_read(card, offset, size);
	case SA_CP_DMA_BASE: return sa_dma_cp_read(card, offset);
	case SA_CP_PERF_BASE:
		return offset < 8 * SA_PERF_SLOTS ? sa_perf_read(card, &card->cp_latch, offset) : 0;
	default: return 0;
	}
}

static void mmio_write(struct sa_card *card, uint32_t addr, unsigned int size, uint32_t value)
{
	uint32_t block = addr & 0xffff0000u, offset = addr & 0xffffu;

	switch (block) {
	case SA_CP_SYS_BASE: sys_write(card, offset, value); break;
	case SA_CP_MBOX_BASE: sa_mbox_cp_write(card, offset, value); break;
	case SA_CP_DB_BASE: sa_db_cp_write(card, offset, value); break;
	case SA_CP_INTC_BASE: sa_irq_cp_write(card, offset, value); break;
	case SA_CP_TIMER_BASE:
	case SA_CP_WDT_BASE: sa_timer_cp_write(card, offset, block, value); break;
	case SA_CP_MMU_BASE: sa_mmu_cp_write(card, offset, value); break;
	case SA_CP_TE_BASE: sa_te_cp_write(card, offset, value, size); break;
	case SA_CP_DMA_BASE: sa_dma_cp_write(card, offset, value); break;
	case SA_CP_PERF_BASE:
		if (offset == SA_CP_PERF_CTRL)
			sa_perf_ctrl(card, value);
		break;
	default: break;
	}
}

/* Peripherals take aligned words; the TE command window also bytes and halves. */
static bool mmio_access_ok(uint32_t addr, unsigned int size)
{
	if (addr < SA_CP_MMIO_BASE || addr >= SA_CP_MMIO_END)
		return false;
	if (size != 1 && size != 2 && size != 4)
		return false;
	if (addr % size)
		return false;
	if (size == 4)
		return true;
	return addr >= SA_CP_TE_BASE + SA_CP_TE_CMD &&
	       addr < SA_CP_TE_BASE + SA_CP_TE_CMD + sizeof(struct sa_hw_te_cmd);
}

int sa_card_cp_load(struct sa_card *card, uint32_t addr, unsigned int size, uint32_t *val)
{
	if (in_ram(addr, size, SA_CP_IRAM_BASE, SA_CP_IRAM_SIZE)) {
		*val = load_le(card->cp.iram + (addr - SA_CP_IRAM_BASE), size);
		return 0;
	}
	if (in_ram(addr, size, SA_CP_DRAM_BASE, SA_CP_DRAM_SIZE)) {
		*val = load_le(card->cp.dram + (addr - SA_CP_DRAM_BASE), size);
		return 0;
	}
	if (!mmio_access_ok(addr, size))
		return -1;
	*val = mmio_read(card, addr, size);
	return 0;
}

int sa_card_cp_store(struct sa_card *card, uint32_t addr, unsigned int size, uint32_t val)
{
	if (in_ram(addr, size, SA_CP_IRAM_BASE, SA_CP_IRAM_SIZE)) {
		store_le(card->cp.iram + (addr - SA_CP_IRAM_BASE), size, val);
		rv32_invalidate(&card->cp.cpu, addr, size);
		return 0;
	}
	if (in_ram(addr, size, SA_CP_DRAM_BASE, SA_CP_DRAM_SIZE)) {
		store_le(card->cp.dram + (addr - SA_CP_DRAM_BASE), size, val);
		return 0;
	}
	if (!mmio_access_ok(addr, size))
		return -1;
	mmio_write(card, addr, size, val);
	return 0;
}

static int bus_load(void *opaque, uint32_t addr, unsigned int size, uint32_t *val)
{
	return sa_card_cp_load(opaque, addr, size, val);
}

static int bus_store(void *opaque, uint32_t addr, unsigned int size, uint32_t val)
{
	return sa_card_cp_store(opaque, addr, size, val);
}

int sa_cp_init(struct sa_card *card)
{
	card->cp.iram = calloc(1, SA_CP_IRAM_SIZE);
	card->cp.dram = calloc(1, SA_CP_DRAM_SIZE);
	if (!card->cp.iram || !card->cp.dram)
		return -1;
	card->cp.bus.opaque = card;
	card->cp.bus.load = bus_load;
	card->cp.bus.store = bus_store;
	if (rv32_init(&card->cp.cpu, &card->cp.bus, card->cp.iram, SA_CP_IRAM_BASE,
		      SA_CP_IRAM_SIZE))
		return -1;
	card->cp.cpu_ok = true;
	return 0;
}

void sa_cp_fini(struct sa_card *card)
{
	if (card->cp.cpu_ok)
		rv32_destroy(&card->cp.cpu);
	free(card->cp.iram);
	free(card->cp.dram);
}

void sa_cp_power_on(struct sa_card *card)
{
	memset(card->cp.iram, 0, SA_CP_IRAM_SIZE);
	memset(card->cp.dram, 0, SA_CP_DRAM_SIZE);
	rv32_invalidate(&card->cp.cpu, SA_CP_IRAM_BASE, SA_CP_IRAM_SIZE);
	rv32_reset(&card->cp.cpu, SA_CP_IRAM_BASE);
	card->cp.in_reset = true;
	card->cp.halted = false;
	card->cp.wfi = false;
	card->cp.wdt_fired = false;
	card->cp.boot_addr = 0;
	card->cp.fatal_code = 0;
	card->cp.wdt_resets = 0;
	card->cp.sys_scratch = 0;
}

void sa_cp_release(struct sa_card *card)
{
	rv32_reset(&card->cp.cpu, card->cp.boot_addr);
	card->cp.cpu.halted = false;
	card->cp.cpu.halt_on_ebreak = true;
	card->cp.in_reset = false;
	card->cp.halted = false;
	card->cp.wfi = false;
	card->cp.wdt_fired = false;
	card->cp.fatal_code = 0;
	card->fi.cp_hung = false;
	/* The watchdog counts from release, should the firmware enable it. */
	card->timer.wdt_kick_ns = card->timer.now_ns;
}

void sa_cp_halt(struct sa_card *card, uint32_t fatal_code)
{
	card->cp.halted = true;
	card->cp.cpu.halted = true; /* stops rv32_run right after this store */
	card->cp.fatal_code = fatal_code;
	sa_irq_event(card, SA_EVENT_CP_HALT);
}

bool sa_cp_runnable(const struct sa_card *card)
{
	return !card->cp.in_reset && !card->cp.halted && !card->cp.wfi && !card->fi.cp_hung;
}

bool sa_cp_yield(struct sa_card *card)
{
	if (!card->cp.in_step)
		return false;
	/* rv32_run checks `halted` after every store and returns. */
	card->cp.yield = true;
	card->cp.cpu.halted = true;
	return true;
}

void sa_cp_irq_lines(struct sa_card *card)
{
	rv32_set_irq(&card->cp.cpu, RV32_IRQ_MEI, sa_irq_cp_line(card));
	rv32_set_irq(&card->cp.cpu, RV32_IRQ_MTI, sa_timer_irq_line(card));
}

void sa_cp_wake(struct sa_card *card)
{
	card->cp.wfi = false;
}

uint64_t sa_cp_step(struct sa_card *card, uint64_t budget)
{
	uint64_t executed = 0, steps, cycle0 = card->cp.cpu.cycle;
	enum rv32_stop stop;

	sa_cp_irq_lines(card);
	card->cp.in_step = true;
	stop = rv32_run(&card->cp.cpu, budget, &executed);
	card->cp.in_step = false;
	if (card->cp.yield) {
		/* The early return was ours, not a halt (unless the CP halted too). */
		card->cp.yield = false;
		card->cp.cpu.halted = card->cp.halted;
		if (stop == RV32_STOP_HALTED && !card->cp.halted)
			stop = RV32_STOP_BUDGET;
	}
	if (executed > budget)
		executed = budget;
	/*
	 * Time is steps, including trap entries that retire nothing (the mcycle
	 * delta), unless the program rewrote mcycle in this slice.
	 */
	steps = card->cp.cpu.cycle - cycle0;
	if (steps < executed || steps > budget)
		steps = executed;
	sa_perf_add(card, SA_PERF_CP_INSTRET, executed);
	switch (stop) {
	case RV32_STOP_WFI: card->cp.wfi = true; break;
	case RV32_STOP_EBREAK:
	case RV32_STOP_HALTED:
		/* A store in this slice may already have halted or reset the CP. */
		if (!card->cp.in_reset && !card->cp.halted)
			sa_cp_halt(card, 0);
		break;
	case RV32_STOP_BUDGET:
	default: break;
	}
	return steps;
}

uint32_t sa_cp_status(const struct sa_card *card)
{
	uint32_t status = 0;

	if (card->cp.in_reset)
		status |= SA_CP_STATUS_IN_RESET;
	else
		status |= SA_CP_STATUS_RUNNING;
	if (!card->cp.in_reset && card->cp.wfi)
		status |= SA_CP_STATUS_WFI;
	if (card->cp.halted)
		status |= SA_CP_STATUS_HALTED;
	if (card->cp.wdt_fired)
		status |= SA_CP_STATUS_WDT_FIRED;
	return status;
}

static uint8_t *window(struct sa_card *card, bool iram, uint64_t offset, unsigned int size)
{
	uint32_t ram_size = iram ? SA_CP_IRAM_SIZE : SA_CP_DRAM_SIZE;

	if (offset >= ram_size || size > ram_size - offset)
		return NULL;
	return (iram ? card->cp.iram : card->cp.dram) + offset;
}

uint64_t sa_cp_window_read(struct sa_card *card, bool iram, uint64_t offset, unsigned int size)
{
	const uint8_t *p = window(card, iram, offset, size);
	uint64_t v = 0;

	if (!p)
		return 0;
	for (unsigned int i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

void sa_cp_window_write(struct sa_card *card, bool iram, uint64_t offset, uint64_t value,
			unsigned int size)
{
	uint8_t *p = window(card, iram, offset, size);

	/* Code can only be replaced while the CP is held in reset. */
	if (!p || (iram && !card->cp.in_reset))
		return;
	for (unsigned int i = 0; i < size; i++)
		p[i] = (uint8_t)(value >> (8 * i));
	if (iram)
		rv32_invalidate(&card->cp.cpu, SA_CP_IRAM_BASE + (uint32_t)offset, size);
}

int sa_cp_dram_range(const struct sa_card *card, uint64_t addr, uint64_t len, uint8_t **ptr)
{
	if (addr < SA_CP_DRAM_BASE || addr - SA_CP_DRAM_BASE > SA_CP_DRAM_SIZE ||
	    len > SA_CP_DRAM_SIZE - (addr - SA_CP_DRAM_BASE))
		return -1;
	*ptr = card->cp.dram + (addr - SA_CP_DRAM_BASE);
	return 0;
}
