// SPDX-License-Identifier: MIT
/*
 * BAR0: the capability block, CP control, and dispatch to the mailbox,
 * interrupt, fault ring, counter and fault-injection blocks and the CP
 * memory windows (docs/hardware.md, section 3).
 *
 * Registers are 32-bit words.  An 8-byte access is two word accesses (low
 * word first); a 1- or 2-byte read returns the addressed bytes of the word
 * and a 1- or 2-byte write to a register is ignored.  Only the memory windows
 * take every access size.
 */
#include "card_internal.h"

uint32_t sa_latch_read(struct sa_latch *latch, uint64_t key, uint64_t value, bool high)
{
	if (!high) {
		latch->offset = key;
		latch->value = (uint32_t)(value >> 32);
		return (uint32_t)value;
	}
	if (latch->offset == key) {
		latch->offset = UINT64_MAX;
		return latch->value;
	}
	return (uint32_t)(value >> 32);
}

uint32_t sa_regs_cap_read(const struct sa_card *card, uint32_t offset)
{
	uint32_t features = SA_FEAT_MMU | SA_FEAT_TENSOR_ENGINE | SA_FEAT_DMA | SA_FEAT_WATCHDOG |
			    SA_FEAT_INT16;

	if (card->cfg.debug)
		features |= SA_FEAT_FAULT_INJECT;
	switch (offset) {
	case SA_REG_ID: return SA_HW_ID_MAGIC;
	case SA_REG_VERSION: return SA_HW_VERSION;
	case SA_REG_REVISION: return SA_PCI_REVISION;
	case SA_REG_FEATURES: return features;
	case SA_REG_NUM_QUEUES: return card->cfg.num_queues;
	case SA_REG_NUM_CONTEXTS: return SA_HW_NUM_CONTEXTS;
	case SA_REG_MSIX_VECTORS: return card->msix_vectors;
	case SA_REG_QUEUE_VECTORS: return card->queue_vectors;
	case SA_REG_IRAM_SIZE: return SA_CP_IRAM_SIZE;
	case SA_REG_DRAM_SIZE: return SA_CP_DRAM_SIZE;
	case SA_REG_TE_ARRAY: return SA_TE_ROWS | SA_TE_COLS << 8 | (uint32_t)SA_TE_CLOCK_MHZ << 16;
	case SA_REG_TE_MAX_ACT_BYTES: return SA_TE_MAX_ACT_BYTES;
	case SA_REG_TE_MAX_WEIGHTS: return SA_TE_MAX_WEIGHTS;
	case SA_REG_TE_MAX_CHANNELS: return SA_TE_MAX_CHANNELS;
	case SA_REG_TE_MAX_MACS: return SA_TE_MAX_MACS;
	case SA_REG_DMA_MAX_LEN: return SA_DMA_MAX_LEN;
	case SA_REG_MMU_GEOMETRY:
		return SA_MMU_VA_BITS | SA_MMU_LEVELS << 8 | SA_MMU_PAGE_SHIFT << 16;
	case SA_REG_DESC_SIZE: return sizeof(struct sa_hw_desc);
	case SA_REG_FAULT_RING_SIZE: return SA_HW_FAULT_RING_SIZE;
	case SA_REG_OPS: return ((1u << SA_OP_COUNT) - 1) & ~(1u << SA_OP_INVALID);
	case SA_REG_SCRATCH: return card->scratch;
	default: return 0;
	}
}

static uint32_t control_read(struct sa_card *card, uint32_t offset)
{
	switch (offset) {
	case SA_REG_CP_CTRL: return card->cp.in_reset ? SA_CP_CTRL_RESET : 0;
	case SA_REG_CP_STATUS: return sa_cp_status(card);
	case SA_REG_CP_BOOT_ADDR: return card->cp.boot_addr;
	case SA_REG_CP_PC: return card->cp.cpu.pc;
	case SA_REG_CP_FATAL: return card->cp.fatal_code;
	case SA_REG_WDT_RESETS: return card->cp.wdt_resets;
	case SA_REG_HEARTBEAT: return card->timer.heartbeat;
	case SA_REG_HEARTBEAT_NS:
	case SA_REG_HEARTBEAT_NS + 4:
		return sa_latch_read(&card->host_latch, SA_REG_HEARTBEAT_NS,
				     card->timer.heartbeat_ns, offset != SA_REG_HEARTBEAT_NS);
	default: return 0;
	}
}

static void control_write(struct sa_card *card, uint32_t offset, uint32_t value)
{
	switch (offset) {
	case SA_REG_DEVICE_RESET:
		if (value == SA_HW_RESET_MAGIC)
			sa_card_reset(card);
		break;
	case SA_REG_CP_CTRL:
		if ((value & SA_CP_CTRL_RESET) && !card->cp.in_reset) {
			sa_card_cp_reset(card);
		} else if (!(value & SA_CP_CTRL_RESET) && card->cp.in_reset) {
			sa_cp_release(card);
			sa_card_kick(card);
		}
		break;
	case SA_REG_CP_BOOT_ADDR: card->cp.boot_addr = value & ~3u; break;
	default: break;
	}
}

static uint32_t word_read(struct sa_card *card, uint32_t offset)
{
	if (offset < SA_CAP_BLOCK_SIZE)
		return sa_regs_cap_read(card, offset);
	if (offset < 0x200)
		return control_read(card, offset);
	if (offset < 0x300)
		return sa_mbox_host_read(card, offset);
	if (offset < 0x400)
		return sa_irq_host_read(card, offset);
	if (offset < 0x800) {
		if (offset == SA_REG_FAULT_COUNT)
			return card->mmu.fault_count;
		if (offset >= SA_REG_FAULT_RING)
			return sa_mmu_ring_read(card, offset - SA_REG_FAULT_RING);
		return 0;
	}
	if (offset >= SA_REG_PERF_BASE && offset < SA_REG_PERF_BASE + 8 * SA_PERF_SLOTS)
		return sa_perf_read(card, &card->host_latch, offset - SA_REG_PERF_BASE);
	if (offset >= SA_REG_FI_ARM && offset < SA_REG_FI_ARM + 0x100)
		return sa_fi_read(card, offset);
	return 0;
}

static void word_write(struct sa_card *card, uint32_t offset, uint32_t value)
{
	if (offset == SA_REG_SCRATCH)
		card->scratch = value;
	else if (offset >= 0x100 && offset < 0x200)
		control_write(card, offset, value);
	else if (offset >= 0x200 && offset < 0x300)
		sa_mbox_host_write(card, offset, value);
	else if (offset >= 0x300 && offset < 0x400)
		sa_irq_host_write(card, offset, value);
	else if (offset == SA_REG_PERF_CTRL)
		sa_perf_ctrl(card, value);
	else if (offset >= SA_REG_FI_ARM && offset < SA_REG_FI_ARM + 0x100)
		sa_fi_write(card, offset, value);
}

static bool in_window(uint64_t offset, uint64_t base)
{
	return offset >= base && offset < base + SA_REG_WINDOW_SIZE;
}

/* The 64-bit registers, for 8-byte reads. */
static bool reg64_read(const struct sa_card *card, uint64_t offset, uint64_t *v)
{
	if (offset == SA_REG_HEARTBEAT_NS) {
		*v = card->timer.heartbeat_ns;
		return true;
	}
	if (offset >= SA_REG_PERF_BASE && offset < SA_REG_PERF_BASE + 8 * SA_PERF_SLOTS) {
		*v = card->perf[(offset - SA_REG_PERF_BASE) / 8];
		return true;
	}
	return false;
}

uint64_t sa_regs_read(struct sa_card *card, uint64_t offset, unsigned int size)
{
	if (in_window(offset, SA_REG_IRAM_WINDOW))
		return sa_cp_window_read(card, true, offset - SA_REG_IRAM_WINDOW, size);
	if (in_window(offset, SA_REG_DRAM_WINDOW))
		return sa_cp_window_read(card, false, offset - SA_REG_DRAM_WINDOW, size);
	if (offset % size)
		return 0;
	if (size == 8) {
		uint64_t v;

		/* One 8-byte access is atomic: no latch is involved. */
		if (reg64_read(card, offset, &v))
			return v;
		return word_read(card, (uint32_t)offset) |
		       (uint64_t)word_read(card, (uint32_t)offset + 4) << 32;
	}
	uint32_t word = word_read(card, (uint32_t)offset & ~3u);

	if (size == 4)
		return word;
	return (word >> (8 * (offset & 3))) & (size == 1 ? 0xffu : 0xffffu);
}

void sa_regs_write(struct sa_card *card, uint64_t offset, uint64_t value, unsigned int size)
{
	if (in_window(offset, SA_REG_IRAM_WINDOW)) {
		sa_cp_window_write(card, true, offset - SA_REG_IRAM_WINDOW, value, size);
		return;
	}
	if (in_window(offset, SA_REG_DRAM_WINDOW)) {
		sa_cp_window_write(card, false, offset - SA_REG_DRAM_WINDOW, value, size);
		return;
	}
	if (offset % size || size < 4)
		return;
	word_write(card, (uint32_t)offset, (uint32_t)value);
	if (size == 8)
		word_write(card, (uint32_t)offset + 4, (uint32_t)(value >> 32));
}
