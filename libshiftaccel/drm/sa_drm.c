// SPDX-License-Identifier: MIT
/* Opening an accel node, buffer objects and device VA mappings (sa_drm.h). */
#include "sa_drm.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

int sa_drm_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && errno == EINTR);
	return ret == -1 ? -errno : 0;
}

int sa_drm_open(const char *node)
{
	int fd = open(node, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int sa_drm_is_shiftaccel(int fd)
{
	char name[sizeof(SA_DRM_DRIVER_NAME) + 1] = "";
	struct drm_version v = {.name_len = sizeof(name) - 1, .name = name};

	/* A longer name is truncated to name_len, so "shiftaccelX" cannot pass. */
	if (sa_drm_ioctl(fd, DRM_IOCTL_VERSION, &v))
		return 0;
	return v.name_len == strlen(SA_DRM_DRIVER_NAME) &&
	       memcmp(name, SA_DRM_DRIVER_NAME, v.name_len) == 0;
}

int sa_drm_get_info(int fd, struct drm_shiftaccel_info *info)
{
	memset(info, 0, sizeof(*info));
	return sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_GET_INFO, info);
}

int sa_drm_bo_create(int fd, uint64_t size, uint32_t *handle)
{
	struct drm_shiftaccel_bo_create c = {.size = size};
	int ret = sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_BO_CREATE, &c);

	*handle = c.handle;
	return ret;
}

int sa_drm_bo_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = {.handle = handle};

	return sa_drm_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

void *sa_drm_bo_mmap(int fd, uint32_t handle, uint64_t size)
{
	struct drm_shiftaccel_bo_mmap_offset o = {.handle = handle};
	int ret = sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_BO_MMAP_OFFSET, &o);
	void *p;

	if (ret) {
		errno = -ret;
		return NULL;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)o.offset);
	return p == MAP_FAILED ? NULL : p;
}

int sa_drm_vm_map(int fd, uint32_t handle, uint64_t bo_offset, uint64_t size, uint32_t flags,
		  uint64_t *va)
{
	struct drm_shiftaccel_vm_map m = {
		.handle = handle,
		.flags = flags,
		.bo_offset = bo_offset,
		.size = size,
		.va = (flags & SHIFTACCEL_VM_FIXED) ? *va : 0,
	};
	int ret = sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_VM_MAP, &m);

	if (!ret)
		*va = m.va;
	return ret;
}

int sa_drm_vm_unmap(int fd, uint64_t va)
{
	struct drm_shiftaccel_vm_unmap u = {.va = va};

	return sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_VM_UNMAP, &u);
}

int sa_drm_buf_new_at(int fd, uint64_t size, uint32_t vm_flags, uint64_t va, struct sa_drm_buf *b)
{
	uint64_t at = va;
	int ret;

	memset(b, 0, sizeof(*b));
	b->size = (size + SA_DRM_PAGE_SIZE - 1) & ~(uint64_t)(SA_DRM_PAGE_SIZE - 1);
	ret = sa_drm_bo_create(fd, b->size, &b->handle);
	if (ret)
		return ret;
	b->cpu = sa_drm_bo_mmap(fd, b->handle, b->size);
	if (!b->cpu)
		return -errno;
	if (va)
		vm_flags |= SHIFTACCEL_VM_FIXED;
	ret = sa_drm_vm_map(fd, b->handle, 0, b->size, vm_flags, &at);
	if (!ret)
		b->va = at;
	return ret;
}

int sa_drm_buf_new(int fd, uint64_t size, uint32_t vm_flags, struct sa_drm_buf *b)
{
	return sa_drm_buf_new_at(fd, size, vm_flags, 0, b);
}

void sa_drm_buf_free(int fd, struct sa_drm_buf *b)
{
	if (b->va)
		sa_drm_vm_unmap(fd, b->va);
	if (b->cpu)
		munmap(b->cpu, b->size);
	if (b->handle)
		sa_drm_bo_close(fd, b->handle);
	memset(b, 0, sizeof(*b));
}
