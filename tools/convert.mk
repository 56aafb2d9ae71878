# shiftaccel-convert: ONNX float networks to DeepShift .dsm models (docs/import.md).
TOOLS += shiftaccel-convert
shiftaccel-convert_SRCS := tools/shiftaccel-convert.c tools/convert_calib.c \
	tools/convert_report.c tools/cli_util.c tools/cli_text.c

# Import accuracy on MNIST: PyTorch float models converted, against float.
BENCH_SCRIPTS += bench/convert.sh bench/tv_nets.sh
