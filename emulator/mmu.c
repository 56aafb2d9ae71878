// SPDX-License-Identifier: MIT
/*
 * The device MMU: per-context three-level page tables in host memory, 4 KiB
 * pages, R/W permissions.  A failed translation is recorded in the fault
 * ring and reported; it never reaches memory (docs/hardware.md, section 6).
 *
 * The walk reads exactly SA_MMU_LEVELS entries, so page-table loops and
 * self-references cannot make it run longer.  Nothing is cached: every
 * transfer walks its pages afresh.
 */
#include <stdlib.h>
#include <string.h>

#include "card_internal.h"

#define VA_LIMIT (1ull << SA_MMU_VA_BITS)
#define LEVEL_NONE SA_MMU_LEVELS /* the fault happened before the walk */

struct walk_fault {
	uint8_t reason, level;
	uint64_t pte;
};

int sa_mmu_init(struct sa_card *card)
{
	card->mmu.xlate_a = calloc(SA_XLATE_MAX_PAGES, sizeof(uint64_t));
	card->mmu.xlate_b = calloc(SA_XLATE_MAX_PAGES, sizeof(uint64_t));
	return card->mmu.xlate_a && card->mmu.xlate_b ? 0 : -1;
}

void sa_mmu_fini(struct sa_card *card)
{
	free(card->mmu.xlate_a);
	free(card->mmu.xlate_b);
}

void sa_mmu_reset(struct sa_card *card)
{
	memset(card->mmu.ring, 0, sizeof(card->mmu.ring));
	card->mmu.fault_count = 0;
	sa_mmu_cp_reset(card);
}

void sa_mmu_cp_reset(struct sa_card *card)
{
	memset(card->mmu.ctx, 0, sizeof(card->mmu.ctx));
}

static void record_fault(struct sa_card *card, uint32_t ctx, uint64_t va, unsigned int access,
			 unsigned int source, const struct walk_fault *f, uint32_t *fault_seq)
{
	struct sa_hw_fault_record rec = {
		.address = va,
		.pte = f->pte,
		.context = (uint16_t)ctx,
		.access = (uint8_t)access,
		.reason = f->reason,
		.source = (uint8_t)source,
		.level = f->level,
		.sequence = card->mmu.fault_count,
	};

	card->mmu.ring[card->mmu.fault_count % SA_HW_FAULT_RING_SIZE] = rec;
	*fault_seq = card->mmu.fault_count;
	card->mmu.fault_count++;
	sa_perf_add(card, SA_PERF_MMU_FAULTS, 1);
	sa_irq_cp_raise(card, SA_CP_IRQ_MMU_FAULT);
	sa_irq_event(card, SA_EVENT_MMU_FAULT);
}

/* Walks one page of a valid context: 0 with *bus = the page, or -1 with *f filled. */
static int walk(struct sa_card *card, uint64_t root, uint64_t va, unsigned int access,
		uint64_t *bus, struct walk_fault *f)
{
	uint64_t table = root & SA_PTE_ADDR_MASK;

	sa_perf_add(card, SA_PERF_MMU_WALKS, 1);
	for (int level = SA_MMU_LEVELS - 1; level >= 0; level--) {
		unsigned int index = (va >> (SA_MMU_PAGE_SHIFT + 9 * level)) & (SA_MMU_ENTRIES - 1);
		uint64_t entry_addr = table + 8ull * index;
		uint8_t raw[8];
		uint64_t pte = 0;

		f->level = (uint8_t)level;
		if (sa_card_host_read(card, entry_addr, raw, sizeof(raw))) {
			f->reason = SA_FAULT_BUS_ERROR;
			f->pte = entry_addr;
			return -1;
		}
		for (int i = 7; i >= 0; i--)
			pte = pte << 8 | raw[i];
		f->pte = pte;
		if (!(pte & SA_PTE_VALID)) {
			f->reason = SA_FAULT_NOT_PRESENT;
			return -1;
		}
		if (pte & SA_PTE_RESERVED_MASK) {
			f->reason = SA_FAULT_BAD_PTE;
			return -1;
		}
		if (level > 0) {
			/* Table pointers carry no permissions: no large pages. */
			if (pte & (SA_PTE_READ | SA_PTE_WRITE)) {
				f->reason = SA_FAULT_BAD_PTE;
				return -1;
			}
			table = pte & SA_PTE_ADDR_MASK;
			continue;
		}
		if (!(pte & (SA_PTE_READ | SA_PTE_WRITE))) {
			f->reason = SA_FAULT_BAD_PTE;
			return -1;
		}
		if (access == SA_ACCESS_WRITE && !(pte & SA_PTE_WRITE)) {
			f->reason = SA_FAULT_WRITE_PROTECT;
			return -1;
		}
		if (access == SA_ACCESS_READ && !(pte & SA_PTE_READ)) {
			f->reason = SA_FAULT_READ_PROTECT;
			return -1;
		}
		*bus = pte & SA_PTE_ADDR_MASK;
	}
	return 0;
}

int sa_mmu_translate_range(struct sa_card *card, uint32_t ctx, uint64_t va, uint64_t len,
			   unsigned int access, unsigned int source, uint64_t *pages,
			   uint32_t *fault_seq)
{
	struct walk_fault f = {.level = LEVEL_NONE};
	uint64_t first, npages;

	if (len == 0)
		return 0;
	if (va >= VA_LIMIT || len > VA_LIMIT - va) {
		f.reason = SA_FAULT_ADDRESS_RANGE;
		record_fault(card, ctx, va, access, source, &f, fault_seq);
		return SA_ENGINE_ERR_MMU_FAULT;
	}
	if (ctx >= SA_HW_NUM_CONTEXTS || !(card->mmu.ctx[ctx].ctrl & SA_MMU_CTX_VALID)) {
		f.reason = SA_FAULT_CONTEXT_INVALID;
		record_fault(card, ctx, va, access, source, &f, fault_seq);
		return SA_ENGINE_ERR_MMU_FAULT;
	}
	first = va >> SA_MMU_PAGE_SHIFT;
	npages = ((va + len - 1) >> SA_MMU_PAGE_SHIFT) - first + 1;
	if (npages > SA_XLATE_MAX_PAGES)
		return SA_ENGINE_ERR_TOO_LARGE; /* callers bound len; never reached */
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t page_va = (first + i) << SA_MMU_PAGE_SHIFT;

		if (walk(card, card->mmu.ctx[ctx].root, page_va, access, &pages[i], &f)) {
			record_fault(card, ctx, i == 0 ? va : page_va, access, source, &f,
				     fault_seq);
			return SA_ENGINE_ERR_MMU_FAULT;
		}
	}
	return 0;
}

/*
 * Moves len bytes between buf and device VA va, one page piece at a time
 * through the bus addresses of its translated pages (write: buf to memory).
 */
static int copy_pages(struct sa_card *card, const uint64_t *pages, uint64_t va, uint8_t *buf,
		      size_t len, bool write)
{
	size_t offset = va & (SA_MMU_PAGE_SIZE - 1), done = 0;

	for (size_t i = 0; done < len; i++) {
		size_t n = SA_MMU_PAGE_SIZE - offset;

		if (n > len - done)
			n = len - done;
		if (write ? sa_card_host_write(card, pages[i] + offset, buf + done, n)
			  : sa_card_host_read(card, pages[i] + offset, buf + done, n))
			return SA_ENGINE_ERR_BUS;
		done += n;
		offset = 0;
	}
	return 0;
}

int sa_mmu_read_pages(struct sa_card *card, const uint64_t *pages, uint64_t va, void *buf,
		      size_t len)
{
	return copy_pages(card, pages, va, buf, len, false);
}

int sa_mmu_write_pages(struct sa_card *card, const uint64_t *pages, uint64_t va, const void *buf,
		       size_t len)
{
	/* Only read on this path: the const is dropped to share the loop. */
	return copy_pages(card, pages, va, (uint8_t *)buf, len, true);
}

int sa_mmu_read(struct sa_card *card, uint32_t ctx, uint64_t va, void *buf, size_t len,
		unsigned int source, uint32_t *fault_seq)
{
	int err = sa_mmu_translate_range(card, ctx, va, len, SA_ACCESS_READ, source,
					 card->mmu.xlate_a, fault_seq);

	return err ? err : sa_mmu_read_pages(card, card->mmu.xlate_a, va, buf, len);
}

int sa_mmu_write(struct sa_card *card, uint32_t ctx, uint64_t va, const void *buf, size_t len,
		 unsigned int source, uint32_t *fault_seq)
{
	/* Every page is translated before the first byte is written. */
	int err = sa_mmu_translate_range(card, ctx, va, len, SA_ACCESS_WRITE, source,
					 card->mmu.xlate_a, fault_seq);

	return err ? err : sa_mmu_write_pages(card, card->mmu.xlate_a, va, buf, len);
}

uint32_t sa_mmu_ring_read(const struct sa_card *card, uint32_t offset)
{
	uint32_t word;

	if (offset >= sizeof(card->mmu.ring) || offset % 4)
		return 0;
	memcpy(&word, (const uint8_t *)card->mmu.ring + offset, sizeof(word));
	return word;
}

uint32_t sa_mmu_cp_read(struct sa_card *card, uint32_t offset)
{
	if (offset < 16 * SA_HW_NUM_CONTEXTS) {
		const struct sa_mmu_ctx *c = &card->mmu.ctx[offset / 16];

		switch (offset % 16) {
		case 0: return (uint32_t)c->root;
		case 4: return (uint32_t)(c->root >> 32);
		case 8: return c->ctrl;
		default: return 0;
		}
	}
	if (offset == SA_CP_MMU_FAULT_COUNT)
		return card->mmu.fault_count;
	if (offset >= SA_CP_MMU_FAULT_RING)
		return sa_mmu_ring_read(card, offset - SA_CP_MMU_FAULT_RING);
	return 0;
}

void sa_mmu_cp_write(struct sa_card *card, uint32_t offset, uint32_t value)
{
	if (offset < 16 * SA_HW_NUM_CONTEXTS) {
		struct sa_mmu_ctx *c = &card->mmu.ctx[offset / 16];

		switch (offset % 16) {
		case 0: c->root = (c->root & ~0xffffffffull) | value; break;
		case 4: c->root = (c->root & 0xffffffffull) | (uint64_t)value << 32; break;
		case 8: c->ctrl = value & SA_MMU_CTX_VALID; break;
		default: break;
		}
	}
	/* SA_CP_MMU_INVALIDATE: this model caches no translations. */
}
