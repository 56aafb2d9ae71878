// SPDX-License-Identifier: MIT
/*
 * Boot: learn the card from its capability block, check that the code in
 * IRAM is the code the image tool checksummed, start the heartbeat and the
 * watchdog, and tell the driver who we are (SA_FW_EVT_BOOT).  A firmware
 * whose code does not match its checksum reports that and halts: running
 * corrupted control code on a card that can write host memory is worse than
 * not running.
 */
#include <string.h>

#include "../libshiftaccel/src/crc32c.h"
#include "fw.h"

struct fw_state fw;

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

void fw_init(void)
{
	memset(&fw, 0, sizeof(fw));
	fw.hw_version = hal_cap(SA_REG_VERSION);
	fw.num_queues = min_u32(hal_cap(SA_REG_NUM_QUEUES), FW_MAX_QUEUES);
	fw.num_contexts = min_u32(hal_cap(SA_REG_NUM_CONTEXTS), FW_MAX_CONTEXTS);
	fw.queue_vectors = hal_cap(SA_REG_QUEUE_VECTORS);
	/* Run only what both the card and this firmware know. */
	fw.ops = hal_cap(SA_REG_OPS) & FW_OPS_SUPPORTED;
	fw.heartbeat_us = SA_FW_DEFAULT_HEARTBEAT_US;
	fw.watchdog_us = SA_FW_DEFAULT_WATCHDOG_US;
	fw.wait_poll_us = SA_FW_DEFAULT_WAIT_POLL_US;
	hal_init();
}

uint32_t fw_selfcheck(void)
{
	const uint8_t *code;
	uint32_t len;
	struct sa_fw_trailer t;

	hal_code_span(&code, &len, &t);
	fw.build_id = t.build_id;
	fw.code_bytes = len;
	fw.code_crc = sa_crc32c(0, code, len);
	if (t.magic != SA_FW_TRAILER_MAGIC || t.covered != len || t.crc != fw.code_crc)
		return SA_FW_E_SELFCHECK;
	return SA_FW_OK;
}

void fw_boot_report(struct sa_fw_boot_report *r)
{
	memset(r, 0, sizeof(*r));
	r->status = fw.boot_status;
	r->version =
		SA_FW_VERSION_WORD(SA_FW_VERSION_MAJOR, SA_FW_VERSION_MINOR, SA_FW_VERSION_PATCH);
	r->build_id = fw.build_id;
	r->hw_version = fw.hw_version;
	r->capabilities = FW_CAPABILITIES;
	r->num_queues = fw.num_queues;
	r->num_contexts = fw.num_contexts;
	r->num_priorities = SA_FW_NUM_PRIORITIES;
	r->ops = fw.ops;
	r->heartbeat_us = fw.heartbeat_us;
	r->watchdog_us = fw.watchdog_us;
	r->code_crc = fw.code_crc;
	r->code_bytes = fw.code_bytes;
}

bool fw_boot(void)
{
	struct sa_fw_boot_report r;

	fw_init();
	fw.boot_status = fw_selfcheck();
	if (fw.boot_status == SA_FW_OK)
		fw_timer_start();
	fw_boot_report(&r);
	fw_event(SA_FW_EVT_BOOT, &r, sizeof(r) / 4);
	/* The mailbox is empty after a CP reset, so the report leaves at once. */
	fw_outbox_flush();
	if (fw.boot_status != SA_FW_OK) {
		fw.halted = true;
		hal_fatal(SA_FW_FATAL_SELFCHECK);
		return false;
	}
	hal_irq_enable(fw_irq_mask());
	return true;
}
