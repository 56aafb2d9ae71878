// SPDX-License-Identifier: MIT
/*
 * The fault-injection block: each injection is observable once, FIRED
 * records it, and none of it exists on a card without the debug property.
 */
#include <string.h>

#include "../check.h"
#include "../../emulator/card_internal.h"
#include "card_harness.h"

#define RW (SA_PTE_VALID | SA_PTE_READ | SA_PTE_WRITE)

static struct harness *with_buffers(bool debug, uint64_t *src, uint64_t *dst)
{
	struct harness *h = h_create(4, debug);
	uint64_t root = h_context(h, 1);

	*src = h_map_new(h, root, 0x10000, 4096, RW);
	*dst = h_map_new(h, root, 0x20000, 4096, RW);
	memset(h_ptr(h, *src), 0x3c, 4096);
	return h;
}

static uint32_t copy(struct harness *h)
{
	return h_dma_run(h, SA_DMA_OP_COPY, 0, 0x10000, 0x20000, 4096, 1, 1, 0, 0);
}

static uint32_t fence(struct harness *h, uint64_t value)
{
	return h_dma_run(h, SA_DMA_OP_FENCE, SA_DMA_F_IRQ, 0, 0x20000, 0, 0, 1, value, 1);
}

TEST(fail_next_dma)
{
	uint64_t src, dst;
	struct harness *h = with_buffers(true, &src, &dst);

	h_wr32(h, SA_REG_FI_ARM, SA_FI_FAIL_NEXT_DMA);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FI_ARM), SA_FI_FAIL_NEXT_DMA);
	CHECK_EQ_INT(copy(h), SA_ENGINE_ERROR | SA_ENGINE_ERR_INJECTED << 8);
	CHECK_EQ_INT(((uint8_t *)h_ptr(h, dst))[0], 0);
	CHECK_EQ_INT(h->dma_write_bytes, 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FI_ARM), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FI_FIRED), SA_FI_FAIL_NEXT_DMA);
	/* Only the next one. */
	CHECK_EQ_INT(copy(h), SA_ENGINE_DONE);
	CHECK_EQ_INT(((uint8_t *)h_ptr(h, dst))[4095], 0x3c);
	h_wr32(h, SA_REG_FI_FIRED, SA_FI_FAIL_NEXT_DMA);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FI_FIRED), 0);
	h_destroy(h);
}

TEST(corrupt_next_completion)
{
	uint64_t src, dst;
	struct harness *h = with_buffers(true, &src, &dst);

	h_wr32(h, SA_REG_FI_ARM, SA_FI_CORRUPT_NEXT_COMPLETION);
	/* A copy is not a completion: it is left alone. */
	CHECK_EQ_INT(copy(h), SA_ENGINE_DONE);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FI_FIRED), 0);
	CHECK_EQ_INT(fence(h, 0x0123456789abcdefull), SA_ENGINE_DONE);
	CHECK_EQ_INT(*(uint64_t *)h_ptr(h, dst), ~0x0123456789abcdefull);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FI_FIRED), SA_FI_CORRUPT_NEXT_COMPLETION);
	CHECK_EQ_INT(h->msi_count, 1); /* the interrupt still goes out */
	CHECK_EQ_INT(fence(h, 42), SA_ENGINE_DONE);
	CHECK_EQ_INT(*(uint64_t *)h_ptr(h, dst), 42);
	h_destroy(h);
}

/* Raises `vector` the way the firmware does for SA_DESC_F_IRQ without a fence. */
static void trigger(struct harness *h, uint32_t vector)
{
	h_cp_wr32(h, SA_CP_INTC_BASE + SA_CP_INTC_MSI_TRIGGER, vector);
}

TEST(drop_next_queue_irq)
{
	uint64_t src, dst;
	struct harness *h = with_buffers(true, &src, &dst);

	h_wr32(h, SA_REG_FI_ARM, SA_FI_DROP_NEXT_QUEUE_IRQ);
	/* Vector 0 (device events) is not a queue interrupt: never dropped. */
	trigger(h, SA_HW_VECTOR_EVENTS);
	CHECK_EQ_INT(h->msi_count, 1);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FI_FIRED), 0);
	/* The fence is written, its interrupt is lost and not even left pending. */
	CHECK_EQ_INT(fence(h, 7), SA_ENGINE_DONE);
	CHECK_EQ_INT(*(uint64_t *)h_ptr(h, dst), 7);
	CHECK_EQ_INT(h->msi_count, 1);
	CHECK_EQ_INT(h_rd32(h, SA_REG_INT_PENDING), 0);
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_MSI_SENT)), 1);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FI_FIRED), SA_FI_DROP_NEXT_QUEUE_IRQ);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FI_ARM), 0);
	/* Only the next one: the following fence interrupts again. */
	CHECK_EQ_INT(fence(h, 8), SA_ENGINE_DONE);
	CHECK_EQ_INT(h->msi_count, 2);
	CHECK_EQ_INT(h->msi_log[1], 1);
	/* A masked vector is dropped too instead of pending, and a direct trigger counts. */
	h_wr32(h, SA_REG_FI_ARM, SA_FI_DROP_NEXT_QUEUE_IRQ);
	h_wr32(h, SA_REG_INT_MASK_SET, 1u << 2);
	trigger(h, 2);
	CHECK_EQ_INT(h_rd32(h, SA_REG_INT_PENDING), 0);
	h_wr32(h, SA_REG_INT_MASK_CLEAR, 1u << 2);
	CHECK_EQ_INT(h->msi_count, 2);
	trigger(h, 2);
	CHECK_EQ_INT(h->msi_count, 3);
	CHECK_EQ_INT(h->msi_log[2], 2);
	h_destroy(h);
}

TEST(hang_cp)
{
	struct harness *h = h_create(4, true);
	uint32_t beats;

	h_wr32(h, SA_REG_EVENT_ENABLE, SA_EVENT_WATCHDOG);
	h_set_time(h, 1000);
	CHECK_EQ_INT(h_load_program(h, "cp_watchdog"), 0);
	h_run(h, 20000);
	beats = h_rd32(h, SA_REG_HEARTBEAT);
	CHECK(beats > 0);
	h_wr32(h, SA_REG_FI_ARM, SA_FI_HANG_CP);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FI_FIRED), SA_FI_HANG_CP);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FI_ARM), 0);
	/* The heartbeat stops and the CP status does not tell why. */
	CHECK(h_run(h, 100000));
	CHECK_EQ_INT(h_rd32(h, SA_REG_HEARTBEAT), beats);
	CHECK_EQ_INT(h_rd32(h, SA_REG_CP_STATUS), SA_CP_STATUS_RUNNING);
	/* The program's 100 us watchdog catches it. */
	h_set_time(h, 1000 + 200000);
	h_run(h, 20000); /* the slice that shows it does not kick */
	CHECK_EQ_INT(h_rd32(h, SA_REG_WDT_RESETS), 1);
	CHECK(h_rd32(h, SA_REG_EVENT_CAUSE) & SA_EVENT_WATCHDOG);
	/* The reset ended the hang: released again, the CP runs. */
	h_wr32(h, SA_REG_CP_CTRL, 0);
	h_run(h, 20000);
	CHECK(h_rd32(h, SA_REG_HEARTBEAT) > beats);
	h_destroy(h);
}

TEST(absent_without_debug)
{
	uint64_t src, dst;
	struct harness *h = with_buffers(false, &src, &dst);

	CHECK(!(h_rd32(h, SA_REG_FEATURES) & SA_FEAT_FAULT_INJECT));
	h_wr32(h, SA_REG_FI_ARM, SA_FI_ALL);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FI_ARM), 0);
	CHECK_EQ_INT(copy(h), SA_ENGINE_DONE);
	CHECK_EQ_INT(fence(h, 9), SA_ENGINE_DONE);
	CHECK_EQ_INT(*(uint64_t *)h_ptr(h, dst), 9);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FI_FIRED), 0);
	h_destroy(h);
}

TEST(resets_disarm)
{
	uint64_t src, dst;
	struct harness *h = with_buffers(true, &src, &dst);

	uint32_t root = h_cp_rd32(h, SA_CP_MMU_BASE + SA_CP_MMU_CTX_ROOT_LO(1));

	h_wr32(h, SA_REG_FI_ARM, SA_FI_FAIL_NEXT_DMA | SA_FI_CORRUPT_NEXT_COMPLETION);
	h_wr32(h, SA_REG_CP_CTRL, 0); /* release, then reset the CP */
	h_wr32(h, SA_REG_CP_CTRL, SA_CP_CTRL_RESET);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FI_ARM), 0);
	/* The CP reset also invalidated the context table: program it again. */
	CHECK_EQ_INT(h_cp_rd32(h, SA_CP_MMU_BASE + SA_CP_MMU_CTX_CTRL(1)), 0);
	h_cp_wr32(h, SA_CP_MMU_BASE + SA_CP_MMU_CTX_ROOT_LO(1), root);
	h_cp_wr32(h, SA_CP_MMU_BASE + SA_CP_MMU_CTX_ROOT_HI(1), 0);
	h_cp_wr32(h, SA_CP_MMU_BASE + SA_CP_MMU_CTX_CTRL(1), SA_MMU_CTX_VALID);
	CHECK_EQ_INT(copy(h), SA_ENGINE_DONE);
	CHECK_EQ_INT(fence(h, 3), SA_ENGINE_DONE);
	CHECK_EQ_INT(*(uint64_t *)h_ptr(h, dst), 3);
	/* A device reset disarms too. */
	h_wr32(h, SA_REG_FI_ARM, SA_FI_ALL);
	sa_card_reset(h->card);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FI_ARM), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FI_FIRED), 0);
	h_destroy(h);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(fail_next_dma);
	RUN(corrupt_next_completion);
	RUN(drop_next_queue_irq);
	RUN(hang_cp);
	RUN(absent_without_debug);
	RUN(resets_disarm);
	CHECK_MAIN_END();
}
