/* SPDX-License-Identifier: MIT */
/* The per-thread error message behind sa_last_error(). */
#ifndef SA_ERROR_H
#define SA_ERROR_H

#include "../include/shiftaccel.h"

/* Records a message for sa_last_error() and returns `status`. */
sa_status sa_fail(sa_status status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Forgets the last message (called by successful entry points). */
void sa_clear_error(void);

#endif /* SA_ERROR_H */
