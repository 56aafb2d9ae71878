// SPDX-License-Identifier: MIT
/* Helpers for the driver selftests; see sa_selftest.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sa_selftest.h"

int sa_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && errno == EINTR);
	return ret == -1 ? -errno : 0;
}

static int sa_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	return 0;
}

int sa_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -errno;
}

int sa_write_debugfs(const char *name, const char *s)
{
	char path[512];
	struct dirent *e;
	int ret = -ENOENT;
	DIR *dir;

	dir = opendir("/sys/kernel/debug/accel");
	if (!dir)
		return -errno;
	while (ret == -ENOENT && (e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/debug/accel/%s/%s", e->d_name, name);
		ret = sa_write_file(path, s);
	}
	closedir(dir);
	return ret;
}

void sa_sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int sa_wait_ready(const struct sa_dev *d, long resets)
{
	char state[32];

	for (int i = 0; i < 600; i++) {
		if (!sa_sysfs_str(d, "device_state", state, sizeof(state)) &&
		    !strcmp(state, "ready") &&
		    (resets < 0 || sa_sysfs_long(d, "reset_count") == resets))
			return 0;
		sa_sleep_ms(100);
	}
	return -ETIME;
}

int sa_become_unprivileged(unsigned long long limit_bytes)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct c[2];
	const struct rlimit lim = {.rlim_cur = limit_bytes, .rlim_max = limit_bytes};

	if (syscall(SYS_capget, &h, c))
		return -errno;
	c[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
	c[CAP_IPC_LOCK / 32].permitted &= ~(1u << (CAP_IPC_LOCK % 32));
	if (syscall(SYS_capset, &h, c))
		return -errno;
	if (limit_bytes && setrlimit(RLIMIT_MEMLOCK, &lim))
		return -errno;
	return 0;
}

int sa_param_get(const char *name, char *buf, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/shiftaccel/parameters/%s", name);
	return sa_read_file(path, buf, len);
}

int sa_param_set(const char *name, const char *value)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/shiftaccel/parameters/%s", name);
	return sa_write_file(path, value);
}

int sa_find_node(char *path, size_t len, char *sysdir, size_t syslen)
{
	struct dirent *e;
	char p[512], v[32], d[32];
	DIR *dir;

	path[0] = 0;
	dir = opendir("/sys/class/accel");
	if (!dir)
		return -ENOENT;
	while ((e = readdir(dir))) {
		if (strncmp(e->d_name, "accel", 5))
			continue;
		snprintf(p, sizeof(p), "/sys/class/accel/%s/device/vendor", e->d_name);
		if (sa_read_file(p, v, sizeof(v)))
			continue;
		snprintf(p, sizeof(p), "/sys/class/accel/%s/device/device", e->d_name);
		if (sa_read_file(p, d, sizeof(d)))
			continue;
		if (strtoul(v, NULL, 0) != SA_PCI_VENDOR_ID ||
		    strtoul(d, NULL, 0) != SA_PCI_DEVICE_ID)
			continue;
		snprintf(path, len, "/dev/accel/%s", e->d_name);
		snprintf(sysdir, syslen, "/sys/class/accel/%s/device", e->d_name);
		break;
	}
	closedir(dir);
	return path[0] ? 0 : -ENOENT;
}

int sa_dev_open(struct sa_dev *d)
{
	char node[64];
	int ret;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	ret = sa_find_node(node, sizeof(node), d->sysdir, sizeof(d->sysdir));
	if (ret)
		return ret;
	d->fd = open(node, O_RDWR | O_CLOEXEC);
	if (d->fd < 0)
		return -errno;
	return sa_ioctl(d->fd, DRM_IOCTL_SHIFTACCEL_GET_INFO, &d->info);
}

void sa_dev_close(struct sa_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

int sa_sysfs_str(const struct sa_dev *d, const char *name, char *buf, size_t len)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", d->sysdir, name);
	return sa_read_file(p, buf, len);
}

long sa_sysfs_long(const struct sa_dev *d, const char *name)
{
	char buf[64];

	if (sa_sysfs_str(d, name, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 0);
}

int sa_bo_create(int fd, uint64_t size, uint32_t *handle)
{
	struct drm_shiftaccel_bo_create c = {.size = size};
	int ret = sa_ioctl(fd, DRM_IOCTL_SHIFTACCEL_BO_CREATE, &c);

	*handle = c.handle;
	return ret;
}

int sa_bo_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = {.handle = handle};

	return sa_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

void *sa_bo_mmap(int fd, uint32_t handle, uint64_t size)
{
	struct drm_shiftaccel_bo_mmap_offset o = {.handle = handle};
	void *p;

	if (sa_ioctl(fd, DRM_IOCTL_SHIFTACCEL_BO_MMAP_OFFSET, &o))
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)o.offset);
	return p == MAP_FAILED ? NULL : p;
}

int sa_vm_map(int fd, uint32_t handle, uint64_t bo_offset, uint64_t size, uint32_t flags,
	      uint64_t *va)
{
	struct drm_shiftaccel_vm_map m = {
		.handle = handle,
		.flags = flags,
		.bo_offset = bo_offset,
		.size = size,
		.va = (flags & SHIFTACCEL_VM_FIXED) ? *va : 0,
	};
	int ret = sa_ioctl(fd, DRM_IOCTL_SHIFTACCEL_VM_MAP, &m);

	if (!ret)
		*va = m.va;
	return ret;
}

int sa_vm_unmap(int fd, uint64_t va)
{
	struct drm_shiftaccel_vm_unmap u = {.va = va};

	return sa_ioctl(fd, DRM_IOCTL_SHIFTACCEL_VM_UNMAP, &u);
}

int sa_buf_new_at(int fd, uint64_t size, uint32_t vm_flags, uint64_t va, struct sa_buf *b)
{
	int ret;

	memset(b, 0, sizeof(*b));
	b->size = (size + 4095) & ~4095ull;
	ret = sa_bo_create(fd, b->size, &b->handle);
	if (ret)
		return ret;
	b->cpu = sa_bo_mmap(fd, b->handle, b->size);
	if (!b->cpu)
		return -ENOMEM;
	b->va = va;
	if (va)
		vm_flags |= SHIFTACCEL_VM_FIXED;
	ret = sa_vm_map(fd, b->handle, 0, b->size, vm_flags, &b->va);
	if (ret)
		b->va = 0;
	return ret;
}

int sa_buf_new(int fd, uint64_t size, uint32_t vm_flags, struct sa_buf *b)
{
	return sa_buf_new_at(fd, size, vm_flags, 0, b);
}

void sa_buf_free(int fd, struct sa_buf *b)
{
	if (b->va)
		sa_vm_unmap(fd, b->va);
	if (b->cpu)
		munmap(b->cpu, b->size);
	if (b->handle)
		sa_bo_close(fd, b->handle);
	memset(b, 0, sizeof(*b));
}

int sa_queue_new(int fd, uint32_t entries, struct sa_queue *q)
{
	struct drm_shiftaccel_queue_create c = {0};
	const uint32_t rw = SHIFTACCEL_VM_READ | SHIFTACCEL_VM_WRITE;
	void *p;
	int ret;

	memset(q, 0, sizeof(*q));
	ret = sa_buf_new(fd, (uint64_t)entries * sizeof(struct sa_hw_desc), SHIFTACCEL_VM_READ,
			 &q->ring);
	if (!ret)
		ret = sa_buf_new(fd, 4096, rw, &q->fence);
	if (ret)
		return ret;
	c.ring_va = q->ring.va;
	c.fence_va = q->fence.va;
	c.ring_entries = entries;
	ret = sa_ioctl(fd, DRM_IOCTL_SHIFTACCEL_QUEUE_CREATE, &c);
	if (ret)
		return ret;
	q->id = c.queue_id;
	q->entries = entries;
	q->tail = c.start_index;
	p = mmap(NULL, q->ring.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)c.ring_mmap_offset);
	if (p == MAP_FAILED)
		return -errno;
	q->ring_map = p;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)c.doorbell_mmap_offset);
	if (p == MAP_FAILED)
		return -errno;
	q->doorbell = p;
	return 0;
}

int sa_queue_free(int fd, struct sa_queue *q)
{
	struct drm_shiftaccel_queue_destroy d = {.queue_id = q->id};
	int ret;

	if (q->doorbell)
		munmap((void *)q->doorbell, 4096);
	if (q->ring_map)
		munmap(q->ring_map, q->ring.size);
	ret = sa_ioctl(fd, DRM_IOCTL_SHIFTACCEL_QUEUE_DESTROY, &d);
	sa_buf_free(fd, &q->ring);
	sa_buf_free(fd, &q->fence);
	return ret;
}

uint64_t sa_queue_fence(const struct sa_queue *q)
{
	return __atomic_load_n((uint64_t *)q->fence.cpu, __ATOMIC_ACQUIRE);
}

void sa_queue_push(struct sa_queue *q, const struct sa_hw_desc *descs, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++)
		memcpy(&q->ring_map[(q->tail + i) & (q->entries - 1)], &descs[i], sizeof(*descs));
	q->tail += count;
	/* The ring stores must be visible before the card sees the tail. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*q->doorbell = q->tail;
}

int sa_queue_submit(int fd, struct sa_queue *q, const struct sa_hw_desc *descs, uint32_t count,
		    uint64_t signal_value, uint32_t out_syncobj)
{
	struct drm_shiftaccel_submit s = {
		.descs = (uintptr_t)descs,
		.count = count,
		.desc_size = sizeof(*descs),
		.queue_id = q->id,
		.signal_value = signal_value,
		.out_syncobj = out_syncobj,
	};
	int ret = sa_ioctl(fd, DRM_IOCTL_SHIFTACCEL_SUBMIT, &s);

	if (!ret)
		q->tail = (uint32_t)s.tail;
	return ret;
}

int sa_queue_wait(int fd, const struct sa_queue *q, uint64_t value, int64_t timeout_ns)
{
	struct drm_shiftaccel_wait w = {
		.value = value,
		.timeout_ns = timeout_ns,
		.queue_id = q->id,
	};

	return sa_ioctl(fd, DRM_IOCTL_SHIFTACCEL_WAIT, &w);
}

int sa_queue_status(int fd, uint32_t id, struct drm_shiftaccel_status *st)
{
	memset(st, 0, sizeof(*st));
	st->queue_id = id;
	return sa_ioctl(fd, DRM_IOCTL_SHIFTACCEL_STATUS, st);
}

void sa_desc_nop(struct sa_hw_desc *d, uint64_t fence_va, uint64_t fence_value)
{
	memset(d, 0, sizeof(*d));
	d->opcode = SA_OP_NOP;
	if (fence_value) {
		d->flags = SA_DESC_F_FENCE | SA_DESC_F_IRQ;
		d->fence_addr = fence_va;
		d->fence_value = fence_value;
	}
}

void sa_desc_copy(struct sa_hw_desc *d, uint64_t src, uint64_t dst, uint64_t len)
{
	memset(d, 0, sizeof(*d));
	d->opcode = SA_OP_COPY;
	d->u.copy.src = src;
	d->u.copy.dst = dst;
	d->u.copy.length = len;
}

/* Small deterministic generator so a failing seed can be replayed. */
static uint32_t sa_rand(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

static int sa_rand_range(uint32_t *s, int lo, int hi)
{
	return lo + (int)(sa_rand(s) % (uint32_t)(hi - lo + 1));
}

int sa_conv_job_new(int fd, unsigned int seed, struct sa_conv_job *j)
{
	return sa_conv_job_new_at(fd, seed, 0, j);
}

int sa_conv_job_new_at(int fd, unsigned int seed, uint64_t base_va, struct sa_conv_job *j)
{
	const uint32_t rw = SHIFTACCEL_VM_READ | SHIFTACCEL_VM_WRITE;
	size_t nin, nw, nout, i;
	int32_t *bias;
	int8_t *wk, *x;
	uint32_t s = seed;
	int ret;

	memset(j, 0, sizeof(*j));
	j->in_shape = (struct sa_shape){.c = 8, .h = 12, .w = 10, .dtype = SA_DTYPE_I8, .exp = -4};
	j->p = (struct sa_conv_params){
		.kernel_h = 3,
		.kernel_w = 3,
		.stride_h = 1,
		.stride_w = 2,
		.dilation_h = 1,
		.dilation_w = 1,
		.pad_top = 1,
		.pad_left = 1,
		.pad_bottom = 1,
		.pad_right = 0,
		.groups = 1,
		.out_channels = 16,
		.weight_bits = 4,
		.weight_base = -3,
		.act = SA_ACT_RELU,
		.flags = SA_PARAM_HAS_BIAS,
	};
	j->out_shape.dtype = SA_DTYPE_I8;
	j->out_shape.exp = -3;
	if (sa_check_conv(&j->in_shape, &j->p, &j->out_shape))
		return -EINVAL;

	nin = sa_shape_elems(&j->in_shape);
	nout = sa_shape_elems(&j->out_shape);
	nw = (size_t)j->p.out_channels * j->in_shape.c * j->p.kernel_h * j->p.kernel_w;
	/* With base_va the buffers go 1 MiB apart from there, else where the driver likes. */
#define SA_AT(n) (base_va ? base_va + (n)*0x100000ull : 0)
	ret = sa_buf_new_at(fd, nin, SHIFTACCEL_VM_READ, SA_AT(0), &j->in);
	if (!ret)
		ret = sa_buf_new_at(fd, sa_weight_packed_size(nw, j->p.weight_bits),
				    SHIFTACCEL_VM_READ, SA_AT(1), &j->weights);
	if (!ret)
		ret = sa_buf_new_at(fd, j->p.out_channels * sizeof(int32_t), SHIFTACCEL_VM_READ,
				    SA_AT(2), &j->bias);
	if (!ret)
		ret = sa_buf_new_at(fd, nout, rw, SA_AT(3), &j->out);
#undef SA_AT
	if (ret)
		return ret;

	x = j->in.cpu;
	for (i = 0; i < nin; i++)
		x[i] = (int8_t)sa_rand_range(&s, -20, 20);
	wk = malloc(nw);
	j->expect = malloc(nout);
	if (!wk || !j->expect) {
		free(wk);
		return -ENOMEM;
	}
	for (i = 0; i < nw; i++)
		wk[i] = (int8_t)sa_rand_range(&s, -3, 3);
	sa_weight_pack(wk, nw, j->p.weight_bits, j->weights.cpu);
	bias = j->bias.cpu;
	for (i = 0; i < j->p.out_channels; i++)
		bias[i] = sa_rand_range(&s, -200, 200);
	/* Garbage the card must overwrite. */
	memset(j->out.cpu, 0x5a, nout);
	sa_ref_conv(&j->in_shape, x, &j->p, wk, bias, &j->out_shape, j->expect);
	free(wk);
	return 0;
}

void sa_conv_job_free(int fd, struct sa_conv_job *j)
{
	sa_buf_free(fd, &j->in);
	sa_buf_free(fd, &j->weights);
	sa_buf_free(fd, &j->bias);
	sa_buf_free(fd, &j->out);
	free(j->expect);
	j->expect = NULL;
}

static struct sa_hw_tensor sa_tensor(uint64_t addr, const struct sa_shape *s)
{
	return (struct sa_hw_tensor){
		.addr = addr,
		.c = s->c,
		.h = s->h,
		.w = s->w,
		.dtype = s->dtype,
		.exp = s->exp,
	};
}

void sa_conv_desc(const struct sa_conv_job *j, struct sa_hw_desc *d, uint64_t fence_va,
		  uint64_t fence_value)
{
	memset(d, 0, sizeof(*d));
	d->opcode = SA_OP_CONV;
	d->tag = 0xc0de;
	if (fence_value) {
		d->flags = SA_DESC_F_FENCE | SA_DESC_F_IRQ;
		d->fence_addr = fence_va;
		d->fence_value = fence_value;
	}
	d->u.layer.in = sa_tensor(j->in.va, &j->in_shape);
	d->u.layer.out = sa_tensor(j->out.va, &j->out_shape);
	d->u.layer.weights = j->weights.va;
	d->u.layer.bias = j->bias.va;
	d->u.layer.params.conv = j->p;
}

size_t sa_conv_out_bytes(const struct sa_conv_job *j)
{
	return sa_shape_elems(&j->out_shape);
}

size_t sa_conv_mismatches(const struct sa_conv_job *j)
{
	const int8_t *y = j->out.cpu;
	size_t i, bad = 0;

	for (i = 0; i < sa_conv_out_bytes(j); i++)
		bad += y[i] != j->expect[i];
	return bad;
}
