/* SPDX-License-Identifier: MIT */
/*
 * Every limit libshiftaccel applies to what it reads from files, defined
 * once.  Sizes a file declares are checked against these and against what
 * the file itself can hold before anything is allocated for them, so a
 * small hostile file cannot make the library allocate much memory or run
 * for long.  docs/limits.md explains each one.
 */
#ifndef SHIFTACCEL_LIMITS_H
#define SHIFTACCEL_LIMITS_H

/* ------------------------------------------------------------------ models */

/* Channels of a model's input (gray, RGB, RGBA-like four-channel inputs). */
#define SA_MAX_INPUT_CHANNELS 4
/*
 * Elements of one activation tensor, and of all activation tensors of a
 * model together (the CPU backend holds them as int16 and float): 16 Mi and
 * 64 Mi elements, far above any network the card or the trainer runs.
 */
#define SA_MAX_ACTIVATION_ELEMS (1u << 24)
#define SA_MAX_ACTIVATION_TOTAL (1u << 26)

/* ------------------------------------------------------------------ images */

/* Pixels per side and per image of a decoded PNG (a 64-megapixel photo fits). */
#define SA_IMAGE_MAX_SIDE 16384u
#define SA_IMAGE_MAX_PIXELS (1u << 26)
/* Bytes of one PNG chunk held in memory (text, ICC profiles, unknown chunks). */
#define SA_PNG_MAX_CHUNK_BYTES (8u << 20)
/*
 * zlib's deflate expands at most 1032:1, so a PNG of N bytes cannot hold
 * more than N * 1032 bytes of decoded rows; a header declaring more is a
 * lie found before decoding.
 */
#define SA_DEFLATE_MAX_RATIO 1032u

/* --------------------------------------------------------------- data sets */

/* Images of a data set, and bytes of all its pixels together. */
#define SA_DATASET_MAX_IMAGES (1u << 26)
/* Classes of a data set: labels are two bytes (sa_label), so ImageNet's 1000 fit. */
#define SA_DATASET_MAX_CLASSES 65536
#define SA_DATASET_MAX_BYTES (1ull << 32)
/* Pixels per side of an idx image. */
#define SA_IDX_MAX_SIDE 4096u

/* ------------------------------------------------------------- ONNX models */

/* protobuf messages are limited to 2 GiB; a larger file is no ONNX model. */
#define SA_ONNX_MAX_FILE_SIZE (2ull << 30)
/* Nodes of a graph, dimensions and elements (4 GiB of floats) of a tensor. */
#define SA_ONNX_MAX_NODES 100000u
#define SA_ONNX_MAX_DIMS 6u
#define SA_ONNX_MAX_ELEMENTS (1ull << 30)

#endif /* SHIFTACCEL_LIMITS_H */
