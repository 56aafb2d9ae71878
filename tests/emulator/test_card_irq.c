// SPDX-License-Identifier: MIT
/*
 * The card's interrupt controller in front of MSI-X: per-vector mask and
 * pending bits, delivery of a pending vector on unmask, the event register
 * behind vector 0, and vectors that do not exist.
 */
#include <string.h>

#include "../check.h"
#include "../../emulator/card_internal.h"
#include "card_harness.h"

static void trigger(struct harness *h, uint32_t vector)
{
	h_cp_wr32(h, SA_CP_INTC_BASE + SA_CP_INTC_MSI_TRIGGER, vector);
}

TEST(mask_pending_unmask)
{
	struct harness *h = h_create(16, false); /* 9 vectors */

	trigger(h, 1);
	CHECK_EQ_INT(h->msi_count, 1);
	CHECK_EQ_INT(h->msi_log[0], 1);
	h_wr32(h, SA_REG_INT_MASK_SET, 1u << 2 | 1u << 8);
	CHECK_EQ_INT(h_rd32(h, SA_REG_INT_MASK), 1u << 2 | 1u << 8);
	trigger(h, 2);
	trigger(h, 2);
	trigger(h, 8);
	trigger(h, 3);
	CHECK_EQ_INT(h->msi_count, 2); /* only vector 3 went out */
	CHECK_EQ_INT(h->msi_log[1], 3);
	CHECK_EQ_INT(h_rd32(h, SA_REG_INT_PENDING), 1u << 2 | 1u << 8);
	/* Unmasking vector 2 sends it once, however often it was raised. */
	h_wr32(h, SA_REG_INT_MASK_CLEAR, 1u << 2);
	CHECK_EQ_INT(h->msi_count, 3);
	CHECK_EQ_INT(h->msi_log[2], 2);
	CHECK_EQ_INT(h_rd32(h, SA_REG_INT_PENDING), 1u << 8);
	h_wr32(h, SA_REG_INT_MASK_CLEAR, 1u << 2); /* already unmasked: nothing */
	CHECK_EQ_INT(h->msi_count, 3);
	/* Dropping a pending interrupt: unmask then sends nothing. */
	h_wr32(h, SA_REG_INT_PENDING, 1u << 8);
	CHECK_EQ_INT(h_rd32(h, SA_REG_INT_PENDING), 0);
	h_wr32(h, SA_REG_INT_MASK, 0);
	CHECK_EQ_INT(h->msi_count, 3);
	/* A plain write of INT_MASK unmasks too, sending what was pending. */
	h_wr32(h, SA_REG_INT_MASK, 0x1fe);
	trigger(h, 5);
	trigger(h, 7);
	h_wr32(h, SA_REG_INT_MASK, 0x1fe & ~(1u << 7));
	CHECK_EQ_INT(h->msi_count, 4);
	CHECK_EQ_INT(h->msi_log[3], 7);
	CHECK_EQ_INT(h_rd32(h, SA_REG_INT_PENDING), 1u << 5);
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_MSI_SENT)), 4);
	h_destroy(h);
}

TEST(vectors_that_do_not_exist)
{
	struct harness *h = h_create(2, false); /* 3 vectors */

	trigger(h, 3);
	trigger(h, 31);
	trigger(h, 0xffffffff);
	CHECK_EQ_INT(h->msi_count, 0);
	/* Mask bits exist only for real vectors. */
	h_wr32(h, SA_REG_INT_MASK, 0xffffffff);
	CHECK_EQ_INT(h_rd32(h, SA_REG_INT_MASK), 0x7);
	trigger(h, 5);
	CHECK_EQ_INT(h_rd32(h, SA_REG_INT_PENDING), 0);
	h_destroy(h);
}

TEST(events_behind_vector_zero)
{
	struct harness *h = h_create(4, false);

	/* A fault latches its event; disabled, nothing is sent. */
	h_context(h, 1);
	CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_TO_DRAM, 0, 0x1000, SA_CP_DRAM_BASE, 4, 1, 0, 0, 0),
		     SA_ENGINE_ERROR | SA_ENGINE_ERR_MMU_FAULT << 8);
	CHECK_EQ_INT(h_rd32(h, SA_REG_EVENT_CAUSE), SA_EVENT_MMU_FAULT);
	CHECK_EQ_INT(h->msi_count, 0);
	/* Vector 0 masked: enabling the event makes it pending, unmasking sends it. */
	h_wr32(h, SA_REG_INT_MASK_SET, 1);
	h_wr32(h, SA_REG_EVENT_ENABLE, 0xffffffff);
	CHECK_EQ_INT(h_rd32(h, SA_REG_EVENT_ENABLE), SA_EVENT_ALL);
	CHECK_EQ_INT(h->msi_count, 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_INT_PENDING), 1);
	h_wr32(h, SA_REG_INT_MASK_CLEAR, 1);
	CHECK_EQ_INT(h->msi_count, 1);
	CHECK_EQ_INT(h->msi_log[0], 0);
	/* Another fault while MMU_FAULT is still latched: no new edge, no message. */
	CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_TO_DRAM, 0, 0x1000, SA_CP_DRAM_BASE, 4, 1, 0, 0, 0),
		     SA_ENGINE_ERROR | SA_ENGINE_ERR_MMU_FAULT << 8);
	CHECK_EQ_INT(h->msi_count, 1);
	/* A different event is a new edge. */
	h_cp_wr32(h, SA_CP_SYS_BASE + SA_CP_SYS_FATAL, 1);
	CHECK_EQ_INT(h_rd32(h, SA_REG_EVENT_CAUSE), SA_EVENT_MMU_FAULT | SA_EVENT_CP_HALT);
	CHECK_EQ_INT(h->msi_count, 2);
	/* W1C: only the bits written are cleared... */
	h_wr32(h, SA_REG_EVENT_CAUSE, SA_EVENT_MMU_FAULT);
	CHECK_EQ_INT(h_rd32(h, SA_REG_EVENT_CAUSE), SA_EVENT_CP_HALT);
	/* ...and once clear, the next fault raises vector 0 again. */
	CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_TO_DRAM, 0, 0x1000, SA_CP_DRAM_BASE, 4, 1, 0, 0, 0),
		     SA_ENGINE_ERROR | SA_ENGINE_ERR_MMU_FAULT << 8);
	CHECK_EQ_INT(h->msi_count, 3);
	for (unsigned int i = 0; i < 3; i++)
		CHECK_EQ_INT(h->msi_log[i], SA_HW_VECTOR_EVENTS);
	h_destroy(h);
}

TEST(cp_interrupt_controller)
{
	struct harness *h = h_create(4, false);
	const uint32_t intc = SA_CP_INTC_BASE;

	h_doorbell(h, 1, 4);
	CHECK_EQ_INT(h_cp_rd32(h, intc + SA_CP_INTC_PENDING), SA_CP_IRQ_DOORBELL);
	CHECK(!sa_irq_cp_line(h->card)); /* not enabled */
	h_cp_wr32(h, intc + SA_CP_INTC_ENABLE, 0xffffffff);
	CHECK_EQ_INT(h_cp_rd32(h, intc + SA_CP_INTC_ENABLE), SA_CP_IRQ_ALL);
	CHECK(sa_irq_cp_line(h->card));
	h_cp_wr32(h, intc + SA_CP_INTC_PENDING, SA_CP_IRQ_MBOX_H2F); /* another bit: no change */
	CHECK(sa_irq_cp_line(h->card));
	h_cp_wr32(h, intc + SA_CP_INTC_PENDING, SA_CP_IRQ_DOORBELL);
	CHECK(!sa_irq_cp_line(h->card));
	CHECK_EQ_INT(h_cp_rd32(h, intc + SA_CP_INTC_PENDING), 0);
	h_destroy(h);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(mask_pending_unmask);
	RUN(vectors_that_do_not_exist);
	RUN(events_behind_vector_zero);
	RUN(cp_interrupt_controller);
	CHECK_MAIN_END();
}
