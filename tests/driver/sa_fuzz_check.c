// SPDX-License-Identifier: MIT
/*
 * What the fuzzer checks after (and while) it runs, none of it needing the
 * driver's code: kernel warnings in /dev/kmsg, the card's live-object
 * counters back at their idle values (sysfs names from docs/driver.md), and
 * a fresh process getting a known conv and fence done right.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sa_fuzz.h"

/* Kernel log lines that mean the kernel itself went wrong. */
static const char *const bad_lines[] = {
	"WARNING:",
	"BUG:",
	"KASAN",
	"Oops",
	"possible circular locking",
	"possible recursive locking",
	"lockdep",
	"rcu_sched self-detected stall",
	"rcu: INFO:",
	"RCU stall",
	"soft lockup",
	"hung_task",
	"blocked for more than",
	"UBSAN",
	"kmemleak",
	"refcount_t",
	"list_add corruption",
	"list_del corruption",
	"general protection fault",
	"unable to handle",
};

int fz_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

int fz_kmsg_scan(int fd, bool print_all)
{
	char rec[2048];
	int bad = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE) /* overwritten records: keep reading */
			continue;
		if (n <= 0)
			break;
		rec[n] = 0;
		if (print_all) {
			const char *msg = strchr(rec, ';');

			printf("# kernel: %s", msg ? msg + 1 : rec);
		}
		for (size_t i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
			if (strcasestr(rec, bad_lines[i])) {
				const char *msg = strchr(rec, ';');

				if (bad++ < 40 && !print_all)
					printf("# kernel: %s", msg ? msg + 1 : rec);
				break;
			}
		}
	}
	return bad;
}

static const char *const idle_names[] = {"bo_count", "pinned_pages", "mappings", "queue_count",
					 "ctx_count"};

void fz_idle_read(struct fz_idle *i)
{
	struct sa_dev d = {.fd = -1};
	long *v[] = {&i->bo_count, &i->pinned_pages, &i->mappings, &i->queue_count, &i->ctx_count};
	char node[64];

	sa_find_node(node, sizeof(node), d.sysdir, sizeof(d.sysdir));
	for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++)
		*v[k] = sa_sysfs_long(&d, idle_names[k]);
}

int fz_idle_compare(const struct fz_idle *before, const struct fz_idle *after)
{
	const long *b = &before->bo_count, *a = &after->bo_count;
	int diff = 0;

	for (size_t k = 0; k < sizeof(idle_names) / sizeof(idle_names[0]); k++) {
		if (a[k] != b[k] || a[k] < 0) {
			printf("# %s is %ld after the run, %ld before\n", idle_names[k], a[k],
			       b[k]);
			diff++;
		}
	}
	return diff;
}

void fz_show_blocked(int kmsg)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	/* sysrq-w: the kernel logs every task in uninterruptible sleep, with its stack. */
	if (write(fd, "w", 1) != 1)
		printf("# cannot write /proc/sysrq-trigger\n");
	close(fd);
	usleep(500000);
	fz_kmsg_scan(kmsg, true);
}

/* Each thread of pid: its state and kernel stack (root only), to name a stall. */
void fz_show_stacks(int pid)
{
	char path[400], line[256];
	struct dirent *e;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/wchan", pid, e->d_name);
		f = fopen(path, "r");
		line[0] = 0;
		if (f) {
			if (!fgets(line, sizeof(line), f))
				line[0] = 0;
			fclose(f);
		}
		printf("# task %d/%s wchan %s\n", pid, e->d_name, line);
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", pid, e->d_name);
		f = fopen(path, "r");
		for (int n = 0; f && n < 12 && fgets(line, sizeof(line), f); n++)
			printf("#   %s", line);
		if (f)
			fclose(f);
	}
	closedir(dir);
}

int fz_wait_ready(int timeout_s)
{
	struct sa_dev d = {.fd = -1};
	char node[64], state[32] = "";

	for (int i = 0; i < timeout_s * 10; i++) {
		sa_find_node(node, sizeof(node), d.sysdir, sizeof(d.sysdir));
		if (!sa_sysfs_str(&d, "device_state", state, sizeof(state)) &&
		    !strcmp(state, "ready"))
			return 0;
		usleep(100000);
	}
	printf("# device_state is '%s', not ready\n", state);
	return -1;
}

int fz_fresh_job(void)
{
	struct sa_conv_job job;
	struct sa_drm_queue q;
	struct sa_dev d;
	struct sa_hw_desc desc;
	size_t bad;
	int ret;

	ret = sa_dev_open(&d);
	if (ret) {
		printf("# a fresh process cannot open the card: %s\n", strerror(-ret));
		return ret;
	}
	ret = sa_drm_queue_new(d.fd, 16, &q);
	if (!ret)
		ret = sa_conv_job_new(d.fd, 77, &job);
	if (ret) {
		printf("# a fresh process cannot set up a queue and a job: %s\n", strerror(-ret));
		sa_dev_close(&d);
		return ret;
	}
	/* Through the mapped ring and doorbell, then a fence through the submit ioctl. */
	sa_conv_desc(&job, &desc, q.fence.va, 41);
	sa_drm_queue_push(&q, &desc, 1);
	ret = sa_drm_queue_wait(d.fd, &q, 41, SA_TEST_TIMEOUT_NS);
	bad = sa_conv_mismatches(&job);
	if (ret || bad || sa_drm_queue_fence(&q) != 41) {
		printf("# fresh conv: wait %d, %zu wrong bytes, fence %llu (want 41)\n", ret, bad,
		       (unsigned long long)sa_drm_queue_fence(&q));
		ret = ret ? ret : -EIO;
	}
	if (!ret) {
		sa_desc_nop(&desc, 0, 0);
		ret = sa_drm_queue_submit(d.fd, &q, &desc, 1, 42, 0);
		if (!ret)
			ret = sa_drm_queue_wait(d.fd, &q, 42, SA_TEST_TIMEOUT_NS);
		if (ret || sa_drm_queue_fence(&q) != 42) {
			printf("# fresh fence: %d, fence %llu (want 42)\n", ret,
			       (unsigned long long)sa_drm_queue_fence(&q));
			ret = ret ? ret : -EIO;
		}
	}
	sa_conv_job_free(d.fd, &job);
	sa_drm_queue_free(d.fd, &q);
	sa_dev_close(&d);
	return ret;
}
