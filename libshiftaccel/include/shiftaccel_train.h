/* SPDX-License-Identifier: MIT */
/*
 * libshiftaccel training: data sets, CPU training of DeepShift networks
 * (float, DeepShift-Q, DeepShift-PS, conversion), export to .dsm, and
 * evaluation of .dsm models on a data set.  docs/training.md describes the
 * modes, the architecture text format and the quantisation.
 *
 * Same conventions as shiftaccel.h: sa_status results, sa_last_error() for
 * the message, no printing, no exiting.
 */
#ifndef SHIFTACCEL_TRAIN_H
#define SHIFTACCEL_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "shiftaccel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- data sets */

typedef struct sa_dataset sa_dataset;

/*
 * A class number.  Two bytes, so ImageNet's 1000 classes fit; idx label
 * files hold one byte per label by their format.
 */
typedef uint16_t sa_label;

typedef enum sa_split {
	SA_SPLIT_TRAIN = 0,
	SA_SPLIT_TEST = 1,
} sa_split;

/*
 * Opens a data set:
 *   "mnist", "fashion-mnist"   the named sets, from <data_dir>/mnist/ and
 *                              <data_dir>/fashion-mnist/ (the idx files
 *                              `make data` fetches); data_dir NULL means
 *                              $SHIFTACCEL_DATA, else "data"
 *   "idx:IMAGES,LABELS"        any idx3 (uint8 images) + idx1 (labels) pair
 *   "pngdir:DIR"               DIR/<class>/<image>.png, classes in name order; when
 *                              DIR/train and DIR/test exist, those per split
 * Named sets and split PNG folders have separate train and test parts;
 * for the others both splits give the same images (sa_dataset_has_split()
 * is 0), and callers hold out a part themselves (sa_dataset_take()).
 */
sa_status sa_dataset_open(const char *spec, sa_split split, const char *data_dir, sa_dataset **out);
/* A data set from memory: count images of c x h x w bytes each ([C][H][W]). */
sa_status sa_dataset_from_memory(const char *name, uint32_t count, uint32_t c, uint32_t h,
				 uint32_t w, const uint8_t *pixels, const sa_label *labels,
				 uint32_t num_classes, const char *const *class_names,
				 sa_dataset **out);
/* A new data set of the images indices[0..n) of ds (copied). */
sa_status sa_dataset_take(const sa_dataset *ds, const uint32_t *indices, uint32_t n,
			  sa_dataset **out);
/*
 * A new data set of ds's images resized to h x w (the bilinear resize of
 * sa_preprocess, rounded to bytes), channels unchanged.
 */
sa_status sa_dataset_resize(const sa_dataset *ds, uint32_t h, uint32_t w, sa_dataset **out);
void sa_dataset_close(sa_dataset *ds);

struct sa_dataset_info {
	const char *name;
	uint32_t count;
	uint32_t channels, height, width;
	uint32_t num_classes;
	int has_split; /* train and test are different images */
};

void sa_dataset_get_info(const sa_dataset *ds, struct sa_dataset_info *info);
/* Image i as [C][H][W] bytes. */
const uint8_t *sa_dataset_image(const sa_dataset *ds, uint32_t i);
uint32_t sa_dataset_label(const sa_dataset *ds, uint32_t i);
/* Class name ("0".."9" for MNIST, "Trouser" ... for Fashion-MNIST). */
const char *sa_dataset_class_name(const sa_dataset *ds, uint32_t c);
/*
 * How the set's images look, for the model's input.* metadata
 * (SA_META_POLARITY, SA_META_FRAMING in shiftaccel.h), measured on up to
 * 1000 of its images: *polarity is SA_POLARITY_LIGHT_ON_DARK or
 * SA_POLARITY_DARK_ON_LIGHT, *framing SA_FRAMING_DIGIT when nine in ten
 * images are framed as MNIST's are, else SA_FRAMING_NONE.  Both NULL for
 * colour sets.  Static strings.
 */
void sa_dataset_input_style(const sa_dataset *ds, const char **polarity, const char **framing);
/* Image i as an sa_image (interleaved), for sa_preprocess and PNG output. */
sa_status sa_dataset_get_image(const sa_dataset *ds, uint32_t i, sa_image *out);

/* --------------------------------------------------------------- evaluation */

struct sa_eval_result {
	uint32_t total, correct;
	uint32_t num_classes;
	uint32_t *class_total, *class_correct; /* num_classes each */
	uint32_t *confusion;		       /* [true][predicted], num_classes^2 */
	double seconds;
};

/*
 * Runs images [first, first + count) of ds through `model` on `device`
 * (each image resized to the model's input by sa_preprocess and run by
 * sa_session_run, the integer path shiftaccel-run uses; a data set's images
 * are in its data's form already, so sa_preprocess_image's adjustments for
 * images made elsewhere do not apply) with `threads` sessions in parallel,
 * and counts top-1 hits.  The model's outputs must be the data set's
 * classes and its input channels the images' (else SA_ERR_SHAPE).
 */
sa_status sa_evaluate(const sa_model *model, const sa_dataset *ds, uint32_t first, uint32_t count,
		      sa_device_kind device, unsigned threads, struct sa_eval_result *result);
/* The same on a device named as in sa_session_create_on ("accel:1", ...). */
sa_status sa_evaluate_on(const sa_model *model, const sa_dataset *ds, uint32_t first,
			 uint32_t count, const char *device, unsigned threads,
			 struct sa_eval_result *result);
void sa_eval_result_free(struct sa_eval_result *result);

/* ----------------------------------------------------------------- training */

typedef enum sa_train_weights {
	SA_WEIGHTS_FLOAT = 0, /* float baseline */
	SA_WEIGHTS_Q = 1,     /* DeepShift-Q */
	SA_WEIGHTS_PS = 2,    /* DeepShift-PS */
} sa_train_weights;

typedef enum sa_optimizer {
	SA_OPT_SGD = 0,
	SA_OPT_ADAM = 1,
	SA_OPT_RMSPROP = 2,
} sa_optimizer;

typedef enum sa_schedule {
	SA_SCHEDULE_CONSTANT = 0,
	SA_SCHEDULE_STEP = 1,
	SA_SCHEDULE_COSINE = 2,
} sa_schedule;

struct sa_train_config {
	const char *arch_text; /* architecture text (docs/training.md) */
	const char *arch_name; /* for messages and metadata ("simple-cnn", a path) */
	sa_train_weights weights;
	int weight_bits; /* 2..5 */
	sa_optimizer optimizer;
	float lr, momentum, weight_decay;
	sa_schedule schedule;
	int step_epochs; /* SA_SCHEDULE_STEP: decay every step_epochs epochs */
	float gamma;	 /* SA_SCHEDULE_STEP: decay factor */
	int epochs;	 /* SA_SCHEDULE_COSINE: length of the schedule */
	int batch_size;
	int augment_shift; /* training images move by up to this many pixels (0: off) */
	int threads;	   /* 0: all cores */
	uint64_t seed;
};

/* Fills *cfg with the defaults (simple-cnn text is not set: arch_text NULL). */
void sa_train_config_defaults(struct sa_train_config *cfg);

/* Text of a built-in architecture for inputs c x h x w (malloc()ed). */
sa_status sa_train_builtin_arch(const char *name, uint32_t c, uint32_t h, uint32_t w, char **text);

typedef struct sa_trainer sa_trainer;

/*
 * A trainer for data shaped like `train` (its shape, classes and class
 * names; the input normalisation is the per-channel mean and standard
 * deviation of its pixels).
 */
sa_status sa_trainer_create(const struct sa_train_config *cfg, const sa_dataset *train,
			    sa_trainer **out);
void sa_trainer_destroy(sa_trainer *t);

struct sa_epoch_stats {
	int epoch;	       /* from 1 */
	double loss;	       /* mean training loss */
	double train_accuracy; /* percent, with dropout active, as trained */
	double seconds;
	double images_per_second;
	double lr; /* at the epoch's last step */
};

typedef void (*sa_train_progress_fn)(void *ctx, uint32_t done, uint32_t total, double loss);

/*
 * One epoch over `train` (shuffled with the seed and the epoch number).
 * `limit` > 0 trains on only the first `limit` images of the shuffled order.
 */
sa_status sa_trainer_train_epoch(sa_trainer *t, const sa_dataset *train, uint32_t limit,
				 sa_train_progress_fn progress, void *ctx,
				 struct sa_epoch_stats *stats);

/*
 * Accuracy (percent) and mean loss of the trainer's own forward pass on
 * images [first, first + count) of ds: float, or in quantised modes the
 * float simulation of the integer model (count 0 = all).
 */
sa_status sa_trainer_evaluate(sa_trainer *t, const sa_dataset *ds, uint32_t first, uint32_t count,
			      double *accuracy, double *loss);

/*
 * Converts the float weights to DeepShift-Q or -PS (equation 12 of the
 * paper: sign and rounded log2 of each weight) and turns activation
 * quantisation on.  Batch norm is folded into the float weights first.
 * Optimiser state is reset.
 */
sa_status sa_trainer_convert(sa_trainer *t, sa_train_weights weights, int weight_bits);

/*
 * Folds batch norm into the conv/fc weights and biases for good (the export
 * does this anyway; folding before the last epochs lets training adapt to
 * the rounding of the folded power-of-two weights).  Optimiser state is
 * reset; the learning-rate schedule goes on where it was.
 */
sa_status sa_trainer_fold_batchnorm(sa_trainer *t);
/* 1 if the network still has batch norm layers (not yet folded). */
int sa_trainer_has_batchnorm(const sa_trainer *t);

/*
 * Sets the activation ranges (and so the power-of-two scales) from forward
 * passes over up to `images` images of ds, without training.
 */
sa_status sa_trainer_calibrate(sa_trainer *t, const sa_dataset *ds, uint32_t images);

/*
 * The integer model as .dsm bytes (*data malloc()ed).  Batch norm is folded
 * into the weights; `meta` holds key/value string pairs and ends with NULL.
 * Float trainers cannot export (convert first).
 */
sa_status sa_trainer_export(sa_trainer *t, const char *const *meta, void **data, size_t *size);

/* Float/Q/PS parameters, statistics and ranges, to resume or convert later. */
sa_status sa_trainer_save_checkpoint(sa_trainer *t, const char *path);
sa_status sa_trainer_load_checkpoint(sa_trainer *t, const char *path);

/* Number of trainable values in the current mode. */
size_t sa_trainer_param_count(const sa_trainer *t);

/* ----------------------------------------------------------- training plan */

/*
 * The training policy shiftaccel-train follows (docs/training.md, "Modes"):
 * which phases run in which order, default learning rates and momentum, how
 * many epochs train with batch norm folded, the recipe and metadata written
 * into the model.  A tool parses options into sa_train_plan_options, makes
 * the plan, creates the trainer from sa_train_plan_config() and runs it.
 */
typedef enum sa_train_mode {
	SA_MODE_FLOAT = 0,	/* float baseline; no integer model */
	SA_MODE_Q = 1,		/* DeepShift-Q from scratch */
	SA_MODE_PS = 2,		/* DeepShift-PS from scratch */
	SA_MODE_CONVERT = 3,	/* float weights converted by equation 12, not trained */
	SA_MODE_CONVERT_Q = 4,	/* converted, then DeepShift-Q */
	SA_MODE_CONVERT_PS = 5, /* converted, then DeepShift-PS */
} sa_train_mode;

/* "float", "q", "ps", "convert", "convert+q", "convert+ps"; parse: SA_OK or
 * SA_ERR_INVALID_ARGUMENT. */
const char *sa_train_mode_name(sa_train_mode mode);
sa_status sa_train_mode_parse(const char *name, sa_train_mode *mode);

struct sa_train_plan_options {
	sa_train_mode mode;
	const char *init; /* checkpoint or ONNX file with the start weights, or NULL */
	int init_is_onnx; /* init is an ONNX float network: q/ps mean convert+q/ps */
	int weight_bits;  /* 2..5 */
	sa_optimizer optimizer;
	uint64_t seed;	       /* everything random, and the hold-out split */
	uint32_t epochs;       /* shift epochs (float epochs in float mode), >= 1 */
	uint32_t float_epochs; /* convert modes without init */
	int fold_epochs;       /* last epochs trained with batch norm folded; -1: default */
	double lr;	       /* 0: the default for the optimiser and mode */
	double momentum;       /* < 0: the default (0.9 for SGD, else 0) */
	uint32_t calibrate;    /* images that calibrate activations after a conversion */
	uint32_t limit;	       /* > 0: train on the first limit shuffled images per epoch */
	double holdout;	       /* share held out by sa_dataset_holdout, 0 if not held out */
};

struct sa_train_plan {
	struct sa_train_plan_options o; /* mode resolved (ONNX q/ps -> convert+q/ps) */
	sa_train_weights start;		/* weights the trainer is created with */
	sa_train_weights shift;		/* Q or PS: the weights of the integer model */
	uint32_t float_epochs;		/* float phase before a conversion (0: none) */
	int convert;			/* the float weights are converted by equation 12 */
	uint32_t shift_epochs;		/* Q/PS epochs with batch norm as trained */
	uint32_t fold_epochs;		/* Q/PS epochs after batch norm is folded */
	double lr, momentum;		/* defaults applied */
};

/* Resolves mode, phases, learning rate and momentum from the options. */
void sa_train_plan_make(const struct sa_train_plan_options *o, struct sa_train_plan *plan);
/* Sets the plan's fields in cfg (weights, bits, optimizer, lr, momentum, epochs, seed); the rest is
 * the caller's. */
void sa_train_plan_config(const struct sa_train_plan *plan, struct sa_train_config *cfg);
/* Decides the folded epochs once the trainer exists (they need batch norm). */
void sa_train_plan_bind(struct sa_train_plan *plan, const sa_trainer *t);
/* "DeepShift-PS", "converted, then DeepShift-Q", ... for the plan's mode. */
const char *sa_train_plan_describe(const struct sa_train_plan *plan);
/* The `recipe` metadata (mode, bits, epochs, optimiser, lr, ...) into buf. */
void sa_train_plan_recipe(const struct sa_train_plan *plan, const struct sa_train_config *cfg,
			  char *buf, size_t size);

/* What sa_train_plan_run reports as it goes. */
typedef enum sa_train_event_kind {
	SA_TRAIN_BATCH = 0,	/* done/total images of the epoch, loss so far */
	SA_TRAIN_EPOCH = 1,	/* phase, epoch of epochs_of, stats, test_accuracy */
	SA_TRAIN_INIT = 2,	/* test_accuracy of the float weights from plan->o.init */
	SA_TRAIN_CONVERTED = 3, /* test_accuracy after conversion and calibration */
	SA_TRAIN_FOLDED = 4,	/* batch norm folded for the last epochs_of epochs */
} sa_train_event_kind;

struct sa_train_event {
	sa_train_event_kind kind;
	const char *phase; /* "float", "q", "ps", "folded" */
	uint32_t epochs_of;
	const struct sa_epoch_stats *stats;
	double test_accuracy;
	uint32_t done, total;
	double loss;
};

/* Returns 0 to go on; anything else stops the run with SA_ERR_IO (a log could not be written). */
typedef int (*sa_train_event_fn)(void *ctx, const struct sa_train_event *ev);

/*
 * Runs the plan's phases on t: float epochs, conversion + calibration, Q/PS
 * epochs, batch-norm fold and folded epochs, evaluating on `test` after each
 * epoch.  Errors say which phase failed ("training: ...").
 */
sa_status sa_train_plan_run(const struct sa_train_plan *plan, sa_trainer *t,
			    const sa_dataset *train, const sa_dataset *test,
			    sa_train_event_fn on_event, void *ctx);

/*
 * Splits a data set without a test part into *train and *test: a share
 * `fraction` (0 < fraction < 1) of the images, chosen by `seed`, is held out.
 * The same (data, fraction, seed) always gives the same split; the trainer
 * records fraction and seed in the model (SA_META_HOLDOUT) so that
 * shiftaccel-eval rebuilds its test set.  SA_ERR_SHAPE if either part would
 * be empty.
 */
sa_status sa_dataset_holdout(const sa_dataset *all, double fraction, uint64_t seed,
			     sa_dataset **train, sa_dataset **test);
/* Metadata key of a held-out test set: "fraction=F seed=N" (F printed with %.17g). */
#define SA_META_HOLDOUT "holdout"
sa_status sa_holdout_parse(const char *value, double *fraction, uint64_t *seed);

struct sa_train_export {
	const char *name, *dataset, *architecture; /* metadata */
	uint32_t eval_limit; /* > 0: measure on the first eval_limit test images */
	int threads;
	/* results */
	double accuracy; /* percent, of the integer model through sa_session on the CPU */
	uint32_t correct, total;
	double seconds;
};

/*
 * Exports the integer model with its metadata (name, dataset, recipe,
 * architecture, trainer, the look of the training images, the hold-out
 * split when there is one), measures it on `test` through sa_evaluate and
 * returns the .dsm bytes (malloc()ed) with that accuracy stored in it.
 */
sa_status sa_train_plan_export(const struct sa_train_plan *plan, sa_trainer *t,
			       const sa_dataset *train, const sa_dataset *test, const char *recipe,
			       struct sa_train_export *x, void **data, size_t *size);

/* ------------------------------------------------------------------- plots */

struct sa_curve_point {
	double loss;			      /* training loss */
	double train_accuracy, test_accuracy; /* percent; test < 0: none */
};

/*
 * Draws loss (left axis) and train/test accuracy (right axis) per epoch
 * into a width x height PNG, with axes, ticks and a legend.
 */
sa_status sa_plot_curves(const char *path, const struct sa_curve_point *points, uint32_t n,
			 const char *title, uint32_t width, uint32_t height);

/* ------------------------------------------------------------- ONNX import */

/*
 * An ONNX model lowered to a trainer architecture for one input shape
 * (docs/import.md): the file is read and checked, batch norm folded into
 * the convolutions with the file's epsilon, activations fused; anything the
 * lowering cannot take is refused naming the node, its op and the opset
 * (SA_ERR_UNSUPPORTED), a model whose fixed input size is not c x h x w
 * with SA_ERR_SHAPE.
 */
typedef struct sa_onnx_import sa_onnx_import;

sa_status sa_onnx_import_open(const char *path, uint32_t c, uint32_t h, uint32_t w,
			      sa_onnx_import **out);
void sa_onnx_import_close(sa_onnx_import *imp);
/* Values of the model's output (the logits). */
uint32_t sa_onnx_import_classes(const sa_onnx_import *imp);
/* The architecture text the trainer builds (docs/training.md). */
const char *sa_onnx_import_arch(const sa_onnx_import *imp);
/* Float weights and biases of the model (its size before conversion is 4 bytes each). */
uint64_t sa_onnx_import_param_count(const sa_onnx_import *imp);
/* The model's opset of the default domain. */
int64_t sa_onnx_import_opset(const sa_onnx_import *imp);

struct sa_import_layer_info {
	const char *kind; /* the trainer layer: "conv", "fc", "maxpool", ... */
	const char *op;	  /* the ONNX op it comes from: "Conv", "Gemm", ... */
	const char *node; /* the ONNX node's name */
	uint32_t in_c, in_h, in_w, out_c, out_h, out_w;
};

uint32_t sa_onnx_import_layers(const sa_onnx_import *imp);
void sa_onnx_import_layer(const sa_onnx_import *imp, uint32_t i, struct sa_import_layer_info *info);

/*
 * A float trainer (cfg->weights and cfg->arch_text are ignored) with the
 * imported network and its weights, for data shaped like `data` (its image
 * shape and class count must be the model's).  The input normalisation is
 * the data's, as sa_trainer_create does; sa_trainer_set_normalisation()
 * replaces it.  Convert it (sa_trainer_convert) to export, or train it.
 */
sa_status sa_trainer_create_from_onnx(const sa_onnx_import *imp, const struct sa_train_config *cfg,
				      const sa_dataset *data, sa_trainer **out);
/* Sets the input normalisation (per channel: (pixel / 255 - mean) / std, std > 0). */
sa_status sa_trainer_set_normalisation(sa_trainer *t, const float *mean, const float *std);
/*
 * The trainer's forward pass (float, or the integer model's simulation after
 * conversion) on images [first, first + count) of ds: count x classes logits.
 */
sa_status sa_trainer_logits(sa_trainer *t, const sa_dataset *ds, uint32_t first, uint32_t count,
			    float *logits);

/* One layer of the trainer's network as it exports (after conversion). */
struct sa_trainer_layer_stats {
	int has_weights;      /* conv or fc */
	int weight_bits;      /* of the layer's code */
	int exp_min, exp_max; /* exponents of its non-zero weights (|w| = 2^exp) */
	uint64_t weights, zeros;
	int quantized_output; /* the op rounds its output to 2^act_exp */
	int act_exp;	      /* exponent of the output (the input's for max pool, flatten) */
};

/* Layers of the network, the input not counted (layer i is architecture layer i). */
uint32_t sa_trainer_num_layers(const sa_trainer *t);
/* stats[i] for every layer i (sa_trainer_num_layers() entries). */
sa_status sa_trainer_layer_stats(sa_trainer *t, struct sa_trainer_layer_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* SHIFTACCEL_TRAIN_H */
