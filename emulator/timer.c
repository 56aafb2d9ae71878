// SPDX-License-Identifier: MIT
/*
 * Card time: the CP's mtime/mtimecmp timer, the watchdog that resets a CP
 * that stops kicking it, and the heartbeat counter the host watches.  Card
 * time (ns) comes from the host through sa_card_set_time().
 */
#include "card_internal.h"

void sa_timer_reset(struct sa_card *card)
{
	card->timer.now_ns = 0;
	card->timer.heartbeat = 0;
	card->timer.heartbeat_ns = 0;
	sa_timer_cp_reset(card);
}

void sa_timer_cp_reset(struct sa_card *card)
{
	card->timer.mtimecmp = UINT64_MAX;
	card->timer.wdt_enabled = false;
	card->timer.wdt_timeout_us = SA_WDT_DEFAULT_TIMEOUT_US;
	card->timer.wdt_kick_ns = card->timer.now_ns;
	card->timer.wdt_due = false;
}

bool sa_timer_irq_line(const struct sa_card *card)
{
	return card->timer.now_ns >= card->timer.mtimecmp;
}

static bool wdt_armed(const struct sa_card *card)
{
	return card->timer.wdt_enabled && !card->cp.in_reset;
}

/* Card time of the watchdog's expiry; UINT64_MAX (never) if that is beyond the clock. */
static uint64_t wdt_deadline(const struct sa_card *card)
{
	uint64_t timeout_ns = (uint64_t)card->timer.wdt_timeout_us * 1000;

	if (card->timer.wdt_kick_ns > UINT64_MAX - timeout_ns)
		return UINT64_MAX;
	return card->timer.wdt_kick_ns + timeout_ns;
}

bool sa_timer_wdt_expired(const struct sa_card *card)
{
	return wdt_armed(card) && wdt_deadline(card) != UINT64_MAX &&
	       card->timer.now_ns >= wdt_deadline(card);
}

bool sa_timer_set_time(struct sa_card *card, uint64_t now_ns)
{
	/* Card time never runs backwards. */
	if (now_ns > card->timer.now_ns)
		card->timer.now_ns = now_ns;
	return sa_timer_wdt_expired(card);
}

uint64_t sa_timer_next_deadline(const struct sa_card *card)
{
	uint64_t next = UINT64_MAX;

	if (!card->cp.in_reset && card->timer.mtimecmp > card->timer.now_ns)
		next = card->timer.mtimecmp;
	if (wdt_armed(card) && wdt_deadline(card) < next)
		next = wdt_deadline(card);
	return next;
}

static uint32_t timer_read(struct sa_card *card, uint32_t offset)
{
	switch (offset) {
	case SA_CP_TIMER_MTIME_LO:
	case SA_CP_TIMER_MTIME_HI:
		return sa_latch_read(&card->cp_latch, SA_CP_TIMER_BASE + SA_CP_TIMER_MTIME_LO,
				     card->timer.now_ns, offset == SA_CP_TIMER_MTIME_HI);
	case SA_CP_TIMER_MTIMECMP_LO: return (uint32_t)card->timer.mtimecmp;
	case SA_CP_TIMER_MTIMECMP_HI: return (uint32_t)(card->timer.mtimecmp >> 32);
	default: return 0;
	}
}

static void timer_write(struct sa_card *card, uint32_t offset, uint32_t value)
{
	uint64_t cmp = card->timer.mtimecmp;

	if (offset == SA_CP_TIMER_MTIMECMP_LO)
		cmp = (cmp & ~0xffffffffull) | value;
	else if (offset == SA_CP_TIMER_MTIMECMP_HI)
		cmp = (cmp & 0xffffffffull) | (uint64_t)value << 32;
	card->timer.mtimecmp = cmp;
	sa_cp_irq_lines(card);
}

static uint32_t wdt_read(struct sa_card *card, uint32_t offset)
{
	switch (offset) {
	case SA_CP_WDT_CTRL: return card->timer.wdt_enabled ? SA_WDT_CTRL_ENABLE : 0;
	case SA_CP_WDT_TIMEOUT_US: return card->timer.wdt_timeout_us;
	case SA_CP_WDT_HEARTBEAT: return card->timer.heartbeat;
	default: return 0;
	}
}

static void wdt_write(struct sa_card *card, uint32_t offset, uint32_t value)
{
	switch (offset) {
	case SA_CP_WDT_CTRL: {
		bool enable = (value & SA_WDT_CTRL_ENABLE) != 0;

		if (enable && !card->timer.wdt_enabled)
			card->timer.wdt_kick_ns = card->timer.now_ns;
		card->timer.wdt_enabled = enable;
		break;
	}
	case SA_CP_WDT_TIMEOUT_US: card->timer.wdt_timeout_us = value; break;
	case SA_CP_WDT_KICK: card->timer.wdt_kick_ns = card->timer.now_ns; break;
	case SA_CP_WDT_HEARTBEAT:
		card->timer.heartbeat++;
		card->timer.heartbeat_ns = card->timer.now_ns;
		break;
	default: break;
	}
}

uint32_t sa_timer_cp_read(struct sa_card *card, uint32_t offset, uint32_t block)
{
	return block == SA_CP_TIMER_BASE ? timer_read(card, offset) : wdt_read(card, offset);
}

void sa_timer_cp_write(struct sa_card *card, uint32_t offset, uint32_t block, uint32_t value)
{
	if (block == SA_CP_TIMER_BASE)
		timer_write(card, offset, value);
	else
		wdt_write(card, offset, value);
}
