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

/**
 * struct drm_shiftaccel_info - DRM_IOCTL_SHIFTACCEL_GET_INFO: what the card,
 * its firmware and this file's context are.
 * @flags: in: zero.
 * @pad: zero.
 * @hw_version: out: SA_REG_VERSION, major << 16 | minor (uapi/shiftaccel_hw.h).
 * @hw_revision: out: SA_REG_REVISION.
 * @hw_features: out: SA_FEAT_* bits.
 * @num_queues: out: hardware queues, i.e. doorbell pages.
 * @num_contexts: out: MMU contexts, including the driver's context 0.
 * @desc_size: out: bytes per ring descriptor (sizeof(struct sa_hw_desc)).
 * @ring_min_entries: out: smallest ring, in descriptors.
 * @ring_max_entries: out: largest ring, in descriptors.
 * @fw_version: out: SA_FW_VERSION_WORD, major << 24 | minor << 16 | patch.
 * @fw_capabilities: out: SA_FW_CAP_* bits of the running firmware.
 * @fw_build_id: out: the image's build id (CRC-32C of its code).
 * @va_start: out: SHIFTACCEL_VA_USER_START, first device VA a file may map.
 * @va_end: out: SHIFTACCEL_VA_USER_END, end (exclusive) of that range.
 * @device_state: out: SHIFTACCEL_DEVICE_*.
 * @reset_count: out: card resets since probe.
 * @context_id: out: this file's MMU context (0: none yet).
 * @driver_version: out: driver major << 16 | minor.
 */
struct drm_shiftaccel_info {
	__u32 flags;
	__u32 pad;
	__u32 hw_version;
	__u32 hw_revision;
	__u32 hw_features;
	__u32 num_queues;
	__u32 num_contexts;
	__u32 desc_size;
	__u32 ring_min_entries;
	__u32 ring_max_entries;
	__u32 fw_version;
	__u32 fw_capabilities;
	__u64 fw_build_id;
	__u64 va_start;
	__u64 va_end;
	__u32 device_state;
	__u32 reset_count;
	__u32 context_id;
	__u32 driver_version;
};

/**
 * struct drm_shiftaccel_bo_create - DRM_IOCTL_SHIFTACCEL_BO_CREATE: a
 * shmem-backed buffer object.
 * @size: in: bytes, 1..SHIFTACCEL_BO_MAX_SIZE; out: rounded up to pages.
 * @flags: in: zero.
 * @handle: out: the GEM handle (in: zero).
 *
 * mmap() and VM_MAP can pin every page of a BO, so its whole size is charged
 * to the creating process's RLIMIT_MEMLOCK (mm->pinned_vm, VmPin) until the
 * BO is freed; -ENOMEM over the limit (CAP_IPC_LOCK is exempt).
 */
struct drm_shiftaccel_bo_create {
	__u64 size;
	__u32 flags;
	__u32 handle;
};

/**
 * struct drm_shiftaccel_bo_mmap_offset - DRM_IOCTL_SHIFTACCEL_BO_MMAP_OFFSET:
 * the offset to mmap() a buffer object at.
 * @handle: in: the BO.
 * @flags: in: zero.
 * @offset: out: pass to mmap() on the accel fd.
 */
struct drm_shiftaccel_bo_mmap_offset {
	__u32 handle;
	__u32 flags;
	__u64 offset;
};

/* drm_shiftaccel_vm_map.flags */
#define SHIFTACCEL_VM_READ 0x1u /* the card may read */
#define SHIFTACCEL_VM_WRITE 0x2u /* the card may write */
#define SHIFTACCEL_VM_FIXED 0x4u /* map exactly at va, else the driver picks */
#define SHIFTACCEL_VM_FLAGS (SHIFTACCEL_VM_READ | SHIFTACCEL_VM_WRITE | SHIFTACCEL_VM_FIXED)

/**
 * struct drm_shiftaccel_vm_map - DRM_IOCTL_SHIFTACCEL_VM_MAP: map part of a
 * buffer object into this file's device address space.
 * @handle: in: the BO.
 * @flags: in: SHIFTACCEL_VM_READ and/or SHIFTACCEL_VM_WRITE, optionally
 *	SHIFTACCEL_VM_FIXED.
 * @bo_offset: in: page-aligned offset into the BO.
 * @size: in: page-aligned, non-zero; [bo_offset, bo_offset + size) lies in the BO.
 * @va: in: with SHIFTACCEL_VM_FIXED the page-aligned address, and
 *	[va, va + size) must lie inside [va_start, va_end) and overlap no
 *	mapping; otherwise zero.  out: where the range is mapped.
 *
 * The BO's pages stay pinned while the mapping exists (the BO was charged
 * for them when it was created).
 */
struct drm_shiftaccel_vm_map {
	__u32 handle;
	__u32 flags;
	__u64 bo_offset;
	__u64 size;
	__u64 va;
};

/**
 * struct drm_shiftaccel_vm_unmap - DRM_IOCTL_SHIFTACCEL_VM_UNMAP: remove the
 * mapping that starts at @va.
 * @va: in: exactly a mapping's start.
 * @flags: in: zero.
 * @pad: zero.
 */
struct drm_shiftaccel_vm_unmap {
	__u64 va;
	__u32 flags;
	__u32 pad;
};

/**
 * struct drm_shiftaccel_queue_create - DRM_IOCTL_SHIFTACCEL_QUEUE_CREATE: a
 * user-mode queue in this file's context.
 * @ring_va: in: the ring, @ring_entries x desc_size bytes, 4 KiB aligned,
 *	inside one readable mapping of this file.
 * @fence_va: in: the queue fence, a u64, 8-byte aligned, inside a readable
 *	and writable mapping of this file.
 * @ring_entries: in: power of two, SA_RING_MIN_ENTRIES..SA_RING_MAX_ENTRIES.
 * @priority: in: SHIFTACCEL_PRIORITY_*.
 * @flags: in: zero.
 * @queue_id: out: names the queue in other ioctls.
 * @ring_mmap_offset: out: mmap() the ring (ring_entries x desc_size bytes).
 * @doorbell_mmap_offset: out: mmap() one 4 KiB page: the doorbell.
 * @start_index: out: ring index of the first descriptor (the tail so far).
 * @pad: zero.
 *
 * The ring's and the fence's mappings cannot be unmapped while the queue
 * exists.  The queue fence is the 64-bit value the wait ioctl, syncobjs and
 * the eventfd observe; descriptors write it (SA_DESC_F_FENCE with
 * fence_addr = fence_va, plus SA_DESC_F_IRQ to wake waiters).  It must only
 * grow.  A file holds at most file_queue_limit queues and a user
 * user_queue_limit (module parameters; -EDQUOT over them).
 */
struct drm_shiftaccel_queue_create {
	__u64 ring_va;
	__u64 fence_va;
	__u32 ring_entries;
	__u32 priority;
	__u32 flags;
	__u32 queue_id;
	__u64 ring_mmap_offset;
	__u64 doorbell_mmap_offset;
	__u32 start_index;
	__u32 pad;
};

/* Strict between levels, round-robin inside one (zero is the default). */
#define SHIFTACCEL_PRIORITY_NORMAL 0
#define SHIFTACCEL_PRIORITY_LOW 1
#define SHIFTACCEL_PRIORITY_HIGH 2

/**
 * struct drm_shiftaccel_queue_destroy - DRM_IOCTL_SHIFTACCEL_QUEUE_DESTROY
 * @queue_id: in: a queue of this file.
 * @flags: in: zero.
 */
struct drm_shiftaccel_queue_destroy {
	__u32 queue_id;
	__u32 flags;
};

/**
 * struct drm_shiftaccel_submit - DRM_IOCTL_SHIFTACCEL_SUBMIT: copy
 * descriptors into the queue's ring and ring the doorbell, for callers that
 * do not map the queue.
 * @descs: in: user pointer to @count descriptors of @desc_size bytes.
 * @count: in: 1..ring_entries (one slot less with @signal_value).
 * @desc_size: in: sizeof(struct sa_hw_desc).
 * @queue_id: in: a queue of this file.
 * @flags: in: zero.
 * @signal_value: in: 0, or the value the queue fence takes afterwards: the
 *	driver appends an SA_OP_FENCE descriptor writing it, with an interrupt.
 *	Must be above every earlier one.
 * @out_syncobj: in: 0, or a syncobj whose fence is replaced by one that
 *	signals when the queue fence reaches @signal_value (or fails with the
 *	queue); needs @signal_value.
 * @pad: zero.
 * @tail: out: ring index after the submission (what the doorbell holds).
 */
struct drm_shiftaccel_submit {
	__u64 descs;
	__u32 count;
	__u32 desc_size;
	__u32 queue_id;
	__u32 flags;
	__u64 signal_value;
	__u32 out_syncobj;
	__u32 pad;
	__u64 tail;
};

/**
 * struct drm_shiftaccel_wait - DRM_IOCTL_SHIFTACCEL_WAIT: wait until the
 * queue fence >= @value.
 * @value: in: the fence value to wait for.
 * @timeout_ns: in: relative, >= 0; 0 polls, INT64_MAX waits for ever.
 * @queue_id: in: a queue of this file.
 * @flags: in: zero.
 * @fence_value: out: the queue fence when the call returned.
 *
 * Returns 0, -ETIME when @timeout_ns passed first, -EIO when the queue
 * failed (DRM_IOCTL_SHIFTACCEL_STATUS says why), -ENOENT when it was
 * destroyed.
 */
struct drm_shiftaccel_wait {
	__u64 value;
	__s64 timeout_ns;
	__u32 queue_id;
	__u32 flags;
	__u64 fence_value;
};

/**
 * struct drm_shiftaccel_queue_eventfd - DRM_IOCTL_SHIFTACCEL_QUEUE_EVENTFD:
 * an eventfd signalled from the queue's MSI-X interrupt (descriptors with
 * SA_DESC_F_IRQ) and when the queue fails, so io_uring or poll() can wait.
 * @queue_id: in: a queue of this file.
 * @fd: in: an eventfd, or -1 to remove it.
 * @flags: in: zero.
 * @pad: zero.
 */
struct drm_shiftaccel_queue_eventfd {
	__u32 queue_id;
	__s32 fd;
	__u32 flags;
	__u32 pad;
};

/* Queue states (drm_shiftaccel_status.queue_state). */
#define SHIFTACCEL_QUEUE_STATE_RUNNING 1
#define SHIFTACCEL_QUEUE_STATE_FAULTED 2 /* the firmware stopped it: see error */
#define SHIFTACCEL_QUEUE_STATE_LOST 3 /* work was lost in a card reset or a timeout */

/* drm_shiftaccel_status.error: why a queue stopped. */
#define SHIFTACCEL_ERR_NONE 0
#define SHIFTACCEL_ERR_MMU_FAULT 1 /* the card could not translate error_addr */
#define SHIFTACCEL_ERR_BAD_DESC 2 /* invalid descriptor at error_index */
#define SHIFTACCEL_ERR_ENGINE 3 /* the engine rejected the descriptor */
#define SHIFTACCEL_ERR_BAD_TAIL 4 /* doorbell tail more than ring_entries ahead */
#define SHIFTACCEL_ERR_TIMEOUT 5 /* no progress within the job timeout */
#define SHIFTACCEL_ERR_RESET 6 /* the card was reset (another queue hung or fw died) */
#define SHIFTACCEL_ERR_DEVICE_LOST 7 /* the card is gone or could not be restarted */
#define SHIFTACCEL_ERR_OTHER 8 /* see fw_error */

/**
 * struct drm_shiftaccel_status - DRM_IOCTL_SHIFTACCEL_STATUS: state of a
 * queue and of the file's context.
 * @queue_id: in: a queue of this file.
 * @flags: in: zero.
 * @queue_state: out: SHIFTACCEL_QUEUE_STATE_*.
 * @error: out: SHIFTACCEL_ERR_*.
 * @fw_error: out: the firmware's own reason code (SA_FW_FAULT_*).
 * @error_index: out: ring index of the failing descriptor.
 * @error_tag: out: its tag.
 * @fault_reason: out: SA_FAULT_* for SHIFTACCEL_ERR_MMU_FAULT.
 * @error_addr: out: the faulting device VA.
 * @head: out: descriptors consumed.
 * @completed: out: descriptors finished.
 * @fence_value: out: the queue fence.
 * @context_faults: out: faults of any queue of this file.
 * @reset_count: out: card resets since probe.
 */
struct drm_shiftaccel_status {
	__u32 queue_id;
	__u32 flags;
	__u32 queue_state;
	__u32 error;
	__u32 fw_error;
	__u32 error_index;
	__u32 error_tag;
	__u32 fault_reason;
	__u64 error_addr;
	__u32 head;
	__u32 completed;
	__u64 fence_value;
	__u32 context_faults;
	__u32 reset_count;
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
