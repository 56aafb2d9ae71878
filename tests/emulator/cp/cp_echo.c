// SPDX-License-Identifier: MIT
/*
 * Mailbox echo: answers every host message with the same header and each
 * payload word plus one, ticks the heartbeat, and raises the MSI-X vector
 * named in word 1 (if not 0) through the interrupt controller.  A message
 * of type 0xdead ends the program (the CP halts on the final ebreak).
 */
#include "cp.h"

int main(void)
{
	wr(SA_CP_INTC_BASE + SA_CP_INTC_ENABLE, SA_CP_IRQ_MBOX_H2F | SA_CP_IRQ_MBOX_F2H_ACK);
	mie_set(MIE_MEIE);
	for (;;) {
		uint32_t msg[SA_MBOX_WORDS], vector;

		wait_h2f();
		for (unsigned int i = 0; i < SA_MBOX_WORDS; i++)
			msg[i] = rd(SA_CP_MBOX_BASE + SA_CP_MBOX_H2F_DATA + 4 * i);
		wr(SA_CP_MBOX_BASE + SA_CP_MBOX_H2F_CTRL, SA_MBOX_CTRL_ACK);
		if ((msg[0] & 0xffff) == 0xdead)
			return 0;
		vector = msg[1];
		for (unsigned int i = 1; i < SA_MBOX_WORDS; i++)
			msg[i] += 1;
		wr(SA_CP_WDT_BASE + SA_CP_WDT_HEARTBEAT, 1);
		send_f2h(msg, SA_MBOX_WORDS);
		if (vector)
			wr(SA_CP_INTC_BASE + SA_CP_INTC_MSI_TRIGGER, vector);
	}
}
