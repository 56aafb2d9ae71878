/* SPDX-License-Identifier: MIT */
/*
 * Opening input files without blocking and without trusting what they are:
 * only regular files are read.  A FIFO, a terminal or a device named as a
 * model, an image or a data file would otherwise block open() or read()
 * forever (a FIFO without a writer) or feed unbounded bytes.
 */
#ifndef SA_FILE_IN_H
#define SA_FILE_IN_H

#include <stdint.h>
#include <stdio.h>

#include "../include/shiftaccel.h"

/*
 * Opens `path` for reading: O_NONBLOCK so open() itself cannot block, then
 * fstat() on the descriptor refuses anything but a regular file (SA_ERR_IO,
 * naming what it is).  *fd is a blocking descriptor; *size the file's size.
 */
sa_status sa_file_open_regular(const char *path, int *fd, uint64_t *size);
/* The same as a stdio stream ("rb"). */
sa_status sa_file_fopen_regular(const char *path, FILE **f, uint64_t *size);

#endif /* SA_FILE_IN_H */
