// SPDX-License-Identifier: MIT
/*
 * Opening the card and its buffer objects (accel_device.h).
 */
#include "accel_device.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <xf86drm.h>

#include "accel_probe.h"
#include "error.h"

#define DRIVER_NAME "shiftaccel"

/* 1: fd is a DRM device of our driver. */
static int is_shiftaccel(int fd)
{
	drmVersionPtr v = drmGetVersion(fd);
	int ok = v && v->name && strcmp(v->name, DRIVER_NAME) == 0;

	drmFreeVersion(v);
	return ok;
}

/* Why no node could be used: sysfs knows best (no card, no driver, ...). */
static sa_status no_node(const char *why)
{
	char addr[64];

	if (sa_accel_probe("", addr, sizeof(addr)) != SA_OK)
		return SA_ERR_NO_DEVICE; /* the probe's message says why */
	return sa_fail(SA_ERR_NO_DEVICE, "ShiftAccel card found at %s but %s", addr, why);
}

sa_status sa_accel_dev_open(struct sa_accel_dev *d)
{
	char why[320] = "no /dev/accel/accel* node of the " DRIVER_NAME " driver exists";
	struct dirent *e;
	DIR *dir;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	dir = opendir("/dev/accel");
	while (dir && d->fd < 0 && (e = readdir(dir))) {
		int fd;

		if (strncmp(e->d_name, "accel", 5) != 0)
			continue;
		snprintf(d->node, sizeof(d->node), "/dev/accel/%.40s", e->d_name);
		fd = open(d->node, O_RDWR | O_CLOEXEC);
		if (fd < 0 && errno == EDQUOT) {
			snprintf(why, sizeof(why),
				 "%s cannot be opened: this user already has as many files of it "
				 "open as the driver allows (shiftaccel module parameter "
				 "user_context_limit)",
				 d->node);
			continue;
		}
		if (fd < 0) {
			snprintf(why, sizeof(why), "%s cannot be opened: %s", d->node,
				 strerror(errno));
			continue;
		}
		if (is_shiftaccel(fd))
			d->fd = fd;
		else
			close(fd);
	}
	if (dir)
		closedir(dir);
	if (d->fd < 0)
		return no_node(why);
	if (drmIoctl(d->fd, DRM_IOCTL_SHIFTACCEL_GET_INFO, &d->info) != 0) {
		sa_status st =
			sa_fail(SA_ERR_DEVICE, "%s: GET_INFO failed: %s", d->node, strerror(errno));

		sa_accel_dev_close(d);
		return st;
	}
	if (d->info.desc_size != sizeof(struct sa_hw_desc) ||
	    d->info.device_state != SHIFTACCEL_DEVICE_READY) {
		sa_status st = sa_fail(
			SA_ERR_DEVICE,
			"%s: card not usable (state %u, descriptor size %u, want %zu)", d->node,
			d->info.device_state, d->info.desc_size, sizeof(struct sa_hw_desc));

		sa_accel_dev_close(d);
		return st;
	}
	return SA_OK;
}

void sa_accel_dev_close(struct sa_accel_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

/*
 * A buffer the driver refused.  It charges every buffer to the process's
 * RLIMIT_MEMLOCK (docs/driver.md, Memory), so ENOMEM usually means that
 * limit: name it, with its value.
 */
static sa_status bo_error(const struct sa_accel_dev *d, const char *what, uint64_t size, int err)
{
	struct rlimit lock = {0};

	if (err == ENOMEM && getrlimit(RLIMIT_MEMLOCK, &lock) == 0 &&
	    lock.rlim_cur != RLIM_INFINITY)
		return sa_fail(SA_ERR_DEVICE,
			       "%s: cannot %s a %llu-byte buffer: it would exceed this process's "
			       "locked-memory limit of %llu KiB (ulimit -l; memlock in "
			       "/etc/security/limits.conf)",
			       d->node, what, (unsigned long long)size,
			       (unsigned long long)(lock.rlim_cur / 1024));
	return sa_fail(SA_ERR_DEVICE, "%s: cannot %s a %llu-byte buffer: %s", d->node, what,
		       (unsigned long long)size, strerror(err));
}

sa_status sa_accel_bo_new(struct sa_accel_dev *d, uint64_t size, uint32_t vm_flags,
			  struct sa_accel_bo *bo)
{
	struct drm_shiftaccel_bo_create c = {.size = size ? size : 1};
	struct drm_shiftaccel_bo_mmap_offset mo = {0};
	struct drm_shiftaccel_vm_map vm = {.flags = vm_flags};
	void *p;

	memset(bo, 0, sizeof(*bo));
	if (drmIoctl(d->fd, DRM_IOCTL_SHIFTACCEL_BO_CREATE, &c) != 0)
		return bo_error(d, "create", size, errno);
	bo->handle = c.handle;
	bo->size = c.size;
	mo.handle = c.handle;
	if (drmIoctl(d->fd, DRM_IOCTL_SHIFTACCEL_BO_MMAP_OFFSET, &mo) != 0)
		goto fail;
	p = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, (off_t)mo.offset);
	if (p == MAP_FAILED)
		goto fail;
	bo->cpu = p;
	vm.handle = c.handle;
	vm.size = bo->size;
	if (drmIoctl(d->fd, DRM_IOCTL_SHIFTACCEL_VM_MAP, &vm) != 0)
		goto fail;
	bo->va = vm.va;
	return SA_OK;
fail : {
	sa_status st = bo_error(d, "map", size, errno);

	sa_accel_bo_free(d, bo);
	return st;
}
}

void sa_accel_bo_free(struct sa_accel_dev *d, struct sa_accel_bo *bo)
{
	if (bo->va) {
		struct drm_shiftaccel_vm_unmap u = {.va = bo->va};

		drmIoctl(d->fd, DRM_IOCTL_SHIFTACCEL_VM_UNMAP, &u);
	}
	if (bo->cpu)
		munmap(bo->cpu, bo->size);
	if (bo->handle) {
		struct drm_gem_close g = {.handle = bo->handle};

		drmIoctl(d->fd, DRM_IOCTL_GEM_CLOSE, &g);
	}
	memset(bo, 0, sizeof(*bo));
}
