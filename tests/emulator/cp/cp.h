/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the card tests' control-processor programs (not firmware:
 * each program exercises one piece of docs/hardware.md).  Interrupts wake
 * `wfi` through mie without trapping (mstatus.MIE stays 0), so programs
 * need no trap handler.
 */
#ifndef CP_TEST_H
#define CP_TEST_H

#include <stdint.h>

#include "shiftaccel_hw.h"

#define MIE_MTIE (1u << 7)
#define MIE_MEIE (1u << 11)

static inline uint32_t rd(uint32_t addr)
{
	return *(volatile uint32_t *)(uintptr_t)addr;
}

static inline void wr(uint32_t addr, uint32_t value)
{
	*(volatile uint32_t *)(uintptr_t)addr = value;
}

static inline void wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

static inline void mie_set(uint32_t bits)
{
	__asm__ volatile("csrs mie, %0" ::"r"(bits));
}

/*
 * Interrupt causes are levels: a program clears the ones it waits for
 * before it looks at the state they announce, then sleeps, so no wake-up is
 * lost and no stale cause keeps wfi from sleeping.
 */
#define MBOX_CAUSES (SA_CP_IRQ_MBOX_H2F | SA_CP_IRQ_MBOX_F2H_ACK)

/* Sleeps until the host has sent a message; returns with it still FULL. */
static inline void wait_h2f(void)
{
	for (;;) {
		wr(SA_CP_INTC_BASE + SA_CP_INTC_PENDING, MBOX_CAUSES);
		if (rd(SA_CP_MBOX_BASE + SA_CP_MBOX_H2F_CTRL) & SA_MBOX_STATUS_FULL)
			return;
		wfi();
	}
}

/* Sends a reply once the host has taken the previous one. */
static inline void send_f2h(const uint32_t *words, unsigned int n)
{
	for (;;) {
		wr(SA_CP_INTC_BASE + SA_CP_INTC_PENDING, MBOX_CAUSES);
		if (!(rd(SA_CP_MBOX_BASE + SA_CP_MBOX_F2H_CTRL) & SA_MBOX_STATUS_FULL))
			break;
		wfi();
	}
	for (unsigned int i = 0; i < n; i++)
		wr(SA_CP_MBOX_BASE + SA_CP_MBOX_F2H_DATA + 4 * i, words[i]);
	wr(SA_CP_MBOX_BASE + SA_CP_MBOX_F2H_CTRL, SA_MBOX_CTRL_SEND);
}

#endif /* CP_TEST_H */
