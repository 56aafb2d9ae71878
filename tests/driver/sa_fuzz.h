/* SPDX-License-Identifier: MIT */
/*
 * The in-guest ioctl and ring fuzzer (issue 11, part 3).  Written from
 * uapi/drm/shiftaccel_accel.h and docs/ (the contract) only: what a hostile
 * user of /dev/accel/accelN can do, at random, from several threads and
 * processes at once.  sa_fuzz.c runs the processes and reports,
 * sa_fuzz_ops.c is the operations, sa_fuzz_check.c the invariants checked
 * afterwards (kernel log, idle counters, a fresh job on the card).
 */
#ifndef SA_FUZZ_H
#define SA_FUZZ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "sa_selftest.h"

/* Operations, counted per kind across every process (shared memory). */
enum fz_op {
	FZ_GET_INFO,
	FZ_BO_CREATE,
	FZ_BO_MMAP_OFFSET,
	FZ_GEM_CLOSE,
	FZ_VM_MAP,
	FZ_VM_UNMAP,
	FZ_QUEUE_CREATE,
	FZ_QUEUE_DESTROY,
	FZ_SUBMIT,
	FZ_WAIT,
	FZ_QUEUE_EVENTFD,
	FZ_STATUS,
	FZ_RING_WRITE,	 /* hostile descriptors straight into the mapped ring */
	FZ_DOORBELL,	 /* tails ahead of and behind the card's head */
	FZ_MMAP,	 /* mmap() of random offsets, sizes and protections on the fd */
	FZ_BAD_IOCTL,	 /* unknown numbers, wrong struct sizes */
	FZ_SYNCOBJ_WAIT, /* the syncobjs the submit ioctl replaces */
	FZ_REOPEN,	 /* close the fd while other threads are in an ioctl on it */
	FZ_FORK,	 /* a child that uses the inherited file, then exits */
	FZ_OP_COUNT
};

struct fz_count {
	uint64_t ops, ok;
};

#define FZ_MAX_PROCS 16
/*
 * Each fuzzing process's RLIMIT_MEMLOCK, which bounds the buffers it can
 * create (the driver charges every BO in full): four of them fit beside the
 * guest's own needs in 1 GiB, also on the debug kernel.
 */
#define FZ_MEMLOCK_BYTES (64ull << 20)
#define FZ_MAX_THREADS 8

/* Shared between every process of the run (MAP_SHARED before fork). */
struct fz_shared {
	struct fz_count count[FZ_OP_COUNT];
	/* The operation each thread is inside (1 + enum fz_op, 0: none): a stall names it. */
	int32_t in_call[FZ_MAX_PROCS][FZ_MAX_THREADS];
	uint64_t violations; /* results the contract forbids */
	uint64_t stop;	     /* set at the deadline */
};

#define FZ_MAX_BOS 16
#define FZ_MAX_MAPS 24
#define FZ_MAX_QUEUES 2 /* x 4 processes + 4 other files: 4 of 16 hardware queues stay free */
#define FZ_MAX_STALE 3	/* their mmaps keep a closed file (and its pinned BOs) alive */

struct fz_bo {
	uint32_t handle;
	uint64_t size;
};

struct fz_map {
	uint64_t va, size;
	uint32_t flags;
};

/* A queue of this process, with its ring and doorbell mapped. */
struct fz_queue {
	uint32_t id, entries, tail;
	uint64_t ring_va, fence_va;
	struct sa_hw_desc *ring; /* NULL if the mmap failed */
	volatile uint32_t *doorbell;
	size_t ring_len;
};

/* One process's view: its file, what it created there, and another file. */
struct fz_proc {
	pthread_mutex_t lock; /* the tables below; never held across an ioctl */
	int fd;		      /* swapped by FZ_REOPEN */
	uint32_t index;
	struct drm_shiftaccel_info info;
	struct fz_bo bos[FZ_MAX_BOS];
	unsigned int nbos;
	struct fz_map maps[FZ_MAX_MAPS];
	unsigned int nmaps;
	struct fz_queue queues[FZ_MAX_QUEUES];
	unsigned int nqueues;
	/* Mappings of rings and doorbells whose file or queue went away. */
	struct fz_queue stale[FZ_MAX_STALE];
	unsigned int nstale;
	uint32_t syncobj;
	/* A second file: its handle, queue and VA are foreign to fd. */
	int other_fd;
	uint32_t other_handle, other_queue;
	uint64_t other_va;
	struct sa_drm_queue other_q; /* nothing may ever write its ring or fence */
	bool skip_va_end;	     /* SA_FUZZ_SKIP_VA_END: no address argument >= va_end */
	bool trace_mem;		     /* SA_FUZZ_TRACE_MEM: log an operation that takes >= 64 MiB */
	bool skip_big_bo; /* SA_FUZZ_SKIP_BIG_BO: no BO over 1 MiB (unaccounted pinning) */
	struct fz_shared *shared;
};

struct fz_rng {
	uint64_t s;
};

/* In fz_shared.in_call outside an ioctl: FZ_IN_OP + the index of the operation. */
#define FZ_IN_OP 100
/* This thread's slot in fz_shared.in_call (NULL in forked children). */
extern __thread int32_t *fz_in_call;

uint64_t fz_rand(struct fz_rng *r);
uint64_t fz_below(struct fz_rng *r, uint64_t n);
/* A boundary value for an address or size argument (docs: every field). */
uint64_t fz_edge(struct fz_proc *p, struct fz_rng *r);
uint64_t fz_va(struct fz_proc *p, struct fz_rng *r);

/* The other file's ring and fence must still be all zero: isolation. */
void fz_proc_check_other(struct fz_proc *p);
int fz_proc_init(struct fz_proc *p, uint32_t index, struct fz_shared *shared, bool skip_va_end,
		 bool skip_big_bo);
/* One random operation. */
void fz_step(struct fz_proc *p, struct fz_rng *r);
const char *fz_op_name(enum fz_op op);

/* sa_fuzz_check.c */
struct fz_idle {
	long bo_count, pinned_pages, mappings, queue_count, ctx_count;
};
void fz_idle_read(struct fz_idle *i);
/* Lists every counter that differs; returns how many. */
int fz_idle_compare(const struct fz_idle *before, const struct fz_idle *after);
/* Opens /dev/kmsg positioned at its end (-1 if unavailable). */
int fz_kmsg_open(void);
/* Counts (and prints) the kernel warnings logged since the last call; all lines with print_all. */
int fz_kmsg_scan(int fd, bool print_all);
/* Logs the tasks blocked in the kernel (sysrq-w) and prints that part of the log. */
void fz_show_blocked(int kmsg);
void fz_show_stacks(int pid);
/* A known conv and a fence, on a fresh file and queue; 0 when both are right. */
int fz_fresh_job(void);
/* Waits up to timeout_s for the card to read "ready" again. */
int fz_wait_ready(int timeout_s);

#endif /* SA_FUZZ_H */
