/* SPDX-License-Identifier: MIT */
/*
 * The ShiftAccel card as a plain C hardware model, with no QEMU types.
 *
 * Whoever hosts the model (the QEMU glue in emulator/qemu/, or a unit test
 * with fake host memory) provides bus-master access to host memory and
 * interrupt delivery, forwards BAR accesses, and calls sa_card_run() to let
 * the control processor and the engines make progress.  The register map,
 * BAR layout and every shared constant are in uapi/shiftaccel_hw.h and
 * docs/hardware.md.
 */
#ifndef SA_CARD_H
#define SA_CARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sa_card;

struct sa_card_host_ops {
	void *opaque;
	/* Bus-master access to host memory at a bus address (after the MMU). 0 or -1. */
	int (*dma_read)(void *opaque, uint64_t bus_addr, void *buf, size_t len);
	int (*dma_write)(void *opaque, uint64_t bus_addr, const void *buf, size_t len);
	/* Raise MSI-X vector `vector` (the host applies its own table masking). */
	void (*msi_notify)(void *opaque, unsigned int vector);
	/* Ask to be run again: the model wants sa_card_run() to be called soon. */
	void (*kick)(void *opaque);
};

struct sa_card_config {
	uint32_t num_queues; /* doorbell pages; 1..SA_HW_MAX_QUEUES */
	bool debug; /* expose the fault-injection block */
};

struct sa_card *sa_card_create(const struct sa_card_config *cfg,
			       const struct sa_card_host_ops *ops);
void sa_card_destroy(struct sa_card *card);
/* PCI function-level / bus reset: everything back to power-on state. */
void sa_card_reset(struct sa_card *card);

/* BAR geometry (0 size: BAR not implemented) and MSI-X vector count. */
uint64_t sa_card_bar_size(const struct sa_card *card, unsigned int bar);
unsigned int sa_card_msix_vectors(const struct sa_card *card);

/* BAR accesses of 1, 2, 4 or 8 bytes at an offset inside the BAR. */
uint64_t sa_card_mmio_read(struct sa_card *card, unsigned int bar, uint64_t offset,
			   unsigned int size);
void sa_card_mmio_write(struct sa_card *card, unsigned int bar, uint64_t offset, uint64_t value,
			unsigned int size);

/*
 * Let the card make progress: runs the control processor for up to
 * `max_instructions` and any engine work it started.  Returns true while the
 * card has more to do right away (call again soon), false when it is idle
 * waiting for a doorbell, mailbox message or timer.
 */
bool sa_card_run(struct sa_card *card, uint64_t max_instructions);
/* Advance the card's clocks (watchdog, heartbeat timers) to `now_ns`. */
void sa_card_set_time(struct sa_card *card, uint64_t now_ns);
/*
 * Card time (ns) at which sa_card_set_time() next has something to do (the
 * CP timer's mtimecmp or the watchdog's expiry), or UINT64_MAX if nothing is
 * armed: a host can sleep until then instead of ticking.
 */
uint64_t sa_card_next_deadline_ns(const struct sa_card *card);

#endif /* SA_CARD_H */
