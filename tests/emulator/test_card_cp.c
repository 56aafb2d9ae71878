// SPDX-License-Identifier: MIT
/*
 * The control processor: loading through the IRAM window and release at the
 * boot address, the mailbox both ways with its interrupts, heartbeat, the
 * CP timer, the watchdog, halts and host CP resets.  Each behaviour runs a
 * small CP program from tests/emulator/cp/.
 */
#include <string.h>

#include "../check.h"
#include "../../emulator/card_internal.h"
#include "card_harness.h"

static unsigned int count_vector(const struct harness *h, unsigned int vector)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < h->msi_count && i < H_MAX_MSI; i++)
		n += h->msi_log[i] == vector;
	return n;
}

TEST(boot_address_and_release)
{
	struct harness *h = h_create(4, false);
	static const uint32_t prog[] = {
		0x200002b7, /* lui  t0, 0x20000 (SYS page) */
		0x05500313, /* addi t1, zero, 0x55 */
		0x1062a223, /* sw   t1, 0x104(t0)  (SA_CP_SYS_SCRATCH) */
		0x00100073, /* ebreak */
	};

	h_wr32(h, SA_REG_EVENT_ENABLE, SA_EVENT_CP_HALT);
	for (unsigned int i = 0; i < 4; i++)
		h_wr32(h, SA_REG_IRAM_WINDOW + 0x200 + 4 * i, prog[i]);
	h_wr32(h, SA_REG_CP_BOOT_ADDR, 0x203); /* low bits are ignored */
	CHECK_EQ_INT(h_rd32(h, SA_REG_CP_BOOT_ADDR), 0x200);
	unsigned int kicks = h->kicks;

	h_wr32(h, SA_REG_CP_CTRL, 0);
	CHECK(h->kicks > kicks);
	CHECK_EQ_INT(h_rd32(h, SA_REG_CP_CTRL), 0);
	CHECK(h_run(h, 1000));
	CHECK_EQ_INT(h_cp_rd32(h, SA_CP_SYS_BASE + SA_CP_SYS_SCRATCH), 0x55);
	CHECK_EQ_INT(h_rd32(h, SA_REG_CP_STATUS), SA_CP_STATUS_RUNNING | SA_CP_STATUS_HALTED);
	CHECK_EQ_INT(h_rd32(h, SA_REG_CP_PC), 0x20c); /* stopped on the ebreak */
	CHECK(h_rd32(h, SA_REG_EVENT_CAUSE) & SA_EVENT_CP_HALT);
	CHECK_EQ_INT(h->msi_count, 1);
	CHECK_EQ_INT(h->msi_log[0], SA_HW_VECTOR_EVENTS);
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_CP_INSTRET)), 3);
	h_destroy(h);
}

TEST(mailbox_echo_and_interrupts)
{
	struct harness *h = h_create(4, false);
	uint32_t msg[SA_MBOX_WORDS], reply[SA_MBOX_WORDS];

	h_wr32(h, SA_REG_EVENT_ENABLE, SA_EVENT_MBOX_F2H | SA_EVENT_MBOX_H2F_ACK);
	CHECK_EQ_INT(h_load_program(h, "cp_echo"), 0);
	h_set_time(h, 12345);
	CHECK(h_run(h, 100000)); /* boots, then waits for a message */
	CHECK(h_rd32(h, SA_REG_CP_STATUS) & SA_CP_STATUS_WFI);
	CHECK_EQ_INT(h->msi_count, 0);

	for (unsigned int i = 0; i < SA_MBOX_WORDS; i++)
		msg[i] = 100 * i;
	msg[0] = 0x0c010042; /* type 0x42, token 1, length 12 */
	unsigned int kicks = h->kicks;

	h_mbox_send(h, msg, SA_MBOX_WORDS);
	CHECK(h->kicks > kicks);
	CHECK(h_rd32(h, SA_REG_MBOX_H2F_CTRL) & SA_MBOX_STATUS_FULL);
	/* While FULL the message is the firmware's: host writes are dropped. */
	h_wr32(h, SA_REG_MBOX_H2F_DATA + 4, 0xbad);
	CHECK_EQ_INT(h_rd32(h, SA_REG_MBOX_H2F_DATA + 4), 100);
	CHECK(h_mbox_recv(h, reply, 1000000));
	CHECK_EQ_INT(reply[0], 0x0c010042);
	for (unsigned int i = 1; i < SA_MBOX_WORDS; i++)
		CHECK_EQ_INT(reply[i], 100 * i + 1);
	CHECK_EQ_INT(h_rd32(h, SA_REG_MBOX_H2F_CTRL), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_EVENT_CAUSE), SA_EVENT_MBOX_H2F_ACK);
	/* H2F ack and F2H message each raised vector 0 once. */
	CHECK_EQ_INT(count_vector(h, SA_HW_VECTOR_EVENTS), 2);
	CHECK_EQ_INT(h_rd32(h, SA_REG_HEARTBEAT), 1);
	CHECK_EQ_INT(h_rd64(h, SA_REG_HEARTBEAT_NS), 12345);

	/* Word 1 names a queue vector: the CP raises it through its interrupt controller. */
	memset(msg, 0, sizeof(msg));
	msg[0] = 0x42;
	msg[1] = 3;
	h_wr32(h, SA_REG_EVENT_CAUSE, SA_EVENT_ALL);
	h_mbox_send(h, msg, 2);
	CHECK(h_mbox_recv(h, reply, 1000000));
	CHECK_EQ_INT(reply[1], 4);
	CHECK(h_run(h, 100000));
	CHECK_EQ_INT(count_vector(h, 3), 1);
	CHECK_EQ_INT(h_rd32(h, SA_REG_HEARTBEAT), 2);
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_MBOX_H2F)), 2);
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_MBOX_F2H)), 2);
	CHECK(h_rd64(h, SA_REG_PERF(SA_PERF_CP_INSTRET)) > 50);
	CHECK(h_rd64(h, SA_REG_PERF(SA_PERF_CYCLES)) >= h_rd64(h, SA_REG_PERF(SA_PERF_CP_INSTRET)));

	/* The end message: the program returns and the CP halts. */
	h_wr32(h, SA_REG_EVENT_ENABLE, SA_EVENT_CP_HALT);
	msg[0] = 0xdead;
	h_mbox_send(h, msg, 1);
	CHECK(h_run(h, 100000));
	CHECK(h_rd32(h, SA_REG_CP_STATUS) & SA_CP_STATUS_HALTED);
	CHECK(h_rd32(h, SA_REG_EVENT_CAUSE) & SA_EVENT_CP_HALT);
	CHECK_EQ_INT(h_rd32(h, SA_REG_CP_FATAL), 0);
	h_destroy(h);
}

TEST(event_edges)
{
	struct harness *h = h_create(4, false);
	uint32_t msg[2] = {0x42, 0}, reply[SA_MBOX_WORDS];

	CHECK_EQ_INT(h_load_program(h, "cp_echo"), 0);
	CHECK(h_run(h, 100000));
	/* Events latch even while disabled, and enabling one that is latched raises it. */
	h_mbox_send(h, msg, 2);
	CHECK(h_run(h, 100000));
	CHECK_EQ_INT(h->msi_count, 0);
	CHECK(h_rd32(h, SA_REG_EVENT_CAUSE) & SA_EVENT_MBOX_F2H);
	h_wr32(h, SA_REG_EVENT_ENABLE, SA_EVENT_MBOX_F2H);
	CHECK_EQ_INT(h->msi_count, 1);
	/* A cause the driver did not clear raises nothing new. */
	h_wr32(h, SA_REG_MBOX_F2H_CTRL, SA_MBOX_CTRL_ACK);
	h_mbox_send(h, msg, 2);
	CHECK(h_run(h, 100000));
	CHECK(h_rd32(h, SA_REG_MBOX_F2H_CTRL) & SA_MBOX_STATUS_FULL);
	CHECK_EQ_INT(h->msi_count, 1);
	/* Cleared, the next message raises vector 0 again. */
	CHECK(h_mbox_recv(h, reply, 100000));
	h_mbox_send(h, msg, 2);
	CHECK(h_mbox_recv(h, reply, 100000));
	CHECK_EQ_INT(h->msi_count, 2);
	h_destroy(h);
}

TEST(timer_interrupt)
{
	struct harness *h = h_create(4, false);
	uint32_t reply[SA_MBOX_WORDS];
	uint64_t deadline, woke;

	h_set_time(h, 1000000);
	CHECK_EQ_INT(sa_card_next_deadline_ns(h->card), UINT64_MAX);
	CHECK_EQ_INT(h_load_program(h, "cp_timer"), 0);
	CHECK(h_run(h, 100000));
	CHECK(h_rd32(h, SA_REG_CP_STATUS) & SA_CP_STATUS_WFI);
	CHECK_EQ_INT(sa_card_next_deadline_ns(h->card), 1001000);
	h_set_time(h, 1000999);
	CHECK(h_run(h, 100000));
	CHECK(!(h_rd32(h, SA_REG_MBOX_F2H_CTRL) & SA_MBOX_STATUS_FULL));
	CHECK_EQ_INT(h_rd32(h, SA_REG_HEARTBEAT), 0);
	unsigned int kicks = h->kicks;

	h_set_time(h, 1001000);
	CHECK(h->kicks > kicks); /* the host is asked to run the card */
	CHECK(h_mbox_recv(h, reply, 100000));
	deadline = (uint64_t)reply[2] << 32 | reply[1];
	woke = (uint64_t)reply[4] << 32 | reply[3];
	CHECK_EQ_INT(deadline, 1001000);
	CHECK_EQ_INT(woke, 1001000);
	CHECK_EQ_INT(h_rd32(h, SA_REG_HEARTBEAT), 1);
	CHECK(h_run(h, 100000));
	CHECK(h_rd32(h, SA_REG_CP_STATUS) & SA_CP_STATUS_HALTED);
	h_destroy(h);
}

TEST(watchdog_resets_the_cp)
{
	struct harness *h = h_create(4, false);
	uint32_t go = 1;
	uint32_t iram0;

	h_wr32(h, SA_REG_EVENT_ENABLE, SA_EVENT_WATCHDOG);
	h_set_time(h, 5000);
	CHECK_EQ_INT(h_load_program(h, "cp_watchdog"), 0);
	iram0 = h_rd32(h, SA_REG_IRAM_WINDOW);
	/* While the program kicks, time passes without consequence. */
	for (uint64_t t = 5000; t < 1005000; t += 50000) {
		h_set_time(h, t);
		CHECK(!h_run(h, 20000)); /* busy: it never waits */
	}
	CHECK_EQ_INT(h_rd32(h, SA_REG_WDT_RESETS), 0);
	CHECK(h_rd32(h, SA_REG_HEARTBEAT) > 100);
	CHECK_EQ_INT(sa_card_next_deadline_ns(h->card), 955000 + 100000);
	uint32_t beats = h_rd32(h, SA_REG_HEARTBEAT);

	/* Any message makes it stop kicking. */
	h_mbox_send(h, &go, 1);
	h_run(h, 20000);
	uint64_t last_kick = sa_card_next_deadline_ns(h->card) - 100000;

	h_run(h, 20000);
	h_set_time(h, last_kick + 99999);
	h_run(h, 20000);
	CHECK_EQ_INT(h_rd32(h, SA_REG_WDT_RESETS), 0);
	CHECK(h_rd32(h, SA_REG_CP_STATUS) & SA_CP_STATUS_RUNNING);
	/* Past the deadline, the CP's next slice decides: it does not kick, so it is reset. */
	h_set_time(h, last_kick + 100000);
	CHECK_EQ_INT(h_rd32(h, SA_REG_WDT_RESETS), 0);
	h_run(h, 20000);
	CHECK_EQ_INT(h_rd32(h, SA_REG_WDT_RESETS), 1);
	CHECK_EQ_INT(h_rd32(h, SA_REG_CP_STATUS), SA_CP_STATUS_IN_RESET | SA_CP_STATUS_WDT_FIRED);
	CHECK_EQ_INT(h_rd32(h, SA_REG_CP_CTRL), SA_CP_CTRL_RESET);
	CHECK(h_rd32(h, SA_REG_EVENT_CAUSE) & SA_EVENT_WATCHDOG);
	CHECK_EQ_INT(h->msi_count, 1);
	CHECK_EQ_INT(h->msi_log[0], SA_HW_VECTOR_EVENTS);
	/* The CP's side was reset (mailbox emptied, watchdog off); IRAM survived. */
	CHECK_EQ_INT(h_rd32(h, SA_REG_MBOX_H2F_CTRL), 0);
	CHECK_EQ_INT(h_cp_rd32(h, SA_CP_WDT_BASE + SA_CP_WDT_CTRL), 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_IRAM_WINDOW), iram0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_HEARTBEAT), beats);
	CHECK_EQ_INT(sa_card_next_deadline_ns(h->card), UINT64_MAX);
	/* Nothing runs any more, however much time passes... */
	CHECK(h_run(h, 100000));
	h_set_time(h, last_kick + 10000000);
	CHECK_EQ_INT(h_rd32(h, SA_REG_WDT_RESETS), 1);
	/* ...until the driver releases it again: the same image boots. */
	h_wr32(h, SA_REG_CP_CTRL, 0);
	CHECK(!(h_rd32(h, SA_REG_CP_STATUS) & SA_CP_STATUS_WDT_FIRED));
	h_run(h, 20000);
	CHECK(h_rd32(h, SA_REG_HEARTBEAT) > beats);
	h_destroy(h);
}

/*
 * The host may not run the card for longer than the watchdog's timeout (a
 * loaded machine): the clock jumps far past the deadline, but a CP that
 * kicks in its next slice is not reset.
 */
TEST(a_clock_jump_does_not_fire_the_watchdog_of_a_live_cp)
{
	struct harness *h = h_create(4, false);

	h_wr32(h, SA_REG_EVENT_ENABLE, SA_EVENT_WATCHDOG);
	h_set_time(h, 5000);
	CHECK_EQ_INT(h_load_program(h, "cp_watchdog"), 0);
	h_run(h, 20000);
	CHECK(sa_card_next_deadline_ns(h->card) != UINT64_MAX);
	for (int i = 1; i <= 5; i++) {
		h_set_time(h, h->now_ns + 10 * 100000); /* ten timeouts at once */
		h_run(h, 20000);
		CHECK_EQ_INT(h_rd32(h, SA_REG_WDT_RESETS), 0);
		CHECK(h_rd32(h, SA_REG_CP_STATUS) & SA_CP_STATUS_RUNNING);
	}
	h_destroy(h);
}

TEST(fatal_halts_and_host_cp_reset)
{
	struct harness *h = h_create(4, false);
	uint32_t msg[2] = {0x42, 0}, reply[SA_MBOX_WORDS];

	h_wr32(h, SA_REG_EVENT_ENABLE, SA_EVENT_CP_HALT);
	CHECK_EQ_INT(h_load_program(h, "cp_echo"), 0);
	CHECK(h_run(h, 100000));
	/* Firmware panic path: a SYS_FATAL store halts the CP with its code. */
	h_cp_wr32(h, SA_CP_SYS_BASE + SA_CP_SYS_FATAL, 0xf00d);
	CHECK(h_rd32(h, SA_REG_CP_STATUS) & SA_CP_STATUS_HALTED);
	CHECK_EQ_INT(h_rd32(h, SA_REG_CP_FATAL), 0xf00d);
	CHECK(h_rd32(h, SA_REG_EVENT_CAUSE) & SA_EVENT_CP_HALT);
	h_mbox_send(h, msg, 2);
	CHECK(!h_mbox_recv(h, reply, 100000)); /* a halted CP answers nothing */

	/* A host CP reset clears the mailbox; releasing boots the same image again. */
	h_wr32(h, SA_REG_CP_CTRL, SA_CP_CTRL_RESET);
	CHECK_EQ_INT(h_rd32(h, SA_REG_CP_STATUS), SA_CP_STATUS_IN_RESET);
	CHECK_EQ_INT(h_rd32(h, SA_REG_MBOX_H2F_CTRL), 0);
	h_wr32(h, SA_REG_CP_CTRL, 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_CP_FATAL), 0);
	h_mbox_send(h, msg, 2);
	CHECK(h_mbox_recv(h, reply, 100000));
	CHECK_EQ_INT(reply[0], 0x42);
	h_destroy(h);
}

TEST(missing_program_is_reported)
{
	struct harness *h = h_create(4, false);

	CHECK_EQ_INT(h_load_program(h, "no_such_program"), -1);
	h_destroy(h);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(boot_address_and_release);
	RUN(mailbox_echo_and_interrupts);
	RUN(event_edges);
	RUN(timer_interrupt);
	RUN(watchdog_resets_the_cp);
	RUN(a_clock_jump_does_not_fire_the_watchdog_of_a_live_cp);
	RUN(fatal_halts_and_host_cp_reset);
	RUN(missing_program_is_reported);
	CHECK_MAIN_END();
}
