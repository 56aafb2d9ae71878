/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the driver selftests (they run inside the VM guest with
 * shiftaccel.ko loaded): finding the card, sysfs and module parameters, and
 * a small conv layer whose expected output comes from the CPU reference
 * kernels.  The ioctl plumbing (buffers, mappings, queues) is the DRM
 * wrapper every userspace part shares (libshiftaccel/drm/sa_drm.h); hostile
 * arguments still go to the driver through sa_drm_ioctl() unchanged.
 */
#ifndef SA_SELFTEST_H
#define SA_SELFTEST_H

#include <stddef.h>
#include <stdint.h>

#include "sa_drm.h"
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

/* A conv layer with random data; expect[] from sa_ref_conv. */
struct sa_conv_job {
	struct sa_shape in_shape, out_shape;
	struct sa_conv_params p;
	struct sa_drm_buf in, weights, bias, out;
	int8_t *expect;
};

/* Path of the first card's device node (sa_drm_cards order); -ENOENT when none has one. */
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
