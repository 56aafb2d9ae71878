/* SPDX-License-Identifier: MIT */
/*
 * ShiftAccel DRM accel driver UAPI (/dev/accel/accelN).
 *
 * docs/driver.md documents every ioctl.  Rules shared by all of them:
 *  - every struct has a fixed layout with explicit padding; fields named pad
 *    or reserved, and every flag bit not defined here, must be zero
 *    (-EINVAL otherwise), so they can be given a meaning later;
 *  - structs only grow at the end: the DRM core zero-fills fields an older
 *    caller does not pass, and zero always means "the old behaviour";
 *  - arrays passed by pointer carry their element size (desc_size), so the
 *    element can grow too.
 * Device virtual addresses (VAs) are addresses in the calling file's own
 * device address space (one MMU context per open file).
 */
#ifndef SHIFTACCEL_ACCEL_H
#define SHIFTACCEL_ACCEL_H

/* Kernel: include/uapi/drm/drm.h; userspace: libdrm's (pkg-config --cflags libdrm). */
#ifdef __KERNEL__
#include <drm/drm.h>
#else
#include "drm.h"
#endif

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_SHIFTACCEL_GET_INFO 0x00
#define DRM_SHIFTACCEL_BO_CREATE 0x01
#define DRM_SHIFTACCEL_BO_MMAP_OFFSET 0x02
#define DRM_SHIFTACCEL_VM_MAP 0x03
#define DRM_SHIFTACCEL_VM_UNMAP 0x04
#define DRM_SHIFTACCEL_QUEUE_CREATE 0x05
#define DRM_SHIFTACCEL_QUEUE_DESTROY 0x06
#define DRM_SHIFTACCEL_SUBMIT 0x07
#define DRM_SHIFTACCEL_WAIT 0x08
#define DRM_SHIFTACCEL_QUEUE_EVENTFD 0x09
#define DRM_SHIFTACCEL_STATUS 0x0a

/* Device virtual address range userspace may map buffers at: [start, end). */
#define SHIFTACCEL_VA_USER_START 0x0000000000100000ull /* 1 MiB: page 0 stays unmapped */
#define SHIFTACCEL_VA_USER_END 0x0000008000000000ull /* 2^39, the card's VA size */
/* Largest buffer object. */
#define SHIFTACCEL_BO_MAX_SIZE 0x100000000ull /* 4 GiB */

/* struct drm_shiftaccel_info.device_state */
#define SHIFTACCEL_DEVICE_READY 1 /* firmware booted, queues run */
#define SHIFTACCEL_DEVICE_RECOVERING 2 /* reset in progress */
#define SHIFTACCEL_DEVICE_LOST 3 /* firmware could not be restarted */

/* DRM_IOCTL_SHIFTACCEL_GET_INFO: what the card and its firmware are. */
struct drm_shiftaccel_info {
	__u32 flags; /* in: zero */
	__u32 pad; /* zero */
	/* out: the card (uapi/shiftaccel_hw.h register values) */
	__u32 hw_version; /* SA_REG_VERSION: major << 16 | minor */
	__u32 hw_revision; /* SA_REG_REVISION */
	__u32 hw_features; /* SA_FEAT_* */
	__u32 num_queues; /* hardware queues (doorbell pages) */
	__u32 num_contexts; /* MMU contexts, including the driver's context 0 */
	__u32 desc_size; /* bytes per ring descriptor */
	__u32 ring_min_entries;
	__u32 ring_max_entries;
	/* out: the running firmware */
	__u32 fw_version; /* SA_FW_VERSION_WORD: major << 24 | minor << 16 | patch */
	__u32 fw_capabilities; /* SA_FW_CAP_* */
	__u64 fw_build_id; /* the image's build id (CRC-32C of its code) */
	/* out: the driver's view */
	__u64 va_start; /* SHIFTACCEL_VA_USER_START */
	__u64 va_end; /* SHIFTACCEL_VA_USER_END */
	__u32 device_state; /* SHIFTACCEL_DEVICE_* */
	__u32 reset_count; /* card resets since probe */
	__u32 context_id; /* this file's MMU context (0: none yet) */
	__u32 driver_version; /* major << 16 | minor */
};

/* DRM_IOCTL_SHIFTACCEL_BO_CREATE: a shmem-backed buffer object. */
struct drm_shiftaccel_bo_create {
	__u64 size; /* in: bytes, 1..SHIFTACCEL_BO_MAX_SIZE, rounded up to pages; out: rounded */
	__u32 flags; /* in: zero */
	__u32 handle; /* out: GEM handle */
};

/* DRM_IOCTL_SHIFTACCEL_BO_MMAP_OFFSET: the offset to mmap() the BO at. */
struct drm_shiftaccel_bo_mmap_offset {
	__u32 handle; /* in */
	__u32 flags; /* in: zero */
	__u64 offset; /* out: pass to mmap() on the accel fd */
};

/* drm_shiftaccel_vm_map.flags */
#define SHIFTACCEL_VM_READ 0x1u /* the card may read */
#define SHIFTACCEL_VM_WRITE 0x2u /* the card may write */
#define SHIFTACCEL_VM_FIXED 0x4u /* map exactly at va, else the driver picks */
#define SHIFTACCEL_VM_FLAGS (SHIFTACCEL_VM_READ | SHIFTACCEL_VM_WRITE | SHIFTACCEL_VM_FIXED)

/*
 * DRM_IOCTL_SHIFTACCEL_VM_MAP: map [bo_offset, bo_offset + size) of a BO at
 * a device VA of this file's context.  The BO's pages stay pinned while the
 * mapping exists.  Page-aligned offset, size and va; READ and/or WRITE;
 * the range must lie inside [va_start, va_end) and overlap no mapping.
 */
struct drm_shiftaccel_vm_map {
	__u32 handle; /* in: BO */
	__u32 flags; /* in: SHIFTACCEL_VM_* */
	__u64 bo_offset; /* in */
	__u64 size; /* in */
	__u64 va; /* in: with SHIFTACCEL_VM_FIXED; out: where it is mapped */
};

/* DRM_IOCTL_SHIFTACCEL_VM_UNMAP: remove the mapping that starts at va. */
struct drm_shiftaccel_vm_unmap {
	__u64 va; /* in: exactly a mapping's start */
	__u32 flags; /* in: zero */
	__u32 pad; /* zero */
};

/*
 * DRM_IOCTL_SHIFTACCEL_QUEUE_CREATE: a user-mode queue in this file's context.
 * The ring (ring_entries x desc_size bytes at ring_va, 4 KiB aligned) and the
 * queue fence (u64 at fence_va, 8-byte aligned) must lie inside mappings of
 * this file (ring: READ, fence: READ and WRITE); those mappings cannot be
 * unmapped while the queue exists.  The queue fence is the 64-bit value the
 * wait ioctl, syncobjs and the eventfd observe; descriptors write it
 * (SA_DESC_F_FENCE with fence_addr = fence_va, plus SA_DESC_F_IRQ to wake
 * waiters).  It must only grow.
 */
struct drm_shiftaccel_queue_create {
	__u64 ring_va; /* in */
	__u64 fence_va; /* in */
	__u32 ring_entries; /* in: power of two, SA_RING_MIN_ENTRIES..SA_RING_MAX_ENTRIES */
	__u32 priority; /* in: SHIFTACCEL_PRIORITY_* */
	__u32 flags; /* in: zero */
	__u32 queue_id; /* out: names the queue in other ioctls */
	__u64 ring_mmap_offset; /* out: mmap() the ring (ring_entries x desc_size bytes) */
	__u64 doorbell_mmap_offset; /* out: mmap() one 4 KiB page: the doorbell */
	__u32 start_index; /* out: ring index of the first descriptor (the tail so far) */
	__u32 pad; /* zero */
};

/* Strict between levels, round-robin inside one (zero is the default). */
#define SHIFTACCEL_PRIORITY_NORMAL 0
#define SHIFTACCEL_PRIORITY_LOW 1
#define SHIFTACCEL_PRIORITY_HIGH 2

/* DRM_IOCTL_SHIFTACCEL_QUEUE_DESTROY */
struct drm_shiftaccel_queue_destroy {
	__u32 queue_id; /* in */
	__u32 flags; /* in: zero */
};

/*
 * DRM_IOCTL_SHIFTACCEL_SUBMIT: copy count descriptors into the queue's ring
 * and ring the doorbell, for callers that do not map the queue.  With
 * signal_value != 0 the driver appends an SA_OP_FENCE descriptor that writes
 * signal_value to the queue fence and raises the queue's interrupt; with
 * out_syncobj != 0 that syncobj's fence is replaced by one that signals when
 * the queue fence reaches signal_value (or fails with the queue).
 */
struct drm_shiftaccel_submit {
	__u64 descs; /* in: user pointer to count descriptors of desc_size bytes */
	__u32 count; /* in: 1..ring_entries (one slot less with signal_value) */
	__u32 desc_size; /* in: sizeof(struct sa_hw_desc) */
	__u32 queue_id; /* in */
	__u32 flags; /* in: zero */
	__u64 signal_value; /* in: 0 or the value the queue fence takes afterwards */
	__u32 out_syncobj; /* in: 0 or a syncobj handle (needs signal_value) */
	__u32 pad; /* zero */
	__u64 tail; /* out: ring index after the submission (what the doorbell holds) */
};

/*
 * DRM_IOCTL_SHIFTACCEL_WAIT: wait until the queue fence >= value.  Returns 0,
 * -ETIME when timeout_ns passed first, -EIO when the queue failed
 * (DRM_IOCTL_SHIFTACCEL_STATUS says why).  timeout_ns is relative; 0 polls.
 */
struct drm_shiftaccel_wait {
	__u64 value; /* in */
	__s64 timeout_ns; /* in: >= 0 */
	__u32 queue_id; /* in */
	__u32 flags; /* in: zero */
	__u64 fence_value; /* out: the queue fence when the call returned */
};

/*
 * DRM_IOCTL_SHIFTACCEL_QUEUE_EVENTFD: the eventfd is signalled from the
 * queue's MSI-X interrupt (descriptors with SA_DESC_F_IRQ) and when the queue
 * fails, so io_uring or poll() can wait on it.  fd = -1 removes it.
 */
struct drm_shiftaccel_queue_eventfd {
	__u32 queue_id; /* in */
	__s32 fd; /* in: eventfd, or -1 */
	__u32 flags; /* in: zero */
	__u32 pad; /* zero */
};

/* Queue states (drm_shiftaccel_status.queue_state). */
#define SHIFTACCEL_QUEUE_STATE_RUNNING 1
#define SHIFTACCEL_QUEUE_STATE_FAULTED 2 /* the firmware stopped it: see error */
#define SHIFTACCEL_QUEUE_STATE_LOST 3 /* work was lost in a card reset */

/* drm_shiftaccel_status.error: why a queue stopped. */
#define SHIFTACCEL_ERR_NONE 0
#define SHIFTACCEL_ERR_MMU_FAULT 1 /* the card could not translate error_addr */
#define SHIFTACCEL_ERR_BAD_DESC 2 /* invalid descriptor at error_index */
#define SHIFTACCEL_ERR_ENGINE 3 /* the engine rejected the descriptor */
#define SHIFTACCEL_ERR_BAD_TAIL 4 /* doorbell tail more than ring_entries ahead */
#define SHIFTACCEL_ERR_TIMEOUT 5 /* no progress within the job timeout: card reset */
#define SHIFTACCEL_ERR_RESET 6 /* the card was reset (another queue hung or fw died) */
#define SHIFTACCEL_ERR_DEVICE_LOST 7 /* the card is gone or could not be restarted */
#define SHIFTACCEL_ERR_OTHER 8 /* see fw_error */

/* DRM_IOCTL_SHIFTACCEL_STATUS: state of a queue and of the file's context. */
struct drm_shiftaccel_status {
	__u32 queue_id; /* in */
	__u32 flags; /* in: zero */
	__u32 queue_state; /* out: SHIFTACCEL_QUEUE_STATE_* */
	__u32 error; /* out: SHIFTACCEL_ERR_* */
	__u32 fw_error; /* out: the firmware's own reason code */
	__u32 error_index; /* out: ring index of the failing descriptor */
	__u32 error_tag; /* out: its tag */
	__u32 fault_reason; /* out: SA_FAULT_* for SHIFTACCEL_ERR_MMU_FAULT */
	__u64 error_addr; /* out: faulting device VA */
	__u32 head; /* out: descriptors consumed */
	__u32 completed; /* out: descriptors finished */
	__u64 fence_value; /* out: the queue fence */
	__u32 context_faults; /* out: faults of any queue of this file */
	__u32 reset_count; /* out: card resets since probe */
};

#define DRM_IOCTL_SHIFTACCEL_GET_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SHIFTACCEL_GET_INFO, struct drm_shiftaccel_info)
#define DRM_IOCTL_SHIFTACCEL_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SHIFTACCEL_BO_CREATE, struct drm_shiftaccel_bo_create)
#define DRM_IOCTL_SHIFTACCEL_BO_MMAP_OFFSET                       \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SHIFTACCEL_BO_MMAP_OFFSET, \
		 struct drm_shiftaccel_bo_mmap_offset)
#define DRM_IOCTL_SHIFTACCEL_VM_MAP \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SHIFTACCEL_VM_MAP, struct drm_shiftaccel_vm_map)
#define DRM_IOCTL_SHIFTACCEL_VM_UNMAP \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SHIFTACCEL_VM_UNMAP, struct drm_shiftaccel_vm_unmap)
#define DRM_IOCTL_SHIFTACCEL_QUEUE_CREATE                       \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SHIFTACCEL_QUEUE_CREATE, \
		 struct drm_shiftaccel_queue_create)
#define DRM_IOCTL_SHIFTACCEL_QUEUE_DESTROY                       \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SHIFTACCEL_QUEUE_DESTROY, \
		 struct drm_shiftaccel_queue_destroy)
#define DRM_IOCTL_SHIFTACCEL_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SHIFTACCEL_SUBMIT, struct drm_shiftaccel_submit)
#define DRM_IOCTL_SHIFTACCEL_WAIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SHIFTACCEL_WAIT, struct drm_shiftaccel_wait)
#define DRM_IOCTL_SHIFTACCEL_QUEUE_EVENTFD                       \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SHIFTACCEL_QUEUE_EVENTFD, \
		 struct drm_shiftaccel_queue_eventfd)
#define DRM_IOCTL_SHIFTACCEL_STATUS \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SHIFTACCEL_STATUS, struct drm_shiftaccel_status)

#if defined(__cplusplus)
}
#endif

#endif /* SHIFTACCEL_ACCEL_H */
