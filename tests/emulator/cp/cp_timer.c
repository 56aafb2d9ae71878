// SPDX-License-Identifier: MIT
/*
 * Timer: arms mtimecmp 1000 ns after the current mtime, sleeps until the
 * timer interrupt line rises, ticks the heartbeat and reports the mtime it
 * woke at through the mailbox (words 1/2 = armed deadline, 3/4 = wake time).
 */
#include "cp.h"

static uint64_t mtime(void)
{
	uint32_t lo = rd(SA_CP_TIMER_BASE + SA_CP_TIMER_MTIME_LO);
	uint32_t hi = rd(SA_CP_TIMER_BASE + SA_CP_TIMER_MTIME_HI);

	return (uint64_t)hi << 32 | lo;
}

int main(void)
{
	uint64_t deadline = mtime() + 1000, now;
	uint32_t msg[5];

	wr(SA_CP_TIMER_BASE + SA_CP_TIMER_MTIMECMP_HI, (uint32_t)(deadline >> 32));
	wr(SA_CP_TIMER_BASE + SA_CP_TIMER_MTIMECMP_LO, (uint32_t)deadline);
	mie_set(MIE_MTIE);
	do {
		wfi();
		now = mtime();
	} while (now < deadline);
	wr(SA_CP_WDT_BASE + SA_CP_WDT_HEARTBEAT, 1);
	msg[0] = 0x71;
	msg[1] = (uint32_t)deadline;
	msg[2] = (uint32_t)(deadline >> 32);
	msg[3] = (uint32_t)now;
	msg[4] = (uint32_t)(now >> 32);
	send_f2h(msg, 5);
	return 0;
}
