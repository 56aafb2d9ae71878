// SPDX-License-Identifier: MIT
/*
 * Interrupts.  Toward the host: device events latched in EVENT_CAUSE raise
 * vector 0, and every vector passes a per-vector mask with a pending bit
 * before it becomes an MSI-X message (docs/hardware.md, 3.4).  Toward the
 * CP: a level-triggered controller feeding mip.MEIP.
 */
#include "card_internal.h"

void sa_irq_reset(struct sa_card *card)
{
	card->irq.event_cause = 0;
	card->irq.event_enable = 0;
	card->irq.int_mask = 0;
	card->irq.int_pending = 0;
	sa_irq_cp_reset(card);
}

void sa_irq_cp_reset(struct sa_card *card)
{
	card->irq.cp_pending = 0;
	card->irq.cp_enable = 0;
}

static void send_vector(struct sa_card *card, uint32_t vector)
{
	sa_perf_add(card, SA_PERF_MSI_SENT, 1);
	card->ops.msi_notify(card->ops.opaque, vector);
}

void sa_irq_raise_vector(struct sa_card *card, uint32_t vector)
{
	if (vector >= card->msix_vectors)
		return;
	/* A lost queue interrupt (fault injection): neither sent nor left pending. */
	if (vector != SA_HW_VECTOR_EVENTS && sa_fi_take(card, SA_FI_DROP_NEXT_QUEUE_IRQ))
		return;
	if (card->irq.int_mask & (1u << vector))
		card->irq.int_pending |= 1u << vector;
	else
		send_vector(card, vector);
}

void sa_irq_event(struct sa_card *card, uint32_t events)
{
	uint32_t new_events = events & ~card->irq.event_cause;

	card->irq.event_cause |= events;
	if (new_events & card->irq.event_enable)
		sa_irq_raise_vector(card, SA_HW_VECTOR_EVENTS);
}

static void set_mask(struct sa_card *card, uint32_t mask)
{
	uint32_t all = (1u << card->msix_vectors) - 1;
	uint32_t unmasked = card->irq.int_mask & ~mask;

	card->irq.int_mask = mask & all;
	/* Unmasking a vector with an interrupt pending sends it now, once. */
	for (uint32_t v = 0; v < card->msix_vectors; v++) {
		if ((unmasked & card->irq.int_pending) & (1u << v)) {
			card->irq.int_pending &= ~(1u << v);
			send_vector(card, v);
		}
	}
}

uint32_t sa_irq_host_read(struct sa_card *card, uint32_t offset)
{
	switch (offset) {
	case SA_REG_EVENT_CAUSE: return card->irq.event_cause;
	case SA_REG_EVENT_ENABLE: return card->irq.event_enable;
	case SA_REG_INT_MASK: return card->irq.int_mask;
	case SA_REG_INT_PENDING: return card->irq.int_pending;
	default: return 0;
	}
}

void sa_irq_host_write(struct sa_card *card, uint32_t offset, uint32_t value)
{
	switch (offset) {
	case SA_REG_EVENT_CAUSE: card->irq.event_cause &= ~value; break;
	case SA_REG_EVENT_ENABLE: {
		uint32_t newly = value & ~card->irq.event_enable & SA_EVENT_ALL;

		card->irq.event_enable = value & SA_EVENT_ALL;
		/* Enabling an event that is already latched raises it now. */
		if (newly & card->irq.event_cause)
			sa_irq_raise_vector(card, SA_HW_VECTOR_EVENTS);
		break;
	}
	case SA_REG_INT_MASK: set_mask(card, value); break;
	case SA_REG_INT_MASK_SET: set_mask(card, card->irq.int_mask | value); break;
	case SA_REG_INT_MASK_CLEAR: set_mask(card, card->irq.int_mask & ~value); break;
	case SA_REG_INT_PENDING: card->irq.int_pending &= ~value; break;
	default: break;
	}
}

void sa_irq_cp_raise(struct sa_card *card, uint32_t causes)
{
	card->irq.cp_pending |= causes & SA_CP_IRQ_ALL;
	sa_cp_irq_lines(card);
	sa_cp_wake(card);
	sa_card_kick(card);
}

bool sa_irq_cp_line(const struct sa_card *card)
{
	return (card->irq.cp_pending & card->irq.cp_enable) != 0;
}

uint32_t sa_irq_cp_read(struct sa_card *card, uint32_t offset)
{
	if (offset == SA_CP_INTC_PENDING)
		return card->irq.cp_pending;
	if (offset == SA_CP_INTC_ENABLE)
		return card->irq.cp_enable;
	return 0;
}

void sa_irq_cp_write(struct sa_card *card, uint32_t offset, uint32_t value)
{
	if (offset == SA_CP_INTC_PENDING) {
		card->irq.cp_pending &= ~value;
		sa_cp_irq_lines(card); /* wfi right after this store must sleep */
	} else if (offset == SA_CP_INTC_ENABLE) {
		card->irq.cp_enable = value & SA_CP_IRQ_ALL;
		sa_cp_irq_lines(card);
	} else if (offset == SA_CP_INTC_MSI_TRIGGER) {
		sa_irq_raise_vector(card, value);
	}
}
