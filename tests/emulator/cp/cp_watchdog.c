// SPDX-License-Identifier: MIT
/*
 * Watchdog: enables a 100 us watchdog and keeps kicking it (with a
 * heartbeat each round) until the host sends any message; then it spins
 * without kicking, as a firmware stuck in a loop would.
 */
#include "cp.h"

int main(void)
{
	wr(SA_CP_WDT_BASE + SA_CP_WDT_TIMEOUT_US, 100);
	wr(SA_CP_WDT_BASE + SA_CP_WDT_CTRL, SA_WDT_CTRL_ENABLE);
	while (!(rd(SA_CP_MBOX_BASE + SA_CP_MBOX_H2F_CTRL) & SA_MBOX_STATUS_FULL)) {
		wr(SA_CP_WDT_BASE + SA_CP_WDT_KICK, 1);
		wr(SA_CP_WDT_BASE + SA_CP_WDT_HEARTBEAT, 1);
	}
	for (;;)
		__asm__ volatile("" ::: "memory");
}
