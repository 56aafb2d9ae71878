// SPDX-License-Identifier: MIT
/*
 * The fake bus of the RV32IM test machine.  Like the card, it is the bus
 * owner that keeps the decode cache coherent: every store that lands in
 * code RAM calls rv32_invalidate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rv32_machine.h"

static const uint32_t irq_lines[] = {RV32_IRQ_MSI, RV32_IRQ_MTI, RV32_IRQ_MEI};

static bool is_code(uint32_t addr)
{
	return addr - MACHINE_CODE_BASE < MACHINE_CODE_SIZE;
}

/* The memory (code or data RAM) holding [addr, addr + size), or NULL. */
static uint8_t *ram_at(struct machine *m, uint32_t addr, unsigned int size)
{
	uint64_t end = (uint64_t)addr + size;

	if (is_code(addr) && end <= (uint64_t)MACHINE_CODE_BASE + MACHINE_CODE_SIZE)
		return m->code + (addr - MACHINE_CODE_BASE);
	if (addr - MACHINE_DATA_BASE < MACHINE_DATA_SIZE &&
	    end <= (uint64_t)MACHINE_DATA_BASE + MACHINE_DATA_SIZE)
		return m->data + (addr - MACHINE_DATA_BASE);
	return NULL;
}

void machine_set_irq_levels(struct machine *m, uint32_t levels)
{
	for (size_t i = 0; i < sizeof(irq_lines) / sizeof(irq_lines[0]); i++)
		rv32_set_irq(&m->cpu, irq_lines[i], levels & (1u << irq_lines[i]));
	m->irq_levels = levels;
}

static int dev_load(struct machine *m, uint32_t off, uint32_t *val)
{
	switch (off) {
	case DEV_IRQ: *val = m->irq_levels; return 0;
	case DEV_WAKE: *val = m->wake; return 0;
	case DEV_WAKE_COUNT: *val = m->wake_count; return 0;
	default: return -1;
	}
}

static int dev_store(struct machine *m, uint32_t off, uint32_t val)
{
	switch (off) {
	case DEV_TOHOST:
		m->tohost = val;
		m->tohost_written = true;
		m->cpu.halted = true; /* rv32_run returns RV32_STOP_HALTED after this store */
		return 0;
	case DEV_IRQ: machine_set_irq_levels(m, val); return 0;
	case DEV_WAKE: m->wake = val; return 0;
	case DEV_CHECKS: m->checks = val; return 0;
	default: return -1;
	}
}

static int bus_load(void *opaque, uint32_t addr, unsigned int size, uint32_t *val)
{
	struct machine *m = opaque;
	uint8_t *p = ram_at(m, addr, size);

	if (p) {
		*val = 0;
		for (unsigned int i = 0; i < size; i++)
			*val |= (uint32_t)p[i] << (8 * i);
		return 0;
	}
	if (addr - MACHINE_DEV_BASE < 0x1000 && size == 4)
		return dev_load(m, addr - MACHINE_DEV_BASE, val);
	return -1;
}

static int bus_store(void *opaque, uint32_t addr, unsigned int size, uint32_t val)
{
	struct machine *m = opaque;
	uint8_t *p = ram_at(m, addr, size);

	if (p) {
		m->last_store_val = val;
		for (unsigned int i = 0; i < size; i++)
			p[i] = (uint8_t)(val >> (8 * i));
		if (is_code(addr)) {
			m->code_stores++;
			rv32_invalidate(&m->cpu, addr, size);
		}
		return 0;
	}
	if (addr - MACHINE_DEV_BASE < 0x1000 && size == 4)
		return dev_store(m, addr - MACHINE_DEV_BASE, val);
	return -1;
}

struct machine *machine_create(void)
{
	struct machine *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->bus.opaque = m;
	m->bus.load = bus_load;
	m->bus.store = bus_store;
	if (rv32_init(&m->cpu, &m->bus, m->code, MACHINE_CODE_BASE, MACHINE_CODE_SIZE) < 0) {
		free(m);
		return NULL;
	}
	return m;
}

void machine_destroy(struct machine *m)
{
	if (!m)
		return;
	rv32_destroy(&m->cpu);
	free(m);
}

int machine_load_file(struct machine *m, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	size_t n;
	int extra;

	if (!f) {
		snprintf(err, errlen, "cannot open %s (build it with `make rv32tests`)", path);
		return -1;
	}
	n = fread(m->code, 1, sizeof(m->code), f);
	extra = fgetc(f);
	fclose(f);
	if (n == 0 || extra != EOF) {
		snprintf(err, errlen, "%s: %s", path,
			 n == 0 ? "empty" : "larger than the 64 KiB code RAM");
		return -1;
	}
	rv32_invalidate(&m->cpu, MACHINE_CODE_BASE, MACHINE_CODE_SIZE);
	return 0;
}

int machine_run(struct machine *m, uint64_t max_steps, char *err, size_t errlen)
{
	const uint64_t slice = 100000;
	uint64_t spent = 0;

	/* Counted here, not with mcycle, which the programs may rewrite. */
	while (spent < max_steps) {
		uint64_t n = 0;
		enum rv32_stop stop = rv32_run(&m->cpu, slice, &n);

		m->retired += n;
		switch (stop) {
		case RV32_STOP_HALTED:
			if (m->tohost_written)
				return 0;
			snprintf(err, errlen, "halted without writing TOHOST");
			return -1;
		case RV32_STOP_WFI:
			if (!m->wake || m->wake_count >= 1000) {
				snprintf(err, errlen,
					 "waits in wfi for an interrupt nobody raises (pc %#x)",
					 m->cpu.pc);
				return -1;
			}
			m->wake_count++;
			machine_set_irq_levels(m, m->irq_levels | m->wake);
			m->wake = 0;
			break;
		case RV32_STOP_EBREAK:
			snprintf(err, errlen, "stopped at ebreak (pc %#x)", m->cpu.pc);
			return -1;
		case RV32_STOP_BUDGET: spent += slice; break;
		}
	}
	snprintf(err, errlen, "still running after %llu steps (pc %#x)",
		 (unsigned long long)max_steps, m->cpu.pc);
	return -1;
}
