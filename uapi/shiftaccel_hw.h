/* SPDX-License-Identifier: MIT */
/*
 * The ShiftAccel card's hardware interface: PCI identity, BARs, registers,
 * the control processor's address map and peripherals, the device MMU's page
 * table format, fault records, queue descriptors (user ABI), tensor-engine and
 * DMA commands, mailbox framing, performance counters and fault injection.
 *
 * docs/hardware.md is the prose specification; this header is the single
 * definition of every constant and structure.  It is included by the kernel
 * driver (__KERNEL__), the firmware (freestanding RV32IM), the emulator and
 * userspace.  Everything is little-endian; structures have a fixed layout with
 * explicit padding (reserved fields must be zero) and their sizes are
 * asserted at compile time.
 */
#ifndef SHIFTACCEL_HW_H
#define SHIFTACCEL_HW_H

#include "shiftaccel_ids.h"
#include "shiftaccel_numerics.h"

#ifdef __KERNEL__
#include <linux/types.h>
typedef __u64 sa_hw_u64;
#else
#include <stdint.h>
typedef uint64_t sa_hw_u64;
#endif

#if defined(__cplusplus)
#define SA_HW_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define SA_HW_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

/* ------------------------------------------------------------ identity */

/* PCI revision ID, also readable as SA_REG_REVISION. */
#define SA_PCI_REVISION 0x01
#define SA_PCI_SUBSYSTEM_VENDOR_ID SA_PCI_VENDOR_ID
#define SA_PCI_SUBSYSTEM_ID 0x0001

/* SA_REG_ID reads "SHFT" in little-endian ASCII. */
#define SA_HW_ID_MAGIC 0x54464853u
/* Version of this specification: SA_REG_VERSION = major << 16 | minor. */
#define SA_HW_VERSION_MAJOR 1
#define SA_HW_VERSION_MINOR 0
#define SA_HW_VERSION ((SA_HW_VERSION_MAJOR << 16) | SA_HW_VERSION_MINOR)

/* ---------------------------------------------------------------- BARs */

#define SA_BAR_REGS 0	  /* control registers + CP memory windows */
#define SA_BAR_DOORBELL 2 /* one 4 KiB doorbell page per queue */
#define SA_BAR_MSIX 4	  /* MSI-X table and PBA (created by the PCI glue) */

#define SA_BAR0_SIZE 0x100000u /* 1 MiB */
#define SA_DOORBELL_PAGE_SIZE 4096u
/* BAR2 is num_queues pages rounded up to a power of two (at least one page). */

/* Limits of the device model (also reported in the capability block). */
#define SA_HW_MAX_QUEUES 64 /* doorbell pages */
#define SA_HW_DEFAULT_QUEUES 16
#define SA_HW_NUM_CONTEXTS 256	  /* MMU contexts; 0 belongs to the kernel driver */
#define SA_HW_MAX_QUEUE_VECTORS 8 /* MSI-X vectors for queue groups */
/* MSI-X: vector 0 = device events, 1..queue_vectors = queue groups. */
#define SA_HW_VECTOR_EVENTS 0
#define SA_HW_MSIX_VECTORS(num_queues)                                                             \
	(1u + ((num_queues) < SA_HW_MAX_QUEUE_VECTORS ? (num_queues) : SA_HW_MAX_QUEUE_VECTORS))

/* ------------------------------------------------ BAR0 register offsets */

/*
 * Capability block (read-only), 0x000-0x07f.  The same block is mirrored at
 * the start of the control processor's SYS page (SA_CP_SYS_BASE).
 */
#define SA_REG_ID 0x000		      /* SA_HW_ID_MAGIC */
#define SA_REG_VERSION 0x004	      /* SA_HW_VERSION */
#define SA_REG_REVISION 0x008	      /* SA_PCI_REVISION */
#define SA_REG_FEATURES 0x00c	      /* SA_FEAT_* */
#define SA_REG_NUM_QUEUES 0x010	      /* doorbell pages */
#define SA_REG_NUM_CONTEXTS 0x014     /* SA_HW_NUM_CONTEXTS */
#define SA_REG_MSIX_VECTORS 0x018     /* 1 + queue vectors */
#define SA_REG_QUEUE_VECTORS 0x01c    /* vectors 1..n serve queue groups */
#define SA_REG_IRAM_SIZE 0x020	      /* bytes */
#define SA_REG_DRAM_SIZE 0x024	      /* bytes */
#define SA_REG_TE_ARRAY 0x028	      /* rows | cols << 8 | clock_mhz << 16 */
#define SA_REG_TE_MAX_ACT_BYTES 0x02c /* largest activation tensor per command */
#define SA_REG_TE_MAX_WEIGHTS 0x030   /* largest weight count per command */
#define SA_REG_TE_MAX_CHANNELS 0x034  /* largest out_channels/out_features (bias) */
#define SA_REG_TE_MAX_MACS 0x038      /* largest shift-add count per command */
#define SA_REG_DMA_MAX_LEN 0x03c      /* largest DMA transfer */
#define SA_REG_MMU_GEOMETRY 0x040     /* va_bits | levels << 8 | page_shift << 16 */
#define SA_REG_DESC_SIZE 0x044	      /* sizeof(struct sa_hw_desc) */
#define SA_REG_FAULT_RING_SIZE 0x048  /* entries in the MMU fault ring */
#define SA_REG_OPS 0x04c	      /* bit n set: descriptor opcode n is supported */
#define SA_REG_SCRATCH 0x07c	      /* read/write, no effect; reset 0 */

#define SA_CAP_BLOCK_SIZE 0x80

/* SA_REG_FEATURES bits. */
#define SA_FEAT_MMU (1u << 0)
#define SA_FEAT_TENSOR_ENGINE (1u << 1)
#define SA_FEAT_DMA (1u << 2)
#define SA_FEAT_WATCHDOG (1u << 3)
#define SA_FEAT_INT16 (1u << 4)	       /* int16 activations */
#define SA_FEAT_FAULT_INJECT (1u << 5) /* debug block present */

/* Control (0x100-0x1ff). */
#define SA_REG_DEVICE_RESET 0x100 /* W: SA_HW_RESET_MAGIC resets the whole card */
#define SA_REG_CP_CTRL 0x104	  /* RW: SA_CP_CTRL_*; reset SA_CP_CTRL_RESET */
#define SA_REG_CP_STATUS 0x108	  /* RO: SA_CP_STATUS_* */
#define SA_REG_CP_BOOT_ADDR 0x10c /* RW: reset pc on release; reset 0 (IRAM base) */
#define SA_REG_CP_PC 0x110	  /* RO: current pc (debug) */
#define SA_REG_CP_FATAL 0x114	  /* RO: code the firmware wrote to SA_CP_SYS_FATAL */
#define SA_REG_WDT_RESETS 0x118	  /* RO: watchdog resets since device reset */
#define SA_REG_HEARTBEAT 0x120	  /* RO: heartbeat count (SA_CP_WDT_HEARTBEAT writes) */
#define SA_REG_HEARTBEAT_NS 0x128 /* RO 64-bit: card time of the last heartbeat */

#define SA_HW_RESET_MAGIC 0x52534554u /* "RSET" */

#define SA_CP_CTRL_RESET (1u << 0) /* 1: hold the CP in reset; 1 -> 0 releases it */

#define SA_CP_STATUS_IN_RESET (1u << 0)
#define SA_CP_STATUS_RUNNING (1u << 1)	 /* released from reset (also while WFI or HALTED) */
#define SA_CP_STATUS_WFI (1u << 2)	 /* waiting for an interrupt */
#define SA_CP_STATUS_HALTED (1u << 3)	 /* stopped by ebreak or SA_CP_SYS_FATAL */
#define SA_CP_STATUS_WDT_FIRED (1u << 4) /* last reset was the watchdog's */

/* Mailbox (0x200-0x2ff): 16 words each way, see struct sa_hw_mbox_msg. */
#define SA_REG_MBOX_H2F_DATA 0x200 /* RW: 16 words host -> firmware */
#define SA_REG_MBOX_H2F_CTRL 0x240 /* W: SA_MBOX_CTRL_SEND; R: SA_MBOX_STATUS_FULL */
#define SA_REG_MBOX_F2H_DATA 0x280 /* RO: 16 words firmware -> host */
#define SA_REG_MBOX_F2H_CTRL 0x2c0 /* W: SA_MBOX_CTRL_ACK; R: SA_MBOX_STATUS_FULL */

#define SA_MBOX_WORDS 16
#define SA_MBOX_CTRL_SEND (1u << 0)
#define SA_MBOX_CTRL_ACK (1u << 1)
#define SA_MBOX_STATUS_FULL (1u << 0) /* a message waits for the receiver's ACK */

/* Interrupts (0x300-0x3ff). */
#define SA_REG_EVENT_CAUSE 0x300    /* RW1C: SA_EVENT_* latched device events */
#define SA_REG_EVENT_ENABLE 0x304   /* RW: events that raise vector 0; reset 0 */
#define SA_REG_INT_MASK 0x308	    /* RW: bit v masks MSI-X vector v; reset 0 */
#define SA_REG_INT_MASK_SET 0x30c   /* W: sets mask bits */
#define SA_REG_INT_MASK_CLEAR 0x310 /* W: clears mask bits (sends pending vectors) */
#define SA_REG_INT_PENDING 0x314    /* RW1C: vectors raised while masked */

#define SA_EVENT_MBOX_F2H (1u << 0)	/* firmware sent a mailbox message */
#define SA_EVENT_MBOX_H2F_ACK (1u << 1) /* firmware consumed the host's message */
#define SA_EVENT_MMU_FAULT (1u << 2)	/* a fault record was added */
#define SA_EVENT_CP_HALT (1u << 3)	/* CP stopped (ebreak or fatal) */
#define SA_EVENT_WATCHDOG (1u << 4)	/* watchdog expired: CP held in reset */
#define SA_EVENT_ALL 0x1fu

/* MMU fault ring, host view (0x400-0x7ff). */
#define SA_REG_FAULT_COUNT 0x400 /* RO: fault records written since reset */
#define SA_REG_FAULT_RING 0x600	 /* RO: SA_HW_FAULT_RING_SIZE records of 32 bytes */

/* Performance counters (0x1000-0x10ff): 64-bit each, SA_PERF_*. */
#define SA_REG_PERF_BASE 0x1000
#define SA_REG_PERF(i) (SA_REG_PERF_BASE + 8 * (i))
#define SA_REG_PERF_CTRL 0x1100 /* W: SA_PERF_CTRL_CLEAR zeroes every counter */
#define SA_PERF_CTRL_CLEAR (1u << 0)

/* Fault injection (0x2000-0x20ff), present only with SA_FEAT_FAULT_INJECT. */
#define SA_REG_FI_ARM 0x2000   /* RW: SA_FI_* armed (write ORs in) */
#define SA_REG_FI_FIRED 0x2004 /* RW1C: SA_FI_* that took effect */

#define SA_FI_FAIL_NEXT_DMA (1u << 0)		/* next DMA op fails, moves nothing */
#define SA_FI_HANG_CP (1u << 1)			/* CP stops executing until a CP reset */
#define SA_FI_CORRUPT_NEXT_COMPLETION (1u << 2) /* next DMA fence writes ~value */
#define SA_FI_DROP_NEXT_QUEUE_IRQ (1u << 3)	/* next queue vector (>= 1) is lost */
#define SA_FI_ALL 0xfu

/* Control-processor memory windows (read/write while the CP is held in reset). */
#define SA_REG_IRAM_WINDOW 0x40000
#define SA_REG_DRAM_WINDOW 0x80000
#define SA_REG_WINDOW_SIZE 0x40000

/* 64-bit registers read as one 8-byte access, or low word first (latches the high word). */

/* --------------------------------------------------- performance counters */

#define SA_PERF_CYCLES 0	 /* device clock cycles (1 GHz) */
#define SA_PERF_CP_INSTRET 1	 /* CP instructions retired */
#define SA_PERF_CP_IDLE_CYCLES 2 /* cycles the CP waited while an engine worked */
#define SA_PERF_TE_OPS 3	 /* tensor-engine commands completed */
#define SA_PERF_TE_CYCLES 4	 /* modelled tensor-engine busy cycles */
#define SA_PERF_TE_SHIFT_ADDS 5	 /* products accumulated (shift-adds) */
#define SA_PERF_TE_BYTES_READ 6
#define SA_PERF_TE_BYTES_WRITTEN 7
#define SA_PERF_TE_ERRORS 8
#define SA_PERF_DMA_OPS 9
#define SA_PERF_DMA_BYTES 10
#define SA_PERF_DMA_ERRORS 11
#define SA_PERF_MMU_WALKS 12 /* page translations */
#define SA_PERF_MMU_FAULTS 13
#define SA_PERF_DOORBELLS 14 /* accepted doorbell writes */
#define SA_PERF_MSI_SENT 15  /* MSI-X messages delivered to the host */
#define SA_PERF_MBOX_H2F 16
#define SA_PERF_MBOX_F2H 17
#define SA_PERF_COUNT 18
#define SA_PERF_SLOTS 32 /* register slots; unused ones read 0 */

/* ---------------------------------------------- control processor (CP) */

/*
 * RV32IM (+Zicsr), little-endian, machine mode, one instruction per cycle of
 * the 1 GHz device clock.  Its address map:
 */
#define SA_CP_IRAM_BASE 0x00000000u
#define SA_CP_IRAM_SIZE 0x20000u /* 128 KiB instruction (and read-only data) SRAM */
#define SA_CP_DRAM_BASE 0x10000000u
#define SA_CP_DRAM_SIZE 0x20000u    /* 128 KiB data SRAM */
#define SA_CP_MMIO_BASE 0x20000000u /* peripherals, 64 KiB apart */

#define SA_CP_SYS_BASE 0x20000000u
#define SA_CP_MBOX_BASE 0x20010000u
#define SA_CP_DB_BASE 0x20020000u
#define SA_CP_INTC_BASE 0x20030000u
#define SA_CP_TIMER_BASE 0x20040000u
#define SA_CP_WDT_BASE 0x20050000u
#define SA_CP_MMU_BASE 0x20060000u
#define SA_CP_TE_BASE 0x20070000u
#define SA_CP_DMA_BASE 0x20080000u
#define SA_CP_PERF_BASE 0x20090000u
#define SA_CP_MMIO_END 0x200a0000u

/*
 * Peripheral registers are 32-bit: byte, halfword and misaligned accesses
 * raise an access fault, except in the SA_CP_TE_CMD window.  Unknown offsets
 * inside a peripheral read 0 and ignore writes; addresses outside IRAM, DRAM
 * and the peripherals raise an access fault.
 */

/* SYS: capability block mirror at 0x000 (same offsets as BAR0), then: */
#define SA_CP_SYS_FATAL 0x100	  /* W: halts the CP; code shown in SA_REG_CP_FATAL */
#define SA_CP_SYS_SCRATCH 0x104	  /* RW, no effect */
#define SA_CP_SYS_CYCLES_LO 0x108 /* RO: device cycles (reading LO latches HI) */
#define SA_CP_SYS_CYCLES_HI 0x10c

/* MBOX (CP side). */
#define SA_CP_MBOX_H2F_DATA 0x000 /* RO: 16 words from the host */
#define SA_CP_MBOX_H2F_CTRL 0x040 /* W: SA_MBOX_CTRL_ACK; R: SA_MBOX_STATUS_FULL */
#define SA_CP_MBOX_F2H_DATA 0x080 /* RW: 16 words to the host */
#define SA_CP_MBOX_F2H_CTRL 0x0c0 /* W: SA_MBOX_CTRL_SEND; R: SA_MBOX_STATUS_FULL */

/* DB: doorbells the host rang. */
#define SA_CP_DB_PENDING_LO 0x000	   /* RW1C: bit q = queue q's doorbell was written */
#define SA_CP_DB_PENDING_HI 0x004	   /* queues 32..63 */
#define SA_CP_DB_TAIL(q) (0x100 + 4 * (q)) /* RO: last value written to page q */

/* INTC: the CP's external interrupt (mip.MEIP = PENDING & ENABLE != 0). */
#define SA_CP_INTC_PENDING 0x000     /* RW1C: SA_CP_IRQ_* */
#define SA_CP_INTC_ENABLE 0x004	     /* RW */
#define SA_CP_INTC_MSI_TRIGGER 0x008 /* W: vector number to raise toward the host */

#define SA_CP_IRQ_MBOX_H2F (1u << 0)	 /* the host sent a message */
#define SA_CP_IRQ_MBOX_F2H_ACK (1u << 1) /* the host consumed the firmware's message */
#define SA_CP_IRQ_DOORBELL (1u << 2)	 /* some doorbell was written */
#define SA_CP_IRQ_TE_DONE (1u << 3)	 /* tensor engine finished (done or error) */
#define SA_CP_IRQ_DMA_DONE (1u << 4)	 /* DMA engine finished (done or error) */
#define SA_CP_IRQ_MMU_FAULT (1u << 5)	 /* a fault record was added */
#define SA_CP_IRQ_ALL 0x3fu

/* TIMER: mtime counts nanoseconds of card time; mip.MTIP = mtime >= mtimecmp. */
#define SA_CP_TIMER_MTIME_LO 0x000 /* RO (reading LO latches HI) */
#define SA_CP_TIMER_MTIME_HI 0x004
#define SA_CP_TIMER_MTIMECMP_LO 0x008 /* RW; reset all ones */
#define SA_CP_TIMER_MTIMECMP_HI 0x00c

/* WDT: watchdog and heartbeat. */
#define SA_CP_WDT_CTRL 0x000	   /* RW: SA_WDT_CTRL_ENABLE; enabling also kicks */
#define SA_CP_WDT_TIMEOUT_US 0x004 /* RW: expiry after this many us without a kick */
#define SA_CP_WDT_KICK 0x008	   /* W: restart the countdown */
#define SA_CP_WDT_HEARTBEAT 0x00c  /* W: heartbeat count += 1; R: count */

#define SA_WDT_CTRL_ENABLE (1u << 0)
#define SA_WDT_DEFAULT_TIMEOUT_US 1000000u

/* MMU: context table, then control and the fault ring. */
#define SA_CP_MMU_CTX_ROOT_LO(ctx) (0x0000 + 16 * (ctx)) /* bus address of the top table */
#define SA_CP_MMU_CTX_ROOT_HI(ctx) (0x0004 + 16 * (ctx))
#define SA_CP_MMU_CTX_CTRL(ctx) (0x0008 + 16 * (ctx)) /* SA_MMU_CTX_VALID */
#define SA_CP_MMU_INVALIDATE 0x1000  /* W: context id, or SA_MMU_INVALIDATE_ALL (CP only) */
#define SA_CP_MMU_FAULT_COUNT 0x1004 /* RO: same as SA_REG_FAULT_COUNT */
#define SA_CP_MMU_FAULT_RING 0x1100  /* RO: the fault ring */

#define SA_MMU_CTX_VALID (1u << 0)
#define SA_MMU_INVALIDATE_ALL 0xffffffffu

/* TE: command window, control and status. */
#define SA_CP_TE_CMD 0x000	      /* RW: struct sa_hw_te_cmd (128 bytes) */
#define SA_CP_TE_CTRL 0x100	      /* W: SA_ENGINE_CTRL_START */
#define SA_CP_TE_STATUS 0x104	      /* RO: state | error << 8 */
#define SA_CP_TE_LAST_CYCLES_LO 0x108 /* RO: modelled cycles of the last command */
#define SA_CP_TE_LAST_CYCLES_HI 0x10c
#define SA_CP_TE_FAULT_SEQ 0x110 /* RO: fault record sequence of an MMU_FAULT error */

/* DMA: one transfer at a time. */
#define SA_CP_DMA_OP 0x000     /* RW: SA_DMA_OP_* */
#define SA_CP_DMA_FLAGS 0x004  /* RW: SA_DMA_F_* */
#define SA_CP_DMA_SRC_LO 0x008 /* RW: device VA, or CP address in DRAM */
#define SA_CP_DMA_SRC_HI 0x00c
#define SA_CP_DMA_DST_LO 0x010
#define SA_CP_DMA_DST_HI 0x014
#define SA_CP_DMA_LEN 0x018	 /* RW: bytes */
#define SA_CP_DMA_CTX 0x01c	 /* RW: src context | dst context << 16 */
#define SA_CP_DMA_VALUE_LO 0x020 /* RW: fence value */
#define SA_CP_DMA_VALUE_HI 0x024
#define SA_CP_DMA_VECTOR 0x028	  /* RW: MSI-X vector for SA_DMA_F_IRQ */
#define SA_CP_DMA_CTRL 0x030	  /* W: SA_ENGINE_CTRL_START */
#define SA_CP_DMA_STATUS 0x034	  /* RO: state | error << 8 */
#define SA_CP_DMA_FAULT_SEQ 0x038 /* RO: fault record sequence of an MMU_FAULT error */

/* PERF: the same counters as BAR0, 64-bit each, reading LO latches HI. */
#define SA_CP_PERF(i) (8 * (i))
#define SA_CP_PERF_CTRL 0x100 /* W: SA_PERF_CTRL_CLEAR */

/* Engine control and status (TE and DMA). */
#define SA_ENGINE_CTRL_START (1u << 0)

#define SA_ENGINE_IDLE 0
#define SA_ENGINE_BUSY 1
#define SA_ENGINE_DONE 2
#define SA_ENGINE_ERROR 3
#define SA_ENGINE_STATE(status) ((status)&0xffu)
#define SA_ENGINE_ERR(status) (((status) >> 8) & 0xffu)

#define SA_ENGINE_ERR_NONE 0
#define SA_ENGINE_ERR_BAD_OP 1	    /* unknown opcode */
#define SA_ENGINE_ERR_BAD_PARAMS 2  /* sa_check_* rejected the op, or reserved != 0 */
#define SA_ENGINE_ERR_SHAPE 3	    /* output shape differs from the computed one */
#define SA_ENGINE_ERR_TOO_LARGE 4   /* a tensor, weight count or MAC count over the limit */
#define SA_ENGINE_ERR_MMU_FAULT 5   /* see the fault record *_FAULT_SEQ */
#define SA_ENGINE_ERR_BAD_WEIGHTS 6 /* a weight code is invalid (negative zero, padding) */
#define SA_ENGINE_ERR_RANGE 7	    /* DMA: CP DRAM range or length out of bounds */
#define SA_ENGINE_ERR_ALIGN 8	    /* DMA: fence address not 8-byte aligned */
#define SA_ENGINE_ERR_INJECTED 9    /* fault injection failed this op */
#define SA_ENGINE_ERR_BUS 10	    /* the host rejected a data bus address */
/* START while BUSY is ignored: the running command continues. */

/* DMA operations. */
#define SA_DMA_OP_COPY 1       /* (src ctx, src VA) -> (dst ctx, dst VA) */
#define SA_DMA_OP_TO_DRAM 2    /* (src ctx, src VA) -> CP DRAM at dst */
#define SA_DMA_OP_FROM_DRAM 3  /* CP DRAM at src -> (dst ctx, dst VA) */
#define SA_DMA_OP_FENCE 4      /* 64-bit VALUE -> (dst ctx, dst VA), 8-byte aligned */
#define SA_DMA_F_IRQ (1u << 0) /* after completion raise MSI-X vector VECTOR */

/* ------------------------------------------------------------ device MMU */

/*
 * Three-level page tables, 4 KiB pages, 39-bit device virtual addresses
 * (bits 63..39 must be zero).  Every table is one 4 KiB page of 512 64-bit
 * entries.  VA bits 38..30 index the top table, 29..21 the middle, 20..12 the
 * leaf table, 11..0 are the offset.  Levels 2 and 1 hold table pointers
 * (VALID only), level 0 holds pages (VALID plus READ and/or WRITE).
 */
#define SA_MMU_VA_BITS 39
#define SA_MMU_LEVELS 3
#define SA_MMU_PAGE_SHIFT 12
#define SA_MMU_PAGE_SIZE (1u << SA_MMU_PAGE_SHIFT)
#define SA_MMU_ENTRIES 512

#define SA_PTE_VALID (1ull << 0)
#define SA_PTE_READ (1ull << 1)
#define SA_PTE_WRITE (1ull << 2)
#define SA_PTE_SW_MASK 0xf00ull			   /* bits 8..11: ignored, free for the driver */
#define SA_PTE_ADDR_MASK 0x000ffffffffff000ull	   /* bits 12..51: bus address */
#define SA_PTE_RESERVED_MASK 0xfff00000000000f8ull /* must be zero */

/* Fault reasons. */
#define SA_FAULT_NOT_PRESENT 1	   /* an entry on the walk has VALID clear */
#define SA_FAULT_WRITE_PROTECT 2   /* write to a page without WRITE */
#define SA_FAULT_READ_PROTECT 3	   /* read from a page without READ */
#define SA_FAULT_ADDRESS_RANGE 4   /* VA >= 2^39, or the access wraps */
#define SA_FAULT_BAD_PTE 5	   /* reserved bits, permissions on a table, leaf without R/W */
#define SA_FAULT_CONTEXT_INVALID 6 /* context out of range or not VALID */
#define SA_FAULT_BUS_ERROR 7	   /* the host rejected a page-table read */

#define SA_ACCESS_READ 1
#define SA_ACCESS_WRITE 2

/* Unit that made the faulting access. */
#define SA_FAULT_SRC_TE 1
#define SA_FAULT_SRC_DMA 2

#define SA_HW_FAULT_RING_SIZE 16

/*
 * One fault record.  Fault n (counting from 0 after reset) is stored in slot
 * n % SA_HW_FAULT_RING_SIZE with sequence = n; readers keep their own index.
 */
struct sa_hw_fault_record {
	sa_hw_u64 address; /* faulting device VA (first byte of the access in that page) */
	sa_hw_u64 pte;	   /* the offending entry, or the bus address for BUS_ERROR */
	sa_u16 context;
	sa_u8 access; /* SA_ACCESS_* */
	sa_u8 reason; /* SA_FAULT_* */
	sa_u8 source; /* SA_FAULT_SRC_* */
	sa_u8 level;  /* walk level of the offending entry (2..0); 3: failed before the walk */
	sa_u16 reserved;
	sa_u32 sequence;
	sa_u32 reserved2;
};
SA_HW_STATIC_ASSERT(sizeof(struct sa_hw_fault_record) == 32, "fault record is 32 bytes");

/* --------------------------------------------------------- tensor engine */

/* Shift-MAC array: 16 x 16 shift-add lanes at 1 GHz; 64 bytes per cycle of memory. */
#define SA_TE_ROWS 16
#define SA_TE_COLS 16
#define SA_TE_CLOCK_MHZ 1000
#define SA_TE_MEM_BYTES_PER_CYCLE 64
#define SA_TE_SETUP_CYCLES 32

#define SA_TE_MAX_ACT_BYTES (8u << 20)
#define SA_TE_MAX_WEIGHTS (4u << 20)
#define SA_TE_MAX_CHANNELS 65536u
#define SA_TE_MAX_MACS (1u << 30)
#define SA_DMA_MAX_LEN (16u << 20)

/* Opcodes: descriptor opcodes; 1..6 are also tensor-engine commands. */
#define SA_OP_INVALID 0 /* a zeroed ring slot is never a valid descriptor */
#define SA_OP_CONV 1
#define SA_OP_FC 2
#define SA_OP_MAXPOOL 3
#define SA_OP_AVGPOOL 4
#define SA_OP_GLOBAL_AVGPOOL 5
#define SA_OP_ADD 6
#define SA_OP_COPY 7
#define SA_OP_FENCE 8
#define SA_OP_WAIT 9
#define SA_OP_NOP 10
#define SA_OP_COUNT 11
#define SA_OP_IS_LAYER(op) ((op) >= SA_OP_CONV && (op) <= SA_OP_ADD)

/* A tensor in device memory: [c][h][w] elements of dtype at a device VA. */
struct sa_hw_tensor {
	sa_hw_u64 addr;
	sa_u32 c, h, w;
	sa_u8 dtype; /* SA_DTYPE_I8 / SA_DTYPE_I16 */
	sa_s8 exp;
	sa_u16 reserved;
};
SA_HW_STATIC_ASSERT(sizeof(struct sa_hw_tensor) == 24, "tensor is 24 bytes");

/*
 * One layer op.  `in_b` only for SA_OP_ADD (zero otherwise).  `weights`
 * points at packed weight codes (uapi/shiftaccel_numerics.h) for conv and
 * fc; `bias` at int32 per output channel when params have SA_PARAM_HAS_BIAS.
 * `out` c/h/w must equal the shape the op computes.
 */
struct sa_hw_layer {
	struct sa_hw_tensor in;
	struct sa_hw_tensor in_b;
	struct sa_hw_tensor out;
	sa_hw_u64 weights;
	sa_hw_u64 bias;
	union {
		struct sa_conv_params conv;
		struct sa_fc_params fc;
		struct sa_pool_params pool;
		struct sa_add_params add;
		sa_u8 raw[32]; /* bytes past the op's struct must be zero */
	} params;
};
SA_HW_STATIC_ASSERT(sizeof(struct sa_hw_layer) == 120, "layer is 120 bytes");

/* What the firmware writes into SA_CP_TE_CMD before SA_ENGINE_CTRL_START. */
struct sa_hw_te_cmd {
	sa_u8 op;	 /* SA_OP_CONV .. SA_OP_ADD */
	sa_u8 flags;	 /* zero */
	sa_u16 context;	 /* MMU context translating every address below */
	sa_u32 reserved; /* zero */
	struct sa_hw_layer layer;
};
SA_HW_STATIC_ASSERT(sizeof(struct sa_hw_te_cmd) == 128, "TE command is 128 bytes");

/* ------------------------------------------------- queues and descriptors */

/*
 * A queue is a ring of 2^n descriptors (SA_RING_MIN..SA_RING_MAX entries) at a
 * device VA of its owning context.  Indices are free-running 32-bit counters;
 * slot = index & (entries - 1).  Userspace writes descriptors, then stores
 * the new tail (one past the last descriptor) to offset 0 of its queue's
 * doorbell page.  The firmware consumes descriptors in order and publishes
 * its head in the queue's status block.
 */
#define SA_RING_MIN_ENTRIES 8
#define SA_RING_MAX_ENTRIES 4096
#define SA_DOORBELL_TAIL 0x000 /* offset in the doorbell page: W new tail, R last tail */

#define SA_DESC_F_FENCE (1u << 0) /* write fence_value to fence_addr on completion */
#define SA_DESC_F_IRQ (1u << 1)	  /* then raise the queue's MSI-X vector */
#define SA_DESC_F_ALL 0x3u

struct sa_hw_desc_copy {
	sa_hw_u64 src, dst, length; /* device VAs in the queue's context */
	sa_u8 reserved[208];
};

#define SA_WAIT_GE 1 /* wait until (u64 at addr) >= value */

struct sa_hw_desc_wait {
	sa_hw_u64 addr; /* 8-byte aligned device VA in the queue's context */
	sa_hw_u64 value;
	sa_u32 cond; /* SA_WAIT_* */
	sa_u8 reserved[212];
};

/* One ring slot (user ABI; the firmware's rules are docs/hardware.md 7.1). */
struct sa_hw_desc {
	sa_u8 opcode;	      /* SA_OP_* */
	sa_u8 flags;	      /* SA_DESC_F_* */
	sa_u16 reserved0;     /* zero */
	sa_u32 tag;	      /* free for userspace; reported with errors */
	sa_hw_u64 fence_addr; /* 8-byte aligned device VA (SA_DESC_F_FENCE, SA_OP_FENCE) */
	sa_hw_u64 fence_value;
	union {
		struct sa_hw_layer layer; /* SA_OP_CONV .. SA_OP_ADD */
		struct sa_hw_desc_copy copy;
		struct sa_hw_desc_wait wait;
		sa_u8 raw[232];
	} u;
};
SA_HW_STATIC_ASSERT(sizeof(struct sa_hw_desc_copy) == 232, "copy body is 232 bytes");
SA_HW_STATIC_ASSERT(sizeof(struct sa_hw_desc_wait) == 232, "wait body is 232 bytes");
SA_HW_STATIC_ASSERT(sizeof(struct sa_hw_desc) == 256, "descriptor is 256 bytes");

/*
 * Queue status block: 64 bytes at a device VA of the owning context, written
 * only by the firmware.  head = descriptors consumed; completed = descriptors
 * finished; when state is SA_QUEUE_FAULTED the error fields say why (the
 * fault's detail, stage and opcode are only in the firmware's fault event
 * and QUEUE_STATUS reply, docs/firmware.md 7).  Fences are per descriptor.
 */
#define SA_QUEUE_STOPPED 0
#define SA_QUEUE_RUNNING 1
#define SA_QUEUE_FAULTED 2

struct sa_hw_queue_status {
	sa_u32 head;
	sa_u32 completed;
	sa_u32 state;	      /* SA_QUEUE_* */
	sa_u32 error;	      /* SA_FW_FAULT_* (uapi/shiftaccel_fw.h) */
	sa_u32 error_index;   /* ring index of the descriptor that failed */
	sa_u32 error_tag;     /* its tag */
	sa_hw_u64 error_addr; /* faulting VA (MMU), or the offending address or value */
	sa_u8 reserved[32];   /* written as zero */
};
SA_HW_STATIC_ASSERT(sizeof(struct sa_hw_queue_status) == 64, "queue status is 64 bytes");

/* ----------------------------------------------------------------- mailbox */

/*
 * Framing of a mailbox message; the types and payloads are the firmware
 * protocol's (uapi/shiftaccel_fw.h, docs/firmware.md).  One message in
 * flight per direction: the sender writes the words and SEND, the receiver
 * reads them and ACKs.
 */
struct sa_hw_mbox_msg {
	sa_u16 type;
	sa_u8 token;  /* echoed in the reply */
	sa_u8 length; /* payload words used in data[] */
	sa_u32 data[SA_MBOX_WORDS - 1];
};
SA_HW_STATIC_ASSERT(sizeof(struct sa_hw_mbox_msg) == 4 * SA_MBOX_WORDS, "mailbox is 64 bytes");

#endif /* SHIFTACCEL_HW_H */
