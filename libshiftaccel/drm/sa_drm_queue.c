// SPDX-License-Identifier: MIT
/* User-mode queues: ring and fence buffers, mapped ring and doorbell (sa_drm.h). */
#include "sa_drm.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

static int map_queue_page(int fd, uint64_t size, uint64_t offset, void **p)
{
	void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)offset);

	if (m == MAP_FAILED)
		return -errno;
	*p = m;
	return 0;
}

int sa_drm_queue_new(int fd, uint32_t entries, struct sa_drm_queue *q)
{
	struct drm_shiftaccel_queue_create c = {0};
	void *ring = NULL, *doorbell = NULL;
	int ret;

	memset(q, 0, sizeof(*q));
	ret = sa_drm_buf_new(fd, (uint64_t)entries * sizeof(struct sa_hw_desc), SHIFTACCEL_VM_READ,
			     &q->ring);
	if (!ret)
		ret = sa_drm_buf_new(fd, SA_DRM_PAGE_SIZE, SHIFTACCEL_VM_READ | SHIFTACCEL_VM_WRITE,
				     &q->fence);
	if (ret)
		return ret;
	c.ring_va = q->ring.va;
	c.fence_va = q->fence.va;
	c.ring_entries = entries;
	ret = sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_QUEUE_CREATE, &c);
	if (ret)
		return ret;
	q->id = c.queue_id;
	q->entries = entries;
	q->tail = c.start_index;
	ret = map_queue_page(fd, q->ring.size, c.ring_mmap_offset, &ring);
	if (ret)
		return ret;
	q->ring_map = ring;
	ret = map_queue_page(fd, SA_DRM_DOORBELL_SIZE, c.doorbell_mmap_offset, &doorbell);
	if (ret)
		return ret;
	q->doorbell = doorbell;
	return 0;
}

int sa_drm_queue_free(int fd, struct sa_drm_queue *q)
{
	struct drm_shiftaccel_queue_destroy d = {.queue_id = q->id};
	int ret = 0;

	if (q->doorbell)
		munmap((void *)q->doorbell, SA_DRM_DOORBELL_SIZE);
	if (q->ring_map)
		munmap(q->ring_map, q->ring.size);
	if (q->entries)
		ret = sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_QUEUE_DESTROY, &d);
	sa_drm_buf_free(fd, &q->ring);
	sa_drm_buf_free(fd, &q->fence);
	memset(q, 0, sizeof(*q));
	return ret;
}

uint64_t sa_drm_queue_fence(const struct sa_drm_queue *q)
{
	return __atomic_load_n((const uint64_t *)q->fence.cpu, __ATOMIC_ACQUIRE);
}

void sa_drm_queue_push(struct sa_drm_queue *q, const struct sa_hw_desc *descs, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++)
		memcpy(&q->ring_map[(q->tail + i) & (q->entries - 1)], &descs[i], sizeof(*descs));
	q->tail += count;
	/* The descriptors must be in memory before the card sees the new tail. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*q->doorbell = q->tail;
}

int sa_drm_queue_submit(int fd, struct sa_drm_queue *q, const struct sa_hw_desc *descs,
			uint32_t count, uint64_t signal_value, uint32_t out_syncobj)
{
	struct drm_shiftaccel_submit s = {
		.descs = (uintptr_t)descs,
		.count = count,
		.desc_size = sizeof(*descs),
		.queue_id = q->id,
		.signal_value = signal_value,
		.out_syncobj = out_syncobj,
	};
	int ret = sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_SUBMIT, &s);

	if (!ret)
		q->tail = (uint32_t)s.tail;
	return ret;
}

int sa_drm_queue_wait(int fd, const struct sa_drm_queue *q, uint64_t value, int64_t timeout_ns)
{
	struct drm_shiftaccel_wait w = {
		.value = value,
		.timeout_ns = timeout_ns,
		.queue_id = q->id,
	};

	return sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_WAIT, &w);
}

int sa_drm_queue_status(int fd, uint32_t queue_id, struct drm_shiftaccel_status *st)
{
	memset(st, 0, sizeof(*st));
	st->queue_id = queue_id;
	return sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_STATUS, st);
}

int sa_drm_queue_eventfd(int fd, uint32_t queue_id, int efd)
{
	struct drm_shiftaccel_queue_eventfd e = {.queue_id = queue_id, .fd = efd};

	return sa_drm_ioctl(fd, DRM_IOCTL_SHIFTACCEL_QUEUE_EVENTFD, &e);
}
