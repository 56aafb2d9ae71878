// SPDX-License-Identifier: MIT
/*
 * A hostile driver and a hostile firmware: random accesses to every BAR and
 * every CP peripheral, garbage CP code, huge sizes, wrapping addresses and
 * time running backwards.  The model must stay inside its own buffers
 * (ASan/UBSan watch that), always terminate, and keep working afterwards.
 */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "../../emulator/card_internal.h"
#include "card_harness.h"

#define RW (SA_PTE_VALID | SA_PTE_READ | SA_PTE_WRITE)
#define ERR(e) (SA_ENGINE_ERROR | (e) << 8)

/* After whatever happened, a device reset gives a card that works. */
static int card_still_works(struct harness *h)
{
	uint64_t root, src, dst;

	sa_card_reset(h->card);
	if (h_rd32(h, SA_REG_ID) != SA_HW_ID_MAGIC)
		return 0;
	root = h_context(h, 1);
	src = h_map_new(h, root, 0x10000, 64, RW);
	dst = h_map_new(h, root, 0x20000, 64, RW);
	memset(h_ptr(h, src), 0x42, 64);
	return h_dma_run(h, SA_DMA_OP_COPY, 0, 0x10000, 0x20000, 64, 1, 1, 0, 0) ==
		       SA_ENGINE_DONE &&
	       memcmp(h_ptr(h, src), h_ptr(h, dst), 64) == 0;
}

static uint64_t pick_bar0_offset(uint32_t *seed)
{
	switch (h_rand(seed) % 6) {
	case 0: return h_rand(seed) % 0x3000;
	case 1: return SA_REG_IRAM_WINDOW + h_rand(seed) % (2 * SA_REG_WINDOW_SIZE);
	case 2: return h_rand(seed) % SA_BAR0_SIZE;
	case 3: return (uint64_t)h_rand(seed) << 32 | h_rand(seed);
	case 4: return SA_BAR0_SIZE - h_rand(seed) % 16;
	default: return 0x100 + 4 * (h_rand(seed) % 0x100);
	}
}

static unsigned int pick_size(uint32_t *seed)
{
	static const unsigned int sizes[] = {1, 2, 4, 8, 4, 4, 0, 3, 16};

	return sizes[h_rand(seed) % (sizeof(sizes) / sizeof(sizes[0]))];
}

TEST(random_register_storm)
{
	struct harness *h = h_create(5, true);
	uint32_t seed = 0x5eed;
	uint64_t root = h_context(h, 1);

	/* Some real memory so that random engine commands sometimes do real work. */
	h_map_new(h, root, 0, 1 << 20, RW);
	for (int i = 0; i < 60000; i++) {
		uint32_t v = h_rand(&seed);
		uint64_t value = (uint64_t)h_rand(&seed) << 32 | v;

		switch (v % 9) {
		case 0:
		case 1:
			sa_card_mmio_write(h->card, SA_BAR_REGS, pick_bar0_offset(&seed), value,
					   pick_size(&seed));
			break;
		case 2:
			sa_card_mmio_read(h->card, SA_BAR_REGS, pick_bar0_offset(&seed),
					  pick_size(&seed));
			break;
		case 3:
			sa_card_mmio_write(h->card, SA_BAR_DOORBELL, h_rand(&seed) % (1 << 16),
					   value, pick_size(&seed));
			break;
		case 4:
		case 5: {
			uint32_t addr =
				SA_CP_MMIO_BASE +
				h_rand(&seed) % (SA_CP_MMIO_END - SA_CP_MMIO_BASE + 0x10000);

			/* Bias toward the engines' control words and the context table. */
			if (v % 4 == 0)
				addr = SA_CP_TE_BASE + (h_rand(&seed) % 0x120 & ~3u);
			else if (v % 4 == 1)
				addr = SA_CP_DMA_BASE + (h_rand(&seed) % 0x40 & ~3u);
			sa_card_cp_store(h->card, addr, pick_size(&seed), (uint32_t)value);
			break;
		}
		case 6: {
			uint32_t val;

			sa_card_cp_load(h->card, SA_CP_MMIO_BASE + h_rand(&seed) % 0xb0000,
					pick_size(&seed), &val);
			break;
		}
		case 7: sa_card_run(h->card, h_rand(&seed) % 5000); break;
		default: h_set_time(h, h->now_ns + h_rand(&seed) % 100000); break;
		}
	}
	/* The model never asked the host for more than a page at a time. */
	CHECK(h->max_dma_len <= SA_MMU_PAGE_SIZE);
	CHECK(card_still_works(h));
	h_destroy(h);
}

TEST(garbage_firmware)
{
	struct harness *h = h_create(8, true);
	uint32_t seed = 77;

	h_context(h, 1);
	for (int round = 0; round < 20; round++) {
		h_wr32(h, SA_REG_CP_CTRL, SA_CP_CTRL_RESET);
		for (uint32_t off = 0; off < SA_CP_IRAM_SIZE; off += 4)
			h_wr32(h, SA_REG_IRAM_WINDOW + off, h_rand(&seed));
		for (uint32_t off = 0; off < SA_CP_DRAM_SIZE; off += 4)
			h_wr32(h, SA_REG_DRAM_WINDOW + off, h_rand(&seed));
		h_wr32(h, SA_REG_CP_BOOT_ADDR, h_rand(&seed) % SA_CP_IRAM_SIZE);
		h_wr32(h, SA_REG_CP_CTRL, 0);
		for (int i = 0; i < 20; i++) {
			sa_card_run(h->card, 20000);
			h_set_time(h, h->now_ns + 50000);
			h_doorbell(h, h_rand(&seed) % 8, h_rand(&seed));
		}
	}
	CHECK(h->max_dma_len <= SA_MMU_PAGE_SIZE);
	CHECK(card_still_works(h));
	h_destroy(h);
}

TEST(wrapping_addresses_and_huge_sizes)
{
	struct harness *h = h_create(4, false);
	uint64_t root = h_context(h, 1);
	struct sa_hw_fault_record rec;

	h_map_new(h, root, 0x10000, 4096, RW);
	/* A VA range that wraps around 2^64. */
	CHECK_EQ_INT(
		h_dma_run(h, SA_DMA_OP_COPY, 0, 0xfffffffffffff000ull, 0x10000, 0x2000, 1, 1, 0, 0),
		ERR(SA_ENGINE_ERR_MMU_FAULT));
	h_fault_record(h, 0, &rec);
	CHECK_EQ_INT(rec.reason, SA_FAULT_ADDRESS_RANGE);
	CHECK_EQ_INT(
		h_dma_run(h, SA_DMA_OP_COPY, 0, 0x10000, 0xffffffffffffff00ull, 0x200, 1, 1, 0, 0),
		ERR(SA_ENGINE_ERR_MMU_FAULT));
	/* The biggest transfer over unmapped memory fails at its first page, quickly. */
	uint64_t walks = h_rd64(h, SA_REG_PERF(SA_PERF_MMU_WALKS));

	CHECK_EQ_INT(
		h_dma_run(h, SA_DMA_OP_COPY, 0, 0x100000, 0x10000000, SA_DMA_MAX_LEN, 1, 1, 0, 0),
		ERR(SA_ENGINE_ERR_MMU_FAULT));
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_MMU_WALKS)) - walks, 1);
	/* A leaf at the very top of the bus address space. */
	h_map(h, root, 0x30000, SA_PTE_ADDR_MASK, 4096, RW);
	CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_TO_DRAM, 0, 0x30ff0, SA_CP_DRAM_BASE, 16, 1, 0, 0, 0),
		     ERR(SA_ENGINE_ERR_BUS));
	/* A tensor that ends past the 39-bit space. */
	struct sa_hw_te_cmd cmd = {.op = SA_OP_MAXPOOL, .context = 1};

	cmd.layer.in = (struct sa_hw_tensor){
		.addr = (1ull << 39) - 8, .c = 1, .h = 4, .w = 4, .dtype = SA_DTYPE_I8};
	cmd.layer.out = (struct sa_hw_tensor){
		.addr = 0x10000, .c = 1, .h = 4, .w = 4, .dtype = SA_DTYPE_I8};
	cmd.layer.params.pool = (struct sa_pool_params){1, 1, 1, 1, 0, 0, 0, 0};
	CHECK_EQ_INT(h_te_run(h, &cmd), ERR(SA_ENGINE_ERR_MMU_FAULT));
	h_fault_record(h, h_rd32(h, SA_REG_FAULT_COUNT) - 1, &rec);
	CHECK_EQ_INT(rec.reason, SA_FAULT_ADDRESS_RANGE);
	CHECK_EQ_INT(rec.source, SA_FAULT_SRC_TE);
	cmd.layer.in.addr = UINT64_MAX - 3;
	CHECK_EQ_INT(h_te_run(h, &cmd), ERR(SA_ENGINE_ERR_MMU_FAULT));
	/* An all-ones command. */
	memset(&cmd, 0xff, sizeof(cmd));
	CHECK_EQ_INT(h_te_run(h, &cmd), ERR(SA_ENGINE_ERR_BAD_OP));
	cmd.op = SA_OP_CONV;
	CHECK(SA_ENGINE_STATE(h_te_run(h, &cmd)) == SA_ENGINE_ERROR);
	h_destroy(h);
}

TEST(time_extremes)
{
	struct harness *h = h_create(4, false);

	h_set_time(h, 5000);
	h_set_time(h, 10); /* backwards: ignored */
	CHECK_EQ_INT(h_cp_rd32(h, SA_CP_TIMER_BASE + SA_CP_TIMER_MTIME_LO), 5000);
	h_wr32(h, SA_REG_CP_CTRL, 0);
	h_cp_wr32(h, SA_CP_WDT_BASE + SA_CP_WDT_TIMEOUT_US, 0xffffffff);
	h_cp_wr32(h, SA_CP_WDT_BASE + SA_CP_WDT_CTRL, SA_WDT_CTRL_ENABLE);
	h_set_time(h, UINT64_MAX - 1);
	h_run(h, 1); /* the expired watchdog is judged after the CP's next slice */
	/* The deadline saturates instead of wrapping into the past. */
	CHECK_EQ_INT(h_rd32(h, SA_REG_WDT_RESETS), 1);
	h_wr32(h, SA_REG_CP_CTRL, 0);
	h_cp_wr32(h, SA_CP_WDT_BASE + SA_CP_WDT_TIMEOUT_US, 0xffffffff);
	h_cp_wr32(h, SA_CP_WDT_BASE + SA_CP_WDT_CTRL, SA_WDT_CTRL_ENABLE);
	h_set_time(h, UINT64_MAX);
	h_run(h, 1);
	CHECK_EQ_INT(h_rd32(h, SA_REG_WDT_RESETS), 1);
	CHECK_EQ_INT(sa_card_next_deadline_ns(h->card), UINT64_MAX);
	/* The 64-bit mtime reads consistently as two words. */
	CHECK_EQ_INT(h_cp_rd32(h, SA_CP_TIMER_BASE + SA_CP_TIMER_MTIME_LO), 0xffffffff);
	CHECK_EQ_INT(h_cp_rd32(h, SA_CP_TIMER_BASE + SA_CP_TIMER_MTIME_HI), 0xffffffff);
	h_destroy(h);
}

TEST(counter_latch)
{
	struct harness *h = h_create(4, false);

	/* 2^32 - 1 cycles, then one more between the two halves of a read. */
	h->card->perf[SA_PERF_CYCLES] = 0xffffffffull;
	uint32_t lo = h_rd32(h, SA_REG_PERF(SA_PERF_CYCLES));

	h->card->perf[SA_PERF_CYCLES]++;
	uint32_t hi = h_rd32(h, SA_REG_PERF(SA_PERF_CYCLES) + 4);

	CHECK_EQ_INT((uint64_t)hi << 32 | lo, 0xffffffffull);
	/* Without the low read first, the high word is live. */
	CHECK_EQ_INT(h_rd32(h, SA_REG_PERF(SA_PERF_CYCLES) + 4), 1);
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_CYCLES)), 0x100000000ull);
	h_wr32(h, SA_REG_PERF_CTRL, SA_PERF_CTRL_CLEAR);
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_CYCLES)), 0);
	h_destroy(h);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(random_register_storm);
	RUN(garbage_firmware);
	RUN(wrapping_addresses_and_huge_sizes);
	RUN(time_extremes);
	RUN(counter_latch);
	CHECK_MAIN_END();
}
