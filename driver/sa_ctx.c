// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Per-file contexts: each open file gets its own MMU context (1..255) with
 * its own page tables, so the card can only reach buffer objects that file
 * mapped.  VM_MAP/VM_UNMAP place BO ranges at device VAs of that context.
 */
#include <linux/cred.h>
#include <linux/dma-mapping.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>

#include "sa_drv.h"

static_assert(SA_HW_MAX_QUEUES * sizeof(struct sa_hw_queue_status) <= PAGE_SIZE);

/* Contexts the user already holds on this card.  sdev->lock held. */
static u32 sa_user_contexts(struct sa_device *sdev, kuid_t uid)
{
	struct sa_ctx *ctx;
	u32 n = 0;

	lockdep_assert_held(&sdev->lock);
	list_for_each_entry(ctx, &sdev->contexts, link)
		n += uid_eq(ctx->uid, uid);
	return n;
}

/* Takes a free MMU context id for ctx within the per-user limit.  sdev->lock held. */
static int sa_ctx_take_id(struct sa_device *sdev, struct sa_ctx *ctx)
{
	u32 limit = sa_limit(sa_user_context_limit, sdev->num_contexts - 1);
	unsigned long id;

	lockdep_assert_held(&sdev->lock);
	if (sa_user_contexts(sdev, ctx->uid) >= limit) {
		drm_dbg(&sdev->drm, "user %u already holds %u contexts (user_context_limit)\n",
			from_kuid(&init_user_ns, ctx->uid), limit);
		return -EDQUOT;
	}
	id = find_next_zero_bit(sdev->ctx_ids, sdev->num_contexts, 1);
	if (id >= sdev->num_contexts) {
		drm_dbg(&sdev->drm, "all %u MMU contexts are in use\n", sdev->num_contexts - 1);
		return -ENOSPC;
	}
	ctx->id = id;
	return 0;
}

int sa_ctx_open(struct sa_device *sdev, struct drm_file *file)
{
	struct sa_ctx *ctx;
	int ret;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;
	ctx->sdev = sdev;
	ctx->uid = current_euid();
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

	scoped_guard(mutex, &sdev->lock) {
		ret = sa_ctx_take_id(sdev, ctx);
		/* Otherwise recovery registers it with the firmware when it comes back. */
		if (!ret && sdev->state == SA_DEV_READY)
			ret = sa_ctx_fw_create(sdev, ctx);
		if (!ret) {
			set_bit(ctx->id, sdev->ctx_ids);
			list_add_tail(&ctx->link, &sdev->contexts);
		}
	}
	if (ret)
		goto err_status;

	atomic_inc(&sdev->ctx_count);
	file->driver_priv = ctx;
	return 0;

err_status:
	dma_free_coherent(sdev->drm.dev, PAGE_SIZE, ctx->status, ctx->status_dma);
err_vm:
	sa_vm_fini(&ctx->vm);
err_free:
	drm_mm_takedown(&ctx->mm);
	mutex_destroy(&ctx->lock);
	kfree(ctx);
	return ret;
}

/* Takes the mapping out of the context's VA space.  ctx->lock held. */
static void sa_mapping_remove(struct sa_ctx *ctx, struct sa_mapping *m, bool clear_ptes)
{
	lockdep_assert_held(&ctx->lock);
	if (clear_ptes)
		sa_vm_unmap(&ctx->vm, m->node.start, m->node.size);
	drm_mm_remove_node(&m->node);
}

/* Unpins and frees a mapping sa_mapping_remove() took out. */
static void sa_mapping_free(struct sa_device *sdev, struct sa_mapping *m)
{
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

	scoped_guard(mutex, &sdev->lock) {
		guard(mutex)(&ctx->lock);
		xa_for_each(&ctx->queues, idx, q)
			sa_queue_destroy_locked(ctx, q);
		if (ctx->fw_live)
			sa_ctx_fw_destroy(sdev, ctx);
		list_del(&ctx->link);
		clear_bit(ctx->id, sdev->ctx_ids);
	}

	/* The firmware no longer uses the context: its tables can go. */
	drm_mm_for_each_node_safe(node, tmp, &ctx->mm) {
		struct sa_mapping *m = container_of(node, struct sa_mapping, node);

		scoped_guard(mutex, &ctx->lock)
			sa_mapping_remove(ctx, m, false);
		sa_mapping_free(sdev, m);
	}
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

	lockdep_assert_held(&ctx->lock);
	if (!sa_user_range_ok(va, len))
		return NULL;
	drm_mm_for_each_node_in_range(node, &ctx->mm, va, va + 1) {
		if (node->start <= va && va + len <= node->start + node->size)
			return container_of(node, struct sa_mapping, node);
	}
	return NULL;
}

static int sa_vm_map_check(struct sa_device *sdev, const struct drm_shiftaccel_vm_map *args)
{
	if (args->flags & ~SHIFTACCEL_VM_FLAGS)
		return sa_inval(sdev, "flags %#x has unknown bits\n", args->flags);
	if (!(args->flags & (SHIFTACCEL_VM_READ | SHIFTACCEL_VM_WRITE)))
		return sa_inval(sdev, "flags %#x allow neither READ nor WRITE\n", args->flags);
	if (!args->size || !PAGE_ALIGNED(args->size))
		return sa_inval(sdev, "size %#llx is zero or not page aligned\n", args->size);
	if (!PAGE_ALIGNED(args->bo_offset))
		return sa_inval(sdev, "bo_offset %#llx is not page aligned\n", args->bo_offset);
	if (!(args->flags & SHIFTACCEL_VM_FIXED)) {
		if (args->va)
			return sa_inval(sdev, "va %#llx given without SHIFTACCEL_VM_FIXED\n",
					args->va);
		return 0;
	}
	if (!PAGE_ALIGNED(args->va) || !sa_user_range_ok(args->va, args->size))
		return sa_inval(sdev, "va %#llx size %#llx: unaligned or outside [%#llx, %#llx)\n",
				args->va, args->size, SHIFTACCEL_VA_USER_START,
				SHIFTACCEL_VA_USER_END);
	return 0;
}

/* Places m in the context's VA space and maps its pages there.  ctx->lock held. */
static int sa_mapping_insert(struct sa_ctx *ctx, struct sa_mapping *m, u64 fixed_va, u64 size,
			     u64 prot)
{
	struct sa_device *sdev = ctx->sdev;
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(m->obj);
	struct sg_table *sgt;
	int ret;

	lockdep_assert_held(&ctx->lock);
	if (fixed_va) {
		m->node.start = fixed_va;
		m->node.size = size;
		ret = drm_mm_reserve_node(&ctx->mm, &m->node);
		if (ret == -ENOSPC)
			return sa_inval(sdev, "va %#llx size %#llx overlaps a mapping\n", fixed_va,
					size);
	} else {
		ret = drm_mm_insert_node_generic(&ctx->mm, &m->node, size, PAGE_SIZE, 0,
						 DRM_MM_INSERT_BEST);
	}
	if (ret)
		return ret;

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
	return 0;

err_unpin:
	drm_gem_shmem_unpin(shmem);
err_remove:
	drm_mm_remove_node(&m->node);
	return ret;
}

int sa_ioctl_vm_map(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_shiftaccel_vm_map *args = data;
	struct sa_device *sdev = to_sa(drm);
	struct sa_ctx *ctx = file->driver_priv;
	struct drm_gem_object *obj;
	struct sa_mapping *m;
	u64 prot = 0;
	int ret;

	ret = sa_vm_map_check(sdev, args);
	if (ret)
		return ret;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj) {
		drm_dbg(&sdev->drm, "handle %u is no BO of this file\n", args->handle);
		return -ENOENT;
	}
	if (args->bo_offset >= obj->size || args->size > obj->size - args->bo_offset) {
		ret = sa_inval(sdev, "bo_offset %#llx size %#llx outside the BO's %#zx bytes\n",
			       args->bo_offset, args->size, obj->size);
		goto err_put;
	}
	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
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

	scoped_guard(mutex, &ctx->lock) {
		ret = sa_mapping_insert(ctx, m,
					args->flags & SHIFTACCEL_VM_FIXED ? args->va : 0,
					args->size, prot);
		if (!ret)
			args->va = m->node.start;
	}
	if (ret)
		goto err_free;
	atomic_add(m->node.size >> PAGE_SHIFT, &sdev->pinned_pages);
	atomic_inc(&sdev->mappings);
	return 0;

err_free:
	kfree(m);
err_put:
	drm_gem_object_put(obj);
	return ret;
}

int sa_ioctl_vm_unmap(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_shiftaccel_vm_unmap *args = data;
	struct sa_device *sdev = to_sa(drm);
	struct sa_ctx *ctx = file->driver_priv;
	struct sa_mapping *m;

	if (args->flags || args->pad)
		return sa_inval(sdev, "flags %#x pad %#x must be zero\n", args->flags, args->pad);
	if (!PAGE_ALIGNED(args->va) || !sa_user_range_ok(args->va, PAGE_SIZE))
		return sa_inval(sdev, "va %#llx: not page aligned or outside [%#llx, %#llx)\n",
				args->va, SHIFTACCEL_VA_USER_START, SHIFTACCEL_VA_USER_END);
	scoped_guard(mutex, &ctx->lock) {
		m = sa_ctx_find_mapping(ctx, args->va, 1);
		if (!m || m->node.start != args->va)
			return sa_inval(sdev, "va %#llx is not the start of a mapping\n", args->va);
		if (m->busy) {
			drm_dbg(&sdev->drm, "va %#llx holds a queue's ring or fence\n", args->va);
			return -EBUSY;
		}
		sa_mapping_remove(ctx, m, true);
		/*
		 * The card must not use a stale translation before the pages go; if
		 * the firmware does not answer, the CP is already held in reset.
		 */
		sa_ctx_fw_invalidate(sdev, ctx);
	}
	sa_mapping_free(sdev, m);
	return 0;
}
