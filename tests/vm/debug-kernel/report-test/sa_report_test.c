// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * A module that makes the debug kernel report one deliberate bug, to test
 * that tests/vm/debug-kernel/scan-reports.sh finds real reports (it is never
 * loaded by anything but tests/vm/debug-kernel/test-scanner.sh):
 *
 *   insmod sa_report_test.ko bug=kasan|ubsan|warn|leak|sleep|lockdep
 *
 * Loading always fails with -EAGAIN once the bug is done, so the module can
 * be loaded again for the next one.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

static char *bug = "";
module_param(bug, charp, 0444);
MODULE_PARM_DESC(bug, "kasan, ubsan, warn, leak, sleep or lockdep");

static DEFINE_MUTEX(lock_a);
static DEFINE_MUTEX(lock_b);
static DEFINE_SPINLOCK(spin);

static int __init sa_report_test_init(void)
{
	if (!strcmp(bug, "kasan")) {
		/* slab-use-after-free */
		char *p = kmalloc(16, GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		kfree(p);
		OPTIMIZER_HIDE_VAR(p);
		pr_info("sa_report_test: read after free: %d\n", READ_ONCE(p[4]));
	} else if (!strcmp(bug, "ubsan")) {
		/* shift-out-of-bounds */
		volatile int shift = 40;

		pr_info("sa_report_test: 1 << 40 = %d\n", 1 << shift);
	} else if (!strcmp(bug, "warn")) {
		WARN(1, "sa_report_test: deliberate warning\n");
	} else if (!strcmp(bug, "leak")) {
		/* The only pointer is dropped here: kmemleak's next scans find it. */
		void *p = kmalloc(64, GFP_KERNEL);

		OPTIMIZER_HIDE_VAR(p);
		pr_info("sa_report_test: leaked an object\n");
	} else if (!strcmp(bug, "sleep")) {
		/* might_sleep() under a spinlock (DEBUG_ATOMIC_SLEEP) */
		spin_lock(&spin);
		might_sleep();
		spin_unlock(&spin);
	} else if (!strcmp(bug, "lockdep")) {
		/* A then B, later B then A: an AB-BA inversion, without deadlocking. */
		mutex_lock(&lock_a);
		mutex_lock(&lock_b);
		mutex_unlock(&lock_b);
		mutex_unlock(&lock_a);
		mutex_lock(&lock_b);
		mutex_lock(&lock_a);
		mutex_unlock(&lock_a);
		mutex_unlock(&lock_b);
	} else {
		pr_err("sa_report_test: unknown bug '%s'\n", bug);
		return -EINVAL;
	}
	return -EAGAIN;
}
module_init(sa_report_test_init);

MODULE_DESCRIPTION("ShiftAccel: deliberate bugs for the debug kernel's report scanner test");
MODULE_LICENSE("Dual MIT/GPL");
