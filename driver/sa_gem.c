// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Buffer objects: GEM shmem objects, with the shmem helpers' functions plus a
 * free hook that keeps the live-object count the leak tests read from sysfs
 * and gives back the creator's pinned-memory charge.
 *
 * Every page of a BO can end up pinned without further checks: mmap() of a
 * shmem object takes all its pages, and VM_MAP pins all of them whatever
 * range it maps.  So the whole size is charged when the BO is created, to
 * the creating process's mm->pinned_vm against its RLIMIT_MEMLOCK, as RDMA
 * charges registered memory (ib_umem); CAP_IPC_LOCK is exempt.  The counter
 * is atomic, so the charge can be given back wherever the last reference
 * drops, under whatever locks (munmap holds mmap_lock).
 */
#include <linux/capability.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <drm/drm_gem.h>

#include "sa_drv.h"

/* drm_gem_shmem_free() frees the shmem object: it must be the start of ours. */
static_assert(offsetof(struct sa_bo, base) == 0);

static int sa_bo_charge(struct sa_bo *bo, unsigned long pages)
{
	struct mm_struct *mm = current->mm;
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;

	if (!mm)
		return 0;
	if (atomic64_add_return(pages, &mm->pinned_vm) > limit && !capable(CAP_IPC_LOCK)) {
		atomic64_sub(pages, &mm->pinned_vm);
		return -ENOMEM;
	}
	mmgrab(mm);
	bo->mm = mm;
	bo->charged = pages;
	return 0;
}

static void sa_gem_free(struct drm_gem_object *obj)
{
	struct sa_device *sdev = to_sa(obj->dev);
	struct sa_bo *bo = to_sa_bo(obj);
	struct mm_struct *mm = bo->mm;
	unsigned long charged = bo->charged;

	drm_gem_shmem_free(&bo->base);
	if (mm) {
		atomic64_sub(charged, &mm->pinned_vm);
		mmdrop(mm);
	}
	atomic_dec(&sdev->bo_count);
}

static const struct drm_gem_object_funcs sa_gem_funcs = {
	.free = sa_gem_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

struct drm_gem_object *sa_gem_create_object(struct drm_device *drm, size_t size)
{
	struct sa_bo *bo;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL_ACCOUNT);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.base.funcs = &sa_gem_funcs;
	/* Cached CPU mappings: the card snoops (PCIe, x86). */
	bo->base.map_wc = false;
	return &bo->base.base;
}

int sa_ioctl_bo_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_shiftaccel_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	u64 size;
	int ret;

	if (args->flags || args->handle)
		return sa_inval(to_sa(drm), "flags %#x handle %u must be zero\n", args->flags,
				args->handle);
	if (!args->size || args->size > SHIFTACCEL_BO_MAX_SIZE)
		return sa_inval(to_sa(drm), "size %#llx is not in [1, %#llx]\n", args->size,
				SHIFTACCEL_BO_MAX_SIZE);
	size = PAGE_ALIGN(args->size);

	shmem = drm_gem_shmem_create(drm, size);
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);
	/* Every object is created here and ends in sa_gem_free(). */
	atomic_inc(&to_sa(drm)->bo_count);
	ret = sa_bo_charge(to_sa_bo(&shmem->base), size >> PAGE_SHIFT);
	if (ret) {
		drm_dbg(drm, "a %llu-byte BO exceeds RLIMIT_MEMLOCK\n", size);
		drm_gem_object_put(&shmem->base);
		return ret;
	}
	ret = drm_gem_handle_create(file, &shmem->base, &args->handle);
	/* The handle holds the reference now (or creation failed). */
	drm_gem_object_put(&shmem->base);
	if (ret)
		return ret;
	args->size = size;
	return 0;
}

int sa_ioctl_bo_mmap_offset(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_shiftaccel_bo_mmap_offset *args = data;
	struct drm_gem_object *obj;
	int ret;

	if (args->flags)
		return sa_inval(to_sa(drm), "flags %#x must be zero\n", args->flags);
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj) {
		drm_dbg(drm, "handle %u is no BO of this file\n", args->handle);
		return -ENOENT;
	}
	ret = drm_gem_create_mmap_offset(obj);
	if (!ret)
		args->offset = drm_vma_node_offset_addr(&obj->vma_node);
	drm_gem_object_put(obj);
	return ret;
}
