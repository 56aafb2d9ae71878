// SPDX-License-Identifier: MIT
/*
 * Card-time duties: the heartbeat the driver watches, the watchdog kick,
 * and the periodic re-check of queues blocked on SA_OP_WAIT (their value
 * may be written by the host CPU, which rings no bell).  All of them are
 * driven by one CP timer deadline, so an idle firmware sleeps in wfi.
 *
 * The watchdog is kicked with the heartbeat and only from here: this runs
 * on every pass of the event loop and of every engine wait, so a firmware
 * that stops making passes stops kicking and the card resets its CP.
 */
#include "fw.h"

static uint64_t us_to_ns(uint32_t us)
{
	return (uint64_t)us * 1000;
}

/*
 * The deadline is always in the future: the timer interrupt is a level
 * (mtime >= mtimecmp), and one already due would keep waking the CP.
 */
static void arm(uint64_t now)
{
	uint64_t next = fw.next_heartbeat_ns;

	if (fw_sched_any_waiting() && fw.next_poll_ns < next)
		next = fw.next_poll_ns;
	hal_timer_at(next > now ? next : now + 1);
}

void fw_timer_start(void)
{
	uint64_t now = hal_time_ns();

	hal_wdt_start(fw.watchdog_us);
	hal_heartbeat();
	fw.heartbeats = 1;
	fw.next_heartbeat_ns = now + us_to_ns(fw.heartbeat_us);
	fw.next_poll_ns = now + us_to_ns(fw.wait_poll_us);
	arm(now);
}

void fw_timer_service(void)
{
	uint64_t now = hal_time_ns();

	if (now >= fw.next_heartbeat_ns) {
		hal_wdt_kick();
		hal_heartbeat();
		fw.heartbeats++;
		/* After a long gap, beat once: a burst would hide the gap from the driver. */
		fw.next_heartbeat_ns = now + us_to_ns(fw.heartbeat_us);
	}
	if (now >= fw.next_poll_ns) {
		fw_sched_wake_waiters();
		fw.next_poll_ns = now + us_to_ns(fw.wait_poll_us);
	}
	arm(now);
}

int fw_timer_config(const struct sa_fw_config *req, struct sa_fw_config *now)
{
	uint32_t hb = req->heartbeat_us ? req->heartbeat_us : fw.heartbeat_us;
	uint32_t wd = req->watchdog_us ? req->watchdog_us : fw.watchdog_us;
	uint32_t poll = req->wait_poll_us ? req->wait_poll_us : fw.wait_poll_us;
	int status = SA_FW_OK;

	/* Two heartbeats per watchdog period: one late beat must not reset the card. */
	if (hb < SA_FW_MIN_HEARTBEAT_US || wd / 2 < hb) {
		status = SA_FW_E_INVALID;
	} else {
		uint64_t t = hal_time_ns();

		fw.heartbeat_us = hb;
		fw.wait_poll_us = poll;
		if (wd != fw.watchdog_us) {
			fw.watchdog_us = wd;
			hal_wdt_start(wd);
		}
		hal_wdt_kick();
		fw.next_heartbeat_ns = t + us_to_ns(hb);
		fw.next_poll_ns = t + us_to_ns(poll);
		arm(t);
	}
	now->heartbeat_us = fw.heartbeat_us;
	now->watchdog_us = fw.watchdog_us;
	now->wait_poll_us = fw.wait_poll_us;
	return status;
}
