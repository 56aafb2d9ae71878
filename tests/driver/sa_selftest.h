/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the driver selftests (they run inside the VM guest with
 * shiftaccel.ko loaded): finding the card, ioctl wrappers, buffers mapped
 * into the card's address space, queues, and a small conv layer whose
 * expected output comes from the CPU reference kernels.
 */
#ifndef SA_SELFTEST_H
#define SA_SELFTEST_H

#include <stddef.h>
#include <stdint.h>

#include "drm/shiftaccel_accel.h"
#include "shiftaccel_fw.h"
#include "shiftaccel_hw.h"
#include "sa_kernels.h"

/* Long enough for the emulated card under TCG, short enough to never hang. */
#define SA_TEST_TIMEOUT_NS (20ll * 1000 * 1000 * 1000)

struct sa_dev {
	int fd;
	char sysdir[128]; /* /sys/class/accel/accelN/device */
	struct drm_shiftaccel_info info;
};

/* A BO, its CPU mapping and its place in the card's address space. */
struct sa_buf {
	uint32_t handle;
	uint64_t size;
	uint64_t va;
	void *cpu;
};

struct sa_queue {
	uint32_t id;
	uint32_t entries;
	uint32_t tail; /* next ring index to fill */
	struct sa_buf ring;
	struct sa_buf fence;	     /* the queue fence: u64 at fence.va */
	struct sa_hw_desc *ring_map; /* the ring through ring_mmap_offset */
	volatile uint32_t *doorbell; /* mapped doorbell page */
};

/* A conv layer with random data; expect[] from sa_ref_conv. */
struct sa_conv_job {
	struct sa_shape in_shape, out_shape;
	struct sa_conv_params p;
	struct sa_buf in, weights, bias, out;
	int8_t *expect;
};

/* Path of the device node, or "" when no ShiftAccel card has one. */
int sa_find_node(char *path, size_t len, char *sysdir, size_t syslen);
/* Opens the first card and reads its info; -errno on failure. */
int sa_dev_open(struct sa_dev *d);
void sa_dev_close(struct sa_dev *d);
/* An attribute of the card's sysfs directory as a number (-1 when unreadable). */
long sa_sysfs_long(const struct sa_dev *d, const char *name);
int sa_sysfs_str(const struct sa_dev *d, const char *name, char *buf, size_t len);

/* Writes a string to a file (sysfs, debugfs): 0 or -errno. */
int sa_write_file(const char *path, const char *s);
/* Writes a file of the card's debugfs directory (one card: accel/<name>/). */
int sa_write_debugfs(const char *name, const char *s);
void sa_sleep_ms(int ms);
/* Waits up to 60 s for the card to be ready with the given reset count (-1: any). */
int sa_wait_ready(const struct sa_dev *d, long resets);
/*
 * Drops CAP_IPC_LOCK from this process (effective and permitted), so the
 * driver's RLIMIT_MEMLOCK charge applies as to an unprivileged user; with
 * limit_bytes != 0 also sets that limit.  0 or -errno.
 */
int sa_become_unprivileged(unsigned long long limit_bytes);
/* A module parameter of shiftaccel (/sys/module/shiftaccel/parameters/NAME). */
int sa_param_get(const char *name, char *buf, size_t len);
int sa_param_set(const char *name, const char *value);

/* ioctl() returning 0 or -errno. */
int sa_ioctl(int fd, unsigned long request, void *arg);

int sa_bo_create(int fd, uint64_t size, uint32_t *handle);
int sa_bo_close(int fd, uint32_t handle);
void *sa_bo_mmap(int fd, uint32_t handle, uint64_t size);
int sa_vm_map(int fd, uint32_t handle, uint64_t bo_offset, uint64_t size, uint32_t flags,
	      uint64_t *va);
int sa_vm_unmap(int fd, uint64_t va);

/* Create + mmap + map (driver-chosen VA) a zeroed buffer. */
int sa_buf_new(int fd, uint64_t size, uint32_t vm_flags, struct sa_buf *b);
/* The same at a fixed device VA (0: the driver picks). */
int sa_buf_new_at(int fd, uint64_t size, uint32_t vm_flags, uint64_t va, struct sa_buf *b);
void sa_buf_free(int fd, struct sa_buf *b);

/* A queue with its ring and fence buffers, ring and doorbell mapped. */
int sa_queue_new(int fd, uint32_t entries, struct sa_queue *q);
int sa_queue_free(int fd, struct sa_queue *q);
uint64_t sa_queue_fence(const struct sa_queue *q);
/* Kernel bypass: writes the descriptors into the mapped ring and rings the doorbell. */
void sa_queue_push(struct sa_queue *q, const struct sa_hw_desc *descs, uint32_t count);
/* Through DRM_IOCTL_SHIFTACCEL_SUBMIT. */
int sa_queue_submit(int fd, struct sa_queue *q, const struct sa_hw_desc *descs, uint32_t count,
		    uint64_t signal_value, uint32_t out_syncobj);
int sa_queue_wait(int fd, const struct sa_queue *q, uint64_t value, int64_t timeout_ns);
int sa_queue_status(int fd, uint32_t id, struct drm_shiftaccel_status *st);

/* Fills descriptors (zeroed first). */
void sa_desc_nop(struct sa_hw_desc *d, uint64_t fence_va, uint64_t fence_value);
void sa_desc_copy(struct sa_hw_desc *d, uint64_t src, uint64_t dst, uint64_t len);

int sa_conv_job_new(int fd, unsigned int seed, struct sa_conv_job *j);
/* Its buffers at base_va, base_va + 1 MiB, ... (fixed addresses). */
int sa_conv_job_new_at(int fd, unsigned int seed, uint64_t base_va, struct sa_conv_job *j);
void sa_conv_job_free(int fd, struct sa_conv_job *j);
/* The conv descriptor; with fence_value != 0 it writes the fence and interrupts. */
void sa_conv_desc(const struct sa_conv_job *j, struct sa_hw_desc *d, uint64_t fence_va,
		  uint64_t fence_value);
/* Number of output bytes that differ from the reference (0: correct). */
size_t sa_conv_mismatches(const struct sa_conv_job *j);
size_t sa_conv_out_bytes(const struct sa_conv_job *j);

#endif /* SA_SELFTEST_H */
