// SPDX-License-Identifier: MIT
/*
 * The fault-injection block (docs/hardware.md, 3.7), present only on a card
 * created with the debug property: fail the next DMA, hang the CP, corrupt
 * the next completion write, drop the next queue interrupt (irq.c).  Each
 * armed injection fires once.
 */
#include "card_internal.h"

void sa_fi_reset(struct sa_card *card)
{
	card->fi.armed = 0;
	card->fi.fired = 0;
	card->fi.cp_hung = false;
}

/* A CP reset disarms everything and ends a hang; FIRED stays for the host to read. */
void sa_fi_cp_reset(struct sa_card *card)
{
	card->fi.armed = 0;
	card->fi.cp_hung = false;
}

uint32_t sa_fi_read(struct sa_card *card, uint32_t offset)
{
	if (!card->cfg.debug)
		return 0;
	if (offset == SA_REG_FI_ARM)
		return card->fi.armed;
	if (offset == SA_REG_FI_FIRED)
		return card->fi.fired;
	return 0;
}

void sa_fi_write(struct sa_card *card, uint32_t offset, uint32_t value)
{
	if (!card->cfg.debug)
		return;
	if (offset == SA_REG_FI_ARM) {
		card->fi.armed |= value & SA_FI_ALL;
		/* A hang takes effect at once, whatever the CP is doing. */
		if (sa_fi_take(card, SA_FI_HANG_CP))
			card->fi.cp_hung = true;
	} else if (offset == SA_REG_FI_FIRED) {
		card->fi.fired &= ~value;
	}
}

bool sa_fi_take(struct sa_card *card, uint32_t which)
{
	if (!(card->fi.armed & which))
		return false;
	card->fi.armed &= ~which;
	card->fi.fired |= which;
	return true;
}
