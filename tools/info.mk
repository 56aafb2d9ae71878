# shiftaccel-info: every ShiftAccel card (libpci), its driver, firmware, queues,
# counters and reset count, and why there is no usable card when there is none.
TOOLS += shiftaccel-info
shiftaccel-info_SRCS := tools/shiftaccel-info.c tools/info_pci.c tools/info_driver.c \
	tools/info_print.c tools/cli_util.c tools/cli_text.c
# libpci for this tool only; the accel UAPI header includes libdrm's drm.h.
$(BUILD)/bin/shiftaccel-info: LDLIBS += -lpci
$(BUILD)/obj/tools/info_driver.o: CPPFLAGS += -I/usr/include/libdrm
DEPS_PACKAGES += libpci-dev pciutils libdrm-dev
