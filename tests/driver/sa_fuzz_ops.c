// SPDX-License-Identifier: MIT
/*
 * The fuzzer's operations: every ioctl of uapi/drm/shiftaccel_accel.h with
 * plausible and hostile arguments, hostile descriptors written straight
 * into mapped rings, doorbell tails ahead of and behind the card, mmap()
 * of whatever offset, handles and queue ids of other files, closing the fd
 * while other threads use it, fork.  Each call also checks what the
 * contract forbids whatever the driver does (fz_violation): a call with an
 * undefined flag or non-zero pad never succeeds, a mapping never lies
 * outside [va_start, va_end), a wait never succeeds below its value.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sa_fuzz.h"

#define RW (SHIFTACCEL_VM_READ | SHIFTACCEL_VM_WRITE)
#define PAGE 4096ull

static const char *const op_names[FZ_OP_COUNT] = {
	[FZ_GET_INFO] = "GET_INFO",
	[FZ_BO_CREATE] = "BO_CREATE",
	[FZ_BO_MMAP_OFFSET] = "BO_MMAP_OFFSET",
	[FZ_GEM_CLOSE] = "GEM_CLOSE",
	[FZ_VM_MAP] = "VM_MAP",
	[FZ_VM_UNMAP] = "VM_UNMAP",
	[FZ_QUEUE_CREATE] = "QUEUE_CREATE",
	[FZ_QUEUE_DESTROY] = "QUEUE_DESTROY",
	[FZ_SUBMIT] = "SUBMIT",
	[FZ_WAIT] = "WAIT",
	[FZ_QUEUE_EVENTFD] = "QUEUE_EVENTFD",
	[FZ_STATUS] = "STATUS",
	[FZ_RING_WRITE] = "ring write",
	[FZ_DOORBELL] = "doorbell",
	[FZ_MMAP] = "mmap",
	[FZ_BAD_IOCTL] = "bad ioctl",
	[FZ_SYNCOBJ_WAIT] = "SYNCOBJ_WAIT",
	[FZ_REOPEN] = "close/reopen",
	[FZ_FORK] = "fork",
};

const char *fz_op_name(enum fz_op op)
{
	return op_names[op];
}

/* ---- touching mappings that may have been zapped (SIGBUS/SIGSEGV is allowed) */

/* volatile: the handler reads it asynchronously, so the stores around a copy must stay. */
static __thread sigjmp_buf *volatile fault_jmp;

static void on_fault(int sig)
{
	if (fault_jmp)
		siglongjmp(*fault_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_fault_handler(void)
{
	struct sigaction sa = {.sa_handler = on_fault, .sa_flags = SA_NODEFER};

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

/* Copies len bytes to dst; false if the store faulted. */
static bool safe_store(void *dst, const void *src, size_t len)
{
	sigjmp_buf jb;
	volatile bool ok = true;

	if (sigsetjmp(jb, 1) == 0) {
		fault_jmp = &jb;
		memcpy(dst, src, len);
	} else {
		ok = false;
	}
	fault_jmp = NULL;
	return ok;
}

static bool safe_load(const volatile uint8_t *p)
{
	sigjmp_buf jb;
	volatile bool ok = true;

	if (sigsetjmp(jb, 1) == 0) {
		fault_jmp = &jb;
		(void)*p;
	} else {
		ok = false;
	}
	fault_jmp = NULL;
	return ok;
}

/* ---- bookkeeping */

static int cur_fd(struct fz_proc *p)
{
	return __atomic_load_n(&p->fd, __ATOMIC_RELAXED);
}

__thread int32_t *fz_in_call;

static int call(struct fz_proc *p, enum fz_op op, int fd, unsigned long req, void *arg)
{
	int ret;

	int32_t outer = fz_in_call ? *fz_in_call : 0;

	if (fz_in_call)
		*fz_in_call = (int32_t)op + 1;
	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && errno == EINTR);
	ret = ret == -1 ? -errno : 0;
	if (fz_in_call)
		*fz_in_call = outer;
	__atomic_add_fetch(&p->shared->count[op].ops, 1, __ATOMIC_RELAXED);
	if (!ret)
		__atomic_add_fetch(&p->shared->count[op].ok, 1, __ATOMIC_RELAXED);
	return ret;
}

static void count(struct fz_proc *p, enum fz_op op, bool ok)
{
	__atomic_add_fetch(&p->shared->count[op].ops, 1, __ATOMIC_RELAXED);
	if (ok)
		__atomic_add_fetch(&p->shared->count[op].ok, 1, __ATOMIC_RELAXED);
}

/*
 * Printed and also written to /dev/kmsg: when the kernel then hangs, the
 * console still shows it (the pipe to the test's output no longer drains).
 */
__attribute__((format(printf, 2, 3))) static void violation(struct fz_proc *p, const char *fmt, ...)
{
	uint64_t n = __atomic_add_fetch(&p->shared->violations, 1, __ATOMIC_RELAXED);
	char msg[400];
	va_list ap;
	int fd;

	if (n > 20)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("# VIOLATION (process %u): %s\n", p->index, msg);
	fflush(stdout);
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		dprintf(fd, "sa_fuzz: VIOLATION (process %u): %s\n", p->index, msg);
		close(fd);
	}
}

/* Mostly zero, sometimes an undefined bit: such a call must never succeed. */
static uint32_t junk32(struct fz_rng *r)
{
	if (fz_below(r, 8))
		return 0;
	return fz_below(r, 2) ? 1u << fz_below(r, 32) : (uint32_t)fz_rand(r);
}

/* A handle: one of ours, the other file's, or anything. */
static uint32_t pick_handle(struct fz_proc *p, struct fz_rng *r)
{
	uint32_t h = 0;

	switch (fz_below(r, 6)) {
	case 0: return p->other_handle;
	case 1: return (uint32_t)fz_rand(r);
	case 2: return (uint32_t)fz_below(r, 64);
	default:
		pthread_mutex_lock(&p->lock);
		h = p->nbos ? p->bos[fz_below(r, p->nbos)].handle : 1;
		pthread_mutex_unlock(&p->lock);
		return h;
	}
}

/* A queue id: ours, the other file's, another process's (ids are hardware queues), junk. */
static uint32_t pick_queue(struct fz_proc *p, struct fz_rng *r)
{
	uint32_t id = 0;

	switch (fz_below(r, 6)) {
	case 0: return p->other_queue;
	case 1: return fz_below(r, 2) ? (uint32_t)fz_rand(r) : p->info.num_queues;
	case 2: return (uint32_t)fz_below(r, p->info.num_queues + 1);
	default:
		pthread_mutex_lock(&p->lock);
		id = p->nqueues ? p->queues[fz_below(r, p->nqueues)].id : 0;
		pthread_mutex_unlock(&p->lock);
		return id;
	}
}

static uint64_t size_arg(struct fz_proc *p, struct fz_rng *r)
{
	switch (fz_below(r, 3)) {
	case 0: return fz_edge(p, r);
	case 1: return PAGE * (1 + fz_below(r, 64));
	default: return 1 + fz_below(r, 3 * PAGE);
	}
}

/* ---- one function per operation */

static void op_get_info(struct fz_proc *p, struct fz_rng *r)
{
	struct drm_shiftaccel_info i = {.flags = junk32(r), .pad = junk32(r)};
	const struct drm_shiftaccel_info in = i; /* the kernel writes the struct back */
	int ret = call(p, FZ_GET_INFO, cur_fd(p), DRM_IOCTL_SHIFTACCEL_GET_INFO, &i);

	if (!ret && (in.flags || in.pad))
		violation(p, "GET_INFO succeeded with flags %#x pad %#x", in.flags, in.pad);
	if (!ret && (i.va_start != SHIFTACCEL_VA_USER_START || i.va_end != SHIFTACCEL_VA_USER_END))
		violation(p, "GET_INFO va range [%#llx, %#llx)", (unsigned long long)i.va_start,
			  (unsigned long long)i.va_end);
}

/* Keeps a BO of at most 1 MiB: pinning more through VM_MAP is issue 11's item 3, not ours. */
static void keep_bo(struct fz_proc *p, int fd, uint32_t handle, uint64_t size)
{
	struct drm_gem_close c = {.handle = handle};
	bool kept = false;

	pthread_mutex_lock(&p->lock);
	if (fd == p->fd && size <= (1u << 20) && p->nbos < FZ_MAX_BOS) {
		p->bos[p->nbos++] = (struct fz_bo){.handle = handle, .size = size};
		kept = true;
	}
	pthread_mutex_unlock(&p->lock);
	if (!kept)
		call(p, FZ_GEM_CLOSE, fd, DRM_IOCTL_GEM_CLOSE, &c);
}

static void op_bo_create(struct fz_proc *p, struct fz_rng *r)
{
	struct drm_shiftaccel_bo_create c = {.flags = junk32(r)};
	uint64_t asked;
	uint32_t flags;
	int fd = cur_fd(p), ret;

	/* Edge sizes (up to 2^64-1) only exercise the checks; big BOs are closed at once. */
	c.size = fz_below(r, 3) ? 1 + fz_below(r, 16 * PAGE) : fz_edge(p, r);
	/*
	 * Another thread may map a big BO (small handles are guessed) before it
	 * is closed: pinned memory is not accounted yet (issue 11, item 3) and the
	 * guest runs out of memory.  Local runs may leave big BOs out.
	 */
	if (p->skip_big_bo && c.size > (1u << 20) && c.size <= SHIFTACCEL_BO_MAX_SIZE)
		c.size = 1u << 20;
	asked = c.size;
	flags = c.flags;
	ret = call(p, FZ_BO_CREATE, fd, DRM_IOCTL_SHIFTACCEL_BO_CREATE, &c);
	if (ret)
		return;
	if (asked == 0 || asked > SHIFTACCEL_BO_MAX_SIZE || c.size < asked || c.size % PAGE ||
	    flags)
		violation(p, "BO_CREATE of %#llx (flags %#x) succeeded with size %#llx",
			  (unsigned long long)asked, flags, (unsigned long long)c.size);
	keep_bo(p, fd, c.handle, c.size);
}

static void op_bo_mmap_offset(struct fz_proc *p, struct fz_rng *r)
{
	struct drm_shiftaccel_bo_mmap_offset o = {.handle = pick_handle(p, r), .flags = junk32(r)};
	int fd = cur_fd(p);
	void *m;

	const uint32_t flags = o.flags;

	if (call(p, FZ_BO_MMAP_OFFSET, fd, DRM_IOCTL_SHIFTACCEL_BO_MMAP_OFFSET, &o))
		return;
	if (flags)
		violation(p, "BO_MMAP_OFFSET succeeded with flags %#x", flags);
	m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)o.offset);
	count(p, FZ_MMAP, m != MAP_FAILED);
	if (m != MAP_FAILED) {
		safe_store(m, &o, sizeof(o));
		munmap(m, PAGE);
	}
}

static void op_gem_close(struct fz_proc *p, struct fz_rng *r)
{
	struct drm_gem_close c = {.handle = pick_handle(p, r), .pad = junk32(r)};

	pthread_mutex_lock(&p->lock);
	for (unsigned int i = 0; i < p->nbos; i++) {
		if (p->bos[i].handle == c.handle) {
			p->bos[i] = p->bos[--p->nbos];
			break;
		}
	}
	pthread_mutex_unlock(&p->lock);
	call(p, FZ_GEM_CLOSE, cur_fd(p), DRM_IOCTL_GEM_CLOSE, &c);
}

static void record_map(struct fz_proc *p, int fd, uint64_t va, uint64_t size, uint32_t flags)
{
	pthread_mutex_lock(&p->lock);
	if (fd == p->fd && p->nmaps < FZ_MAX_MAPS)
		p->maps[p->nmaps++] = (struct fz_map){.va = va, .size = size, .flags = flags};
	pthread_mutex_unlock(&p->lock);
}

static void check_map(struct fz_proc *p, const struct drm_shiftaccel_vm_map *m, uint64_t asked_va)
{
	uint64_t end = m->va + m->size;

	if ((m->flags & ~SHIFTACCEL_VM_FLAGS) || !(m->flags & RW) || !m->size ||
	    (m->size | m->va | m->bo_offset) % PAGE || m->va < SHIFTACCEL_VA_USER_START ||
	    end < m->va || end > SHIFTACCEL_VA_USER_END ||
	    ((m->flags & SHIFTACCEL_VM_FIXED) && m->va != asked_va))
		violation(p,
			  "VM_MAP succeeded: handle %u flags %#x bo_offset %#llx size %#llx va "
			  "%#llx (asked %#llx)",
			  m->handle, m->flags, (unsigned long long)m->bo_offset,
			  (unsigned long long)m->size, (unsigned long long)m->va,
			  (unsigned long long)asked_va);
}

static void op_vm_map(struct fz_proc *p, struct fz_rng *r)
{
	struct drm_shiftaccel_vm_map m = {0};
	uint64_t asked;
	int fd = cur_fd(p);
	bool plausible = fz_below(r, 2);

	m.handle = pick_handle(p, r);
	if (plausible) {
		/* A whole kept BO, read/write, at a page of the range or where the driver likes. */
		pthread_mutex_lock(&p->lock);
		m.size = PAGE;
		for (unsigned int i = 0; i < p->nbos; i++)
			if (p->bos[i].handle == m.handle)
				m.size = p->bos[i].size;
		pthread_mutex_unlock(&p->lock);
		m.flags = RW;
		if (fz_below(r, 2)) {
			m.flags |= SHIFTACCEL_VM_FIXED;
			m.va = SHIFTACCEL_VA_USER_START + (fz_below(r, 4096) << 12);
		}
	} else {
		m.flags = fz_below(r, 4) ? (uint32_t)fz_below(r, 8) : junk32(r);
		m.bo_offset = fz_below(r, 2) ? 0 : size_arg(p, r);
		m.size = size_arg(p, r);
		m.va = fz_va(p, r);
	}
	asked = m.va;
	if (call(p, FZ_VM_MAP, fd, DRM_IOCTL_SHIFTACCEL_VM_MAP, &m))
		return;
	check_map(p, &m, asked);
	record_map(p, fd, m.va, m.size, m.flags);
}

static void op_vm_unmap(struct fz_proc *p, struct fz_rng *r)
{
	struct drm_shiftaccel_vm_unmap u = {.va = fz_va(p, r)};
	int fd = cur_fd(p);

	if (!fz_below(r, 8)) {
		u.flags = junk32(r);
		u.pad = junk32(r);
	}
	const struct drm_shiftaccel_vm_unmap in = u;

	if (call(p, FZ_VM_UNMAP, fd, DRM_IOCTL_SHIFTACCEL_VM_UNMAP, &u))
		return;
	if (in.flags || in.pad)
		violation(p, "VM_UNMAP succeeded with flags %#x pad %#x", in.flags, in.pad);
	pthread_mutex_lock(&p->lock);
	for (unsigned int i = 0; i < p->nmaps; i++) {
		if (p->maps[i].va == u.va) {
			p->maps[i] = p->maps[--p->nmaps];
			break;
		}
	}
	pthread_mutex_unlock(&p->lock);
}

/* Keeps the ring and doorbell mappings of a queue that is gone, to write into later. */
static void make_stale(struct fz_proc *p, const struct fz_queue *q)
{
	if (p->nstale == FZ_MAX_STALE) {
		struct fz_queue *old = &p->stale[0];

		if (old->ring)
			munmap(old->ring, old->ring_len);
		if (old->doorbell)
			munmap((void *)old->doorbell, PAGE);
		memmove(&p->stale[0], &p->stale[1], sizeof(p->stale[0]) * (FZ_MAX_STALE - 1));
		p->nstale--;
	}
	p->stale[p->nstale++] = *q;
}

/* A map of a new BO for a plausible queue; 0 on failure. */
static uint64_t new_mapping(struct fz_proc *p, int fd, uint64_t size, uint32_t flags)
{
	struct drm_shiftaccel_bo_create c = {.size = size};
	struct drm_shiftaccel_vm_map m = {.flags = flags, .size = size};

	if (call(p, FZ_BO_CREATE, fd, DRM_IOCTL_SHIFTACCEL_BO_CREATE, &c))
		return 0;
	keep_bo(p, fd, c.handle, c.size);
	m.handle = c.handle;
	if (call(p, FZ_VM_MAP, fd, DRM_IOCTL_SHIFTACCEL_VM_MAP, &m))
		return 0;
	check_map(p, &m, 0);
	record_map(p, fd, m.va, m.size, m.flags);
	return m.va;
}

static void op_queue_create(struct fz_proc *p, struct fz_rng *r)
{
	static const uint32_t entries[] = {0,	 1,    7,    8,		  9,	      16,
					   4095, 4096, 4097, 0x80000000u, 0xffffffffu};
	struct drm_shiftaccel_queue_create c = {0}, in;
	struct fz_queue q = {0};
	int fd = cur_fd(p);
	void *m;

	/* Hardware queues are few: a plausible create first gives one of ours back. */
	pthread_mutex_lock(&p->lock);
	if (p->nqueues == FZ_MAX_QUEUES) {
		struct drm_shiftaccel_queue_destroy d = {.queue_id = p->queues[0].id};

		make_stale(p, &p->queues[0]);
		p->queues[0] = p->queues[--p->nqueues];
		pthread_mutex_unlock(&p->lock);
		call(p, FZ_QUEUE_DESTROY, fd, DRM_IOCTL_SHIFTACCEL_QUEUE_DESTROY, &d);
	} else {
		pthread_mutex_unlock(&p->lock);
	}
	if (fz_below(r, 2)) {
		c.ring_entries = fz_below(r, 2) ? 8 : 16;
		c.ring_va = new_mapping(p, fd, c.ring_entries * sizeof(struct sa_hw_desc),
					SHIFTACCEL_VM_READ);
		c.fence_va = new_mapping(p, fd, PAGE, RW) + 8 * fz_below(r, 2);
		c.priority = (uint32_t)fz_below(r, 3);
	} else {
		c.ring_entries = entries[fz_below(r, sizeof(entries) / sizeof(entries[0]))];
		c.ring_va = fz_va(p, r);
		c.fence_va = fz_va(p, r);
		c.priority = (uint32_t)fz_below(r, 5);
		c.flags = junk32(r);
		c.pad = junk32(r);
	}
	in = c;
	if (call(p, FZ_QUEUE_CREATE, fd, DRM_IOCTL_SHIFTACCEL_QUEUE_CREATE, &c))
		return;
	if (in.flags || in.pad || c.priority > SHIFTACCEL_PRIORITY_HIGH ||
	    c.ring_entries < SA_RING_MIN_ENTRIES || c.ring_entries > SA_RING_MAX_ENTRIES ||
	    (c.ring_entries & (c.ring_entries - 1)) || c.ring_va % PAGE || c.fence_va % 8 ||
	    c.ring_va < SHIFTACCEL_VA_USER_START || c.fence_va < SHIFTACCEL_VA_USER_START ||
	    c.fence_va >= SHIFTACCEL_VA_USER_END)
		violation(p,
			  "QUEUE_CREATE succeeded: ring %#llx x %u fence %#llx prio %u flags %#x "
			  "pad %#x",
			  (unsigned long long)c.ring_va, c.ring_entries,
			  (unsigned long long)c.fence_va, c.priority, in.flags, in.pad);
	q.id = c.queue_id;
	q.entries = c.ring_entries;
	q.tail = c.start_index;
	q.ring_va = c.ring_va;
	q.fence_va = c.fence_va;
	q.ring_len = (size_t)c.ring_entries * sizeof(struct sa_hw_desc);
	m = mmap(NULL, q.ring_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)c.ring_mmap_offset);
	count(p, FZ_MMAP, m != MAP_FAILED);
	q.ring = m == MAP_FAILED ? NULL : m;
	m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)c.doorbell_mmap_offset);
	count(p, FZ_MMAP, m != MAP_FAILED);
	q.doorbell = m == MAP_FAILED ? NULL : m;
	pthread_mutex_lock(&p->lock);
	if (fd == p->fd && p->nqueues < FZ_MAX_QUEUES)
		p->queues[p->nqueues++] = q;
	else
		make_stale(p, &q); /* the queue lives on until its file closes */
	pthread_mutex_unlock(&p->lock);
}

static void op_queue_destroy(struct fz_proc *p, struct fz_rng *r)
{
	struct drm_shiftaccel_queue_destroy d = {.queue_id = pick_queue(p, r), .flags = junk32(r)};
	const uint32_t flags = d.flags;
	int ret = call(p, FZ_QUEUE_DESTROY, cur_fd(p), DRM_IOCTL_SHIFTACCEL_QUEUE_DESTROY, &d);

	if (!ret && flags)
		violation(p, "QUEUE_DESTROY succeeded with flags %#x", flags);
	if (ret)
		return;
	pthread_mutex_lock(&p->lock);
	for (unsigned int i = 0; i < p->nqueues; i++) {
		if (p->queues[i].id == d.queue_id) {
			make_stale(p, &p->queues[i]);
			p->queues[i] = p->queues[--p->nqueues];
			break;
		}
	}
	pthread_mutex_unlock(&p->lock);
}

/* A descriptor from a hostile user: garbage, or almost right with one field wrong. */
static void hostile_desc(struct fz_proc *p, struct fz_rng *r, struct sa_hw_desc *d,
			 uint64_t fence_va)
{
	memset(d, 0, sizeof(*d));
	d->tag = (uint32_t)fz_rand(r);
	switch (fz_below(r, 8)) {
	case 0: /* random bytes */
		for (size_t i = 0; i < sizeof(*d); i += 8) {
			uint64_t v = fz_rand(r);

			memcpy((uint8_t *)d + i, &v, 8);
		}
		return;
	case 1: /* a fence somewhere */
		d->opcode = SA_OP_FENCE;
		d->flags = (uint8_t)fz_below(r, 4);
		/* Ours, another file's (must fault, never write there), or any. */
		d->fence_addr = fz_below(r, 2)	 ? fence_va
				: fz_below(r, 2) ? p->other_va
						 : fz_va(p, r);
		d->fence_value = fz_rand(r);
		return;
	case 2: /* a copy between edges */
		d->opcode = SA_OP_COPY;
		d->u.copy.src = fz_below(r, 4) ? fz_va(p, r) : p->other_va;
		d->u.copy.dst = fz_va(p, r);
		d->u.copy.length = fz_below(r, 2) ? 1 + fz_below(r, 2 * PAGE) : fz_edge(p, r);
		return;
	case 3: /* a wait: mostly already true, rarely never (a job timeout and a reset) */
		d->opcode = SA_OP_WAIT;
		d->u.wait.addr = fz_below(r, 4) ? fence_va : fz_va(p, r);
		d->u.wait.value = fz_below(r, 400) ? 0 : UINT64_MAX;
		d->u.wait.cond = fz_below(r, 8) ? SA_WAIT_GE : (uint32_t)fz_rand(r);
		return;
	case 4: /* a layer with edge tensors */
		d->opcode = (uint8_t)(SA_OP_CONV + fz_below(r, SA_OP_ADD));
		d->u.layer.in.addr = fz_va(p, r);
		d->u.layer.out.addr = fz_va(p, r);
		d->u.layer.in.c = (uint32_t)(fz_below(r, 2) ? 1 + fz_below(r, 16) : fz_rand(r));
		d->u.layer.in.h = (uint32_t)(1 + fz_below(r, 16));
		d->u.layer.in.w = (uint32_t)(1 + fz_below(r, 16));
		d->u.layer.out = d->u.layer.in;
		d->u.layer.out.addr = fz_va(p, r);
		d->u.layer.weights = fz_va(p, r);
		d->u.layer.params.raw[fz_below(r, 32)] = (uint8_t)fz_rand(r);
		return;
	case 5: /* unknown opcode or flags, or reserved bits */
		d->opcode = (uint8_t)(fz_below(r, 2) ? SA_OP_COUNT + fz_below(r, 245) : SA_OP_NOP);
		d->flags = (uint8_t)fz_rand(r);
		d->reserved0 = (uint16_t)fz_below(r, 2);
		d->u.raw[fz_below(r, 232)] = (uint8_t)fz_below(r, 2);
		return;
	default: /* a valid NOP with a fence and an interrupt */
		d->opcode = SA_OP_NOP;
		d->flags = SA_DESC_F_FENCE | SA_DESC_F_IRQ;
		d->fence_addr = fence_va;
		d->fence_value = fz_rand(r) >> 1;
		return;
	}
}

/* Copies one of our queues (or a stale one) out of the table. */
static bool pick_own_queue(struct fz_proc *p, struct fz_rng *r, struct fz_queue *q, int *slot)
{
	bool have = false;

	pthread_mutex_lock(&p->lock);
	if (p->nstale && !fz_below(r, 6)) {
		*q = p->stale[fz_below(r, p->nstale)];
		*slot = -1;
		have = true;
	} else if (p->nqueues) {
		*slot = (int)fz_below(r, p->nqueues);
		*q = p->queues[*slot];
		have = true;
	}
	pthread_mutex_unlock(&p->lock);
	return have;
}

static void op_ring_write(struct fz_proc *p, struct fz_rng *r)
{
	struct sa_hw_desc d;
	struct fz_queue q;
	uint32_t n, i;
	bool ok = true;
	int slot;

	if (!pick_own_queue(p, r, &q, &slot) || !q.ring || !q.doorbell)
		return;
	n = 1 + (uint32_t)fz_below(r, q.entries);
	for (i = 0; i < n && ok; i++) {
		hostile_desc(p, r, &d, q.fence_va);
		ok = safe_store(&q.ring[(q.tail + i) & (q.entries - 1)], &d, sizeof(d));
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	q.tail += n;
	ok = ok && safe_store((void *)q.doorbell, &q.tail, sizeof(q.tail));
	count(p, FZ_RING_WRITE, ok);
	if (slot >= 0) {
		pthread_mutex_lock(&p->lock);
		if (slot < (int)p->nqueues && p->queues[slot].id == q.id)
			p->queues[slot].tail = q.tail;
		pthread_mutex_unlock(&p->lock);
	}
}

static void op_doorbell(struct fz_proc *p, struct fz_rng *r)
{
	struct fz_queue q;
	uint32_t tail;
	int slot;

	if (!pick_own_queue(p, r, &q, &slot) || !q.doorbell)
		return;
	switch (fz_below(r, 6)) {
	case 0: tail = q.tail + q.entries + 1; break; /* too far ahead: BAD_TAIL */
	case 1: tail = q.tail + q.entries; break;
	case 2: tail = q.tail - 1 - (uint32_t)fz_below(r, q.entries); break; /* behind */
	case 3: tail = (uint32_t)fz_rand(r); break;
	case 4: tail = q.tail + 0x80000000u; break;
	default: tail = q.tail; break; /* the same tail again */
	}
	/* A read of the doorbell (the last tail) and the write. */
	count(p, FZ_DOORBELL,
	      safe_load((const volatile uint8_t *)q.doorbell) &&
		      safe_store((void *)q.doorbell, &tail, sizeof(tail)));
}

static void op_submit(struct fz_proc *p, struct fz_rng *r)
{
	struct sa_hw_desc descs[18];
	struct drm_shiftaccel_submit s = {0}, in;
	struct fz_queue q = {0};
	int slot, ret;
	uint32_t n = 1 + (uint32_t)fz_below(r, 17);

	if (!pick_own_queue(p, r, &q, &slot) || fz_below(r, 4) == 0)
		q.id = pick_queue(p, r);
	for (uint32_t i = 0; i < n; i++)
		hostile_desc(p, r, &descs[i], q.fence_va);
	s.descs = (uintptr_t)descs;
	s.count = n;
	s.desc_size = sizeof(struct sa_hw_desc);
	s.queue_id = q.id;
	switch (fz_below(r, 10)) {
	case 0: s.descs = fz_edge(p, r); break; /* a bad user pointer */
	case 1: s.count = (uint32_t)fz_edge(p, r); break;
	case 2: s.desc_size = (uint32_t)(fz_below(r, 2) ? fz_edge(p, r) : fz_below(r, 512)); break;
	case 3:
		s.flags = junk32(r);
		s.pad = junk32(r);
		break;
	default: break;
	}
	if (s.count > n && s.descs == (uintptr_t)descs && s.desc_size == sizeof(descs[0]))
		s.count = n; /* past our array the call would read our stack: not the point */
	s.signal_value = fz_below(r, 2) ? fz_rand(r) >> 1 : 0;
	s.out_syncobj = fz_below(r, 3) ? 0 : (fz_below(r, 4) ? p->syncobj : (uint32_t)fz_rand(r));
	in = s;
	ret = call(p, FZ_SUBMIT, cur_fd(p), DRM_IOCTL_SHIFTACCEL_SUBMIT, &s);
	if (!ret && (in.flags || in.pad || !in.count || (in.out_syncobj && !in.signal_value)))
		violation(p, "SUBMIT succeeded: count %u flags %#x pad %#x syncobj %u signal %#llx",
			  in.count, in.flags, in.pad, in.out_syncobj,
			  (unsigned long long)in.signal_value);
}

static void op_wait(struct fz_proc *p, struct fz_rng *r)
{
	struct drm_shiftaccel_wait w = {.queue_id = pick_queue(p, r), .flags = junk32(r)}, in;
	int ret;

	w.value = fz_below(r, 2) ? fz_below(r, 4) : fz_rand(r);
	switch (fz_below(r, 50)) {
	case 0: w.timeout_ns = INT64_MAX; break; /* interrupted when the process exits */
	case 1: w.timeout_ns = -1; break;
	case 2: w.timeout_ns = INT64_MIN; break;
	default: w.timeout_ns = (int64_t)fz_below(r, 20 * 1000 * 1000); break;
	}
	in = w;
	ret = call(p, FZ_WAIT, cur_fd(p), DRM_IOCTL_SHIFTACCEL_WAIT, &w);
	if (!ret && (in.flags || w.fence_value < in.value))
		violation(p, "WAIT succeeded: value %#llx fence %#llx flags %#x",
			  (unsigned long long)in.value, (unsigned long long)w.fence_value,
			  in.flags);
}

static void op_queue_eventfd(struct fz_proc *p, struct fz_rng *r)
{
	struct drm_shiftaccel_queue_eventfd e = {.queue_id = pick_queue(p, r), .flags = junk32(r)},
					    in;

	e.pad = junk32(r);
	int efd = -1, ret;

	switch (fz_below(r, 4)) {
	case 0: e.fd = -1; break;
	case 1: e.fd = (int32_t)fz_rand(r); break;
	case 2: e.fd = cur_fd(p); break; /* not an eventfd */
	default:
		efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		e.fd = efd;
		break;
	}
	in = e;
	ret = call(p, FZ_QUEUE_EVENTFD, cur_fd(p), DRM_IOCTL_SHIFTACCEL_QUEUE_EVENTFD, &e);
	if (!ret && (in.flags || in.pad))
		violation(p, "QUEUE_EVENTFD succeeded with flags %#x pad %#x", in.flags, in.pad);
	/* The driver keeps its own reference: closing ours must be harmless. */
	if (efd >= 0)
		close(efd);
}

static void op_status(struct fz_proc *p, struct fz_rng *r)
{
	struct drm_shiftaccel_status s = {.queue_id = pick_queue(p, r), .flags = junk32(r)};
	const uint32_t flags = s.flags;
	int ret = call(p, FZ_STATUS, cur_fd(p), DRM_IOCTL_SHIFTACCEL_STATUS, &s);

	if (!ret && (flags || s.queue_state < SHIFTACCEL_QUEUE_STATE_RUNNING ||
		     s.queue_state > SHIFTACCEL_QUEUE_STATE_LOST))
		violation(p, "STATUS succeeded: flags %#x state %u", flags, s.queue_state);
}

static void op_mmap(struct fz_proc *p, struct fz_rng *r)
{
	static const int prots[] = {PROT_READ | PROT_WRITE, PROT_READ, PROT_WRITE,
				    PROT_READ | PROT_WRITE | PROT_EXEC, PROT_NONE};
	uint64_t off = fz_below(r, 2) ? fz_edge(p, r) & ~(PAGE - 1) : fz_below(r, 1ull << 40) << 12;
	size_t len = fz_below(r, 2) ? PAGE : (size_t)(PAGE * (1 + fz_below(r, 64)));
	int prot = prots[fz_below(r, sizeof(prots) / sizeof(prots[0]))];
	void *m = mmap(NULL, len, prot, fz_below(r, 4) ? MAP_SHARED : MAP_PRIVATE, cur_fd(p),
		       (off_t)off);

	count(p, FZ_MMAP, m != MAP_FAILED);
	if (m == MAP_FAILED)
		return;
	if (prot & PROT_READ)
		safe_load(m);
	munmap(m, len);
}

/* Unknown command numbers, and known ones with a struct size the kernel did not define. */
static void op_bad_ioctl(struct fz_proc *p, struct fz_rng *r)
{
	uint8_t buf[256] = {0};
	unsigned int nr = DRM_COMMAND_BASE + (unsigned int)fz_below(r, 0x20);
	unsigned int size = (unsigned int)fz_below(r, sizeof(buf) + 1);
	/*
	 * Random bytes reach the handler of whatever ioctl nr names (BO_CREATE's
	 * size, VM_UNMAP's va...): a local run that leaves out the known bugs keeps
	 * every 64-bit word below 64 KiB.
	 */
	bool small = p->skip_va_end || p->skip_big_bo;
	unsigned long req;

	for (unsigned int i = 0; i < size; i++)
		buf[i] = fz_below(r, 4) || (small && i % 8 >= 2) ? 0 : (uint8_t)fz_rand(r);
	switch (fz_below(r, 3)) {
	case 0: req = _IOC(_IOC_READ | _IOC_WRITE, DRM_IOCTL_BASE, nr, size); break;
	case 1: req = _IOC(_IOC_WRITE, DRM_IOCTL_BASE, nr, size); break;
	default: req = _IOC(_IOC_NONE, DRM_IOCTL_BASE, nr, 0); break;
	}
	call(p, FZ_BAD_IOCTL, cur_fd(p), req, buf);
}

static void op_syncobj_wait(struct fz_proc *p, struct fz_rng *r)
{
	uint32_t handle = fz_below(r, 4) ? p->syncobj : (uint32_t)fz_rand(r);
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&handle,
		.count_handles = 1,
		.timeout_nsec = (int64_t)fz_below(r, 5 * 1000 * 1000),
	};

	call(p, FZ_SYNCOBJ_WAIT, cur_fd(p), DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

/* Swaps in a new file and closes the old one while other threads may be inside an ioctl. */
static void op_reopen(struct fz_proc *p, struct fz_rng *r)
{
	char node[64], sys[128];
	struct drm_syncobj_create sc = {0};
	int nfd, old;

	if (fz_below(r, 4) || sa_find_node(node, sizeof(node), sys, sizeof(sys)))
		return;
	nfd = open(node, O_RDWR | O_CLOEXEC);
	count(p, FZ_REOPEN, nfd >= 0);
	if (nfd < 0)
		return;
	ioctl(nfd, DRM_IOCTL_SYNCOBJ_CREATE, &sc);
	pthread_mutex_lock(&p->lock);
	old = p->fd;
	__atomic_store_n(&p->fd, nfd, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < p->nqueues; i++)
		make_stale(p, &p->queues[i]);
	p->nqueues = p->nbos = p->nmaps = 0;
	p->syncobj = sc.handle;
	pthread_mutex_unlock(&p->lock);
	close(old);
}

/* waitpid() for at most seconds: the pid, or 0 while it still runs. */
static pid_t wait_child(pid_t pid, int *status, int seconds)
{
	struct timespec ts;
	pid_t got;
	time_t end;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = ts.tv_sec + seconds;
	do {
		got = waitpid(pid, status, WNOHANG);
		if (got == 0)
			usleep(10000);
		clock_gettime(CLOCK_MONOTONIC, &ts);
	} while (got == 0 && ts.tv_sec < end);
	return got;
}

/* A child that keeps using the inherited file (and the parent's tables), then exits. */
static void op_fork(struct fz_proc *p, struct fz_rng *r)
{
	int status = 0;
	pid_t pid, got;

	if (fz_below(r, 8))
		return;
	pid = fork();
	if (pid == 0) {
		struct fz_rng cr = {.s = fz_rand(r) | 1};

		fz_in_call = NULL;
		/* Another thread may have held the lock at fork: the child starts afresh. */
		pthread_mutex_init(&p->lock, NULL);
		for (int i = 0; i < 40; i++)
			fz_step(p, &cr);
		_exit(0);
	}
	count(p, FZ_FORK, pid > 0);
	if (pid < 0)
		return;
	if (fz_in_call)
		*fz_in_call = FZ_FORK + 1;
	/* The child may sit in a WAIT without end (allowed); then it must die on SIGKILL. */
	got = wait_child(pid, &status, 5);
	if (got == 0) {
		kill(pid, SIGKILL);
		got = wait_child(pid, &status, 20);
		if (got == 0)
			violation(p, "a forked child did not exit within 20 s of SIGKILL");
		else if (got == pid && WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
			violation(p, "a forked child died of signal %d", WTERMSIG(status));
	} else if (got == pid && WIFSIGNALED(status) && WTERMSIG(status) != SIGSEGV &&
		   WTERMSIG(status) != SIGBUS) {
		violation(p, "a forked child died of signal %d", WTERMSIG(status));
	}
	if (fz_in_call)
		*fz_in_call = 0;
}

typedef void (*fz_fn)(struct fz_proc *p, struct fz_rng *r);

/* Relative weights: cheap ioctls often, fork and reopen rarely. */
static const struct {
	fz_fn fn;
	unsigned int weight;
} ops[] = {
	{op_get_info, 2},     {op_bo_create, 6}, {op_bo_mmap_offset, 3}, {op_gem_close, 3},
	{op_vm_map, 8},	      {op_vm_unmap, 6},	 {op_queue_create, 4},	 {op_queue_destroy, 2},
	{op_submit, 6},	      {op_wait, 4},	 {op_queue_eventfd, 2},	 {op_status, 3},
	{op_ring_write, 6},   {op_doorbell, 4},	 {op_mmap, 3},		 {op_bad_ioctl, 2},
	{op_syncobj_wait, 1}, {op_reopen, 1},	 {op_fork, 1},
};

/* Free memory in MiB (SA_FUZZ_TRACE_MEM: which operation took a lot at once). */
static long free_mib(void)
{
	struct sysinfo si;

	return sysinfo(&si) ? -1 : (long)(si.freeram * si.mem_unit >> 20);
}

static void run_traced(struct fz_proc *p, struct fz_rng *r, size_t i)
{
	struct fz_rng before_rng = *r;
	long before = free_mib(), after;
	int fd;

	ops[i].fn(p, r);
	after = free_mib();
	if (before < 0 || after < 0 || before - after < 64)
		return;
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		dprintf(fd, "sa_fuzz: operation %zu (rng state %#llx) took %ld MiB\n", i,
			(unsigned long long)before_rng.s, before - after);
		close(fd);
	}
}

void fz_step(struct fz_proc *p, struct fz_rng *r)
{
	unsigned int total = 0, pick;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		total += ops[i].weight;
	pick = (unsigned int)fz_below(r, total);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (pick < ops[i].weight) {
			/* Outside an ioctl, a stall or a memory drop names the operation. */
			if (fz_in_call)
				*fz_in_call = FZ_IN_OP + (int32_t)i;
			if (p->trace_mem)
				run_traced(p, r, i);
			else
				ops[i].fn(p, r);
			if (fz_in_call)
				*fz_in_call = 0;
			return;
		}
		pick -= ops[i].weight;
	}
}

int fz_proc_init(struct fz_proc *p, uint32_t index, struct fz_shared *shared, bool skip_va_end,
		 bool skip_big_bo)
{
	struct sa_dev other;
	struct sa_dev d;
	struct drm_syncobj_create sc = {0};
	int ret;

	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	p->index = index;
	p->shared = shared;
	p->skip_va_end = skip_va_end;
	p->skip_big_bo = skip_big_bo;
	p->trace_mem = getenv("SA_FUZZ_TRACE_MEM") != NULL;
	install_fault_handler();
	ret = sa_dev_open(&d);
	if (ret)
		return ret;
	p->fd = d.fd;
	p->info = d.info;
	if (!ioctl(p->fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc))
		p->syncobj = sc.handle;
	/* The other file: a BO, a mapping and a queue whose names mean nothing in ours. */
	ret = sa_dev_open(&other);
	if (ret)
		return ret;
	p->other_fd = other.fd;
	if (!sa_drm_queue_new(other.fd, 8, &p->other_q)) {
		p->other_handle = p->other_q.ring.handle;
		p->other_queue = p->other_q.id;
		p->other_va = p->other_q.fence.va;
	}
	return 0;
}

static bool all_zero(const void *mem, size_t len)
{
	const uint8_t *b = mem;

	for (size_t i = 0; mem && i < len; i++)
		if (b[i])
			return false;
	return true;
}

void fz_proc_check_other(struct fz_proc *p)
{
	if (!all_zero(p->other_q.ring.cpu, p->other_q.ring.size))
		violation(p, "the other file's ring (queue %u) was written", p->other_queue);
	if (!all_zero(p->other_q.fence.cpu, p->other_q.fence.size))
		violation(p, "the other file's fence page was written");
}
