# Reference integer kernels (docs/numerics.md), the CPU backend (integer and
# float paths), card discovery and sessions.
LIB_SRCS += libshiftaccel/kernels/requant.c libshiftaccel/kernels/conv.c \
	libshiftaccel/kernels/pool.c libshiftaccel/kernels/add.c libshiftaccel/kernels/div_round.c \
	libshiftaccel/kernels/concat.c \
	libshiftaccel/src/cpu_backend.c libshiftaccel/src/cpu_float.c libshiftaccel/src/buffer_plan.c \
	libshiftaccel/src/accel_probe.c libshiftaccel/src/session.c
# The fast, bit-exact conv/fc kernels of the CPU integer path (cpu_fast.h);
# -O3 vectorises their inner loops.
LIB_SRCS += libshiftaccel/src/cpu_fast.c libshiftaccel/src/cpu_fast_conv.c \
	libshiftaccel/src/cpu_fast_fc.c
$(BUILD)/obj/libshiftaccel/src/cpu_fast%.o: CFLAGS += -O3
