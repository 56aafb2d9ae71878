// SPDX-License-Identifier: MIT
/*
 * The card as a whole: creation, the two kinds of reset, BAR dispatch, and
 * the run loop that lets the control processor and the engines share the
 * device clock.
 */
#include <stdlib.h>
#include <string.h>

#include "card_internal.h"

static uint64_t bar2_size_for(uint32_t num_queues)
{
	uint64_t size = SA_DOORBELL_PAGE_SIZE;

	while (size < (uint64_t)num_queues * SA_DOORBELL_PAGE_SIZE)
		size <<= 1;
	return size;
}

struct sa_card *sa_card_create(const struct sa_card_config *cfg, const struct sa_card_host_ops *ops)
{
	struct sa_card *card;

	if (!cfg || !ops || !ops->dma_read || !ops->dma_write || !ops->msi_notify)
		return NULL;
	if (cfg->num_queues < 1 || cfg->num_queues > SA_HW_MAX_QUEUES)
		return NULL;
	card = calloc(1, sizeof(*card));
	if (!card)
		return NULL;
	card->cfg = *cfg;
	card->ops = *ops;
	card->queue_vectors = SA_HW_MSIX_VECTORS(cfg->num_queues) - 1;
	card->msix_vectors = SA_HW_MSIX_VECTORS(cfg->num_queues);
	card->bar2_size = bar2_size_for(cfg->num_queues);
	if (sa_cp_init(card) || sa_mmu_init(card) || sa_te_init(card)) {
		sa_card_destroy(card);
		return NULL;
	}
	sa_card_reset(card);
	return card;
}

void sa_card_destroy(struct sa_card *card)
{
	if (!card)
		return;
	sa_te_fini(card);
	sa_mmu_fini(card);
	sa_cp_fini(card);
	free(card);
}

void sa_card_reset(struct sa_card *card)
{
	card->scratch = 0;
	card->host_latch.offset = UINT64_MAX;
	card->cp_latch.offset = UINT64_MAX;
	sa_cp_power_on(card);
	sa_mbox_reset(card);
	sa_irq_reset(card);
	sa_db_reset(card);
	sa_timer_reset(card);
	sa_mmu_reset(card);
	sa_te_reset(card);
	sa_dma_reset(card);
	sa_fi_reset(card);
	sa_perf_reset(card);
}

void sa_card_cp_reset(struct sa_card *card)
{
	card->cp.in_reset = true;
	card->cp.halted = false;
	card->cp.wfi = false;
	sa_mbox_reset(card);
	sa_irq_cp_reset(card);
	sa_timer_cp_reset(card);
	card->db.pending = 0;
	sa_mmu_cp_reset(card);
	sa_te_reset(card);
	sa_dma_reset(card);
	sa_fi_cp_reset(card);
}

void sa_card_kick(struct sa_card *card)
{
	if (!card->in_run && card->ops.kick)
		card->ops.kick(card->ops.opaque);
}

int sa_card_host_read(struct sa_card *card, uint64_t bus, void *buf, size_t len)
{
	return card->ops.dma_read(card->ops.opaque, bus, buf, len) ? -1 : 0;
}

int sa_card_host_write(struct sa_card *card, uint64_t bus, const void *buf, size_t len)
{
	return card->ops.dma_write(card->ops.opaque, bus, buf, len) ? -1 : 0;
}

uint64_t sa_card_bar_size(const struct sa_card *card, unsigned int bar)
{
	if (bar == SA_BAR_REGS)
		return SA_BAR0_SIZE;
	if (bar == SA_BAR_DOORBELL)
		return card->bar2_size;
	/* BAR4 (MSI-X) belongs to the PCI glue; the model implements no other BAR. */
	return 0;
}

unsigned int sa_card_msix_vectors(const struct sa_card *card)
{
	return card->msix_vectors;
}

static bool access_ok(const struct sa_card *card, unsigned int bar, uint64_t offset,
		      unsigned int size)
{
	uint64_t bar_size = sa_card_bar_size(card, bar);

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return false;
	return bar_size && offset < bar_size && size <= bar_size - offset;
}

uint64_t sa_card_mmio_read(struct sa_card *card, unsigned int bar, uint64_t offset,
			   unsigned int size)
{
	if (!access_ok(card, bar, offset, size))
		return 0;
	if (bar == SA_BAR_REGS)
		return sa_regs_read(card, offset, size);
	return sa_db_bar_read(card, offset, size);
}

void sa_card_mmio_write(struct sa_card *card, unsigned int bar, uint64_t offset, uint64_t value,
			unsigned int size)
{
	if (!access_ok(card, bar, offset, size))
		return;
	if (bar == SA_BAR_REGS)
		sa_regs_write(card, offset, value, size);
	else
		sa_db_bar_write(card, offset, value, size);
}

static bool engines_busy(const struct sa_card *card)
{
	return sa_te_busy(card) || sa_dma_busy(card);
}

/* Cycles until the first busy engine completes (UINT64_MAX if none is busy). */
static uint64_t engines_next(const struct sa_card *card)
{
	uint64_t next = UINT64_MAX;

	if (sa_te_busy(card))
		next = sa_te_remaining(card);
	if (sa_dma_busy(card) && sa_dma_remaining(card) < next)
		next = sa_dma_remaining(card);
	return next;
}

static void advance_engines(struct sa_card *card, uint64_t cycles)
{
	sa_perf_add(card, SA_PERF_CYCLES, cycles);
	sa_te_advance(card, cycles);
	sa_dma_advance(card, cycles);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/*
 * The device clock advances by the cycles the CP takes (instructions and
 * trap entries); while the CP waits (wfi, reset, halt, hang) it jumps
 * straight to the next engine completion, so an idle CP costs no host time.
 */
static void wdt_judge(struct sa_card *card);

bool sa_card_run(struct sa_card *card, uint64_t max_instructions)
{
	uint64_t left = max_instructions;

	card->in_run = true;
	while (left > 0) {
		/* A CP slice ends at the next engine completion, so engines finish on time. */
		uint64_t next = engines_next(card);
		uint64_t step = min_u64(min_u64(left, SA_CP_SLICE), next ? next : 1);

		if (sa_cp_runnable(card)) {
			uint64_t done = sa_cp_step(card, step);

			if (done) {
				advance_engines(card, done);
				left -= done;
				continue;
			}
		}
		/* The CP is waiting: only the engines can change anything. */
		if (!engines_busy(card))
			break;
		step = min_u64(next, left);
		sa_perf_add(card, SA_PERF_CP_IDLE_CYCLES, step);
		advance_engines(card, step);
		left -= step;
	}
	card->in_run = false;
	wdt_judge(card);
	return sa_cp_runnable(card) || engines_busy(card);
}

/* Watchdog expiry: the CP goes back into reset and the host hears about it. */
static void wdt_fire(struct sa_card *card)
{
	sa_card_cp_reset(card);
	card->cp.wdt_fired = true;
	card->cp.wdt_resets++;
	sa_irq_event(card, SA_EVENT_WATCHDOG);
}

/*
 * The judgement deferred by sa_card_set_time(): after the CP's slice at the
 * new time, a CP that still has not kicked is reset.
 */
static void wdt_judge(struct sa_card *card)
{
	if (!card->timer.wdt_due)
		return;
	card->timer.wdt_due = false;
	if (sa_timer_wdt_expired(card))
		wdt_fire(card);
}

/*
 * Card time follows the host's clock, which also runs while the host does
 * not run the card model at all (a loaded host): a clock that jumps past
 * the watchdog's deadline is no proof that the CP stopped.  So an expired
 * deadline is judged after the CP's next slice at the new time (its timer
 * interrupt is due too, and a live firmware kicks the watchdog there); a
 * hung CP does not kick and is reset at the end of that slice.
 */
void sa_card_set_time(struct sa_card *card, uint64_t now_ns)
{
	bool line_before = sa_timer_irq_line(card);

	if (sa_timer_set_time(card, now_ns))
		card->timer.wdt_due = true;
	if (!line_before && sa_timer_irq_line(card)) {
		sa_cp_irq_lines(card);
		sa_cp_wake(card);
		sa_card_kick(card);
	}
}

uint64_t sa_card_next_deadline_ns(const struct sa_card *card)
{
	return sa_timer_next_deadline(card);
}
