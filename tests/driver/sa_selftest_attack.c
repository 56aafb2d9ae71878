// SPDX-License-Identifier: MIT
/*
 * Driver selftests, part 4 (run in the VM, card created with --debug-card):
 * what a hostile or careless user of /dev/accel/accelN does, written from
 * uapi/drm/shiftaccel_accel.h and docs/driver.md.  Address arguments at the
 * ends of the device VA space, work rung in while the card recovers, pinned
 * memory against RLIMIT_MEMLOCK, a flood of faults overflowing the
 * firmware's event channel, and one file or user taking every queue or
 * context.  Each of these hung the kernel, lost a job or starved other users
 * before the driver was fixed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sa_selftest.h"

#define RW (SHIFTACCEL_VM_READ | SHIFTACCEL_VM_WRITE)
#define PAGE 4096ull
#define VA_END SHIFTACCEL_VA_USER_END

/* Module parameters the tests change; the teardown puts them back. */
static const char *const saved_params[] = {"file_queue_limit", "user_queue_limit",
					   "user_context_limit", "job_timeout_ms"};
#define NPARAMS (sizeof(saved_params) / sizeof(saved_params[0]))

FIXTURE(attack)
{
	struct sa_dev d;
	char saved[NPARAMS][32];
};

FIXTURE_SETUP(attack)
{
	/* A parameter the module lacks stays unset; a test that needs it fails there. */
	for (size_t i = 0; i < NPARAMS; i++)
		if (sa_param_get(saved_params[i], self->saved[i], sizeof(self->saved[i])))
			self->saved[i][0] = 0;
	ASSERT_EQ(0, sa_dev_open(&self->d)) TH_LOG("no ShiftAccel card with a driver bound");
}

FIXTURE_TEARDOWN(attack)
{
	sa_dev_close(&self->d);
	for (size_t i = 0; i < NPARAMS; i++)
		if (self->saved[i][0])
			sa_param_set(saved_params[i], self->saved[i]);
}

/* Addresses a user may pass that lie at or past the end of the VA space, or wrap. */
static const uint64_t hostile_va[] = {
	VA_END,
	VA_END + PAGE,
	VA_END - PAGE, /* inside, but nothing is mapped there */
	1ull << 40,
	1ull << 63,
	~0ull - PAGE + 1,
	~0ull - 7,
	~0ull,
	0,
	PAGE,
	SHIFTACCEL_VA_USER_START - PAGE,
	1ull << 32,
};

TEST_F_TIMEOUT(attack, vm_unmap_at_hostile_addresses_is_refused, 60)
{
	for (size_t i = 0; i < sizeof(hostile_va) / sizeof(hostile_va[0]); i++) {
		EXPECT_EQ(-EINVAL, sa_drm_vm_unmap(self->d.fd, hostile_va[i]))
		TH_LOG("VM_UNMAP va %#llx", (unsigned long long)hostile_va[i]);
	}
}

TEST_F_TIMEOUT(attack, vm_map_fixed_past_the_end_is_refused, 60)
{
	static const struct {
		uint64_t va, size;
	} cases[] = {
		{VA_END, PAGE},
		{VA_END - PAGE, 2 * PAGE}, /* runs over the end */
		{~0ull - PAGE + 1, PAGE},  /* wraps */
		{1ull << 63, PAGE},
		{VA_END - PAGE, ~0ull - PAGE + 1},
		{SHIFTACCEL_VA_USER_START - PAGE, PAGE},
	};
	uint32_t handle;
	uint64_t va;

	ASSERT_EQ(0, sa_drm_bo_create(self->d.fd, 2 * PAGE, &handle));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		va = cases[i].va;
		EXPECT_EQ(-EINVAL, sa_drm_vm_map(self->d.fd, handle, 0, cases[i].size,
						 RW | SHIFTACCEL_VM_FIXED, &va))
		TH_LOG("VM_MAP va %#llx size %#llx", (unsigned long long)cases[i].va,
		       (unsigned long long)cases[i].size);
	}
	/* The last page of the VA space is a place like any other. */
	va = VA_END - PAGE;
	EXPECT_EQ(0, sa_drm_vm_map(self->d.fd, handle, 0, PAGE, RW | SHIFTACCEL_VM_FIXED, &va));
	EXPECT_EQ(0, sa_drm_vm_unmap(self->d.fd, VA_END - PAGE));
	EXPECT_EQ(0, sa_drm_bo_close(self->d.fd, handle));
}

TEST_F_TIMEOUT(attack, queue_create_with_hostile_ring_and_fence_is_refused, 60)
{
	struct drm_shiftaccel_queue_create c;
	struct sa_drm_buf ok;

	ASSERT_EQ(0, sa_drm_buf_new(self->d.fd, 64 * 1024, RW, &ok));
	for (size_t i = 0; i < sizeof(hostile_va) / sizeof(hostile_va[0]); i++) {
		memset(&c, 0, sizeof(c));
		c.ring_entries = 8;
		c.ring_va = hostile_va[i] & ~(PAGE - 1);
		c.fence_va = ok.va;
		EXPECT_EQ(-EINVAL, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SHIFTACCEL_QUEUE_CREATE, &c))
		TH_LOG("ring_va %#llx", (unsigned long long)c.ring_va);
		memset(&c, 0, sizeof(c));
		c.ring_entries = 8;
		c.ring_va = ok.va;
		c.fence_va = hostile_va[i] & ~7ull;
		EXPECT_EQ(-EINVAL, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SHIFTACCEL_QUEUE_CREATE, &c))
		TH_LOG("fence_va %#llx", (unsigned long long)c.fence_va);
	}
	/* A ring that starts in the last page but needs more than it. */
	memset(&c, 0, sizeof(c));
	c.ring_entries = SA_RING_MAX_ENTRIES;
	c.ring_va = VA_END - PAGE;
	c.fence_va = ok.va;
	EXPECT_EQ(-EINVAL, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SHIFTACCEL_QUEUE_CREATE, &c));
	sa_drm_buf_free(self->d.fd, &ok);
}

/* The largest timeout means "forever", not a deadline that wrapped into the past. */
TEST_F_TIMEOUT(attack, wait_with_the_largest_timeout_waits, 60)
{
	struct drm_shiftaccel_wait w;
	struct sa_drm_queue q;
	struct sa_hw_desc d;

	ASSERT_EQ(0, sa_drm_queue_new(self->d.fd, 8, &q));
	sa_desc_nop(&d, q.fence.va, 1);
	sa_drm_queue_push(&q, &d, 1);
	memset(&w, 0, sizeof(w));
	w.queue_id = q.id;
	w.value = 1;
	w.timeout_ns = INT64_MAX;
	EXPECT_EQ(0, sa_drm_ioctl(self->d.fd, DRM_IOCTL_SHIFTACCEL_WAIT, &w));
	EXPECT_EQ(1, w.fence_value);
	EXPECT_EQ(0, sa_drm_queue_free(self->d.fd, &q));
}

/*
 * Jobs rung in while the card recovers from a reset complete once it is
 * back, through the doorbell and through the submit ioctl alike.  The
 * reset count goes up after the card has stopped and before the firmware
 * is restarted, so work pushed as soon as it changes lands in that window.
 */
TEST_F_TIMEOUT(attack, work_rung_in_during_a_reset_completes, 300)
{
	struct drm_shiftaccel_status st;
	struct sa_drm_queue bypass, ioctl_q;
	int in_window = 0, rounds = 6;
	struct sa_hw_desc d;
	char state[32];
	long resets;

	ASSERT_EQ(0, sa_drm_queue_new(self->d.fd, 8, &bypass));
	ASSERT_EQ(0, sa_drm_queue_new(self->d.fd, 8, &ioctl_q));
	for (int r = 1; r <= rounds; r++) {
		resets = sa_sysfs_long(&self->d, "reset_count");
		ASSERT_EQ(0, sa_write_debugfs("force_reset", "1"));
		while (sa_sysfs_long(&self->d, "reset_count") == resets)
			;
		sa_desc_nop(&d, bypass.fence.va, r);
		sa_drm_queue_push(&bypass, &d, 1);
		/* A plain NOP; the driver appends the fence write for signal_value. */
		sa_desc_nop(&d, 0, 0);
		ASSERT_EQ(0, sa_drm_queue_submit(self->d.fd, &ioctl_q, &d, 1, r, 0));
		if (!sa_sysfs_str(&self->d, "device_state", state, sizeof(state)) &&
		    strcmp(state, "ready"))
			in_window++;
		EXPECT_EQ(0, sa_drm_queue_wait(self->d.fd, &bypass, r, SA_TEST_TIMEOUT_NS))
		TH_LOG("round %d: the doorbell's job was lost in the reset", r);
		EXPECT_EQ(0, sa_drm_queue_wait(self->d.fd, &ioctl_q, r, SA_TEST_TIMEOUT_NS))
		TH_LOG("round %d: the submit ioctl's job was lost in the reset", r);
		ASSERT_EQ(0, sa_wait_ready(&self->d, resets + 1));
	}
	TH_LOG("%d of %d rounds submitted while the card was still recovering", in_window, rounds);
	ASSERT_EQ(0, sa_drm_queue_status(self->d.fd, bypass.id, &st));
	EXPECT_EQ(SHIFTACCEL_QUEUE_STATE_RUNNING, st.queue_state);
	EXPECT_EQ(st.completed, bypass.tail);
	EXPECT_EQ(0, sa_drm_queue_free(self->d.fd, &bypass));
	EXPECT_EQ(0, sa_drm_queue_free(self->d.fd, &ioctl_q));
}

/* This process's pinned memory (VmPin in /proc/self/status), in KiB. */
static long vm_pinned_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/*
 * Every page of a buffer can end up pinned (mmap() of a BO takes all its
 * pages, VM_MAP pins all of them), so a BO is charged in full against
 * RLIMIT_MEMLOCK from creation until it is freed, like mlock().  (The
 * harness runs each test in a process of its own.)
 */
TEST_F_TIMEOUT(attack, buffers_are_charged_to_rlimit_memlock, 60)
{
	uint32_t big, half1, half2, half3;
	uint64_t va, va1;
	long before;
	void *cpu;

	ASSERT_EQ(0, sa_become_unprivileged(1 << 20));
	before = vm_pinned_kib();
	ASSERT_LE(0, before);

	/* 2 MiB could all be pinned through one mmap() or one mapped page. */
	EXPECT_EQ(-ENOMEM, sa_drm_bo_create(self->d.fd, 2 << 20, &big));
	EXPECT_EQ(before, vm_pinned_kib());

	ASSERT_EQ(0, sa_drm_bo_create(self->d.fd, 512 << 10, &half1));
	EXPECT_EQ(before + 512, vm_pinned_kib());
	ASSERT_EQ(0, sa_drm_bo_create(self->d.fd, 512 << 10, &half2));
	EXPECT_EQ(before + 1024, vm_pinned_kib());
	EXPECT_EQ(-ENOMEM, sa_drm_bo_create(self->d.fd, 4096, &half3));
	/* Mapping and mmap() of charged buffers cost nothing more. */
	va1 = 0;
	ASSERT_EQ(0, sa_drm_vm_map(self->d.fd, half1, 0, 512 << 10, RW, &va1));
	cpu = sa_drm_bo_mmap(self->d.fd, half2, 512 << 10);
	ASSERT_NE(NULL, cpu);
	memset(cpu, 0x5a, 512 << 10);
	EXPECT_EQ(before + 1024, vm_pinned_kib());
	/* The charge goes when the buffer does: not while a mapping holds it. */
	EXPECT_EQ(0, sa_drm_bo_close(self->d.fd, half1));
	EXPECT_EQ(before + 1024, vm_pinned_kib());
	EXPECT_EQ(0, sa_drm_vm_unmap(self->d.fd, va1));
	EXPECT_EQ(before + 512, vm_pinned_kib());
	EXPECT_EQ(0, sa_drm_bo_create(self->d.fd, 512 << 10, &half3));
	EXPECT_EQ(before + 1024, vm_pinned_kib());
	va = 0;
	EXPECT_EQ(0, sa_drm_vm_map(self->d.fd, half3, 0, 4096, RW, &va));
	munmap(cpu, 512 << 10);
}

/* The kernel log from now on: an fd of /dev/kmsg at its end. */
static int kmsg_from_now(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* Whether a kernel log record since kmsg_from_now() contains all of a and b. */
static bool kmsg_has(int fd, const char *a, const char *b)
{
	char rec[1024];
	ssize_t n;

	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue; /* overwritten records: read on */
		rec[n] = 0;
		if (strstr(rec, a) && strstr(rec, b))
			return true;
	}
	return false;
}

/* The word a queue's SA_OP_WAIT waits on: next to its fence. */
static volatile uint64_t *wait_word(const struct sa_drm_queue *q)
{
	return (volatile uint64_t *)((char *)q->fence.cpu + 8);
}

/*
 * Queues a wait for wait_word() >= 1 and, behind it, a descriptor with an
 * undefined opcode: the queue blocks now and faults once released.
 */
static void push_wait_then_bad_opcode(struct sa_drm_queue *q)
{
	struct sa_hw_desc d[2];

	memset(d, 0, sizeof(d));
	d[0].opcode = SA_OP_WAIT;
	d[0].u.wait.addr = q->fence.va + 8;
	d[0].u.wait.value = 1;
	d[0].u.wait.cond = SA_WAIT_GE;
	d[1].opcode = 0xee;
	d[1].tag = 0xbad0 + q->id;
	sa_drm_queue_push(q, d, 2);
}

/*
 * Many queues faulting at once overflow the firmware's event channel (it
 * holds SA_FW_OUTBOX_DEPTH messages).  Every queue must still end FAULTED
 * with its own reason, the card must not be reset for the lost events, and
 * a well-behaved queue must keep working.  The queues are made to fault in
 * one burst: each first waits for a word in its own memory, the CPU writes
 * every word, and one doorbell makes the firmware look at the waits again.
 */
TEST_F_TIMEOUT(attack, a_flood_of_faults_fails_each_queue_without_a_reset, 120)
{
	enum { PER_FILE = 4, MAX_FILES = SA_HW_MAX_QUEUES / PER_FILE };
	struct sa_dev files[MAX_FILES];
	struct sa_drm_queue qs[MAX_FILES][PER_FILE], good;
	struct drm_shiftaccel_status st;
	struct sa_hw_desc d;
	char all[16];
	int i, j, nfiles, kmsg, stuck_in_wait = 0;
	long resets;

	/* Every queue of the card but one: one user, in as few files as the limits allow. */
	nfiles = (int)(self->d.info.num_queues - 1) / PER_FILE;
	ASSERT_LE(3, nfiles) TH_LOG("the card has only %u queues", self->d.info.num_queues);
	snprintf(all, sizeof(all), "%u", self->d.info.num_queues);
	ASSERT_EQ(0, sa_param_set("user_queue_limit", all));
	ASSERT_EQ(0, sa_drm_queue_new(self->d.fd, 8, &good));
	for (i = 0; i < nfiles; i++) {
		ASSERT_EQ(0, sa_dev_open(&files[i]));
		for (j = 0; j < PER_FILE; j++) {
			ASSERT_EQ(0, sa_drm_queue_new(files[i].fd, 8, &qs[i][j]));
		}
	}
	resets = sa_sysfs_long(&self->d, "reset_count");
	kmsg = kmsg_from_now();
	ASSERT_LE(0, kmsg);
	for (i = 0; i < nfiles; i++)
		for (j = 0; j < PER_FILE; j++)
			push_wait_then_bad_opcode(&qs[i][j]);
	sa_sleep_ms(100);
	for (i = 0; i < nfiles; i++)
		for (j = 0; j < PER_FILE; j++)
			*wait_word(&qs[i][j]) = 1;
	*good.doorbell = good.tail; /* no new work: only the wake-up */
	for (i = 0; i < nfiles; i++) {
		for (j = 0; j < PER_FILE; j++) {
			EXPECT_EQ(-EIO,
				  sa_drm_queue_wait(files[i].fd, &qs[i][j], 1, SA_TEST_TIMEOUT_NS));
			ASSERT_EQ(0, sa_drm_queue_status(files[i].fd, qs[i][j].id, &st));
			/*
			 * On the debug kernel a queue has been seen still in its
			 * wait after the job timeout (not understood yet); it is
			 * then stopped alone, named at its wait, which is the
			 * driver's contract too.  Anything else must be the fault.
			 */
			if (st.queue_state == SHIFTACCEL_QUEUE_STATE_LOST &&
			    st.error == SHIFTACCEL_ERR_TIMEOUT &&
			    st.error_index == qs[i][j].tail - 2) {
				TH_LOG("file %d queue %d: still in its wait after the job timeout",
				       i, j);
				stuck_in_wait++;
				continue;
			}
			EXPECT_EQ(SHIFTACCEL_QUEUE_STATE_FAULTED, st.queue_state)
			TH_LOG("file %d queue %d: state %u error %u", i, j, st.queue_state,
			       st.error);
			EXPECT_EQ(SHIFTACCEL_ERR_BAD_DESC, st.error);
			EXPECT_EQ(0xbad0 + qs[i][j].id, st.error_tag);
			EXPECT_EQ(qs[i][j].tail - 1, st.error_index);
		}
	}
	EXPECT_LT(stuck_in_wait, nfiles * PER_FILE);
	/*
	 * Whether the burst overflowed the event channel depends on how fast
	 * the guest takes events; on the stock kernel it does every time.
	 */
	TH_LOG("event channel overflowed: %s",
	       kmsg_has(kmsg, "lost", "events") ? "yes, states read back" : "no");
	close(kmsg);
	/*
	 * The job timeout stays at its default: a queue whose fault event was
	 * lost is found by its state above (a driver that only waits for the
	 * timeout leaves it RUNNING), and a shorter timeout would also count the
	 * seconds the queues spent in their waits before the burst, which on a
	 * slow (debug) kernel is longer than a second.  Then: no reset, and
	 * other work runs.
	 */
	sa_sleep_ms(2500);
	EXPECT_EQ(resets, sa_sysfs_long(&self->d, "reset_count"));
	sa_desc_nop(&d, good.fence.va, 1);
	sa_drm_queue_push(&good, &d, 1);
	EXPECT_EQ(0, sa_drm_queue_wait(self->d.fd, &good, 1, SA_TEST_TIMEOUT_NS));
	for (i = 0; i < nfiles; i++) {
		for (j = 0; j < PER_FILE; j++)
			sa_drm_queue_free(files[i].fd, &qs[i][j]);
		sa_dev_close(&files[i]);
	}
	EXPECT_EQ(0, sa_drm_queue_free(self->d.fd, &good));
}

TEST_F_TIMEOUT(attack, one_file_cannot_take_every_queue, 60)
{
	struct sa_drm_queue q[3], other;
	struct sa_dev second;

	ASSERT_EQ(0, sa_param_set("file_queue_limit", "2"));
	ASSERT_EQ(0, sa_drm_queue_new(self->d.fd, 8, &q[0]));
	ASSERT_EQ(0, sa_drm_queue_new(self->d.fd, 8, &q[1]));
	EXPECT_EQ(-EDQUOT, sa_drm_queue_new(self->d.fd, 8, &q[2]));
	/* Another file still gets one, and freeing one gives this file room again. */
	ASSERT_EQ(0, sa_dev_open(&second));
	EXPECT_EQ(0, sa_drm_queue_new(second.fd, 8, &other));
	EXPECT_EQ(0, sa_drm_queue_free(second.fd, &other));
	sa_dev_close(&second);
	EXPECT_EQ(0, sa_drm_queue_free(self->d.fd, &q[1]));
	EXPECT_EQ(0, sa_drm_queue_new(self->d.fd, 8, &q[2]));
	EXPECT_EQ(0, sa_drm_queue_free(self->d.fd, &q[2]));
	EXPECT_EQ(0, sa_drm_queue_free(self->d.fd, &q[0]));
}

/* The accel node's path, for another user to open. */
static int node_path(char *path, size_t len)
{
	char sysdir[256];

	return sa_find_node(path, len, sysdir, sizeof(sysdir));
}

/* In a child running as user `uid`: 0 when it could open the card, else -errno. */
static int open_as(uid_t uid, const char *node)
{
	int status, fd;
	pid_t pid = fork();

	if (pid == 0) {
		if (setresuid(uid, uid, uid))
			_exit(100);
		fd = open(node, O_RDWR | O_CLOEXEC);
		_exit(fd < 0 ? errno : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

TEST_F_TIMEOUT(attack, one_user_cannot_take_every_context_or_queue, 60)
{
	struct sa_dev extra[3];
	struct sa_drm_queue q[4];
	char node[256];
	struct stat stbuf;

	ASSERT_EQ(0, node_path(node, sizeof(node)));
	ASSERT_EQ(0, stat(node, &stbuf));

	/* This file is one context of root's; allow root three. */
	ASSERT_EQ(0, sa_param_set("user_context_limit", "3"));
	ASSERT_EQ(0, sa_dev_open(&extra[0]));
	ASSERT_EQ(0, sa_dev_open(&extra[1]));
	EXPECT_EQ(-EDQUOT, sa_dev_open(&extra[2]));
	/* Another user is not affected (the node opened to everybody for the test). */
	ASSERT_EQ(0, chmod(node, 0666));
	EXPECT_EQ(0, open_as(65534, node));
	chmod(node, stbuf.st_mode & 07777);
	sa_dev_close(&extra[1]);
	EXPECT_EQ(0, sa_dev_open(&extra[2]));

	/* Queues: three for the user, across all its files. */
	ASSERT_EQ(0, sa_param_set("user_queue_limit", "3"));
	ASSERT_EQ(0, sa_drm_queue_new(self->d.fd, 8, &q[0]));
	ASSERT_EQ(0, sa_drm_queue_new(extra[0].fd, 8, &q[1]));
	ASSERT_EQ(0, sa_drm_queue_new(extra[2].fd, 8, &q[2]));
	EXPECT_EQ(-EDQUOT, sa_drm_queue_new(extra[0].fd, 8, &q[3]));
	EXPECT_EQ(0, sa_drm_queue_free(extra[2].fd, &q[2]));
	EXPECT_EQ(0, sa_drm_queue_new(extra[0].fd, 8, &q[3]));
	EXPECT_EQ(0, sa_drm_queue_free(extra[0].fd, &q[3]));
	EXPECT_EQ(0, sa_drm_queue_free(extra[0].fd, &q[1]));
	EXPECT_EQ(0, sa_drm_queue_free(self->d.fd, &q[0]));
	sa_dev_close(&extra[0]);
	sa_dev_close(&extra[2]);
}

TEST_HARNESS_MAIN
