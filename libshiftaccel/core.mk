LIB_SRCS += libshiftaccel/src/error.c
LIB_SRCS += libshiftaccel/src/file_in.c libshiftaccel/src/file_out.c
