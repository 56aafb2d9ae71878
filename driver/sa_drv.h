/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * ShiftAccel DRM accel driver: the device, per-file contexts, queues.
 *
 * Locking, outermost first:
 *   sdev->lock      device state: boot, reset, the list of contexts and the
 *                   hardware queues in use
 *   ctx->lock       one file's address space (drm_mm, page tables) and queues
 *   q->submit_lock  the submit ioctl's ring writes
 *   sdev->mbox_lock one mailbox request at a time
 *   sdev->irq_lock  (spinlock) the hardware-queue table the interrupt
 *                   handlers walk, each queue's fence list and failure state
 */
#ifndef SA_DRV_H
#define SA_DRV_H

#include <linux/cleanup.h>
#include <linux/eventfd.h>
#include <linux/iosys-map.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/stringify.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_mm.h>
#include <drm/drm_print.h>

#include "shiftaccel_hw.h"
#include "shiftaccel_fw.h"
#include "drm/shiftaccel_accel.h"

#define SA_DRIVER_NAME "shiftaccel"
#define SA_DRIVER_DESC "ShiftAccel DeepShift accelerator"
#define SA_DRIVER_MAJOR 1
#define SA_DRIVER_MINOR 0
#define SA_DRIVER_PATCHLEVEL 0
/* modinfo's and /sys/module/shiftaccel/version: the DRM version ioctl's numbers */
#define SA_DRIVER_VERSION_STR                                           \
	__stringify(SA_DRIVER_MAJOR) "." __stringify(SA_DRIVER_MINOR) "." \
	__stringify(SA_DRIVER_PATCHLEVEL)

/* Default firmware file, relative to the firmware search path. */
#define SA_FW_DEFAULT_NAME "shiftaccel/shiftaccel-fw.bin"

/* Doorbell mmap offsets (pages) live below the GEM fake offsets. */
#define SA_DB_MMAP_PGOFF 0x10000ul

/*
 * Every context's page 1 holds the status blocks of its queues (one 64-byte
 * block per hardware queue), below SHIFTACCEL_VA_USER_START so no user
 * mapping can take its place.  Page 0 stays unmapped.
 */
#define SA_STATUS_VA 0x1000ull

struct sa_device;

#define SA_EVENTS_MAX 32 /* firmware events buffered for event_work */

/*
 * Rejects an ioctl argument: the debug log (drm.debug=0x2) names the field
 * and its value, the caller gets -EINVAL.
 */
#define sa_inval(sdev, fmt, ...)                                   \
	({                                                         \
		drm_dbg(&(sdev)->drm, "%s: " fmt, __func__, ##__VA_ARGS__); \
		-EINVAL;                                           \
	})

/*
 * Whether [va, va + size) is a non-empty range inside the part of the device
 * address space userspace may use.  Every address argument goes through
 * this before any lookup: drm_mm iterators do not terminate for ranges that
 * start at or beyond the end of the managed range.
 */
static inline bool sa_user_range_ok(u64 va, u64 size)
{
	return size && va >= SHIFTACCEL_VA_USER_START && va < SHIFTACCEL_VA_USER_END &&
	       size <= SHIFTACCEL_VA_USER_END - va;
}

/* One page table (4 KiB, 512 entries) in DMA-coherent memory. */
struct sa_pt {
	__le64 *cpu;
	dma_addr_t dma;
	struct sa_pt **next; /* lower tables; NULL in a leaf table */
};

/* A device address space: the card MMU's tables for one context. */
struct sa_vm {
	struct sa_device *sdev;
	struct sa_pt *root;
	u32 tables; /* allocated tables, for debugfs */
};

/* One VM_MAP of a buffer object in a context. */
struct sa_mapping {
	struct drm_mm_node node; /* VA range */
	struct drm_gem_object *obj; /* reference held */
	u64 bo_offset;
	u32 flags; /* SHIFTACCEL_VM_READ/WRITE */
	u32 busy; /* queues using it: unmap refuses while > 0 */
};

/*
 * A buffer object: a GEM shmem object whose pages the creating process is
 * charged for while it exists (sa_gem.c).
 */
struct sa_bo {
	struct drm_gem_shmem_object base;
	struct mm_struct *mm; /* charged (mm->pinned_vm), mmgrab() held; NULL: nobody */
	unsigned long charged; /* pages */
};

static inline struct sa_bo *to_sa_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct sa_bo, base);
}

/* Per open file: its MMU context and queues. */
struct sa_ctx {
	struct sa_device *sdev;
	struct mutex lock; /* vm, mm, queues, status */
	struct sa_vm vm;
	struct drm_mm mm;
	struct xarray queues; /* queue id -> struct sa_queue */
	struct sa_hw_queue_status *status; /* page at SA_STATUS_VA */
	dma_addr_t status_dma;
	u32 id; /* MMU context 1..255 */
	kuid_t uid; /* the opener: per-user limits */
	u32 num_queues; /* queues of this file, under sdev->lock */
	bool fw_live; /* the firmware knows this context */
	atomic_t faults;
	struct list_head link; /* sdev->contexts */
};

struct sa_queue {
	struct kref ref;
	struct sa_device *sdev;
	struct sa_ctx *ctx;
	u32 id; /* hardware queue index = doorbell page */
	u32 start_index;
	u32 entries;
	u32 vector;
	u32 priority;
	u64 ring_va;
	u64 fence_va;
	struct sa_mapping *ring_map;
	struct sa_mapping *fence_map;
	struct drm_gem_object *ring_obj; /* vmapped for the submit ioctl */
	struct drm_gem_object *fence_obj;
	struct iosys_map ring_vmap;
	struct iosys_map fence_vmap;
	struct sa_hw_desc *ring; /* kernel view of the ring */
	u64 *fence; /* kernel view of the queue fence */
	struct mutex submit_lock;
	wait_queue_head_t wq;
	/* under sdev->irq_lock */
	struct eventfd_ctx *eventfd;
	struct list_head fences; /* struct sa_fence waiting for the queue fence */
	u64 fence_context;
	u64 last_signal; /* last signal_value given to the submit ioctl */
	/* failure, set once; under sdev->irq_lock */
	u32 state; /* SHIFTACCEL_QUEUE_STATE_* */
	u32 error; /* SHIFTACCEL_ERR_* */
	u32 fw_error;
	u32 error_index;
	u32 error_tag;
	u32 fault_reason;
	u64 error_addr;
	/* hang detection (heartbeat work) */
	u32 seen_completed;
	unsigned long progress_jiffies;
	u64 notifies;
	u64 submits;
	bool dead; /* destroyed: no more submissions */
};

enum sa_dev_state {
	SA_DEV_DOWN, /* firmware not running */
	SA_DEV_READY,
	SA_DEV_RECOVERING,
	SA_DEV_LOST,
};

struct sa_device {
	struct drm_device drm;
	struct pci_dev *pdev;
	void __iomem *regs; /* BAR0 */
	void __iomem *db; /* BAR2 */
	resource_size_t db_phys;

	/* from the capability block */
	u32 hw_version;
	u32 hw_revision;
	u32 features;
	u32 num_queues;
	u32 num_contexts;
	u32 msix_vectors;
	u32 queue_vectors;

	/* firmware: a copy of the image (reloaded after resets) and its report */
	void *fw_image;
	size_t fw_size;
	struct sa_fw_header fw_header;
	struct sa_fw_boot_report fw;

	struct mutex lock; /* state, contexts, queue slots, firmware boot and reset */
	enum sa_dev_state state;
	struct list_head contexts; /* struct sa_ctx, under lock */
	unsigned long ctx_ids[BITS_TO_LONGS(SA_HW_NUM_CONTEXTS)];
	u32 reset_count;

	/* mailbox: one request at a time; replies and events from the irq */
	struct mutex mbox_lock;
	bool fw_up; /* requests allowed (under mbox_lock and mbox_irq_lock) */
	spinlock_t mbox_irq_lock;
	struct completion mbox_done;
	u8 mbox_token;
	bool mbox_waiting;
	struct sa_hw_mbox_msg mbox_reply;
	struct completion boot_done;
	struct sa_hw_mbox_msg boot_msg;
	/* asynchronous firmware events, handled by event_work */
	struct sa_hw_mbox_msg events[SA_EVENTS_MAX];
	u32 events_head, events_tail;
	u32 events_dropped;
	struct work_struct event_work;

	/* queues by hardware index, walked by the interrupt handlers */
	spinlock_t irq_lock;
	struct sa_queue *queues[SA_HW_MAX_QUEUES];

	/* recovery */
	unsigned long reset_pending; /* bit 0: reset_work queued */
	struct delayed_work health_work;
	struct work_struct reset_work;
	u32 last_heartbeat;
	unsigned long heartbeat_jiffies;

	/* counters (sysfs/debugfs): leak checks and statistics */
	atomic_t bo_count;
	atomic_t pinned_pages;
	atomic_t mappings;
	atomic_t queue_count;
	atomic_t ctx_count;
	atomic64_t irq_count;
	atomic64_t queue_faults;
};

static inline struct sa_device *to_sa(struct drm_device *drm)
{
	return container_of(drm, struct sa_device, drm);
}

/* The tail register of a queue's doorbell page (BAR2). */
static inline void __iomem *sa_doorbell(struct sa_device *sdev, u32 queue)
{
	return sdev->db + (size_t)queue * SA_DOORBELL_PAGE_SIZE + SA_DOORBELL_TAIL;
}

/* A per-user or per-file limit: the module parameter, or when it is 0 half the card's. */
static inline u32 sa_limit(unsigned int param, u32 card_total)
{
	return param ? param : max(card_total / 2, 1u);
}

static inline u32 sa_rd(struct sa_device *sdev, u32 off)
{
	return readl(sdev->regs + off);
}

static inline void sa_wr(struct sa_device *sdev, u32 off, u32 val)
{
	writel(val, sdev->regs + off);
}

extern char *sa_fw_name_param;
extern unsigned int sa_boot_timeout_ms;
extern unsigned int sa_mbox_timeout_ms;
extern unsigned int sa_job_timeout_ms;
extern unsigned int sa_heartbeat_timeout_ms;
extern unsigned int sa_file_queue_limit;
extern unsigned int sa_user_queue_limit;
extern unsigned int sa_user_context_limit;

/* sa_mmu.c */
int sa_vm_init(struct sa_vm *vm, struct sa_device *sdev);
void sa_vm_fini(struct sa_vm *vm);
int sa_vm_map_sgt(struct sa_vm *vm, u64 va, struct sg_table *sgt, u64 bo_offset, u64 size,
		  u64 prot);
int sa_vm_map_dma(struct sa_vm *vm, u64 va, dma_addr_t dma, u64 size, u64 prot);
void sa_vm_unmap(struct sa_vm *vm, u64 va, u64 size);

/* sa_gem.c */
struct drm_gem_object *sa_gem_create_object(struct drm_device *drm, size_t size);
int sa_ioctl_bo_create(struct drm_device *drm, void *data, struct drm_file *file);
int sa_ioctl_bo_mmap_offset(struct drm_device *drm, void *data, struct drm_file *file);

/* sa_ctx.c */
int sa_ctx_open(struct sa_device *sdev, struct drm_file *file);
void sa_ctx_close(struct sa_device *sdev, struct drm_file *file);
struct sa_mapping *sa_ctx_find_mapping(struct sa_ctx *ctx, u64 va, u64 len);
int sa_ctx_fw_create(struct sa_device *sdev, struct sa_ctx *ctx);
int sa_ioctl_vm_map(struct drm_device *drm, void *data, struct drm_file *file);
int sa_ioctl_vm_unmap(struct drm_device *drm, void *data, struct drm_file *file);

/* sa_queue.c */
int sa_ioctl_queue_create(struct drm_device *drm, void *data, struct drm_file *file);
int sa_ioctl_queue_destroy(struct drm_device *drm, void *data, struct drm_file *file);
int sa_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file);
int sa_ioctl_wait(struct drm_device *drm, void *data, struct drm_file *file);
int sa_ioctl_queue_eventfd(struct drm_device *drm, void *data, struct drm_file *file);
int sa_ioctl_status(struct drm_device *drm, void *data, struct drm_file *file);
void sa_queue_destroy_locked(struct sa_ctx *ctx, struct sa_queue *q);
int sa_queue_fw_create(struct sa_device *sdev, struct sa_queue *q);
void sa_queue_put(struct sa_queue *q);
void sa_queue_fail(struct sa_queue *q, u32 error, u32 fw_error);
void sa_queue_notify(struct sa_queue *q);
void sa_queue_poll(struct sa_queue *q);
void sa_queue_fault(struct sa_queue *q, u32 reason, u32 detail, u32 index, u32 tag, u64 addr);
int sa_queue_read_back(struct sa_device *sdev, struct sa_queue *q,
		       struct sa_fw_queue_status_reply *st);
void sa_queues_resync(struct sa_device *sdev);
int sa_mmap(struct file *filp, struct vm_area_struct *vma);

/* sa_irq.c */
int sa_irq_init(struct sa_device *sdev);
void sa_irq_enable_events(struct sa_device *sdev);
void sa_irq_disable(struct sa_device *sdev);

/* sa_mbox.c */
int sa_mbox_request(struct sa_device *sdev, u16 type, const void *args, size_t args_size,
		    void *reply, size_t reply_size);
void sa_mbox_irq(struct sa_device *sdev);
void sa_mbox_set_up(struct sa_device *sdev, bool up);
void sa_event_work(struct work_struct *work);

/* sa_fw.c */
int sa_fw_request(struct sa_device *sdev);
int sa_fw_boot(struct sa_device *sdev);
void sa_fw_halt(struct sa_device *sdev);
int sa_ctx_fw_destroy(struct sa_device *sdev, struct sa_ctx *ctx);
int sa_ctx_fw_invalidate(struct sa_device *sdev, struct sa_ctx *ctx);

/* sa_reset.c */
void sa_health_work(struct work_struct *work);
void sa_reset_work(struct work_struct *work);
void sa_schedule_reset(struct sa_device *sdev, const char *why);
int sa_dev_start(struct sa_device *sdev);
void sa_dev_stop(struct sa_device *sdev);
void sa_dev_mark_lost(struct sa_device *sdev);

/* sa_sysfs.c, sa_debugfs.c */
extern const struct attribute_group *sa_attr_groups[];
void sa_debugfs_init(struct sa_device *sdev);

#endif /* SA_DRV_H */
