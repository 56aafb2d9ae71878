/* SPDX-License-Identifier: MIT */
/*
 * libshiftaccel: run DeepShift (multiplication-free) networks stored as .dsm
 * models on a ShiftAccel card or, bit-exactly, on the CPU.
 *
 * Conventions: every function that can fail returns an sa_status; on failure
 * sa_last_error() gives a message for the calling thread that names what was
 * wrong (file, section, tensor, node, value).  The library never prints and
 * never exits.  Output pointers are written only on success.
 */
#ifndef SHIFTACCEL_H
#define SHIFTACCEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "shiftaccel_limits.h"

#include "../../uapi/shiftaccel_numerics.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SA_LIB_VERSION_MAJOR 0
#define SA_LIB_VERSION_MINOR 1
#define SA_LIB_VERSION_PATCH 0

typedef enum sa_status {
	SA_OK = 0,
	SA_ERR_INVALID_ARGUMENT = -1, /* a caller's argument is out of range */
	SA_ERR_NO_MEMORY = -2,
	SA_ERR_IO = -3,		  /* a file is missing, unreadable or unwritable */
	SA_ERR_BAD_MODEL = -4,	  /* a .dsm file or graph is malformed */
	SA_ERR_VERSION = -5,	  /* a .dsm major version this library cannot read */
	SA_ERR_CHECKSUM = -6,	  /* a .dsm checksum mismatch */
	SA_ERR_BAD_IMAGE = -7,	  /* an image is not a readable PNG */
	SA_ERR_SHAPE = -8,	  /* an input does not fit the model (e.g. channel count) */
	SA_ERR_NO_DEVICE = -9,	  /* no usable ShiftAccel card */
	SA_ERR_DEVICE = -10,	  /* the card reported a fault or was reset */
	SA_ERR_UNSUPPORTED = -11, /* valid, but not supported by this backend */
	SA_ERR_BAD_DATA = -12,	  /* a data set file is malformed */
} sa_status;

/* Short constant name of a status ("SA_ERR_BAD_MODEL"). */
const char *sa_status_name(sa_status status);
/* Message of the last failing call on this thread ("" if none). */
const char *sa_last_error(void);

/* ------------------------------------------------------------------ models */

typedef struct sa_model sa_model;

/* Maps and validates a .dsm file.  Every offset and length is checked. */
sa_status sa_model_open(const char *path, sa_model **out);
/* Same, from memory; the bytes are copied.  `name` is used in messages. */
sa_status sa_model_open_memory(const void *data, size_t size, const char *name, sa_model **out);
void sa_model_close(sa_model *model);

struct sa_model_info {
	uint16_t format_major, format_minor;
	uint32_t input_c, input_h, input_w;
	uint8_t input_dtype, output_dtype;
	int8_t input_exp, output_exp;
	uint32_t num_outputs; /* elements of the output tensor (classes) */
	uint32_t num_labels;  /* 0, or num_outputs */
	uint32_t num_nodes, num_tensors;
	float mean[SA_MAX_INPUT_CHANNELS], std[SA_MAX_INPUT_CHANNELS];
};

sa_status sa_model_get_info(const sa_model *model, struct sa_model_info *info);
/* Class label i, or NULL when the model has no labels or i is out of range. */
const char *sa_model_label(const sa_model *model, uint32_t i);
/* Free-form metadata value for key, or NULL. */
const char *sa_model_meta(const sa_model *model, const char *key);
/* i-th metadata pair; SA_ERR_INVALID_ARGUMENT past the end. */
sa_status sa_model_meta_at(const sa_model *model, uint32_t i, const char **key, const char **value);

/*
 * The model as an ONNX graph, opset 13 (docs/import.md, "shiftaccel-export"):
 * weights as the exact floats +-2^k, QuantizeLinear/DequantizeLinear pairs
 * where the integer model rounds to int8, the rest in shiftaccel.* metadata.
 * Tensor names must be non-empty, unique and without ':'.  *data is
 * malloc()ed; the caller frees it.
 */
sa_status sa_model_export_onnx(const sa_model *model, void **data, size_t *size);
/*
 * An ONNX file written by sa_model_export_onnx back to the .dsm bytes it
 * came from (for files laid out as the library writes them).  *is_export
 * is 0, and nothing else is done, when the file is not such an export.
 */
sa_status sa_onnx_read_export(const char *path, int *is_export, void **data, size_t *size);

/* ---------------------------------------------------------------- sessions */

typedef enum sa_device_kind {
	SA_DEVICE_AUTO = 0,	 /* the card if one is usable, else the CPU */
	SA_DEVICE_CPU = 1,	 /* bit-exact integer kernels on the CPU */
	SA_DEVICE_ACCEL = 2,	 /* a ShiftAccel card; SA_ERR_NO_DEVICE if none */
	SA_DEVICE_CPU_FLOAT = 3, /* float simulation of the same graph, for comparison */
} sa_device_kind;

typedef struct sa_session sa_session;

/* sa_session_create_on with the kind's name: "auto" (which reads SHIFTACCEL_DEVICE), "cpu", ... */
sa_status sa_session_create(const sa_model *model, sa_device_kind device, sa_session **out);

/*
 * The environment variable that names the device when the caller leaves
 * the choice open (docs/accel.md, "Choosing a card").
 */
#define SA_DEVICE_ENV "SHIFTACCEL_DEVICE"
/* The largest N of "accel:N". */
#define SA_MAX_CARD_INDEX 255

/**
 * sa_session_create_on() - a session on a named device.
 * @model: the model to run.
 * @device: one of
 *   "auto"        the first usable card, else the CPU (sa_session_fallback_reason
 *                 says why not the card);
 *   "cpu"         bit-exact integer kernels on the CPU;
 *   "cpu-float"   the float simulation of the same graph;
 *   "accel"       the first usable card, in index order; SA_ERR_NO_DEVICE if none;
 *   "accel:N"     card N (0 to SA_MAX_CARD_INDEX): the ShiftAccel PCI functions
 *                 numbered from 0 in the order of their PCI addresses, whether or
 *                 not a driver is bound, so N does not change when another card
 *                 fails; shiftaccel-info prints each card's N;
 *   "accel:/dev/accel/accelN"   the card of that accel node (any path to it);
 *   "accel:DDDD:BB:DD.F"        the card at that PCI address ("BB:DD.F": domain 0).
 *   NULL, "" and "auto" take the value of SHIFTACCEL_DEVICE when it is set
 *   and not empty: an explicit string wins over the environment, which wins
 *   over "auto".  Names are case-sensitive; at most 63 bytes.
 * @out: the session.
 *
 * Return: SA_OK; SA_ERR_INVALID_ARGUMENT for a string (or SHIFTACCEL_DEVICE
 * value) that is none of these forms, the message quoting it;
 * SA_ERR_NO_DEVICE when the named card does not exist or cannot be used, the
 * message naming what was asked and the cards there are; as sa_session_create
 * otherwise.
 */
sa_status sa_session_create_on(const sa_model *model, const char *device, sa_session **out);
/*
 * SA_OK when device is one of the forms above, else SA_ERR_INVALID_ARGUMENT
 * with the message sa_session_create_on would give.  Looks at no card and
 * not at the environment: for checking a command line before any work.
 */
sa_status sa_device_check(const char *device);
/* "auto", "cpu", "cpu-float" or "accel"; NULL for a value outside the enum. */
const char *sa_device_kind_name(sa_device_kind kind);

void sa_session_destroy(sa_session *session);
/* The device the session actually runs on (never SA_DEVICE_AUTO). */
sa_device_kind sa_session_device(const sa_session *session);

/* The card a session runs on. */
struct sa_card_id {
	uint32_t index;	      /* the N of "accel:N" */
	char pci_address[16]; /* "0000:00:04.0" */
	char node[32];	      /* "/dev/accel/accel0" */
};
/* Fills *card for a session on a card; SA_ERR_INVALID_ARGUMENT for a CPU session. */
sa_status sa_session_card(const sa_session *session, struct sa_card_id *card);
/* Why SA_DEVICE_AUTO fell back to the CPU ("" if it did not). */
const char *sa_session_fallback_reason(const sa_session *session);

/*
 * Run one inference.  `input` is the normalised float tensor [C][H][W]
 * (sa_preprocess); it is quantised with the model's input exponent.
 * `outputs` receives num_outputs dequantised values (logits).
 */
sa_status sa_session_run(sa_session *session, const float *input, float *outputs);
/*
 * Run on already quantised data: `input` is the input tensor in the model's
 * input dtype, `output` receives the raw output tensor in its dtype.  This is
 * the bit-exactness interface between backends.
 */
sa_status sa_session_run_quantized(sa_session *session, const void *input, void *output);
/*
 * n inferences on quantised data, packed one after another in `inputs` and
 * `outputs`.  On the card several are in flight at once (pipelined); the
 * results are those of n sa_session_run_quantized calls, in order.
 */
sa_status sa_session_run_batch_quantized(sa_session *session, size_t n, const void *inputs,
					 void *outputs);
/*
 * Where the time of the session's last single run went on the card:
 * host_ms writing the input and descriptors and ringing the doorbell,
 * device_ms from the doorbell until the host saw the completion fence,
 * wait_ms the part of device_ms the host slept (blocked on the queue's
 * eventfd) instead of polling.  All zero for CPU sessions.
 */
struct sa_run_timing {
	double host_ms, device_ms, wait_ms;
};
void sa_session_last_timing(const sa_session *session, struct sa_run_timing *timing);

/* Host-side helpers shared by every backend. */
void sa_quantize_input(const float *x, size_t n, uint8_t dtype, int exp, void *q);
void sa_dequantize(const void *q, size_t n, uint8_t dtype, int exp, float *x);
void sa_softmax(const float *logits, size_t n, float *probs);
/* Indices of the k largest values, largest first (ties: lower index first). */
void sa_topk(const float *values, size_t n, size_t k, uint32_t *indices);

/* ------------------------------------------------------------------ images */

/* An 8-bit-per-sample image, channels interleaved (HWC), 1 (gray) or 3 (RGB). */
typedef struct sa_image {
	uint32_t width, height, channels;
	uint8_t *pixels;
} sa_image;

/*
 * Decodes any PNG (gray, gray+alpha, RGB, RGBA, palette, 1-16 bit) to 8-bit
 * gray or RGB: a palette of grey levels is gray, 16-bit samples are rounded
 * to 8 bits, and transparency is composited over the background that
 * contrasts with the visible content (white under dark content, black
 * under light).  Only regular files are read; a size the file cannot hold
 * or beyond shiftaccel_limits.h is refused before pixel memory is
 * allocated.  A JPEG, GIF, BMP, WebP or TIFF file is named as such.
 */
sa_status sa_image_load_png(const char *path, sa_image *out);
/*
 * The same checks as sa_image_load_png up to the pixels: fills width,
 * height and the channels the decoded image would have (1 or 3), with
 * pixels NULL, without decoding, so a caller can refuse an unsuitable image
 * before paying for its decoding.
 */
sa_status sa_image_probe_png(const char *path, sa_image *out);
sa_status sa_image_write_png(const char *path, const sa_image *image);
void sa_image_free(sa_image *image);

/*
 * Resizes `image` to the model's input (bilinear, half-pixel centres) and
 * normalises (p / 255 - mean[c]) / std[c] into `input` ([C][H][W] floats).
 * The image's channel count must equal the model's unless convert_channels
 * is set (RGB -> gray by ITU-R BT.601 luma, gray -> RGB by replication);
 * otherwise SA_ERR_SHAPE.  This is the transformation the trainer applies
 * to its data set's images; sa_preprocess_image() adds the steps that make
 * an image made elsewhere look like them.
 */
sa_status sa_preprocess(const sa_model *model, const sa_image *image, int convert_channels,
			float *input);
/* SA_OK when an image of `channels` channels can be preprocessed for `model`, else SA_ERR_SHAPE. */
sa_status sa_preprocess_accepts(const sa_model *model, uint32_t channels, int convert_channels);

/*
 * Metadata keys that describe the training data's images (docs/preprocessing.md):
 *   input.polarity  "light-on-dark" (MNIST: light ink, dark background) or
 *                   "dark-on-light"
 *   input.framing   "digit" (MNIST: the ink's bounding box scaled into a
 *                   20x20 box, centred by its centre of mass in 28x28) or
 *                   "none" (the object fills the frame)
 * The reader accepts only these values.  Models without them fall back on
 * their `dataset` key (mnist: light-on-dark and digit; fashion-mnist:
 * light-on-dark and none).
 */
#define SA_META_POLARITY "input.polarity"
#define SA_META_FRAMING "input.framing"
#define SA_POLARITY_LIGHT_ON_DARK "light-on-dark"
#define SA_POLARITY_DARK_ON_LIGHT "dark-on-light"
#define SA_FRAMING_DIGIT "digit"
#define SA_FRAMING_NONE "none"

typedef enum sa_invert {
	SA_INVERT_AUTO = 0, /* invert when the image's polarity is not the data's */
	SA_INVERT_YES = 1,
	SA_INVERT_NO = 2,
} sa_invert;

typedef enum sa_fit {
	SA_FIT_AUTO = 0,  /* frame when the model's data is framed (input.framing digit) */
	SA_FIT_FRAME = 1, /* crop to the ink, scale into the box, centre by mass */
	SA_FIT_NONE = 2,  /* resize the whole image */
} sa_fit;

struct sa_preprocess_options {
	int convert_channels; /* as in sa_preprocess */
	sa_invert invert;
	sa_fit fit;
};

/* What sa_preprocess_image() did, for reports. */
struct sa_preprocess_report {
	int inverted; /* the image's polarity was flipped */
	int leveled;  /* background and ink levels were stretched to the data's */
	int framed;   /* the ink was cropped, scaled and centred */
};

/*
 * sa_preprocess for images made outside the data set, on single-channel
 * models: with the model's data described (input.* metadata), the image's
 * polarity is detected (background from the border) and matched, its
 * background and ink levels are stretched to the data's, and for framed
 * data the ink is cropped, scaled into the box and centred by mass.  RGB
 * models get sa_preprocess.  `report` may be NULL.
 */
sa_status sa_preprocess_image(const sa_model *model, const sa_image *image,
			      const struct sa_preprocess_options *options, float *input,
			      struct sa_preprocess_report *report);

/* ------------------------------------------------------------ output files */

/*
 * An output file written whole or not at all: the bytes go to a temporary
 * file in the same directory, which is fsynced and renamed over `path` on
 * commit (and the directory fsynced), so a full disk, an error or a kill
 * leaves the previous file, or none, never a torn one.
 */
typedef struct sa_output sa_output;

/*
 * Checks, before any work, that `path` can be written: its directory exists
 * and is writable, and `path` is not a directory.  SA_ERR_IO with the reason.
 */
sa_status sa_output_check_path(const char *path);
/* Creates the temporary file; write through sa_output_stream(). */
sa_status sa_output_open(const char *path, sa_output **out);
FILE *sa_output_stream(sa_output *out);
/* Flushes, fsyncs and renames into place; frees `out` whatever the result. */
sa_status sa_output_commit(sa_output *out);
/* Removes the temporary file and frees `out` (NULL is a no-op). */
void sa_output_abort(sa_output *out);
/* The whole of data[0..size) as `path`, through an sa_output. */
sa_status sa_output_write_file(const char *path, const void *data, size_t size);

/* ----------------------------------------------------------------- builder */

/*
 * Writes .dsm models (used by the trainer and by tests).  Weights are given
 * as "signed k" values (see uapi/shiftaccel_numerics.h), biases as int32 at
 * the accumulator scale 2^(input exp + weight_base).  Every add_* call
 * validates its op with the same checks the reader applies.
 */
typedef struct sa_builder sa_builder;

sa_status sa_builder_create(sa_builder **out);
void sa_builder_destroy(sa_builder *b);

sa_status sa_builder_set_meta(sa_builder *b, const char *key, const char *value);
sa_status sa_builder_add_label(sa_builder *b, const char *label);

/* Declares the graph input; `mean`/`std` have `c` entries. Returns its tensor id. */
sa_status sa_builder_input(sa_builder *b, uint32_t c, uint32_t h, uint32_t w, uint8_t dtype,
			   int8_t exp, const float *mean, const float *std, uint32_t *tensor);

/* Each op: output dtype/exp chosen by the caller, output tensor id returned. */
sa_status sa_builder_conv(sa_builder *b, uint32_t in, const struct sa_conv_params *p,
			  const int8_t *weights, const int32_t *bias, uint8_t out_dtype,
			  int8_t out_exp, uint32_t *out);
sa_status sa_builder_fc(sa_builder *b, uint32_t in, const struct sa_fc_params *p,
			const int8_t *weights, const int32_t *bias, uint8_t out_dtype,
			int8_t out_exp, uint32_t *out);
sa_status sa_builder_maxpool(sa_builder *b, uint32_t in, const struct sa_pool_params *p,
			     uint32_t *out);
sa_status sa_builder_avgpool(sa_builder *b, uint32_t in, const struct sa_pool_params *p,
			     uint32_t *out);
sa_status sa_builder_global_avgpool(sa_builder *b, uint32_t in, uint32_t *out);
sa_status sa_builder_add(sa_builder *b, uint32_t in_a, uint32_t in_b, const struct sa_add_params *p,
			 uint8_t out_dtype, int8_t out_exp, uint32_t *out);
sa_status sa_builder_flatten(sa_builder *b, uint32_t in, uint32_t *out);
/* Format 1.1: channels of `in_a` then of `in_b`, requantised to out_dtype/out_exp. */
sa_status sa_builder_concat(sa_builder *b, uint32_t in_a, uint32_t in_b,
			    const struct sa_concat_params *p, uint8_t out_dtype, int8_t out_exp,
			    uint32_t *out);
/* Format 1.1: a standalone activation, requantised to out_dtype/out_exp. */
sa_status sa_builder_clip(sa_builder *b, uint32_t in, const struct sa_clip_params *p,
			  uint8_t out_dtype, int8_t out_exp, uint32_t *out);
/* Optional: a tensor name for messages and tools. */
sa_status sa_builder_name_tensor(sa_builder *b, uint32_t tensor, const char *name);

sa_status sa_builder_set_output(sa_builder *b, uint32_t tensor);
sa_status sa_builder_write_file(sa_builder *b, const char *path);
/* *data is malloc()ed; the caller frees it. */
sa_status sa_builder_write_memory(sa_builder *b, void **data, size_t *size);

#ifdef __cplusplus
}
#endif

#endif /* SHIFTACCEL_H */
