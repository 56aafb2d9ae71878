// SPDX-License-Identifier: MIT
/*
 * The event loop: one pass serves the timer, the mailbox and the doorbells,
 * then runs at most one descriptor.  A descriptor therefore always ends
 * before the next mailbox request is looked at (requests act at descriptor
 * boundaries), and queue switches happen between descriptors.
 *
 * Interrupt causes are cleared before the state they announce is read, so a
 * cause that arrives during a pass stays pending and the next wfi returns
 * at once: no wake-up is lost.
 */
#include "fw.h"

#define SERVED_CAUSES                                                                              \
	(SA_CP_IRQ_DOORBELL | SA_CP_IRQ_MBOX_H2F | SA_CP_IRQ_MBOX_F2H_ACK | SA_CP_IRQ_MMU_FAULT)

uint32_t fw_irq_mask(void)
{
	uint32_t mask = SA_CP_IRQ_DOORBELL | SA_CP_IRQ_MBOX_F2H_ACK;

	/* A request that cannot be answered yet stays in the mailbox: do not wake for it. */
	if (fw_outbox_has_reply_room())
		mask |= SA_CP_IRQ_MBOX_H2F;
	return mask;
}

bool fw_step(void)
{
	bool ran;

	if (fw.halted)
		return false;
	hal_irq_clear(hal_irq_pending() & SERVED_CAUSES);
	fw_timer_service();
	fw_mbox_service();
	fw_doorbell_service();
	ran = fw_sched_step();
	fw_outbox_flush();
	hal_irq_enable(fw_irq_mask());
	return ran;
}
