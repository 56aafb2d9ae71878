# CPU training (libshiftaccel/src/train, docs/training.md): data sets, layers,
# DeepShift-Q/PS, optimisers, export to .dsm, evaluation through sessions.
TRAIN_SRCS := $(addprefix libshiftaccel/src/train/, \
	rng.c threadpool.c gemm.c gemm_kernels.c \
	conv.c fc.c pool.c batchnorm.c elementwise.c shift_weights.c \
	arch.c net.c node_conv.c node_fc.c node_misc.c optim.c \
	dataset.c dataset_idx.c dataset_png.c dataset_style.c dataset_resize.c \
	trainer.c export.c checkpoint.c evaluate.c plot.c \
	plan.c plan_run.c plan_export.c holdout.c)
LIB_SRCS += $(TRAIN_SRCS)

# The training hot loops gain from -O3 (vectorised elementwise passes); sqrtf
# without errno lets the optimiser loops vectorise.
$(BUILD)/obj/libshiftaccel/src/train/%.o: CFLAGS += -O3 -fno-math-errno
