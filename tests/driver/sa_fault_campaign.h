/* SPDX-License-Identifier: MIT */
/*
 * The fault campaign (issue 11, part 4): for each injected fault, several
 * processes keep jobs going and classify every job by what its waiter saw.
 * sa_fault_campaign.c runs the rounds and prints the table,
 * sa_fault_campaign_load.c is the load (one process per queue),
 * sa_fault_campaign_inject.c the injections.
 */
#ifndef SA_FAULT_CAMPAIGN_H
#define SA_FAULT_CAMPAIGN_H

#include <stdbool.h>
#include <stdint.h>

#include "sa_selftest.h"

/*
 * A job's waiter must hear back within this: the job timeout (10 s), the
 * heartbeat timeout (3 s) and a firmware boot (5 s) of docs/driver.md, with
 * room for TCG.  Later, the job counts as lost.
 */
#define FC_LOST_AFTER_NS (40ll * 1000 * 1000 * 1000)

/* What became of the jobs of one round, summed over its load processes. */
struct fc_tally {
	uint64_t jobs;	     /* submitted (or refused) */
	uint64_t ok;	     /* fence reached, exact, data right */
	uint64_t failed;     /* refused or -EIO, with a reason from STATUS */
	uint64_t unclear;    /* an error without a reason */
	uint64_t wrong;	     /* "completed" with a wrong fence value or wrong data */
	uint64_t lost;	     /* no answer within FC_LOST_AFTER_NS */
	uint64_t duplicated; /* an effect seen twice, or fences out of order */
	int64_t longest_ns;  /* longest wait of any job */
	uint64_t setup_errors;
	/* failslab round: buffer or queue set-ups refused with an error (the injection seen) */
	uint64_t alloc_refused;
};

/* Shared between the campaign and its load processes (MAP_SHARED). */
struct fc_shared {
	struct fc_tally t;
	uint64_t stop; /* stop submitting; drain and check */
};

/* The load: one process, one queue; returns when shared->stop is set and drained. */
void fc_load_run(struct fc_shared *shared, uint32_t index, bool fail_slab);

/* Injections (sa_fault_campaign_inject.c). */
int fc_debugfs_write(const char *name, const char *value);
int fc_inject(uint32_t sa_fi_bits);
/* SA_FI_* that took effect since the last call (read and cleared through BAR0), or -1. */
int64_t fc_fi_fired(void);
/* Many queues of one file fault at once (the firmware's event outbox overflows). */
int fc_event_overflow(unsigned int hold_s);
bool fc_have_failslab(void);
/* Task-filtered failslab (only processes with make-it-fail); off again with on=false. */
int fc_failslab_setup(bool on);

#endif /* SA_FAULT_CAMPAIGN_H */
