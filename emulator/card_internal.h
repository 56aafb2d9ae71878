/* SPDX-License-Identifier: MIT */
/*
 * Internal state of the card model and the interfaces between its blocks.
 * Not part of card.h: the QEMU glue and the unit tests see only card.h (the
 * tests may also use the CP-bus accessors at the end, to program CP-side
 * blocks without a CP program).
 *
 * Each block lives in its own file: regs.c (BAR0), doorbell.c (BAR2),
 * irq.c, mbox.c, timer.c (timer, watchdog, heartbeat), cp.c (the control
 * processor and its bus), mmu.c, te.c + te_plan.c (tensor engine), dma.c,
 * perf.c, fault_inject.c; card.c ties them together.
 */
#ifndef SA_CARD_INTERNAL_H
#define SA_CARD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../libshiftaccel/kernels/sa_kernels.h"
#include "../uapi/shiftaccel_hw.h"
#include "card.h"
#include "rv32/rv32.h"

/* Registers and memory images are handled as little-endian host integers. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the ShiftAccel card model assumes a little-endian host"
#endif
#endif

/* Largest number of pages one engine transfer can touch (+1 for misalignment). */
#define SA_XLATE_MAX_PAGES (SA_DMA_MAX_LEN / SA_MMU_PAGE_SIZE + 1)

/* How many CP instructions run between two looks at the engines. */
#define SA_CP_SLICE 1024

struct sa_cp_state {
	struct rv32_cpu cpu;
	struct rv32_bus bus;
	bool cpu_ok; /* rv32_init succeeded */
	uint8_t *iram, *dram;
	bool in_reset; /* held in reset by the host or the watchdog */
	bool halted;   /* ebreak or SYS_FATAL */
	bool wfi;      /* waiting for an interrupt */
	bool wdt_fired;
	bool in_step; /* inside rv32_run */
	bool yield;   /* a store asked rv32_run to return early */
	uint32_t boot_addr;
	uint32_t fatal_code;
	uint32_t wdt_resets;
	uint32_t sys_scratch;
};

struct sa_mbox_state {
	uint32_t h2f[SA_MBOX_WORDS], f2h[SA_MBOX_WORDS];
	bool h2f_full, f2h_full;
};

struct sa_irq_state {
	uint32_t event_cause, event_enable; /* host events -> vector 0 */
	uint32_t int_mask, int_pending;	    /* per MSI-X vector */
	uint32_t cp_pending, cp_enable;	    /* CP interrupt controller */
};

struct sa_db_state {
	uint32_t tail[SA_HW_MAX_QUEUES];
	uint64_t pending;
};

struct sa_timer_state {
	uint64_t now_ns; /* card time = mtime */
	uint64_t mtimecmp;
	bool wdt_enabled;
	uint32_t wdt_timeout_us;
	uint64_t wdt_kick_ns;
	/*
	 * The clock passed the watchdog's deadline; the CP gets the next run
	 * slice at that time before it is judged (see sa_card_set_time()).
	 */
	bool wdt_due;
	uint32_t heartbeat;
	uint64_t heartbeat_ns;
};

struct sa_mmu_ctx {
	uint64_t root;
	uint32_t ctrl;
};

struct sa_mmu_state {
	struct sa_mmu_ctx ctx[SA_HW_NUM_CONTEXTS];
	struct sa_hw_fault_record ring[SA_HW_FAULT_RING_SIZE];
	uint32_t fault_count;
	/* Bus addresses of the pages of a transfer, translated before it moves. */
	uint64_t *xlate_a, *xlate_b;
};

/* A validated tensor-engine command: shapes, sizes and modelled cost. */
struct sa_te_plan {
	struct sa_shape in, in_b, out;
	size_t in_bytes, in_b_bytes, out_bytes;
	uint64_t weight_count; /* unpacked weights */
	size_t weight_bytes;   /* packed */
	size_t bias_count;
	uint64_t cycles, shift_adds;
};

struct sa_te_state {
	uint8_t cmd_regs[sizeof(struct sa_hw_te_cmd)]; /* the CP's command window */
	struct sa_hw_te_cmd active;		       /* snapshot taken at START */
	struct sa_te_plan plan;
	uint32_t status;
	uint64_t remaining; /* cycles until the active command completes */
	bool fresh;	    /* started by the CP in the slice that is ending */
	uint64_t last_cycles;
	uint32_t fault_seq;
	/* Staging buffers, allocated once at create (never on the hot path). */
	uint8_t *in_a, *in_b, *out;
	uint8_t *w_packed;
	int8_t *w;
	int32_t *bias;
	/* The fast conv/fc kernels' scratch (te.c), grown when a layer needs more. */
	void *fast_scratch;
	size_t fast_scratch_bytes;
};

struct sa_dma_state {
	uint32_t op, flags, len, ctx, vector;
	uint64_t src, dst, value;
	/* Snapshot taken at START. */
	uint32_t a_op, a_flags, a_len, a_ctx, a_vector;
	uint64_t a_src, a_dst, a_value;
	uint32_t status;
	uint64_t remaining;
	bool fresh; /* started by the CP in the slice that is ending */
	uint32_t fault_seq;
	uint8_t bounce[SA_MMU_PAGE_SIZE];
};

struct sa_fi_state {
	uint32_t armed, fired;
	bool cp_hung;
};

/* Latch for 64-bit registers read as two words, low word first. */
struct sa_latch {
	uint64_t offset; /* key of the register whose high word is latched; UINT64_MAX if none */
	uint32_t value;
};

struct sa_card {
	struct sa_card_config cfg;
	struct sa_card_host_ops ops;
	uint32_t queue_vectors, msix_vectors;
	uint64_t bar2_size;
	uint32_t scratch;
	bool in_run; /* inside sa_card_run: no kick needed */

	struct sa_cp_state cp;
	struct sa_mbox_state mbox;
	struct sa_irq_state irq;
	struct sa_db_state db;
	struct sa_timer_state timer;
	struct sa_mmu_state mmu;
	struct sa_te_state te;
	struct sa_dma_state dma;
	struct sa_fi_state fi;
	uint64_t perf[SA_PERF_SLOTS];
	struct sa_latch host_latch, cp_latch;
};

/* ---- card.c */
void sa_card_kick(struct sa_card *card);
/* The CP went back into reset (host or watchdog): abort engines, reset CP-side blocks. */
void sa_card_cp_reset(struct sa_card *card);
int sa_card_host_read(struct sa_card *card, uint64_t bus, void *buf, size_t len);
int sa_card_host_write(struct sa_card *card, uint64_t bus, const void *buf, size_t len);

/* ---- regs.c: BAR0 */
uint64_t sa_regs_read(struct sa_card *card, uint64_t offset, unsigned int size);
void sa_regs_write(struct sa_card *card, uint64_t offset, uint64_t value, unsigned int size);
/* The capability block (shared by BAR0 and the CP's SYS page). */
uint32_t sa_regs_cap_read(const struct sa_card *card, uint32_t offset);
/*
 * Reads the low or high word of the 64-bit register `key` (any number that
 * identifies it): reading the low word latches the high word for the next
 * high read of the same register.
 */
uint32_t sa_latch_read(struct sa_latch *latch, uint64_t key, uint64_t value, bool high);

/* ---- doorbell.c: BAR2 and the CP's DB page */
void sa_db_reset(struct sa_card *card);
uint64_t sa_db_bar_read(struct sa_card *card, uint64_t offset, unsigned int size);
void sa_db_bar_write(struct sa_card *card, uint64_t offset, uint64_t value, unsigned int size);
uint32_t sa_db_cp_read(struct sa_card *card, uint32_t offset);
void sa_db_cp_write(struct sa_card *card, uint32_t offset, uint32_t value);

/* ---- irq.c: host vectors and events, CP interrupt controller */
void sa_irq_reset(struct sa_card *card);
void sa_irq_cp_reset(struct sa_card *card);
void sa_irq_raise_vector(struct sa_card *card, uint32_t vector);
void sa_irq_event(struct sa_card *card, uint32_t events);
void sa_irq_cp_raise(struct sa_card *card, uint32_t causes);
bool sa_irq_cp_line(const struct sa_card *card);
uint32_t sa_irq_host_read(struct sa_card *card, uint32_t offset);
void sa_irq_host_write(struct sa_card *card, uint32_t offset, uint32_t value);
uint32_t sa_irq_cp_read(struct sa_card *card, uint32_t offset);
void sa_irq_cp_write(struct sa_card *card, uint32_t offset, uint32_t value);

/* ---- mbox.c */
void sa_mbox_reset(struct sa_card *card);
uint32_t sa_mbox_host_read(struct sa_card *card, uint32_t offset);
void sa_mbox_host_write(struct sa_card *card, uint32_t offset, uint32_t value);
uint32_t sa_mbox_cp_read(struct sa_card *card, uint32_t offset);
void sa_mbox_cp_write(struct sa_card *card, uint32_t offset, uint32_t value);

/* ---- timer.c: mtime/mtimecmp, watchdog, heartbeat */
void sa_timer_reset(struct sa_card *card);
void sa_timer_cp_reset(struct sa_card *card);
bool sa_timer_irq_line(const struct sa_card *card);
/* Advances card time; returns true if the watchdog expired. */
bool sa_timer_set_time(struct sa_card *card, uint64_t now_ns);
/* Whether the watchdog is armed and its deadline has passed. */
bool sa_timer_wdt_expired(const struct sa_card *card);
uint64_t sa_timer_next_deadline(const struct sa_card *card);
uint32_t sa_timer_cp_read(struct sa_card *card, uint32_t offset, uint32_t block);
void sa_timer_cp_write(struct sa_card *card, uint32_t offset, uint32_t block, uint32_t value);

/* ---- cp.c: the control processor and its bus */
int sa_cp_init(struct sa_card *card);
void sa_cp_fini(struct sa_card *card);
void sa_cp_power_on(struct sa_card *card);
void sa_cp_release(struct sa_card *card);
void sa_cp_halt(struct sa_card *card, uint32_t fatal_code);
bool sa_cp_runnable(const struct sa_card *card);
void sa_cp_wake(struct sa_card *card);
/* Drives the core's MEI/MTI lines from the interrupt controller and the timer, now. */
void sa_cp_irq_lines(struct sa_card *card);
/* Runs up to `budget` instructions; returns the cycles that took (steps, incl. traps). */
uint64_t sa_cp_step(struct sa_card *card, uint64_t budget);
/*
 * Called by a block the CP just started: ends the current CP slice after
 * this store, so the engine's time starts counting from here.  Returns true
 * if the CP was running (the engine must not be credited with the slice).
 */
bool sa_cp_yield(struct sa_card *card);
uint32_t sa_cp_status(const struct sa_card *card);
/* Host access to the IRAM/DRAM windows. */
uint64_t sa_cp_window_read(struct sa_card *card, bool iram, uint64_t offset, unsigned int size);
void sa_cp_window_write(struct sa_card *card, bool iram, uint64_t offset, uint64_t value,
			unsigned int size);
/* DMA engine access to DRAM: 0, or -1 if [addr, addr + len) is not inside it. */
int sa_cp_dram_range(const struct sa_card *card, uint64_t addr, uint64_t len, uint8_t **ptr);

/* ---- mmu.c */
int sa_mmu_init(struct sa_card *card);
void sa_mmu_fini(struct sa_card *card);
void sa_mmu_reset(struct sa_card *card);
void sa_mmu_cp_reset(struct sa_card *card);
/*
 * Translates every page of [va, va + len) for `access` into `pages` (the bus
 * address of each page touched, in order).  Returns 0, or
 * SA_ENGINE_ERR_MMU_FAULT after recording the fault (*fault_seq = its
 * sequence).  len <= SA_DMA_MAX_LEN.
 */
int sa_mmu_translate_range(struct sa_card *card, uint32_t ctx, uint64_t va, uint64_t len,
			   unsigned int access, unsigned int source, uint64_t *pages,
			   uint32_t *fault_seq);
/* Moves data between a buffer and translated pages: 0 or SA_ENGINE_ERR_BUS. */
int sa_mmu_read_pages(struct sa_card *card, const uint64_t *pages, uint64_t va, void *buf,
		      size_t len);
int sa_mmu_write_pages(struct sa_card *card, const uint64_t *pages, uint64_t va, const void *buf,
		       size_t len);
/* Translate then move: 0, SA_ENGINE_ERR_MMU_FAULT or SA_ENGINE_ERR_BUS. */
int sa_mmu_read(struct sa_card *card, uint32_t ctx, uint64_t va, void *buf, size_t len,
		unsigned int source, uint32_t *fault_seq);
int sa_mmu_write(struct sa_card *card, uint32_t ctx, uint64_t va, const void *buf, size_t len,
		 unsigned int source, uint32_t *fault_seq);
uint32_t sa_mmu_ring_read(const struct sa_card *card, uint32_t offset);
uint32_t sa_mmu_cp_read(struct sa_card *card, uint32_t offset);
void sa_mmu_cp_write(struct sa_card *card, uint32_t offset, uint32_t value);

/* ---- te_plan.c: command validation and the cycle model */
/* Returns SA_ENGINE_ERR_NONE and fills *plan, or the error code. */
int sa_te_plan(const struct sa_hw_te_cmd *cmd, struct sa_te_plan *plan);

/*
 * The timing rule both engines (TE, DMA) follow when a slice of `cycles`
 * ends: a command the CP started during that slice starts counting only now
 * (*fresh is cleared); otherwise its remaining cycles count down.  True when
 * the command is due to complete.
 */
static inline bool sa_engine_elapse(bool *fresh, uint64_t *remaining, uint64_t cycles)
{
	if (*fresh) {
		*fresh = false;
		return false;
	}
	if (cycles < *remaining) {
		*remaining -= cycles;
		return false;
	}
	return true;
}

/* ---- te.c: tensor engine */
int sa_te_init(struct sa_card *card);
void sa_te_fini(struct sa_card *card);
void sa_te_reset(struct sa_card *card);
bool sa_te_busy(const struct sa_card *card);
uint64_t sa_te_remaining(const struct sa_card *card);
void sa_te_advance(struct sa_card *card, uint64_t cycles);
uint32_t sa_te_cp_read(struct sa_card *card, uint32_t offset, unsigned int size);
void sa_te_cp_write(struct sa_card *card, uint32_t offset, uint32_t value, unsigned int size);

/* ---- dma.c */
void sa_dma_reset(struct sa_card *card);
bool sa_dma_busy(const struct sa_card *card);
uint64_t sa_dma_remaining(const struct sa_card *card);
void sa_dma_advance(struct sa_card *card, uint64_t cycles);
uint32_t sa_dma_cp_read(struct sa_card *card, uint32_t offset);
void sa_dma_cp_write(struct sa_card *card, uint32_t offset, uint32_t value);

/* ---- perf.c */
void sa_perf_reset(struct sa_card *card);
static inline void sa_perf_add(struct sa_card *card, unsigned int counter, uint64_t n)
{
	card->perf[counter] += n;
}
uint32_t sa_perf_read(struct sa_card *card, struct sa_latch *latch, uint32_t offset);
void sa_perf_ctrl(struct sa_card *card, uint32_t value);

/* ---- fault_inject.c */
void sa_fi_reset(struct sa_card *card);
void sa_fi_cp_reset(struct sa_card *card);
uint32_t sa_fi_read(struct sa_card *card, uint32_t offset);
void sa_fi_write(struct sa_card *card, uint32_t offset, uint32_t value);
/* Consumes an armed injection: true if `which` (SA_FI_*) fires now. */
bool sa_fi_take(struct sa_card *card, uint32_t which);

/*
 * ---- The control processor's bus (cp.c), also for tests: a test may
 * program CP-side blocks (TE, DMA, MMU context table, ...) directly through
 * these instead of running a CP program.  0, or -1 for an access fault.
 */
int sa_card_cp_load(struct sa_card *card, uint32_t addr, unsigned int size, uint32_t *val);
int sa_card_cp_store(struct sa_card *card, uint32_t addr, unsigned int size, uint32_t val);

#endif /* SA_CARD_INTERNAL_H */
