// SPDX-License-Identifier: MIT
/* Helpers for the driver selftests; see sa_selftest.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sa_selftest.h"

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
	struct sa_drm_card cards[8];
	int n = sa_drm_cards("", cards, 8);

	path[0] = 0;
	for (int i = 0; i < n && i < 8; i++) {
		if (!cards[i].node[0])
			continue;
		snprintf(path, len, "%s", cards[i].node);
		snprintf(sysdir, syslen, "/sys/class/accel/%s/device", cards[i].accel_name);
		return 0;
	}
	return -ENOENT;
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
	d->fd = sa_drm_open(node);
	if (d->fd < 0) {
		ret = d->fd;
		d->fd = -1;
		return ret;
	}
	return sa_drm_get_info(d->fd, &d->info);
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
	ret = sa_drm_buf_new_at(fd, nin, SHIFTACCEL_VM_READ, SA_AT(0), &j->in);
	if (!ret)
		ret = sa_drm_buf_new_at(fd, sa_weight_packed_size(nw, j->p.weight_bits),
					SHIFTACCEL_VM_READ, SA_AT(1), &j->weights);
	if (!ret)
		ret = sa_drm_buf_new_at(fd, j->p.out_channels * sizeof(int32_t), SHIFTACCEL_VM_READ,
					SA_AT(2), &j->bias);
	if (!ret)
		ret = sa_drm_buf_new_at(fd, nout, rw, SA_AT(3), &j->out);
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
	sa_drm_buf_free(fd, &j->in);
	sa_drm_buf_free(fd, &j->weights);
	sa_drm_buf_free(fd, &j->bias);
	sa_drm_buf_free(fd, &j->out);
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
