// SPDX-License-Identifier: MIT
/*
 * Driver selftests, part 2 (run in the VM with shiftaccel.ko loaded): a real
 * conv layer through the submit ioctl and through the mapped ring and
 * doorbell (kernel bypass), checked byte for byte against the CPU reference
 * kernels; completions through the wait ioctl, a DRM syncobj and an eventfd;
 * faults that stop only the guilty queue; a hostile process next to a
 * well-behaved one.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sa_selftest.h"

#define RW (SHIFTACCEL_VM_READ | SHIFTACCEL_VM_WRITE)
/* The well-behaved process of the hostile test keeps its buffers up here. */
#define VICTIM_VA 0x4000000000ull

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Polls the queue fence in user memory (no system call) until it reaches value. */
static int poll_fence(const struct sa_drm_queue *q, uint64_t value)
{
	int64_t end = now_ns() + SA_TEST_TIMEOUT_NS;

	while (sa_drm_queue_fence(q) < value) {
		if (now_ns() > end)
			return -ETIME;
		sched_yield();
	}
	return 0;
}

FIXTURE(card)
{
	struct sa_dev d;
	struct sa_drm_queue q;
	struct sa_conv_job job;
};

FIXTURE_SETUP(card)
{
	ASSERT_EQ(0, sa_dev_open(&self->d)) TH_LOG("no ShiftAccel card with a driver bound");
	ASSERT_EQ(0, sa_drm_queue_new(self->d.fd, 16, &self->q));
	ASSERT_EQ(0, sa_conv_job_new(self->d.fd, 1234, &self->job));
}

FIXTURE_TEARDOWN(card)
{
	sa_conv_job_free(self->d.fd, &self->job);
	sa_drm_queue_free(self->d.fd, &self->q);
	sa_dev_close(&self->d);
}

TEST_F_TIMEOUT(card, conv_through_submit_ioctl_matches_cpu_reference, 120)
{
	struct drm_shiftaccel_status st;
	struct sa_hw_desc d;
	uint32_t start = self->q.tail;

	sa_conv_desc(&self->job, &d, 0, 0);
	ASSERT_EQ(0, sa_drm_queue_submit(self->d.fd, &self->q, &d, 1, 1, 0));
	EXPECT_EQ(start + 2, self->q.tail); /* the conv and the driver's fence descriptor */
	ASSERT_EQ(0, sa_drm_queue_wait(self->d.fd, &self->q, 1, SA_TEST_TIMEOUT_NS));
	EXPECT_EQ(1, sa_drm_queue_fence(&self->q));
	EXPECT_EQ(0, sa_conv_mismatches(&self->job))
	TH_LOG("%zu of %zu output bytes differ from sa_ref_conv", sa_conv_mismatches(&self->job),
	       sa_conv_out_bytes(&self->job));
	ASSERT_EQ(0, sa_drm_queue_status(self->d.fd, self->q.id, &st));
	EXPECT_EQ(SHIFTACCEL_QUEUE_STATE_RUNNING, st.queue_state);
	EXPECT_EQ(SHIFTACCEL_ERR_NONE, st.error);
	EXPECT_EQ(self->q.tail, st.completed);
	EXPECT_EQ(self->q.tail, st.head);
}

TEST_F_TIMEOUT(card, conv_through_mapped_doorbell_matches_cpu_reference, 120)
{
	struct sa_hw_desc d[2];

	/* Kernel bypass: two stores to the ring, one to the doorbell, no system call. */
	sa_conv_desc(&self->job, &d[0], 0, 0);
	sa_desc_nop(&d[1], self->q.fence.va, 7);
	sa_drm_queue_push(&self->q, d, 2);
	ASSERT_EQ(0, poll_fence(&self->q, 7));
	EXPECT_EQ(0, sa_conv_mismatches(&self->job))
	TH_LOG("%zu of %zu output bytes differ from sa_ref_conv", sa_conv_mismatches(&self->job),
	       sa_conv_out_bytes(&self->job));
	/* The submit ioctl continues from the tail the process stored. */
	memset(self->job.out.cpu, 0, sa_conv_out_bytes(&self->job));
	ASSERT_EQ(0, sa_drm_queue_submit(self->d.fd, &self->q, d, 1, 8, 0));
	ASSERT_EQ(0, sa_drm_queue_wait(self->d.fd, &self->q, 8, SA_TEST_TIMEOUT_NS));
	EXPECT_EQ(0, sa_conv_mismatches(&self->job));
}

TEST_F_TIMEOUT(card, ring_wraps_around, 120)
{
	struct sa_hw_desc d[3];
	uint64_t v = 0;

	/* 16 entries, 3 per doorbell, 30 rounds: the indices wrap many times. */
	for (int round = 0; round < 30; round++) {
		for (int i = 0; i < 3; i++)
			sa_desc_nop(&d[i], self->q.fence.va, ++v);
		sa_drm_queue_push(&self->q, d, 3);
		ASSERT_EQ(0, poll_fence(&self->q, v)) TH_LOG("round %d", round);
	}
	EXPECT_EQ(90, sa_drm_queue_fence(&self->q));
}

TEST_F(card, wait_ioctl_times_out_and_checks_arguments)
{
	struct drm_shiftaccel_wait w = {.queue_id = self->q.id, .value = 1};
	int64_t t0;

	t0 = now_ns();
	w.timeout_ns = 50 * 1000 * 1000;
	EXPECT_EQ(-ETIME, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SHIFTACCEL_WAIT, &w));
	EXPECT_LE(t0 + 50 * 1000 * 1000, now_ns());
	EXPECT_EQ(0, w.fence_value);
	w.value = 0;
	w.timeout_ns = 0;
	EXPECT_EQ(0, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SHIFTACCEL_WAIT, &w));
	w.timeout_ns = -1;
	EXPECT_EQ(-EINVAL, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SHIFTACCEL_WAIT, &w));
	w.timeout_ns = 0;
	w.flags = 1;
	EXPECT_EQ(-EINVAL, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SHIFTACCEL_WAIT, &w));
	w.flags = 0;
	w.queue_id = 1000;
	EXPECT_EQ(-ENOENT, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SHIFTACCEL_WAIT, &w));
}

TEST_F_TIMEOUT(card, syncobj_signals_when_the_job_completes, 120)
{
	struct drm_syncobj_create c = {0};
	struct drm_syncobj_destroy destroy = {0};
	struct drm_syncobj_wait w = {0};
	struct sa_hw_desc d;

	ASSERT_EQ(0, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SYNCOBJ_CREATE, &c));
	sa_conv_desc(&self->job, &d, 0, 0);
	/* A syncobj needs a signal value; values must grow; handles must exist. */
	EXPECT_EQ(-EINVAL, sa_drm_queue_submit(self->d.fd, &self->q, &d, 1, 0, c.handle));
	EXPECT_EQ(-ENOENT, sa_drm_queue_submit(self->d.fd, &self->q, &d, 1, 5, c.handle + 99));
	ASSERT_EQ(0, sa_drm_queue_submit(self->d.fd, &self->q, &d, 1, 5, c.handle));
	EXPECT_EQ(-EINVAL, sa_drm_queue_submit(self->d.fd, &self->q, &d, 1, 5, 0));

	w.handles = (uintptr_t)&c.handle;
	w.count_handles = 1;
	w.timeout_nsec = now_ns() + SA_TEST_TIMEOUT_NS;
	ASSERT_EQ(0, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SYNCOBJ_WAIT, &w));
	EXPECT_LE(5, sa_drm_queue_fence(&self->q));
	EXPECT_EQ(0, sa_conv_mismatches(&self->job));
	destroy.handle = c.handle;
	EXPECT_EQ(0, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SYNCOBJ_DESTROY, &destroy));
}

TEST_F_TIMEOUT(card, eventfd_is_signalled_by_the_queue_interrupt, 120)
{
	struct drm_shiftaccel_queue_eventfd e = {.queue_id = self->q.id};
	struct pollfd pfd;
	struct sa_hw_desc d[2];
	uint64_t count = 0;
	int efd;

	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	e.fd = efd;
	ASSERT_EQ(0, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SHIFTACCEL_QUEUE_EVENTFD, &e));
	EXPECT_EQ(-1, read(efd, &count, sizeof(count)));

	sa_conv_desc(&self->job, &d[0], 0, 0);
	sa_desc_nop(&d[1], self->q.fence.va, 3); /* fence + SA_DESC_F_IRQ */
	sa_drm_queue_push(&self->q, d, 2);
	pfd = (struct pollfd){.fd = efd, .events = POLLIN};
	ASSERT_EQ(1, poll(&pfd, 1, (int)(SA_TEST_TIMEOUT_NS / 1000000)));
	ASSERT_EQ(sizeof(count), read(efd, &count, sizeof(count)));
	EXPECT_LE(1, count);
	/* The interrupt comes after the fence write. */
	EXPECT_EQ(3, sa_drm_queue_fence(&self->q));
	EXPECT_EQ(0, sa_conv_mismatches(&self->job));

	e.fd = -1;
	EXPECT_EQ(0, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SHIFTACCEL_QUEUE_EVENTFD, &e));
	e.fd = efd;
	e.pad = 1;
	EXPECT_EQ(-EINVAL, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SHIFTACCEL_QUEUE_EVENTFD, &e));
	close(efd);
}

TEST_F_TIMEOUT(card, a_fault_stops_only_the_faulting_queue, 120)
{
	struct drm_shiftaccel_status st;
	struct sa_hw_desc bad, d;
	struct sa_drm_queue other;
	uint32_t bad_index = self->q.tail;

	ASSERT_EQ(0, sa_drm_queue_new(self->d.fd, 8, &other));
	/* An unknown opcode on one queue ... */
	memset(&bad, 0, sizeof(bad));
	bad.opcode = 0xee;
	bad.tag = 0x77;
	ASSERT_EQ(0, sa_drm_queue_submit(self->d.fd, &self->q, &bad, 1, 1, 0));
	EXPECT_EQ(-EIO, sa_drm_queue_wait(self->d.fd, &self->q, 1, SA_TEST_TIMEOUT_NS));
	ASSERT_EQ(0, sa_drm_queue_status(self->d.fd, self->q.id, &st));
	EXPECT_EQ(SHIFTACCEL_QUEUE_STATE_FAULTED, st.queue_state);
	EXPECT_EQ(SHIFTACCEL_ERR_BAD_DESC, st.error);
	EXPECT_EQ(SA_FW_FAULT_BAD_OPCODE, st.fw_error);
	EXPECT_EQ(bad_index, st.error_index);
	EXPECT_EQ(0x77, st.error_tag);
	EXPECT_LE(1, st.context_faults);
	/* ... which refuses more work ... */
	EXPECT_EQ(-EIO, sa_drm_queue_submit(self->d.fd, &self->q, &bad, 1, 2, 0));
	/* ... while the other queue of the same file still computes correctly. */
	sa_conv_desc(&self->job, &d, other.fence.va, 1);
	sa_drm_queue_push(&other, &d, 1);
	ASSERT_EQ(0, sa_drm_queue_wait(self->d.fd, &other, 1, SA_TEST_TIMEOUT_NS));
	EXPECT_EQ(0, sa_conv_mismatches(&self->job));
	ASSERT_EQ(0, sa_drm_queue_status(self->d.fd, other.id, &st));
	EXPECT_EQ(SHIFTACCEL_QUEUE_STATE_RUNNING, st.queue_state);
	EXPECT_EQ(0, sa_drm_queue_free(self->d.fd, &other));
}

TEST_F_TIMEOUT(card, an_unmapped_address_is_an_mmu_fault, 120)
{
	struct drm_shiftaccel_status st;
	struct sa_hw_desc d;
	uint64_t out_va = self->job.out.va;

	/* The output buffer is unmapped: the card cannot write it. */
	ASSERT_EQ(0, sa_drm_vm_unmap(self->d.fd, out_va));
	self->job.out.va = 0;
	sa_conv_desc(&self->job, &d, 0, 0);
	d.u.layer.out.addr = out_va;
	ASSERT_EQ(0, sa_drm_queue_submit(self->d.fd, &self->q, &d, 1, 1, 0));
	EXPECT_EQ(-EIO, sa_drm_queue_wait(self->d.fd, &self->q, 1, SA_TEST_TIMEOUT_NS));
	ASSERT_EQ(0, sa_drm_queue_status(self->d.fd, self->q.id, &st));
	EXPECT_EQ(SHIFTACCEL_QUEUE_STATE_FAULTED, st.queue_state);
	EXPECT_EQ(SHIFTACCEL_ERR_MMU_FAULT, st.error);
	EXPECT_EQ(SA_FAULT_NOT_PRESENT, st.fault_reason);
	EXPECT_LE(out_va, st.error_addr);
	EXPECT_GT(out_va + 4096, st.error_addr);
	/* Nothing was written: the bytes are still the 0x5a the test put there. */
	EXPECT_EQ(0x5a, ((uint8_t *)self->job.out.cpu)[0]);
}

TEST_F_TIMEOUT(card, killing_a_process_mid_job_leaves_the_card_usable, 120)
{
	long queues = sa_sysfs_long(&self->d, "queue_count");
	long pinned = sa_sysfs_long(&self->d, "pinned_pages");
	long bos = sa_sysfs_long(&self->d, "bo_count");
	struct sa_hw_desc d;
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct sa_hw_desc many[32];
		struct sa_conv_job job;
		struct sa_drm_queue q;
		struct sa_dev dev;

		if (sa_dev_open(&dev) || sa_drm_queue_new(dev.fd, 64, &q) ||
		    sa_conv_job_new(dev.fd, 3, &job))
			_exit(10);
		for (int i = 0; i < 32; i++)
			sa_conv_desc(&job, &many[i], q.fence.va, i + 1);
		sa_drm_queue_push(&q, many, 32);
		/* Die with the card in the middle of this process's work. */
		while (sa_drm_queue_fence(&q) < 1)
			sched_yield();
		kill(getpid(), SIGKILL);
		_exit(11);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status)) TH_LOG("child exited with %d", WEXITSTATUS(status));
	/* Its queue, mappings and buffers are gone ... */
	EXPECT_EQ(queues, sa_sysfs_long(&self->d, "queue_count"));
	EXPECT_EQ(pinned, sa_sysfs_long(&self->d, "pinned_pages"));
	EXPECT_EQ(bos, sa_sysfs_long(&self->d, "bo_count"));
	/* ... and this process still gets correct results. */
	sa_conv_desc(&self->job, &d, self->q.fence.va, 1);
	sa_drm_queue_push(&self->q, &d, 1);
	ASSERT_EQ(0, sa_drm_queue_wait(self->d.fd, &self->q, 1, SA_TEST_TIMEOUT_NS));
	EXPECT_EQ(0, sa_conv_mismatches(&self->job));
}

/* The well-behaved process: four conv jobs, each checked. */
static int victim(int to_hostile, int from_hostile)
{
	struct sa_conv_job job;
	struct sa_hw_desc d;
	struct sa_drm_queue q;
	struct sa_dev dev;
	uint64_t msg[2];
	char go;
	int bad = 0;

	if (sa_dev_open(&dev) || sa_drm_queue_new(dev.fd, 16, &q) ||
	    sa_conv_job_new_at(dev.fd, 99, VICTIM_VA, &job))
		return 10;
	msg[0] = job.out.va;
	msg[1] = q.id;
	if (write(to_hostile, msg, sizeof(msg)) != sizeof(msg) || read(from_hostile, &go, 1) != 1)
		return 11;
	for (uint64_t k = 1; k <= 4; k++) {
		memset(job.out.cpu, 0x5a, sa_conv_out_bytes(&job));
		sa_conv_desc(&job, &d, q.fence.va, k);
		sa_drm_queue_push(&q, &d, 1);
		if (sa_drm_queue_wait(dev.fd, &q, k, SA_TEST_TIMEOUT_NS))
			return 12;
		bad += sa_conv_mismatches(&job) != 0;
	}
	return bad ? 13 : 0;
}

TEST_F_TIMEOUT(card, hostile_process_faults_alone_while_another_computes, 180)
{
	struct drm_shiftaccel_status st;
	struct sa_hw_desc d[4];
	int to_hostile[2], from_hostile[2], status;
	uint64_t msg[2], victim_va;
	struct sa_drm_queue q2;
	pid_t pid;
	void *p;

	ASSERT_EQ(0, pipe(to_hostile));
	ASSERT_EQ(0, pipe(from_hostile));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(victim(to_hostile[1], from_hostile[0]));
	ASSERT_EQ(sizeof(msg), read(to_hostile[0], msg, sizeof(msg)));
	victim_va = msg[0];
	/* This process never mapped anything there. */
	ASSERT_TRUE(victim_va >= VICTIM_VA);
	ASSERT_TRUE(self->job.out.va < VICTIM_VA && self->q.fence.va < VICTIM_VA);
	ASSERT_EQ(1, write(from_hostile[1], "g", 1));

	/* The other process's doorbell cannot be mapped here. */
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->d.fd,
		 (off_t)((0x10000ull + msg[1]) << 12));
	EXPECT_EQ(MAP_FAILED, p);

	/* Read and overwrite the other process's output through its device address. */
	sa_desc_copy(&d[0], victim_va, self->job.out.va, 64);
	sa_desc_copy(&d[1], self->job.in.va, victim_va, 64);
	ASSERT_EQ(0, sa_drm_queue_submit(self->d.fd, &self->q, d, 2, 1, 0));
	EXPECT_EQ(-EIO, sa_drm_queue_wait(self->d.fd, &self->q, 1, SA_TEST_TIMEOUT_NS));
	ASSERT_EQ(0, sa_drm_queue_status(self->d.fd, self->q.id, &st));
	EXPECT_EQ(SHIFTACCEL_QUEUE_STATE_FAULTED, st.queue_state);
	EXPECT_EQ(SHIFTACCEL_ERR_MMU_FAULT, st.error);
	EXPECT_LE(victim_va, st.error_addr);
	EXPECT_GT(victim_va + 4096, st.error_addr);

	/* Garbage descriptors on a second queue fault it too. */
	ASSERT_EQ(0, sa_drm_queue_new(self->d.fd, 8, &q2));
	srand(5);
	for (size_t i = 0; i < sizeof(d); i++)
		((uint8_t *)d)[i] = (uint8_t)rand();
	d[0].opcode = SA_OP_CONV;
	sa_drm_queue_push(&q2, d, 4);
	EXPECT_EQ(-EIO, sa_drm_queue_wait(self->d.fd, &q2, ~0ull, SA_TEST_TIMEOUT_NS));
	ASSERT_EQ(0, sa_drm_queue_status(self->d.fd, q2.id, &st));
	EXPECT_EQ(SHIFTACCEL_QUEUE_STATE_FAULTED, st.queue_state);
	EXPECT_NE(SHIFTACCEL_ERR_NONE, st.error);
	EXPECT_EQ(0, sa_drm_queue_free(self->d.fd, &q2));

	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
	TH_LOG("the well-behaved process failed (code %d)", WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
