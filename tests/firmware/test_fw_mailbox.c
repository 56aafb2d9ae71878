// SPDX-License-Identifier: MIT
/*
 * The mailbox protocol (firmware/mailbox.c, outbox.c, boot.c, context.c,
 * queue.c, timer.c) against the fake hardware: the boot report, every
 * request with good and bad arguments, sequence numbers, flow control when
 * the host is slow to take messages, and the heartbeat.
 */
#include <string.h>

#include "../check.h"
#include "fw_test.h"

TEST(boot_report_says_who_the_firmware_is)
{
	struct sa_fw_boot_report r;

	CHECK(t_boot());
	CHECK_EQ_INT(t_event_count, 1);
	CHECK_EQ_INT(SA_FW_MSG_TYPE(t_events[0][0]), SA_FW_EVT_BOOT);
	CHECK_EQ_INT(SA_FW_MSG_TOKEN(t_events[0][0]), 0); /* the first event */
	CHECK_EQ_INT(SA_FW_MSG_LENGTH(t_events[0][0]), sizeof(r) / 4);
	memcpy(&r, t_events[0] + 1, sizeof(r));
	CHECK_EQ_INT(r.status, SA_FW_OK);
	CHECK_EQ_INT(SA_FW_VERSION_WORD_MAJOR(r.version), SA_FW_VERSION_MAJOR);
	CHECK_EQ_INT(SA_FW_VERSION_WORD_MINOR(r.version), SA_FW_VERSION_MINOR);
	CHECK_EQ_INT(r.build_id, fake.trailer.build_id);
	CHECK_EQ_INT(r.hw_version, SA_HW_VERSION);
	CHECK_EQ_INT(r.num_queues, SA_HW_DEFAULT_QUEUES);
	CHECK_EQ_INT(r.num_contexts, SA_HW_NUM_CONTEXTS);
	CHECK_EQ_INT(r.num_priorities, SA_FW_NUM_PRIORITIES);
	CHECK(r.capabilities & SA_FW_CAP_WAIT);
	CHECK(r.capabilities & SA_FW_CAP_SELFCHECK);
	CHECK_EQ_INT(r.ops, 0x7fe);
	CHECK_EQ_INT(r.code_bytes, sizeof(fake.code));
	/* Heartbeat and watchdog run from boot. */
	CHECK_EQ_INT(fake.heartbeats, 1);
	CHECK(fake.wdt_enabled);
	CHECK_EQ_INT(fake.wdt_timeout_us, SA_FW_DEFAULT_WATCHDOG_US);
	CHECK(!fake.fatal);
}

TEST(corrupted_code_reports_and_halts)
{
	struct sa_fw_boot_report r;

	fake_reset();
	fake.code[17] ^= 0x40;
	t_event_count = 0;
	CHECK(!fw_boot());
	CHECK(fake.fatal);
	CHECK_EQ_INT(fake.fatal_code, SA_FW_FATAL_SELFCHECK);
	/* The report is in the mailbox for the driver to read. */
	CHECK(fake.f2h_full);
	CHECK_EQ_INT(SA_FW_MSG_TYPE(fake.f2h[0]), SA_FW_EVT_BOOT);
	memcpy(&r, fake.f2h + 1, sizeof(r));
	CHECK_EQ_INT(r.status, SA_FW_E_SELFCHECK);
	CHECK(!fake.wdt_enabled); /* nothing runs, so nothing to watch */
	/* A halted firmware does nothing more. */
	CHECK(!fw_step());

	fake_reset();
	fake.trailer.magic = 0;
	CHECK(!fw_boot());
	CHECK_EQ_INT(fake.fatal_code, SA_FW_FATAL_SELFCHECK);
}

TEST(hello_and_ping)
{
	uint32_t reply[SA_FW_MSG_MAX_PAYLOAD];
	struct sa_fw_boot_report r;
	struct sa_fw_ping p = {.cookie = 0xc0ffee};
	struct sa_fw_ping_reply pr;

	CHECK(t_boot());
	CHECK_EQ_INT(t_request(SA_FW_MSG_HELLO, NULL, 0, reply), SA_FW_OK);
	memcpy(&r, reply, sizeof(r));
	CHECK_EQ_INT(r.build_id, fake.trailer.build_id);
	CHECK_EQ_INT(t_request(SA_FW_MSG_PING, &p, 1, reply), SA_FW_OK);
	memcpy(&pr, reply, sizeof(pr));
	CHECK_EQ_INT(pr.cookie, 0xc0ffee);
	CHECK_EQ_INT(pr.heartbeat, 1);
	CHECK(pr.cycles_lo | pr.cycles_hi);
}

TEST(tokens_are_echoed_and_bad_messages_refused)
{
	uint32_t w0, reply[SA_FW_MSG_MAX_PAYLOAD];
	static const uint16_t types[] = {SA_FW_MSG_HELLO,
					 SA_FW_MSG_PING,
					 SA_FW_MSG_CONTEXT_CREATE,
					 SA_FW_MSG_CONTEXT_DESTROY,
					 SA_FW_MSG_CONTEXT_INVALIDATE,
					 SA_FW_MSG_QUEUE_CREATE,
					 SA_FW_MSG_QUEUE_RESET,
					 SA_FW_MSG_QUEUE_DESTROY,
					 SA_FW_MSG_QUEUE_STATUS,
					 SA_FW_MSG_COUNTERS,
					 SA_FW_MSG_SUSPEND,
					 SA_FW_MSG_RESUME,
					 SA_FW_MSG_CONFIG};
	uint32_t zeros[SA_FW_MSG_MAX_PAYLOAD] = {0};

	CHECK(t_boot());
	/* Unknown types, including ones that look like replies or events. */
	CHECK_EQ_INT(t_request_raw(SA_FW_MSG_WORD0(0x77, 0xab, 0), NULL, 0, &w0, reply),
		     SA_FW_E_UNKNOWN);
	CHECK_EQ_INT(SA_FW_MSG_TYPE(w0), 0x77 | SA_FW_MSG_REPLY);
	CHECK_EQ_INT(SA_FW_MSG_TOKEN(w0), 0xab);
	CHECK_EQ_INT(SA_FW_MSG_LENGTH(w0), 1);
	CHECK_EQ_INT(t_request_raw(SA_FW_MSG_WORD0(SA_FW_MSG_PING | SA_FW_MSG_REPLY, 1, 1), zeros,
				   1, &w0, reply),
		     SA_FW_E_UNKNOWN);
	CHECK_EQ_INT(t_request_raw(SA_FW_MSG_WORD0(SA_FW_EVT_BOOT, 2, 0), NULL, 0, &w0, reply),
		     SA_FW_E_UNKNOWN);
	/* Every request type with one word too many, and with a huge length. */
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		CHECK_EQ_INT(t_request_raw(SA_FW_MSG_WORD0(types[i], (uint8_t)i, 15), zeros, 15,
					   &w0, reply),
			     SA_FW_E_LENGTH);
		CHECK_EQ_INT(SA_FW_MSG_TOKEN(w0), (uint8_t)i);
		CHECK_EQ_INT(
			t_request_raw(SA_FW_MSG_WORD0(types[i], 9, 255), zeros, 15, &w0, reply),
			SA_FW_E_LENGTH);
	}
	/* And short ones. */
	CHECK_EQ_INT(t_request_raw(SA_FW_MSG_WORD0(SA_FW_MSG_QUEUE_CREATE, 3, 10), zeros, 10, &w0,
				   reply),
		     SA_FW_E_LENGTH);
	CHECK_EQ_INT(t_request_raw(SA_FW_MSG_WORD0(SA_FW_MSG_PING, 4, 0), zeros, 0, &w0, reply),
		     SA_FW_E_LENGTH);
	/* Nothing was created by any of that. */
	CHECK(!fw_context_valid(0));
}

TEST(contexts)
{
	struct sa_fw_context_create c = {.context = 5, .root_lo = 0x12345000, .root_hi = 0x7};
	struct sa_fw_context_id id = {.context = 5};
	struct t_queue q;
	uint32_t inval;

	CHECK(t_boot());
	CHECK_EQ_INT(t_request(SA_FW_MSG_CONTEXT_CREATE, &c, 4, NULL), SA_FW_OK);
	CHECK(fake.ctx_valid[5]);
	CHECK_EQ_INT(fake.ctx_root[5], 0x712345000ull);
	CHECK_EQ_INT(t_request(SA_FW_MSG_CONTEXT_CREATE, &c, 4, NULL), SA_FW_E_EXISTS);
	c.context = SA_HW_NUM_CONTEXTS;
	CHECK_EQ_INT(t_request(SA_FW_MSG_CONTEXT_CREATE, &c, 4, NULL), SA_FW_E_INVALID);
	c.context = 6;
	c.root_lo = 0x12345800; /* not 4 KiB aligned */
	CHECK_EQ_INT(t_request(SA_FW_MSG_CONTEXT_CREATE, &c, 4, NULL), SA_FW_E_INVALID);
	c.root_lo = 0x1000;
	c.root_hi = 0x100000; /* bit 52: beyond the PTE's address field */
	CHECK_EQ_INT(t_request(SA_FW_MSG_CONTEXT_CREATE, &c, 4, NULL), SA_FW_E_INVALID);
	c.root_hi = 0;
	c.flags = 1;
	CHECK_EQ_INT(t_request(SA_FW_MSG_CONTEXT_CREATE, &c, 4, NULL), SA_FW_E_INVALID);
	CHECK(!fake.ctx_valid[6]);

	inval = fake.invalidations;
	CHECK_EQ_INT(t_request(SA_FW_MSG_CONTEXT_INVALIDATE, &id, 1, NULL), SA_FW_OK);
	CHECK_EQ_INT(fake.invalidations, inval + 1);
	id.context = 6;
	CHECK_EQ_INT(t_request(SA_FW_MSG_CONTEXT_INVALIDATE, &id, 1, NULL), SA_FW_E_NO_CONTEXT);
	CHECK_EQ_INT(t_request(SA_FW_MSG_CONTEXT_DESTROY, &id, 1, NULL), SA_FW_E_NO_CONTEXT);
	id.context = 1000;
	CHECK_EQ_INT(t_request(SA_FW_MSG_CONTEXT_DESTROY, &id, 1, NULL), SA_FW_E_INVALID);

	/* A context that owns a queue stays until the queue is gone. */
	CHECK_EQ_INT(t_queue_create(&q, 2, 5, SA_FW_PRIO_NORMAL, 8), SA_FW_OK);
	id.context = 5;
	CHECK_EQ_INT(t_request(SA_FW_MSG_CONTEXT_DESTROY, &id, 1, NULL), SA_FW_E_BUSY);
	CHECK(fake.ctx_valid[5]);
	struct sa_fw_queue_id qid = {.queue = 2};
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_DESTROY, &qid, 1, NULL), SA_FW_OK);
	CHECK_EQ_INT(t_request(SA_FW_MSG_CONTEXT_DESTROY, &id, 1, NULL), SA_FW_OK);
	CHECK(!fake.ctx_valid[5]);
	CHECK_EQ_INT(fake.ctx_root[5], 0);
}

static struct sa_fw_queue_create good_queue(void)
{
	struct sa_fw_queue_create c;

	memset(&c, 0, sizeof(c));
	c.queue = 3;
	c.context = 1;
	c.ring_lo = 0x100000;
	c.entries = 16;
	c.status_lo = 0x200040;
	c.vector = 1;
	c.priority = SA_FW_PRIO_HIGH;
	c.start_index = 0xfffffff0u;
	return c;
}

TEST(queue_create_checks_every_field)
{
	struct sa_fw_queue_create c;
	struct sa_hw_queue_status *st;
	struct sa_fw_queue_status_reply r;
	uint32_t reply[SA_FW_MSG_MAX_PAYLOAD];

	CHECK(t_boot());
	fake_map(1, 0x100000, 16 * 256, SA_PTE_READ);
	st = (struct sa_hw_queue_status *)(void *)(fake_map(1, 0x200000, 4096,
							    SA_PTE_READ | SA_PTE_WRITE) +
						   0x40);
	c = good_queue();
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_CREATE, &c, 11, NULL), SA_FW_E_NO_CONTEXT);
	CHECK_EQ_INT(t_context(1), SA_FW_OK);

#define BAD(field, value)                                                                          \
	do {                                                                                       \
		c = good_queue();                                                                  \
		c.field = (value);                                                                 \
		CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_CREATE, &c, 11, NULL), SA_FW_E_INVALID);    \
	} while (0)
	BAD(queue, SA_HW_DEFAULT_QUEUES);
	BAD(context, SA_HW_NUM_CONTEXTS);
	BAD(entries, 12);
	BAD(entries, 4);
	BAD(entries, 8192);
	BAD(ring_lo, 0x100080);
	BAD(ring_hi, 0x80); /* VA 2^39 */
	BAD(status_lo, 0x200020);
	BAD(status_hi, 0xffffffffu);
	BAD(vector, 0); /* the device-event vector */
	BAD(vector, SA_HW_MAX_QUEUE_VECTORS + 1);
	BAD(priority, SA_FW_NUM_PRIORITIES);
	BAD(flags, 2);
#undef BAD
	/* A status block the card cannot write is refused, and no queue exists. */
	c = good_queue();
	c.status_lo = 0x300000;
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_CREATE, &c, 11, NULL), SA_FW_E_FAULT);
	struct sa_fw_queue_id id = {.queue = 3};
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_STATUS, &id, 1, NULL), SA_FW_E_NO_QUEUE);

	c = good_queue();
	/* As the driver does: a new queue starts where its doorbell stands. */
	fake.db_tail[c.queue] = c.start_index;
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_CREATE, &c, 11, NULL), SA_FW_OK);
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_CREATE, &c, 11, NULL), SA_FW_E_EXISTS);
	CHECK_EQ_INT(st->state, SA_QUEUE_RUNNING);
	CHECK_EQ_INT(st->head, 0xfffffff0u);
	CHECK_EQ_INT(st->completed, 0xfffffff0u);
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_STATUS, &id, 1, reply), SA_FW_OK);
	memcpy(&r, reply, sizeof(r));
	CHECK_EQ_INT(r.state, SA_QUEUE_RUNNING);
	CHECK_EQ_INT(r.head, 0xfffffff0u);
	CHECK_EQ_INT(r.tail, 0xfffffff0u);
	CHECK_EQ_INT(r.context, 1);
	CHECK_EQ_INT(r.priority, SA_FW_PRIO_HIGH);

	/* Destroy says STOPPED in the block and forgets the queue. */
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_DESTROY, &id, 1, NULL), SA_FW_OK);
	CHECK_EQ_INT(st->state, SA_QUEUE_STOPPED);
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_DESTROY, &id, 1, NULL), SA_FW_E_NO_QUEUE);
	CHECK_EQ_INT(t_request(SA_FW_MSG_COUNTERS, &id, 1, NULL), SA_FW_E_NO_QUEUE);
	id.queue = 99;
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_STATUS, &id, 1, NULL), SA_FW_E_INVALID);
	CHECK_EQ_INT(t_request(SA_FW_MSG_COUNTERS, &id, 1, NULL), SA_FW_E_INVALID);
	struct sa_fw_queue_reset rs = {.queue = 99};
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_RESET, &rs, 2, NULL), SA_FW_E_INVALID);
	rs.queue = 3;
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_RESET, &rs, 2, NULL), SA_FW_E_NO_QUEUE);
}

TEST(suspend_stops_at_a_boundary_and_resume_continues)
{
	struct t_queue q;
	struct sa_fw_suspend_reply sr;
	uint32_t reply[SA_FW_MSG_MAX_PAYLOAD];
	struct sa_fw_queue_status_reply st;
	struct sa_fw_queue_id id = {.queue = 0};

	CHECK(t_boot());
	CHECK_EQ_INT(t_context(1), SA_FW_OK);
	CHECK_EQ_INT(t_queue_create(&q, 0, 1, SA_FW_PRIO_NORMAL, 8), SA_FW_OK);
	CHECK_EQ_INT(t_request(SA_FW_MSG_SUSPEND, NULL, 0, reply), SA_FW_OK);
	memcpy(&sr, reply, sizeof(sr));
	CHECK_EQ_INT(sr.pending_queues, 0);
	for (int i = 0; i < 3; i++) {
		struct sa_hw_desc d = t_nop(SA_DESC_F_FENCE, q.fence_va + 8 * i, 100 + i);

		t_push(&q, &d);
	}
	t_ring(&q);
	t_run();
	CHECK_EQ_INT(q.fences[0], 0); /* nothing ran */
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_STATUS, &id, 1, reply), SA_FW_OK);
	memcpy(&st, reply, sizeof(st));
	CHECK_EQ_INT(st.tail, 3); /* the doorbell was taken */
	CHECK_EQ_INT(st.head, 0);
	CHECK(st.flags & SA_FW_QF_SUSPENDED);
	/* Suspending again is harmless and counts the waiting queue. */
	CHECK_EQ_INT(t_request(SA_FW_MSG_SUSPEND, NULL, 0, reply), SA_FW_OK);
	memcpy(&sr, reply, sizeof(sr));
	CHECK_EQ_INT(sr.pending_queues, 1);
	CHECK_EQ_INT(t_request(SA_FW_MSG_RESUME, NULL, 0, NULL), SA_FW_OK);
	t_run();
	CHECK_EQ_INT(q.fences[0], 100);
	CHECK_EQ_INT(q.fences[2], 102);
	CHECK_EQ_INT(q.status->completed, 3);
}

TEST(config_and_heartbeat)
{
	struct sa_fw_config c = {.heartbeat_us = 500};
	struct sa_fw_config_reply r;
	uint32_t reply[SA_FW_MSG_MAX_PAYLOAD];
	uint32_t beats;

	CHECK(t_boot());
	CHECK_EQ_INT(fake.timer_deadline, SA_FW_DEFAULT_HEARTBEAT_US * 1000ull);
	CHECK_EQ_INT(t_request(SA_FW_MSG_CONFIG, &c, 3, reply), SA_FW_E_INVALID);
	c.heartbeat_us = 600000; /* more than half the 1 s watchdog */
	CHECK_EQ_INT(t_request(SA_FW_MSG_CONFIG, &c, 3, reply), SA_FW_E_INVALID);
	memcpy(&r, reply, sizeof(r));
	CHECK_EQ_INT(r.config.heartbeat_us, SA_FW_DEFAULT_HEARTBEAT_US); /* unchanged */
	c = (struct sa_fw_config){.heartbeat_us = 10000, .watchdog_us = 50000, .wait_poll_us = 0};
	CHECK_EQ_INT(t_request(SA_FW_MSG_CONFIG, &c, 3, reply), SA_FW_OK);
	memcpy(&r, reply, sizeof(r));
	CHECK_EQ_INT(r.config.heartbeat_us, 10000);
	CHECK_EQ_INT(r.config.watchdog_us, 50000);
	CHECK_EQ_INT(r.config.wait_poll_us, SA_FW_DEFAULT_WAIT_POLL_US);
	CHECK_EQ_INT(fake.wdt_timeout_us, 50000);

	/* Card time passes: one heartbeat and one kick per period, never a burst. */
	beats = fake.heartbeats;
	fake.now_ns = 9999999;
	t_run();
	CHECK_EQ_INT(fake.heartbeats, beats);
	fake.now_ns = 10000000;
	t_run();
	CHECK_EQ_INT(fake.heartbeats, beats + 1);
	CHECK_EQ_INT(fake.timer_deadline, 20000000);
	fake.now_ns = 95000000; /* a long gap */
	t_run();
	CHECK_EQ_INT(fake.heartbeats, beats + 2);
	CHECK_EQ_INT(fake.timer_deadline, 105000000);
	CHECK(fake.wdt_kicks >= 2);
}

TEST(slow_host_loses_no_reply_and_learns_of_lost_events)
{
	struct t_queue q[SA_HW_DEFAULT_QUEUES];
	uint32_t m[SA_MBOX_WORDS], got_events = 0, lost = 0, replies = 0, gaps = 0;
	uint8_t expect_token = 1; /* the boot report was event 0 */

	CHECK(t_boot());
	CHECK_EQ_INT(t_context(1), SA_FW_OK);
	for (uint32_t i = 0; i < SA_HW_DEFAULT_QUEUES; i++)
		CHECK_EQ_INT(t_queue_create(&q[i], i, 1, SA_FW_PRIO_NORMAL, 8), SA_FW_OK);
	/* Sixteen queues fault while the host takes no message at all. */
	for (uint32_t i = 0; i < SA_HW_DEFAULT_QUEUES; i++) {
		struct sa_hw_desc bad = t_nop(0, 0, 0);

		bad.opcode = 0x42;
		t_push(&q[i], &bad);
		t_ring(&q[i]);
	}
	for (int i = 0; i < 100; i++)
		fw_step();
	CHECK(fake.f2h_full);
	/* A request still gets its answer, after the messages queued before it. */
	m[0] = SA_FW_MSG_WORD0(SA_FW_MSG_PING, 0x99, 1);
	m[1] = 5;
	fake_host_send(m);
	for (int i = 0; i < 10; i++)
		fw_step();
	for (int i = 0; i < 200; i++) {
		if (!fake_host_recv(m)) {
			fw_step();
			continue;
		}
		if (SA_FW_MSG_TYPE(m[0]) & SA_FW_MSG_REPLY) {
			replies++;
			CHECK_EQ_INT(SA_FW_MSG_TOKEN(m[0]), 0x99);
			continue;
		}
		/* Events: tokens count up; the gaps are exactly the events lost. */
		gaps += (uint8_t)(SA_FW_MSG_TOKEN(m[0]) - expect_token);
		expect_token = (uint8_t)(SA_FW_MSG_TOKEN(m[0]) + 1);
		got_events++;
		if (SA_FW_MSG_TYPE(m[0]) == SA_FW_EVT_FW_ERROR) {
			CHECK_EQ_INT(m[1], SA_FW_ERROR_EVENTS_LOST);
			lost += m[2];
		} else {
			CHECK_EQ_INT(SA_FW_MSG_TYPE(m[0]), SA_FW_EVT_QUEUE_FAULT);
		}
		fw_step();
	}
	CHECK_EQ_INT(replies, 1);
	/* 16 faults + the lost report; what did not fit was counted, none vanished. */
	CHECK(lost > 0);
	CHECK_EQ_INT(got_events - 1 + lost, SA_HW_DEFAULT_QUEUES + 0u);
	CHECK_EQ_INT(gaps, lost);
	/* Every queue is faulted no matter which events made it. */
	for (uint32_t i = 0; i < SA_HW_DEFAULT_QUEUES; i++)
		CHECK_EQ_INT(q[i].status->state, SA_QUEUE_FAULTED);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(boot_report_says_who_the_firmware_is);
	RUN(corrupted_code_reports_and_halts);
	RUN(hello_and_ping);
	RUN(tokens_are_echoed_and_bad_messages_refused);
	RUN(contexts);
	RUN(queue_create_checks_every_field);
	RUN(suspend_stops_at_a_boundary_and_resume_continues);
	RUN(config_and_heartbeat);
	RUN(slow_host_loses_no_reply_and_learns_of_lost_events);
	CHECK_MAIN_END();
}
