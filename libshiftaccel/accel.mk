# The accel backend (issue 7): the model compiler for the card and the
# backend that runs it through libdrm, a mapped ring and doorbell, and
# io_uring on the queue's eventfd.
LIB_SRCS += libshiftaccel/src/accel_compile.c
DEPS_PACKAGES += libdrm-dev liburing-dev
LIB_SRCS += libshiftaccel/src/accel_device.c libshiftaccel/src/accel_queue.c \
	libshiftaccel/src/accel_backend.c
LDLIBS += -ldrm -luring
# The DRM uapi header includes libdrm's drm.h.
ACCEL_DRM_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,libshiftaccel/src/accel_device.c \
	libshiftaccel/src/accel_queue.c libshiftaccel/src/accel_backend.c)
$(ACCEL_DRM_OBJS): CPPFLAGS += $(shell pkg-config --cflags libdrm 2>/dev/null || echo -I/usr/include/libdrm)
