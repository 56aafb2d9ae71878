// SPDX-License-Identifier: MIT
/*
 * Driver selftests, part 1 (run in the VM with shiftaccel.ko loaded):
 * probe and firmware version, buffer objects and leak counts, map/unmap
 * argument checking, queue creation and destruction.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sa_selftest.h"

#define RW (SHIFTACCEL_VM_READ | SHIFTACCEL_VM_WRITE)

FIXTURE(dev)
{
	struct sa_dev d;
	long bos, pinned, mappings, queues;
};

FIXTURE_SETUP(dev)
{
	ASSERT_EQ(0, sa_dev_open(&self->d)) TH_LOG("no ShiftAccel card with a driver bound");
	self->bos = sa_sysfs_long(&self->d, "bo_count");
	self->pinned = sa_sysfs_long(&self->d, "pinned_pages");
	self->mappings = sa_sysfs_long(&self->d, "mappings");
	self->queues = sa_sysfs_long(&self->d, "queue_count");
	ASSERT_GE(self->bos, 0);
}

FIXTURE_TEARDOWN(dev)
{
	sa_dev_close(&self->d);
}

/* Everything a test created is gone again (checked while the fd is open). */
static void expect_baseline(struct __test_metadata *_metadata, FIXTURE_DATA(dev) * self)
{
	EXPECT_EQ(self->bos, sa_sysfs_long(&self->d, "bo_count"));
	EXPECT_EQ(self->pinned, sa_sysfs_long(&self->d, "pinned_pages"));
	EXPECT_EQ(self->mappings, sa_sysfs_long(&self->d, "mappings"));
	EXPECT_EQ(self->queues, sa_sysfs_long(&self->d, "queue_count"));
}

TEST_F(dev, firmware_version_in_info_and_sysfs)
{
	const struct drm_shiftaccel_info *i = &self->d.info;
	struct drm_shiftaccel_info bad = {.pad = 1};
	char sysfs[32], want[32];

	EXPECT_EQ(SHIFTACCEL_DEVICE_READY, i->device_state);
	EXPECT_EQ(SA_FW_VERSION_MAJOR, SA_FW_VERSION_WORD_MAJOR(i->fw_version));
	EXPECT_EQ(SA_HW_VERSION_MAJOR, i->hw_version >> 16);
	EXPECT_EQ(sizeof(struct sa_hw_desc), i->desc_size);
	EXPECT_LT(0, i->num_queues);
	EXPECT_EQ(SHIFTACCEL_VA_USER_START, i->va_start);
	EXPECT_EQ(SHIFTACCEL_VA_USER_END, i->va_end);
	EXPECT_LT(0, i->context_id);
	EXPECT_NE(0, i->fw_build_id);
	ASSERT_EQ(0, sa_sysfs_str(&self->d, "fw_version", sysfs, sizeof(sysfs)));
	snprintf(want, sizeof(want), "%u.%u.%u", SA_FW_VERSION_WORD_MAJOR(i->fw_version),
		 SA_FW_VERSION_WORD_MINOR(i->fw_version), SA_FW_VERSION_WORD_PATCH(i->fw_version));
	EXPECT_STREQ(want, sysfs);
	EXPECT_EQ((long)i->fw_build_id, sa_sysfs_long(&self->d, "fw_build_id"));
	ASSERT_EQ(0, sa_sysfs_str(&self->d, "device_state", sysfs, sizeof(sysfs)));
	EXPECT_STREQ("ready", sysfs);
	/* Padding must be zero. */
	EXPECT_EQ(-EINVAL, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SHIFTACCEL_GET_INFO, &bad));
}

TEST_F(dev, bo_create_mmap_free_returns_counts_to_zero)
{
	struct drm_shiftaccel_bo_create c = {.size = 3 * 4096 + 1};
	uint8_t *p;
	size_t i;

	ASSERT_EQ(0, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SHIFTACCEL_BO_CREATE, &c));
	EXPECT_EQ(4 * 4096, c.size);
	EXPECT_EQ(self->bos + 1, sa_sysfs_long(&self->d, "bo_count"));
	p = sa_drm_bo_mmap(self->d.fd, c.handle, c.size);
	ASSERT_NE(NULL, p);
	for (i = 0; i < c.size; i++)
		EXPECT_EQ(0, p[i]) break;
	for (i = 0; i < c.size; i++)
		p[i] = (uint8_t)(i * 7);
	ASSERT_EQ(0, munmap(p, c.size));
	/* A second mapping sees the same pages. */
	p = sa_drm_bo_mmap(self->d.fd, c.handle, c.size);
	ASSERT_NE(NULL, p);
	for (i = 0; i < c.size; i++)
		ASSERT_EQ((uint8_t)(i * 7), p[i]);
	ASSERT_EQ(0, munmap(p, c.size));
	ASSERT_EQ(0, sa_drm_bo_close(self->d.fd, c.handle));
	EXPECT_EQ(-EINVAL, sa_drm_bo_close(self->d.fd, c.handle));
	expect_baseline(_metadata, self);
}

TEST_F(dev, bo_create_rejects_bad_arguments)
{
	struct drm_shiftaccel_bo_create c = {0};

	EXPECT_EQ(-EINVAL, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SHIFTACCEL_BO_CREATE, &c));
	c = (struct drm_shiftaccel_bo_create){.size = 4096, .flags = 1};
	EXPECT_EQ(-EINVAL, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SHIFTACCEL_BO_CREATE, &c));
	c = (struct drm_shiftaccel_bo_create){.size = SHIFTACCEL_BO_MAX_SIZE + 1};
	EXPECT_EQ(-EINVAL, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SHIFTACCEL_BO_CREATE, &c));
	expect_baseline(_metadata, self);
}

TEST_F(dev, vm_map_checks_ranges_alignment_overlap_and_padding)
{
	const uint64_t start = SHIFTACCEL_VA_USER_START, end = SHIFTACCEL_VA_USER_END;
	struct drm_shiftaccel_vm_unmap u = {0};
	uint32_t h;
	uint64_t va, auto_va;
	int fd = self->d.fd;

	ASSERT_EQ(0, sa_drm_bo_create(fd, 4 * 4096, &h));
	/* Misaligned address, size and offset; size 0; past the BO. */
	va = start + 0x10800;
	EXPECT_EQ(-EINVAL, sa_drm_vm_map(fd, h, 0, 4096, RW | SHIFTACCEL_VM_FIXED, &va));
	va = start + 0x10000;
	EXPECT_EQ(-EINVAL, sa_drm_vm_map(fd, h, 0, 100, RW | SHIFTACCEL_VM_FIXED, &va));
	EXPECT_EQ(-EINVAL, sa_drm_vm_map(fd, h, 12, 4096, RW | SHIFTACCEL_VM_FIXED, &va));
	EXPECT_EQ(-EINVAL, sa_drm_vm_map(fd, h, 0, 0, RW | SHIFTACCEL_VM_FIXED, &va));
	EXPECT_EQ(-EINVAL, sa_drm_vm_map(fd, h, 4096, 4 * 4096, RW | SHIFTACCEL_VM_FIXED, &va));
	EXPECT_EQ(-EINVAL, sa_drm_vm_map(fd, h, 4 * 4096, 4096, RW | SHIFTACCEL_VM_FIXED, &va));
	/* Out of the user range: below it (the status page lives there) and across its end. */
	va = 0x1000;
	EXPECT_EQ(-EINVAL, sa_drm_vm_map(fd, h, 0, 4096, RW | SHIFTACCEL_VM_FIXED, &va));
	va = 0;
	EXPECT_EQ(-EINVAL, sa_drm_vm_map(fd, h, 0, 4096, RW | SHIFTACCEL_VM_FIXED, &va));
	va = end - 4096;
	EXPECT_EQ(-EINVAL, sa_drm_vm_map(fd, h, 0, 2 * 4096, RW | SHIFTACCEL_VM_FIXED, &va));
	va = end;
	EXPECT_EQ(-EINVAL, sa_drm_vm_map(fd, h, 0, 4096, RW | SHIFTACCEL_VM_FIXED, &va));
	va = ~0ull & ~4095ull;
	EXPECT_EQ(-EINVAL, sa_drm_vm_map(fd, h, 0, 4096, RW | SHIFTACCEL_VM_FIXED, &va));
	/* No permission, unknown flags, a va without FIXED, an unknown handle. */
	va = start + 0x10000;
	EXPECT_EQ(-EINVAL, sa_drm_vm_map(fd, h, 0, 4096, SHIFTACCEL_VM_FIXED, &va));
	EXPECT_EQ(-EINVAL, sa_drm_vm_map(fd, h, 0, 4096, RW | SHIFTACCEL_VM_FIXED | 0x100, &va));
	{
		struct drm_shiftaccel_vm_map m = {
			.handle = h, .flags = RW, .size = 4096, .va = start};

		EXPECT_EQ(-EINVAL, sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_VM_MAP, &m));
	}
	EXPECT_EQ(-ENOENT, sa_drm_vm_map(fd, h + 100, 0, 4096, RW | SHIFTACCEL_VM_FIXED, &va));
	EXPECT_EQ(self->pinned, sa_sysfs_long(&self->d, "pinned_pages"));

	/* A good fixed mapping pins its pages; an overlapping one is refused. */
	va = start + 0x10000;
	ASSERT_EQ(0, sa_drm_vm_map(fd, h, 4096, 2 * 4096, RW | SHIFTACCEL_VM_FIXED, &va));
	EXPECT_EQ(start + 0x10000, va);
	EXPECT_EQ(self->pinned + 2, sa_sysfs_long(&self->d, "pinned_pages"));
	va = start + 0x10000 + 4096;
	EXPECT_EQ(-EINVAL, sa_drm_vm_map(fd, h, 0, 4096, RW | SHIFTACCEL_VM_FIXED, &va));
	va = start + 0x10000 - 4096;
	EXPECT_EQ(-EINVAL, sa_drm_vm_map(fd, h, 0, 2 * 4096, RW | SHIFTACCEL_VM_FIXED, &va));
	/* Adjacent is fine; the driver picks a free aligned range by itself. */
	va = start + 0x10000 + 2 * 4096;
	ASSERT_EQ(0, sa_drm_vm_map(fd, h, 0, 4096, SHIFTACCEL_VM_READ | SHIFTACCEL_VM_FIXED, &va));
	ASSERT_EQ(0, sa_drm_vm_map(fd, h, 0, 4 * 4096, SHIFTACCEL_VM_WRITE, &auto_va));
	EXPECT_EQ(0, auto_va % 4096);
	EXPECT_LE(start, auto_va);
	EXPECT_GE(end - 4 * 4096, auto_va);
	EXPECT_TRUE(auto_va + 4 * 4096 <= start + 0x10000 || auto_va >= start + 0x10000 + 3 * 4096);
	EXPECT_EQ(self->pinned + 7, sa_sysfs_long(&self->d, "pinned_pages"));

	/* Unmap: only a mapping's start, padding zero. */
	EXPECT_EQ(-EINVAL, sa_drm_vm_unmap(fd, start + 0x10000 + 4096));
	EXPECT_EQ(-EINVAL, sa_drm_vm_unmap(fd, start + 0x900000));
	u.va = start + 0x10000;
	u.pad = 1;
	EXPECT_EQ(-EINVAL, sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_VM_UNMAP, &u));
	EXPECT_EQ(0, sa_drm_vm_unmap(fd, start + 0x10000));
	EXPECT_EQ(-EINVAL, sa_drm_vm_unmap(fd, start + 0x10000));
	EXPECT_EQ(0, sa_drm_vm_unmap(fd, auto_va));
	/* Closing the handle while a mapping remains keeps the pages until unmap. */
	ASSERT_EQ(0, sa_drm_bo_close(fd, h));
	EXPECT_EQ(self->pinned + 1, sa_sysfs_long(&self->d, "pinned_pages"));
	EXPECT_EQ(self->bos + 1, sa_sysfs_long(&self->d, "bo_count"));
	EXPECT_EQ(0, sa_drm_vm_unmap(fd, start + 0x10000 + 2 * 4096));
	expect_baseline(_metadata, self);
}

TEST_F(dev, closing_the_file_releases_everything)
{
	struct sa_dev other;
	struct sa_drm_queue q;
	struct sa_drm_buf b;

	ASSERT_EQ(0, sa_dev_open(&other));
	EXPECT_NE(self->d.info.context_id, other.info.context_id);
	ASSERT_EQ(0, sa_drm_buf_new(other.fd, 8 * 4096, RW, &b));
	ASSERT_EQ(0, sa_drm_queue_new(other.fd, 16, &q));
	EXPECT_EQ(self->queues + 1, sa_sysfs_long(&self->d, "queue_count"));
	EXPECT_LT(self->pinned, sa_sysfs_long(&self->d, "pinned_pages"));
	/* No explicit cleanup: closing the fd (and unmapping) must free it all. */
	munmap(b.cpu, b.size);
	munmap(q.ring.cpu, q.ring.size);
	munmap(q.fence.cpu, q.fence.size);
	munmap(q.ring_map, q.ring.size);
	munmap((void *)q.doorbell, 4096);
	sa_dev_close(&other);
	expect_baseline(_metadata, self);
}

TEST_F(dev, queue_create_destroy_and_argument_checks)
{
	struct drm_shiftaccel_queue_create c = {0};
	struct drm_shiftaccel_queue_destroy d = {0};
	struct sa_drm_buf ring, fence, ro;
	int fd = self->d.fd;
	void *p;

	ASSERT_EQ(0, sa_drm_buf_new(fd, 16 * 256, SHIFTACCEL_VM_READ, &ring));
	ASSERT_EQ(0, sa_drm_buf_new(fd, 4096, RW, &fence));
	ASSERT_EQ(0, sa_drm_buf_new(fd, 4096, SHIFTACCEL_VM_READ, &ro));
	c.ring_va = ring.va;
	c.fence_va = fence.va;
	/* Bad sizes, unmapped or too small ring, read-only or misaligned fence, padding. */
	c.ring_entries = 12;
	EXPECT_EQ(-EINVAL, sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_QUEUE_CREATE, &c));
	c.ring_entries = 4;
	EXPECT_EQ(-EINVAL, sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_QUEUE_CREATE, &c));
	c.ring_entries = 32; /* 8 KiB: larger than the 4 KiB mapping */
	EXPECT_EQ(-EINVAL, sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_QUEUE_CREATE, &c));
	c.ring_entries = 16;
	c.ring_va = SHIFTACCEL_VA_USER_END - 4096;
	EXPECT_EQ(-EINVAL, sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_QUEUE_CREATE, &c));
	c.ring_va = ring.va;
	c.fence_va = ro.va;
	EXPECT_EQ(-EINVAL, sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_QUEUE_CREATE, &c));
	c.fence_va = fence.va + 4;
	EXPECT_EQ(-EINVAL, sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_QUEUE_CREATE, &c));
	c.fence_va = fence.va;
	c.pad = 1;
	EXPECT_EQ(-EINVAL, sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_QUEUE_CREATE, &c));
	c.pad = 0;
	c.priority = 3;
	EXPECT_EQ(-EINVAL, sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_QUEUE_CREATE, &c));
	c.priority = SHIFTACCEL_PRIORITY_HIGH;
	EXPECT_EQ(self->queues, sa_sysfs_long(&self->d, "queue_count"));

	ASSERT_EQ(0, sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_QUEUE_CREATE, &c));
	EXPECT_EQ(self->queues + 1, sa_sysfs_long(&self->d, "queue_count"));
	EXPECT_GT(self->d.info.num_queues, c.queue_id);
	/* The ring and fence mappings stay while the queue uses them. */
	EXPECT_EQ(-EBUSY, sa_drm_vm_unmap(fd, ring.va));
	EXPECT_EQ(-EBUSY, sa_drm_vm_unmap(fd, fence.va));
	/* The doorbell maps as exactly one shared page. */
	p = mmap(NULL, 2 * 4096, PROT_WRITE, MAP_SHARED, fd, (off_t)c.doorbell_mmap_offset);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, 4096, PROT_WRITE, MAP_PRIVATE, fd, (off_t)c.doorbell_mmap_offset);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)c.doorbell_mmap_offset);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(c.start_index, *(volatile uint32_t *)p);
	munmap(p, 4096);

	d.queue_id = c.queue_id;
	d.flags = 1;
	EXPECT_EQ(-EINVAL, sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_QUEUE_DESTROY, &d));
	d.flags = 0;
	ASSERT_EQ(0, sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_QUEUE_DESTROY, &d));
	EXPECT_EQ(-ENOENT, sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_QUEUE_DESTROY, &d));
	/* A destroyed queue's doorbell cannot be mapped any more. */
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)c.doorbell_mmap_offset);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(self->queues, sa_sysfs_long(&self->d, "queue_count"));

	/* Several queues at once, each with its own doorbell page. */
	{
		struct sa_drm_queue more[3];

		for (int i = 0; i < 3; i++)
			ASSERT_EQ(0, sa_drm_queue_new(fd, 8, &more[i]));
		EXPECT_NE(more[0].id, more[1].id);
		EXPECT_NE(more[1].id, more[2].id);
		EXPECT_NE(more[0].id, more[2].id);
		EXPECT_EQ(self->queues + 3, sa_sysfs_long(&self->d, "queue_count"));
		for (int i = 0; i < 3; i++)
			EXPECT_EQ(0, sa_drm_queue_free(fd, &more[i]));
	}
	sa_drm_buf_free(fd, &ring);
	sa_drm_buf_free(fd, &fence);
	sa_drm_buf_free(fd, &ro);
	expect_baseline(_metadata, self);
}

TEST_HARNESS_MAIN
