// SPDX-License-Identifier: MIT
/*
 * The hardware access layer on the card: aligned 32-bit MMIO to the control
 * processor's peripherals (docs/hardware.md 4.3) and the machine CSRs.
 * Built only for the target; native tests use tests/firmware/fake_hal.c.
 */
#include <string.h>

#include "hal.h"

/* Linker symbols: the code as loaded and the trailer the image tool fills. */
extern const uint8_t __code_start[];
extern const volatile struct sa_fw_trailer fw_trailer;

static inline uint32_t rd(uint32_t addr)
{
	return *(volatile const uint32_t *)(uintptr_t)addr;
}

static inline void wr(uint32_t addr, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)addr = v;
}

/* 64-bit registers: reading the low word latches the high word. */
static uint64_t rd64(uint32_t lo_addr)
{
	uint32_t lo = rd(lo_addr);

	return (uint64_t)rd(lo_addr + 4) << 32 | lo;
}

#define MIE_MTIE (1u << 7)
#define MIE_MEIE (1u << 11)

void hal_init(void)
{
	/*
	 * Interrupts only wake wfi: mstatus.MIE stays 0, so no handler ever
	 * runs and the event loop is the only thread of control.
	 */
	__asm__ volatile("csrw mie, %0" : : "r"(MIE_MTIE | MIE_MEIE));
	wr(SA_CP_INTC_BASE + SA_CP_INTC_ENABLE, 0);
	wr(SA_CP_INTC_BASE + SA_CP_INTC_PENDING, SA_CP_IRQ_ALL);
}

uint32_t hal_cap(uint32_t offset)
{
	return rd(SA_CP_SYS_BASE + offset);
}

bool hal_mbox_h2f_full(void)
{
	return rd(SA_CP_MBOX_BASE + SA_CP_MBOX_H2F_CTRL) & SA_MBOX_STATUS_FULL;
}

void hal_mbox_h2f_read(uint32_t words[SA_MBOX_WORDS])
{
	for (uint32_t i = 0; i < SA_MBOX_WORDS; i++)
		words[i] = rd(SA_CP_MBOX_BASE + SA_CP_MBOX_H2F_DATA + 4 * i);
}

void hal_mbox_h2f_ack(void)
{
	wr(SA_CP_MBOX_BASE + SA_CP_MBOX_H2F_CTRL, SA_MBOX_CTRL_ACK);
}

bool hal_mbox_f2h_full(void)
{
	return rd(SA_CP_MBOX_BASE + SA_CP_MBOX_F2H_CTRL) & SA_MBOX_STATUS_FULL;
}

void hal_mbox_f2h_send(const uint32_t words[SA_MBOX_WORDS])
{
	for (uint32_t i = 0; i < SA_MBOX_WORDS; i++)
		wr(SA_CP_MBOX_BASE + SA_CP_MBOX_F2H_DATA + 4 * i, words[i]);
	wr(SA_CP_MBOX_BASE + SA_CP_MBOX_F2H_CTRL, SA_MBOX_CTRL_SEND);
}

uint64_t hal_db_take_pending(void)
{
	uint32_t lo = rd(SA_CP_DB_BASE + SA_CP_DB_PENDING_LO);
	uint32_t hi = rd(SA_CP_DB_BASE + SA_CP_DB_PENDING_HI);

	/* Clear exactly what was seen: a bell rung since then stays pending. */
	if (lo)
		wr(SA_CP_DB_BASE + SA_CP_DB_PENDING_LO, lo);
	if (hi)
		wr(SA_CP_DB_BASE + SA_CP_DB_PENDING_HI, hi);
	return (uint64_t)hi << 32 | lo;
}

uint32_t hal_db_tail(uint32_t queue)
{
	return rd(SA_CP_DB_BASE + SA_CP_DB_TAIL(queue));
}

uint32_t hal_irq_pending(void)
{
	return rd(SA_CP_INTC_BASE + SA_CP_INTC_PENDING);
}

void hal_irq_clear(uint32_t causes)
{
	if (causes)
		wr(SA_CP_INTC_BASE + SA_CP_INTC_PENDING, causes);
}

void hal_irq_enable(uint32_t causes)
{
	wr(SA_CP_INTC_BASE + SA_CP_INTC_ENABLE, causes);
}

void hal_msi(uint32_t vector)
{
	wr(SA_CP_INTC_BASE + SA_CP_INTC_MSI_TRIGGER, vector);
}

void hal_wait(void)
{
	/*
	 * Look at the controller before sleeping: two loads buy independence
	 * from how quickly a cause raised by this CP's own register write (an
	 * engine that fails at START, an enable that uncovers a pending cause)
	 * reaches mip.MEIP.  wfi must never sleep through one.
	 */
	if (rd(SA_CP_INTC_BASE + SA_CP_INTC_PENDING) & rd(SA_CP_INTC_BASE + SA_CP_INTC_ENABLE))
		return;
	__asm__ volatile("wfi");
}

uint64_t hal_time_ns(void)
{
	return rd64(SA_CP_TIMER_BASE + SA_CP_TIMER_MTIME_LO);
}

void hal_timer_at(uint64_t deadline_ns)
{
	/* High word to all ones first, so no intermediate value is in the past. */
	wr(SA_CP_TIMER_BASE + SA_CP_TIMER_MTIMECMP_HI, 0xffffffffu);
	wr(SA_CP_TIMER_BASE + SA_CP_TIMER_MTIMECMP_LO, (uint32_t)deadline_ns);
	wr(SA_CP_TIMER_BASE + SA_CP_TIMER_MTIMECMP_HI, (uint32_t)(deadline_ns >> 32));
}

uint64_t hal_cycles(void)
{
	return rd64(SA_CP_SYS_BASE + SA_CP_SYS_CYCLES_LO);
}

uint64_t hal_instret(void)
{
	uint32_t hi, lo, hi2;

	/* The RISC-V idiom for a consistent 64-bit counter on RV32. */
	do {
		__asm__ volatile("csrr %0, minstreth" : "=r"(hi));
		__asm__ volatile("csrr %0, minstret" : "=r"(lo));
		__asm__ volatile("csrr %0, minstreth" : "=r"(hi2));
		/* cppcheck-suppress uninitvar ; the asm statements write them */
	} while (hi != hi2);
	return (uint64_t)hi << 32 | lo;
}

void hal_wdt_start(uint32_t timeout_us)
{
	wr(SA_CP_WDT_BASE + SA_CP_WDT_TIMEOUT_US, timeout_us);
	wr(SA_CP_WDT_BASE + SA_CP_WDT_CTRL, SA_WDT_CTRL_ENABLE);
	wr(SA_CP_WDT_BASE + SA_CP_WDT_KICK, 1);
}

void hal_wdt_kick(void)
{
	wr(SA_CP_WDT_BASE + SA_CP_WDT_KICK, 1);
}

void hal_heartbeat(void)
{
	wr(SA_CP_WDT_BASE + SA_CP_WDT_HEARTBEAT, 1);
}

void hal_mmu_set_context(uint32_t ctx, uint64_t root, bool valid)
{
	/* Invalid first, so the context never runs on a half-written root. */
	wr(SA_CP_MMU_BASE + SA_CP_MMU_CTX_CTRL(ctx), 0);
	wr(SA_CP_MMU_BASE + SA_CP_MMU_CTX_ROOT_LO(ctx), (uint32_t)root);
	wr(SA_CP_MMU_BASE + SA_CP_MMU_CTX_ROOT_HI(ctx), (uint32_t)(root >> 32));
	if (valid)
		wr(SA_CP_MMU_BASE + SA_CP_MMU_CTX_CTRL(ctx), SA_MMU_CTX_VALID);
}

void hal_mmu_invalidate(uint32_t ctx)
{
	wr(SA_CP_MMU_BASE + SA_CP_MMU_INVALIDATE, ctx);
}

void hal_mmu_fault_record(uint32_t seq, struct sa_hw_fault_record *rec)
{
	uint32_t base = SA_CP_MMU_BASE + SA_CP_MMU_FAULT_RING +
			(seq % SA_HW_FAULT_RING_SIZE) * (uint32_t)sizeof(*rec);
	uint32_t w[sizeof(*rec) / 4] = {0};

	for (uint32_t i = 0; i < sizeof(*rec) / 4; i++)
		w[i] = rd(base + 4 * i);
	memcpy(rec, w, sizeof(*rec));
}

void hal_te_start(uint8_t op, uint32_t ctx, const struct sa_hw_layer *layer)
{
	/* The layer is 8-byte aligned in CP memory: straight from there, word by word. */
	const fw_word *w = (const fw_word *)(const void *)layer;
	const uint32_t base = SA_CP_TE_BASE + SA_CP_TE_CMD + offsetof(struct sa_hw_te_cmd, layer);

	wr(SA_CP_TE_BASE + SA_CP_TE_CMD, op | ctx << 16);
	wr(SA_CP_TE_BASE + SA_CP_TE_CMD + 4, 0);
	for (uint32_t i = 0; i < sizeof(*layer) / 4; i++)
		wr(base + 4 * i, w[i]);
	wr(SA_CP_TE_BASE + SA_CP_TE_CTRL, SA_ENGINE_CTRL_START);
}

uint32_t hal_te_status(void)
{
	return rd(SA_CP_TE_BASE + SA_CP_TE_STATUS);
}

uint64_t hal_te_last_cycles(void)
{
	return rd64(SA_CP_TE_BASE + SA_CP_TE_LAST_CYCLES_LO);
}

uint32_t hal_te_fault_seq(void)
{
	return rd(SA_CP_TE_BASE + SA_CP_TE_FAULT_SEQ);
}

/* Every transfer writes all the registers its op reads: they keep old values. */
static void dma_start(uint32_t op, uint32_t flags, uint64_t src, uint64_t dst, uint32_t len,
		      uint32_t ctx, uint64_t value, uint32_t vector)
{
	const uint32_t b = SA_CP_DMA_BASE;

	wr(b + SA_CP_DMA_OP, op);
	wr(b + SA_CP_DMA_FLAGS, flags);
	wr(b + SA_CP_DMA_SRC_LO, (uint32_t)src);
	wr(b + SA_CP_DMA_SRC_HI, (uint32_t)(src >> 32));
	wr(b + SA_CP_DMA_DST_LO, (uint32_t)dst);
	wr(b + SA_CP_DMA_DST_HI, (uint32_t)(dst >> 32));
	wr(b + SA_CP_DMA_LEN, len);
	wr(b + SA_CP_DMA_CTX, ctx | ctx << 16);
	wr(b + SA_CP_DMA_VALUE_LO, (uint32_t)value);
	wr(b + SA_CP_DMA_VALUE_HI, (uint32_t)(value >> 32));
	wr(b + SA_CP_DMA_VECTOR, vector);
	wr(b + SA_CP_DMA_CTRL, SA_ENGINE_CTRL_START);
}

void hal_dma_copy(uint32_t ctx, uint64_t src, uint64_t dst, uint32_t len)
{
	dma_start(SA_DMA_OP_COPY, 0, src, dst, len, ctx, 0, 0);
}

void hal_dma_to_dram(uint32_t ctx, uint64_t src, void *dst, uint32_t len)
{
	dma_start(SA_DMA_OP_TO_DRAM, 0, src, (uintptr_t)dst, len, ctx, 0, 0);
}

void hal_dma_from_dram(uint32_t ctx, const void *src, uint64_t dst, uint32_t len)
{
	dma_start(SA_DMA_OP_FROM_DRAM, 0, (uintptr_t)src, dst, len, ctx, 0, 0);
}

void hal_dma_fence(uint32_t ctx, uint64_t dst, uint64_t value, bool irq, uint32_t vector)
{
	dma_start(SA_DMA_OP_FENCE, irq ? SA_DMA_F_IRQ : 0, 0, dst, 8, ctx, value, vector);
}

uint32_t hal_dma_status(void)
{
	return rd(SA_CP_DMA_BASE + SA_CP_DMA_STATUS);
}

uint32_t hal_dma_fault_seq(void)
{
	return rd(SA_CP_DMA_BASE + SA_CP_DMA_FAULT_SEQ);
}

void hal_code_span(const uint8_t **start, uint32_t *len, struct sa_fw_trailer *trailer)
{
	/* Volatile reads: the compiler saw this object as all zeros at build time. */
	trailer->magic = fw_trailer.magic;
	trailer->covered = fw_trailer.covered;
	trailer->crc = fw_trailer.crc;
	trailer->build_id = fw_trailer.build_id;
	*start = __code_start;
	*len = (uint32_t)((uintptr_t)&fw_trailer - (uintptr_t)__code_start);
}

void hal_fatal(uint32_t code)
{
	wr(SA_CP_SYS_BASE + SA_CP_SYS_FATAL, code);
	/* The store halts the CP; should it not, never run on. */
	for (;;)
		__asm__ volatile("ebreak");
}
