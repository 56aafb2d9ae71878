LIB_SRCS += libshiftaccel/src/error.c
