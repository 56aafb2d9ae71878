// SPDX-License-Identifier: MIT
/*
 * The campaign's load: one process, one queue, one job at a time, each job
 * a 64-byte DMA copy (SA_OP_COPY) from a slot of a source buffer to the
 * same slot of a destination buffer, with the queue fence set to the job's
 * number k (1, 2, ...), alternately through the mapped ring and doorbell and
 * through the submit ioctl.  The oracle needs nothing from the driver:
 *  - correct: the fence reads exactly k and the slot holds the source bytes;
 *  - after the job the slot is overwritten with a tombstone, so a job the
 *    card runs a second time (a replay) shows up as source bytes again at
 *    the end of the round: duplicated; so does a fence seen going back;
 *  - lost: no answer (fence or error) within FC_LOST_AFTER_NS.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sa_fault_campaign.h"

#define SLOTS 4096
#define SLOT_BYTES 64
#define TOMBSTONE 0xdd
#define RW (SHIFTACCEL_VM_READ | SHIFTACCEL_VM_WRITE)

struct load {
	struct sa_dev d;
	struct sa_drm_queue q;
	bool have_queue;
	struct sa_drm_buf src, dst;
	uint32_t index;
	uint64_t max_k;	    /* highest job number on the current queue */
	uint64_t last_seen; /* highest plausible fence value seen on it */
	uint8_t tomb[SLOTS];
	struct fc_tally t;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Source bytes of job k: never the tombstone (byte 63), never zero. */
static void pattern(uint32_t index, uint64_t k, uint8_t *out)
{
	for (int i = 0; i < SLOT_BYTES; i++)
		out[i] = (uint8_t)((k * 131 + (uint64_t)i * 7 + index * 29) ^ 0xa5);
	out[SLOT_BYTES - 1] = 0x11;
}

static uint8_t *slot(struct sa_drm_buf *b, uint64_t k)
{
	return (uint8_t *)b->cpu + ((k - 1) % SLOTS) * SLOT_BYTES;
}

/* A new queue, retried while the card recovers (-EAGAIN) or memory is short. */
static int new_queue(struct load *l)
{
	int64_t end = now_ns() + FC_LOST_AFTER_NS;
	int ret;

	if (l->have_queue)
		sa_drm_queue_free(l->d.fd, &l->q);
	l->have_queue = false;
	do {
		ret = sa_drm_queue_new(l->d.fd, 16, &l->q);
		if (!ret) {
			l->have_queue = true;
			l->max_k = l->last_seen = 0;
			return 0;
		}
		sa_drm_queue_free(l->d.fd, &l->q);
		usleep(50000);
	} while (now_ns() < end);
	printf("# load %u: no queue for %lld s: %s\n", l->index, FC_LOST_AFTER_NS / 1000000000,
	       strerror(-ret));
	return ret;
}

/* Fences go up: a plausible value below one seen before means something ran twice. */
static void observe(struct load *l, uint64_t v, bool *dup)
{
	if (v > l->max_k)
		return; /* not a value we wrote (a corrupted completion) */
	if (v < l->last_seen)
		*dup = true;
	else
		l->last_seen = v;
}

/* A failure with a reason from STATUS counts as clear, one without as unclear. */
static void classify_error(struct load *l)
{
	struct drm_shiftaccel_status st;

	if (!sa_drm_queue_status(l->d.fd, l->q.id, &st) &&
	    st.queue_state != SHIFTACCEL_QUEUE_STATE_RUNNING && st.error != SHIFTACCEL_ERR_NONE)
		l->t.failed++;
	else
		l->t.unclear++;
}

enum outcome { DONE, FAILED, LOST };

/* Waits for job k; the result goes into the tally.  */
static enum outcome wait_job(struct load *l, uint64_t k, int64_t start)
{
	bool dup = false;
	uint64_t v;
	int ret;

	for (;;) {
		ret = sa_drm_queue_wait(l->d.fd, &l->q, k, 200ll * 1000 * 1000);
		observe(l, sa_drm_queue_fence(&l->q), &dup);
		if (ret == 0 || ret == -EIO || now_ns() - start > FC_LOST_AFTER_NS)
			break;
		if (ret != -ETIME) {
			l->t.unclear++;
			return FAILED;
		}
	}
	if (now_ns() - start > l->t.longest_ns)
		l->t.longest_ns = now_ns() - start;
	l->t.duplicated += dup;
	if (ret == -EIO) {
		classify_error(l);
		return FAILED;
	}
	if (ret) {
		l->t.lost++;
		return LOST;
	}
	/* The wait said done: the fence must read k (or ~k when the card corrupted it). */
	for (int i = 0; i < 500; i++) {
		v = sa_drm_queue_fence(&l->q);
		if (v == k || v == ~k)
			break;
		usleep(10000);
	}
	uint8_t want[SLOT_BYTES];

	pattern(l->index, k, want);
	if (v == k && !memcmp(slot(&l->dst, k), want, SLOT_BYTES))
		l->t.ok++;
	else
		l->t.wrong++;
	return v == k || v == ~k ? DONE : LOST;
}

static int submit_job(struct load *l, uint64_t k)
{
	struct sa_hw_desc d;
	uint64_t off = ((k - 1) % SLOTS) * SLOT_BYTES;

	sa_desc_copy(&d, l->src.va + off, l->dst.va + off, SLOT_BYTES);
	l->max_k = k;
	if (k & 1)
		return sa_drm_queue_submit(l->d.fd, &l->q, &d, 1, k, 0);
	d.flags = SA_DESC_F_FENCE | SA_DESC_F_IRQ;
	d.fence_addr = l->q.fence.va;
	d.fence_value = k;
	sa_drm_queue_push(&l->q, &d, 1);
	return 0;
}

/*
 * The oracle's own check (SA_FC_REPLAY=k): job k's copy is submitted once
 * more after it finished, as a card that replays work would; the round must
 * then count a duplicate.
 */
static void replay(struct load *l, uint64_t k)
{
	struct sa_hw_desc d;
	uint64_t off = ((k - 1) % SLOTS) * SLOT_BYTES;

	sa_desc_copy(&d, l->src.va + off, l->dst.va + off, SLOT_BYTES);
	sa_drm_queue_push(&l->q, &d, 1);
}

/* A tombstoned slot that holds anything else was written again. */
static void check_slot(struct load *l, uint64_t k)
{
	const uint8_t *s = slot(&l->dst, k);

	for (int i = 0; i < SLOT_BYTES; i++) {
		if (s[i] != TOMBSTONE) {
			l->t.duplicated++;
			return;
		}
	}
}

static void check_tombstones(struct load *l)
{
	usleep(300000);
	for (uint64_t k = 1; k <= SLOTS; k++)
		if (l->tomb[k - 1])
			check_slot(l, k);
}

static void add_tally(struct fc_tally *to, const struct fc_tally *t)
{
	__atomic_add_fetch(&to->jobs, t->jobs, __ATOMIC_RELAXED);
	__atomic_add_fetch(&to->ok, t->ok, __ATOMIC_RELAXED);
	__atomic_add_fetch(&to->failed, t->failed, __ATOMIC_RELAXED);
	__atomic_add_fetch(&to->unclear, t->unclear, __ATOMIC_RELAXED);
	__atomic_add_fetch(&to->wrong, t->wrong, __ATOMIC_RELAXED);
	__atomic_add_fetch(&to->lost, t->lost, __ATOMIC_RELAXED);
	__atomic_add_fetch(&to->duplicated, t->duplicated, __ATOMIC_RELAXED);
	__atomic_add_fetch(&to->setup_errors, t->setup_errors, __ATOMIC_RELAXED);
	__atomic_add_fetch(&to->alloc_refused, t->alloc_refused, __ATOMIC_RELAXED);
	for (int64_t cur = __atomic_load_n(&to->longest_ns, __ATOMIC_RELAXED);
	     t->longest_ns > cur &&
	     !__atomic_compare_exchange_n(&to->longest_ns, &cur, t->longest_ns, false,
					  __ATOMIC_RELAXED, __ATOMIC_RELAXED);)
		;
}

static int setup(struct load *l)
{
	int ret = sa_dev_open(&l->d);

	if (!ret)
		ret = sa_drm_buf_new(l->d.fd, SLOTS * SLOT_BYTES, SHIFTACCEL_VM_READ, &l->src);
	if (!ret)
		ret = sa_drm_buf_new(l->d.fd, SLOTS * SLOT_BYTES, RW, &l->dst);
	if (!ret)
		ret = new_queue(l);
	if (ret)
		return ret;
	for (uint64_t k = 1; k <= SLOTS; k++)
		pattern(l->index, k, slot(&l->src, k));
	return 0;
}

/*
 * Under failslab the driver's allocations must fail cleanly: a buffer and a
 * queue are set up and torn down beside the jobs, and each set-up refused
 * with an error code is counted (it shows the injection reached the kernel;
 * most are -ENOMEM, some come from the mmap() or the GEM handle on the
 * way).  Leaks and crashes on those error paths are the debug kernel's to
 * report (KASAN, kmemleak).
 */
static void churn(struct load *l)
{
	struct sa_drm_queue q;
	struct sa_drm_buf b;

	if (sa_drm_buf_new(l->d.fd, 64 * 1024, RW, &b) == 0)
		sa_drm_buf_free(l->d.fd, &b);
	else
		l->t.alloc_refused++;
	if (sa_drm_queue_new(l->d.fd, 8, &q) == 0)
		sa_drm_queue_free(l->d.fd, &q);
	else
		l->t.alloc_refused++;
}

static void make_it_fail(void)
{
	FILE *f = fopen("/proc/self/make-it-fail", "w");

	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
}

void fc_load_run(struct fc_shared *shared, uint32_t index, bool fail_slab)
{
	static struct load l;
	const char *e = getenv("SA_FC_REPLAY");
	uint64_t replay_k = e ? strtoull(e, NULL, 0) : 0;
	int64_t start;
	uint64_t k;
	int ret;

	memset(&l, 0, sizeof(l));
	l.index = index;
	if (setup(&l)) {
		l.t.setup_errors++;
		add_tally(&shared->t, &l.t);
		return;
	}
	if (fail_slab)
		make_it_fail();
	for (k = 1; !__atomic_load_n(&shared->stop, __ATOMIC_RELAXED); k++) {
		enum outcome o = FAILED;

		/* Slots are reused: the job that last used this one must not have run again. */
		if (l.tomb[(k - 1) % SLOTS]) {
			check_slot(&l, k);
			l.tomb[(k - 1) % SLOTS] = 0;
		}
		l.t.jobs++;
		start = now_ns();
		ret = submit_job(&l, k);
		if (ret == -EIO)
			classify_error(&l);
		else if (ret)
			l.t.failed++; /* refused with an error code: clear to the caller */
		else
			o = wait_job(&l, k, start);
		if (o != LOST) {
			memset(slot(&l.dst, k), TOMBSTONE, SLOT_BYTES);
			l.tomb[(k - 1) % SLOTS] = 1;
		}
		if (replay_k == k)
			replay(&l, k);
		if (o != DONE && new_queue(&l)) {
			l.t.setup_errors++;
			break;
		}
		if (fail_slab)
			churn(&l);
		/*
		 * A pause of up to a job's time: then a reset finds some queues idle,
		 * and their next jobs are submitted while the card recovers.
		 */
		usleep((useconds_t)(k * 2654435761u % 500));
	}
	check_tombstones(&l);
	add_tally(&shared->t, &l.t);
}
