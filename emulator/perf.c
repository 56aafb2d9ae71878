// SPDX-License-Identifier: MIT
/*
 * Performance counters: 64-bit event counts shared by the host (BAR0) and
 * the CP (PERF page).  A 32-bit reader reads the low word first, which
 * latches the high word, so a counter that carries between the two reads
 * is still read consistently.
 */
#include <string.h>

#include "card_internal.h"

void sa_perf_reset(struct sa_card *card)
{
	memset(card->perf, 0, sizeof(card->perf));
}

/* `offset` is relative to the first counter (8 bytes per counter). */
uint32_t sa_perf_read(struct sa_card *card, struct sa_latch *latch, uint32_t offset)
{
	uint32_t index = offset / 8;

	if (index >= SA_PERF_SLOTS || offset % 4)
		return 0;
	/* Keyed apart from every register offset sharing the latch. */
	return sa_latch_read(latch, 0x100000000ull + (offset & ~7u), card->perf[index],
			     (offset & 4) != 0);
}

void sa_perf_ctrl(struct sa_card *card, uint32_t value)
{
	if (value & SA_PERF_CTRL_CLEAR)
		sa_perf_reset(card);
}
