// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Buffer objects: GEM shmem objects, with the shmem helpers' functions plus a
 * free hook that keeps the live-object count the leak tests read from sysfs.
 */
#include <linux/slab.h>
#include <drm/drm_gem.h>

#include "sa_drv.h"

static void sa_gem_free(struct drm_gem_object *obj)
{
	struct sa_device *sdev = to_sa(obj->dev);

	drm_gem_shmem_free(to_drm_gem_shmem_obj(obj));
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
	struct drm_gem_shmem_object *shmem;

	shmem = kzalloc(sizeof(*shmem), GFP_KERNEL);
	if (!shmem)
		return ERR_PTR(-ENOMEM);
	shmem->base.funcs = &sa_gem_funcs;
	/* Cached CPU mappings: the card snoops (PCIe, x86). */
	shmem->map_wc = false;
	return &shmem->base;
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
