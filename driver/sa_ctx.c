// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Per-file contexts: each open file gets its own MMU context (1..255) with
 * its own page tables, so the card can only reach buffer objects that file
 * mapped.  VM_MAP/VM_UNMAP place BO ranges at device VAs of that context.
 */
#include <linux/dma-mapping.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>

#include "sa_drv.h"

static_assert(SA_HW_MAX_QUEUES * sizeof(struct sa_hw_queue_status) <= PAGE_SIZE);

int sa_ctx_open(struct sa_device *sdev, struct drm_file *file)
{
	struct sa_ctx *ctx;
	unsigned long id;
	int ret;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->sdev = sdev;
	mutex_init(&ctx->lock);
	xa_init(&ctx->queues);
	drm_mm_init(&ctx->mm, SHIFTACCEL_VA_USER_START,
		    SHIFTACCEL_VA_USER_END - SHIFTACCEL_VA_USER_START);
	ret = sa_vm_init(&ctx->vm, sdev);
	if (ret)
		goto err_free;
	/* The firmware writes this context's queue status blocks here. */
	ctx->status = dma_alloc_coherent(sdev->drm.dev, PAGE_SIZE, &ctx->status_dma, GFP_KERNEL);
	if (!ctx->status) {
		ret = -ENOMEM;
		goto err_vm;
	}
	ret = sa_vm_map_dma(&ctx->vm, SA_STATUS_VA, ctx->status_dma, PAGE_SIZE,
			    SA_PTE_READ | SA_PTE_WRITE);
	if (ret)
		goto err_status;

	mutex_lock(&sdev->lock);
	id = find_next_zero_bit(sdev->ctx_ids, sdev->num_contexts, 1);
	if (id >= sdev->num_contexts) {
		drm_dbg(&sdev->drm, "all %u MMU contexts are in use\n", sdev->num_contexts - 1);
		ret = -ENOSPC;
		goto err_unlock;
	}
	ctx->id = id;
	if (sdev->state == SA_DEV_READY) {
		ret = sa_ctx_fw_create(sdev, ctx);
		if (ret)
			goto err_unlock;
	}
	/* Otherwise recovery registers it with the firmware when it comes back. */
	set_bit(id, sdev->ctx_ids);
	list_add_tail(&ctx->link, &sdev->contexts);
	mutex_unlock(&sdev->lock);

	atomic_inc(&sdev->ctx_count);
	file->driver_priv = ctx;
	return 0;

err_unlock:
	mutex_unlock(&sdev->lock);
err_status:
	dma_free_coherent(sdev->drm.dev, PAGE_SIZE, ctx->status, ctx->status_dma);
err_vm:
	sa_vm_fini(&ctx->vm);
err_free:
	drm_mm_takedown(&ctx->mm);
	kfree(ctx);
	return ret;
}

static void sa_mapping_release(struct sa_ctx *ctx, struct sa_mapping *m, bool clear_ptes)
{
	struct sa_device *sdev = ctx->sdev;

	if (clear_ptes)
		sa_vm_unmap(&ctx->vm, m->node.start, m->node.size);
	drm_mm_remove_node(&m->node);
	drm_gem_shmem_unpin(to_drm_gem_shmem_obj(m->obj));
	drm_gem_object_put(m->obj);
	atomic_sub(m->node.size >> PAGE_SHIFT, &sdev->pinned_pages);
	atomic_dec(&sdev->mappings);
	kfree(m);
}

void sa_ctx_close(struct sa_device *sdev, struct drm_file *file)
{
	struct sa_ctx *ctx = file->driver_priv;
	struct drm_mm_node *node, *tmp;
	struct sa_queue *q;
	unsigned long idx;

	mutex_lock(&sdev->lock);
	mutex_lock(&ctx->lock);
	xa_for_each(&ctx->queues, idx, q)
		sa_queue_destroy_locked(ctx, q);
	if (ctx->fw_live)
		sa_ctx_fw_destroy(sdev, ctx);
	list_del(&ctx->link);
	clear_bit(ctx->id, sdev->ctx_ids);
	mutex_unlock(&ctx->lock);
	mutex_unlock(&sdev->lock);

	/* The firmware no longer uses the context: its tables can go. */
	drm_mm_for_each_node_safe(node, tmp, &ctx->mm)
		sa_mapping_release(ctx, container_of(node, struct sa_mapping, node), false);
	sa_vm_fini(&ctx->vm);
	dma_free_coherent(sdev->drm.dev, PAGE_SIZE, ctx->status, ctx->status_dma);
	drm_mm_takedown(&ctx->mm);
	xa_destroy(&ctx->queues);
	mutex_destroy(&ctx->lock);
	kfree(ctx);
	atomic_dec(&sdev->ctx_count);
}

/* The mapping that holds all of [va, va + len), or NULL.  ctx->lock held. */
struct sa_mapping *sa_ctx_find_mapping(struct sa_ctx *ctx, u64 va, u64 len)
{
	struct drm_mm_node *node;

	if (!len || va + len < va)
		return NULL;
	drm_mm_for_each_node_in_range(node, &ctx->mm, va, va + 1) {
		if (node->start <= va && va + len <= node->start + node->size)
			return container_of(node, struct sa_mapping, node);
	}
	return NULL;
}

static int sa_vm_map_check(const struct drm_shiftaccel_vm_map *args)
{
	u64 end = SHIFTACCEL_VA_USER_END;

	if (args->flags & ~SHIFTACCEL_VM_FLAGS)
		return -EINVAL;
	if (!(args->flags & (SHIFTACCEL_VM_READ | SHIFTACCEL_VM_WRITE)))
		return -EINVAL;
	if (!args->size || !PAGE_ALIGNED(args->size) || !PAGE_ALIGNED(args->bo_offset))
		return -EINVAL;
	if (!(args->flags & SHIFTACCEL_VM_FIXED))
		return args->va ? -EINVAL : 0;
	if (!PAGE_ALIGNED(args->va) || args->va < SHIFTACCEL_VA_USER_START || args->va >= end ||
	    args->size > end - args->va)
		return -EINVAL;
	return 0;
}

int sa_ioctl_vm_map(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_shiftaccel_vm_map *args = data;
	struct sa_device *sdev = to_sa(drm);
	struct sa_ctx *ctx = file->driver_priv;
	struct drm_gem_shmem_object *shmem;
	struct drm_gem_object *obj;
	struct sa_mapping *m;
	struct sg_table *sgt;
	u64 prot = 0;
	int ret;

	ret = sa_vm_map_check(args);
	if (ret)
		return ret;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	if (args->bo_offset >= obj->size || args->size > obj->size - args->bo_offset) {
		ret = -EINVAL;
		goto err_put;
	}
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m) {
		ret = -ENOMEM;
		goto err_put;
	}
	m->obj = obj;
	m->bo_offset = args->bo_offset;
	m->flags = args->flags & (SHIFTACCEL_VM_READ | SHIFTACCEL_VM_WRITE);
	if (m->flags & SHIFTACCEL_VM_READ)
		prot |= SA_PTE_READ;
	if (m->flags & SHIFTACCEL_VM_WRITE)
		prot |= SA_PTE_WRITE;
	shmem = to_drm_gem_shmem_obj(obj);

	mutex_lock(&ctx->lock);
	if (args->flags & SHIFTACCEL_VM_FIXED) {
		m->node.start = args->va;
		m->node.size = args->size;
		ret = drm_mm_reserve_node(&ctx->mm, &m->node);
		if (ret == -ENOSPC)
			ret = -EINVAL; /* overlaps an existing mapping */
	} else {
		ret = drm_mm_insert_node_generic(&ctx->mm, &m->node, args->size, PAGE_SIZE, 0,
						 DRM_MM_INSERT_BEST);
	}
	if (ret)
		goto err_unlock;

	ret = drm_gem_shmem_pin(shmem);
	if (ret)
		goto err_remove;
	sgt = drm_gem_shmem_get_pages_sgt(shmem);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto err_unpin;
	}
	ret = sa_vm_map_sgt(&ctx->vm, m->node.start, sgt, m->bo_offset, m->node.size, prot);
	if (ret)
		goto err_unpin;
	args->va = m->node.start;
	atomic_add(m->node.size >> PAGE_SHIFT, &sdev->pinned_pages);
	atomic_inc(&sdev->mappings);
	mutex_unlock(&ctx->lock);
	return 0;

err_unpin:
	drm_gem_shmem_unpin(shmem);
err_remove:
	drm_mm_remove_node(&m->node);
err_unlock:
	mutex_unlock(&ctx->lock);
	kfree(m);
err_put:
	drm_gem_object_put(obj);
	return ret;
}

int sa_ioctl_vm_unmap(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_shiftaccel_vm_unmap *args = data;
	struct sa_ctx *ctx = file->driver_priv;
	struct sa_mapping *m;
	int ret = 0;

	if (args->flags || args->pad)
		return -EINVAL;
	mutex_lock(&ctx->lock);
	m = sa_ctx_find_mapping(ctx, args->va, 1);
	if (!m || m->node.start != args->va)
		ret = -EINVAL;
	else if (m->busy)
		ret = -EBUSY; /* a queue's ring or fence lives there */
	if (!ret) {
		sa_vm_unmap(&ctx->vm, m->node.start, m->node.size);
		/*
		 * The card must not use a stale translation before the pages go; if
		 * the firmware does not answer, the CP is already held in reset.
		 */
		sa_ctx_fw_invalidate(ctx->sdev, ctx);
		sa_mapping_release(ctx, m, false);
	}
	mutex_unlock(&ctx->lock);
	return ret;
}
