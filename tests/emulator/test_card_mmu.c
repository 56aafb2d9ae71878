// SPDX-License-Identifier: MIT
/*
 * The device MMU: three-level walks, permissions, every fault reason with
 * the record the driver and firmware read, "a faulting access writes
 * nothing", context isolation, the fault ring, and page tables that loop.
 * Accesses are made by the DMA engine between device VAs and CP DRAM.
 */
#include <string.h>

#include "../check.h"
#include "../../emulator/card_internal.h"
#include "card_harness.h"

#define DRAM_BUF (SA_CP_DRAM_BASE + 0x1000)
#define RW (SA_PTE_VALID | SA_PTE_READ | SA_PTE_WRITE)
#define RO (SA_PTE_VALID | SA_PTE_READ)
#define WO (SA_PTE_VALID | SA_PTE_WRITE)

static uint32_t read_va(struct harness *h, uint32_t ctx, uint64_t va, uint32_t len)
{
	return h_dma_run(h, SA_DMA_OP_TO_DRAM, 0, va, DRAM_BUF, len, ctx, 0, 0, 0);
}

static uint32_t write_va(struct harness *h, uint32_t ctx, uint64_t va, uint32_t len)
{
	return h_dma_run(h, SA_DMA_OP_FROM_DRAM, 0, DRAM_BUF, va, len, 0, ctx, 0, 0);
}

static uint8_t *dram(struct harness *h)
{
	uint8_t *p = NULL;

	sa_cp_dram_range(h->card, DRAM_BUF, 1, &p);
	return p;
}

#define FAULTED (SA_ENGINE_ERROR | SA_ENGINE_ERR_MMU_FAULT << 8)

/* Checks the newest fault record against what the access should have produced. */
static int last_fault_is(struct harness *h, uint32_t ctx, uint64_t va, unsigned int access,
			 unsigned int reason, unsigned int level)
{
	struct sa_hw_fault_record rec;
	uint32_t count = h_rd32(h, SA_REG_FAULT_COUNT);

	if (count == 0)
		return 0;
	h_fault_record(h, count - 1, &rec);
	if (rec.context != ctx || rec.address != va || rec.access != access ||
	    rec.reason != reason || rec.level != level || rec.sequence != count - 1 ||
	    rec.source != SA_FAULT_SRC_DMA) {
		fprintf(stderr,
			"  fault record: ctx %u va 0x%llx access %u reason %u level %u seq %u src "
			"%u\n",
			rec.context, (unsigned long long)rec.address, rec.access, rec.reason,
			rec.level, rec.sequence, rec.source);
		return 0;
	}
	/* The engine names the record, and both sides heard about it. */
	return h_cp_rd32(h, SA_CP_DMA_BASE + SA_CP_DMA_FAULT_SEQ) == count - 1 &&
	       (h_rd32(h, SA_REG_EVENT_CAUSE) & SA_EVENT_MMU_FAULT) &&
	       (h_cp_rd32(h, SA_CP_INTC_BASE + SA_CP_INTC_PENDING) & SA_CP_IRQ_MMU_FAULT);
}

TEST(walks_at_every_level)
{
	struct harness *h = h_create(4, false);
	uint64_t root = h_context(h, 1);
	static const uint64_t vas[] = {
		0x0, 0x1000, 0x200000, 0x3ff000, 0x40000000, 0x2345678000ull, (1ull << 39) - 0x1000,
	};
	uint32_t seed = 7;

	for (size_t i = 0; i < sizeof(vas) / sizeof(vas[0]); i++) {
		uint64_t bus = h_map_new(h, root, vas[i], 4096, RW);

		h_fill_random(h, bus, 4096, &seed);
		CHECK_EQ_INT(read_va(h, 1, vas[i], 4096), SA_ENGINE_DONE);
		CHECK(memcmp(dram(h), h_ptr(h, bus), 4096) == 0);
		/* And back: DRAM -> another offset of the same page. */
		memset(dram(h), 0xa5, 100);
		CHECK_EQ_INT(write_va(h, 1, vas[i] + 4000, 96), SA_ENGINE_DONE);
		CHECK(memcmp((uint8_t *)h_ptr(h, bus) + 4000, dram(h), 96) == 0);
	}
	CHECK_EQ_INT(h_rd32(h, SA_REG_FAULT_COUNT), 0);
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_MMU_WALKS)), 14);
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_DMA_OPS)), 14);
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_DMA_BYTES)), 7 * (4096 + 96));
	h_destroy(h);
}

TEST(scattered_pages_and_unaligned_ranges)
{
	struct harness *h = h_create(4, false);
	uint64_t root = h_context(h, 3);
	uint64_t pages[4];
	uint8_t expect[4 * 4096];
	uint32_t seed = 99;

	/* Four VA-contiguous pages backed by bus pages in reverse order, with gaps. */
	for (int i = 3; i >= 0; i--) {
		pages[i] = h_alloc(h, 4096);
		h_alloc(h, 4096);
	}
	for (int i = 0; i < 4; i++) {
		h_map(h, root, 0x7000000 + 4096 * i, pages[i], 4096, RW);
		h_fill_random(h, pages[i], 4096, &seed);
		memcpy(expect + 4096 * i, h_ptr(h, pages[i]), 4096);
	}
	CHECK_EQ_INT(read_va(h, 3, 0x7000000 + 123, 3 * 4096 + 7), SA_ENGINE_DONE);
	CHECK(memcmp(dram(h), expect + 123, 3 * 4096 + 7) == 0);
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_MMU_WALKS)), 4);
	/* Write across all four, unaligned at both ends. */
	for (int i = 0; i < 4 * 4096; i++)
		dram(h)[i] = (uint8_t)(i * 7);
	CHECK_EQ_INT(write_va(h, 3, 0x7000000 + 4095, 2 * 4096 + 2), SA_ENGINE_DONE);
	memcpy(expect + 4095, dram(h), 2 * 4096 + 2);
	for (int i = 0; i < 4; i++)
		CHECK(memcmp(h_ptr(h, pages[i]), expect + 4096 * i, 4096) == 0);
	/* Software bits in PTEs are ignored. */
	*h_pte(h, root, 0x7000000, 0) |= SA_PTE_SW_MASK;
	CHECK_EQ_INT(read_va(h, 3, 0x7000000, 16), SA_ENGINE_DONE);
	h_destroy(h);
}

TEST(permissions)
{
	struct harness *h = h_create(4, false);
	uint64_t root = h_context(h, 2);
	uint64_t ro = h_map_new(h, root, 0x10000, 4096, RO);
	uint64_t wo = h_map_new(h, root, 0x20000, 4096, WO);
	uint64_t before;

	memset(h_ptr(h, ro), 0x11, 4096);
	CHECK_EQ_INT(read_va(h, 2, 0x10000, 64), SA_ENGINE_DONE);
	CHECK_EQ_INT(dram(h)[63], 0x11);
	memset(dram(h), 0x22, 64);
	before = h->dma_write_bytes;
	CHECK_EQ_INT(write_va(h, 2, 0x10010, 64), FAULTED);
	CHECK(last_fault_is(h, 2, 0x10010, SA_ACCESS_WRITE, SA_FAULT_WRITE_PROTECT, 0));
	CHECK_EQ_INT(((uint8_t *)h_ptr(h, ro))[0x10], 0x11);
	CHECK_EQ_INT(h->dma_write_bytes, before);

	CHECK_EQ_INT(write_va(h, 2, 0x20000, 64), SA_ENGINE_DONE);
	CHECK_EQ_INT(((uint8_t *)h_ptr(h, wo))[0], 0x22);
	CHECK_EQ_INT(read_va(h, 2, 0x20008, 8), FAULTED);
	CHECK(last_fault_is(h, 2, 0x20008, SA_ACCESS_READ, SA_FAULT_READ_PROTECT, 0));
	CHECK_EQ_INT(h_rd32(h, SA_REG_FAULT_COUNT), 2);
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_MMU_FAULTS)), 2);
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_DMA_ERRORS)), 2);
	h_destroy(h);
}

TEST(fault_reasons)
{
	struct harness *h = h_create(4, false);
	uint64_t root = h_context(h, 5);
	uint64_t *pte;

	h_wr32(h, SA_REG_EVENT_ENABLE, SA_EVENT_MMU_FAULT);
	h_map_new(h, root, 0x400000, 4096, RW);

	/* Unmapped: the leaf is missing (level 0), or a whole top-level slot (level 2). */
	CHECK_EQ_INT(read_va(h, 5, 0x401000, 4), FAULTED);
	CHECK(last_fault_is(h, 5, 0x401000, SA_ACCESS_READ, SA_FAULT_NOT_PRESENT, 0));
	CHECK_EQ_INT(read_va(h, 5, 0x4000000000ull, 4), FAULTED);
	CHECK(last_fault_is(h, 5, 0x4000000000ull, SA_ACCESS_READ, SA_FAULT_NOT_PRESENT, 2));
	/* Outside the 39-bit space, or running off its end. */
	CHECK_EQ_INT(read_va(h, 5, 1ull << 39, 4), FAULTED);
	CHECK(last_fault_is(h, 5, 1ull << 39, SA_ACCESS_READ, SA_FAULT_ADDRESS_RANGE, 3));
	CHECK_EQ_INT(write_va(h, 5, 0xffff800000400000ull, 4), FAULTED);
	CHECK(last_fault_is(h, 5, 0xffff800000400000ull, SA_ACCESS_WRITE, SA_FAULT_ADDRESS_RANGE,
			    3));
	CHECK_EQ_INT(read_va(h, 5, (1ull << 39) - 8, 16), FAULTED);
	CHECK(last_fault_is(h, 5, (1ull << 39) - 8, SA_ACCESS_READ, SA_FAULT_ADDRESS_RANGE, 3));
	/* Malformed entries: reserved bits in a leaf, permissions on a table, a leaf without R/W.
	 */
	pte = h_pte(h, root, 0x400000, 0);
	*pte |= 1ull << 60;
	CHECK_EQ_INT(read_va(h, 5, 0x400000, 4), FAULTED);
	CHECK(last_fault_is(h, 5, 0x400000, SA_ACCESS_READ, SA_FAULT_BAD_PTE, 0));
	*pte &= ~(1ull << 60);
	*pte |= 0x8; /* bit 3 is reserved too */
	CHECK_EQ_INT(read_va(h, 5, 0x400000, 4), FAULTED);
	*pte &= ~0x8ull;
	*pte &= ~(SA_PTE_READ | SA_PTE_WRITE);
	CHECK_EQ_INT(read_va(h, 5, 0x400000, 4), FAULTED);
	CHECK(last_fault_is(h, 5, 0x400000, SA_ACCESS_READ, SA_FAULT_BAD_PTE, 0));
	*pte |= SA_PTE_READ | SA_PTE_WRITE;
	CHECK_EQ_INT(read_va(h, 5, 0x400000, 4), SA_ENGINE_DONE);
	*h_pte(h, root, 0x400000, 1) |= SA_PTE_READ;
	CHECK_EQ_INT(read_va(h, 5, 0x400000, 4), FAULTED);
	CHECK(last_fault_is(h, 5, 0x400000, SA_ACCESS_READ, SA_FAULT_BAD_PTE, 1));
	*h_pte(h, root, 0x400000, 1) &= ~SA_PTE_READ;
	/* A table pointer outside host memory: the walk's read fails on the bus. */
	*h_pte(h, root, 0x400000, 1) = 0x7000000000ull | SA_PTE_VALID;
	CHECK_EQ_INT(read_va(h, 5, 0x400000, 4), FAULTED);
	CHECK(last_fault_is(h, 5, 0x400000, SA_ACCESS_READ, SA_FAULT_BUS_ERROR, 0));
	struct sa_hw_fault_record rec;

	h_fault_record(h, h_rd32(h, SA_REG_FAULT_COUNT) - 1, &rec);
	CHECK_EQ_INT(rec.pte, 0x7000000000ull + 8 * 0); /* the entry address it tried */
	/* Contexts that are not valid, or do not exist. */
	CHECK_EQ_INT(read_va(h, 6, 0x400000, 4), FAULTED);
	CHECK(last_fault_is(h, 6, 0x400000, SA_ACCESS_READ, SA_FAULT_CONTEXT_INVALID, 3));
	CHECK_EQ_INT(read_va(h, 0xffff, 0x400000, 4), FAULTED);
	CHECK(last_fault_is(h, 0xffff, 0x400000, SA_ACCESS_READ, SA_FAULT_CONTEXT_INVALID, 3));
	h_cp_wr32(h, SA_CP_MMU_BASE + SA_CP_MMU_CTX_CTRL(5), 0);
	CHECK_EQ_INT(read_va(h, 5, 0x400000, 4), FAULTED);
	CHECK(last_fault_is(h, 5, 0x400000, SA_ACCESS_READ, SA_FAULT_CONTEXT_INVALID, 3));
	/* Vector 0 went out once: the driver had not cleared the cause in between. */
	CHECK_EQ_INT(h->msi_count, 1);
	h_destroy(h);
}

TEST(faulting_access_writes_nothing)
{
	struct harness *h = h_create(4, false);
	uint64_t root = h_context(h, 1);
	uint64_t a = h_map_new(h, root, 0x100000, 2 * 4096, RW);
	uint64_t before;

	h_map_new(h, root, 0x102000, 4096, RO);
	memset(dram(h), 0x77, 3 * 4096);
	before = h->dma_write_bytes;
	/* Two writable pages then a read-only one: the first two stay untouched. */
	CHECK_EQ_INT(write_va(h, 1, 0x100000, 3 * 4096), FAULTED);
	CHECK(last_fault_is(h, 1, 0x102000, SA_ACCESS_WRITE, SA_FAULT_WRITE_PROTECT, 0));
	CHECK_EQ_INT(h->dma_write_bytes, before);
	for (int i = 0; i < 2 * 4096; i++)
		CHECK_EQ_INT(((uint8_t *)h_ptr(h, a))[i], 0);
	/* Same for a copy between contexts whose destination runs into the read-only page. */
	uint64_t root2 = h_context(h, 2);
	uint64_t src = h_map_new(h, root2, 0x5000, 3 * 4096, RW);

	memset(h_ptr(h, src), 0x99, 3 * 4096);
	CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_COPY, 0, 0x5000, 0x101000, 2 * 4096, 2, 1, 0, 0),
		     FAULTED);
	CHECK(last_fault_is(h, 1, 0x102000, SA_ACCESS_WRITE, SA_FAULT_WRITE_PROTECT, 0));
	CHECK_EQ_INT(h->dma_write_bytes, before);
	/* ... and whose source runs into an unmapped page. */
	CHECK_EQ_INT(h_dma_run(h, SA_DMA_OP_COPY, 0, 0x5800, 0x100000, 3 * 4096, 2, 1, 0, 0),
		     FAULTED);
	struct sa_hw_fault_record rec;

	h_fault_record(h, h_rd32(h, SA_REG_FAULT_COUNT) - 1, &rec);
	CHECK_EQ_INT(rec.address, 0x8000);
	CHECK_EQ_INT(rec.context, 2);
	CHECK_EQ_INT(rec.access, SA_ACCESS_READ);
	CHECK_EQ_INT(rec.reason, SA_FAULT_NOT_PRESENT);
	CHECK_EQ_INT(h->dma_write_bytes, before);
	h_destroy(h);
}

TEST(contexts_are_isolated)
{
	struct harness *h = h_create(4, false);
	uint64_t r1 = h_context(h, 1), r2 = h_context(h, 2);
	uint64_t b1 = h_map_new(h, r1, 0x8000, 4096, RW);
	uint64_t b2 = h_map_new(h, r2, 0x8000, 4096, RW);

	memset(h_ptr(h, b1), 1, 4096);
	memset(h_ptr(h, b2), 2, 4096);
	CHECK_EQ_INT(read_va(h, 1, 0x8000, 4096), SA_ENGINE_DONE);
	CHECK_EQ_INT(dram(h)[4095], 1);
	CHECK_EQ_INT(read_va(h, 2, 0x8000, 4096), SA_ENGINE_DONE);
	CHECK_EQ_INT(dram(h)[4095], 2);
	/* Context 2 has nothing at context 1's other addresses. */
	h_map_new(h, r1, 0x9000, 4096, RW);
	CHECK_EQ_INT(read_va(h, 2, 0x9000, 4), FAULTED);
	CHECK(last_fault_is(h, 2, 0x9000, SA_ACCESS_READ, SA_FAULT_NOT_PRESENT, 0));
	/* Re-pointing a context's root changes what it sees (after invalidation). */
	h_cp_wr32(h, SA_CP_MMU_BASE + SA_CP_MMU_CTX_ROOT_LO(2), (uint32_t)r1);
	h_cp_wr32(h, SA_CP_MMU_BASE + SA_CP_MMU_INVALIDATE, 2);
	CHECK_EQ_INT(read_va(h, 2, 0x8000, 4096), SA_ENGINE_DONE);
	CHECK_EQ_INT(dram(h)[0], 1);
	h_destroy(h);
}

TEST(fault_ring_wraps)
{
	struct harness *h = h_create(4, false);
	struct sa_hw_fault_record rec;

	h_context(h, 9);
	for (uint32_t i = 0; i < 20; i++)
		CHECK_EQ_INT(read_va(h, 9, 0x1000ull * i, 4), FAULTED);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FAULT_COUNT), 20);
	CHECK_EQ_INT(h_cp_rd32(h, SA_CP_MMU_BASE + SA_CP_MMU_FAULT_COUNT), 20);
	for (uint32_t seq = 4; seq < 20; seq++) {
		h_fault_record(h, seq, &rec);
		CHECK_EQ_INT(rec.sequence, seq);
		CHECK_EQ_INT(rec.address, 0x1000ull * seq);
		/* The CP reads the same records. */
		uint32_t slot = seq % SA_HW_FAULT_RING_SIZE;

		CHECK_EQ_INT(h_cp_rd32(h, SA_CP_MMU_BASE + SA_CP_MMU_FAULT_RING + 32 * slot + 24),
			     seq);
		CHECK_EQ_INT(h_cp_rd32(h, SA_CP_MMU_BASE + SA_CP_MMU_FAULT_RING + 32 * slot),
			     (uint32_t)(0x1000ull * seq));
	}
	h_destroy(h);
}

TEST(page_table_loops_terminate)
{
	struct harness *h = h_create(4, false);
	uint64_t root = h_context(h, 4);
	uint64_t *slot0 = h_ptr(h, root);
	uint64_t reads;

	/* The root's first entry points at the root: every level is the same table. */
	*slot0 = root | SA_PTE_VALID;
	reads = h->dma_reads;
	CHECK_EQ_INT(read_va(h, 4, 0, 4), FAULTED); /* the "leaf" has no R/W */
	CHECK(last_fault_is(h, 4, 0, SA_ACCESS_READ, SA_FAULT_BAD_PTE, 0));
	CHECK_EQ_INT(h->dma_reads - reads, 3); /* exactly one entry per level */
	/* With R/W the self-reference is a table with permissions: rejected at the top. */
	*slot0 = root | RW;
	CHECK_EQ_INT(write_va(h, 4, 0, 4), FAULTED);
	CHECK(last_fault_is(h, 4, 0, SA_ACCESS_WRITE, SA_FAULT_BAD_PTE, 2));
	/* A two-table cycle root -> a -> root: the third level reads root as a leaf table. */
	uint64_t a = h_alloc(h, 4096);

	*slot0 = a | SA_PTE_VALID;
	((uint64_t *)h_ptr(h, a))[0] = root | SA_PTE_VALID;
	reads = h->dma_reads;
	CHECK_EQ_INT(read_va(h, 4, 0, 4), FAULTED);
	CHECK(last_fault_is(h, 4, 0, SA_ACCESS_READ, SA_FAULT_BAD_PTE, 0));
	CHECK_EQ_INT(h->dma_reads - reads, 3);
	/* A page table mapped as data is just memory: the driver's choice, and it works. */
	((uint64_t *)h_ptr(h, a))[1] = a | SA_PTE_VALID; /* VA 0x200000: leaf table = a */
	((uint64_t *)h_ptr(h, a))[5] = root | RO;	 /* VA 0x205000 -> the root page */
	CHECK_EQ_INT(read_va(h, 4, 0x205000, 8), SA_ENGINE_DONE);
	CHECK(memcmp(dram(h), slot0, 8) == 0);
	h_destroy(h);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(walks_at_every_level);
	RUN(scattered_pages_and_unaligned_ranges);
	RUN(permissions);
	RUN(fault_reasons);
	RUN(faulting_access_writes_nothing);
	RUN(contexts_are_isolated);
	RUN(fault_ring_wraps);
	RUN(page_table_loops_terminate);
	CHECK_MAIN_END();
}
