// SPDX-License-Identifier: MIT
/*
 * Doorbells: BAR2 holds one 4 KiB page per queue so the driver can map a
 * single page into a single process.  A write of the new tail to offset 0 is
 * latched for the firmware and raises the CP's doorbell interrupt; nothing
 * else in the page, and no page past num_queues, does anything.
 */
#include "card_internal.h"

void sa_db_reset(struct sa_card *card)
{
	for (unsigned int q = 0; q < SA_HW_MAX_QUEUES; q++)
		card->db.tail[q] = 0;
	card->db.pending = 0;
}

/* Queue index of a doorbell access, or -1 if it is not a tail register. */
static int doorbell_queue(const struct sa_card *card, uint64_t offset, unsigned int size)
{
	uint64_t q = offset / SA_DOORBELL_PAGE_SIZE;

	if (offset % SA_DOORBELL_PAGE_SIZE != SA_DOORBELL_TAIL || size < 4)
		return -1;
	if (q >= card->cfg.num_queues)
		return -1;
	return (int)q;
}

uint64_t sa_db_bar_read(struct sa_card *card, uint64_t offset, unsigned int size)
{
	int q = doorbell_queue(card, offset, size);

	return q < 0 ? 0 : card->db.tail[q];
}

void sa_db_bar_write(struct sa_card *card, uint64_t offset, uint64_t value, unsigned int size)
{
	int q = doorbell_queue(card, offset, size);

	if (q < 0)
		return;
	card->db.tail[q] = (uint32_t)value;
	card->db.pending |= 1ull << q;
	sa_perf_add(card, SA_PERF_DOORBELLS, 1);
	sa_irq_cp_raise(card, SA_CP_IRQ_DOORBELL);
}

uint32_t sa_db_cp_read(struct sa_card *card, uint32_t offset)
{
	if (offset == SA_CP_DB_PENDING_LO)
		return (uint32_t)card->db.pending;
	if (offset == SA_CP_DB_PENDING_HI)
		return (uint32_t)(card->db.pending >> 32);
	if (offset >= SA_CP_DB_TAIL(0) && offset < SA_CP_DB_TAIL(card->cfg.num_queues))
		return card->db.tail[(offset - SA_CP_DB_TAIL(0)) / 4];
	return 0;
}

void sa_db_cp_write(struct sa_card *card, uint32_t offset, uint32_t value)
{
	if (offset == SA_CP_DB_PENDING_LO)
		card->db.pending &= ~(uint64_t)value;
	else if (offset == SA_CP_DB_PENDING_HI)
		card->db.pending &= ~((uint64_t)value << 32);
}
