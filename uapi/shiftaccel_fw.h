/* SPDX-License-Identifier: MIT */
/*
 * The ShiftAccel firmware interface: the image file the driver loads into
 * the card's control processor, and the mailbox protocol the driver and the
 * firmware speak (docs/firmware.md is the prose specification).
 *
 * One definition for the kernel driver (__KERNEL__), the firmware
 * (freestanding RV32IM), the image tool and the tests.  Everything is
 * little-endian; every structure has a fixed layout with explicit reserved
 * fields (zero) and its size is asserted.  Mailbox payloads are arrays of
 * 32-bit words, so 64-bit values travel as _lo/_hi word pairs.
 */
#ifndef SHIFTACCEL_FW_H
#define SHIFTACCEL_FW_H

#include "shiftaccel_hw.h"

/* ------------------------------------------------------------- versions */

/*
 * The firmware version is also the protocol version.  Versioning policy:
 * - major: incompatible change; the driver refuses a firmware whose major
 *   differs from its own.
 * - minor: additive change (new message types, capability bits, fields in
 *   words that were reserved and zero).  Within a major the meaning of an
 *   existing message never changes.  A driver built for minor m accepts a
 *   firmware of minor f when f + SA_FW_COMPAT_MINOR_WINDOW >= m (any newer
 *   firmware, or one at most WINDOW minors older); it warns when f != m and
 *   uses only what the boot report's capability bits announce.
 * - patch: fixes with no interface change; never checked.
 */
#define SA_FW_VERSION_MAJOR 1
#define SA_FW_VERSION_MINOR 0
#define SA_FW_VERSION_PATCH 0
#define SA_FW_COMPAT_MINOR_WINDOW 4

/* major << 24 | minor << 16 | patch, as reported in the boot message. */
#define SA_FW_VERSION_WORD(major, minor, patch)                                                    \
	(((sa_u32)(major) << 24) | ((sa_u32)(minor) << 16) | (sa_u32)(patch))
#define SA_FW_VERSION_WORD_MAJOR(v) (((v) >> 24) & 0xffu)
#define SA_FW_VERSION_WORD_MINOR(v) (((v) >> 16) & 0xffu)
#define SA_FW_VERSION_WORD_PATCH(v) ((v)&0xffffu)
#define SA_FW_VERSION_COMPATIBLE(drv_major, drv_minor, fw_major, fw_minor)                         \
	((fw_major) == (drv_major) && (fw_minor) + SA_FW_COMPAT_MINOR_WINDOW >= (drv_minor))

/* Name for request_firmware(): /lib/firmware/shiftaccel/shiftaccel-fw.bin */
#define SA_FW_FILE_NAME "shiftaccel/shiftaccel-fw.bin"

/* ---------------------------------------------------------- image file */

#define SA_FW_MAGIC 0x57464153u /* "SAFW" in little-endian ASCII */
#define SA_FW_HEADER_VERSION 1

/* One piece of the image copied into CP memory through a BAR0 window. */
struct sa_fw_segment {
	sa_u32 offset;	  /* byte offset in the image file */
	sa_u32 size;	  /* bytes (0: no such segment); a multiple of 4 */
	sa_u32 load_addr; /* CP address: IRAM for code, DRAM for data */
	sa_u32 reserved;  /* zero */
};

/*
 * The image: this header, then the segments' bytes.  The driver checks, in
 * order: magic, header_version, header_size, header_crc, image_size (== file
 * size), payload_crc, the firmware major (SA_FW_VERSION_COMPATIBLE), that
 * hw_version's major equals the card's SA_REG_VERSION major, and that each
 * segment lies inside the file and inside its CP memory; then it copies the
 * segments through SA_REG_IRAM_WINDOW / SA_REG_DRAM_WINDOW and releases the
 * CP at `entry` (docs/hardware.md 4.1).
 */
struct sa_fw_header {
	sa_u32 magic;	       /* SA_FW_MAGIC */
	sa_u16 header_version; /* SA_FW_HEADER_VERSION */
	sa_u16 header_size;    /* sizeof(struct sa_fw_header); the payload starts here */
	sa_u16 version_major, version_minor, version_patch;
	sa_u16 flags;		   /* zero */
	sa_u32 build_id;	   /* CRC-32C of the code (also in the boot report) */
	sa_u32 image_size;	   /* header + payload bytes = file size */
	sa_u32 entry;		   /* CP address written to SA_REG_CP_BOOT_ADDR */
	sa_u32 hw_version;	   /* SA_HW_VERSION the firmware was built for */
	struct sa_fw_segment iram; /* code, read-only data, initial data */
	struct sa_fw_segment dram; /* optional preloaded data (size 0 in this firmware) */
	sa_u32 payload_crc;	   /* CRC-32C of the file bytes [header_size, image_size) */
	sa_u32 reserved[14];	   /* zero */
	sa_u32 header_crc;	   /* CRC-32C of the header bytes before this field */
};
SA_HW_STATIC_ASSERT(sizeof(struct sa_fw_header) == 128, "firmware header is 128 bytes");

/*
 * The last 16 bytes of the IRAM segment: the firmware checks its own code
 * at boot against this (the image tool fills crc, covered and build_id).
 */
#define SA_FW_TRAILER_MAGIC 0x4c525446u /* "FTRL" */
struct sa_fw_trailer {
	sa_u32 magic;	 /* SA_FW_TRAILER_MAGIC */
	sa_u32 covered;	 /* bytes from the IRAM load address up to this trailer */
	sa_u32 crc;	 /* CRC-32C of those bytes */
	sa_u32 build_id; /* == sa_fw_header.build_id */
};
SA_HW_STATIC_ASSERT(sizeof(struct sa_fw_trailer) == 16, "firmware trailer is 16 bytes");

/* ------------------------------------------------------------- mailbox */

/*
 * Every message is a struct sa_hw_mbox_msg: word 0 = type | token << 16 |
 * length << 24, then `length` payload words (the structs below; a request
 * whose length differs from its struct's word count is refused with
 * SA_FW_E_LENGTH).
 *
 * Requests (host -> firmware) carry a host-chosen 8-bit sequence number in
 * `token`.  The reply has type = request type | SA_FW_MSG_REPLY, the same
 * token, and payload word 0 = status (SA_FW_OK or SA_FW_E_*).  The host
 * sends the next request only after the firmware ACKed the previous one
 * (SA_EVENT_MBOX_H2F_ACK); replies come back in request order.
 *
 * Events (firmware -> host, type has SA_FW_MSG_EVENT) are unsolicited; their
 * token is the firmware's own event sequence number (+1 per event, wrapping),
 * so a gap means events were lost.  Replies and events share the F2H
 * mailbox in the order they happened; the firmware queues up to
 * SA_FW_OUTBOX_DEPTH messages while the host has not ACKed, always keeping
 * room for a reply, and reports dropped events with SA_FW_ERROR_EVENTS_LOST.
 */
#define SA_FW_MSG_TYPE(word0) ((word0)&0xffffu)
#define SA_FW_MSG_TOKEN(word0) (((word0) >> 16) & 0xffu)
#define SA_FW_MSG_LENGTH(word0) (((word0) >> 24) & 0xffu)
#define SA_FW_MSG_WORD0(type, token, length)                                                       \
	((sa_u32)(type) | ((sa_u32)(token) << 16) | ((sa_u32)(length) << 24))
#define SA_FW_MSG_MAX_PAYLOAD (SA_MBOX_WORDS - 1)

#define SA_FW_MSG_REPLY 0x8000u /* set in a reply's type */
#define SA_FW_MSG_EVENT 0x4000u /* set in an event's type */
#define SA_FW_OUTBOX_DEPTH 8

/* Requests. */
#define SA_FW_MSG_HELLO 0x0001		    /* -> struct sa_fw_boot_report (again) */
#define SA_FW_MSG_PING 0x0002		    /* struct sa_fw_ping -> sa_fw_ping_reply */
#define SA_FW_MSG_CONTEXT_CREATE 0x0003	    /* struct sa_fw_context_create */
#define SA_FW_MSG_CONTEXT_DESTROY 0x0004    /* struct sa_fw_context_id */
#define SA_FW_MSG_CONTEXT_INVALIDATE 0x0005 /* struct sa_fw_context_id: page tables changed */
#define SA_FW_MSG_QUEUE_CREATE 0x0006	    /* struct sa_fw_queue_create */
#define SA_FW_MSG_QUEUE_RESET 0x0007	    /* struct sa_fw_queue_reset */
#define SA_FW_MSG_QUEUE_DESTROY 0x0008	    /* struct sa_fw_queue_id */
#define SA_FW_MSG_QUEUE_STATUS 0x0009	    /* struct sa_fw_queue_id -> sa_fw_queue_status_reply */
#define SA_FW_MSG_COUNTERS 0x000a	    /* struct sa_fw_queue_id -> sa_fw_counters_reply */
#define SA_FW_MSG_SUSPEND 0x000b	    /* no payload -> sa_fw_suspend_reply */
#define SA_FW_MSG_RESUME 0x000c		    /* no payload -> status only */
#define SA_FW_MSG_CONFIG 0x000d		    /* struct sa_fw_config -> sa_fw_config_reply */

/* Events. */
#define SA_FW_EVT_BOOT (SA_FW_MSG_EVENT | 0x0001)	 /* struct sa_fw_boot_report */
#define SA_FW_EVT_QUEUE_FAULT (SA_FW_MSG_EVENT | 0x0002) /* struct sa_fw_queue_fault */
#define SA_FW_EVT_FW_ERROR (SA_FW_MSG_EVENT | 0x0003)	 /* struct sa_fw_error */

/* Reply status (payload word 0 of every reply). */
#define SA_FW_OK 0
#define SA_FW_E_UNKNOWN 1    /* unknown message type */
#define SA_FW_E_LENGTH 2     /* payload length is not the type's */
#define SA_FW_E_INVALID 3    /* a field is out of range, misaligned, or reserved and not zero */
#define SA_FW_E_NO_CONTEXT 4 /* the context was not created */
#define SA_FW_E_NO_QUEUE 5   /* the queue was not created */
#define SA_FW_E_EXISTS 6     /* the context or queue already exists */
#define SA_FW_E_BUSY 7	     /* the context still owns queues */
#define SA_FW_E_SELFCHECK 8  /* boot report only: the code failed its CRC check */
#define SA_FW_E_FAULT 9	     /* the queue's status block could not be written (MMU fault) */

/* Capabilities in the boot report. */
#define SA_FW_CAP_PRIORITY (1u << 0)   /* queue priorities */
#define SA_FW_CAP_WAIT (1u << 1)       /* SA_OP_WAIT between queues */
#define SA_FW_CAP_SUSPEND (1u << 2)    /* SUSPEND / RESUME */
#define SA_FW_CAP_COUNTERS (1u << 3)   /* COUNTERS */
#define SA_FW_CAP_CONFIG (1u << 4)     /* CONFIG (heartbeat, watchdog, wait poll) */
#define SA_FW_CAP_SELFCHECK (1u << 5)  /* the boot report's status is the code CRC check */
#define SA_FW_CAP_INVALIDATE (1u << 6) /* CONTEXT_INVALIDATE */

/* Queue priorities: strict between levels, round-robin inside a level. */
#define SA_FW_PRIO_LOW 0
#define SA_FW_PRIO_NORMAL 1
#define SA_FW_PRIO_HIGH 2
#define SA_FW_PRIO_REALTIME 3
#define SA_FW_NUM_PRIORITIES 4

/* Timing defaults (card time). */
#define SA_FW_DEFAULT_HEARTBEAT_US 100000u /* heartbeat + watchdog kick every 100 ms */
#define SA_FW_DEFAULT_WATCHDOG_US SA_WDT_DEFAULT_TIMEOUT_US /* 1 s */
#define SA_FW_DEFAULT_WAIT_POLL_US 1000u /* re-read a blocked SA_OP_WAIT's fence (see docs/firmware.md 6) */
#define SA_FW_MIN_HEARTBEAT_US 1000u

/* Sent as SA_FW_EVT_BOOT once the firmware is up, and as the reply to HELLO. */
struct sa_fw_boot_report {
	sa_u32 status;	       /* SA_FW_OK, or SA_FW_E_SELFCHECK (the firmware then halts) */
	sa_u32 version;	       /* SA_FW_VERSION_WORD(major, minor, patch) */
	sa_u32 build_id;       /* from the image trailer */
	sa_u32 hw_version;     /* SA_REG_VERSION as the firmware read it */
	sa_u32 capabilities;   /* SA_FW_CAP_* */
	sa_u32 num_queues;     /* queues served: 0 .. num_queues - 1 */
	sa_u32 num_contexts;   /* contexts accepted: 0 .. num_contexts - 1 */
	sa_u32 num_priorities; /* SA_FW_NUM_PRIORITIES */
	sa_u32 ops;	       /* bit n: descriptor opcode n is executed */
	sa_u32 heartbeat_us;
	sa_u32 watchdog_us;
	sa_u32 code_crc;   /* CRC-32C the firmware computed over its code */
	sa_u32 code_bytes; /* bytes it covered */
	sa_u32 reserved[2];
};

struct sa_fw_ping {
	sa_u32 cookie; /* echoed */
};

struct sa_fw_ping_reply {
	sa_u32 status;
	sa_u32 cookie;
	sa_u32 heartbeat;	     /* heartbeats sent since boot */
	sa_u32 cycles_lo, cycles_hi; /* SA_CP_SYS_CYCLES at the time of the reply */
};

struct sa_fw_context_create {
	sa_u32 context;		 /* 0 .. num_contexts - 1; 0 is the kernel driver's */
	sa_u32 root_lo, root_hi; /* bus address of the top table, 4 KiB aligned, < 2^52 */
	sa_u32 flags;		 /* zero */
};

struct sa_fw_context_id {
	sa_u32 context;
};

/*
 * A queue's ring, status block and completion interrupt.  The queue id is
 * its doorbell page.  head = completed = start_index at creation; tails the
 * host writes to the doorbell are free-running counters relative to it.
 */
struct sa_fw_queue_create {
	sa_u32 queue;		     /* 0 .. num_queues - 1 */
	sa_u32 context;		     /* created context owning every address below */
	sa_u32 ring_lo, ring_hi;     /* device VA of the ring, 256-byte aligned */
	sa_u32 entries;		     /* power of two, SA_RING_MIN_ENTRIES .. SA_RING_MAX_ENTRIES */
	sa_u32 status_lo, status_hi; /* device VA of struct sa_hw_queue_status, 64-byte aligned */
	sa_u32 vector;		     /* MSI-X vector for SA_DESC_F_IRQ: 1 .. SA_REG_QUEUE_VECTORS */
	sa_u32 priority;	     /* SA_FW_PRIO_* */
	sa_u32 start_index;	     /* first ring index (usually the doorbell's current tail) */
	sa_u32 flags;		     /* zero */
};

/* Recovers a queue (e.g. after a fault): state RUNNING, head = completed = start_index. */
struct sa_fw_queue_reset {
	sa_u32 queue;
	sa_u32 start_index;
};

struct sa_fw_queue_id {
	sa_u32 queue;
};

/* The firmware's view of a queue, as in its status block plus what is not there. */
struct sa_fw_queue_status_reply {
	sa_u32 status;
	sa_u32 state;	    /* SA_QUEUE_* */
	sa_u32 head;	    /* descriptors consumed */
	sa_u32 completed;   /* descriptors finished */
	sa_u32 tail;	    /* last valid doorbell value taken */
	sa_u32 error;	    /* SA_FW_FAULT_* */
	sa_u32 error_index; /* ring index of the failing descriptor */
	sa_u32 error_tag;
	sa_u32 error_addr_lo, error_addr_hi;
	sa_u32 error_detail; /* see struct sa_fw_queue_fault */
	sa_u32 error_stage;  /* SA_FW_STAGE_* */
	sa_u32 context;
	sa_u32 priority;
	sa_u32 flags; /* SA_FW_QF_* */
};

#define SA_FW_QF_WAITING (1u << 0)   /* blocked on an SA_OP_WAIT */
#define SA_FW_QF_SUSPENDED (1u << 1) /* the firmware is suspended */

/* Per-queue performance counters (since creation; QUEUE_RESET keeps them). */
struct sa_fw_counters_reply {
	sa_u32 status;
	sa_u32 descriptors_lo, descriptors_hi;	   /* descriptors completed */
	sa_u32 engine_cycles_lo, engine_cycles_hi; /* device cycles its TE/DMA work took */
	sa_u32 stall_cycles_lo, stall_cycles_hi;   /* device cycles it had work but waited */
	sa_u32 cp_instret_lo, cp_instret_hi;	   /* CP instructions spent on its descriptors */
	sa_u32 faults;				   /* faults it took */
	sa_u32 waits;				   /* times an SA_OP_WAIT blocked it */
};

struct sa_fw_suspend_reply {
	sa_u32 status;
	sa_u32 pending_queues; /* queues with descriptors left, resumed by RESUME */
};

/* CONFIG: a zero field keeps the current value; the reply carries the values in force. */
struct sa_fw_config {
	sa_u32 heartbeat_us; /* >= SA_FW_MIN_HEARTBEAT_US */
	sa_u32 watchdog_us;  /* >= 2 * heartbeat_us (the request is refused otherwise) */
	sa_u32 wait_poll_us; /* >= 1 */
};

struct sa_fw_config_reply {
	sa_u32 status;
	struct sa_fw_config config;
};

/*
 * A queue stopped.  The queue stays FAULTED (other queues keep running)
 * until QUEUE_RESET or QUEUE_DESTROY; its status block says the same.
 */
struct sa_fw_queue_fault {
	sa_u32 queue;
	sa_u32 context;
	sa_u32 index;		 /* ring index of the failing descriptor */
	sa_u32 tag;		 /* its tag (0 when it was never fetched) */
	sa_u32 reason;		 /* SA_FW_FAULT_* */
	sa_u32 detail;		 /* reason-specific, see SA_FW_FAULT_* */
	sa_u32 stage;		 /* SA_FW_STAGE_* */
	sa_u32 addr_lo, addr_hi; /* faulting device VA, or the offending address/value */
	sa_u32 opcode;		 /* the descriptor's opcode (0 when it was never fetched) */
};

/*
 * Why a queue stopped (status block `error`, fault event `reason`).  detail:
 * for MMU, the MMU's SA_FAULT_* | access << 8 | source << 16 | lost << 24
 * (lost = 1 when the fault record was overwritten before it was read); for
 * ENGINE, the engine's SA_ENGINE_ERR_*; for validation reasons, the
 * SA_FW_FIELD_* that is wrong; for BAD_TAIL, 0 (addr = the tail written).
 */
#define SA_FW_FAULT_NONE 0
#define SA_FW_FAULT_BAD_OPCODE 1 /* opcode 0 or unknown */
#define SA_FW_FAULT_BAD_FLAGS 2	 /* unknown descriptor flags */
#define SA_FW_FAULT_RESERVED 3	 /* a reserved field is not zero */
#define SA_FW_FAULT_ALIGN 4	 /* misaligned address (fence, wait, i16 tensor, bias) */
#define SA_FW_FAULT_ADDRESS 5	 /* address range past 2^39 or wrapping */
#define SA_FW_FAULT_PARAMS 6	 /* the op's parameters break docs/numerics.md (sa_check_*) */
#define SA_FW_FAULT_SHAPE 7	 /* `out` is not the shape/type the op computes */
#define SA_FW_FAULT_TOO_LARGE 8	 /* over an engine limit (docs/hardware.md 9.2, 10) */
#define SA_FW_FAULT_BAD_TAIL 9	 /* doorbell tail more than `entries` ahead of head */
#define SA_FW_FAULT_MMU 10	 /* an engine access faulted in the MMU */
#define SA_FW_FAULT_ENGINE 11	 /* an engine stopped with another error */
#define SA_FW_FAULT_WEIGHTS 12	 /* invalid packed weight codes (negative zero, padding) */

/* Which part of a descriptor a validation fault is about (detail). */
#define SA_FW_FIELD_NONE 0
#define SA_FW_FIELD_HEADER 1 /* opcode, flags, reserved0 */
#define SA_FW_FIELD_FENCE 2  /* fence_addr */
#define SA_FW_FIELD_IN 3
#define SA_FW_FIELD_IN_B 4
#define SA_FW_FIELD_OUT 5
#define SA_FW_FIELD_WEIGHTS 6
#define SA_FW_FIELD_BIAS 7
#define SA_FW_FIELD_PARAMS 8
#define SA_FW_FIELD_COPY_SRC 9
#define SA_FW_FIELD_COPY_DST 10
#define SA_FW_FIELD_COPY_LENGTH 11
#define SA_FW_FIELD_WAIT 12
#define SA_FW_FIELD_BODY 13 /* bytes of the body the op does not use */

/* Where in a descriptor's life a fault happened. */
#define SA_FW_STAGE_DOORBELL 1 /* the tail was taken */
#define SA_FW_STAGE_FETCH 2    /* reading the descriptor from the ring */
#define SA_FW_STAGE_VALIDATE 3
#define SA_FW_STAGE_EXECUTE 4 /* tensor engine or copy */
#define SA_FW_STAGE_FENCE 5   /* the fence write */
#define SA_FW_STAGE_STATUS 6  /* the status block write */
#define SA_FW_STAGE_WAIT 7    /* reading an SA_OP_WAIT's value */

/* Firmware trouble that belongs to no queue. */
struct sa_fw_error {
	sa_u32 code; /* SA_FW_ERROR_* */
	sa_u32 info[4];
};

#define SA_FW_ERROR_TRAP 1	  /* CPU exception: info = mcause, mepc, mtval; the CP then halts */
#define SA_FW_ERROR_EVENTS_LOST 2 /* info[0] = events dropped while the outbox was full */
#define SA_FW_ERROR_ENGINE_STUCK 3 /* info[0] = 1 TE / 2 DMA, info[1] = status */

/* Codes written to SA_CP_SYS_FATAL (shown in SA_REG_CP_FATAL) when the firmware halts. */
#define SA_FW_FATAL_SELFCHECK 0x5346c001u    /* code CRC mismatch */
#define SA_FW_FATAL_TRAP 0x5346c002u	     /* unexpected exception */
#define SA_FW_FATAL_ENGINE_STUCK 0x5346c003u /* an engine busy for more than 2^34 cycles */

SA_HW_STATIC_ASSERT(sizeof(struct sa_fw_boot_report) == 4 * 15, "boot report is 15 words");
SA_HW_STATIC_ASSERT(sizeof(struct sa_fw_ping) == 4 * 1, "ping is 1 word");
SA_HW_STATIC_ASSERT(sizeof(struct sa_fw_ping_reply) == 4 * 5, "ping reply is 5 words");
SA_HW_STATIC_ASSERT(sizeof(struct sa_fw_context_create) == 4 * 4, "context create is 4 words");
SA_HW_STATIC_ASSERT(sizeof(struct sa_fw_queue_create) == 4 * 11, "queue create is 11 words");
SA_HW_STATIC_ASSERT(sizeof(struct sa_fw_queue_status_reply) == 4 * 15,
		    "queue status reply is 15 words");
SA_HW_STATIC_ASSERT(sizeof(struct sa_fw_counters_reply) == 4 * 11, "counters reply is 11 words");
SA_HW_STATIC_ASSERT(sizeof(struct sa_fw_config_reply) == 4 * 4, "config reply is 4 words");
SA_HW_STATIC_ASSERT(sizeof(struct sa_fw_queue_fault) == 4 * 10, "queue fault is 10 words");
SA_HW_STATIC_ASSERT(sizeof(struct sa_fw_error) == 4 * 5, "error is 5 words");

#endif /* SHIFTACCEL_FW_H */
