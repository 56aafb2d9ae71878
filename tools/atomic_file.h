/* SPDX-License-Identifier: MIT */
/*
 * Output files that are never torn: written to a temporary file in the same
 * directory, flushed to disk, then renamed over the destination, so a full
 * disk, a crash or a kill leaves the old file or the new one, never half.
 */
#ifndef SA_ATOMIC_FILE_H
#define SA_ATOMIC_FILE_H

#include <stddef.h>

/*
 * 0 when the directory of `path` exists and is writable (checked before a
 * long job, so it fails early); -1 with errno set otherwise.
 */
int atomic_file_check_dir(const char *path);

/* Writes data to path atomically (mode 0644 before the umask); 0, or -1 with errno set. */
int atomic_file_write(const char *path, const void *data, size_t size);

#endif /* SA_ATOMIC_FILE_H */
