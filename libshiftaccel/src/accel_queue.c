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
#include <time.h>
#include <unistd.h>

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

static sa_status queue_eventfd(struct sa_accel_dev *d, struct sa_accel_queue *q)
{
	int ret;

	/* Blocking: io_uring then waits for it instead of failing with EAGAIN. */
	q->efd = eventfd(0, EFD_CLOEXEC);
	if (q->efd < 0)
		return sa_fail(SA_ERR_DEVICE, "cannot create an eventfd: %s", strerror(errno));
	ret = sa_drm_queue_eventfd(d->fd, q->hw.id, q->efd);
	if (ret)
		return sa_fail(SA_ERR_DEVICE, "%s: cannot attach the queue's eventfd: %s", d->node,
			       strerror(-ret));
	if (io_uring_queue_init(4, &q->uring, 0) != 0)
		return sa_fail(SA_ERR_DEVICE, "cannot set up io_uring to wait for the card");
	q->have_uring = 1;
	return SA_OK;
}

/* Which step of sa_drm_queue_new failed, from what it left in q->hw. */
static sa_status queue_error(struct sa_accel_dev *d, const struct sa_accel_queue *q,
			     uint32_t entries, int err)
{
	/* Its ring and fence buffers come first: a refused buffer gets the buffer messages. */
	if (!q->hw.ring.va)
		return sa_accel_bo_error(d, q->hw.ring.handle ? "map" : "create",
					 (uint64_t)entries * sizeof(struct sa_hw_desc), err);
	if (!q->hw.fence.va)
		return sa_accel_bo_error(d, q->hw.fence.handle ? "map" : "create", SA_DRM_PAGE_SIZE,
					 err);
	if (!q->hw.entries && err == EDQUOT)
		return sa_fail(SA_ERR_DEVICE,
			       "%s: cannot create a queue: this file or user already holds "
			       "as many as the driver allows (shiftaccel module parameters "
			       "file_queue_limit, user_queue_limit)",
			       d->node);
	if (!q->hw.entries)
		return sa_fail(SA_ERR_DEVICE, "%s: cannot create a queue: %s", d->node,
			       strerror(err));
	return sa_fail(SA_ERR_DEVICE, "%s: cannot map the %s: %s", d->node,
		       q->hw.ring_map ? "doorbell" : "ring", strerror(err));
}

sa_status sa_accel_queue_new(struct sa_accel_dev *d, uint32_t entries, struct sa_accel_queue *q)
{
	int ret;

	memset(q, 0, sizeof(*q));
	q->efd = -1;
	ret = sa_drm_queue_new(d->fd, entries, &q->hw);
	if (ret)
		return queue_error(d, q, entries, -ret);
	return queue_eventfd(d, q);
}

void sa_accel_queue_free(struct sa_accel_dev *d, struct sa_accel_queue *q)
{
	if (q->have_uring)
		io_uring_queue_exit(&q->uring);
	sa_drm_queue_free(d->fd, &q->hw);
	if (q->efd >= 0)
		close(q->efd);
	memset(q, 0, sizeof(*q));
	q->efd = -1;
}

void sa_accel_queue_push(struct sa_accel_queue *q, const struct sa_hw_desc *descs, uint32_t count)
{
	sa_drm_queue_push(&q->hw, descs, count);
}

uint64_t sa_accel_queue_fence(const struct sa_accel_queue *q)
{
	return sa_drm_queue_fence(&q->hw);
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
	if (sa_drm_queue_status(d->fd, q->hw.id, st) != 0) {
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
			return sa_fail(SA_ERR_DEVICE, "%s: queue %u stopped", d->node, q->hw.id);
		if (sa_accel_now_ns() - start > timeout_ns)
			return sa_fail(SA_ERR_DEVICE,
				       "%s: queue %u made no progress to fence %llu in %lld ms",
				       d->node, q->hw.id, (unsigned long long)value,
				       (long long)(timeout_ns / 1000000));
		int64_t t = sa_accel_now_ns();

		block_on_eventfd(q);
		q->blocked_ns += sa_accel_now_ns() - t;
	}
	return SA_OK;
}
