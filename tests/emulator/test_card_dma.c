// SPDX-License-Identifier: MIT
/*
 * The DMA engine: copies between device VAs (also across contexts and at
 * the 16 MiB limit), transfers to and from CP DRAM, fences with their
 * interrupt after the write, its timing, and the errors it reports.
 */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "../../emulator/card_internal.h"
#include "card_harness.h"

#define RW (SA_PTE_VALID | SA_PTE_READ | SA_PTE_WRITE)
#define ERR(e) (SA_ENGINE_ERROR | (e) << 8)

TEST(copies_through_the_mmu)
{
	struct harness *h = h_create(4, false);
	uint64_t r1 = h_context(h, 1), r2 = h_context(h, 2);
	uint64_t src = h_map_new(h, r1, 0x100000, 5 * 4096, RW);
	uint64_t dst = h_map_new(h, r1, 0x200000, 5 * 4096, RW);
	uint64_t other = h_map_new(h, r2, 0x300000, 5 * 4096, RW);
	uint32_t seed = 3;
	uint64_t bytes = 0;

	h_fill_random(h, src, 5 * 4096, &seed);
	for (int i = 0; i < 30; i++) {
		uint32_t so = h_rand(&seed) % 4096, d_o = h_rand(&seed) % 4096;
		uint32_t len = 1 + h_rand(&seed) % (4 * 4096 - 4096);

		memset(h_ptr(h, dst), 0, 5 * 4096);
		CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_COPY, 0, 0x100000 + so, 0x200000 + d_o, len, 1,
				       1, 0, 0),
			     SA_ENGINE_DONE);
		CHECK(memcmp((uint8_t *)h_ptr(h, dst) + d_o, (uint8_t *)h_ptr(h, src) + so, len) ==
		      0);
		/* Not one byte outside the destination range. */
		for (uint32_t k = 0; k < d_o; k++)
			CHECK_EQ_INT(((uint8_t *)h_ptr(h, dst))[k], 0);
		for (uint32_t k = d_o + len; k < 5 * 4096; k++)
			CHECK_EQ_INT(((uint8_t *)h_ptr(h, dst))[k], 0);
		bytes += len;
	}
	/* From context 1 into context 2. */
	CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_COPY, 0, 0x100000, 0x300000, 5 * 4096, 1, 2, 0, 0),
		     SA_ENGINE_DONE);
	CHECK(memcmp(h_ptr(h, other), h_ptr(h, src), 5 * 4096) == 0);
	bytes += 5 * 4096;
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_DMA_OPS)), 31);
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_DMA_BYTES)), bytes);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FAULT_COUNT), 0);
	h_destroy(h);
}

TEST(largest_copy)
{
	struct harness *h = h_create(4, false);
	uint64_t root = h_context(h, 1);
	/* 16 MiB from an unaligned start touches 4097 pages. */
	uint64_t src = h_map_new(h, root, 0x1000100, SA_DMA_MAX_LEN, RW);
	uint64_t dst = h_map_new(h, root, 0x3000000, SA_DMA_MAX_LEN, RW);
	uint32_t seed = 11;

	h_fill_random(h, src, SA_DMA_MAX_LEN, &seed);
	CHECK_EQ_INT(
		h_dma_run(h, SA_DMA_OP_COPY, 0, 0x1000100, 0x3000000, SA_DMA_MAX_LEN, 1, 1, 0, 0),
		SA_ENGINE_DONE);
	CHECK(memcmp(h_ptr(h, src), h_ptr(h, dst), SA_DMA_MAX_LEN) == 0);
	CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_COPY, 0, 0x1000100, 0x3000000, SA_DMA_MAX_LEN + 1, 1, 1,
			       0, 0),
		     ERR(SA_ENGINE_ERR_TOO_LARGE));
	h_destroy(h);
}

TEST(dram_transfers_and_bounds)
{
	struct harness *h = h_create(4, false);
	uint64_t root = h_context(h, 1);
	uint64_t buf = h_map_new(h, root, 0x5000, 8192, RW);
	uint32_t seed = 8;
	uint8_t *dram;

	sa_cp_dram_range(h->card, SA_CP_DRAM_BASE, SA_CP_DRAM_SIZE, &dram);
	h_fill_random(h, buf, 8192, &seed);
	/* The whole of DRAM, and its last byte. */
	CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_TO_DRAM, 0, 0x5000, SA_CP_DRAM_BASE, 8192, 1, 0, 0, 0),
		     SA_ENGINE_DONE);
	CHECK(memcmp(dram, h_ptr(h, buf), 8192) == 0);
	CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_TO_DRAM, 0, 0x5000,
			       SA_CP_DRAM_BASE + SA_CP_DRAM_SIZE - 1, 1, 1, 0, 0, 0),
		     SA_ENGINE_DONE);
	dram[100] = 0x5a;
	CHECK_EQ_INT(
		h_dma_run(h, SA_DMA_OP_FROM_DRAM, 0, SA_CP_DRAM_BASE + 100, 0x6000, 1, 0, 1, 0, 0),
		SA_ENGINE_DONE);
	CHECK_EQ_INT(((uint8_t *)h_ptr(h, buf))[4096], 0x5a);
	/* Out of DRAM: past the end, straddling it, IRAM, peripherals, wrapping. */
	static const struct {
		uint64_t addr;
		uint32_t len;
	} bad[] = {
		{SA_CP_DRAM_BASE + SA_CP_DRAM_SIZE, 1},
		{SA_CP_DRAM_BASE + SA_CP_DRAM_SIZE - 4, 8},
		{SA_CP_DRAM_BASE - 1, 2},
		{SA_CP_IRAM_BASE, 4},
		{SA_CP_TE_BASE, 4},
		{0xffffffffffffff00ull, 0x200},
		{SA_CP_DRAM_BASE, SA_CP_DRAM_SIZE + 1},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_TO_DRAM, 0, 0x5000, bad[i].addr, bad[i].len, 1,
				       0, 0, 0),
			     ERR(SA_ENGINE_ERR_RANGE));
		CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_FROM_DRAM, 0, bad[i].addr, 0x5000, bad[i].len,
				       0, 1, 0, 0),
			     ERR(SA_ENGINE_ERR_RANGE));
	}
	CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_TO_DRAM, 0, 0x5000, SA_CP_DRAM_BASE, 0, 1, 0, 0, 0),
		     ERR(SA_ENGINE_ERR_RANGE));
	CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_COPY, 0, 0x5000, 0x6000, 0xffffffff, 1, 1, 0, 0),
		     ERR(SA_ENGINE_ERR_TOO_LARGE));
	CHECK_EQ_INT(h_dma_run(h, 0, 0, 0x5000, 0x6000, 4, 1, 1, 0, 0), ERR(SA_ENGINE_ERR_BAD_OP));
	CHECK_EQ_INT(h_dma_run(h, 99, 0, 0x5000, 0x6000, 4, 1, 1, 0, 0), ERR(SA_ENGINE_ERR_BAD_OP));
	CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_COPY, 2, 0x5000, 0x6000, 4, 1, 1, 0, 0),
		     ERR(SA_ENGINE_ERR_BAD_PARAMS));
	CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_COPY, SA_DMA_F_IRQ, 0x5000, 0x6000, 4, 1, 1, 0,
			       sa_card_msix_vectors(h->card)),
		     ERR(SA_ENGINE_ERR_BAD_PARAMS));
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_DMA_ERRORS)), 2 * 7 + 6);
	CHECK_EQ_INT(h->msi_count, 0);
	h_destroy(h);
}

TEST(fences)
{
	struct harness *h = h_create(4, false);
	uint64_t root = h_context(h, 9);
	uint64_t page = h_map_new(h, root, 0x9000, 4096, RW);

	h->watch_bus = page + 64;
	CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_FENCE, SA_DMA_F_IRQ, 0, 0x9040, 0, 0, 9,
			       0x1122334455667788ull, 3),
		     SA_ENGINE_DONE);
	CHECK_EQ_INT(*(uint64_t *)h_ptr(h, page + 64), 0x1122334455667788ull);
	CHECK_EQ_INT(h->msi_count, 1);
	CHECK_EQ_INT(h->msi_log[0], 3);
	CHECK_EQ_INT(h->watch_at_msi[0], 0x1122334455667788ull); /* written before the MSI */
	/* Without F_IRQ: the value only; misaligned: nothing. */
	CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_FENCE, 0, 0, 0x9040, 0, 0, 9, 5, 3), SA_ENGINE_DONE);
	CHECK_EQ_INT(*(uint64_t *)h_ptr(h, page + 64), 5);
	CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_FENCE, SA_DMA_F_IRQ, 0, 0x9044, 0, 0, 9, 6, 3),
		     ERR(SA_ENGINE_ERR_ALIGN));
	CHECK_EQ_INT(*(uint64_t *)h_ptr(h, page + 64), 5);
	CHECK_EQ_INT(h->msi_count, 1);
	/* A fence into a read-only page faults and raises no queue interrupt. */
	*h_pte(h, root, 0x9000, 0) &= ~SA_PTE_WRITE;
	CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_FENCE, SA_DMA_F_IRQ, 0, 0x9040, 0, 0, 9, 7, 3),
		     ERR(SA_ENGINE_ERR_MMU_FAULT));
	CHECK_EQ_INT(*(uint64_t *)h_ptr(h, page + 64), 5);
	CHECK_EQ_INT(h->msi_count, 1);
	h_destroy(h);
}

TEST(timing)
{
	struct harness *h = h_create(4, false);
	uint64_t root = h_context(h, 1);
	const uint32_t lens[] = {1, 64, 65, 4096, 100000};

	h_map_new(h, root, 0x100000, 200000, RW);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint64_t before = h_rd64(h, SA_REG_PERF(SA_PERF_CYCLES));

		CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_COPY, 0, 0x100000, 0x100000 + 100000, lens[i],
				       1, 1, 0, 0),
			     SA_ENGINE_DONE);
		CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_CYCLES)) - before,
			     16 + (lens[i] + 63) / 64);
	}
	h_destroy(h);
}

TEST(bus_errors_on_data)
{
	struct harness *h = h_create(4, false);
	uint64_t root = h_context(h, 1);

	/* A valid PTE pointing at a bus address the host does not back. */
	h_map(h, root, 0x4000, 0x100000000000ull, 4096, RW);
	h_map_new(h, root, 0x8000, 4096, RW);
	CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_COPY, 0, 0x4000, 0x8000, 16, 1, 1, 0, 0),
		     ERR(SA_ENGINE_ERR_BUS));
	CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_COPY, 0, 0x8000, 0x4000, 16, 1, 1, 0, 0),
		     ERR(SA_ENGINE_ERR_BUS));
	CHECK(h->dma_rejected >= 2);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FAULT_COUNT), 0); /* not an MMU fault */
	h_destroy(h);
}

TEST(registers_read_back)
{
	struct harness *h = h_create(4, false);
	const uint32_t b = SA_CP_DMA_BASE;
	static const uint32_t regs[] = {SA_CP_DMA_OP,	    SA_CP_DMA_FLAGS,  SA_CP_DMA_SRC_LO,
					SA_CP_DMA_SRC_HI,   SA_CP_DMA_DST_LO, SA_CP_DMA_DST_HI,
					SA_CP_DMA_LEN,	    SA_CP_DMA_CTX,    SA_CP_DMA_VALUE_LO,
					SA_CP_DMA_VALUE_HI, SA_CP_DMA_VECTOR};

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		h_cp_wr32(h, b + regs[i], 0x1000 + (uint32_t)i);
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		CHECK_EQ_INT(h_cp_rd32(h, b + regs[i]), 0x1000 + i);
	CHECK_EQ_INT(h_cp_rd32(h, b + SA_CP_DMA_STATUS), SA_ENGINE_IDLE);
	h_destroy(h);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(copies_through_the_mmu);
	RUN(largest_copy);
	RUN(dram_transfers_and_bounds);
	RUN(fences);
	RUN(timing);
	RUN(bus_errors_on_data);
	RUN(registers_read_back);
	CHECK_MAIN_END();
}
