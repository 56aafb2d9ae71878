// SPDX-License-Identifier: MIT
/*
 * Host side of the card model for unit tests: fake host memory with bounds,
 * MSI recording, page-table building, CP program loading.
 */
#include "card_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../emulator/card_internal.h"

static void die(const char *what)
{
	fprintf(stderr, "card harness: %s\n", what);
	abort();
}

static bool in_mem(uint64_t bus, size_t len)
{
	return bus >= H_MEM_BASE && bus - H_MEM_BASE <= H_MEM_SIZE &&
	       len <= H_MEM_SIZE - (bus - H_MEM_BASE);
}

static int fake_dma_read(void *opaque, uint64_t bus, void *buf, size_t len)
{
	struct harness *h = opaque;

	h->dma_reads++;
	if (len > h->max_dma_len)
		h->max_dma_len = len;
	if (!in_mem(bus, len)) {
		h->dma_rejected++;
		return -1;
	}
	memcpy(buf, h->mem + (bus - H_MEM_BASE), len);
	return 0;
}

static int fake_dma_write(void *opaque, uint64_t bus, const void *buf, size_t len)
{
	struct harness *h = opaque;

	if (len > h->max_dma_len)
		h->max_dma_len = len;
	if (!in_mem(bus, len)) {
		h->dma_rejected++;
		return -1;
	}
	memcpy(h->mem + (bus - H_MEM_BASE), buf, len);
	h->dma_write_bytes += len;
	return 0;
}

static void fake_msi(void *opaque, unsigned int vector)
{
	struct harness *h = opaque;

	if (h->msi_count < H_MAX_MSI) {
		h->msi_log[h->msi_count] = vector;
		if (h->watch_bus)
			memcpy(&h->watch_at_msi[h->msi_count], h_ptr(h, h->watch_bus), 8);
	}
	h->msi_count++;
}

static void fake_kick(void *opaque)
{
	struct harness *h = opaque;

	h->kicks++;
}

struct harness *h_create(uint32_t num_queues, bool debug)
{
	struct harness *h = calloc(1, sizeof(*h));
	struct sa_card_config cfg = {.num_queues = num_queues, .debug = debug};
	struct sa_card_host_ops ops = {
		.dma_read = fake_dma_read,
		.dma_write = fake_dma_write,
		.msi_notify = fake_msi,
		.kick = fake_kick,
	};

	if (!h)
		die("out of memory");
	h->mem = calloc(1, H_MEM_SIZE);
	if (!h->mem)
		die("out of memory");
	h->next_free = H_MEM_BASE;
	ops.opaque = h;
	h->card = sa_card_create(&cfg, &ops);
	if (!h->card)
		die("sa_card_create failed");
	return h;
}

void h_destroy(struct harness *h)
{
	if (!h)
		return;
	sa_card_destroy(h->card);
	free(h->mem);
	free(h);
}

uint32_t h_rd32(struct harness *h, uint64_t offset)
{
	return (uint32_t)sa_card_mmio_read(h->card, SA_BAR_REGS, offset, 4);
}

void h_wr32(struct harness *h, uint64_t offset, uint32_t value)
{
	sa_card_mmio_write(h->card, SA_BAR_REGS, offset, value, 4);
}

uint64_t h_rd64(struct harness *h, uint64_t offset)
{
	return sa_card_mmio_read(h->card, SA_BAR_REGS, offset, 8);
}

void h_doorbell(struct harness *h, uint32_t queue, uint32_t tail)
{
	sa_card_mmio_write(h->card, SA_BAR_DOORBELL,
			   (uint64_t)queue * SA_DOORBELL_PAGE_SIZE + SA_DOORBELL_TAIL, tail, 4);
}

uint32_t h_cp_rd32(struct harness *h, uint32_t addr)
{
	uint32_t v;

	if (sa_card_cp_load(h->card, addr, 4, &v))
		die("CP-bus load faulted");
	return v;
}

void h_cp_wr32(struct harness *h, uint32_t addr, uint32_t value)
{
	if (sa_card_cp_store(h->card, addr, 4, value))
		die("CP-bus store faulted");
}

uint64_t h_alloc(struct harness *h, uint64_t size)
{
	uint64_t bus = h->next_free;
	uint64_t pages = (size + SA_MMU_PAGE_SIZE - 1) / SA_MMU_PAGE_SIZE;

	if (pages == 0)
		pages = 1;
	if (pages * SA_MMU_PAGE_SIZE > H_MEM_SIZE - (bus - H_MEM_BASE))
		die("fake host memory is full");
	h->next_free += pages * SA_MMU_PAGE_SIZE;
	memset(h->mem + (bus - H_MEM_BASE), 0, pages * SA_MMU_PAGE_SIZE);
	return bus;
}

void *h_ptr(struct harness *h, uint64_t bus)
{
	if (!in_mem(bus, 1))
		die("h_ptr outside the fake memory");
	return h->mem + (bus - H_MEM_BASE);
}

uint32_t h_rand(uint32_t *seed)
{
	/* xorshift32: deterministic per seed, so failures reproduce. */
	uint32_t x = *seed;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*seed = x;
	return x;
}

void h_fill_random(struct harness *h, uint64_t bus, size_t len, uint32_t *seed)
{
	uint8_t *p = h_ptr(h, bus);

	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)h_rand(seed);
}

static uint64_t *table_entry(struct harness *h, uint64_t table, unsigned int index)
{
	return (uint64_t *)h_ptr(h, table) + index;
}

uint64_t *h_pte(struct harness *h, uint64_t root, uint64_t va, int level)
{
	uint64_t table = root;

	for (int l = SA_MMU_LEVELS - 1;; l--) {
		unsigned int index = (va >> (SA_MMU_PAGE_SHIFT + 9 * l)) & (SA_MMU_ENTRIES - 1);
		uint64_t *e = table_entry(h, table, index);

		if (l == level)
			return e;
		if (!(*e & SA_PTE_VALID))
			*e = h_alloc(h, SA_MMU_PAGE_SIZE) | SA_PTE_VALID;
		table = *e & SA_PTE_ADDR_MASK;
	}
}

uint64_t h_context(struct harness *h, uint32_t ctx)
{
	uint64_t root = h_alloc(h, SA_MMU_PAGE_SIZE);

	h_cp_wr32(h, SA_CP_MMU_BASE + SA_CP_MMU_CTX_ROOT_LO(ctx), (uint32_t)root);
	h_cp_wr32(h, SA_CP_MMU_BASE + SA_CP_MMU_CTX_ROOT_HI(ctx), (uint32_t)(root >> 32));
	h_cp_wr32(h, SA_CP_MMU_BASE + SA_CP_MMU_CTX_CTRL(ctx), SA_MMU_CTX_VALID);
	return root;
}

void h_map(struct harness *h, uint64_t root, uint64_t va, uint64_t bus, uint64_t len,
	   uint64_t perms)
{
	for (uint64_t off = 0; off < len; off += SA_MMU_PAGE_SIZE)
		*h_pte(h, root, va + off, 0) = ((bus + off) & SA_PTE_ADDR_MASK) | perms;
}

uint64_t h_map_new(struct harness *h, uint64_t root, uint64_t va, uint64_t len, uint64_t perms)
{
	uint64_t offset = va & (SA_MMU_PAGE_SIZE - 1);
	uint64_t bus = h_alloc(h, len + offset);

	h_map(h, root, va - offset, bus, len + offset, perms);
	return bus + offset;
}

void h_set_time(struct harness *h, uint64_t now_ns)
{
	h->now_ns = now_ns;
	sa_card_set_time(h->card, now_ns);
}

bool h_run(struct harness *h, uint64_t max_instructions)
{
	uint64_t left = max_instructions;

	while (left > 0) {
		uint64_t slice = left < 10000 ? left : 10000;

		if (!sa_card_run(h->card, slice))
			return true;
		left -= slice;
	}
	return false;
}

int h_load_program(struct harness *h, const char *name)
{
	const char *dir = getenv("SA_BUILD");
	char path[512];
	FILE *f;
	long size;
	uint8_t *buf;

	snprintf(path, sizeof(path), "%s/cptests/%s.bin", dir ? dir : "build", name);
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "  cannot open CP program %s (set SA_BUILD)\n", path);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (size <= 0 || size > SA_CP_IRAM_SIZE) {
		fclose(f);
		return -1;
	}
	buf = malloc((size_t)size + 4);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	memset(buf + size, 0, 4);
	/* The driver's way: CP held in reset, code through the IRAM window, release. */
	h_wr32(h, SA_REG_CP_CTRL, SA_CP_CTRL_RESET);
	for (long i = 0; i < size; i += 4) {
		uint32_t w = (uint32_t)buf[i] | (uint32_t)buf[i + 1] << 8 |
			     (uint32_t)buf[i + 2] << 16 | (uint32_t)buf[i + 3] << 24;

		h_wr32(h, SA_REG_IRAM_WINDOW + (uint64_t)i, w);
	}
	free(buf);
	h_wr32(h, SA_REG_CP_BOOT_ADDR, 0);
	h_wr32(h, SA_REG_CP_CTRL, 0);
	return 0;
}

void h_mbox_send(struct harness *h, const uint32_t *words, unsigned int n)
{
	for (unsigned int i = 0; i < n && i < SA_MBOX_WORDS; i++)
		h_wr32(h, SA_REG_MBOX_H2F_DATA + 4 * i, words[i]);
	h_wr32(h, SA_REG_MBOX_H2F_CTRL, SA_MBOX_CTRL_SEND);
}

bool h_mbox_recv(struct harness *h, uint32_t *words, uint64_t max_instructions)
{
	uint64_t left = max_instructions;

	while (!(h_rd32(h, SA_REG_MBOX_F2H_CTRL) & SA_MBOX_STATUS_FULL)) {
		uint64_t slice = left < 10000 ? left : 10000;
		bool busy;

		if (left == 0)
			return false;
		busy = sa_card_run(h->card, slice);
		left -= slice;
		if (!busy && !(h_rd32(h, SA_REG_MBOX_F2H_CTRL) & SA_MBOX_STATUS_FULL))
			return false; /* idle and no reply: it will never come */
	}
	for (unsigned int i = 0; i < SA_MBOX_WORDS; i++)
		words[i] = h_rd32(h, SA_REG_MBOX_F2H_DATA + 4 * i);
	h_wr32(h, SA_REG_EVENT_CAUSE, SA_EVENT_MBOX_F2H);
	h_wr32(h, SA_REG_MBOX_F2H_CTRL, SA_MBOX_CTRL_ACK);
	return true;
}

void h_te_start(struct harness *h, const struct sa_hw_te_cmd *cmd)
{
	uint32_t words[sizeof(*cmd) / 4];

	memcpy(words, cmd, sizeof(words));
	for (unsigned int i = 0; i < sizeof(*cmd) / 4; i++)
		h_cp_wr32(h, SA_CP_TE_BASE + SA_CP_TE_CMD + 4 * i, words[i]);
	h_cp_wr32(h, SA_CP_TE_BASE + SA_CP_TE_CTRL, SA_ENGINE_CTRL_START);
}

/* Runs the card until an engine's status register leaves BUSY (bounded). */
static uint32_t run_until_done(struct harness *h, uint32_t status_addr)
{
	uint32_t status = h_cp_rd32(h, status_addr);

	/* 2^36 cycles is a minute of modelled time; no test op comes close. */
	for (uint64_t n = 0; SA_ENGINE_STATE(status) == SA_ENGINE_BUSY && n < (1ull << 36);
	     n += 1u << 20) {
		sa_card_run(h->card, 1u << 20);
		status = h_cp_rd32(h, status_addr);
	}
	return status;
}

uint32_t h_te_run(struct harness *h, const struct sa_hw_te_cmd *cmd)
{
	h_te_start(h, cmd);
	return run_until_done(h, SA_CP_TE_BASE + SA_CP_TE_STATUS);
}

uint32_t h_dma_run(struct harness *h, uint32_t op, uint32_t flags, uint64_t src, uint64_t dst,
		   uint32_t len, uint32_t src_ctx, uint32_t dst_ctx, uint64_t value,
		   uint32_t vector)
{
	const uint32_t b = SA_CP_DMA_BASE;

	h_cp_wr32(h, b + SA_CP_DMA_OP, op);
	h_cp_wr32(h, b + SA_CP_DMA_FLAGS, flags);
	h_cp_wr32(h, b + SA_CP_DMA_SRC_LO, (uint32_t)src);
	h_cp_wr32(h, b + SA_CP_DMA_SRC_HI, (uint32_t)(src >> 32));
	h_cp_wr32(h, b + SA_CP_DMA_DST_LO, (uint32_t)dst);
	h_cp_wr32(h, b + SA_CP_DMA_DST_HI, (uint32_t)(dst >> 32));
	h_cp_wr32(h, b + SA_CP_DMA_LEN, len);
	h_cp_wr32(h, b + SA_CP_DMA_CTX, src_ctx | dst_ctx << 16);
	h_cp_wr32(h, b + SA_CP_DMA_VALUE_LO, (uint32_t)value);
	h_cp_wr32(h, b + SA_CP_DMA_VALUE_HI, (uint32_t)(value >> 32));
	h_cp_wr32(h, b + SA_CP_DMA_VECTOR, vector);
	h_cp_wr32(h, b + SA_CP_DMA_CTRL, SA_ENGINE_CTRL_START);
	return run_until_done(h, b + SA_CP_DMA_STATUS);
}

void h_fault_record(struct harness *h, uint32_t seq, struct sa_hw_fault_record *rec)
{
	uint32_t words[sizeof(*rec) / 4] = {0};
	uint64_t base = SA_REG_FAULT_RING + (uint64_t)(seq % SA_HW_FAULT_RING_SIZE) * sizeof(*rec);

	for (unsigned int i = 0; i < sizeof(*rec) / 4; i++)
		words[i] = h_rd32(h, base + 4 * i);
	memcpy(rec, words, sizeof(*rec));
}
