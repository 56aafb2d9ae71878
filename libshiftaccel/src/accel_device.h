/* SPDX-License-Identifier: MIT */
/*
 * The card as the accel backend sees it: an open accel node of the
 * shiftaccel driver (libdrm), buffer objects mapped both into this process
 * and into the file's device address space, and one user-mode queue whose
 * ring and doorbell are mapped, so submitting is plain stores.  Completion
 * is the queue fence in a mapped BO: polled briefly, then waited for by
 * io_uring reading the queue's eventfd.
 */
#ifndef SA_ACCEL_DEVICE_H
#define SA_ACCEL_DEVICE_H

#include <liburing.h>
#include <stdint.h>

#include "../drm/sa_drm.h"
#include "../include/shiftaccel.h"
#include "device_choice.h"

struct sa_accel_dev {
	int fd;
	char node[64]; /* "/dev/accel/accel0" */
	struct sa_card_id card;
	struct drm_shiftaccel_info info;
};

struct sa_accel_queue {
	struct sa_drm_queue hw; /* ring, fence, doorbell (sa_drm.h) */
	int efd;
	int have_uring, read_pending;
	int64_t blocked_ns; /* time spent asleep in sa_accel_queue_wait, summed */
	uint64_t efd_count; /* where the io_uring read lands */
	struct io_uring uring;
};

/*
 * Opens the card c names (c->kind is SA_DEVICE_ACCEL or SA_DEVICE_AUTO):
 * SA_ERR_NO_DEVICE naming what was asked, why it cannot be used and which
 * cards there are.
 */
sa_status sa_accel_dev_open(struct sa_accel_dev *d, const struct sa_device_choice *c);
void sa_accel_dev_close(struct sa_accel_dev *d);

/* A zeroed BO of at least size bytes, mmap()ed and mapped at a driver-chosen device VA. */
sa_status sa_accel_bo_new(struct sa_accel_dev *d, uint64_t size, uint32_t vm_flags,
			  struct sa_drm_buf *bo);

/* The message for a buffer the driver refused (err: errno): names RLIMIT_MEMLOCK on ENOMEM. */
sa_status sa_accel_bo_error(const struct sa_accel_dev *d, const char *what, uint64_t size, int err);

/* A queue of `entries` (power of two) descriptors with ring, doorbell and eventfd set up. */
sa_status sa_accel_queue_new(struct sa_accel_dev *d, uint32_t entries, struct sa_accel_queue *q);
void sa_accel_queue_free(struct sa_accel_dev *d, struct sa_accel_queue *q);

/* Writes count descriptors at the tail and rings the doorbell: no system call. */
void sa_accel_queue_push(struct sa_accel_queue *q, const struct sa_hw_desc *descs, uint32_t count);

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t sa_accel_now_ns(void);

/* The queue fence as the card last wrote it. */
uint64_t sa_accel_queue_fence(const struct sa_accel_queue *q);

/*
 * Waits until the queue fence reaches value.  SA_ERR_DEVICE when the queue
 * failed (*why then holds the driver's status: error, ring index, tag) or
 * nothing completed within timeout_ns (why->queue_state stays RUNNING).
 */
sa_status sa_accel_queue_wait(struct sa_accel_dev *d, struct sa_accel_queue *q, uint64_t value,
			      int64_t timeout_ns, struct drm_shiftaccel_status *why);

/* A short name for a SHIFTACCEL_ERR_* code. */
const char *sa_accel_error_name(uint32_t error);

#endif /* SA_ACCEL_DEVICE_H */
