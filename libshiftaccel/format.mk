# The .dsm model format: reader, writer, builder, and the op validation and
# weight packing it shares with the kernels (docs/model-format.md).
FORMAT_READ_SRCS := \
	libshiftaccel/src/crc32c.c \
	libshiftaccel/src/dsm_read.c \
	libshiftaccel/src/dsm_read_graph.c \
	libshiftaccel/src/dsm_meta_rules.c \
	libshiftaccel/src/dsm_op_rules.c \
	libshiftaccel/src/model_api.c \
	libshiftaccel/kernels/sa_check.c \
	libshiftaccel/kernels/sa_weights.c
FORMAT_WRITE_SRCS := \
	libshiftaccel/src/dsm_write.c \
	libshiftaccel/src/builder.c \
	libshiftaccel/src/builder_write.c

LIB_SRCS += $(FORMAT_READ_SRCS) $(FORMAT_WRITE_SRCS)
