// SPDX-License-Identifier: MIT
/*
 * Entry from start.S, and the trap handler.  No interrupt handler exists
 * (interrupts only wake wfi), so any trap is an exception: a bug in the
 * firmware.  It is reported with its cause and address, then the CP halts
 * so the driver can reset the card; continuing could corrupt host memory.
 */
#include "fw.h"

/* Filled in by tools/mkfwimage; the last 16 bytes of the image's code. */
const volatile struct sa_fw_trailer fw_trailer
	__attribute__((section(".trailer"), used)) = {.magic = SA_FW_TRAILER_MAGIC};

void fw_main(void) __attribute__((noreturn));
void fw_trap(uint32_t mcause, uint32_t mepc, uint32_t mtval) __attribute__((noreturn));

void fw_main(void)
{
	if (fw_boot()) {
		for (;;) {
			if (!fw_step())
				hal_wait();
		}
	}
	for (;;)
		hal_wait();
}

void fw_trap(uint32_t mcause, uint32_t mepc, uint32_t mtval)
{
	struct sa_fw_error e = {.code = SA_FW_ERROR_TRAP, .info = {mcause, mepc, mtval, 0}};

	fw_event(SA_FW_EVT_FW_ERROR, &e, sizeof(e) / 4);
	/* Give the host a bounded chance to take earlier messages first. */
	for (uint32_t spins = 0; fw.out_count && spins < 100000; spins++)
		fw_outbox_flush();
	hal_fatal(SA_FW_FATAL_TRAP);
	for (;;)
		hal_wait();
}
