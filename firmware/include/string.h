/* SPDX-License-Identifier: MIT */
/*
 * The part of <string.h> the firmware uses, for the freestanding card
 * build (there is no C library; firmware/libc.c defines these).  Native
 * builds of the same files get the host's own <string.h>.
 */
#ifndef FW_STRING_H
#define FW_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif /* FW_STRING_H */
