// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The card MMU's page tables (docs/hardware.md section 6.2): three levels of
 * 4 KiB tables of 512 little-endian entries, built by the driver in
 * DMA-coherent memory.  Tables are allocated on first use and kept until the
 * address space is torn down; unmapping clears leaf entries only, so a
 * table the card may be walking is never freed under it.
 */
#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "sa_drv.h"

static_assert(PAGE_SIZE == SA_MMU_PAGE_SIZE);

#define SA_VA_LIMIT BIT_ULL(SA_MMU_VA_BITS)

static unsigned int sa_va_index(u64 va, int level)
{
	return (va >> (SA_MMU_PAGE_SHIFT + 9 * level)) & (SA_MMU_ENTRIES - 1);
}

static struct sa_pt *sa_pt_alloc(struct sa_vm *vm, bool leaf)
{
	struct device *dev = &vm->sdev->pdev->dev;
	struct sa_pt *pt;

	pt = kzalloc(sizeof(*pt), GFP_KERNEL_ACCOUNT);
	if (!pt)
		return NULL;
	if (!leaf) {
		pt->next = kcalloc(SA_MMU_ENTRIES, sizeof(*pt->next), GFP_KERNEL_ACCOUNT);
		if (!pt->next)
			goto err_free;
	}
	/* dma_alloc_coherent() returns zeroed memory: every entry not present. */
	pt->cpu = dma_alloc_coherent(dev, SA_MMU_PAGE_SIZE, &pt->dma, GFP_KERNEL);
	if (!pt->cpu)
		goto err_free;
	vm->tables++;
	return pt;

err_free:
	kfree(pt->next);
	kfree(pt);
	return NULL;
}

static void sa_pt_free(struct sa_vm *vm, struct sa_pt *pt, int level)
{
	unsigned int i;

	if (!pt)
		return;
	if (pt->next) {
		for (i = 0; i < SA_MMU_ENTRIES; i++)
			sa_pt_free(vm, pt->next[i], level - 1);
		kfree(pt->next);
	}
	dma_free_coherent(&vm->sdev->pdev->dev, SA_MMU_PAGE_SIZE, pt->cpu, pt->dma);
	kfree(pt);
	vm->tables--;
}

int sa_vm_init(struct sa_vm *vm, struct sa_device *sdev)
{
	vm->sdev = sdev;
	vm->tables = 0;
	vm->root = sa_pt_alloc(vm, false);
	return vm->root ? 0 : -ENOMEM;
}

void sa_vm_fini(struct sa_vm *vm)
{
	sa_pt_free(vm, vm->root, SA_MMU_LEVELS - 1);
	vm->root = NULL;
}

/* The leaf table covering va, allocating the tables on the way if asked. */
static struct sa_pt *sa_vm_leaf(struct sa_vm *vm, u64 va, bool alloc)
{
	struct sa_pt *pt = vm->root;
	int level;

	for (level = SA_MMU_LEVELS - 1; level > 0; level--) {
		unsigned int i = sa_va_index(va, level);
		struct sa_pt *next = pt->next[i];

		if (!next) {
			if (!alloc)
				return NULL;
			next = sa_pt_alloc(vm, level == 1);
			if (!next)
				return NULL;
			pt->next[i] = next;
			/* The lower table is zeroed before the card can see the pointer. */
			dma_wmb();
			WRITE_ONCE(pt->cpu[i], cpu_to_le64((next->dma & SA_PTE_ADDR_MASK) |
							   SA_PTE_VALID));
		}
		pt = next;
	}
	return pt;
}

static int sa_vm_set_pte(struct sa_vm *vm, u64 va, dma_addr_t dma, u64 prot)
{
	struct sa_pt *leaf = sa_vm_leaf(vm, va, true);

	if (!leaf)
		return -ENOMEM;
	WRITE_ONCE(leaf->cpu[sa_va_index(va, 0)],
		   cpu_to_le64((dma & SA_PTE_ADDR_MASK) | prot | SA_PTE_VALID));
	return 0;
}

void sa_vm_unmap(struct sa_vm *vm, u64 va, u64 size)
{
	u64 end = va + size;

	for (; va < end; va += SA_MMU_PAGE_SIZE) {
		struct sa_pt *leaf = sa_vm_leaf(vm, va, false);

		if (leaf)
			WRITE_ONCE(leaf->cpu[sa_va_index(va, 0)], 0);
	}
	dma_wmb();
}

static bool sa_vm_range_ok(u64 va, u64 size)
{
	return size && IS_ALIGNED(va | size, SA_MMU_PAGE_SIZE) && va < SA_VA_LIMIT &&
	       size <= SA_VA_LIMIT - va;
}

/* Maps size bytes at va to the DMA pages of sgt starting bo_offset bytes in. */
int sa_vm_map_sgt(struct sa_vm *vm, u64 va, struct sg_table *sgt, u64 bo_offset, u64 size,
		  u64 prot)
{
	struct sg_dma_page_iter iter;
	u64 mapped = 0;
	int ret;

	if (!sa_vm_range_ok(va, size) || !IS_ALIGNED(bo_offset, PAGE_SIZE))
		return -EINVAL;
	for_each_sgtable_dma_page(sgt, &iter, bo_offset >> PAGE_SHIFT) {
		if (mapped == size)
			break;
		ret = sa_vm_set_pte(vm, va + mapped, sg_page_iter_dma_address(&iter), prot);
		if (ret)
			goto err_unmap;
		mapped += SA_MMU_PAGE_SIZE;
	}
	if (mapped != size) {
		ret = -EINVAL;
		goto err_unmap;
	}
	dma_wmb();
	return 0;

err_unmap:
	sa_vm_unmap(vm, va, mapped);
	return ret;
}

/* Maps a contiguous DMA range (the driver's own memory, context 0). */
int sa_vm_map_dma(struct sa_vm *vm, u64 va, dma_addr_t dma, u64 size, u64 prot)
{
	u64 off;
	int ret;

	if (!sa_vm_range_ok(va, size))
		return -EINVAL;
	for (off = 0; off < size; off += SA_MMU_PAGE_SIZE) {
		ret = sa_vm_set_pte(vm, va + off, dma + off, prot);
		if (ret) {
			sa_vm_unmap(vm, va, off);
			return ret;
		}
	}
	dma_wmb();
	return 0;
}
