# The card's firmware (docs/firmware.md): C for the RV32IM control processor,
# built with Debian's bare-metal cross compiler into
# $(BUILD)/firmware/shiftaccel-fw.bin (header + code, tools/mkfwimage).  The
# same logic files also build natively for the unit tests
# (tests/firmware/firmware.mk) against a fake hardware access layer.
#
#   make firmware           the image
#   make firmware-install   copies it to $(DESTDIR)/lib/firmware/shiftaccel/
DEPS_PACKAGES += gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf

# Everything but the hardware access: shared by the card build and the native tests.
FW_LOGIC_SRCS := firmware/boot.c firmware/timer.c firmware/outbox.c firmware/mailbox.c \
	firmware/context.c firmware/queue.c firmware/doorbell.c firmware/sched.c \
	firmware/validate.c firmware/validate_layer.c firmware/engine.c firmware/exec.c \
	firmware/loop.c
# libshiftaccel files compiled unchanged into the firmware (they are freestanding).
FW_SHARED_SRCS := libshiftaccel/kernels/sa_check.c libshiftaccel/src/crc32c.c
# Only on the card: MMIO, entry and traps, memcpy/memset.
FW_TARGET_SRCS := firmware/hal_cp.c firmware/main_cp.c firmware/libc.c

FW_CROSS := riscv64-unknown-elf-
# Zicsr: binutils >= 2.38 wants it named for csrr/csrw.  No loop-to-memcpy
# rewriting (libc.c defines memcpy), no debug info or paths in the objects.
# firmware/include stands in for the C library's <string.h>.
FW_CFLAGS := -isystem firmware/include -march=rv32im_zicsr -mabi=ilp32 -ffreestanding -nostdlib \
	-Os -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -fno-strict-aliasing \
	-fno-tree-loop-distribute-patterns -ffunction-sections -fdata-sections -fno-common \
	-ffile-prefix-map=$(CURDIR)=. -MMD -MP
# libgcc for 64-bit division and multiplication (sa_check.c, counters).
FW_LIBGCC = $(shell $(FW_CROSS)gcc -march=rv32im -mabi=ilp32 -print-libgcc-file-name)
FW_LDFLAGS := -nostdlib -nostartfiles -Wl,--gc-sections -Wl,--build-id=none \
	-Wl,--no-warn-rwx-segments -Wl,-T,firmware/link.ld

FW_OBJDIR := $(BUILD)/firmware/obj
FW_OBJS := $(patsubst %.c,$(FW_OBJDIR)/%.o,$(FW_LOGIC_SRCS) $(FW_SHARED_SRCS) \
	$(FW_TARGET_SRCS)) $(FW_OBJDIR)/firmware/start.o
FW_ELF := $(BUILD)/firmware/shiftaccel-fw.elf
FW_CODE := $(BUILD)/firmware/shiftaccel-fw.code
FW_IMAGE := $(BUILD)/firmware/shiftaccel-fw.bin
MKFWIMAGE := $(BUILD)/bin/mkfwimage

TOOLS += mkfwimage
mkfwimage_SRCS := tools/mkfwimage.c tools/fwimage.c

$(FW_OBJDIR)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  FWCC    $<"
	@$(FW_CROSS)gcc $(FW_CFLAGS) -c -o $@ $<

$(FW_OBJDIR)/%.o: %.S
	@mkdir -p $(@D)
	@echo "  FWAS    $<"
	@$(FW_CROSS)gcc $(FW_CFLAGS) -c -o $@ $<

$(FW_ELF): $(FW_OBJS) firmware/link.ld
	@echo "  FWLD    $@"
	@$(FW_CROSS)gcc $(FW_CFLAGS) $(FW_LDFLAGS) -o $@ $(FW_OBJS) $(FW_LIBGCC)

$(FW_CODE): $(FW_ELF)
	@$(FW_CROSS)objcopy -O binary $< $@

$(FW_IMAGE): $(FW_CODE) $(MKFWIMAGE)
	@echo "  FWIMG   $@"
	@$(MKFWIMAGE) $(FW_CODE) $@

.PHONY: firmware firmware-install
firmware: $(FW_IMAGE)
all: $(FW_IMAGE)
check-build: $(FW_IMAGE)

firmware-install: $(FW_IMAGE)
	install -D -m 0644 $(FW_IMAGE) $(DESTDIR)/lib/firmware/shiftaccel/shiftaccel-fw.bin

-include $(shell find $(FW_OBJDIR) -name '*.d' 2>/dev/null)
