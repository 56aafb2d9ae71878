/* SPDX-License-Identifier: MIT */
/* A walk over a PNG's chunk lengths before libpng sees the file. */
#ifndef SA_PNG_CHUNKS_H
#define SA_PNG_CHUNKS_H

#include <stdint.h>
#include <stdio.h>

#include "../include/shiftaccel.h"

/*
 * Reads only the chunk headers of `f` (positioned after the signature, and
 * left there) and checks every chunk's length against the bytes the file
 * has left.  libpng allocates a chunk's declared length before reading it
 * (its own size check is only a warning), so a 44-byte file whose text
 * chunk claims 2 GiB would cost 2 GiB; this refuses it first.
 * SA_ERR_BAD_IMAGE names the chunk.  A file that ends between chunks is
 * left for libpng to report.
 */
sa_status sa_png_check_chunk_lengths(FILE *f, uint64_t file_size, const char *path);

#endif /* SA_PNG_CHUNKS_H */
