# The accel backend (issue 7): the model compiler for the card and the
# backend that runs it through libdrm, a mapped ring and doorbell, and
# io_uring on the queue's eventfd.
LIB_SRCS += libshiftaccel/src/accel_compile.c
DEPS_PACKAGES += libdrm-dev liburing-dev
LIB_SRCS += libshiftaccel/src/accel_device.c libshiftaccel/src/accel_queue.c \
	libshiftaccel/src/accel_backend.c libshiftaccel/src/device_choice.c
# The one userspace wrapper of the DRM uapi (sa_drm.h): the backend,
# shiftaccel-info and the driver selftests use it.
SA_DRM_SRCS := libshiftaccel/drm/sa_drm.c libshiftaccel/drm/sa_drm_queue.c \
	libshiftaccel/drm/sa_drm_cards.c
LIB_SRCS += $(SA_DRM_SRCS)
LDLIBS += -ldrm -luring
# The DRM uapi header includes libdrm's drm.h.
ACCEL_DRM_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,libshiftaccel/src/accel_device.c \
	libshiftaccel/src/accel_queue.c libshiftaccel/src/accel_backend.c \
	libshiftaccel/src/accel_probe.c libshiftaccel/src/session.c $(SA_DRM_SRCS))
$(ACCEL_DRM_OBJS): CPPFLAGS += $(shell pkg-config --cflags libdrm 2>/dev/null || echo -I/usr/include/libdrm)
