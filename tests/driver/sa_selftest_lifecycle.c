// SPDX-License-Identifier: MIT
/*
 * Driver selftests, part 3 (run in the VM, card created with --debug-card):
 * recovery from a hung control processor, PCI suspend/resume, and removal of
 * the device while files are open.  They change the card's state, so they run
 * last and each leaves the card ready again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sa_selftest.h"

FIXTURE(life)
{
	struct sa_dev d;
	struct sa_drm_queue q;
	struct sa_conv_job job;
};

FIXTURE_SETUP(life)
{
	ASSERT_EQ(0, sa_dev_open(&self->d)) TH_LOG("no ShiftAccel card with a driver bound");
	ASSERT_EQ(0, sa_drm_queue_new(self->d.fd, 16, &self->q));
	ASSERT_EQ(0, sa_conv_job_new(self->d.fd, 77, &self->job));
}

FIXTURE_TEARDOWN(life)
{
	sa_conv_job_free(self->d.fd, &self->job);
	sa_drm_queue_free(self->d.fd, &self->q);
	sa_dev_close(&self->d);
}

/* One conv on the fixture's queue through the doorbell; 0 when its bytes are right. */
static int run_conv(FIXTURE_DATA(life) * self)
{
	struct sa_hw_desc d;
	uint64_t v = sa_drm_queue_fence(&self->q) + 1;
	int ret;

	memset(self->job.out.cpu, 0x5a, sa_conv_out_bytes(&self->job));
	sa_conv_desc(&self->job, &d, self->q.fence.va, v);
	sa_drm_queue_push(&self->q, &d, 1);
	ret = sa_drm_queue_wait(self->d.fd, &self->q, v, SA_TEST_TIMEOUT_NS);
	if (ret)
		return ret;
	return sa_conv_mismatches(&self->job) ? -EBADMSG : 0;
}

TEST_F_TIMEOUT(life, hung_firmware_is_reset_idle_queues_survive_busy_ones_fail, 180)
{
	char arm[32];
	struct drm_shiftaccel_status st;
	struct drm_shiftaccel_info info = {0};
	struct sa_drm_queue busy;
	struct sa_hw_desc d;
	long resets;

	ASSERT_NE(0, self->d.info.hw_features & SA_FEAT_FAULT_INJECT)
	TH_LOG("the card has no fault-injection block (tools/vmrun --debug-card)");
	ASSERT_EQ(0, run_conv(self));
	resets = sa_sysfs_long(&self->d, "reset_count");
	ASSERT_EQ(0, sa_drm_queue_new(self->d.fd, 8, &busy));

	/* Hang the control processor (the card's fault-injection block, via debugfs). */
	snprintf(arm, sizeof(arm), "%u", SA_FI_HANG_CP);
	ASSERT_EQ(0, sa_write_debugfs("fault_inject", arm));

	/* Work given to the hung card is lost, and the waiter hears about it. */
	sa_desc_nop(&d, busy.fence.va, 1);
	sa_drm_queue_push(&busy, &d, 1);
	EXPECT_EQ(-EIO, sa_drm_queue_wait(self->d.fd, &busy, 1, SA_TEST_TIMEOUT_NS));
	ASSERT_EQ(0, sa_drm_queue_status(self->d.fd, busy.id, &st));
	EXPECT_EQ(SHIFTACCEL_QUEUE_STATE_LOST, st.queue_state);
	EXPECT_EQ(SHIFTACCEL_ERR_RESET, st.error);
	EXPECT_EQ(-EIO, sa_drm_queue_submit(self->d.fd, &busy, &d, 1, 0, 0));
	EXPECT_EQ(0, sa_drm_queue_free(self->d.fd, &busy));

	/* The driver reset the card and reloaded the firmware once. */
	ASSERT_EQ(0, sa_wait_ready(&self->d, resets + 1));
	ASSERT_EQ(0, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SHIFTACCEL_GET_INFO, &info));
	EXPECT_EQ(resets + 1, info.reset_count);
	EXPECT_EQ(SHIFTACCEL_DEVICE_READY, info.device_state);
	/* The idle queue was restored where it was and computes correctly. */
	ASSERT_EQ(0, sa_drm_queue_status(self->d.fd, self->q.id, &st));
	EXPECT_EQ(SHIFTACCEL_QUEUE_STATE_RUNNING, st.queue_state);
	EXPECT_EQ(0, run_conv(self));
	/* New queues work too. */
	ASSERT_EQ(0, sa_drm_queue_new(self->d.fd, 8, &busy));
	sa_desc_nop(&d, busy.fence.va, 9);
	sa_drm_queue_push(&busy, &d, 1);
	EXPECT_EQ(0, sa_drm_queue_wait(self->d.fd, &busy, 9, SA_TEST_TIMEOUT_NS));
	EXPECT_EQ(0, sa_drm_queue_free(self->d.fd, &busy));
}

/*
 * A queue that waits for memory nobody writes is the file's own business:
 * after the job timeout it fails alone, named, and the card is not reset
 * under everybody else's work.
 */
TEST_F_TIMEOUT(life, a_queue_stuck_on_a_wait_fails_alone_without_a_reset, 120)
{
	struct drm_shiftaccel_status st;
	struct sa_hw_desc d[2];
	struct sa_drm_queue stuck;
	char old[32] = "10000";
	long resets;

	resets = sa_sysfs_long(&self->d, "reset_count");
	ASSERT_EQ(0, sa_param_get("job_timeout_ms", old, sizeof(old)));
	ASSERT_EQ(0, sa_param_set("job_timeout_ms", "1500"));

	/* A wait for a value nobody writes: the firmware is fine, the queue is stuck. */
	ASSERT_EQ(0, sa_drm_queue_new(self->d.fd, 8, &stuck));
	memset(d, 0, sizeof(d));
	d[0].opcode = SA_OP_WAIT;
	d[0].tag = 0x5157;
	d[0].u.wait.addr = stuck.fence.va + 8;
	d[0].u.wait.value = 1;
	d[0].u.wait.cond = SA_WAIT_GE;
	sa_desc_nop(&d[1], stuck.fence.va, 1);
	sa_drm_queue_push(&stuck, d, 2);
	EXPECT_EQ(-EIO, sa_drm_queue_wait(self->d.fd, &stuck, 1, SA_TEST_TIMEOUT_NS));
	sa_param_set("job_timeout_ms", old);
	ASSERT_EQ(0, sa_drm_queue_status(self->d.fd, stuck.id, &st));
	EXPECT_EQ(SHIFTACCEL_QUEUE_STATE_LOST, st.queue_state);
	EXPECT_EQ(SHIFTACCEL_ERR_TIMEOUT, st.error);
	EXPECT_EQ(stuck.tail - 2, st.error_index);
	EXPECT_EQ(0x5157, st.error_tag);
	/* Later writes of the value it waited for change nothing. */
	*(volatile uint64_t *)((char *)stuck.fence.cpu + 8) = 1;
	sa_sleep_ms(300);
	EXPECT_EQ(0, sa_drm_queue_fence(&stuck));
	EXPECT_EQ(0, sa_drm_queue_free(self->d.fd, &stuck));

	/* No reset, and the fixture's queue works on. */
	EXPECT_EQ(resets, sa_sysfs_long(&self->d, "reset_count"));
	EXPECT_EQ(0, run_conv(self));
	ASSERT_EQ(0, sa_drm_queue_status(self->d.fd, self->q.id, &st));
	EXPECT_EQ(SHIFTACCEL_QUEUE_STATE_RUNNING, st.queue_state);
}

TEST_F_TIMEOUT(life, removing_the_device_with_open_files, 120)
{
	struct drm_shiftaccel_info info = {0};
	char dev[PATH_MAX], path[PATH_MAX + 16];
	struct sa_dev again;

	ASSERT_NE(NULL, realpath(self->d.sysdir, dev));
	snprintf(path, sizeof(path), "%s/remove", dev);
	ASSERT_EQ(0, sa_write_file(path, "1"));
	/* The file is still open; every ioctl now says the device is gone. */
	EXPECT_EQ(-ENODEV, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SHIFTACCEL_GET_INFO, &info));
	EXPECT_EQ(-ENODEV, sa_drm_queue_submit(self->d.fd, &self->q, NULL, 1, 1, 0));
	EXPECT_EQ(-ENODEV, sa_drm_queue_wait(self->d.fd, &self->q, 1, 0));
	/* Closing it (the fixture teardown) must not crash; then bring the card back. */
	sa_conv_job_free(self->d.fd, &self->job);
	sa_drm_queue_free(self->d.fd, &self->q);
	sa_dev_close(&self->d);
	ASSERT_EQ(0, sa_write_file("/sys/bus/pci/rescan", "1"));
	for (int i = 0; i < 100 && sa_dev_open(&again); i++)
		sa_sleep_ms(100);
	ASSERT_LE(0, again.fd);
	EXPECT_EQ(SHIFTACCEL_DEVICE_READY, again.info.device_state);
	EXPECT_EQ(0, again.info.reset_count);
	sa_dev_close(&again);
	/* The teardown finds nothing left to free. */
	memset(&self->q, 0, sizeof(self->q));
	self->d.fd = -1;
}

TEST_F_TIMEOUT(life, suspend_and_resume_keep_idle_queues, 120)
{
	long resets = sa_sysfs_long(&self->d, "reset_count");

	ASSERT_EQ(0, run_conv(self));
	/* pm_test "devices": the PM core suspends every device, waits, resumes them. */
	ASSERT_EQ(0, sa_write_file("/sys/module/suspend/parameters/pm_test_delay", "1"));
	ASSERT_EQ(0, sa_write_file("/sys/power/pm_test", "devices"));
	EXPECT_EQ(0, sa_write_file("/sys/power/state", "freeze"));
	ASSERT_EQ(0, sa_write_file("/sys/power/pm_test", "none"));
	ASSERT_EQ(0, sa_wait_ready(&self->d, resets));
	EXPECT_EQ(0, run_conv(self));
}

TEST_HARNESS_MAIN
