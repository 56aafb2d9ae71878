# ONNX import (docs/import.md): the lowering of a read ONNX graph to the
# trainer's architecture, trainers made from ONNX files, and the trainer
# inspection shiftaccel-convert reports with.
LIB_SRCS += $(addprefix libshiftaccel/src/onnx/, onnx_lower.c onnx_lower_layers.c onnx_lower_text.c) \
	libshiftaccel/src/train/import_onnx.c libshiftaccel/src/train/trainer_inspect.c
