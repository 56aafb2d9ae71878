/* SPDX-License-Identifier: MIT */
/*
 * Hardware access layer of the firmware: every register the firmware
 * touches goes through these functions.  hal_cp.c implements them with the
 * control processor's MMIO (docs/hardware.md, section 4.3); the native unit
 * tests link a fake (tests/firmware/fake_hal.c) so the same firmware logic
 * runs on the host.
 *
 * The layer is thin on purpose: one function per hardware action, no
 * policy.  Addresses on the CP side of a DMA transfer are passed as
 * pointers into the firmware's own data memory.
 */
#ifndef FW_HAL_H
#define FW_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../uapi/shiftaccel_fw.h"

/* A 32-bit word that may alias any object (GCC's may_alias): word-wise scans and copies. */
typedef uint32_t __attribute__((may_alias)) fw_word;

/* Interrupt enables, CSRs: once at boot. */
void hal_init(void);

/* Capability block mirror (SA_REG_* offsets below SA_CAP_BLOCK_SIZE). */
uint32_t hal_cap(uint32_t offset);

/* Mailbox, firmware side. */
bool hal_mbox_h2f_full(void);
void hal_mbox_h2f_read(uint32_t words[SA_MBOX_WORDS]);
void hal_mbox_h2f_ack(void);
bool hal_mbox_f2h_full(void);
void hal_mbox_f2h_send(const uint32_t words[SA_MBOX_WORDS]);

/* Doorbells: the pending bitmap (read and cleared) and the tails written. */
uint64_t hal_db_take_pending(void);
uint32_t hal_db_tail(uint32_t queue);

/* CP interrupt controller and MSI-X toward the host. */
uint32_t hal_irq_pending(void);
void hal_irq_clear(uint32_t causes);
void hal_irq_enable(uint32_t causes);
void hal_msi(uint32_t vector);
/* Sleeps until an enabled cause or the timer is pending; returns at once if one is. */
void hal_wait(void);

/* Card time (ns), the CP timer, device cycles and CP instructions retired. */
uint64_t hal_time_ns(void);
void hal_timer_at(uint64_t deadline_ns);
uint64_t hal_cycles(void);
uint64_t hal_instret(void);

/* Watchdog and heartbeat. */
void hal_wdt_start(uint32_t timeout_us);
void hal_wdt_kick(void);
void hal_heartbeat(void);

/* Device MMU context table and fault ring. */
void hal_mmu_set_context(uint32_t ctx, uint64_t root, bool valid);
void hal_mmu_invalidate(uint32_t ctx);
void hal_mmu_fault_record(uint32_t seq, struct sa_hw_fault_record *rec);

/* Tensor engine: writes struct sa_hw_te_cmd {op, 0, ctx, 0, *layer} and starts it. */
void hal_te_start(uint8_t op, uint32_t ctx, const struct sa_hw_layer *layer);
uint32_t hal_te_status(void);
uint64_t hal_te_last_cycles(void);
uint32_t hal_te_fault_seq(void);

/* DMA engine: one transfer at a time, started by each of these. */
void hal_dma_copy(uint32_t ctx, uint64_t src, uint64_t dst, uint32_t len);
void hal_dma_to_dram(uint32_t ctx, uint64_t src, void *dst, uint32_t len);
void hal_dma_from_dram(uint32_t ctx, const void *src, uint64_t dst, uint32_t len);
void hal_dma_fence(uint32_t ctx, uint64_t dst, uint64_t value, bool irq, uint32_t vector);
uint32_t hal_dma_status(void);
uint32_t hal_dma_fault_seq(void);

/* The firmware's own code as loaded, and the trailer the image tool filled in. */
void hal_code_span(const uint8_t **start, uint32_t *len, struct sa_fw_trailer *trailer);

/* Halts the CP with a code the host reads in SA_REG_CP_FATAL. */
void hal_fatal(uint32_t code);

#endif /* FW_HAL_H */
