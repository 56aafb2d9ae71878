// SPDX-License-Identifier: MIT
/*
 * Host <-> firmware mailbox: one 16-word message in flight per direction.
 * The sender's SEND sets FULL and interrupts the receiver; the receiver's
 * ACK clears FULL and interrupts the sender (docs/hardware.md, 3.3).
 */
#include "card_internal.h"

void sa_mbox_reset(struct sa_card *card)
{
	for (unsigned int i = 0; i < SA_MBOX_WORDS; i++) {
		card->mbox.h2f[i] = 0;
		card->mbox.f2h[i] = 0;
	}
	card->mbox.h2f_full = false;
	card->mbox.f2h_full = false;
}

static bool data_word(uint32_t offset, uint32_t base, unsigned int *index)
{
	if (offset < base || offset >= base + 4 * SA_MBOX_WORDS)
		return false;
	*index = (offset - base) / 4;
	return true;
}

/* Where one side (host BAR0 or the CP's bus) sees the mailbox registers. */
struct mbox_regs {
	uint32_t h2f_data, h2f_ctrl, f2h_data, f2h_ctrl;
};

static const struct mbox_regs host_regs = {SA_REG_MBOX_H2F_DATA, SA_REG_MBOX_H2F_CTRL,
					   SA_REG_MBOX_F2H_DATA, SA_REG_MBOX_F2H_CTRL};
static const struct mbox_regs cp_regs = {SA_CP_MBOX_H2F_DATA, SA_CP_MBOX_H2F_CTRL,
					 SA_CP_MBOX_F2H_DATA, SA_CP_MBOX_F2H_CTRL};

/* Both sides read the same state: both messages, and FULL of both directions. */
static uint32_t mbox_read(const struct sa_card *card, const struct mbox_regs *r, uint32_t offset)
{
	unsigned int i;

	if (data_word(offset, r->h2f_data, &i))
		return card->mbox.h2f[i];
	if (data_word(offset, r->f2h_data, &i))
		return card->mbox.f2h[i];
	if (offset == r->h2f_ctrl)
		return card->mbox.h2f_full ? SA_MBOX_STATUS_FULL : 0;
	if (offset == r->f2h_ctrl)
		return card->mbox.f2h_full ? SA_MBOX_STATUS_FULL : 0;
	return 0;
}

uint32_t sa_mbox_host_read(struct sa_card *card, uint32_t offset)
{
	return mbox_read(card, &host_regs, offset);
}

void sa_mbox_host_write(struct sa_card *card, uint32_t offset, uint32_t value)
{
	unsigned int i;

	if (data_word(offset, SA_REG_MBOX_H2F_DATA, &i)) {
		/* The message in flight is the firmware's until it ACKs. */
		if (!card->mbox.h2f_full)
			card->mbox.h2f[i] = value;
	} else if (offset == SA_REG_MBOX_H2F_CTRL && (value & SA_MBOX_CTRL_SEND)) {
		if (card->mbox.h2f_full)
			return;
		card->mbox.h2f_full = true;
		sa_perf_add(card, SA_PERF_MBOX_H2F, 1);
		sa_irq_cp_raise(card, SA_CP_IRQ_MBOX_H2F);
	} else if (offset == SA_REG_MBOX_F2H_CTRL && (value & SA_MBOX_CTRL_ACK)) {
		if (!card->mbox.f2h_full)
			return;
		card->mbox.f2h_full = false;
		sa_irq_cp_raise(card, SA_CP_IRQ_MBOX_F2H_ACK);
	}
}

uint32_t sa_mbox_cp_read(struct sa_card *card, uint32_t offset)
{
	return mbox_read(card, &cp_regs, offset);
}

void sa_mbox_cp_write(struct sa_card *card, uint32_t offset, uint32_t value)
{
	unsigned int i;

	if (data_word(offset, SA_CP_MBOX_F2H_DATA, &i)) {
		if (!card->mbox.f2h_full)
			card->mbox.f2h[i] = value;
	} else if (offset == SA_CP_MBOX_F2H_CTRL && (value & SA_MBOX_CTRL_SEND)) {
		if (card->mbox.f2h_full)
			return;
		card->mbox.f2h_full = true;
		sa_perf_add(card, SA_PERF_MBOX_F2H, 1);
		sa_irq_event(card, SA_EVENT_MBOX_F2H);
	} else if (offset == SA_CP_MBOX_H2F_CTRL && (value & SA_MBOX_CTRL_ACK)) {
		if (!card->mbox.h2f_full)
			return;
		card->mbox.h2f_full = false;
		sa_irq_event(card, SA_EVENT_MBOX_H2F_ACK);
	}
}
