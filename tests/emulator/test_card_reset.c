// SPDX-License-Identifier: MIT
/*
 * Resets in the middle of work: FLR, the device reset register, a host CP
 * reset and a watchdog expiry while the tensor engine or the DMA engine is
 * busy.  Afterwards the card is in its power-on (or CP-reset) state and no
 * stale output, fence or interrupt ever appears.
 */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "../../emulator/card_internal.h"
#include "card_harness.h"
#include "te_cases.h"

#define RW (SA_PTE_VALID | SA_PTE_READ | SA_PTE_WRITE)
#define TE_STATUS (SA_CP_TE_BASE + SA_CP_TE_STATUS)

/* A conv that keeps the engine busy for tens of thousands of cycles. */
static void big_conv(struct harness *h, uint64_t root, uint32_t ctx, struct sa_hw_te_cmd *cmd,
		     uint64_t *out_bus)
{
	const uint32_t c = 32, hw = 32;
	size_t nw = (size_t)c * c * 9;
	int8_t *w = calloc(1, nw);
	uint64_t wbus;

	for (size_t i = 0; i < nw; i++)
		w[i] = (int8_t)(i % 7) - 3;
	memset(cmd, 0, sizeof(*cmd));
	cmd->op = SA_OP_CONV;
	cmd->context = (uint16_t)ctx;
	cmd->layer.in = (struct sa_hw_tensor){
		.addr = 0x100000, .c = c, .h = hw, .w = hw, .dtype = SA_DTYPE_I8, .exp = -2};
	cmd->layer.out = cmd->layer.in;
	cmd->layer.out.addr = 0x200000;
	cmd->layer.weights = 0x300000;
	cmd->layer.params.conv = (struct sa_conv_params){
		.kernel_h = 3,
		.kernel_w = 3,
		.stride_h = 1,
		.stride_w = 1,
		.dilation_h = 1,
		.dilation_w = 1,
		.pad_top = 1,
		.pad_left = 1,
		.pad_bottom = 1,
		.pad_right = 1,
		.groups = 1,
		.out_channels = c,
		.weight_bits = 3,
		.weight_base = -2,
	};
	uint32_t seed = 1;

	h_fill_random(h, h_map_new(h, root, 0x100000, c * hw * hw, RW), c * hw * hw, &seed);
	*out_bus = h_map_new(h, root, 0x200000, c * hw * hw, RW);
	memset(h_ptr(h, *out_bus), 0xcd, c * hw * hw);
	wbus = h_map_new(h, root, 0x300000, sa_weight_packed_size(nw, 3), RW);
	sa_weight_pack(w, nw, 3, h_ptr(h, wbus));
	free(w);
}

static int untouched(struct harness *h, uint64_t bus, size_t len)
{
	const uint8_t *p = h_ptr(h, bus);

	for (size_t i = 0; i < len; i++) {
		if (p[i] != 0xcd)
			return 0;
	}
	return 1;
}

/* Every BAR0 register word and the CP-visible state a driver or firmware could see. */
static void snapshot(struct harness *h, uint32_t *regs, size_t n)
{
	size_t k = 0;

	for (uint32_t off = 0; off < 0x2100 && k < n; off += 4)
		regs[k++] = h_rd32(h, off);
	for (uint32_t off = 0; off < 0x200 && k < n; off += 4)
		regs[k++] = h_cp_rd32(h, SA_CP_TE_BASE + off);
	for (uint32_t off = 0; off < 0x40 && k < n; off += 4)
		regs[k++] = h_cp_rd32(h, SA_CP_DMA_BASE + off);
	for (uint32_t off = 0; off < 0x100 && k < n; off += 4)
		regs[k++] = h_cp_rd32(h, SA_CP_MMU_BASE + off);
	for (uint32_t off = 0; off < 0x10 && k < n; off += 4) {
		regs[k++] = h_cp_rd32(h, SA_CP_TIMER_BASE + off);
		regs[k++] = h_cp_rd32(h, SA_CP_WDT_BASE + off);
		regs[k++] = h_cp_rd32(h, SA_CP_INTC_BASE + off);
		regs[k++] = h_cp_rd32(h, SA_CP_DB_BASE + off);
	}
	for (uint32_t off = 0; off < SA_CP_IRAM_SIZE && k < n; off += 0x1000)
		regs[k++] =
			h_rd32(h, SA_REG_IRAM_WINDOW + off) | h_rd32(h, SA_REG_DRAM_WINDOW + off);
}

#define SNAP_WORDS 4096

TEST(flr_in_the_middle_of_a_command)
{
	struct harness *h = h_create(4, true);
	struct harness *fresh = h_create(4, true);
	uint64_t root = h_context(h, 1), out;
	struct sa_hw_te_cmd cmd;
	uint32_t *a = calloc(SNAP_WORDS, 4), *b = calloc(SNAP_WORDS, 4);
	uint64_t written;

	big_conv(h, root, 1, &cmd, &out);
	/* Make the card as unlike power-on as possible first. */
	h_wr32(h, SA_REG_EVENT_ENABLE, SA_EVENT_ALL);
	h_wr32(h, SA_REG_INT_MASK, 0x6);
	h_wr32(h, SA_REG_SCRATCH, 5);
	h_wr32(h, SA_REG_FI_ARM, SA_FI_FAIL_NEXT_DMA);
	h_wr32(h, SA_REG_DRAM_WINDOW + 0x40, 0x1234);
	h_wr32(h, SA_REG_IRAM_WINDOW + 0x40, 0x5678);
	h_doorbell(h, 2, 17);
	h_set_time(h, 777);
	h_cp_wr32(h, SA_CP_WDT_BASE + SA_CP_WDT_HEARTBEAT, 1);
	h_te_start(h, &cmd);
	sa_card_run(h->card, 1000);
	CHECK_EQ_INT(h_cp_rd32(h, TE_STATUS), SA_ENGINE_BUSY);
	written = h->dma_write_bytes;

	sa_card_reset(h->card);
	snapshot(h, a, SNAP_WORDS);
	snapshot(fresh, b, SNAP_WORDS);
	CHECK(memcmp(a, b, SNAP_WORDS * 4) == 0);
	/* However long it runs now, the aborted command never lands. */
	CHECK(h_run(h, 1ull << 24));
	CHECK_EQ_INT(h->dma_write_bytes, written);
	CHECK(untouched(h, out, 32 * 32 * 32));
	CHECK_EQ_INT(h->msi_count, 0);
	/* And the card works again once set up again. */
	h_cp_wr32(h, SA_CP_MMU_BASE + SA_CP_MMU_CTX_ROOT_LO(1), (uint32_t)root);
	h_cp_wr32(h, SA_CP_MMU_BASE + SA_CP_MMU_CTX_ROOT_HI(1), (uint32_t)(root >> 32));
	h_cp_wr32(h, SA_CP_MMU_BASE + SA_CP_MMU_CTX_CTRL(1), SA_MMU_CTX_VALID);
	CHECK_EQ_INT(h_te_run(h, &cmd), SA_ENGINE_DONE);
	CHECK(!untouched(h, out, 32 * 32 * 32));
	free(a);
	free(b);
	h_destroy(fresh);
	h_destroy(h);
}

/* Boots cp_engine and hands it a descriptor for a big conv with a fence and an interrupt. */
static void start_descriptor(struct harness *h, uint64_t *out, uint64_t *fence)
{
	uint64_t root = h_context(h, 2), ring;
	struct sa_hw_te_cmd cmd;
	struct sa_hw_desc d;
	uint32_t msg[5] = {3, 2, 0x10000, 0, 1};

	big_conv(h, root, 2, &cmd, out);
	ring = h_map_new(h, root, 0x10000, 4096, RW);
	*fence = h_map_new(h, root, 0x20000, 4096, RW);
	memset(&d, 0, sizeof(d));
	d.opcode = SA_OP_CONV;
	d.flags = SA_DESC_F_FENCE | SA_DESC_F_IRQ;
	d.fence_addr = 0x20000;
	d.fence_value = 1;
	d.u.layer = cmd.layer;
	memcpy(h_ptr(h, ring), &d, sizeof(d));
	h_load_program(h, "cp_engine");
	h_run(h, 100000);
	h_mbox_send(h, msg, 5);
	/* Enough for the fetch and the start, far from the conv's end. */
	for (int i = 0; i < 100 && h_cp_rd32(h, TE_STATUS) != SA_ENGINE_BUSY; i++)
		sa_card_run(h->card, 200);
}

TEST(device_reset_register_mid_descriptor)
{
	struct harness *h = h_create(4, false);
	uint64_t out, fence, written;

	start_descriptor(h, &out, &fence);
	CHECK_EQ_INT(h_cp_rd32(h, TE_STATUS), SA_ENGINE_BUSY);
	CHECK(h_rd32(h, SA_REG_CP_STATUS) & SA_CP_STATUS_WFI);
	written = h->dma_write_bytes;
	h_wr32(h, SA_REG_DEVICE_RESET, SA_HW_RESET_MAGIC);
	CHECK_EQ_INT(h_rd32(h, SA_REG_CP_STATUS), SA_CP_STATUS_IN_RESET);
	CHECK_EQ_INT(h_cp_rd32(h, TE_STATUS), SA_ENGINE_IDLE);
	CHECK_EQ_INT(h_rd32(h, SA_REG_IRAM_WINDOW), 0); /* the image is gone */
	CHECK(h_run(h, 1ull << 24));
	CHECK_EQ_INT(h->dma_write_bytes, written);
	CHECK(untouched(h, out, 32 * 32 * 32));
	CHECK_EQ_INT(*(uint64_t *)h_ptr(h, fence), 0);
	CHECK_EQ_INT(h->msi_count, 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_MBOX_F2H_CTRL), 0);
	h_destroy(h);
}

TEST(cp_reset_mid_command_keeps_iram)
{
	struct harness *h = h_create(4, false);
	uint64_t out, fence, written;
	uint32_t iram0, reply[SA_MBOX_WORDS];

	start_descriptor(h, &out, &fence);
	CHECK_EQ_INT(h_cp_rd32(h, TE_STATUS), SA_ENGINE_BUSY);
	iram0 = h_rd32(h, SA_REG_IRAM_WINDOW);
	written = h->dma_write_bytes;
	h_wr32(h, SA_REG_CP_CTRL, SA_CP_CTRL_RESET);
	CHECK_EQ_INT(h_cp_rd32(h, TE_STATUS), SA_ENGINE_IDLE);
	CHECK(h_run(h, 1ull << 24));
	CHECK_EQ_INT(h->dma_write_bytes, written);
	CHECK(untouched(h, out, 32 * 32 * 32));
	CHECK_EQ_INT(*(uint64_t *)h_ptr(h, fence), 0);
	CHECK_EQ_INT(h->msi_count, 0);
	/* The image survived: released again, the program answers (the context is gone). */
	CHECK_EQ_INT(h_rd32(h, SA_REG_IRAM_WINDOW), iram0);
	h_wr32(h, SA_REG_CP_CTRL, 0);
	uint32_t msg[5] = {3, 2, 0x10000, 0, 1};

	h_mbox_send(h, msg, 5);
	CHECK(h_mbox_recv(h, reply, 1000000));
	CHECK_EQ_INT(reply[1], SA_ENGINE_ERROR | SA_ENGINE_ERR_MMU_FAULT << 8);
	h_destroy(h);
}

TEST(cp_reset_mid_dma)
{
	struct harness *h = h_create(4, false);
	uint64_t root = h_context(h, 1);
	uint64_t src = h_map_new(h, root, 0x1000000, 4 << 20, RW);
	uint64_t dst = h_map_new(h, root, 0x2000000, 4 << 20, RW);
	uint32_t seed = 1;

	h_fill_random(h, src, 4 << 20, &seed);
	memset(h_ptr(h, dst), 0xcd, 4 << 20);
	h_wr32(h, SA_REG_CP_CTRL, 0); /* a released CP (IRAM all zero: it traps forever) */
	h_cp_wr32(h, SA_CP_DMA_BASE + SA_CP_DMA_OP, SA_DMA_OP_COPY);
	h_cp_wr32(h, SA_CP_DMA_BASE + SA_CP_DMA_SRC_LO, 0x1000000);
	h_cp_wr32(h, SA_CP_DMA_BASE + SA_CP_DMA_DST_LO, 0x2000000);
	h_cp_wr32(h, SA_CP_DMA_BASE + SA_CP_DMA_LEN, 4 << 20);
	h_cp_wr32(h, SA_CP_DMA_BASE + SA_CP_DMA_CTX, 1 | 1 << 16);
	h_cp_wr32(h, SA_CP_DMA_BASE + SA_CP_DMA_CTRL, SA_ENGINE_CTRL_START);
	sa_card_run(h->card, 1000);
	CHECK_EQ_INT(h_cp_rd32(h, SA_CP_DMA_BASE + SA_CP_DMA_STATUS), SA_ENGINE_BUSY);
	h_wr32(h, SA_REG_CP_CTRL, SA_CP_CTRL_RESET);
	CHECK_EQ_INT(h_cp_rd32(h, SA_CP_DMA_BASE + SA_CP_DMA_STATUS), SA_ENGINE_IDLE);
	h_run(h, 1ull << 24);
	CHECK(untouched(h, dst, 4 << 20));
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_DMA_OPS)), 0);
	h_destroy(h);
}

TEST(watchdog_mid_command)
{
	struct harness *h = h_create(4, false);
	uint64_t out, fence;

	h_set_time(h, 1000);
	start_descriptor(h, &out, &fence);
	CHECK_EQ_INT(h_cp_rd32(h, TE_STATUS), SA_ENGINE_BUSY);
	/* As if the firmware had armed a 10 us watchdog before waiting. */
	h_cp_wr32(h, SA_CP_WDT_BASE + SA_CP_WDT_TIMEOUT_US, 10);
	h_cp_wr32(h, SA_CP_WDT_BASE + SA_CP_WDT_CTRL, SA_WDT_CTRL_ENABLE);
	h_set_time(h, 1000 + 10000);
	h_run(h, 1); /* the expired watchdog is judged after the CP's next slice */
	CHECK_EQ_INT(h_rd32(h, SA_REG_WDT_RESETS), 1);
	CHECK_EQ_INT(h_cp_rd32(h, TE_STATUS), SA_ENGINE_IDLE);
	CHECK(h_run(h, 1ull << 24));
	CHECK(untouched(h, out, 32 * 32 * 32));
	CHECK_EQ_INT(*(uint64_t *)h_ptr(h, fence), 0);
	CHECK_EQ_INT(h->msi_count, 0); /* the watchdog event is not enabled */
	h_destroy(h);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(flr_in_the_middle_of_a_command);
	RUN(device_reset_register_mid_descriptor);
	RUN(cp_reset_mid_command_keeps_iram);
	RUN(cp_reset_mid_dma);
	RUN(watchdog_mid_command);
	CHECK_MAIN_END();
}
