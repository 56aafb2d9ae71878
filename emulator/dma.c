// SPDX-License-Identifier: MIT
/*
 * The DMA engine (docs/hardware.md, section 10): copies between device
 * virtual addresses, between device VAs and CP DRAM (descriptor fetch,
 * status write-back), and writes 64-bit fences followed by an optional
 * MSI-X message.  Every page of both sides is translated before the first
 * byte moves, so an MMU fault moves nothing.
 */
#include <string.h>

#include "card_internal.h"

#define DMA_SETUP_CYCLES 16

void sa_dma_reset(struct sa_card *card)
{
	memset(&card->dma, 0, sizeof(card->dma));
	card->dma.status = SA_ENGINE_IDLE;
}

bool sa_dma_busy(const struct sa_card *card)
{
	return SA_ENGINE_STATE(card->dma.status) == SA_ENGINE_BUSY;
}

uint64_t sa_dma_remaining(const struct sa_card *card)
{
	return card->dma.remaining;
}

static void finish(struct sa_card *card, int err, uint64_t bytes)
{
	struct sa_dma_state *d = &card->dma;

	d->remaining = 0;
	if (err) {
		d->status = SA_ENGINE_ERROR | (uint32_t)err << 8;
		sa_perf_add(card, SA_PERF_DMA_ERRORS, 1);
	} else {
		d->status = SA_ENGINE_DONE;
		sa_perf_add(card, SA_PERF_DMA_OPS, 1);
		sa_perf_add(card, SA_PERF_DMA_BYTES, bytes);
		/* The completion write is in memory before the interrupt leaves. */
		if (d->a_flags & SA_DMA_F_IRQ)
			sa_irq_raise_vector(card, d->a_vector);
	}
	sa_irq_cp_raise(card, SA_CP_IRQ_DMA_DONE);
}

/* The checks that need no memory access. */
static int check(const struct sa_card *card)
{
	const struct sa_dma_state *d = &card->dma;
	uint8_t *dram;

	if (d->a_op < SA_DMA_OP_COPY || d->a_op > SA_DMA_OP_FENCE)
		return SA_ENGINE_ERR_BAD_OP;
	if (d->a_flags & ~SA_DMA_F_IRQ)
		return SA_ENGINE_ERR_BAD_PARAMS;
	if ((d->a_flags & SA_DMA_F_IRQ) && d->a_vector >= card->msix_vectors)
		return SA_ENGINE_ERR_BAD_PARAMS;
	if (d->a_op == SA_DMA_OP_FENCE)
		return d->a_dst % 8 ? SA_ENGINE_ERR_ALIGN : 0;
	if (d->a_len == 0)
		return SA_ENGINE_ERR_RANGE;
	if (d->a_len > SA_DMA_MAX_LEN)
		return SA_ENGINE_ERR_TOO_LARGE;
	if (d->a_op == SA_DMA_OP_TO_DRAM && sa_cp_dram_range(card, d->a_dst, d->a_len, &dram))
		return SA_ENGINE_ERR_RANGE;
	if (d->a_op == SA_DMA_OP_FROM_DRAM && sa_cp_dram_range(card, d->a_src, d->a_len, &dram))
		return SA_ENGINE_ERR_RANGE;
	return 0;
}

static void start(struct sa_card *card)
{
	struct sa_dma_state *d = &card->dma;
	int err;

	if (sa_dma_busy(card))
		return;
	d->a_op = d->op;
	d->a_flags = d->flags;
	d->a_src = d->src;
	d->a_dst = d->dst;
	d->a_len = d->len;
	d->a_ctx = d->ctx;
	d->a_value = d->value;
	d->a_vector = d->vector;
	d->fault_seq = 0;
	err = check(card);
	if (err) {
		finish(card, err, 0);
		return;
	}
	d->status = SA_ENGINE_BUSY;
	d->remaining = DMA_SETUP_CYCLES + (d->a_op == SA_DMA_OP_FENCE ? 1 : (d->a_len + 63) / 64);
	d->fresh = sa_cp_yield(card);
}

/* Bus address of byte i of a translated range starting at va. */
static uint64_t bus_at(const uint64_t *pages, uint64_t va, uint64_t i)
{
	uint64_t pos = (va & (SA_MMU_PAGE_SIZE - 1)) + i;

	return pages[pos >> SA_MMU_PAGE_SHIFT] + (pos & (SA_MMU_PAGE_SIZE - 1));
}

static uint64_t page_left(uint64_t va, uint64_t i)
{
	return SA_MMU_PAGE_SIZE - ((va + i) & (SA_MMU_PAGE_SIZE - 1));
}

static int copy(struct sa_card *card, uint32_t src_ctx, uint32_t dst_ctx)
{
	struct sa_dma_state *d = &card->dma;
	uint64_t *src = card->mmu.xlate_a, *dst = card->mmu.xlate_b;
	int err;

	err = sa_mmu_translate_range(card, src_ctx, d->a_src, d->a_len, SA_ACCESS_READ,
				     SA_FAULT_SRC_DMA, src, &d->fault_seq);
	if (!err)
		err = sa_mmu_translate_range(card, dst_ctx, d->a_dst, d->a_len, SA_ACCESS_WRITE,
					     SA_FAULT_SRC_DMA, dst, &d->fault_seq);
	for (uint64_t i = 0; !err && i < d->a_len;) {
		uint64_t n = d->a_len - i;

		if (n > page_left(d->a_src, i))
			n = page_left(d->a_src, i);
		if (n > page_left(d->a_dst, i))
			n = page_left(d->a_dst, i);
		if (sa_card_host_read(card, bus_at(src, d->a_src, i), d->bounce, n) ||
		    sa_card_host_write(card, bus_at(dst, d->a_dst, i), d->bounce, n))
			err = SA_ENGINE_ERR_BUS;
		i += n;
	}
	return err;
}

static void execute(struct sa_card *card)
{
	struct sa_dma_state *d = &card->dma;
	uint32_t src_ctx = d->a_ctx & 0xffff, dst_ctx = d->a_ctx >> 16;
	uint64_t bytes = d->a_len;
	uint8_t *dram = NULL;
	int err;

	if (sa_fi_take(card, SA_FI_FAIL_NEXT_DMA)) {
		finish(card, SA_ENGINE_ERR_INJECTED, 0);
		return;
	}
	switch (d->a_op) {
	case SA_DMA_OP_COPY: err = copy(card, src_ctx, dst_ctx); break;
	case SA_DMA_OP_TO_DRAM:
		sa_cp_dram_range(card, d->a_dst, d->a_len, &dram);
		err = sa_mmu_read(card, src_ctx, d->a_src, dram, d->a_len, SA_FAULT_SRC_DMA,
				  &d->fault_seq);
		break;
	case SA_DMA_OP_FROM_DRAM:
		sa_cp_dram_range(card, d->a_src, d->a_len, &dram);
		err = sa_mmu_write(card, dst_ctx, d->a_dst, dram, d->a_len, SA_FAULT_SRC_DMA,
				   &d->fault_seq);
		break;
	default: { /* fence */
		uint64_t value = d->a_value;
		uint8_t raw[8];

		if (sa_fi_take(card, SA_FI_CORRUPT_NEXT_COMPLETION))
			value = ~value;
		for (int i = 0; i < 8; i++)
			raw[i] = (uint8_t)(value >> (8 * i));
		bytes = 8;
		err = sa_mmu_write(card, dst_ctx, d->a_dst, raw, sizeof(raw), SA_FAULT_SRC_DMA,
				   &d->fault_seq);
		break;
	}
	}
	finish(card, err, bytes);
}

void sa_dma_advance(struct sa_card *card, uint64_t cycles)
{
	if (sa_dma_busy(card) && sa_engine_elapse(&card->dma.fresh, &card->dma.remaining, cycles))
		execute(card);
}

static uint32_t lo(uint64_t v)
{
	return (uint32_t)v;
}

static uint32_t hi(uint64_t v)
{
	return (uint32_t)(v >> 32);
}

static uint64_t set_lo(uint64_t v, uint32_t x)
{
	return (v & ~0xffffffffull) | x;
}

static uint64_t set_hi(uint64_t v, uint32_t x)
{
	return (v & 0xffffffffull) | (uint64_t)x << 32;
}

uint32_t sa_dma_cp_read(struct sa_card *card, uint32_t offset)
{
	const struct sa_dma_state *d = &card->dma;

	switch (offset) {
	case SA_CP_DMA_OP: return d->op;
	case SA_CP_DMA_FLAGS: return d->flags;
	case SA_CP_DMA_SRC_LO: return lo(d->src);
	case SA_CP_DMA_SRC_HI: return hi(d->src);
	case SA_CP_DMA_DST_LO: return lo(d->dst);
	case SA_CP_DMA_DST_HI: return hi(d->dst);
	case SA_CP_DMA_LEN: return d->len;
	case SA_CP_DMA_CTX: return d->ctx;
	case SA_CP_DMA_VALUE_LO: return lo(d->value);
	case SA_CP_DMA_VALUE_HI: return hi(d->value);
	case SA_CP_DMA_VECTOR: return d->vector;
	case SA_CP_DMA_STATUS: return d->status;
	case SA_CP_DMA_FAULT_SEQ: return d->fault_seq;
	default: return 0;
	}
}

void sa_dma_cp_write(struct sa_card *card, uint32_t offset, uint32_t value)
{
	struct sa_dma_state *d = &card->dma;

	switch (offset) {
	case SA_CP_DMA_OP: d->op = value; break;
	case SA_CP_DMA_FLAGS: d->flags = value; break;
	case SA_CP_DMA_SRC_LO: d->src = set_lo(d->src, value); break;
	case SA_CP_DMA_SRC_HI: d->src = set_hi(d->src, value); break;
	case SA_CP_DMA_DST_LO: d->dst = set_lo(d->dst, value); break;
	case SA_CP_DMA_DST_HI: d->dst = set_hi(d->dst, value); break;
	case SA_CP_DMA_LEN: d->len = value; break;
	case SA_CP_DMA_CTX: d->ctx = value; break;
	case SA_CP_DMA_VALUE_LO: d->value = set_lo(d->value, value); break;
	case SA_CP_DMA_VALUE_HI: d->value = set_hi(d->value, value); break;
	case SA_CP_DMA_VECTOR: d->vector = value; break;
	case SA_CP_DMA_CTRL:
		if (value & SA_ENGINE_CTRL_START)
			start(card);
		break;
	default: break;
	}
}
