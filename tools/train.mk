# shiftaccel-train: train DeepShift networks on the CPU and export .dsm models;
# shiftaccel-eval: accuracy of a .dsm model on a data set (docs/training.md).
TOOLS += shiftaccel-train shiftaccel-eval
shiftaccel-train_SRCS := tools/shiftaccel-train.c tools/cli_util.c
shiftaccel-eval_SRCS := tools/shiftaccel-eval.c tools/cli_util.c
