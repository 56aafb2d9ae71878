/* SPDX-License-Identifier: MIT */
/*
 * The one userspace wrapper of the shiftaccel DRM uapi: finding the cards,
 * opening an accel node, buffer objects, device VA mappings and user-mode
 * queues.  The library's accel backend, shiftaccel-info and the driver
 * selftests all use it, so each step exists once.
 *
 * Freestanding: plain ioctl() and sysfs, no libdrm calls, no sa_status.
 * Every call that can fail returns 0 (or a count, or an fd) and -errno on
 * failure; callers add their own messages.  Nothing here sanitises an
 * argument: the selftests pass hostile values through the same calls.
 */
#ifndef SA_DRM_H
#define SA_DRM_H

#include <stddef.h>
#include <stdint.h>

#include "../../uapi/drm/shiftaccel_accel.h"
#include "../../uapi/shiftaccel_hw.h"

#define SA_DRM_DRIVER_NAME "shiftaccel"
/* The driver's unit of BO sizes, and the doorbell page of a queue. */
#define SA_DRM_PAGE_SIZE 4096u
#define SA_DRM_DOORBELL_SIZE SA_DRM_PAGE_SIZE

/*
 * One PCI function with the ShiftAccel IDs (uapi/shiftaccel_ids.h).  Cards
 * are numbered in the order of their PCI addresses ("0000:00:04.0" before
 * "0000:00:05.0"), whatever their driver: that number is the N of
 * "accel:N", and it does not change when another card's driver fails.
 */
struct sa_drm_card {
	char pci_addr[16];   /* "0000:00:04.0" */
	char driver[32];     /* bound driver ("shiftaccel"), "" when none */
	char accel_name[16]; /* "accel1", "" when the driver registered none */
	char node[32];	     /* "/dev/accel/accel1", "" when none */
};

/*
 * Lists the ShiftAccel PCI functions under <sysfs_root>/sys/bus/pci/devices
 * (sysfs_root "" for the running system; tests pass a fake tree), sorted by
 * PCI address.  Fills cards[0..min(n, max)) and returns n, the number found
 * (it may exceed max), or -errno when the bus cannot be listed.
 */
int sa_drm_cards(const char *sysfs_root, struct sa_drm_card *cards, int max);

/* ioctl() restarted on EINTR: 0 or -errno. */
int sa_drm_ioctl(int fd, unsigned long request, void *arg);

/* Opens an accel node read/write, close-on-exec: the fd or -errno. */
int sa_drm_open(const char *node);
/* 1 when fd is a DRM device of the shiftaccel driver (DRM_IOCTL_VERSION), else 0. */
int sa_drm_is_shiftaccel(int fd);
/* DRM_IOCTL_SHIFTACCEL_GET_INFO into *info (zeroed first). */
int sa_drm_get_info(int fd, struct drm_shiftaccel_info *info);

/* Buffer objects and device VA mappings, one ioctl each. */
int sa_drm_bo_create(int fd, uint64_t size, uint32_t *handle);
int sa_drm_bo_close(int fd, uint32_t handle);
/* Maps size bytes of a BO into this process; NULL with errno set on failure, like mmap. */
void *sa_drm_bo_mmap(int fd, uint32_t handle, uint64_t size);
/* With SHIFTACCEL_VM_FIXED in flags, *va is the address asked for; out: the address mapped. */
int sa_drm_vm_map(int fd, uint32_t handle, uint64_t bo_offset, uint64_t size, uint32_t flags,
		  uint64_t *va);
int sa_drm_vm_unmap(int fd, uint64_t va);

/* A BO, its CPU mapping and its place in the card's address space. */
struct sa_drm_buf {
	uint32_t handle;
	uint64_t size; /* rounded up to pages */
	uint64_t va;   /* 0: not mapped */
	void *cpu;
};

/*
 * Create + mmap + VM_MAP a zeroed buffer of size bytes rounded up to pages, at the
 * device VA va (0: the driver picks).  On failure what was made is kept in
 * *b for sa_drm_buf_free, so the caller can tell which step failed.
 */
int sa_drm_buf_new_at(int fd, uint64_t size, uint32_t vm_flags, uint64_t va, struct sa_drm_buf *b);
int sa_drm_buf_new(int fd, uint64_t size, uint32_t vm_flags, struct sa_drm_buf *b);
void sa_drm_buf_free(int fd, struct sa_drm_buf *b);

/* A user-mode queue: ring and fence buffers, ring and doorbell mapped. */
struct sa_drm_queue {
	uint32_t id;
	uint32_t entries; /* 0 until QUEUE_CREATE succeeded */
	uint32_t tail;	  /* next ring index to fill */
	struct sa_drm_buf ring;
	struct sa_drm_buf fence;     /* the queue fence: u64 at fence.va */
	struct sa_hw_desc *ring_map; /* the ring through ring_mmap_offset */
	volatile uint32_t *doorbell; /* the mapped doorbell page */
};

/*
 * A queue of `entries` descriptors.  On failure what was made stays in *q
 * for sa_drm_queue_free (q->entries != 0: QUEUE_CREATE itself succeeded).
 */
int sa_drm_queue_new(int fd, uint32_t entries, struct sa_drm_queue *q);
/* Unmaps, destroys and frees what *q holds; the QUEUE_DESTROY result. */
int sa_drm_queue_free(int fd, struct sa_drm_queue *q);
/* The queue fence as the card last wrote it. */
uint64_t sa_drm_queue_fence(const struct sa_drm_queue *q);
/* Kernel bypass: writes the descriptors into the mapped ring and rings the doorbell. */
void sa_drm_queue_push(struct sa_drm_queue *q, const struct sa_hw_desc *descs, uint32_t count);
/*
 * Through DRM_IOCTL_SHIFTACCEL_SUBMIT instead of the mapped ring (callers
 * that do not map queues); signal_value and out_syncobj as in the uapi.
 */
int sa_drm_queue_submit(int fd, struct sa_drm_queue *q, const struct sa_hw_desc *descs,
			uint32_t count, uint64_t signal_value, uint32_t out_syncobj);
/* DRM_IOCTL_SHIFTACCEL_WAIT for the queue fence to reach value. */
int sa_drm_queue_wait(int fd, const struct sa_drm_queue *q, uint64_t value, int64_t timeout_ns);
/* DRM_IOCTL_SHIFTACCEL_STATUS of one queue into *st (zeroed first). */
int sa_drm_queue_status(int fd, uint32_t queue_id, struct drm_shiftaccel_status *st);
/* DRM_IOCTL_SHIFTACCEL_QUEUE_EVENTFD: the queue signals efd on completions. */
int sa_drm_queue_eventfd(int fd, uint32_t queue_id, int efd);

#endif /* SA_DRM_H */
