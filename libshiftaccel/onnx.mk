# The ONNX reader of the importer (docs/import.md).  Its protobuf code is
# generated at build time by protoc-c from the onnx.proto that Debian's
# libonnx-dev ships; nothing of it is committed.
# protoc-c names the output after the path below its -I directory.
ONNX_PROTO := /usr/include/onnx/onnx.proto
ONNX_GEN := $(BUILD)/gen
ONNX_PB_C := $(ONNX_GEN)/onnx/onnx.pb-c.c
ONNX_PB_H := $(ONNX_GEN)/onnx/onnx.pb-c.h
ONNX_SRCS := libshiftaccel/src/onnx/onnx_read.c libshiftaccel/src/onnx/onnx_ops.c \
	libshiftaccel/src/onnx/onnx_read_qdq.c libshiftaccel/src/onnx/onnx_write.c \
	libshiftaccel/src/onnx/onnx_read_export.c

DEPS_PACKAGES += protobuf-c-compiler libprotobuf-c-dev libonnx-dev
LIB_SRCS += $(ONNX_SRCS) $(ONNX_PB_C)
LDLIBS += -lprotobuf-c

$(ONNX_PB_C) $(ONNX_PB_H) &: $(ONNX_PROTO)
	@test -f $(ONNX_PROTO) || { echo "onnx: no $(ONNX_PROTO) (make deps)"; exit 1; }
	@mkdir -p $(ONNX_GEN)
	@echo "  PROTOC  $(ONNX_PB_C)"
	@protoc-c --c_out=$(ONNX_GEN) -I/usr/include onnx/onnx.proto

ONNX_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(ONNX_SRCS) $(ONNX_PB_C))
$(ONNX_OBJS): CPPFLAGS += -I$(ONNX_GEN)
$(ONNX_OBJS): | $(ONNX_PB_H)
