# The card's hardware model (docs/hardware.md): plain C, no QEMU types.  The
# QEMU glue (emulator/qemu/) and the unit tests (tests/emulator/card.mk) link
# EMU_SRCS (this model plus the RV32IM interpreter, emulator/rv32.mk) and
# EMU_KERNEL_SRCS, the reference kernels the tensor engine calls.  The model
# is not part of libshiftaccel.a.
EMU_SRCS += emulator/card.c emulator/regs.c emulator/doorbell.c emulator/irq.c \
	emulator/mbox.c emulator/timer.c emulator/cp.c emulator/mmu.c emulator/te_plan.c \
	emulator/te.c emulator/dma.c emulator/perf.c emulator/fault_inject.c

# The tensor engine runs the very arithmetic of the CPU backend: requantisation,
# the conv/fc, pooling and add kernels, their parameter checks and weight
# unpacking, and the bit-identical fast conv/fc kernels (cpu_fast.h).
EMU_KERNEL_SRCS := libshiftaccel/kernels/requant.c libshiftaccel/kernels/conv.c \
	libshiftaccel/kernels/pool.c libshiftaccel/kernels/add.c libshiftaccel/kernels/div_round.c \
	libshiftaccel/kernels/sa_check.c libshiftaccel/kernels/sa_weights.c \
	libshiftaccel/src/cpu_fast.c libshiftaccel/src/cpu_fast_conv.c \
	libshiftaccel/src/cpu_fast_fc.c libshiftaccel/src/error.c

.PHONY: print-emu-srcs
print-emu-srcs:
	@for f in $(EMU_SRCS) $(EMU_KERNEL_SRCS); do echo $$f; done
