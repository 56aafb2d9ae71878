// SPDX-License-Identifier: MIT
/*
 * The user-mode queue (accel_device.h): mapped ring and doorbell for
 * submission, the fence polled in memory and then waited for through
 * io_uring on the queue's eventfd.
 */
#include "accel_device.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>

#include "error.h"

/* Most layers on the emulated card take longer than this; tiny ones do not. */
#define SPIN_NS 50000
/* How often a blocked waiter looks at the queue state even without a wake-up. */
#define SLICE_NS 200000000

int64_t sa_accel_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

const char *sa_accel_error_name(uint32_t error)
{
	static const char *const names[] = {
		[SHIFTACCEL_ERR_NONE] = "no error",
		[SHIFTACCEL_ERR_MMU_FAULT] = "MMU fault",
		[SHIFTACCEL_ERR_BAD_DESC] = "invalid descriptor",
		[SHIFTACCEL_ERR_ENGINE] = "tensor engine error",
		[SHIFTACCEL_ERR_BAD_TAIL] = "bad doorbell tail",
		[SHIFTACCEL_ERR_TIMEOUT] = "job timeout (card reset)",
		[SHIFTACCEL_ERR_RESET] = "card reset",
		[SHIFTACCEL_ERR_DEVICE_LOST] = "device lost",
		[SHIFTACCEL_ERR_OTHER] = "firmware error",
	};

	return error < sizeof(names) / sizeof(names[0]) ? names[error] : "unknown error";
}

static sa_status queue_mmap(struct sa_accel_dev *d, struct sa_accel_queue *q,
			    const struct drm_shiftaccel_queue_create *c)
{
	void *p = mmap(NULL, q->ring.size, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd,
		       (off_t)c->ring_mmap_offset);

	if (p == MAP_FAILED)
		return sa_fail(SA_ERR_DEVICE, "%s: cannot map the ring: %s", d->node,
			       strerror(errno));
	q->ring_map = p;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd,
		 (off_t)c->doorbell_mmap_offset);
	if (p == MAP_FAILED)
		return sa_fail(SA_ERR_DEVICE, "%s: cannot map the doorbell: %s", d->node,
			       strerror(errno));
	q->doorbell = p;
	return SA_OK;
}

static sa_status queue_eventfd(struct sa_accel_dev *d, struct sa_accel_queue *q)
{
	struct drm_shiftaccel_queue_eventfd e = {.queue_id = q->id};

	/* Blocking: io_uring then waits for it instead of failing with EAGAIN. */
	q->efd = eventfd(0, EFD_CLOEXEC);
	if (q->efd < 0)
		return sa_fail(SA_ERR_DEVICE, "cannot create an eventfd: %s", strerror(errno));
	e.fd = q->efd;
	if (drmIoctl(d->fd, DRM_IOCTL_SHIFTACCEL_QUEUE_EVENTFD, &e) != 0)
		return sa_fail(SA_ERR_DEVICE, "%s: cannot attach the queue's eventfd: %s", d->node,
			       strerror(errno));
	if (io_uring_queue_init(4, &q->uring, 0) != 0)
		return sa_fail(SA_ERR_DEVICE, "cannot set up io_uring to wait for the card");
	q->have_uring = 1;
	return SA_OK;
}

sa_status sa_accel_queue_new(struct sa_accel_dev *d, uint32_t entries, struct sa_accel_queue *q)
{
	struct drm_shiftaccel_queue_create c = {0};
	sa_status st;

	memset(q, 0, sizeof(*q));
	q->efd = -1;
	st = sa_accel_bo_new(d, (uint64_t)entries * sizeof(struct sa_hw_desc), SHIFTACCEL_VM_READ,
			     &q->ring);
	if (st == SA_OK)
		st = sa_accel_bo_new(d, 4096, SHIFTACCEL_VM_READ | SHIFTACCEL_VM_WRITE, &q->fence);
	if (st != SA_OK)
		return st;
	c.ring_va = q->ring.va;
	c.fence_va = q->fence.va;
	c.ring_entries = entries;
	if (drmIoctl(d->fd, DRM_IOCTL_SHIFTACCEL_QUEUE_CREATE, &c) != 0) {
		if (errno == EDQUOT)
			return sa_fail(SA_ERR_DEVICE,
				       "%s: cannot create a queue: this file or user already holds "
				       "as many as the driver allows (shiftaccel module parameters "
				       "file_queue_limit, user_queue_limit)",
				       d->node);
		return sa_fail(SA_ERR_DEVICE, "%s: cannot create a queue: %s", d->node,
			       strerror(errno));
	}
	q->id = c.queue_id;
	q->entries = entries;
	q->tail = c.start_index;
	st = queue_mmap(d, q, &c);
	if (st == SA_OK)
		st = queue_eventfd(d, q);
	return st;
}

void sa_accel_queue_free(struct sa_accel_dev *d, struct sa_accel_queue *q)
{
	if (q->have_uring)
		io_uring_queue_exit(&q->uring);
	if (q->doorbell)
		munmap((void *)q->doorbell, 4096);
	if (q->ring_map)
		munmap(q->ring_map, q->ring.size);
	if (q->entries) {
		struct drm_shiftaccel_queue_destroy qd = {.queue_id = q->id};

		drmIoctl(d->fd, DRM_IOCTL_SHIFTACCEL_QUEUE_DESTROY, &qd);
	}
	if (q->efd >= 0)
		close(q->efd);
	sa_accel_bo_free(d, &q->ring);
	sa_accel_bo_free(d, &q->fence);
	memset(q, 0, sizeof(*q));
	q->efd = -1;
}

void sa_accel_queue_push(struct sa_accel_queue *q, const struct sa_hw_desc *descs, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++)
		memcpy(&q->ring_map[(q->tail + i) & (q->entries - 1)], &descs[i], sizeof(*descs));
	q->tail += count;
	/* The descriptors must be in memory before the card sees the new tail. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*q->doorbell = q->tail;
}

uint64_t sa_accel_queue_fence(const struct sa_accel_queue *q)
{
	return __atomic_load_n((const uint64_t *)q->fence.cpu, __ATOMIC_ACQUIRE);
}

/* Sleeps until the eventfd fires or one slice passes (the read stays armed across calls). */
static void block_on_eventfd(struct sa_accel_queue *q)
{
	struct __kernel_timespec ts = {.tv_sec = 0, .tv_nsec = SLICE_NS};
	struct io_uring_cqe *cqe;

	if (!q->read_pending) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&q->uring);

		if (!sqe)
			return;
		io_uring_prep_read(sqe, q->efd, &q->efd_count, sizeof(q->efd_count), 0);
		if (io_uring_submit(&q->uring) != 1)
			return;
		q->read_pending = 1;
	}
	if (io_uring_wait_cqe_timeout(&q->uring, &cqe, &ts) == 0) {
		io_uring_cqe_seen(&q->uring, cqe);
		q->read_pending = 0;
	}
}

static int queue_failed(struct sa_accel_dev *d, struct sa_accel_queue *q,
			struct drm_shiftaccel_status *st)
{
	memset(st, 0, sizeof(*st));
	st->queue_id = q->id;
	if (drmIoctl(d->fd, DRM_IOCTL_SHIFTACCEL_STATUS, st) != 0) {
		st->queue_state = SHIFTACCEL_QUEUE_STATE_LOST;
		st->error = SHIFTACCEL_ERR_DEVICE_LOST;
		return 1;
	}
	return st->queue_state != SHIFTACCEL_QUEUE_STATE_RUNNING;
}

sa_status sa_accel_queue_wait(struct sa_accel_dev *d, struct sa_accel_queue *q, uint64_t value,
			      int64_t timeout_ns, struct drm_shiftaccel_status *why)
{
	int64_t start = sa_accel_now_ns();

	/* Short jobs finish while we spin: no system call at all. */
	while (sa_accel_queue_fence(q) < value && sa_accel_now_ns() - start < SPIN_NS)
		sched_yield();
	while (sa_accel_queue_fence(q) < value) {
		if (queue_failed(d, q, why))
			return sa_fail(SA_ERR_DEVICE, "%s: queue %u stopped", d->node, q->id);
		if (sa_accel_now_ns() - start > timeout_ns)
			return sa_fail(SA_ERR_DEVICE,
				       "%s: queue %u made no progress to fence %llu in %lld ms",
				       d->node, q->id, (unsigned long long)value,
				       (long long)(timeout_ns / 1000000));
		int64_t t = sa_accel_now_ns();

		block_on_eventfd(q);
		q->blocked_ns += sa_accel_now_ns() - t;
	}
	return SA_OK;
}
