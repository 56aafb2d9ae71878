// SPDX-License-Identifier: MIT
/*
 * The card's register file as a driver first meets it: identity and
 * capabilities, reset values, BAR geometry, access sizes, the CP memory
 * windows, doorbell pages and the device reset register.
 */
#include <string.h>

#include "../check.h"
#include "../../emulator/card_internal.h"
#include "card_harness.h"

TEST(identity_and_capabilities)
{
	struct harness *h = h_create(16, false);

	CHECK_EQ_INT(h_rd32(h, SA_REG_ID), SA_HW_ID_MAGIC);
	CHECK_EQ_INT(h_rd32(h, SA_REG_ID), 0x54464853); /* "SHFT" */
	CHECK_EQ_INT(h_rd32(h, SA_REG_VERSION), 0x00010000);
	CHECK_EQ_INT(h_rd32(h, SA_REG_REVISION), SA_PCI_REVISION);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FEATURES), SA_FEAT_MMU | SA_FEAT_TENSOR_ENGINE | SA_FEAT_DMA |
							 SA_FEAT_WATCHDOG | SA_FEAT_INT16);
	CHECK_EQ_INT(h_rd32(h, SA_REG_NUM_QUEUES), 16);
	CHECK_EQ_INT(h_rd32(h, SA_REG_NUM_CONTEXTS), 256);
	CHECK_EQ_INT(h_rd32(h, SA_REG_MSIX_VECTORS), 9);
	CHECK_EQ_INT(h_rd32(h, SA_REG_QUEUE_VECTORS), 8);
	CHECK_EQ_INT(h_rd32(h, SA_REG_IRAM_SIZE), 128 * 1024);
	CHECK_EQ_INT(h_rd32(h, SA_REG_DRAM_SIZE), 128 * 1024);
	CHECK_EQ_INT(h_rd32(h, SA_REG_TE_ARRAY), 0x03e81010);
	CHECK_EQ_INT(h_rd32(h, SA_REG_TE_MAX_ACT_BYTES), 8 << 20);
	CHECK_EQ_INT(h_rd32(h, SA_REG_TE_MAX_WEIGHTS), 4 << 20);
	CHECK_EQ_INT(h_rd32(h, SA_REG_TE_MAX_CHANNELS), 65536);
	CHECK_EQ_INT(h_rd32(h, SA_REG_TE_MAX_MACS), 1 << 30);
	CHECK_EQ_INT(h_rd32(h, SA_REG_DMA_MAX_LEN), 16 << 20);
	CHECK_EQ_INT(h_rd32(h, SA_REG_MMU_GEOMETRY), 0x000c0327);
	CHECK_EQ_INT(h_rd32(h, SA_REG_DESC_SIZE), 256);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FAULT_RING_SIZE), 16);
	CHECK_EQ_INT(h_rd32(h, SA_REG_OPS), 0x7fe);
	/* The CP sees the same block in its SYS page. */
	for (uint32_t off = 0; off < SA_CAP_BLOCK_SIZE; off += 4)
		CHECK_EQ_INT(h_cp_rd32(h, SA_CP_SYS_BASE + off), h_rd32(h, off));
	h_destroy(h);

	h = h_create(3, true);
	CHECK(h_rd32(h, SA_REG_FEATURES) & SA_FEAT_FAULT_INJECT);
	CHECK_EQ_INT(h_rd32(h, SA_REG_NUM_QUEUES), 3);
	CHECK_EQ_INT(h_rd32(h, SA_REG_MSIX_VECTORS), 4);
	CHECK_EQ_INT(h_rd32(h, SA_REG_QUEUE_VECTORS), 3);
	h_destroy(h);
}

TEST(bar_geometry_and_vectors)
{
	static const struct {
		uint32_t queues;
		uint64_t bar2;
		unsigned int vectors;
	} cases[] = {
		{1, 4096, 2},	{2, 8192, 3},	 {3, 16384, 4},
		{16, 65536, 9}, {17, 131072, 9}, {64, 262144, 9},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct harness *h = h_create(cases[i].queues, false);

		CHECK_EQ_INT(sa_card_bar_size(h->card, SA_BAR_REGS), SA_BAR0_SIZE);
		CHECK_EQ_INT(sa_card_bar_size(h->card, SA_BAR_DOORBELL), cases[i].bar2);
		CHECK_EQ_INT(sa_card_bar_size(h->card, 1), 0);
		CHECK_EQ_INT(sa_card_bar_size(h->card, SA_BAR_MSIX), 0);
		CHECK_EQ_INT(sa_card_bar_size(h->card, 5), 0);
		CHECK_EQ_INT(sa_card_msix_vectors(h->card), cases[i].vectors);
		h_destroy(h);
	}
}

static int never_dma(void *opaque, uint64_t bus, void *buf, size_t len)
{
	(void)opaque;
	(void)bus;
	(void)buf;
	(void)len;
	return -1;
}

static int never_dma_write(void *opaque, uint64_t bus, const void *buf, size_t len)
{
	(void)opaque;
	(void)bus;
	(void)buf;
	(void)len;
	return -1;
}

static void ignore_msi(void *opaque, unsigned int vector)
{
	(void)opaque;
	(void)vector;
}

TEST(create_rejects_bad_configurations)
{
	struct sa_card_host_ops ops = {
		.dma_read = never_dma, .dma_write = never_dma_write, .msi_notify = ignore_msi};
	struct sa_card_config cfg = {.num_queues = 0};
	struct sa_card *card;

	CHECK(sa_card_create(&cfg, &ops) == NULL);
	cfg.num_queues = SA_HW_MAX_QUEUES + 1;
	CHECK(sa_card_create(&cfg, &ops) == NULL);
	cfg.num_queues = 4;
	ops.msi_notify = NULL;
	CHECK(sa_card_create(&cfg, &ops) == NULL);
	ops.msi_notify = ignore_msi;
	card = sa_card_create(&cfg, &ops); /* kick is optional */
	CHECK(card != NULL);
	sa_card_destroy(card);
	sa_card_destroy(NULL);
}

TEST(reset_values)
{
	struct harness *h = h_create(8, true);

	CHECK_EQ_INT(h_rd32(h, SA_REG_CP_CTRL), SA_CP_CTRL_RESET);
	CHECK_EQ_INT(h_rd32(h, SA_REG_CP_STATUS), SA_CP_STATUS_IN_RESET);
	CHECK_EQ_INT(h_rd32(h, SA_REG_CP_BOOT_ADDR), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_CP_FATAL), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_WDT_RESETS), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_HEARTBEAT), 0);
	CHECK_EQ_INT(h_rd64(h, SA_REG_HEARTBEAT_NS), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_MBOX_H2F_CTRL), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_MBOX_F2H_CTRL), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_EVENT_CAUSE), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_EVENT_ENABLE), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_INT_MASK), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_INT_PENDING), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FAULT_COUNT), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FI_ARM), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FI_FIRED), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_SCRATCH), 0);
	for (int i = 0; i < SA_PERF_SLOTS; i++)
		CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(i)), 0);
	/* CP side. */
	CHECK_EQ_INT(h_cp_rd32(h, SA_CP_TIMER_BASE + SA_CP_TIMER_MTIMECMP_LO), 0xffffffff);
	CHECK_EQ_INT(h_cp_rd32(h, SA_CP_TIMER_BASE + SA_CP_TIMER_MTIMECMP_HI), 0xffffffff);
	CHECK_EQ_INT(h_cp_rd32(h, SA_CP_WDT_BASE + SA_CP_WDT_CTRL), 0);
	CHECK_EQ_INT(h_cp_rd32(h, SA_CP_WDT_BASE + SA_CP_WDT_TIMEOUT_US), 1000000);
	CHECK_EQ_INT(h_cp_rd32(h, SA_CP_INTC_BASE + SA_CP_INTC_ENABLE), 0);
	CHECK_EQ_INT(h_cp_rd32(h, SA_CP_TE_BASE + SA_CP_TE_STATUS), SA_ENGINE_IDLE);
	CHECK_EQ_INT(h_cp_rd32(h, SA_CP_DMA_BASE + SA_CP_DMA_STATUS), SA_ENGINE_IDLE);
	for (uint32_t ctx = 0; ctx < SA_HW_NUM_CONTEXTS; ctx++)
		CHECK_EQ_INT(h_cp_rd32(h, SA_CP_MMU_BASE + SA_CP_MMU_CTX_CTRL(ctx)), 0);
	/* Nothing happens while the CP is held in reset. */
	CHECK(h_run(h, 100000));
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_CP_INSTRET)), 0);
	CHECK_EQ_INT(h->msi_count, 0);
	h_destroy(h);
}

TEST(access_sizes)
{
	struct harness *h = h_create(4, false);

	h_wr32(h, SA_REG_SCRATCH, 0x11223344);
	CHECK_EQ_INT(h_rd32(h, SA_REG_SCRATCH), 0x11223344);
	CHECK_EQ_INT(sa_card_mmio_read(h->card, 0, SA_REG_SCRATCH, 1), 0x44);
	CHECK_EQ_INT(sa_card_mmio_read(h->card, 0, SA_REG_SCRATCH + 1, 1), 0x33);
	CHECK_EQ_INT(sa_card_mmio_read(h->card, 0, SA_REG_SCRATCH + 2, 2), 0x1122);
	/* Sub-word writes to registers are ignored; misaligned accesses too. */
	sa_card_mmio_write(h->card, 0, SA_REG_SCRATCH, 0xff, 1);
	sa_card_mmio_write(h->card, 0, SA_REG_SCRATCH + 1, 0x55667788, 4);
	CHECK_EQ_INT(h_rd32(h, SA_REG_SCRATCH), 0x11223344);
	CHECK_EQ_INT(sa_card_mmio_read(h->card, 0, SA_REG_SCRATCH + 1, 4), 0);
	/* 8-byte accesses are two words, low first. */
	CHECK_EQ_INT(h_rd64(h, SA_REG_ID), (uint64_t)SA_HW_VERSION << 32 | SA_HW_ID_MAGIC);
	sa_card_mmio_write(h->card, 0, SA_REG_SCRATCH - 4, 0xaabbccdd00000000ull, 8);
	CHECK_EQ_INT(h_rd32(h, SA_REG_SCRATCH), 0xaabbccdd);
	/* Bad sizes and offsets outside the BAR do nothing. */
	CHECK_EQ_INT(sa_card_mmio_read(h->card, 0, SA_REG_SCRATCH, 3), 0);
	CHECK_EQ_INT(sa_card_mmio_read(h->card, 0, SA_BAR0_SIZE, 4), 0);
	CHECK_EQ_INT(sa_card_mmio_read(h->card, 0, SA_BAR0_SIZE - 2, 4), 0);
	CHECK_EQ_INT(sa_card_mmio_read(h->card, 0, UINT64_MAX - 1, 4), 0);
	CHECK_EQ_INT(sa_card_mmio_read(h->card, 1, 0, 4), 0);
	CHECK_EQ_INT(sa_card_mmio_read(h->card, 7, 0, 4), 0);
	sa_card_mmio_write(h->card, 0, UINT64_MAX - 3, 1, 4);
	sa_card_mmio_write(h->card, 4, 0, 1, 4);
	/* Unknown offsets read 0 and writes to them change nothing visible. */
	for (uint64_t off = 0x3000; off < 0x40000; off += 0x1004) {
		sa_card_mmio_write(h->card, 0, off, 0xffffffff, 4);
		CHECK_EQ_INT(h_rd32(h, off), 0);
	}
	CHECK_EQ_INT(h_rd32(h, SA_REG_SCRATCH), 0xaabbccdd);
	/* The fault-injection block is absent without the debug property. */
	h_wr32(h, SA_REG_FI_ARM, SA_FI_ALL);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FI_ARM), 0);
	h_destroy(h);
}

TEST(cp_memory_windows)
{
	struct harness *h = h_create(4, false);
	uint32_t v;

	/* IRAM: writable while the CP is held in reset, any size. */
	h_wr32(h, SA_REG_IRAM_WINDOW + 0x100, 0xdeadbeef);
	sa_card_mmio_write(h->card, 0, SA_REG_IRAM_WINDOW + 0x104, 0x0102030405060708ull, 8);
	sa_card_mmio_write(h->card, 0, SA_REG_IRAM_WINDOW + 0x10d, 0xab, 1);
	CHECK_EQ_INT(sa_card_cp_load(h->card, 0x100, 4, &v), 0);
	CHECK_EQ_INT(v, 0xdeadbeef);
	CHECK_EQ_INT(sa_card_cp_load(h->card, 0x104, 4, &v), 0);
	CHECK_EQ_INT(v, 0x05060708);
	CHECK_EQ_INT(sa_card_mmio_read(h->card, 0, SA_REG_IRAM_WINDOW + 0x10d, 1), 0xab);
	/* Past the end of IRAM the window reads 0 and ignores writes. */
	h_wr32(h, SA_REG_IRAM_WINDOW + SA_CP_IRAM_SIZE, 0x12345678);
	CHECK_EQ_INT(h_rd32(h, SA_REG_IRAM_WINDOW + SA_CP_IRAM_SIZE), 0);
	CHECK_EQ_INT(sa_card_mmio_read(h->card, 0, SA_REG_IRAM_WINDOW + SA_CP_IRAM_SIZE - 2, 4), 0);
	/* DRAM, both ways. */
	h_wr32(h, SA_REG_DRAM_WINDOW + 8, 0xcafef00d);
	CHECK_EQ_INT(sa_card_cp_load(h->card, SA_CP_DRAM_BASE + 8, 4, &v), 0);
	CHECK_EQ_INT(v, 0xcafef00d);
	CHECK_EQ_INT(sa_card_cp_store(h->card, SA_CP_DRAM_BASE + 12, 2, 0xbeef), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_DRAM_WINDOW + 12), 0xbeef);

	/* Once the CP runs, IRAM is read-only from the host; DRAM is not. */
	h_wr32(h, SA_REG_IRAM_WINDOW, 0x0000006f); /* j . */
	h_wr32(h, SA_REG_CP_CTRL, 0);
	CHECK(h_rd32(h, SA_REG_CP_STATUS) & SA_CP_STATUS_RUNNING);
	h_wr32(h, SA_REG_IRAM_WINDOW + 0x100, 0x11111111);
	CHECK_EQ_INT(h_rd32(h, SA_REG_IRAM_WINDOW + 0x100), 0xdeadbeef);
	h_wr32(h, SA_REG_DRAM_WINDOW + 8, 0x22222222);
	CHECK_EQ_INT(h_rd32(h, SA_REG_DRAM_WINDOW + 8), 0x22222222);
	h_destroy(h);
}

TEST(cp_bus_faults)
{
	struct harness *h = h_create(4, false);
	uint32_t v;

	/* Unmapped addresses, bytes on peripherals, misaligned words: access faults. */
	CHECK_EQ_INT(sa_card_cp_load(h->card, SA_CP_IRAM_SIZE, 4, &v), -1);
	CHECK_EQ_INT(sa_card_cp_load(h->card, SA_CP_IRAM_SIZE - 2, 4, &v), -1);
	CHECK_EQ_INT(sa_card_cp_load(h->card, SA_CP_DRAM_BASE + SA_CP_DRAM_SIZE, 1, &v), -1);
	CHECK_EQ_INT(sa_card_cp_load(h->card, SA_CP_MMIO_END, 4, &v), -1);
	CHECK_EQ_INT(sa_card_cp_load(h->card, 0xfffffffc, 4, &v), -1);
	CHECK_EQ_INT(sa_card_cp_load(h->card, SA_CP_SYS_BASE, 1, &v), -1);
	CHECK_EQ_INT(sa_card_cp_store(h->card, SA_CP_SYS_BASE + SA_CP_SYS_SCRATCH + 2, 4, 1), -1);
	CHECK_EQ_INT(sa_card_cp_store(h->card, SA_CP_SYS_BASE + SA_CP_SYS_SCRATCH, 2, 1), -1);
	/* The TE command window takes bytes and halfwords. */
	CHECK_EQ_INT(sa_card_cp_store(h->card, SA_CP_TE_BASE + SA_CP_TE_CMD + 1, 1, 0x5a), 0);
	CHECK_EQ_INT(sa_card_cp_store(h->card, SA_CP_TE_BASE + SA_CP_TE_CMD + 2, 2, 0x1234), 0);
	CHECK_EQ_INT(sa_card_cp_load(h->card, SA_CP_TE_BASE + SA_CP_TE_CMD, 4, &v), 0);
	CHECK_EQ_INT(v, 0x12345a00);
	/* Unknown offsets inside a peripheral read 0. */
	CHECK_EQ_INT(sa_card_cp_load(h->card, SA_CP_DMA_BASE + 0x800, 4, &v), 0);
	CHECK_EQ_INT(v, 0);
	h_destroy(h);
}

TEST(doorbells)
{
	struct harness *h = h_create(3, false);
	const uint32_t db = SA_CP_DB_BASE;

	h_doorbell(h, 0, 5);
	h_doorbell(h, 2, 0xfffffff0);
	CHECK_EQ_INT(h_cp_rd32(h, db + SA_CP_DB_TAIL(0)), 5);
	CHECK_EQ_INT(h_cp_rd32(h, db + SA_CP_DB_TAIL(2)), 0xfffffff0);
	CHECK_EQ_INT(h_cp_rd32(h, db + SA_CP_DB_PENDING_LO), 0x5);
	CHECK_EQ_INT(sa_card_mmio_read(h->card, SA_BAR_DOORBELL, 2 * 4096, 4), 0xfffffff0);
	CHECK(h_cp_rd32(h, SA_CP_INTC_BASE + SA_CP_INTC_PENDING) & SA_CP_IRQ_DOORBELL);
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_DOORBELLS)), 2);
	CHECK(h->kicks >= 2);
	/* The firmware acknowledges per queue. */
	h_cp_wr32(h, db + SA_CP_DB_PENDING_LO, 0x1);
	CHECK_EQ_INT(h_cp_rd32(h, db + SA_CP_DB_PENDING_LO), 0x4);

	/* Page 3 exists in the 16 KiB BAR but belongs to no queue; other offsets do nothing. */
	h_doorbell(h, 3, 7);
	sa_card_mmio_write(h->card, SA_BAR_DOORBELL, 1 * 4096 + 8, 9, 4);
	sa_card_mmio_write(h->card, SA_BAR_DOORBELL, 1 * 4096, 9, 2);
	sa_card_mmio_write(h->card, SA_BAR_DOORBELL, 16384, 9, 4);
	sa_card_mmio_write(h->card, SA_BAR_DOORBELL, UINT64_MAX & ~4095ull, 9, 4);
	CHECK_EQ_INT(sa_card_mmio_read(h->card, SA_BAR_DOORBELL, 3 * 4096, 4), 0);
	CHECK_EQ_INT(h_cp_rd32(h, db + SA_CP_DB_TAIL(1)), 0);
	CHECK_EQ_INT(h_cp_rd32(h, db + SA_CP_DB_TAIL(3)), 0);
	CHECK_EQ_INT(h_cp_rd32(h, db + SA_CP_DB_PENDING_LO), 0x4);
	CHECK_EQ_INT(h_cp_rd32(h, db + SA_CP_DB_PENDING_HI), 0);
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_DOORBELLS)), 2);
	/* An 8-byte write stores its low word. */
	sa_card_mmio_write(h->card, SA_BAR_DOORBELL, 4096, 0x100000011ull, 8);
	CHECK_EQ_INT(h_cp_rd32(h, db + SA_CP_DB_TAIL(1)), 0x11);
	h_destroy(h);

	/* All 64 queues: the high pending word. */
	h = h_create(64, false);
	h_doorbell(h, 63, 1);
	h_doorbell(h, 32, 1);
	CHECK_EQ_INT(h_cp_rd32(h, db + SA_CP_DB_PENDING_HI), 0x80000001);
	h_destroy(h);
}

TEST(device_reset_register)
{
	struct harness *h = h_create(4, true);

	h_wr32(h, SA_REG_SCRATCH, 1234);
	h_wr32(h, SA_REG_EVENT_ENABLE, SA_EVENT_ALL);
	h_wr32(h, SA_REG_DRAM_WINDOW, 77);
	h_doorbell(h, 1, 9);
	h_wr32(h, SA_REG_FI_ARM, SA_FI_FAIL_NEXT_DMA);
	h_wr32(h, SA_REG_DEVICE_RESET, 0x12345678); /* wrong magic: nothing */
	CHECK_EQ_INT(h_rd32(h, SA_REG_SCRATCH), 1234);
	h_wr32(h, SA_REG_DEVICE_RESET, SA_HW_RESET_MAGIC);
	CHECK_EQ_INT(h_rd32(h, SA_REG_SCRATCH), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_EVENT_ENABLE), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_DRAM_WINDOW), 0);
	CHECK_EQ_INT(sa_card_mmio_read(h->card, SA_BAR_DOORBELL, 4096, 4), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FI_ARM), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_CP_STATUS), SA_CP_STATUS_IN_RESET);
	CHECK_EQ_INT(h_rd32(h, SA_REG_ID), SA_HW_ID_MAGIC);
	h_destroy(h);
}

TEST(layouts)
{
	/* The ABI's offsets, as docs/hardware.md lists them. */
	CHECK_EQ_INT(offsetof(struct sa_hw_desc, fence_addr), 8);
	CHECK_EQ_INT(offsetof(struct sa_hw_desc, fence_value), 16);
	CHECK_EQ_INT(offsetof(struct sa_hw_desc, u), 24);
	CHECK_EQ_INT(offsetof(struct sa_hw_layer, in_b), 24);
	CHECK_EQ_INT(offsetof(struct sa_hw_layer, out), 48);
	CHECK_EQ_INT(offsetof(struct sa_hw_layer, weights), 72);
	CHECK_EQ_INT(offsetof(struct sa_hw_layer, bias), 80);
	CHECK_EQ_INT(offsetof(struct sa_hw_layer, params), 88);
	CHECK_EQ_INT(offsetof(struct sa_hw_te_cmd, layer), 8);
	CHECK_EQ_INT(offsetof(struct sa_hw_tensor, dtype), 20);
	CHECK_EQ_INT(offsetof(struct sa_hw_fault_record, context), 16);
	CHECK_EQ_INT(offsetof(struct sa_hw_fault_record, sequence), 24);
	CHECK_EQ_INT(offsetof(struct sa_hw_queue_status, error_addr), 24);
	CHECK_EQ_INT(sizeof(struct sa_hw_mbox_msg), 64);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(identity_and_capabilities);
	RUN(bar_geometry_and_vectors);
	RUN(create_rejects_bad_configurations);
	RUN(reset_values);
	RUN(access_sizes);
	RUN(cp_memory_windows);
	RUN(cp_bus_faults);
	RUN(doorbells);
	RUN(device_reset_register);
	RUN(layouts);
	CHECK_MAIN_END();
}
