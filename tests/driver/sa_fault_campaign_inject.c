// SPDX-License-Identifier: MIT
/*
 * The campaign's injections: the card's fault-injection block through the
 * driver's debugfs hook (docs/driver.md; cards created with --debug-card),
 * a file whose many queues fault at once so that the firmware's event
 * outbox (SA_FW_OUTBOX_DEPTH messages) overflows, and the kernel's failslab
 * limited to the load processes (/proc/<pid>/make-it-fail).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sa_fault_campaign.h"

/* Writes a file of the card's debugfs directory (one card: accel/<minor>/). */
int fc_debugfs_write(const char *name, const char *value)
{
	char path[512];
	struct dirent *e;
	DIR *dir = opendir("/sys/kernel/debug/accel");
	int fd, ret = -ENOENT;

	if (!dir)
		return -errno;
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/debug/accel/%s/%s", e->d_name, name);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ret = write(fd, value, strlen(value)) < 0 ? -errno : 0;
		close(fd);
		break;
	}
	closedir(dir);
	return ret;
}

int fc_inject(uint32_t sa_fi_bits)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", sa_fi_bits);
	return fc_debugfs_write("fault_inject", v);
}

/*
 * SA_REG_FI_FIRED through BAR0 (sysfs resource0, root only): which injections
 * took effect since the last call, cleared as read (RW1C); -1 when BAR0
 * cannot be mapped (a kernel with strict /dev/mem-style checks refuses to
 * map a BAR that a driver holds).  The driver's debugfs hook only arms.
 */
int64_t fc_fi_fired(void)
{
	static bool said;
	char node[64], sysdir[128], path[192];
	volatile uint32_t *regs;
	uint32_t fired;
	int fd;

	if (sa_find_node(node, sizeof(node), sysdir, sizeof(sysdir)))
		return -1;
	snprintf(path, sizeof(path), "%s/resource0", sysdir);
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	regs = fd < 0 ? MAP_FAILED
		      : mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, SA_REG_FI_ARM);
	if (regs == MAP_FAILED) {
		if (!said)
			printf("# cannot map %s: %s\n", path, strerror(errno));
		said = true;
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	fired = regs[(SA_REG_FI_FIRED - SA_REG_FI_ARM) / 4];
	regs[(SA_REG_FI_FIRED - SA_REG_FI_ARM) / 4] = fired;
	munmap((void *)regs, 4096);
	return fired;
}

#define OVERFLOW_QUEUES 16

/*
 * One file takes every queue it can get, puts an invalid descriptor in each
 * ring, then rings all the doorbells back to back: the firmware raises one
 * fault event per queue, more than its outbox holds.  Returns the number of
 * queues that faulted together (0 on a setup failure) after hold_s seconds.
 */
int fc_event_overflow(unsigned int hold_s)
{
	static struct sa_drm_queue q[OVERFLOW_QUEUES];
	struct sa_hw_desc bad;
	struct sa_dev d;
	int n = 0;

	if (sa_dev_open(&d))
		return 0;
	while (n < OVERFLOW_QUEUES && !sa_drm_queue_new(d.fd, 8, &q[n]))
		n++;
	memset(&bad, 0, sizeof(bad));
	bad.opcode = 0xff; /* BAD_OPCODE */
	for (int i = 0; i < n; i++)
		memcpy(&q[i].ring_map[q[i].tail & (q[i].entries - 1)], &bad, sizeof(bad));
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (int i = 0; i < n; i++)
		*q[i].doorbell = q[i].tail + 1;
	/*
	 * The file stays open past the job timeout (docs/driver.md: 10 s), so a
	 * driver that missed the dropped events and still sees work on those
	 * queues acts on it while the load runs.
	 */
	sleep(hold_s);
	sa_dev_close(&d);
	return n;
}

static int write_str(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = write(fd, value, strlen(value)) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

bool fc_have_failslab(void)
{
	return access("/sys/kernel/debug/failslab/probability", W_OK) == 0;
}

int fc_failslab_setup(bool on)
{
	static const char *const dir = "/sys/kernel/debug/failslab/";
	static const struct {
		const char *file, *on, *off;
	} knobs[] = {
		{"task-filter", "Y", "N"}, {"probability", "5", "0"}, {"interval", "1", "1"},
		{"times", "-1", "0"},	   {"verbose", "0", "0"},     {"ignore-gfp-wait", "N", "Y"},
	};
	char path[256];
	int ret = 0;

	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", dir, knobs[i].file);
		int r = write_str(path, on ? knobs[i].on : knobs[i].off);

		if (r && !ret)
			ret = r;
	}
	return ret;
}
